import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { allowedStatusMoves } from '../../src/core/incident/incident';
import { createIncident, editIncident, IncidentEditError, type IncidentEditOperation } from '../../src/core/incident/incidentEdit';
import { editIncidentChecked, IncidentEditRefused } from '../../src/core/incident/incidentEditCheck';
import { validateIncident } from '../../src/core/incident/incidentValidation';
import { DEFAULT_REPO_CONFIG } from '../../src/core/config/repoConfig';

const fixtures = resolve(__dirname, '../../../test/unit/fixtures/incidents/edit');
const record = readFileSync(join(fixtures, 'INC-0300.yaml'), 'utf8');
const now = new Date('2026-11-25T09:00:00Z');
/** Set UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change, then review the diff. */
const updateGolden = process.env.UPDATE_GOLDEN === '1';

/** Lines of `before` that are not kept, in order, in `after` (a longest-common-subsequence line diff). */
function removedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const removed: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length) {
    if (j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && lcs[i][j + 1] >= lcs[i + 1][j]) j++;
    else removed.push(a[i++]);
  }
  return removed;
}

interface GoldenCase {
  name: string;
  operation: IncidentEditOperation;
  description: string;
  /** Original lines the edit may change; every other line must survive byte for byte. */
  changed: string[];
}

const GOLDEN_CASES: GoldenCase[] = [
  { name: 'set-status-mitigated', operation: { op: 'setStatus', status: 'mitigated', text: 'Rolled back' }, description: 'investigating → mitigated', changed: ['status: investigating'] },
  { name: 'set-status-resolved', operation: { op: 'setStatus', status: 'resolved' }, description: 'investigating → resolved', changed: ['status: investigating', 'resolved_at:        # not yet'] },
  { name: 'set-status-cancelled', operation: { op: 'setStatus', status: 'cancelled', text: 'False alarm' }, description: 'investigating → cancelled', changed: ['status: investigating'] },
  { name: 'set-severity', operation: { op: 'setSeverity', severity: 'SEV2', text: 'customer impact confirmed' }, description: 'severity SEV3 → SEV2', changed: ['severity: SEV3'] },
  { name: 'assign-commander', operation: { op: 'assignCommander', commander: 'dave' }, description: 'commander dave', changed: ['commander: "alice"'] },
  { name: 'assign-role', operation: { op: 'assignRole', role: 'comms', person: 'carol' }, description: 'comms carol', changed: [] },
  { name: 'add-note', operation: { op: 'addNote', text: 'Provider says: "degraded", ETA 30m' }, description: 'note added', changed: [] },
  { name: 'add-action-item', operation: { op: 'addActionItem', title: 'Alert on payment 5xx', owner: 'bob', due: '2026-12-01' }, description: 'action item AI-8 added', changed: [] },
  { name: 'set-action-item-status-flow', operation: { op: 'setActionItemStatus', id: 'AI-1', status: 'done' }, description: 'AI-1 done', changed: ['  - {id: AI-1, title: Flow-style item, owner: carol, status: open}'] },
  { name: 'set-action-item-status-block', operation: { op: 'setActionItemStatus', id: 'AI-7', status: 'done' }, description: 'AI-7 done', changed: ['    status: in_progress   # keep this comment'] },
  { name: 'link-runbook', operation: { op: 'linkRunbook', path: './oncall/checklist.md' }, description: 'linked oncall/checklist.md', changed: [] },
  {
    name: 'append-step-action-earlier',
    operation: {
      op: 'appendStepAction',
      step: { runbook: 'kubernetes/rollback.md', stepId: 'rollback', title: 'Roll back', command: 'helm rollback checkout-api 41 \\\n  --wait', exitCode: 1, startedAt: '2026-11-25T08:05:00Z', durationMs: 5210.6, author: 'alice' },
    },
    description: 'ran kubernetes/rollback.md#rollback (exit 1)',
    changed: [],
  },
  {
    name: 'append-step-action-unknown-exit',
    operation: { op: 'appendStepAction', step: { runbook: 'kubernetes/rollback.md', stepId: 'verify', title: 'Verify', command: 'kubectl rollout status deploy/checkout-api', startedAt: now, durationMs: 800 } },
    description: 'ran kubernetes/rollback.md#verify',
    changed: [],
  },
];

