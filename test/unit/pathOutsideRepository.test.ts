// Records arrive through pull requests: a path in `runbooks:`, `postmortem:` or a timeline `step:`
// that leaves the repository is an error, so nothing ever follows it out of the repo.
import { strict as assert } from 'node:assert';
import { escapesRepository, validateIncident } from '../../src/core/incident/incidentValidation';

const RECORD = [
  'id: INC-0001',
  'title: t',
  'status: triage',
  'severity: SEV3',
  'declared_at: 2026-11-20T10:00:00Z',
  'runbooks: [ok/fine.md, ../../etc/passwd, /etc/shadow, a/../../b.md, a/../b.md]',
  'postmortem: ../../outside.md',
  'timeline:',
  '  - { at: 2026-11-20T10:00:00Z, by: x, kind: action, text: ran, step: "../up.md#s" }',
  '',
].join('\n');

describe('paths outside the repository', () => {
  it('recognises paths that leave the repository', () => {
    for (const path of ['../x.md', '/etc/passwd', 'a/../../b', 'C:\\Windows\\x', '~/x', '..\\x', './../x']) assert.ok(escapesRepository(path), path);
    for (const path of ['x.md', 'a/b/c.md', 'a/../b.md', './a.md', 'a/./b', 'postmortems/INC-1.md']) assert.ok(!escapesRepository(path), path);
  });

  it('reports each one with its line, the field and how to fix it', () => {
    const problems = validateIncident('incidents/INC-0001.yaml', RECORD, { now: new Date('2026-11-25T00:00:00Z') }).problems.filter((p) => p.code === 'path-outside-repository');
    assert.deepEqual(
      problems.map((p) => [p.line, p.field, p.severity]),
      [
        [6, 'runbooks', 'error'],
        [6, 'runbooks', 'error'],
        [6, 'runbooks', 'error'],
        [7, 'postmortem', 'error'],
        [9, 'step', 'error'],
      ],
    );
    assert.match(problems[0].message, /Runbook \.\.\/\.\.\/etc\/passwd points outside the repository; use a path relative to the repository root without `\.\.`\./);
  });

  it('accepts a postmortem URL', () => {
    const record = RECORD.replace('postmortem: ../../outside.md', 'postmortem: https://wiki.example/../pm/INC-0001');
    const problems = validateIncident('incidents/INC-0001.yaml', record).problems.filter((p) => p.field === 'postmortem');
    assert.deepEqual(problems, []);
  });
});
