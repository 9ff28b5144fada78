import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as model from '../../src/core/incident/incident';
import { parseTimestamp } from '../../src/core/incident/incident';
import { closestKnownName } from '../../src/core/text/nameDistance';
import { findDuplicateIncidentIds, validateIncident, type IncidentProblem, type IncidentValidationContext } from '../../src/core/incident/incidentValidation';
import { parseRepoConfig } from '../../src/core/config/repoConfig';
import { parseRunbook } from '../../src/core/runbook/runbook';

const repoRoot = resolve(__dirname, '../../..');
const fixtures = join(repoRoot, 'test/unit/fixtures/incidents');
const now = new Date('2026-11-25T21:00:00Z');

function filesUnder(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...filesUnder(root, full));
    else out.push(relative(root, full).split('\\').join('/'));
  }
  return out.sort();
}

/** What `runbook-ops check` gives the validator for a repository: config, runbook paths and step ids. */
function repositoryContext(root: string): IncidentValidationContext {
  const configFile = join(root, '.runbook-ops.yaml');
  const config = parseRepoConfig(statSync(configFile, { throwIfNoEntry: false }) ? readFileSync(configFile) : undefined).config;
  const runbooks = filesUnder(root).filter((p) => p.endsWith('.md') && p !== 'README.md' && !p.startsWith('incidents/'));
  const runbookStepIds = new Map(runbooks.map((p) => [p, new Set(parseRunbook(p, readFileSync(join(root, p))).steps.map((s) => s.id))] as const));
  return { config, runbookPaths: new Set(runbooks), runbookStepIds, now };
}

function incidentFiles(root: string): string[] {
  return filesUnder(root).filter((p) => /(^|\/)incidents\/.*\.ya?ml$/.test(p));
}

type Expected = [line: number, column: number, severity: IncidentProblem['severity'], code: IncidentProblem['code'], message: string];

