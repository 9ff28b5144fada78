// The record's git operations (Commit Incident Update, Show History, the git: content provider, the
// author) run through the one git runner (src/git/gitProcess.ts), on a real repository in a temp dir.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitTimeoutError, runGit, type GitSpawner } from '../../src/git/gitProcess';
import { commitFile, fileAtCommit, fileHistory, gitUserName, repositoryRoot } from '../../src/git/incidentGit';

function git(cwd: string, args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

describe('incident git operations', function () {
  let root: string;
  const record = 'incidents/2026/INC-1.yaml';

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'runbook-ops-incident-git-'));
    git(root, ['init', '-q', '-b', 'main']);
    git(root, ['config', 'user.name', 'Dana Ops']);
    git(root, ['config', 'user.email', 'dana@example.com']);
    mkdirSync(join(root, 'incidents/2026'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds the repository root and the author from a subfolder, and nothing outside a repository', async () => {
    assert.equal(await repositoryRoot(join(root, 'incidents/2026')), git(root, ['rev-parse', '--show-toplevel']).trim());
    assert.equal(await gitUserName(join(root, 'incidents')), 'Dana Ops');
    const outside = mkdtempSync(join(tmpdir(), 'runbook-ops-no-git-'));
    try {
      assert.equal(await repositoryRoot(outside), undefined);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('commits exactly the record (other staged files stay staged), then lists and shows its history', async () => {
    writeFileSync(join(root, record), 'id: INC-1\nstatus: triage\n');
    writeFileSync(join(root, 'other.txt'), 'staged, not committed\n');
    git(root, ['add', 'other.txt']);
    const first = await commitFile(root, record, ({ before, after }) => {
      assert.equal(before, undefined);
      assert.equal(after, 'id: INC-1\nstatus: triage\n');
      return 'INC-1: declared';
    });
    assert.equal(git(root, ['rev-parse', 'HEAD']).trim(), first);
    assert.deepEqual(git(root, ['show', '--name-only', '--format=', 'HEAD']).trim().split('\n'), [record]);
    assert.equal(git(root, ['diff', '--cached', '--name-only']).trim(), 'other.txt');

    writeFileSync(join(root, record), 'id: INC-1\nstatus: resolved\n');
    const second = await commitFile(root, record, ({ before }) => {
      assert.equal(before, 'id: INC-1\nstatus: triage\n');
      return 'INC-1: status resolved\n\nwith a body';
    });
    const history = await fileHistory(root, record);
    assert.deepEqual(history.map((c) => [c.hash, c.author, c.message]), [[second, 'Dana Ops', 'INC-1: status resolved'], [first, 'Dana Ops', 'INC-1: declared']]);
    assert.ok(!Number.isNaN(Date.parse(history[0].date)), history[0].date);
    assert.equal((await fileHistory(root, record, 1)).length, 1);
    assert.equal(await fileAtCommit(root, first, record), 'id: INC-1\nstatus: triage\n');
    assert.equal(await fileAtCommit(root, first, 'incidents/2026/INC-2.yaml'), undefined);
    await assert.rejects(commitFile(root, record, () => 'unchanged'), /Nothing to commit: incidents\/2026\/INC-1\.yaml has no changes/);
  });

  it('commits on the incident branch, creating it or switching to it when it exists', async () => {
    writeFileSync(join(root, 'README.md'), 'repo\n');
    git(root, ['add', 'README.md']);
    git(root, ['commit', '-q', '-m', 'start']);
    writeFileSync(join(root, record), 'id: INC-1\n');
    await commitFile(root, record, () => 'INC-1: declared', { branch: 'incident/INC-1' });
    assert.equal(git(root, ['branch', '--show-current']).trim(), 'incident/INC-1');
    writeFileSync(join(root, record), 'id: INC-1\nstatus: resolved\n');
    await commitFile(root, record, () => 'INC-1: resolved', { branch: 'incident/INC-1' });
    assert.equal(git(root, ['log', '--format=%s', 'incident/INC-1']).trim(), 'INC-1: resolved\nINC-1: declared\nstart');

    git(root, ['branch', 'incident/INC-2', 'main']);
    writeFileSync(join(root, 'incidents/2026/INC-2.yaml'), 'id: INC-2\n');
    await commitFile(root, 'incidents/2026/INC-2.yaml', () => 'INC-2: declared', { branch: 'incident/INC-2' });
    assert.equal(git(root, ['branch', '--show-current']).trim(), 'incident/INC-2');
    assert.equal(git(root, ['log', '--format=%s', 'incident/INC-2']).trim(), 'INC-2: declared\nstart');
  });

  it('says which git command a failing hook stopped, with what the hook printed', async () => {
    writeFileSync(join(root, '.git/hooks/pre-commit'), '#!/bin/sh\necho "records must be signed off"\nexit 1\n', { mode: 0o755 });
    writeFileSync(join(root, record), 'id: INC-1\n');
    await assert.rejects(commitFile(root, record, () => 'INC-1: declared'), (err: Error) => {
      assert.match(err.message, /^git commit failed \(exit 1\): records must be signed off/);
      return true;
    });
  });

  it('stops git that runs past its time limit and says so', async () => {
    // A git that never finishes: `sleep` stands in for a hook or a lock that waits forever.
    const stuck: GitSpawner = (_args, cwd) => spawn('sleep', ['30'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const started = Date.now();
    await assert.rejects(runGit(['commit'], { cwd: root, spawner: stuck, timeoutMs: 200 }), (err: Error) => {
      assert.ok(err instanceof GitTimeoutError);
      assert.match(err.message, /^git commit did not finish within 0\.2 s and was stopped/);
      return true;
    });
    assert.ok(Date.now() - started < 10_000);
  });
});
