// The board's pure parts: the message guards both sides rely on, the metrics header, the drawer's
// view of a record, the move check, and the webview's filter matching.
import { strict as assert } from 'node:assert';
import { boardCard, boardMetrics, incidentDetail } from '../../src/core/board/boardModel';
import { ACTION_ITEM_STATUSES, INCIDENT_STATUSES } from '../../src/core/incident/incident';
import { problemsIntroducedByEdit } from '../../src/core/incident/incidentEditCheck';
import { summarizeIncident, type IncidentSummary } from '../../src/core/incident/incidentSummary';
import { validateIncident } from '../../src/core/incident/incidentValidation';
import { ACTION_ITEM_STATES, BOARD_STATUSES, isHostMessage, isWebviewMessage } from '../../src/core/board/protocol';
import { DEFAULT_REPO_CONFIG } from '../../src/core/config/repoConfig';
import { matchesFilters, NO_FILTERS, searchWords } from '../../webview/board/filters';

const MIN = 60_000;

function summary(fields: Partial<IncidentSummary> & Pick<IncidentSummary, 'id'>): IncidentSummary {
  return {
    path: `incidents/${fields.id}.yaml`,
    title: fields.id,
    status: 'investigating',
    severity: 'SEV2',
    mode: 'standard',
    services: [],
    timestamps: {},
    timelineEntries: 0,
    actionItems: { open: 0, total: 0 },
    runbooks: [],
    problems: [],
    ...fields,
  };
}

describe('incident board protocol', () => {
  it('mirrors the core status and action item lists (the webview cannot import them)', () => {
    assert.deepEqual([...BOARD_STATUSES], [...INCIDENT_STATUSES]);
    assert.deepEqual([...ACTION_ITEM_STATES], [...ACTION_ITEM_STATUSES]);
  });

  it('accepts well-formed webview messages and rejects anything else', () => {
    const valid = [
      { type: 'ready' },
      { type: 'openRecord', key: 'file:///r/incidents/INC-1.yaml' },
      { type: 'draftPostmortem', key: 'file:///r/incidents/INC-1.yaml' },
      { type: 'openRunbook', key: 'k', path: 'runbooks/a.md' },
      { type: 'openLink', url: 'https://example.com' },
      { type: 'moveIncident', requestId: 1, key: 'k', status: 'mitigated' },
      { type: 'getDetail', requestId: 0, key: 'k' },
      { type: 'addNote', requestId: 2, key: 'k', text: 'hi' },
      { type: 'addActionItem', requestId: 3, key: 'k', title: 't' },
      { type: 'addActionItem', requestId: 3, key: 'k', title: 't', owner: 'o', due: '2026-12-01' },
      { type: 'setActionItemStatus', requestId: 4, key: 'k', itemId: 'AI-1', status: 'done' },
    ];
    for (const message of valid) assert.ok(isWebviewMessage(message), JSON.stringify(message));
    const invalid: unknown[] = [
      null,
      'ready',
      [],
      { type: 'nope' },
      { type: 'moveIncident', key: 'k', status: 'mitigated' },
      { type: 'moveIncident', requestId: '1', key: 'k', status: 'mitigated' },
      { type: 'moveIncident', requestId: -1, key: 'k', status: 'mitigated' },
      { type: 'moveIncident', requestId: 1.5, key: 'k', status: 'mitigated' },
      { type: 'moveIncident', requestId: 1, key: 7, status: 'mitigated' },
      { type: 'addNote', requestId: 1, key: 'k' },
      { type: 'addActionItem', requestId: 1, key: 'k', title: 't', owner: 5 },
      { type: 'openRunbook', path: 'a.md' },
      { type: 'openLink' },
    ];
    for (const message of invalid) assert.ok(!isWebviewMessage(message), JSON.stringify(message));
  });

  it('accepts host messages and replies, rejects malformed ones', () => {
    assert.ok(isHostMessage({ type: 'snapshot', cards: [], config: {}, metrics: {}, now: '2026-11-25T00:00:00Z' }));
    assert.ok(isHostMessage({ type: 'cardsChanged', upserted: [], removed: ['k'], metrics: {}, now: 'x' }));
    assert.ok(isHostMessage({ type: 'reveal', key: 'k' }));
    assert.ok(isHostMessage({ type: 'detailChanged', key: 'k' }));
    assert.ok(!isHostMessage({ type: 'detailChanged' }));
    assert.ok(isHostMessage({ type: 'reply', requestId: 1, ok: true }));
    assert.ok(isHostMessage({ type: 'reply', requestId: 1, ok: false, error: 'why' }));
    assert.ok(!isHostMessage({ type: 'reply', requestId: 1, ok: false }));
    assert.ok(!isHostMessage({ type: 'snapshot', cards: {}, config: {}, metrics: {}, now: 'x' }));
    assert.ok(!isHostMessage({ type: 'cardsChanged', upserted: [], metrics: {}, now: 'x' }));
    assert.ok(!isHostMessage({ type: 'ready' }));
  });
});