/** Every problem of every invalid fixture: exact position, severity, code and a telling part of the message. */
const INVALID: Record<string, Expected[]> = {
  'incidents/INC-0201.yaml': [
    [2, 1, 'error', 'missing-field', 'Missing required field `declared_at`. Add `declared_at:`'],
    [3, 1, 'warning', 'misspelled-field', 'Unknown field `titel` in an incident record: did you mean `title`?'],
    [3, 1, 'error', 'missing-field', 'Missing required field `title` (`titel` looks like a misspelling of it)'],
    [4, 1, 'error', 'missing-field', '`status` is empty. Add `status: triage`'],
    [5, 1, 'warning', 'misspelled-field', 'did you mean `severity`?'],
    [5, 1, 'error', 'missing-field', 'Missing required field `severity` (`severty` looks like a misspelling of it). Add `severity:` with one of SEV1, SEV2, SEV3, SEV4.'],
    [6, 1, 'warning', 'misspelled-field', 'did you mean `commander`?'],
    [7, 1, 'warning', 'misspelled-field', 'did you mean `summary`?'],
  ],
  'incidents/INC-0202.yaml': [
    [3, 9, 'error', 'unknown-status', 'Unknown status `Mitigate`. Did you mean `mitigated`?'],
    [4, 11, 'error', 'unknown-severity', 'Unknown severity `sev2`. Did you mean `SEV2`?'],
    [5, 7, 'error', 'unknown-mode', 'Unknown mode `practice`. Use one of: standard, drill, retrospective'],
    [12, 11, 'error', 'unknown-kind', 'Unknown timeline kind `notes`. Did you mean `note`?'],
    [18, 9, 'error', 'unknown-status', 'Unknown status `acknowleged` in `to`. Did you mean `acknowledged`?'],
    [22, 13, 'error', 'unknown-action-item-status', 'Unknown action item status `finished`. Use one of: open, in_progress, done, wont_do.'],
    [23, 10, 'error', 'bad-timestamp', '`due: next week` is not a date. Write it as YYYY-MM-DD'],
  ],
  'incidents/INC-0203.yaml': [
    [5, 13, 'error', 'bad-timestamp', '`started_at: 2026-11-20 09:00` has no time zone, so the instant is ambiguous. Add Z for UTC (2026-11-20T09:00:00Z)'],
    [6, 14, 'error', 'bad-timestamp', '`detected_at: 2026-11-20` is a date without a time.'],
    [8, 18, 'error', 'bad-timestamp', '`acknowledged_at: 2026-02-30T10:00:00Z` is not an RFC 3339 timestamp.'],
    [9, 15, 'warning', 'future-timestamp', '`mitigated_at: 2099-01-01T00:00:00Z` is in the future.'],
    [9, 15, 'warning', 'timestamp-after-status', '`mitigated_at` is set but the status is still `triage`.'],
    [10, 14, 'error', 'timestamp-order', '`resolved_at` (2026-11-19T10:00:00Z) is before `mitigated_at` (2099-01-01T00:00:00Z).'],
    [10, 14, 'warning', 'timestamp-after-status', '`resolved_at` is set but the status is still `triage`.'],
  ],
  'incidents/INC-0204.yaml': [
    [3, 9, 'error', 'missing-commander', 'Status is `resolved` but no `commander` is set. Add `commander: <name>`'],
    [3, 9, 'error', 'missing-status-timestamp', 'Status is `resolved` but `mitigated_at` is not set (the record is resolved, so it went through mitigated). Add `mitigated_at:`'],
    [3, 9, 'error', 'missing-status-timestamp', 'Status is `resolved` but `resolved_at` is not set. Add `resolved_at:`'],
    [7, 12, 'warning', 'timestamp-after-status', '`closed_at` is set but the status is still `resolved`.'],
  ],
  'incidents/INC-0205.yaml': [
    [1, 5, 'error', 'id-file-name', 'The id INC-0299 does not match the file name INC-0205.yaml: a record\'s file is named after its id. Rename the file to INC-0299.yaml or set `id: INC-0205`.'],
  ],
  'incidents/INC-0206.yaml': [
    [1, 5, 'error', 'duplicate-id', 'Incident id INC-0206 is also used by incidents/archive/INC-0206.yaml.'],
    [8, 37, 'error', 'missing-runbook', 'Runbook runbooks/db/fail-over.md does not exist. Did you mean runbooks/db/failover.md?'],
    [8, 63, 'error', 'missing-runbook', 'Runbook runbooks/k8s/rollback.md does not exist. Paths are relative to the repository root'],
    [14, 9, 'error', 'unsorted-timeline', 'This entry (2026-11-20T10:08:00Z) is earlier than the entry before it (2026-11-20T10:10:00Z).'],
    [17, 11, 'warning', 'missing-step', 'Runbook runbooks/db/failover.md has no step `fail-over` (renamed since?). Did you mean `failover`?'],
    [19, 16, 'error', 'wrong-type', '`exit_code` should be a whole number, not text.'],
    [20, 5, 'warning', 'missing-field', 'This timeline entry has no `by`.'],
    [20, 9, 'error', 'unsorted-timeline', 'This entry (2026-11-20T10:09:00Z) is earlier than the entry before it (2026-11-20T10:10:00Z).'],
    [22, 11, 'warning', 'missing-runbook', 'Runbook runbooks/gone.md of this step does not exist'],
    [23, 5, 'warning', 'missing-field', 'This timeline entry has no `text`.'],
  ],
  'incidents/INC-0207.yaml': [
    [4, 1, 'error', 'yaml-syntax', 'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ].'],
  ],
  'incidents/INC-0208.yaml': [
    [5, 1, 'error', 'duplicate-key', 'This key appears twice in the same mapping'],
  ],
  'incidents/INC-0209.yaml': [
    [3, 1, 'error', 'merge-conflict', 'Unresolved merge conflict (lines 3–7). Keep the lines you want from each side and delete the <<<<<<<, ======= and >>>>>>> marker lines.'],
  ],
  'incidents/INC-0210.yaml': [
    [1, 1, 'error', 'not-a-mapping', 'An incident record must be a YAML mapping of fields (id: …, title: …, status: …), but this file is a list.'],
  ],
  'incidents/INC-0211.yaml': [
    [1, 1, 'error', 'not-a-mapping', 'but this file is a single value.'],
  ],
  'incidents/INC-0212.yaml': [
    [2, 8, 'error', 'alias-limit', 'it looks like an alias bomb. Incident records never need aliases'],
  ],
  'incidents/INC-0213.yaml': [
    [5, 12, 'error', 'wrong-type', '`commander` should be one person\'s name, not a list.'],
    [6, 8, 'error', 'wrong-type', '`roles` should be a mapping of role to person'],
    [7, 11, 'warning', 'wrong-type', '`services` should be a list of service names, e.g. [checkout-api]; write [checkout-api].'],
    [10, 11, 'error', 'wrong-type', '`timeline` should be a list of entries'],
    [14, 5, 'error', 'missing-field', 'This action item has no `title`.'],
    [14, 9, 'error', 'duplicate-action-item', 'Action item id AI-1 is used twice in this record'],
    [16, 5, 'error', 'wrong-type', 'Each action item should be a mapping (id:, title:, owner:, status:, due:), not text.'],
    [18, 5, 'error', 'missing-field', 'This link has no `url`.'],
  ],
  'incidents/archive/INC-0206.yaml': [
    [1, 5, 'error', 'duplicate-id', 'Incident id INC-0206 is also used by incidents/INC-0206.yaml.'],
  ],
};

