import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { MergeDriverInstallation } from '../../src/git/mergeDriverInstall';
import { runbookOpsApi } from './extensionApi';

const root = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;

/**
 * git as a user's terminal would run it: without the extension host's ELECTRON_RUN_AS_NODE (so only the
 * installed driver command can supply it) and without variables pointing git at another repository.
 */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  for (const name of Object.keys(env)) if (name === 'ELECTRON_RUN_AS_NODE' || name.startsWith('GIT_')) delete env[name];
  return env;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `entry` inserted into INC-0005's timeline, just before `action_items:` (where both sides append). */
function appendTimelineEntry(text: string, entry: string): string {
  const at = text.indexOf('\naction_items:');
  assert.ok(at > 0, 'INC-0005 has action_items after its timeline');
  return `${text.slice(0, at + 1)}${entry}${text.slice(at + 1)}`;
}

describe('Install Merge Driver', function () {
  this.timeout(60_000);

  before(async () => {
    await runbookOpsApi();
  });

  it('writes .gitattributes and the driver in .git/config, and says so', async () => {
    const installed = await vscode.commands.executeCommand<MergeDriverInstallation>('runbookOps.installMergeDriver');
    assert.ok(installed, 'the command installed the driver');
    assert.equal(installed.attributesFile, join(root(), '.gitattributes'));
    assert.equal(
      readFileSync(join(root(), '.gitattributes'), 'utf8'),
      '# Runbook Ops: merge incident records field by field (runbook-ops install-merge-driver)\n**/incidents/**/*.yaml merge=runbook-ops\n**/incidents/**/*.yml merge=runbook-ops\n',
    );
    const cli = join(vscode.extensions.getExtension('runbook-ops.runbook-ops')!.extensionPath, 'dist', 'cli.js');
    const driver = git(root(), 'config', '--get', 'merge.runbook-ops.driver').trim();
    assert.equal(driver, `ELECTRON_RUN_AS_NODE=1 ${process.execPath} ${cli} merge-driver %O %A %B %P`);
    assert.equal(installed.driverCommand, driver);

    // Running it again changes nothing.
    const again = await vscode.commands.executeCommand<MergeDriverInstallation>('runbookOps.installMergeDriver');
    assert.deepEqual(again?.addedLines, []);
    assert.equal(readFileSync(join(root(), '.gitattributes'), 'utf8').split('merge=runbook-ops').length, 3);
  });

  it('merges two branches that both appended to an incident timeline through the installed driver', () => {
    // A worktree of the sample repository shares its .git/config, so it uses the driver just installed;
    // the sample workspace's own files stay as the other tests expect them.
    git(root(), 'add', '.gitattributes');
    git(root(), 'commit', '--quiet', '--message', 'Merge incident records with runbook-ops', '--', '.gitattributes');
    const tree = join(realpathSync(mkdtempSync(join(tmpdir(), 'runbook-ops-merge-'))), 'tree');
    git(root(), 'worktree', 'add', '--quiet', '-b', 'merge-test-theirs', tree, 'HEAD');
    try {
      const file = join(tree, 'incidents', 'INC-0005.yaml');
      const base = readFileSync(file, 'utf8');
      const theirs = '  - at: 2026-10-16T10:00:00Z\n    by: alice\n    kind: note\n    text: Added the 402 contract test to CI\n';
      const ours = '  - at: 2026-10-16T09:00:00Z\n    by: bob\n    kind: note\n    text: Checked refunds for the failed checkouts\n';
      writeFileSync(file, appendTimelineEntry(base, theirs).replace(/^impact: .*$/m, 'impact: ~3.5% of checkout requests returned 500 for 18 minutes (both regions).'));
      git(tree, 'commit', '--quiet', '-am', 'INC-0005: note (alice)');
      git(tree, 'checkout', '--quiet', '-b', 'merge-test-ours', 'HEAD~1');
      writeFileSync(file, appendTimelineEntry(base, ours).replace(/^postmortem: .*$/m, 'postmortem: postmortems/INC-0005.md'));
      git(tree, 'commit', '--quiet', '-am', 'INC-0005: note (bob)');

      const merge = spawnSync('git', ['merge', '--no-edit', 'merge-test-theirs'], { cwd: tree, env: gitEnv(), encoding: 'utf8' });
      assert.equal(merge.status, 0, `git merge failed:\n${merge.stdout}\n${merge.stderr}`);
      const merged = readFileSync(file, 'utf8');
      // git's line merge would have stopped with a conflict here: both sides added lines at the same place.
      assert.ok(!merged.includes('<<<<<<<'), merged);
      assert.equal(merged, appendTimelineEntry(base, ours + theirs)
        .replace(/^impact: .*$/m, 'impact: ~3.5% of checkout requests returned 500 for 18 minutes (both regions).')
        .replace(/^postmortem: .*$/m, 'postmortem: postmortems/INC-0005.md'));
      assert.equal(git(tree, 'status', '--porcelain').trim(), '');
      assert.equal(git(tree, 'log', '-1', '--format=%P').trim().split(' ').length, 2, 'a merge commit was made');
    } finally {
      spawnSync('git', ['worktree', 'remove', '--force', tree], { cwd: root(), env: gitEnv() });
      spawnSync('git', ['branch', '-D', 'merge-test-theirs', 'merge-test-ours'], { cwd: root(), env: gitEnv() });
      rmSync(join(tree, '..'), { recursive: true, force: true });
    }
  });
});
