// Issue 15, item 7: output that cannot be forged, links that cannot leave the repository, and notes
// longer than a command line. Record text is printed where lines mean something (`check`'s
// `path:line:col: error:` lines for problem matchers, `report`'s Markdown tables in a job summary);
// a line break or control character in a value must not end the line and start a forged one.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { listRepositoryFiles } from '../../src/fs/repositoryFiles';
import { RepositoryFileSet, Rulebook } from '../../src/core/check/rulebook';
import { findLinks } from '../../src/core/check/runbookLinks';
import { escapesRepository, validateIncident } from '../../src/core/incident/incidentValidation';
import { buildOpsReport, renderOpsReportMarkdown, reportIncidentFromRecord } from '../../src/core/metrics/report';
import { markdownCell, oneLine } from '../../src/core/text/textOutput';

const repoRoot = resolve(__dirname, '../../..');
const cli = join(repoRoot, 'dist/cli.js');

function runCli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: repoRoot, encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('output that cannot be forged (issue 15, item 7)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rbo-forged-'));
    mkdirSync(join(dir, 'incidents'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('oneLine and markdownCell leave no line break or control character', () => {
    assert.equal(oneLine('a\nb\rc\td\u0007e\u2028f\u0085g'), 'a\\nb\\rc\\td\\u0007e\\u2028f\\u0085g');
    assert.equal(markdownCell('a\rb\r\nc\nd|e\u0000f\u2029g'), 'a b c d\\|e\\u0000f g');
    assert.equal(oneLine('plain `text` stays'), 'plain `text` stays');
  });

  it('report: a lone CR in an action item title stays inside its table row', () => {
    const record = {
      id: 'INC-1', mode: 'standard', severity: 'SEV2', services: ['api'], declared_at: '2026-11-20T10:00:00Z',
      action_items: [{ id: 'AI-1', title: 'Rotate the key\r## Forged heading\n| x | y |', owner: 'bob\rmallory', status: 'open', due: '2026-11-21' }],
    };
    const report = buildOpsReport([reportIncidentFromRecord('incidents/INC-1.yaml', record)], [], { since: new Date('2026-11-01T00:00:00Z'), now: new Date('2026-11-25T00:00:00Z') });
    const markdown = renderOpsReportMarkdown(report);
    assert.ok(!markdown.includes('\r'), 'no CR anywhere');
    assert.doesNotMatch(markdown, /^## Forged heading/m);
    assert.match(markdown, /^\| INC-1 \| AI-1: Rotate the key ## Forged heading \\\| x \\\| y \\\| \| bob mallory \| 2026-11-21 \|$/m);
  });

  it('check (text): a line break in a value cannot forge a path:line:col: error: line', () => {
    writeFileSync(join(dir, 'incidents', 'INC-0001.yaml'), [
      'id: INC-0001', 'title: t', 'status: "Mitigate\\nincidents/INC-9999.yaml:1:1: error: forged\\r\\u0007"', 'severity: SEV2', 'declared_at: 2026-11-20T10:00:00Z', '',
    ].join('\n'));
    const { status, stdout } = runCli(['check', dir, '--now', '2026-12-01']);
    assert.equal(status, 1);
    assert.doesNotMatch(stdout, /^incidents\/INC-9999\.yaml/m, stdout);
    const problems = stdout.split('\n').filter((l) => /^\S+:\d+(:\d+)?: (error|warning|info):/.test(l));
    assert.ok(problems.every((l) => l.startsWith('incidents/INC-0001.yaml:') || l.includes('INC-0001')), stdout);
    assert.match(stdout, /Unknown status `Mitigate\\nincidents\/INC-9999\.yaml:1:1: error: forged\\r\\u0007`/);
  });

  it('runbook links and record paths that leave the repository are errors: .. chains, absolute paths, file: URLs', () => {
    mkdirSync(join(dir, 'runbooks'));
    writeFileSync(join(dir, 'runbooks', 'a.md'), '# A\n\nSee [passwd](../../../../etc/passwd), [root](/../../etc/hosts), [shadow](file:///etc/shadow) and [fine](a.md).\n');
    const rulebook = new Rulebook({ files: new RepositoryFileSet(listRepositoryFiles(dir)), sites: [], runbookOf: () => undefined, ownershipAdopted: false, incidents: [], postmortemFolder: 'postmortems/' });
    const problems = rulebook.linkProblems('runbooks/a.md', findLinks(readFileSync(join(dir, 'runbooks', 'a.md'), 'utf8')));
    assert.deepEqual(problems.map((p) => [p.line, p.severity]), [[3, 'error'], [3, 'error'], [3, 'error']]);
    assert.match(problems[0].message, /^Link to \.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd points outside the repository\./);
    assert.match(problems[1].message, /^Link to \/\.\.\/\.\.\/etc\/hosts points outside the repository\./);
    assert.match(problems[2].message, /^Link to file:\/\/\/etc\/shadow points outside the repository \(a file: URL is a file on the reader's machine\)/);

    assert.ok(escapesRepository('file:///etc/shadow'));
    assert.ok(escapesRepository('FILE:/etc/shadow'));
    const record = ['id: INC-0001', 'title: t', 'status: triage', 'severity: SEV3', 'declared_at: 2026-11-20T10:00:00Z', 'runbooks: ["file:///etc/passwd"]', 'postmortem: file:///etc/shadow', ''].join('\n');
    const outside = validateIncident('incidents/INC-0001.yaml', record).problems.filter((p) => p.code === 'path-outside-repository');
    assert.deepEqual(outside.map((p) => p.field), ['runbooks', 'postmortem']);
    // A web address is still a fine postmortem.
    assert.deepEqual(validateIncident('incidents/INC-0001.yaml', record.replace('file:///etc/shadow', 'https://wiki.example/pm/1')).problems.filter((p) => p.field === 'postmortem'), []);
  });

  it('update --note-file takes a note longer than a command line allows, from a file or standard input', () => {
    writeFileSync(join(dir, 'incidents', 'INC-0001.yaml'), ['id: INC-0001', 'title: t', 'status: triage', 'severity: SEV3', 'declared_at: 2026-11-20T10:00:00Z', ''].join('\n'));
    const long = `${'The queue depth graph, line by line: '.repeat(5_000)}\nsecond line`;
    assert.ok(Buffer.byteLength(long) > 128 * 1024);
    writeFileSync(join(dir, 'note.txt'), `${long}\n`);
    const fromFile = runCli(['update', 'INC-0001', '--dir', dir, '--note-file', join(dir, 'note.txt'), '--by', 'tester', '--at', '2026-11-20T10:05:00Z']);
    assert.equal(fromFile.status, 0, fromFile.stderr);
    const fromStdin = runCli(['update', 'INC-0001', '--dir', dir, '--note-file', '-', '--by', 'tester', '--at', '2026-11-20T10:06:00Z'], 'from standard input\n');
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    const record = parse(readFileSync(join(dir, 'incidents', 'INC-0001.yaml'), 'utf8')) as { timeline: { text: string }[] };
    assert.deepEqual(record.timeline.map((e) => e.text), [long, 'from standard input']);
    assert.equal(runCli(['check', dir, '--now', '2026-12-01']).status, 0);

    const both = runCli(['update', 'INC-0001', '--dir', dir, '--note', 'x', '--note-file', '-']);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /Give the note with --note or with --note-file, not both\./);
    const missing = runCli(['update', 'INC-0001', '--dir', dir, '--note-file', join(dir, 'nope.txt')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /Could not read the note from .*nope\.txt: ENOENT.*Nothing was written\./);
  });
});