describe('incident board model', () => {
  const now = new Date('2026-11-25T12:00:00Z'); // a Wednesday
  const incidents = [
    // In all periods: MTTA 2m, MTTR 60m.
    summary({ id: 'A', severity: 'SEV1', status: 'resolved', timestamps: { declared_at: '2026-11-24T10:00:00Z', acknowledged_at: '2026-11-24T10:02:00Z', resolved_at: '2026-11-24T11:00:00Z' } }),
    // 30 and 90 days: MTTA 10m, open.
    summary({ id: 'B', severity: 'SEV2', status: 'investigating', timestamps: { declared_at: '2026-11-10T10:00:00Z', acknowledged_at: '2026-11-10T10:10:00Z' } }),
    // 90 days only: MTTA 30m, MTTR 120m, open (mitigated).
    summary({ id: 'C', severity: 'SEV2', status: 'mitigated', timestamps: { declared_at: '2026-09-15T10:00:00Z', acknowledged_at: '2026-09-15T10:30:00Z', resolved_at: '2026-09-15T12:00:00Z' } }),
    // Drills never count, open or not.
    summary({ id: 'D', severity: 'SEV1', status: 'investigating', mode: 'drill', timestamps: { declared_at: '2026-11-25T09:00:00Z', acknowledged_at: '2026-11-25T09:01:00Z' } }),
    // Cancelled: not open; outside every period.
    summary({ id: 'E', severity: 'SEV3', status: 'cancelled', timestamps: { declared_at: '2026-01-01T00:00:00Z' } }),
  ];

  it('counts open standard incidents by severity', () => {
    assert.deepEqual(boardMetrics(incidents, now).openBySeverity, { SEV2: 2 });
  });

  it('computes MTTA and MTTR p50/p90 per period from standard incidents', () => {
    const periods = boardMetrics(incidents, now).periods;
    assert.deepEqual(periods, [
      { days: 7, incidents: 1, mtta: { count: 1, p50Ms: 2 * MIN, p90Ms: 2 * MIN }, mttr: { count: 1, p50Ms: 60 * MIN, p90Ms: 60 * MIN } },
      { days: 30, incidents: 2, mtta: { count: 2, p50Ms: 2 * MIN, p90Ms: 10 * MIN }, mttr: { count: 1, p50Ms: 60 * MIN, p90Ms: 60 * MIN } },
      { days: 90, incidents: 3, mtta: { count: 3, p50Ms: 10 * MIN, p90Ms: 30 * MIN }, mttr: { count: 2, p50Ms: 60 * MIN, p90Ms: 120 * MIN } },
    ]);
  });

  it('buckets incidents per week from Monday, oldest first, ending with the current week', () => {
    const weeks = boardMetrics(
      [
        ...incidents,
        summary({ id: 'F', timestamps: { declared_at: '2026-11-23T00:00:00Z' } }), // Monday of this week
        summary({ id: 'G', timestamps: { declared_at: '2026-11-22T23:59:59Z' } }), // Sunday of last week
        summary({ id: 'H', timestamps: { declared_at: '2026-11-26T00:00:00Z' } }), // in the future: not counted
      ],
      now,
    ).weeks;
    assert.equal(weeks.length, 12);
    assert.equal(weeks[11].weekStart, '2026-11-23');
    assert.equal(weeks[0].weekStart, '2026-09-07');
    assert.deepEqual(
      weeks.map((w) => w.count),
      [0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2],
    );
  });

  it('builds a card from the index summary', () => {
    const card = boardCard(
      summary({ id: 'A', title: 'T', services: ['api'], commander: 'alice', summaryExcerpt: 'why', actionItems: { open: 1, total: 3 }, timestamps: { declared_at: 'x', resolved_at: 'y' }, problems: [{ line: 1, severity: 'error', message: 'm' }, { line: 2, severity: 'warning', message: 'w' }] }),
      'key',
    );
    assert.deepEqual(card, { id: 'A', key: 'key', title: 'T', status: 'investigating', severity: 'SEV2', mode: 'standard', services: ['api'], summary: 'why', actionItems: { open: 1, total: 3 }, errors: 1, moves: ['mitigated', 'resolved', 'closed', 'cancelled'], commander: 'alice', declaredAt: 'x', resolvedAt: 'y' });
  });

  it("shows a record's timeline newest first with action details, tolerating odd shapes", () => {
    const text = [
      'id: INC-7',
      'title: Disk full',
      'status: mitigated',
      'severity: SEV2',
      'commander: alice',
      'roles: { scribe: bob, comms: [not, a, person] }',
      'declared_at: 2026-11-24T10:00:00Z',
      'acknowledged_at: 2026-11-24T10:05:00Z',
      'mitigated_at: 2026-11-24T10:30:00Z',
      'summary: Volume at 96%',
      'timeline:',
      '  - { at: 2026-11-24T10:00:00Z, by: am, kind: detection, text: fired }',
      '  - { at: 2026-11-24T10:20:00Z, by: alice, kind: action, text: Ran grow, command: grow.sh, exit_code: 1, duration_ms: 5000 }',
      '  - { at: 2026-11-24T10:05:00Z, by: alice, kind: status, from: triage, to: acknowledged }',
      '  - just a string',
      'action_items:',
      '  - { id: AI-1, title: Alert earlier, owner: bob, status: done, due: 2026-12-01 }',
      '  - 42',
      'links:',
      '  - { title: Dash, url: "https://grafana.example/d/1" }',
      '  - { title: no url }',
      '',
    ].join('\n');
    const validation = validateIncident('incidents/INC-7.yaml', text, { now: new Date('2026-11-25T00:00:00Z') });
    const detail = incidentDetail(summarizeIncident(validation), validation.record, 'k');
    assert.equal(detail.key, 'k');
    assert.deepEqual(detail.roles, { scribe: 'bob' });
    assert.deepEqual(detail.timestamps, [['declared_at', '2026-11-24T10:00:00Z'], ['acknowledged_at', '2026-11-24T10:05:00Z'], ['mitigated_at', '2026-11-24T10:30:00Z']]);
    assert.deepEqual(detail.timeline.map((e) => e.kind), ['action', 'status', 'detection', '']);
    assert.deepEqual(detail.timeline[0], { at: '2026-11-24T10:20:00Z', kind: 'action', by: 'alice', text: 'Ran grow', command: 'grow.sh', exitCode: 1, durationMs: 5000 });
    assert.deepEqual(detail.actionItems, [{ id: 'AI-1', title: 'Alert earlier', status: 'done', owner: 'bob', due: '2026-12-01' }, { id: '', title: '', status: 'open' }]);
    assert.deepEqual(detail.links, [{ title: 'Dash', url: 'https://grafana.example/d/1' }]);
    assert.equal(detail.summary, 'Volume at 96%');
    assert.ok(detail.problems.some((p) => /^line \d+: /.test(p)), 'the broken entries are reported');
  });

  it('refuses an edit that would introduce a validation error, not one that keeps an old one', () => {
    const base = 'id: INC-1\ntitle: t\nstatus: investigating\nseverity: SEV2\ncommander: a\ndeclared_at: 2026-11-24T10:00:00Z\nacknowledged_at: 2026-11-24T10:01:00Z\n';
    const now = new Date('2026-11-25T00:00:00Z');
    const withoutCommander = base.replace('commander: a\n', '');
    const introduced = problemsIntroducedByEdit('incidents/INC-1.yaml', base, withoutCommander, DEFAULT_REPO_CONFIG, now);
    assert.equal(introduced.length, 1);
    assert.match(introduced[0].message, /commander/i);
    // The same problem present before the edit is not the edit's fault.
    assert.deepEqual(problemsIntroducedByEdit('incidents/INC-1.yaml', withoutCommander, withoutCommander.replace('title: t', 'title: u'), DEFAULT_REPO_CONFIG, now), []);
  });
});

