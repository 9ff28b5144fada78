import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fixtureGitEnv, runFixtureGit } from '../harness/fixtureGit';

const repoRoot = resolve(__dirname, '../../..');
const cli = join(repoRoot, 'dist/cli.js');
const sample = join(repoRoot, 'runbooks');
/** Commits are dated, and "today" is fixed with --now, so review states never depend on the clock. */
const COMMIT_DATE = '2026-11-20T12:00:00Z';
const NOW = ['--now', '2026-11-25'];
const ALICE = { name: 'Alice', email: 'alice@example.com' };

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return fixtureGitEnv(ALICE, { GIT_AUTHOR_DATE: COMMIT_DATE, GIT_COMMITTER_DATE: COMMIT_DATE, ...extra });
}

function git(cwd: string, ...args: string[]): string {
  return runFixtureGit(cwd, env(), args);
}

function runCli(cwd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: env(extraEnv) });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function edit(root: string, path: string, change: (text: string) => string): void {
  const file = join(root, path);
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  assert.notEqual(after, before, `edit of ${path} changed nothing`);
  writeFileSync(file, after);
}

describe('check for pull requests: --changed-since, --strict, --format github, owners (dist/cli.js)', function () {
  this.timeout(60_000);
  let scratch: string;
  let repo: string;

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'rbo-check-pr-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** A git repository holding a copy of the sample repo on main, with one invalid record already there. */
  beforeEach(function () {
    repo = join(scratch, this.currentTest!.title.replace(/\W+/g, '-').slice(0, 50));
    cpSync(sample, repo, { recursive: true });
    // Problems merged long ago must not be blamed on a pull request that did not touch them.
    edit(repo, 'incidents/INC-0012.yaml', (t) => t.replace('severity: SEV4', 'severity: SEV9'));
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'Sample operations repository');
    git(repo, 'checkout', '-q', '-b', 'feature');
  });

  it('--format github --changed-since reports only the branch\'s changed files (golden)', () => {
    edit(repo, 'incidents/INC-0005.yaml', (t) => t.replace('status: resolved', 'status: resolvd').replace('severity: SEV2', 'severity: SEV2\nduplicate_of: INC-0099'));
    appendFileSync(join(repo, 'kubernetes/crashloop-pod.md'), '\nSee [the node runbook](node-not-ready.md) and [old notes](../old/crashloop-notes.md).\n');
    git(repo, 'commit', '-q', '-am', 'Edit INC-0005 and a runbook');
    const { status, stdout, stderr } = runCli(repo, ['check', '--format', 'github', '--changed-since', 'main', ...NOW]);
    assert.equal(stderr, '');
    assert.equal(status, 1);
    assert.equal(stdout, [
      '::error file=incidents/INC-0005.yaml,line=3,col=9::Unknown status `resolvd`. Did you mean `resolved`? Use one of: triage, acknowledged, investigating, mitigated, resolved, closed, cancelled.',
      '::error file=incidents/INC-0005.yaml,line=5,col=15::`duplicate_of: INC-0099`: no incident record has that id. Did you mean INC-0009? Fix the id, or remove the field if the other record was deleted.',
      '::warning file=kubernetes/crashloop-pod.md,line=1::This runbook has no `owner`. Add `owner: "@org/team"` to its front matter (a --- block at the top) so changes to it, and its services\' incidents, are reviewed by the team that owns it.',
      '::error file=kubernetes/crashloop-pod.md,line=90,col=59::Link to ../old/crashloop-notes.md points to a file that does not exist (a runbook renamed or deleted?). Fix the path (relative to this file) or remove the link.',
      'Checked 2 files changed since main (of 15 runbooks and 12 incidents): 3 errors, 1 warning.',
      '',
    ].join('\n'));
    // The whole repository, by contrast, also has the old problem and the overdue reviews.
    const full = runCli(repo, ['check', '--format', 'github', ...NOW]);
    assert.equal(full.status, 1);
    assert.match(full.stdout, /^::error file=incidents\/INC-0012\.yaml,line=4,col=11::Unknown severity `SEV9`/m);
    assert.match(full.stdout, /^::warning file=database\/postgres-disk-full\.md,line=7::Review overdue by 58 days: last reviewed 2026-06-30, due 2026-09-28/m);
  });

  it('--changed-since on a branch with one modified file: that file only, from three git processes (none per file)', () => {
    edit(repo, 'incidents/INC-0003.yaml', (t) => t.replace(/^title: .*$/m, 'title: Edited on the branch'));
    git(repo, 'commit', '-q', '-am', 'Retitle INC-0003');
    const trace = join(scratch, `${Date.now()}-trace.json`);
    const json = runCli(repo, ['check', '--format', 'json', '--changed-since', 'main', ...NOW], { GIT_TRACE2_EVENT: trace });
    assert.equal(json.status, 0, json.stdout + json.stderr);
    const report = JSON.parse(json.stdout) as { changed: string[]; deleted: string[]; errors: number; files: unknown[] };
    assert.deepEqual([report.changed, report.deleted, report.errors, report.files], [['incidents/INC-0003.yaml'], [], 0, []]);
    const gitRuns = (file: string): (string | undefined)[] =>
      readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; argv?: string[] }).filter((e) => e.event === 'start').map((e) => e.argv?.[1]).sort();
    // The diff, and for the facts cache the blob ids of clean tracked files (ls-files, diff-files).
    assert.deepEqual(gitRuns(trace), ['diff', 'diff-files', 'ls-files']);
    const uncachedTrace = join(scratch, `${Date.now()}-uncached-trace.json`);
    const uncached = runCli(repo, ['check', '--format', 'json', '--changed-since', 'main', '--no-cache', ...NOW], { GIT_TRACE2_EVENT: uncachedTrace });
    assert.equal(uncached.stdout, json.stdout);
    assert.deepEqual(gitRuns(uncachedTrace), ['diff']);
    const text = runCli(repo, ['check', '--changed-since', 'main', ...NOW]);
    assert.equal(text.stdout, 'Checked 1 file changed since main (of 15 runbooks and 12 incidents): no problems.\n');
    // Uncommitted edits count too (the working tree is compared), so the check can run before committing.
    edit(repo, 'incidents/INC-0004.yaml', (t) => t.replace('mode: drill', 'mode: dril'));
    const dirty = runCli(repo, ['check', '--changed-since', 'main', ...NOW]);
    assert.equal(dirty.status, 1);
    assert.match(dirty.stdout, /^incidents\/INC-0004\.yaml:\d+:\d+: error: Unknown mode `dril`\. Did you mean `drill`\?/m);
  });

  it('reports unchanged files a deletion on the branch breaks', () => {
    git(repo, 'rm', '-q', 'kubernetes/checkout-api-smoke.md');
    git(repo, 'commit', '-q', '-m', 'Retire the smoke runbook');
    const { status, stdout } = runCli(repo, ['check', '--changed-since', 'main', ...NOW]);
    assert.equal(status, 1);
    const files = [...new Set(stdout.split('\n').filter((l) => /: (error|warning): /.test(l)).map((l) => l.split(':')[0]))];
    assert.deepEqual(files, ['incidents/INC-0001.yaml', 'incidents/INC-0005.yaml', 'incidents/INC-0010.yaml', 'kubernetes/checkout-api-rollback.md']);
    assert.match(stdout, /incidents\/INC-0005\.yaml:\d+:\d+: error: Runbook kubernetes\/checkout-api-smoke\.md does not exist/);
  });

  it('exit codes: 0 clean, 1 problems, 2 for usage and git errors', () => {
    assert.equal(runCli(repo, ['check', '--changed-since', 'main', ...NOW]).status, 0);
    assert.equal(runCli(repo, ['check', ...NOW]).status, 1);
    const unknownRef = runCli(repo, ['check', '--changed-since', 'origin/nope', ...NOW]);
    assert.equal(unknownRef.status, 2);
    assert.match(unknownRef.stderr, /--changed-since origin\/nope: git does not know origin\/nope here\. Fetch it first \(in GitHub Actions: actions\/checkout with fetch-depth: 0\)/);
    assert.equal(runCli(repo, ['check', '--changed-since']).status, 2);
    assert.equal(runCli(repo, ['check', '--now', 'tomorrow']).status, 2);
    assert.equal(runCli(repo, ['check', '--bogus']).status, 2);
    const outside = mkdtempSync(join(scratch, 'plain-'));
    const notRepo = runCli(outside, ['check', '--changed-since', 'main'], { GIT_CEILING_DIRECTORIES: dirname(outside) });
    assert.equal(notRepo.status, 2);
    assert.match(notRepo.stderr, /--changed-since needs a git repository/);
  });

  it('--strict fails on runbooks overdue for review, which are warnings otherwise', () => {
    edit(repo, 'incidents/INC-0012.yaml', (t) => t.replace('severity: SEV9', 'severity: SEV4'));
    edit(repo, 'database/postgres-disk-full.md', (t) => t.replace('## ', 'Checked in the review.\n\n## '));
    git(repo, 'commit', '-q', '-am', 'Fix INC-0012, touch a stale runbook');
    const lenient = runCli(repo, ['check', '--format', 'github', '--changed-since', 'main', ...NOW]);
    assert.equal(lenient.status, 0, lenient.stdout);
    assert.match(lenient.stdout, /^::warning file=database\/postgres-disk-full\.md,line=7::Review overdue by 58 days/m);
    const strict = runCli(repo, ['check', '--format', 'github', '--changed-since', 'main', '--strict', ...NOW]);
    assert.equal(strict.status, 1);
    assert.match(strict.stdout, /^::error file=database\/postgres-disk-full\.md,line=7::Review overdue by 58 days/m);
    // Reviewed today: nothing to say.
    edit(repo, 'database/postgres-disk-full.md', (t) => t.replace('last_reviewed: 2026-06-30', 'last_reviewed: 2026-11-25'));
    assert.equal(runCli(repo, ['check', '--changed-since', 'main', '--strict', ...NOW]).status, 0);
  });

  it('review dates from git: a runbook without last_reviewed goes stale from its last commit; a shallow clone says dates are unknown', () => {
    const old = env({ GIT_AUTHOR_DATE: '2026-01-05T10:00:00Z', GIT_COMMITTER_DATE: '2026-01-05T10:00:00Z' });
    const repoOld = join(scratch, 'old-history');
    mkdirSync(join(repoOld, 'ops'), { recursive: true });
    writeFileSync(join(repoOld, 'ops/restart.md'), '# Restart\n\n```sh\nsystemctl restart app\n```\n');
    for (const args of [['init', '-q', '-b', 'main'], ['add', '.'], ['commit', '-q', '-m', 'Old runbook']]) spawnSync('git', args, { cwd: repoOld, env: old });
    const stale = runCli(repoOld, ['check', '--format', 'github', ...NOW]);
    assert.equal(stale.status, 0);
    assert.match(stale.stdout, /^::warning file=ops\/restart\.md,line=1::Review overdue by 234 days: last changed 2026-01-05 \(git; no `last_reviewed` in its front matter\), due 2026-04-05\./m);

    const clone = join(scratch, 'shallow-clone');
    git(scratch, 'clone', '-q', '--depth', '1', `file://${repo}`, clone);
    const shallow = runCli(clone, ['check', '--format', 'github', ...NOW]);
    assert.equal(shallow.status, 1, 'the INC-0012 error, not the unknown dates');
    assert.equal(shallow.stderr, 'Review dates of 8 runbooks without `last_reviewed` are unknown: this is a shallow clone; fetch the full history (fetch-depth: 0) to see them.\n');
    assert.doesNotMatch(shallow.stdout, /line=1::Review overdue/);

    git(repo, 'commit', '-q', '--allow-empty', '-m', 'Branch commit');
    const pr = join(scratch, 'pr-clone');
    git(scratch, 'clone', '-q', '--depth', '1', '-b', 'feature', `file://${repo}`, pr);
    git(pr, 'fetch', '-q', '--depth', '1', 'origin', 'main:refs/remotes/origin/main');
    const cut = runCli(pr, ['check', '--changed-since', 'origin/main']);
    assert.equal(cut.status, 2);
    assert.match(cut.stderr, /origin\/main and HEAD have no common commit in this clone.*fetch-depth: 0/);
  });

  it('warns about runbooks without an owner only once the repository uses owners', () => {
    const plain = join(scratch, 'no-owners');
    mkdirSync(join(plain, 'ops'), { recursive: true });
    writeFileSync(join(plain, 'ops/restart.md'), '# Restart\n\n```sh\nsystemctl restart app\n```\n');
    writeFileSync(join(plain, 'ops/drain.md'), '# Drain\n\n```sh\nkubectl drain node-1\n```\n');
    assert.equal(runCli(plain, ['check', ...NOW]).stdout, 'Checked 2 runbooks and 0 incidents: no problems.\n');
    writeFileSync(join(plain, 'ops/restart.md'), '---\nowner: "@acme/app"\n---\n# Restart\n\n```sh\nsystemctl restart app\n```\n');
    assert.equal(runCli(plain, ['check', ...NOW]).stdout, [
      'ops/drain.md:1: warning: This runbook has no `owner`. Add `owner: "@org/team"` to its front matter (a --- block at the top) so changes to it, and its services\' incidents, are reviewed by the team that owns it.',
      'Checked 2 runbooks and 0 incidents: 0 errors, 1 warning.',
      '',
    ].join('\n'));
  });

  it('codeowners --write fills a marked block; check warns once the block is out of date', () => {
    mkdirSync(join(repo, '.github'));
    writeFileSync(join(repo, '.github/CODEOWNERS'), '# Hand-written rules stay.\n* @acme/sre\n');
    const printed = runCli(repo, ['codeowners']);
    assert.equal(printed.status, 0);
    assert.match(printed.stdout, /^\/kubernetes\/checkout-api-rollback\.md @acme\/payments$/m);
    assert.match(printed.stdout, /^\/incidents\/INC-0001\.yaml @acme\/data-platform @acme\/payments @acme\/fulfilment$/m);
    assert.match(printed.stderr, /^8 runbooks have no usable owner and are left out\.$/m);

    const written = runCli(repo, ['codeowners', '--write']);
    assert.equal(written.status, 0, written.stderr);
    assert.match(written.stdout, /^Updated \.github\/CODEOWNERS: 7 runbook and 11 incident rules/);
    const file = readFileSync(join(repo, '.github/CODEOWNERS'), 'utf8');
    assert.ok(file.startsWith('# Hand-written rules stay.\n* @acme/sre\n\n# BEGIN runbook-ops: generated'));
    assert.ok(file.endsWith('/incidents/INC-0012.yaml @acme/edge\n# END runbook-ops\n'));
    assert.equal(runCli(repo, ['codeowners', '--write']).stdout, '.github/CODEOWNERS is up to date (18 rules).\n');
    assert.doesNotMatch(runCli(repo, ['check', ...NOW]).stdout, /CODEOWNERS/);

    edit(repo, 'kubernetes/checkout-api-rollback.md', (t) => t.replace('owner: "@acme/payments"', 'owner: "@acme/checkout"'));
    const check = runCli(repo, ['check', '--format', 'github', '--changed-since', 'main', ...NOW]);
    assert.match(check.stdout, /^::warning file=\.github\/CODEOWNERS,line=4::The runbook-ops block is out of date with the runbooks' owners \(\d+ lines to add, \d+ to remove, e\.g\. "\/kubernetes\/checkout-api-rollback\.md @acme\/checkout"\)\. Run `runbook-ops codeowners --write` and commit the result\.$/m);
    runCli(repo, ['codeowners', '--write']);
    assert.match(readFileSync(join(repo, '.github/CODEOWNERS'), 'utf8'), /^\/incidents\/INC-0005\.yaml @acme\/checkout @acme\/payments$/m);
    assert.doesNotMatch(runCli(repo, ['check', '--changed-since', 'main', ...NOW]).stdout, /CODEOWNERS/);
  });
});
