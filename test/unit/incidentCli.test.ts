import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '../../..');
const cli = join(repoRoot, 'dist/cli.js');
const fixtures = join(repoRoot, 'test/unit/fixtures/incidents');
const invalidRepo = 'test/unit/fixtures/incidents/invalid-repo';
const updateGolden = process.env.UPDATE_GOLDEN === '1';
/** Review dates (front matter and git) are judged on this day, so the outputs never depend on the clock. */
const FIXED_NOW = ['--now', '2026-12-01'];

function runCli(args: string[], cwd = repoRoot): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('runbook-ops check / new incident / update (dist/cli.js)', () => {
  it('check passes on the sample repository', () => {
    const { status, stdout, stderr } = runCli(['check', 'runbooks', ...FIXED_NOW]);
    assert.equal(status, 0, stdout + stderr);
    assert.match(stdout, /^Checked 1\d runbooks and 12 incidents: 0 errors, \d+ warnings\.$/m);
  });

  it('check --format github annotates every problem of the invalid fixtures (golden)', () => {
    const { status, stdout } = runCli(['check', invalidRepo, '--format', 'github', ...FIXED_NOW]);
    assert.equal(status, 1);
    const golden = join(fixtures, 'check-github.golden.txt');
    if (updateGolden || !existsSync(golden)) writeFileSync(golden, stdout);
    assert.equal(stdout, readFileSync(golden, 'utf8'));
    assert.match(stdout, /^::error file=test\/unit\/fixtures\/incidents\/invalid-repo\/incidents\/INC-0209\.yaml,line=3,col=1::Unresolved merge conflict/m);
    assert.match(stdout, /^::warning file=[^,]+INC-0203\.yaml,line=9,col=15::`mitigated_at: 2099-01-01T00:00:00Z` is in the future/m);
  });

  it('check prints file:line:col in text and structured problems in json', () => {
    const text = runCli(['check', invalidRepo, ...FIXED_NOW]);
    assert.equal(text.status, 1);
    assert.match(text.stdout, /^test\/unit\/fixtures\/incidents\/invalid-repo\/incidents\/INC-0202\.yaml:3:9: error: Unknown status `Mitigate`\. Did you mean `mitigated`\?/m);
    assert.match(text.stdout, /^Checked 1 runbook and 14 incidents: 39 errors, 13 warnings\.$/m);
    const json = runCli(['check', invalidRepo, '--format', 'json', ...FIXED_NOW]);
    assert.equal(json.status, 1);
    const report = JSON.parse(json.stdout) as { errors: number; warnings: number; files: { path: string; kind: string; problems: { line: number; column?: number; endColumn?: number; message: string }[] }[] };
    assert.equal(report.errors, 39);
    assert.equal(report.warnings, 13);
    const dup = report.files.filter((f) => f.problems.some((p) => /Incident id INC-0206 is also used/.test(p.message))).map((f) => f.path);
    assert.deepEqual(dup, ['incidents/INC-0206.yaml', 'incidents/archive/INC-0206.yaml']);
    const status = report.files.find((f) => f.path === 'incidents/INC-0202.yaml')!.problems[0];
    assert.deepEqual([status.line, status.column, status.endColumn], [3, 9, 17]);
  });

  it('check exits 2 on usage and I/O errors', () => {
    const badFormat = runCli(['check', 'runbooks', '--format', 'xml']);
    assert.equal(badFormat.status, 2);
    assert.match(badFormat.stderr, /--format must be text, json or github, not xml/);
    const missing = runCli(['check', '/nonexistent/ops']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /\/nonexistent\/ops is not a directory/);
    assert.equal(runCli(['check', 'runbooks', '--bogus']).status, 2);
  });

  describe('in a scratch copy of a repository', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'rbo-incident-cli-'));
      cpSync(join(fixtures, 'valid-repo'), dir, { recursive: true });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('new incident writes the next id from the repo config', () => {
      const created = runCli(['new', 'incident', '--dir', dir, '--title', 'Payments: card auth failing', '--severity', 'P2', '--service', 'payments', '--service', 'checkout-api', '--by', 'erin', '--at', '2026-11-25T20:00:00Z']);
      assert.equal(created.status, 0, created.stderr);
      assert.match(created.stdout, /Created .*incidents\/INC-2026-4\.yaml \(INC-2026-4\)/);
      assert.equal(readFileSync(join(dir, 'incidents/INC-2026-4.yaml'), 'utf8'), [
        'id: INC-2026-4',
        'title: "Payments: card auth failing"',
        'status: triage',
        'severity: P2',
        'mode: standard',
        'services: [payments, checkout-api]',
        'declared_at: 2026-11-25T20:00:00Z',
        'timeline:',
        '  - at: 2026-11-25T20:00:00Z',
        '    by: erin',
        '    kind: note',
        '    text: Declared P2',
        '',
      ].join('\n'));
      assert.equal(runCli(['check', dir]).status, 0);
      const bad = runCli(['new', 'incident', '--dir', dir, '--title', 'x', '--severity', 'p2']);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /Unknown severity `p2`\. Did you mean `P2`\?/);
      assert.equal(runCli(['new', 'incident', '--dir', dir, '--severity', 'P2']).status, 2);
    });

    it('update changes the status with the same edit functions, and refuses what it must', () => {
      const file = join(dir, 'incidents/INC-2026-2.yaml');
      const before = readFileSync(file, 'utf8');
      const ack = runCli(['update', 'INC-2026-2', '--dir', dir, '--status', 'acknowledged', '--note', 'On it', '--by', 'hana', '--at', '2026-11-25T20:10:00Z']);
      assert.equal(ack.status, 0, ack.stderr);
      assert.equal(ack.stdout.trim(), 'INC-2026-2: triage → acknowledged, commander hana');
      assert.equal(ack.stderr, '', 'the commander was named with --by: nothing to warn about');
      assert.equal(readFileSync(file, 'utf8'), before.replace('status: triage', 'status: acknowledged').replace('severity: P3\n', 'severity: P3\ncommander: hana\n')
        + 'acknowledged_at: 2026-11-25T20:10:00Z\ntimeline:\n  - at: 2026-11-25T20:10:00Z\n    by: hana\n    kind: status\n    from: triage\n    to: acknowledged\n    text: On it\n');
      const note = runCli(['update', 'INC-2026-2', '--dir', dir, '--note', 'Renewal stuck on HTTP-01', '--by', 'hana', '--at', '2026-11-25T20:20:00Z']);
      assert.equal(note.stdout.trim(), 'INC-2026-2: note added');
      assert.match(readFileSync(file, 'utf8'), /kind: note\n {4}text: Renewal stuck on HTTP-01\n$/);
      assert.equal(runCli(['check', dir]).status, 0);

      const again = runCli(['update', 'INC-2026-2', '--dir', dir, '--status', 'acknowledged']);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /INC-2026-2: The incident is already acknowledged\./);
      const unknown = runCli(['update', 'INC-2026-2', '--dir', dir, '--status', 'fixed']);
      assert.equal(unknown.status, 1);
      assert.match(unknown.stderr, /Unknown status `fixed`/);
      assert.equal(runCli(['update', 'INC-2099-1', '--dir', dir, '--note', 'x']).status, 2);
      assert.equal(runCli(['update', 'INC-2026-2', '--dir', dir]).status, 2);
    });

    it('update reopens a mitigated incident with a reason, and refuses a reopen without one', () => {
      const file = join(dir, 'incidents/INC-2026-2.yaml');
      const step = (args: string[]): { status: number | null; stdout: string; stderr: string } => runCli(['update', 'INC-2026-2', '--dir', dir, '--by', 'hana', ...args]);
      assert.equal(step(['--status', 'mitigated', '--at', '2026-11-25T20:10:00Z']).status, 0);
      const mitigated = readFileSync(file, 'utf8');
      assert.match(mitigated, /^mitigated_at: 2026-11-25T20:10:00Z$/m);

      const bare = step(['--status', 'investigating', '--at', '2026-11-25T21:00:00Z']);
      assert.equal(bare.status, 1);
      assert.match(bare.stderr, /^runbook-ops: INC-2026-2: Reopening the incident \(mitigated → investigating\) needs a reason: say in the note what came back\.\n$/);
      assert.equal(readFileSync(file, 'utf8'), mitigated, 'nothing was written');
      const back = step(['--status', 'acknowledged', '--note', 'x']);
      assert.equal(back.status, 1);
      assert.match(back.stderr, /To reopen the incident, move it to investigating with a note saying why\./);

      const reopened = step(['--status', 'investigating', '--note', 'Renewal failed again', '--at', '2026-11-25T21:00:00Z']);
      assert.equal(reopened.status, 0, reopened.stderr);
      assert.equal(reopened.stdout.trim(), 'INC-2026-2: mitigated → investigating (reopened)');
      const text = readFileSync(file, 'utf8');
      assert.match(text, /^status: investigating$/m);
      assert.doesNotMatch(text, /^mitigated_at:/m);
      assert.ok(text.endsWith('  - at: 2026-11-25T21:00:00Z\n    by: hana\n    kind: status\n    from: mitigated\n    to: investigating\n    text: "Reopened: Renewal failed again (was mitigated_at 2026-11-25T20:10:00Z)"\n'), text);
      assert.equal(runCli(['check', dir]).status, 0, 'the reopened record passes check');
    });

    it('update finds a record whatever the case of the id, and names the author it made commander', () => {
      const git = spawnSync('git', ['init', '-q', dir], { encoding: 'utf8' });
      assert.equal(git.status, 0, git.stderr);
      spawnSync('git', ['-C', dir, 'config', 'user.name', 'Payments Team']);
      const lower = runCli(['update', 'inc-2026-2', '--dir', dir, '--status', 'acknowledged', '--at', '2026-11-25T20:10:00Z']);
      assert.equal(lower.status, 0, lower.stderr);
      assert.equal(lower.stdout.trim(), 'INC-2026-2: triage → acknowledged, commander Payments Team');
      assert.equal(lower.stderr, 'runbook-ops: INC-2026-2: the commander is Payments Team, the author (git config user.name, else the login name). If someone else runs the incident, name them: runbook-ops update INC-2026-2 --commander <name>.\n');
      const named = runCli(['update', 'Inc-2026-2', '--dir', dir, '--commander', 'hana']);
      assert.equal(named.status, 0, named.stderr);
      assert.equal(named.stdout.trim(), 'INC-2026-2: commander hana');
      assert.match(readFileSync(join(dir, 'incidents/INC-2026-2.yaml'), 'utf8'), /^commander: hana$/m);
    });
  });

  it('every subcommand answers --help with its own usage, exit 0', () => {
    for (const [args, usage] of [
      [['update', '--help'], /^Usage: runbook-ops update <id> \[--status <status>\]/],
      [['update', 'INC-1', '-h'], /^Usage: runbook-ops update <id>/],
      [['check', '--help'], /^Usage: runbook-ops check \[dir\] \[--format text\|json\|github\]/],
      [['new', 'incident', '--help'], /^Usage: runbook-ops new incident --title <text>/],
      [['index', '--help'], /^Usage: runbook-ops index \[dir\]/],
      [['report', '-h'], /^Usage: runbook-ops report/],
      [['steps', '--help'], /^Usage: runbook-ops steps <file>/],
      [['codeowners', '--help'], /^Usage: runbook-ops codeowners/],
      [['install-merge-driver', '--help'], /^Usage: runbook-ops install-merge-driver/],
    ] as const) {
      const result = runCli([...args]);
      assert.equal(result.status, 0, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stdout, usage, args.join(' '));
      assert.match(result.stdout, /^ {2}--by <name> /m, 'with the shared options');
      assert.doesNotMatch(result.stdout, /^Commands:/m, 'only that command');
      assert.equal(result.stderr, '');
    }
    // A note that says --help is a note: update then needs a record, which is not there.
    const note = runCli(['update', 'INC-2099-1', '--dir', 'runbooks', '--note', '--help']);
    assert.equal(note.status, 2);
    assert.match(note.stderr, /No incident record INC-2099-1/);
  });
});
