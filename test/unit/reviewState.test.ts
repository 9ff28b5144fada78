import { strict as assert } from 'node:assert';
import { DUE_SOON_DAYS, addReviewInterval, parseReviewInterval, reviewState } from '../../src/core/runbook/reviewState';

/** Noon on 2026-06-15 in the machine's own time zone: "today" is 2026-06-15 wherever the test runs. */
const now = new Date(2026, 5, 15, 12, 0, 0);

describe('review state (src/core/reviewState)', () => {
  it('parses d, w, m and y intervals and rejects anything else', () => {
    assert.deepEqual(parseReviewInterval('90d'), { count: 90, unit: 'd' });
    assert.deepEqual(parseReviewInterval('12w'), { count: 12, unit: 'w' });
    assert.deepEqual(parseReviewInterval('6m'), { count: 6, unit: 'm' });
    assert.deepEqual(parseReviewInterval(' 1Y '), { count: 1, unit: 'y' });
    for (const bad of ['', '0d', '90', 'd90', '1.5m', '3 months', '-1d']) assert.equal(parseReviewInterval(bad), undefined, bad);
  });

  it('adds intervals on the calendar, ending short months on their last day', () => {
    assert.equal(addReviewInterval('2026-01-01', { count: 90, unit: 'd' }), '2026-04-01');
    assert.equal(addReviewInterval('2026-01-01', { count: 2, unit: 'w' }), '2026-01-15');
    assert.equal(addReviewInterval('2026-01-31', { count: 1, unit: 'm' }), '2026-02-28');
    assert.equal(addReviewInterval('2026-08-31', { count: 6, unit: 'm' }), '2027-02-28');
    assert.equal(addReviewInterval('2026-11-15', { count: 14, unit: 'm' }), '2028-01-15');
    assert.equal(addReviewInterval('2024-02-29', { count: 1, unit: 'y' }), '2025-02-28');
    assert.throws(() => addReviewInterval('2026-02-30', { count: 1, unit: 'd' }), RangeError);
  });

  it('uses front-matter last_reviewed and review_every before anything else', () => {
    assert.deepEqual(reviewState({ lastReviewed: '2026-05-01', reviewEvery: '90d', lastCommitDate: '2026-06-14T10:00:00+00:00' }, '30d', now), {
      state: 'ok',
      source: 'front-matter',
      reviewedOn: '2026-05-01',
      dueOn: '2026-07-30',
      daysUntilDue: 45,
    });
  });

  it('falls back to the last commit date, on the committer’s calendar day, with review_every still applying', () => {
    const state = reviewState({ reviewEvery: '1y', lastCommitDate: '2025-06-20T23:30:00-05:00' }, '90d', now);
    assert.deepEqual(state, { state: 'due-soon', source: 'git', reviewedOn: '2025-06-20', dueOn: '2026-06-20', daysUntilDue: 5 });
    const byDefault = reviewState({ lastCommitDate: '2026-01-01T08:00:00+02:00' }, '90d', now);
    assert.deepEqual(byDefault, { state: 'overdue', source: 'git', reviewedOn: '2026-01-01', dueOn: '2026-04-01', daysUntilDue: -75 });
  });

  it('falls back to git when last_reviewed is not a real date, and to the default when review_every is not an interval', () => {
    const state = reviewState({ lastReviewed: '2026-02-30', reviewEvery: 'quarterly', lastCommitDate: '2026-06-01T00:00:00Z' }, '30d', now);
    assert.deepEqual(state, { state: 'ok', source: 'git', reviewedOn: '2026-06-01', dueOn: '2026-07-01', daysUntilDue: 16 });
  });

  it(`is due soon from ${DUE_SOON_DAYS} days before the due day through the due day itself, overdue the day after`, () => {
    // Reviewed (30 - n) days ago with a 30d interval: due n days from today.
    const at = (daysUntilDue: number): string => {
      const reviewed = new Date(Date.UTC(2026, 5, 15 + daysUntilDue - 30)).toISOString().slice(0, 10);
      return reviewState({ lastReviewed: reviewed }, '30d', now).state;
    };
    assert.equal(at(DUE_SOON_DAYS + 1), 'ok');
    assert.equal(at(DUE_SOON_DAYS), 'due-soon');
    assert.equal(at(1), 'due-soon');
    assert.equal(at(0), 'due-soon');
    assert.equal(at(-1), 'overdue');
    assert.equal(at(30), 'ok', 'reviewed today');
  });

  it('is unknown with no date at all (e.g. a shallow clone), or with no usable interval', () => {
    assert.deepEqual(reviewState({}, '90d', now), { state: 'unknown', source: 'none' });
    assert.deepEqual(reviewState({ reviewEvery: '30d', lastCommitDate: 'yesterday' }, '90d', now), { state: 'unknown', source: 'none' });
    assert.deepEqual(reviewState({ lastReviewed: '2026-06-01' }, 'never', now), { state: 'unknown', source: 'front-matter', reviewedOn: '2026-06-01' });
  });

  it('accepts a parsed default interval', () => {
    assert.equal(reviewState({ lastReviewed: '2026-06-10' }, { count: 1, unit: 'w' }, now).state, 'due-soon');
  });

  it('counts days on the local calendar, so late evening does not tip into tomorrow', () => {
    const lateEvening = new Date(2026, 5, 15, 23, 59, 0);
    const earlyMorning = new Date(2026, 5, 15, 0, 1, 0);
    const inputs = { lastReviewed: '2026-03-17' };
    assert.equal(reviewState(inputs, '90d', lateEvening).daysUntilDue, 0);
    assert.equal(reviewState(inputs, '90d', earlyMorning).daysUntilDue, 0);
  });
});
