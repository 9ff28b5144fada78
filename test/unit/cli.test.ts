import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '../../..');
const cli = join(repoRoot, 'dist/cli.js');
const sample = join(repoRoot, 'runbooks');

function runCli(args: string[], cwd = repoRoot): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...markdownFiles(full));
    else if (name.endsWith('.md')) out.push(relative(sample, full));
  }
  return out;
}

describe('runbook-ops CLI (dist/cli.js)', () => {
  it('index --format json prints every sample runbook with its steps', () => {
    const { status, stdout, stderr } = runCli(['index', 'runbooks', '--format', 'json']);
    assert.equal(status, 0, stderr);
    const printed = JSON.parse(stdout) as { root: string; runbooks: { path: string; title: string; steps: { id: string; runnable: boolean }[] }[] };
    assert.equal(printed.root, sample);
    const expected = markdownFiles(sample).filter((p) => p !== 'README.md' && !p.startsWith('incidents/')).sort();
    assert.ok(expected.length >= 12, `sample repo should hold at least 12 runbooks, found ${expected.length}`);
    assert.deepEqual(printed.runbooks.map((r) => r.path), expected);
    for (const runbook of printed.runbooks) {
      assert.ok(runbook.title.length > 0, `${runbook.path} has a title`);
      assert.ok(runbook.steps.some((s) => s.runnable), `${runbook.path} has a runnable step`);
      assert.equal(new Set(runbook.steps.map((s) => s.id)).size, runbook.steps.length, `${runbook.path} step ids are unique`);
    }
  });

  it('index prints a readable text listing by default', () => {
    const { status, stdout } = runCli(['index', sample]);
    assert.equal(status, 0);
    assert.match(stdout, /^kubernetes\/checkout-api-rollback\.md {2}"Roll back checkout-api" {2}\[checkout-api\] {2}\d+ steps \(\d+ runnable\)$/m);
    assert.match(stdout, /^\s+L\d+\trun\tsh\trollback\t/m);
    assert.match(stdout, /^\d+ runbooks, \d+ steps$/m);
  });

  it('reports problems per file and does not follow symlinked folders out of the repository', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rbo-cli-'));
    try {
      mkdirSync(join(dir, 'db'));
      writeFileSync(join(dir, 'db/broken.md'), '# Broken\n```sh\necho never closed\n');
      writeFileSync(join(dir, 'db/bin.md'), Buffer.from([0, 1, 2, 3]));
      symlinkSync('/usr', join(dir, 'outside'));
      symlinkSync(dir, join(dir, 'loop'));
      const { status, stdout } = runCli(['index', dir, '--format', 'text']);
      assert.equal(status, 0);
      assert.match(stdout, /! db\/broken\.md:2: error: Code fence ``` opened on line 2 is never closed/);
      assert.match(stdout, /! db\/bin\.md:1: error: This file contains NUL bytes/);
      assert.match(stdout, /^2 runbooks, 1 steps$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('steps prints one runbook as the runner sees it, with the repository\'s destructive patterns', () => {
    const { status, stdout, stderr } = runCli(['steps', 'runbooks/database/postgres-replication-lag.md', '--format', 'json']);
    assert.equal(status, 0, stderr);
    const printed = JSON.parse(stdout) as { steps: { id: string; runnable: boolean; commands: string[]; reason?: string; placeholders: { tokens: string[] }[] }[] };
    const psql = printed.steps.find((s) => s.id === 'measure-the-lag')!;
    assert.equal(psql.runnable, false);
    assert.match(psql.reason ?? '', /another program/);
    const lag = printed.steps.find((s) => s.id === 'measure-the-lag-2')!;
    assert.deepEqual(lag.placeholders.map((p) => p.tokens), [['<replica-host>']]);
    const dir = mkdtempSync(join(tmpdir(), 'rbo-steps-'));
    try {
      writeFileSync(join(dir, '.runbook-ops.yaml'), "destructive_patterns: ['restart\\s+payments']\n");
      mkdirSync(join(dir, 'ops'));
      writeFileSync(join(dir, 'ops/restart.md'), '# Restart\n## Go\n```sh\nsystemctl restart payments\n```\n## Look\n```sh\nsystemctl status payments\n```\n');
      const text = runCli(['steps', join(dir, 'ops/restart.md')]);
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /^#go {2}Go {2}\(lines 3-5, sh; run, confirm\)$/m, 'the repository pattern applies');
      assert.match(text.stdout, /^#look {2}Look {2}\(lines 7-9, sh; run\)$/m);
      assert.match(text.stdout, /^ {2}\$ systemctl restart payments$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const missing = runCli(['steps', 'runbooks/nope.md']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /is not a file/);
  });

  it('exits 2 with a usage message on bad input', () => {
    const unknown = runCli(['frobnicate']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /Unknown command "frobnicate"/);
    const badFormat = runCli(['index', '--format', 'xml']);
    assert.equal(badFormat.status, 2);
    assert.match(badFormat.stderr, /--format must be text or json, not xml/);
    const missing = runCli(['index', '/nonexistent/ops']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /runbook-ops: \/nonexistent\/ops is not a directory/);
    const toString = runCli(['toString']);
    assert.equal(toString.status, 2, 'a name on Object.prototype is not a command');
    assert.match(toString.stderr, /Unknown command "toString"/);
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(runCli(['--version']).stdout.trim(), version);
  });

  it('parses each command’s own options (util.parseArgs): unknown ones, missing values and values given to flags are refused', () => {
    for (const [args, message] of [
      [['check', 'runbooks', '--strict=yes'], /^runbook-ops: --strict takes no value\.$/m],
      [['check', 'runbooks', '--fix'], /^runbook-ops: Unknown option --fix\.$/m],
      [['check', 'runbooks', '-x'], /^runbook-ops: Unknown option --x\.$/m],
      [['report', 'runbooks', '--since'], /^runbook-ops: --since needs a value\.$/m],
      [['check', 'runbooks', '--by', 'ana'], /^runbook-ops: Unknown option --by\.$/m],
    ] as const) {
      const result = runCli([...args]);
      assert.equal(result.status, 2, args.join(' '));
      assert.match(result.stderr, message, args.join(' '));
      assert.match(result.stderr, /^Usage: runbook-ops <command>/m, 'with the usage text');
    }
    // `--format=json` and `--format json` are the same; after `--` an option-like word is a positional.
    const inline = runCli(['index', 'runbooks', '--format=json', '--no-cache']);
    assert.equal(inline.status, 0, inline.stderr);
    assert.equal((JSON.parse(inline.stdout) as { root: string }).root, sample);
    const positional = runCli(['index', '--', '--format']);
    assert.equal(positional.status, 2);
    assert.match(positional.stderr, /--format is not a directory/);
  });
});
