import { strict as assert } from 'node:assert';
import { sortTimeline } from '../../src/core/incident/incidentEdit';

describe('sortTimeline', () => {
  const record = (entries: string): string => `id: INC-0001  # keep me\ntitle: T\ntimeline:\n${entries}action_items: []\n`;

  it('moves whole entries into time order, comments and formatting included, touching nothing else', () => {
    const a = '  - at: 2026-11-20T10:00:00Z\n    by: alice\n    kind: note\n    text: first  # why\n';
    const b = '  # a comment about the second entry\n  - at: 2026-11-20T10:05:00Z\n    by: bob\n    kind: note\n    text: "second"\n';
    const c = '  - at: 2026-11-20T10:10:00Z\n    by: carol\n    kind: note\n    text: third\n';
    const result = sortTimeline(record(c + a + b));
    assert.equal(result.changed, true);
    // The comment line above b's dash sits after a's lines, so it moves with a and ends up above b again.
    assert.equal(result.text, record(a + b + c));
  });

  it('leaves a sorted timeline and a timeline at the end of the file alone or sorts it without a trailing newline', () => {
    const sorted = record('  - at: 2026-11-20T10:00:00Z\n    text: a\n  - at: 2026-11-20T11:00:00Z\n    text: b\n');
    assert.equal(sortTimeline(sorted).changed, false);
    const last = 'id: X\ntimeline:\n  - at: 2026-11-20T11:00:00Z\n    text: b\n  - at: 2026-11-20T10:00:00Z\n    text: a';
    assert.equal(sortTimeline(last).text, 'id: X\ntimeline:\n  - at: 2026-11-20T10:00:00Z\n    text: a\n  - at: 2026-11-20T11:00:00Z\n    text: b');
  });
});
