import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { applyBaseline, normalisedMessage, parseBaseline, problemFingerprint, problemRule, renderBaseline } from '../../src/core/check/checkBaseline';
import { fixtureGitEnv, runFixtureGit } from '../harness/fixtureGit';

const repoRoot = resolve(__dirname, '../../..');
const cli = join(repoRoot, 'dist/cli.js');
const sample = join(repoRoot, 'runbooks');
const NOW = ['--now', '2026-11-25'];
const env = fixtureGitEnv({ name: 'Alice', email: 'alice@example.com' }, { GIT_AUTHOR_DATE: '2026-11-20T12:00:00Z', GIT_COMMITTER_DATE: '2026-11-20T12:00:00Z' });

function runCli(cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The `path:line: severity: message` lines of a text report. */
function problemLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => /^[^\s:]+:\d+(:\d+)?: (error|warning|info): /.test(l));
}

describe('check baseline (src/core/checkBaseline, check --baseline / --write-baseline)', function () {
  this.timeout(60_000);

  it('fingerprints a problem by rule and message without what moves: line numbers, days overdue', () => {
    const fence = (line: number) => ({ file: 'a.md', severity: 'error' as const, message: `Code fence \`\`\` opened on line ${line} is never closed, so Markdown reads the rest of the file as code.` });
    assert.equal(problemFingerprint(fence(12)), problemFingerprint(fence(22)));
    assert.equal(normalisedMessage(fence(12).message), 'Code fence ``` opened on line N is never closed, so Markdown reads the rest of the file as code.');
    const overdue = (days: number) => ({ file: 'a.md', severity: 'warning' as const, message: `Review overdue by ${days} days: last reviewed 2026-01-01, due 2026-07-01.` });
    assert.equal(problemFingerprint(overdue(3)), problemFingerprint(overdue(40)), 'a day later it is the same overdue review');
    const link = (target: string) => ({ file: 'a.md', severity: 'error' as const, message: `Link to ${target} points to a file that does not exist. Fix the path (relative to this file) or remove the link.` });
    assert.notEqual(problemFingerprint(link('b.md')), problemFingerprint(link('c.md')), 'the link target is the subject');
    assert.equal(problemRule(link('b.md')), 'link-to');
    assert.equal(problemRule({ message: '`duplicate_of: INC-9`: no incident record has that id.' }), 'duplicate-of');
    assert.equal(problemRule({ code: 'yaml-syntax', message: 'Anything' }), 'yaml-syntax');
    assert.match(problemFingerprint(link('b.md')), /^[0-9a-f]{16}$/);
  });

  it('renders a sorted, tab-separated file that parses back, and counts identical problems', () => {
    const same = { file: 'b.md', severity: 'error' as const, message: 'Link to x.md points to a file that does not exist.' };
    const text = renderBaseline([same, { file: 'a\tb.md', severity: 'warning', message: 'Two\nlines' }, same]);
    const rows = text.split('\n').filter((l) => l && !l.startsWith('#'));
    assert.equal(rows.length, 3);
    assert.ok(rows[0].startsWith('two-lines\ta\\tb.md\t'), `sorted by file, tab in a name escaped: ${rows[0]}`);
    assert.ok(rows[0].endsWith('\twarning: Two\\nlines'));
    const entries = parseBaseline(text);
    assert.equal(entries.length, 3);
    const outcome = applyBaseline([same, same, same, { file: 'a\tb.md', severity: 'warning', message: 'Two\nlines' }], entries);
    assert.equal(outcome.suppressed, 3);
    assert.equal(outcome.fresh.length, 1, 'a third identical problem in b.md is new');
    assert.deepEqual(outcome.stale, []);
    const fixed = applyBaseline([], entries, ['b.md']);
    assert.deepEqual(fixed.stale.map((e) => e.file), ['b.md', 'b.md'], 'only entries of the files checked are stale');
    assert.throws(() => parseBaseline('link-to\tb.md\tnot-a-fingerprint\tmessage'), /line 1 is not a baseline entry/);
  });

  it('round trip on a git repository: a new broken link fails, an old one does not, even 10 lines further down', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'rbo-baseline-'));
    try {
      const repo = join(scratch, 'repo');
      cpSync(sample, repo, { recursive: true });
      const runbook = join(repo, 'queue/dead-letter-queue.md');
      const original = readFileSync(runbook, 'utf8');
      writeFileSync(runbook, `${original}\nSee [the old dashboard](old-dashboard.md).\n`);
      runFixtureGit(repo, env, ['init', '-q', '-b', 'main']);
      runFixtureGit(repo, env, ['add', '.']);
      runFixtureGit(repo, env, ['commit', '-q', '-m', 'Runbooks with one known broken link']);

      const before = runCli(repo, ['check', ...NOW]);
      assert.equal(before.status, 1, before.stdout);
      assert.deepEqual(problemLines(before.stdout).filter((l) => l.includes('old-dashboard.md')).length, 1);

      const write = runCli(repo, ['check', ...NOW, '--write-baseline', 'check-baseline.txt']);
      assert.equal(write.status, 0, write.stderr);
      const baselineText = readFileSync(join(repo, 'check-baseline.txt'), 'utf8');
      const total = problemLines(before.stdout).length;
      assert.match(write.stdout, new RegExp(`^Wrote ${total} problems? to the baseline check-baseline\\.txt`, 'm'));
      assert.equal(parseBaseline(baselineText).length, total);
      assert.match(baselineText, /^link-to\tqueue\/dead-letter-queue\.md\t[0-9a-f]{16}\terror: Link to old-dashboard\.md points to a file that does not exist/m);
      assert.doesNotMatch(baselineText, /:\d+: /, 'no line numbers');

      const clean = runCli(repo, ['check', ...NOW, '--baseline', 'check-baseline.txt']);
      assert.equal(clean.status, 0, clean.stdout);
      assert.deepEqual(problemLines(clean.stdout), []);
      assert.match(clean.stdout, new RegExp(`^Checked .*: no new problems\\.\\nBaseline: ${total} known problems? in check-baseline\\.txt not shown\\.$`, 'm'));

      // The old link 10 lines further down, and a new broken link: only the new one is reported, and it fails.
      writeFileSync(runbook, `${original}\n${'Padding line.\n'.repeat(10)}\nSee [the old dashboard](old-dashboard.md).\nAnd [the new one](new-dashboard.md).\n`);
      const regressed = runCli(repo, ['check', ...NOW, '--baseline', 'check-baseline.txt']);
      assert.equal(regressed.status, 1, regressed.stdout);
      const lines = problemLines(regressed.stdout);
      assert.equal(lines.length, 1, lines.join('\n'));
      const newLine = original.split('\n').length + 13;
      assert.match(lines[0], new RegExp(`^queue/dead-letter-queue\\.md:${newLine}(:\\d+)?: error: Link to new-dashboard\\.md points to a file that does not exist`));
      assert.match(regressed.stdout, /^Checked .*: 1 error, 0 warnings not in the baseline\.$/m);

      // The old link fixed: the baseline says one entry is stale.
      writeFileSync(runbook, `${original}\nAnd [the new one](new-dashboard.md).\n`);
      const fixed = runCli(repo, ['check', ...NOW, '--baseline', 'check-baseline.txt', '--format', 'json']);
      const json = JSON.parse(fixed.stdout) as { errors: number; baseline: { suppressed: number; fixed: { file: string; message: string }[] } };
      assert.equal(json.errors, 1);
      assert.equal(json.baseline.suppressed, total - 1);
      assert.deepEqual(json.baseline.fixed.map((e) => e.file), ['queue/dead-letter-queue.md']);
      assert.match(json.baseline.fixed[0].message, /old-dashboard\.md/);
      const text = runCli(repo, ['check', ...NOW, '--baseline', 'check-baseline.txt']);
      assert.match(text.stdout, /^Baseline: \d+ known problems in check-baseline\.txt not shown; 1 of its entries is fixed \(run --write-baseline check-baseline\.txt to drop it\)\.$/m);

      const both = runCli(repo, ['check', '--baseline', 'a', '--write-baseline', 'b']);
      assert.equal(both.status, 2);
      assert.match(both.stderr, /not both/);
      const missing = runCli(repo, ['check', '--baseline', 'nope.txt']);
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /nope\.txt does not exist\. Write it first: runbook-ops check --write-baseline nope\.txt\./);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