describe('incident edits', () => {
  describe('on a record full of comments and odd formatting (golden files)', () => {
    for (const c of GOLDEN_CASES) {
      it(c.name, () => {
        const result = editIncident(record, c.operation, now, 'erin', DEFAULT_REPO_CONFIG);
        const golden = join(fixtures, `INC-0300.${c.name}.golden.yaml`);
        if (updateGolden || !existsSync(golden)) writeFileSync(golden, result.text);
        assert.equal(result.text, readFileSync(golden, 'utf8'), `${c.name} differs from its golden file`);
        assert.equal(result.description, c.description);
        assert.equal(result.changed, true);
        assert.deepEqual(removedLines(record, result.text), c.changed, 'only the lines the edit must touch change');
        const errors = validateIncident('incidents/INC-0300.yaml', result.text, { now }).problems.filter((p) => p.severity === 'error');
        assert.deepEqual(errors, [], 'the edited record is still valid');
      });
    }
  });

  it('inserts new fields in the order of the README example and keeps existing null fields in place', () => {
    const out = editIncident(record, { op: 'setStatus', status: 'resolved' }, now, 'erin').text.split('\n');
    assert.deepEqual(out.slice(11, 15), [
      'declared_at: 2026-11-25T07:53:00Z',
      'acknowledged_at: "2026-11-25T07:55:30Z"',
      'mitigated_at: 2026-11-25T09:00:00Z',
      'resolved_at: 2026-11-25T09:00:00Z        # not yet',
    ]);
  });

  it('assigns the author as commander when a triage incident is acknowledged without one', () => {
    const triage = 'id: INC-0012\ntitle: Cert expiry\nstatus: triage\nseverity: SEV4\nservices: [edge]\n# commander: not assigned yet\ndeclared_at: 2026-11-25T19:33:00Z\ntimeline:\n  - at: 2026-11-25T19:33:00Z\n    by: pagerbot\n    kind: note\n    text: Declared\n';
    const result = editIncident(triage, { op: 'setStatus', status: 'acknowledged' }, new Date('2026-11-25T20:00:00Z'), 'hana');
    assert.equal(result.text, [
      'id: INC-0012', 'title: Cert expiry', 'status: acknowledged', 'severity: SEV4', 'services: [edge]', 'commander: hana', '# commander: not assigned yet',
      'declared_at: 2026-11-25T19:33:00Z', 'acknowledged_at: 2026-11-25T20:00:00Z', 'timeline:', '  - at: 2026-11-25T19:33:00Z', '    by: pagerbot', '    kind: note', '    text: Declared',
      '  - at: 2026-11-25T20:00:00Z', '    by: hana', '    kind: status', '    from: triage', '    to: acknowledged', '    text: Acknowledged', '',
    ].join('\n'));
    const explicit = editIncident(triage, { op: 'setStatus', status: 'acknowledged', commander: 'ivan' }, now, 'hana');
    assert.match(explicit.text, /^commander: ivan$/m);
  });

  it('keeps a flow-style timeline in flow style and turns an empty [] into a block list', () => {
    const flow = 'id: INC-1\ntitle: t\nstatus: triage\nseverity: SEV3\ndeclared_at: 2026-11-25T07:00:00Z\ntimeline: [{ at: 2026-11-25T07:00:00Z, by: a, kind: note, text: x }]  # flow\n';
    assert.equal(
      editIncident(flow, { op: 'addNote', text: 'y, z' }, now, 'b').text,
      'id: INC-1\ntitle: t\nstatus: triage\nseverity: SEV3\ndeclared_at: 2026-11-25T07:00:00Z\ntimeline: [{ at: 2026-11-25T07:00:00Z, by: a, kind: note, text: x }, { at: 2026-11-25T09:00:00Z, by: b, kind: note, text: "y, z" }]  # flow\n',
    );
    const empty = 'id: INC-1\ntitle: t\nstatus: triage\nseverity: SEV3\ndeclared_at: 2026-11-25T07:00:00Z\ntimeline: []   # nothing yet\nlinks: []\n';
    assert.equal(
      editIncident(empty, { op: 'addNote', text: 'first' }, now, 'b').text,
      'id: INC-1\ntitle: t\nstatus: triage\nseverity: SEV3\ndeclared_at: 2026-11-25T07:00:00Z\ntimeline:   # nothing yet\n  - at: 2026-11-25T09:00:00Z\n    by: b\n    kind: note\n    text: first\nlinks: []\n',
    );
  });

  it('creates a missing list after the field that precedes it, with the document\'s list indentation', () => {
    const bare = 'id: INC-1\ntitle: t\nstatus: triage\nseverity: SEV3\ndeclared_at: 2026-11-25T07:00:00Z\nservices:\n- a\nrunbooks: [x.md]\npostmortem: pm.md\n';
    assert.equal(
      editIncident(bare, { op: 'addNote', text: 'n' }, now, 'b').text,
      'id: INC-1\ntitle: t\nstatus: triage\nseverity: SEV3\ndeclared_at: 2026-11-25T07:00:00Z\nservices:\n- a\nrunbooks: [x.md]\ntimeline:\n- at: 2026-11-25T09:00:00Z\n  by: b\n  kind: note\n  text: n\npostmortem: pm.md\n',
    );
    const noRoles = 'id: INC-1\ntitle: t\nstatus: triage\nseverity: SEV3\ncommander: a\ndeclared_at: 2026-11-25T07:00:00Z\n';
    assert.match(editIncident(noRoles, { op: 'assignRole', role: 'scribe', person: 'bob' }, now, 'b').text, /^commander: a\nroles: \{ scribe: bob \}\ndeclared_at:/m);
  });

  it('keeps CRLF line endings, a byte-order mark and a missing final newline', () => {
    const crlf = '\ufeffid: INC-1\r\ntitle: t\r\nstatus: triage\r\nseverity: SEV3\r\ndeclared_at: 2026-11-25T07:00:00Z\r\ntimeline:\r\n  - at: 2026-11-25T07:00:00Z\r\n    by: a\r\n    kind: note\r\n    text: x';
    const out = editIncident(crlf, { op: 'addNote', text: 'y' }, now, 'b').text;
    assert.ok(out.startsWith('\ufeffid: INC-1\r\n'));
    assert.ok(!/[^\r]\n/.test(out), 'every line ends with CRLF');
    assert.ok(out.endsWith('\r\n  - at: 2026-11-25T09:00:00Z\r\n    by: b\r\n    kind: note\r\n    text: y'), JSON.stringify(out.slice(-80)));
  });

  it('linking a runbook twice changes nothing', () => {
    const result = editIncident(record, { op: 'linkRunbook', path: 'kubernetes/rollback.md' }, now, 'erin');
    assert.equal(result.changed, false);
    assert.equal(result.text, record);
  });

  it('refuses invalid operations with a clear error', () => {
    const refused = (operation: IncidentEditOperation, message: RegExp, text = record): void => {
      assert.throws(() => editIncident(text, operation, now, 'erin'), (err: unknown) => err instanceof IncidentEditError && message.test(err.message));
    };
    refused({ op: 'setStatus', status: 'mitigate' }, /Unknown status `mitigate`\. Did you mean `mitigated`\?/);
    refused({ op: 'setStatus', status: 'investigating' }, /already investigating/);
    refused({ op: 'setStatus', status: 'acknowledged' }, /Moving from investigating back to acknowledged is not supported/);
    refused({ op: 'setStatus', status: 'resolved' }, /closed, which is final/, record.replace('status: investigating', 'status: closed'));
    refused({ op: 'setSeverity', severity: 'P1' }, /Unknown severity `P1`.*SEV1, SEV2, SEV3, SEV4/);
    refused({ op: 'setSeverity', severity: 'SEV3' }, /already SEV3/);
    refused({ op: 'assignCommander', commander: 'alice' }, /alice is already the commander/);
    refused({ op: 'assignRole', role: 'two words', person: 'x' }, /not a role name/);
    refused({ op: 'addNote', text: '   ' }, /The note is empty/);
    refused({ op: 'addActionItem', title: 'x', due: 'friday' }, /not a date/);
    refused({ op: 'setActionItemStatus', id: 'AI-9', status: 'done' }, /no action item AI-9/);
    refused({ op: 'setActionItemStatus', id: 'AI-1', status: 'closed' }, /Unknown action item status `closed`/);
    refused({ op: 'addNote', text: 'x' }, /unresolved merge conflict/, `${record}<<<<<<< HEAD\n=======\n>>>>>>> other\n`);
    refused({ op: 'addNote', text: 'x' }, /not valid YAML/, 'id: [\n');
    refused({ op: 'addNote', text: 'x' }, /not an incident record/, '- a\n- b\n');
    refused({ op: 'addNote', text: 'x' }, /`timeline` in this record is not a list/, 'id: INC-1\ntimeline: none\n');
  });

  it('createIncident writes a valid record in triage', () => {
    const text = createIncident(DEFAULT_REPO_CONFIG, {
      id: 'INC-0013',
      title: 'Checkout: 5xx in eu-west-1',
      severity: 'SEV2',
      services: ['checkout-api', ' payments '],
      commander: 'alice',
      runbooks: ['./kubernetes/rollback.md'],
      now: new Date('2026-11-25T20:30:12.345Z'),
      author: 'erin',
    });
    const golden = join(fixtures, 'create-incident.golden.yaml');
    if (updateGolden || !existsSync(golden)) writeFileSync(golden, text);
    assert.equal(text, readFileSync(golden, 'utf8'));
    assert.deepEqual(validateIncident('incidents/INC-0013.yaml', text, { now, runbookPaths: new Set(['kubernetes/rollback.md']) }).problems.filter((p) => p.code !== 'future-timestamp'), []);
    assert.throws(() => createIncident(DEFAULT_REPO_CONFIG, { id: 'INC-1', title: 't', severity: 'sev2', now, author: 'a' }), /Did you mean `SEV2`/);
    assert.throws(() => createIncident(DEFAULT_REPO_CONFIG, { id: 'INC 1', title: 't', severity: 'SEV2', now, author: 'a' }), /cannot be an incident id/);
  });
});