function validateRepository(root: string, context: IncidentValidationContext): Map<string, IncidentProblem[]> {
  const validations = incidentFiles(root).map((p) => validateIncident(p, readFileSync(join(root, p)), context));
  const duplicates = findDuplicateIncidentIds(validations);
  return new Map(validations.map((v) => [v.path, [...(duplicates.get(v.path) ?? []), ...v.problems].sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0))]));
}

describe('incident validation', () => {
  it('finds nothing wrong in the valid fixtures (custom severities, offsets, unknown fields, cancelled)', () => {
    const root = join(fixtures, 'valid-repo');
    const results = validateRepository(root, repositoryContext(root));
    assert.equal(results.size, 3);
    for (const [path, problems] of results) assert.deepEqual(problems, [], path);
  });

  it('finds nothing wrong in the sample repository', () => {
    const root = join(repoRoot, 'runbooks');
    const results = validateRepository(root, repositoryContext(root));
    assert.ok(results.size >= 12);
    for (const [path, problems] of results) assert.deepEqual(problems, [], path);
  });

  it('warns when a # cuts a free-text value short, with the whole value quoted as the fix, on every parse path', () => {
    const head = 'id: INC-0050\ntitle: Edge alerts #2 of the week   # the second one\nstatus: triage\nseverity: SEV4\ndeclared_at: 2026-11-25T19:33:00Z\n';
    const body = [
      'impact: "none yet"  # a comment after a quoted value is deliberate',
      'summary: |',
      '  Block text # is text here',
      'timeline:',
      '  - at: 2026-11-25T19:33:05Z',
      '    by: pagerbot',
      '    kind: comms',
      '    text: Posted to #edge-alerts, no page (SEV4)',
      '  - at: 2026-11-25T19:34:00Z',
      '    by: pagerbot',
      '    kind: note',
      '    text: channel#name has no space before the hash',
      'action_items:',
      '  - id: AI-1',
      '    title: Announce in #ops-calendar\t# tab before the hash',
      'links:',
      '  - title: Runbook',
      '    url: https://example.com/#section',
      '',
    ].join('\n');
    const expected = [
      [2, 8, 'title', '"Edge alerts #2 of the week   # the second one"', 'only “Edge alerts”'],
      [13, 11, 'text', '"Posted to #edge-alerts, no page (SEV4)"', 'only “Posted to”'],
      [20, 12, 'title', '"Announce in #ops-calendar\\t# tab before the hash"', 'only “Announce in”'],
    ];
    const found = (problems: IncidentProblem[]): unknown[] => problems.filter((p) => p.code === 'comment-in-text').map((p) => [p.line, p.column, p.field, p.suggestion, /only “[^”]*”/.exec(p.message)?.[0]]);
    // The subset reader, the `yaml` pass, and js-yaml's quick check (which has no positions) for a record outside the subset.
    const text = head + body;
    const viaSubset = validateIncident('incidents/INC-0050.yaml', text, { now });
    assert.deepEqual(found(viaSubset.problems), expected);
    assert.deepEqual(found(validateIncident('incidents/INC-0050.yaml', text, { now, skipQuickCheck: true }).problems), expected);
    // Outside the subset (an anchor): js-yaml has no positions, so the record must take the `yaml` pass.
    const anchored = text.replace('severity: SEV4', 'severity: &sev SEV4');
    assert.deepEqual(found(validateIncident('incidents/INC-0050.yaml', anchored, { now }).problems), expected);
    const problem = viaSubset.problems.find((p) => p.line === 13)!;
    assert.equal(problem.severity, 'warning');
    assert.deepEqual([problem.endLine, problem.endColumn], [13, 49], 'the range runs to the end of the comment');
    assert.match(problem.message, /^`text` stops before “#edge-alerts, no page \(SEV4\)”: in YAML a # after a space starts a comment, so the value is only “Posted to”\. If the # belongs to the text, quote the whole value: "Posted to #edge-alerts, no page \(SEV4\)"; if it is a comment, put it on a line of its own\.$/);
    // The quoted value reads as the whole text.
    const fixed = text.split('\n').map((line, i) => (i === 12 ? `    text: ${problem.suggestion}` : line)).join('\n');
    const after = validateIncident('incidents/INC-0050.yaml', fixed, { now });
    assert.equal(after.record?.timeline?.[0].text, 'Posted to #edge-alerts, no page (SEV4)');
    assert.deepEqual(found(after.problems).map((p) => (p as unknown[])[0]), [2, 20]);
  });

  it('reports every problem of the invalid fixtures at its exact line and column', () => {
    const root = join(fixtures, 'invalid-repo');
    const results = validateRepository(root, repositoryContext(root));
    assert.deepEqual([...results.keys()].sort(), Object.keys(INVALID).sort());
    for (const [path, expected] of Object.entries(INVALID)) {
      const actual = results.get(path)!;
      assert.deepEqual(actual.map((p) => [p.line, p.column, p.severity, p.code]), expected.map((e) => e.slice(0, 4)), path);
      actual.forEach((p, i) => assert.ok(p.message.includes(expected[i][4]), `${path}:${p.line}:${p.column}: "${p.message}" should include "${expected[i][4]}"`));
    }
  });

  it('gives ranges and quick-fix data', () => {
    const root = join(fixtures, 'invalid-repo');
    const context = repositoryContext(root);
    const status = validateIncident('incidents/INC-0202.yaml', readFileSync(join(root, 'incidents/INC-0202.yaml')), context).problems[0];
    assert.deepEqual([status.line, status.column, status.endLine, status.endColumn, status.suggestion, status.field], [3, 9, 3, 17, 'mitigated', 'status']);
    const conflict = validateIncident('incidents/INC-0209.yaml', readFileSync(join(root, 'incidents/INC-0209.yaml')), context).problems[0];
    assert.deepEqual([conflict.line, conflict.endLine], [3, 7]);
    const missing = validateIncident('incidents/INC-0204.yaml', readFileSync(join(root, 'incidents/INC-0204.yaml')), context).problems.filter((p) => p.code === 'missing-status-timestamp');
    assert.deepEqual(missing.map((p) => p.field), ['mitigated_at', 'resolved_at']);
    const noZone = validateIncident('incidents/INC-0203.yaml', readFileSync(join(root, 'incidents/INC-0203.yaml')), context).problems[0];
    assert.equal(noZone.suggestion, '2026-11-20T09:00:00Z');
  });

  it('the fast js-yaml pre-check and the full `yaml` pass agree on every fixture', () => {
    for (const root of [join(fixtures, 'valid-repo'), join(fixtures, 'invalid-repo'), join(repoRoot, 'runbooks')]) {
      const context = repositoryContext(root);
      for (const path of incidentFiles(root)) {
        const content = readFileSync(join(root, path));
        const quick = validateIncident(path, content, context);
        const full = validateIncident(path, content, { ...context, skipQuickCheck: true });
        assert.deepEqual(quick.problems, full.problems, path);
        assert.deepEqual(quick.id, full.id, path);
        assert.deepEqual(quick.record, full.record, path);
      }
    }
  });

  it('survives hostile and broken input without throwing', () => {
    assert.equal(validateIncident('incidents/INC-1.yaml', '').problems[0].code, 'not-a-mapping');
    assert.match(validateIncident('incidents/INC-1.yaml', '').problems[0].message, /this file is empty/);
    assert.equal(validateIncident('incidents/INC-1.yaml', Uint8Array.from([0, 1, 2, 3])).problems[0].code, 'not-text');
    const stray = validateIncident('incidents/INC-1.yaml', 'id: INC-1\n=======\ntitle: x\n').problems;
    assert.deepEqual(stray.map((p) => [p.line, p.code]), [[2, 'merge-conflict']]);
    assert.match(stray[0].message, /unresolved merge conflict/i);
    const multi = validateIncident('incidents/INC-1.yaml', 'id: INC-1\n---\nid: INC-2\n').problems;
    assert.equal(multi[0].code, 'yaml-syntax');
    assert.match(multi[0].message, /more than one YAML document/);
    const tabs = validateIncident('incidents/INC-1.yaml', 'id: INC-1\ntimeline:\n\t- at: x\n').problems;
    assert.ok(tabs.some((p) => p.line === 3 && p.severity === 'error'));

    // Random damage to real records: every outcome is a list of problems with sane positions.
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const sources = incidentFiles(join(fixtures, 'invalid-repo')).map((p) => readFileSync(join(fixtures, 'invalid-repo', p), 'utf8'));
    for (let i = 0; i < 300; i++) {
      let text = sources[Math.floor(random() * sources.length)];
      for (let k = 0; k < 4; k++) {
        const at = Math.floor(random() * text.length);
        const junk = ['', ':', '- ', '[', '{', '"', '\t', '*a', '&a ', '\n  ', '#', '>>>>>>> x\n'][Math.floor(random() * 12)];
        text = text.slice(0, at) + junk + text.slice(at + Math.floor(random() * 4));
      }
      const result = validateIncident('incidents/INC-0206.yaml', text, { now });
      const lines = text.split('\n').length;
      for (const p of result.problems) assert.ok(p.line >= 1 && p.line <= lines + 1, `problem line ${p.line} within ${lines} lines`);
    }
  });

  it('validates a 10 MB record in reasonable time, with a warning about its size', function () {
    this.timeout(30_000);
    const head = 'id: INC-0100\ntitle: Huge\nstatus: triage\nseverity: SEV3\ndeclared_at: 2026-11-20T10:00:00Z\ntimeline:\n';
    const entry = '  - at: 2026-11-20T10:00:00Z\n    by: bot\n    kind: note\n    text: a line of pasted log output that goes on for a while to fill the file up\n';
    const text = head + entry.repeat(Math.ceil(10_000_000 / entry.length));
    const started = Date.now();
    const result = validateIncident('incidents/INC-0100.yaml', text, { now });
    assert.deepEqual(result.problems.map((p) => p.code), ['large-file']);
    assert.match(result.problems[0].message, /This record is 10\.0 MB/);
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    // A problem forces the precise (slower) pass over the whole file: still fine.
    const broken = validateIncident('incidents/INC-0100.yaml', text.replace('status: triage', 'status: triaged'), { now });
    assert.deepEqual(broken.problems.map((p) => [p.line, p.code]), [[1, 'large-file'], [3, 'unknown-status']]);
  });

  it('future timestamps are a warning, within five minutes of clock skew none', () => {
    const record = (at: string): string => `id: INC-1\ntitle: t\nstatus: triage\nseverity: SEV4\ndeclared_at: ${at}\n`;
    assert.deepEqual(validateIncident('incidents/INC-1.yaml', record('2026-11-25T21:04:00Z'), { now }).problems, []);
    assert.deepEqual(validateIncident('incidents/INC-1.yaml', record('2026-11-25T21:06:00Z'), { now }).problems.map((p) => [p.severity, p.code]), [['warning', 'future-timestamp']]);
  });

  it('parses RFC 3339 timestamps and refuses ones without a time zone', () => {
    assert.deepEqual(parseTimestamp('2026-11-23T09:02:00Z'), { ok: true, epochMs: Date.UTC(2026, 10, 23, 9, 2) });
    assert.deepEqual(parseTimestamp('2026-11-23T10:02:00.5+01:00'), { ok: true, epochMs: Date.UTC(2026, 10, 23, 9, 2, 0, 500) });
    assert.deepEqual(parseTimestamp('2026-11-23t09:02:00z'), { ok: true, epochMs: Date.UTC(2026, 10, 23, 9, 2) });
    assert.deepEqual(parseTimestamp('2026-11-23T09:02:00'), { ok: false, reason: 'no-time-zone' });
    assert.deepEqual(parseTimestamp('2026-11-23 09:02'), { ok: false, reason: 'no-time-zone' });
    assert.deepEqual(parseTimestamp('2026-11-23'), { ok: false, reason: 'date-only' });
    assert.deepEqual(parseTimestamp('2026-13-01T00:00:00Z'), { ok: false, reason: 'invalid' });
    assert.deepEqual(parseTimestamp('yesterday'), { ok: false, reason: 'invalid' });
  });

  it('suggests known names only for likely misspellings', () => {
    assert.equal(closestKnownName('statsu', ['status', 'severity']), 'status');
    assert.equal(closestKnownName('Acknowledged', ['acknowledged']), 'acknowledged');
    assert.equal(closestKnownName('in-progress', ['in_progress']), 'in_progress');
    assert.equal(closestKnownName('x-team', ['title', 'id', 'status']), undefined);
    assert.equal(closestKnownName('pager', ['postmortem', 'links']), undefined);
  });
});

describe('incident JSON Schema', () => {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'src/core/incident/incident.schema.json'), 'utf8')) as {
    $schema: string;
    required: string[];
    properties: Record<string, { enum?: string[] }>;
    $defs: Record<string, { properties: Record<string, { enum?: string[] }> }>;
  };

  it('describes the same fields and values as the model', () => {
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.deepEqual(schema.required, [...model.REQUIRED_INCIDENT_FIELDS]);
    assert.deepEqual(Object.keys(schema.properties), [...model.INCIDENT_FIELDS]);
    assert.deepEqual(schema.properties.status.enum, [...model.INCIDENT_STATUSES]);
    assert.deepEqual(schema.properties.mode.enum, [...model.INCIDENT_MODES]);
    assert.deepEqual(Object.keys(schema.$defs.timelineEntry.properties), [...model.TIMELINE_ENTRY_FIELDS]);
    assert.deepEqual(schema.$defs.timelineEntry.properties.kind.enum, [...model.TIMELINE_KINDS]);
    assert.deepEqual(Object.keys(schema.$defs.actionItem.properties), [...model.ACTION_ITEM_FIELDS]);
    assert.deepEqual(schema.$defs.actionItem.properties.status.enum, [...model.ACTION_ITEM_STATUSES]);
    assert.deepEqual(Object.keys(schema.$defs.link.properties), [...model.LINK_FIELDS]);
  });

  it('ships in the bundle beside the CLI and the extension', () => {
    assert.equal(readFileSync(join(repoRoot, 'dist/incident.schema.json'), 'utf8'), readFileSync(join(repoRoot, 'src/core/incident/incident.schema.json'), 'utf8'));
  });
});