describe('incident board filters (webview)', () => {
  const card = boardCard(summary({ id: 'INC-0042', title: 'Checkout API 5xx', services: ['checkout-api'], commander: 'alice', summaryExcerpt: 'after config push v812' }), 'k');

  it('matches every word of the search in id, title or summary, case-insensitively', () => {
    assert.ok(matchesFilters(card, NO_FILTERS, searchWords('  CHECKOUT   v812 ')));
    assert.ok(matchesFilters(card, NO_FILTERS, searchWords('inc-0042')));
    assert.ok(!matchesFilters(card, NO_FILTERS, searchWords('checkout db')));
  });

  it('filters by severity, service, commander and mode', () => {
    assert.ok(matchesFilters(card, { ...NO_FILTERS, severity: 'SEV2', service: 'checkout-api', commander: 'alice', mode: 'standard' }, []));
    assert.ok(!matchesFilters(card, { ...NO_FILTERS, severity: 'SEV1' }, []));
    assert.ok(!matchesFilters(card, { ...NO_FILTERS, service: 'db' }, []));
    assert.ok(!matchesFilters(card, { ...NO_FILTERS, commander: 'bob' }, []));
    assert.ok(!matchesFilters(card, { ...NO_FILTERS, mode: 'drill' }, []));
  });
});