describe('reopening an incident', () => {
  const mitigated = [
    'id: INC-0042', 'title: Checkout 5xx', 'status: mitigated   # rolled back', 'severity: SEV2', 'commander: alice',
    'declared_at: 2026-11-23T09:06:00Z', 'acknowledged_at: 2026-11-23T09:08:30Z', 'mitigated_at: 2026-11-23T09:41:00Z  # after the rollback',
    'timeline:', '  - at: 2026-11-23T09:41:00Z', '    by: alice', '    kind: status', '    from: investigating', '    to: mitigated', '    text: Mitigated', '',
  ].join('\n');
  const later = new Date('2026-11-23T11:00:00Z');
  const errors = (text: string): unknown[] => validateIncident('incidents/INC-0042.yaml', text, { now: later }).problems.filter((p) => p.severity === 'error');

  it('moves mitigated back to investigating with the reason, removing mitigated_at and keeping it in the entry', () => {
    const result = editIncidentChecked('incidents/INC-0042.yaml', mitigated, [{ op: 'setStatus', status: 'investigating', text: '5xx are back after the rollback' }], later, 'bob', DEFAULT_REPO_CONFIG);
    assert.deepEqual(result.descriptions, ['mitigated → investigating (reopened)']);
    assert.equal(result.text, [
      'id: INC-0042', 'title: Checkout 5xx', 'status: investigating   # rolled back', 'severity: SEV2', 'commander: alice',
      'declared_at: 2026-11-23T09:06:00Z', 'acknowledged_at: 2026-11-23T09:08:30Z',
      'timeline:', '  - at: 2026-11-23T09:41:00Z', '    by: alice', '    kind: status', '    from: investigating', '    to: mitigated', '    text: Mitigated',
      '  - at: 2026-11-23T11:00:00Z', '    by: bob', '    kind: status', '    from: mitigated', '    to: investigating',
      '    text: "Reopened: 5xx are back after the rollback (was mitigated_at 2026-11-23T09:41:00Z)"', '',
    ].join('\n'));
    assert.deepEqual(errors(result.text), []);
    // Mitigated again: a fresh mitigated_at, so MTTR runs to the real end.
    const again = editIncident(result.text, { op: 'setStatus', status: 'mitigated' }, new Date('2026-11-23T11:30:00Z'), 'bob');
    assert.match(again.text, /^mitigated_at: 2026-11-23T11:30:00Z$/m);
    assert.deepEqual(errors(again.text), []);
  });

  it('reopens resolved and closed incidents, clearing every later timestamp; empty ones stay as written', () => {
    const resolved = mitigated.replace('status: mitigated   # rolled back', 'status: resolved').replace('  # after the rollback', '\nresolved_at: 2026-11-23T10:00:00Z\nclosed_at:    # after the postmortem');
    const result = editIncident(resolved, { op: 'setStatus', status: 'investigating', text: 'Came back' }, later, 'bob');
    assert.doesNotMatch(result.text, /^(mitigated|resolved)_at:/m);
    assert.match(result.text, /^closed_at: {4}# after the postmortem$/m);
    assert.match(result.text, /text: "Reopened: Came back \(was mitigated_at 2026-11-23T09:41:00Z, resolved_at 2026-11-23T10:00:00Z\)"\n$/);
    assert.deepEqual(errors(result.text), []);
    const closed = resolved.replace('status: resolved', 'status: closed').replace('closed_at:    # after the postmortem', 'closed_at: 2026-11-23T10:30:00Z');
    const reopened = editIncidentChecked('incidents/INC-0042.yaml', closed, [{ op: 'setStatus', status: 'investigating', text: 'Same bug again' }], later, 'bob', DEFAULT_REPO_CONFIG);
    assert.doesNotMatch(reopened.text, /^(mitigated|resolved|closed)_at:/m);
    assert.deepEqual(errors(reopened.text), []);
  });

  it('reopens a cancelled triage incident, setting the commander and acknowledged_at it now needs', () => {
    const cancelled = 'id: INC-0042\ntitle: t\nstatus: cancelled\nseverity: SEV3\ndeclared_at: 2026-11-23T09:06:00Z\n';
    const result = editIncidentChecked('incidents/INC-0042.yaml', cancelled, [{ op: 'setStatus', status: 'investigating', text: 'Not a false alarm' }], later, 'bob', DEFAULT_REPO_CONFIG);
    assert.match(result.text, /^status: investigating\nseverity: SEV3\ncommander: bob\ndeclared_at: 2026-11-23T09:06:00Z\nacknowledged_at: 2026-11-23T11:00:00Z\ntimeline:\n/m);
    assert.deepEqual(errors(result.text), []);
  });

  it('refuses a reopen without a reason and other backward moves, saying what is possible', () => {
    const refused = (text: string, status: string, message: RegExp, note?: string): void => {
      assert.throws(() => editIncident(text, { op: 'setStatus', status, text: note }, later, 'bob'), (err: unknown) => err instanceof IncidentEditError && message.test(err.message));
    };
    refused(mitigated, 'investigating', /^Reopening the incident \(mitigated → investigating\) needs a reason: say in the note what came back\.$/);
    refused(mitigated, 'investigating', /needs a reason/, '   ');
    refused(mitigated, 'acknowledged', /^Moving from mitigated back to acknowledged is not supported: .* To reopen the incident, move it to investigating with a note saying why\.$/);
    refused(mitigated.replace('status: mitigated   # rolled back', 'status: closed'), 'resolved', /^The incident is closed, which is final\. It can only be reopened: move it to investigating/);
  });

  it('allowedStatusMoves: forward, cancelled unless final, and investigating as a reopen', () => {
    assert.deepEqual(allowedStatusMoves('triage'), ['acknowledged', 'investigating', 'mitigated', 'resolved', 'closed', 'cancelled']);
    assert.deepEqual(allowedStatusMoves('investigating'), ['mitigated', 'resolved', 'closed', 'cancelled']);
    assert.deepEqual(allowedStatusMoves('mitigated'), ['investigating', 'resolved', 'closed', 'cancelled']);
    assert.deepEqual(allowedStatusMoves('resolved'), ['investigating', 'closed', 'cancelled']);
    assert.deepEqual(allowedStatusMoves('closed'), ['investigating']);
    assert.deepEqual(allowedStatusMoves('cancelled'), ['investigating']);
    assert.deepEqual(allowedStatusMoves('mitigatd'), []);
  });
});

describe('editIncidentChecked: the one validity rule of every edit surface', () => {
  const acknowledged = 'id: INC-1\ntitle: t\nstatus: acknowledged\nseverity: SEV2\ncommander: a\ndeclared_at: 2026-11-24T10:00:00Z\nacknowledged_at: 2026-11-24T10:01:00Z\n';
  const at = (iso: string): Date => new Date(iso);

  it('refuses an edit that adds an error, naming it, and never returns the invalid text', () => {
    assert.throws(
      () => editIncidentChecked('incidents/INC-1.yaml', acknowledged, [{ op: 'setStatus', status: 'mitigated' }], at('2026-11-24T09:00:00Z'), 'bob', DEFAULT_REPO_CONFIG),
      (err: unknown) => {
        assert.ok(err instanceof IncidentEditRefused);
        assert.ok(err instanceof IncidentEditError, 'callers that handle refusals handle this one');
        assert.deepEqual(err.problems.map((p) => p.field), ['mitigated_at']);
        assert.match(err.message, /^This change would make the record invalid, so nothing was written: `mitigated_at` \(2026-11-24T09:00:00Z\) is before `acknowledged_at` \(2026-11-24T10:01:00Z\)\./);
        return true;
      },
    );
  });

  it('lets an edit through when the record already had the error, and checks several operations as one', () => {
    const broken = acknowledged.replace('declared_at: 2026-11-24T10:00:00Z', 'declared_at: 2026-11-24T11:00:00Z');
    const note = editIncidentChecked('incidents/INC-1.yaml', broken, [{ op: 'addNote', text: 'still looking' }], at('2026-11-24T12:00:00Z'), 'bob', DEFAULT_REPO_CONFIG);
    assert.ok(note.changed);
    assert.match(note.text, /text: still looking\n$/);
    const both = editIncidentChecked('incidents/INC-1.yaml', acknowledged, [{ op: 'setSeverity', severity: 'SEV1' }, { op: 'setStatus', status: 'mitigated', text: 'rolled back' }], at('2026-11-24T10:30:00Z'), 'bob', DEFAULT_REPO_CONFIG);
    assert.deepEqual(both.descriptions.length, 2);
    assert.match(both.text, /^mitigated_at: 2026-11-24T10:30:00Z$/m);
    assert.deepEqual(validateIncident('incidents/INC-1.yaml', both.text, { now: at('2026-11-25T00:00:00Z') }).problems.filter((p) => p.severity === 'error'), []);
  });

  it('returns the text unchanged, unchecked, when the edit changes nothing', () => {
    const linked = editIncidentChecked('incidents/INC-1.yaml', `${acknowledged}runbooks: [a.md]\n`, [{ op: 'linkRunbook', path: 'a.md' }], at('2026-11-24T12:00:00Z'), 'bob', DEFAULT_REPO_CONFIG);
    assert.equal(linked.changed, false);
    assert.equal(linked.text, `${acknowledged}runbooks: [a.md]\n`);
  });
});
