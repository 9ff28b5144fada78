// The words of a Commit Incident Update message, read from the committed and the staged file.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeIncidentChange } from '../../src/core/incident/incidentChangeSummary';
import { createIncident, editIncident, type IncidentEditOperation } from '../../src/core/incident/incidentEdit';
import { DEFAULT_REPO_CONFIG } from '../../src/core/config/repoConfig';

const record = readFileSync(join(resolve(__dirname, '../../../test/unit/fixtures/incidents/edit'), 'INC-0300.yaml'), 'utf8');

/** The record after `operations`, one minute apart, as the extension and the CLI write them. */
function edited(text: string, ...operations: IncidentEditOperation[]): string {
  return operations.reduce((current, operation, i) => editIncident(current, operation, new Date(Date.UTC(2026, 10, 25, 9, i)), 'erin').text, text);
}

describe('describeIncidentChange', () => {
  it('names a status change, a note, an action item added and one done', () => {
    const after = edited(record,
      { op: 'setStatus', status: 'mitigated' },
      { op: 'addNote', text: 'Rolled back' },
      { op: 'addActionItem', title: 'Alert on error budget' },
      { op: 'setActionItemStatus', id: 'AI-7', status: 'done' });
    assert.deepEqual(describeIncidentChange(record, after), ['investigating → mitigated', 'note added', 'AI-7 done', 'action item AI-8 added']);
  });

  it('describes what the file says, not what was done: an undone resolve is not a status change', () => {
    // Resolve, then Undo (the file is back to `investigating`), then a note and a ticked item.
    const undone = edited(record, { op: 'addNote', text: 'Consumers restarted' }, { op: 'setActionItemStatus', id: 'AI-1', status: 'done' });
    assert.deepEqual(describeIncidentChange(record, undone), ['note added', 'AI-1 done']);
  });

  it('names severity, commander, roles, linked runbooks and steps run', () => {
    const step = { runbook: 'kubernetes/rollback.md', stepId: 'rollback', title: 'Roll back', command: 'kubectl rollout undo', exitCode: 0, startedAt: '2026-11-25T08:30:00Z', durationMs: 1200 };
    const after = edited(record,
      { op: 'setSeverity', severity: 'SEV2' },
      { op: 'assignCommander', commander: 'dave' },
      { op: 'assignRole', role: 'comms', person: 'frank' },
      { op: 'linkRunbook', path: 'kafka/consumer-lag.md' },
      { op: 'appendStepAction', step });
    assert.deepEqual(describeIncidentChange(record, after), [
      'severity SEV3 → SEV2', 'commander dave', 'comms frank', 'ran kubernetes/rollback.md#rollback (exit 0)', 'linked kafka/consumer-lag.md',
    ]);
  });

  it('counts several notes and names hand edits of other fields', () => {
    const notes = edited(record, { op: 'addNote', text: 'one' }, { op: 'addNote', text: 'two' });
    assert.deepEqual(describeIncidentChange(record, notes), ['2 notes added']);
    const retitled = record.replace(`title: 'Checkout: payments "flaky"'`, 'title: Checkout payments flaky');
    assert.deepEqual(describeIncidentChange(record, retitled), ['title edited']);
    const comment = record.replace('# trailing comment at end of file', '# another comment');
    assert.deepEqual(describeIncidentChange(record, comment), ['record edited'], 'only a comment changed');
    assert.deepEqual(describeIncidentChange(record, record), []);
  });

  it('calls a new record declared, with its severity, where it is now and what it holds; an unreadable one edited', () => {
    const created = createIncident(DEFAULT_REPO_CONFIG, { id: 'INC-0400', title: 'Queue backlog', severity: 'SEV3', now: new Date('2026-11-25T09:00:00Z'), author: 'erin' });
    assert.deepEqual(describeIncidentChange(undefined, created), ['declared SEV3']);
    // First committed after more happened (found in the npm start walk-through: it said `declared as resolved`).
    const worked = edited(created, { op: 'addNote', text: 'paged the queue owners' }, { op: 'setStatus', status: 'acknowledged' }, { op: 'addActionItem', title: 'Alert on backlog age' });
    assert.deepEqual(describeIncidentChange(undefined, worked), ['declared SEV3', 'now acknowledged', 'note added', 'action item AI-1 added']);
    assert.deepEqual(describeIncidentChange(record, '<<<<<<< HEAD\nstatus: [\n'), ['record edited']);
  });
});
