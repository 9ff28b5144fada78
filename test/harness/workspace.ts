// A throwaway copy of runbooks/ as its own git repository, so tests can run
// steps, write incidents and commit without touching the real sample.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { sampleRunbooksDir } from './paths';
import { registerTeardown } from './teardown';

export interface SampleWorkspace {
  /** Absolute, symlink-free path of the workspace folder (what VS Code will report). */
  path: string;
  cleanup(): void;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface SampleWorkspaceOptions {
  /** What to copy; defaults to the repository's runbooks/. */
  source?: string;
  /** Where to create `runbooks/` (replacing an earlier copy); defaults to a fresh temp dir removed by cleanup(). */
  parentDir?: string;
}

export function createSampleWorkspace(options: SampleWorkspaceOptions = {}): SampleWorkspace {
  const source = options.source ?? sampleRunbooksDir;
  // realpath: /tmp may be a symlink (macOS), and VS Code reports resolved paths.
  const parent = options.parentDir
    ? (mkdirSync(options.parentDir, { recursive: true }), realpathSync(options.parentDir))
    : realpathSync(mkdtempSync(join(tmpdir(), 'runbook-ops-ws-')));
  const path = join(parent, 'runbooks');
  rmSync(path, { recursive: true, force: true });
  cpSync(source, path, { recursive: true, filter: (src) => basename(src) !== '.git' });
  git(path, 'init', '--quiet', '--initial-branch=main');
  // Local identity and no signing: CI machines often have neither configured.
  git(path, 'config', 'user.name', 'Runbook Ops Tests');
  git(path, 'config', 'user.email', 'tests@runbook-ops.invalid');
  git(path, 'config', 'commit.gpgsign', 'false');
  git(path, 'add', '--all');
  git(path, 'commit', '--quiet', '--allow-empty', '--message', 'Sample runbooks');
  if (options.parentDir) return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };

  let removed = false;
  const cleanup = () => {
    if (removed) return;
    removed = true;
    unregister();
    if (process.env.RUNBOOK_OPS_KEEP_TEMP !== '1') rmSync(parent, { recursive: true, force: true });
  };
  const unregister = registerTeardown(cleanup);
  return { path, cleanup };
}

// `node out/test/harness/workspace.js <dir>`: the persistent copy that the
// "Extension Tests" launch configuration opens (tests may edit and commit in it).
if (require.main === module) {
  const parentDir = process.argv[2];
  if (!parentDir) {
    process.stderr.write('usage: node out/test/harness/workspace.js <parent dir>\n');
    process.exit(2);
  }
  process.stdout.write(`${createSampleWorkspace({ parentDir }).path}\n`);
}
