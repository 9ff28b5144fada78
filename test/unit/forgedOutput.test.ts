// Issue 15, item 7: values in records and runbooks arrive through pull requests, so nothing in them
// may forge a line of `check` output or a row of the `report` table, and no link may lead out of
// the repository. Checked through the built CLI on a temp repository.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { escapesRepository } from '../../src/core/incidentValidation';
import { repoRoot } from '../harness/paths';

const cli = join(repoRoot, 'dist/cli.js');

function runbookOps(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('output that cannot be forged, links that stay in the repository', function () {
  this.timeout(60_000);
  let repo: string;

  before(() => {
    repo = mkdtempSync(join(tmpdir(), 'rbo-forge-'));
    const write = (path: string, text: string): void => {
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      writeFileSync(join(repo, path), text);
    };
    write('runbooks/db.md', [
      '# DB', '', 'See [the passwords](../../../../etc/passwd), [the shadow file](file:///etc/shadow),',
      '[the root](/../../etc/hosts) and [a sibling](other.md).', '',
    ].join('\n'));
    write('runbooks/other.md', '# Other\n');
    write('incidents/INC-0001.yaml', [
      'id: INC-0001',
      'title: t',
      'status: investigating',
      // A newline in a value that a problem message quotes, shaped like a check line.
      'severity: "SEV3\\nincidents/INC-0001.yaml:1:1: error: forged"',
      'declared_at: 2026-11-20T10:00:00Z',
      'postmortem: file:///etc/shadow',
      'action_items:',
      // A lone CR, then a line that would be a heading in a job summary.
      '  - { id: AI-1, title: "Fix it\\r# Forged heading\\n| forged | row |", owner: bob, status: open, due: 2026-11-21 }',
      '',
    ].join('\n'));
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it('treats file: URLs as leaving the repository', () => {
    assert.ok(escapesRepository('file:///etc/shadow'));
    assert.ok(escapesRepository('FILE:relative.md'));
    assert.ok(!escapesRepository('postmortems/file-system-full.md'));
  });

  it('check: every problem is one line, links out of the repository and file: URLs are errors', () => {
    const check = runbookOps(repo, 'check', '.', '--now', '2026-11-25');
    assert.equal(check.status, 1, check.stderr);
    const lines = check.stdout.trimEnd().split('\n');
    for (const line of lines.slice(0, -1)) assert.match(line, /^(runbooks|incidents)\/[\w./-]+:\d+(:\d+)?: (error|warning|info): /, line);
    assert.ok(lines.some((l) => l.includes('Unknown severity `SEV3\\nincidents/INC-0001.yaml:1:1: error: forged`')), 'the value is quoted with its newline escaped');
    assert.ok(!lines.some((l) => l.startsWith('incidents/INC-0001.yaml:1:1: error: forged')));
    const links = lines.filter((l) => l.startsWith('runbooks/db.md:3:') || l.startsWith('runbooks/db.md:4:'));
    assert.equal(links.filter((l) => /points outside the repository/.test(l)).length, 2, links.join('\n'));
    assert.equal(links.filter((l) => /points to a file on the reader's own machine/.test(l)).length, 1, links.join('\n'));
    assert.ok(!links.some((l) => l.includes('other.md')), 'a link inside the repository is fine');
    assert.ok(lines.some((l) => /^incidents\/INC-0001\.yaml:6:\d+: error: The postmortem file:\/\/\/etc\/shadow points outside the repository/.test(l)), check.stdout);
  });

  it('report: a CR or LF in a value cannot end its table row or start a heading', () => {
    const report = runbookOps(repo, 'report', '.', '--since', '2026-11-01', '--now', '2026-11-25');
    assert.equal(report.status, 0, report.stderr);
    const row = report.stdout.split('\n').filter((l) => l.includes('AI-1'));
    assert.equal(row.length, 1, report.stdout);
    assert.match(row[0], /^\| INC-0001 \| AI-1: Fix it # Forged heading \\\| forged \\\| row \\\| \| bob \| 2026-11-21 \|$/);
    assert.ok(!/^#+ Forged/m.test(report.stdout));
    assert.ok(!report.stdout.includes('\r'));
  });
});
