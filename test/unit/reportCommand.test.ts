import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { computeIncidentMetrics } from '../../src/core/metrics/metrics';
import { formatDuration } from '../../src/core/metrics/durationText';
import { buildOpsReport, parseReportSince, renderOpsReportMarkdown, reportIncidentFromRecord } from '../../src/core/metrics/report';
import type { ReviewState } from '../../src/core/runbook/reviewState';

const repoRoot = resolve(__dirname, '../../..');
const cli = join(repoRoot, 'dist/cli.js');

describe('runbook-ops report', function () {
  this.timeout(30_000);
  let scratch: string;
  let sample: string;

  /** A copy of the sample repository outside any git repository: review dates come from front matter only. */
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'rbo-report-'));
    sample = join(scratch, 'ops');
    cpSync(join(repoRoot, 'runbooks'), sample, { recursive: true });
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  function report(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [cli, 'report', sample, ...args], { encoding: 'utf8', env: { ...process.env, GIT_CEILING_DIRECTORIES: dirname(scratch) } });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('prints the Markdown report of the sample repository for a fixed now (golden)', () => {
    const { status, stdout, stderr } = report('--since', '90d', '--now', '2026-11-25T21:00:00Z');
    assert.equal(status, 0, stderr);
    assert.equal(stderr, 'Review dates of 8 runbooks are unknown: the folder is not in a git repository.\n');
    assert.equal(stdout, [
      '## Operations report: 2026-08-27 to 2026-11-25 (90 days)',
      '',
      '**10 incidents** declared in the period (not counted: 1 drill, 1 retrospective). MTTA is declared → acknowledged, MTTR declared → resolved; p50/p90 are nearest-rank percentiles.',
      '',
      '| | Incidents | MTTA mean | MTTA p50 | MTTA p90 | MTTR mean | MTTR p50 | MTTR p90 |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      '| **All incidents** | 10 | 1m 49s | 1m 30s | 3m 30s | 1h 22m | 1h 15m | 1h 54m |',
      '| SEV1 | 2 | 2m 25s | 2m 20s | 2m 30s | 1h 54m | 1h 54m | 1h 54m |',
      '| SEV2 | 3 | 1m 13s | 1m 10s | 1m 30s | 1h 13m | 1h 05m | 1h 21m |',
      '| SEV3 | 3 | 1m 57s | 1m 10s | 3m 30s | 1h 15m | 1h 15m | 1h 15m |',
      '| SEV4 | 2 | 2m | 2m | 2m | – | – | – |',
      '| service: checkout-api | 5 | 1m 42s | 1m 30s | 2m 30s | 1h 23m | 1h 15m | 1h 54m |',
      '| service: edge-dns | 2 | 1m 45s | 1m 30s | 2m | 1h 21m | 1h 21m | 1h 21m |',
      '| service: edge-gateway | 2 | 1m 30s | 1m 30s | 1m 30s | 1h 21m | 1h 21m | 1h 21m |',
      '| service: k8s-platform | 1 | 1m 10s | 1m 10s | 1m 10s | 1h 15m | 1h 15m | 1h 15m |',
      '| service: orders-queue | 2 | 2m 20s | 1m 10s | 3m 30s | 1h 15m | 1h 15m | 1h 15m |',
      '| service: orders-worker | 3 | 2m 20s | 2m 20s | 3m 30s | 1h 34m | 1h 15m | 1h 54m |',
      '| service: payments-ledger | 1 | – | – | – | – | – | – |',
      '| service: payments-provider | 1 | 2m 30s | 2m 30s | 2m 30s | – | – | – |',
      '| service: postgres | 2 | 1m 45s | 1m 10s | 2m 20s | 1h 54m | 1h 54m | 1h 54m |',
      '',
      '### Action items',
      '',
      '**8 open**, **0 overdue**, of 16 action items across all incident records.',
      '',
      '### Runbooks used most',
      '',
      '| Runbook | Step runs | Failed | Incidents | Last run |',
      '|---|---:|---:|---:|---|',
      '| database/postgres-failover.md | 7 | 0 | 2 | 2026-10-07 |',
      '| kubernetes/checkout-api-rollback.md | 5 | 0 | 2 | 2026-11-25 |',
      '| kubernetes/node-not-ready.md | 5 | 0 | 1 | 2026-11-12 |',
      '| queue/orders-queue-consumer-lag.md | 4 | 0 | 2 | 2026-11-25 |',
      '| database/postgres-disk-full.md | 4 | 0 | 1 | 2026-11-22 |',
      '| dns-tls/cert-expiry.md | 3 | 0 | 2 | 2026-11-25 |',
      '| dns-tls/dns-record-change.md | 2 | 0 | 2 | 2026-10-22 |',
      '| kubernetes/checkout-api-smoke.md | 2 | 1 | 2 | 2026-11-25 |',
      '| queue/dead-letter-queue.md | 2 | 0 | 1 | 2026-11-02 |',
      '',
      '### Runbooks overdue for review',
      '',
      '| Runbook | Owner | Last reviewed | Due | Overdue by |',
      '|---|---|---|---|---:|',
      '| database/postgres-disk-full.md | @acme/data-platform | 2026-06-30 | 2026-09-28 | 58 days |',
      '| kubernetes/node-not-ready.md | @acme/platform | 2026-08-14 | 2026-11-12 | 13 days |',
      '',
      'Review dates unknown for 8 runbooks (no `last_reviewed` and no git history for them).',
      '',
    ].join('\n'));
  });

  it('agrees with the metrics module on the sample records', () => {
    const records = readdirSync(join(sample, 'incidents')).map((name) => reportIncidentFromRecord(`incidents/${name}`, parse(readFileSync(join(sample, 'incidents', name), 'utf8'))));
    const since = new Date('2026-08-27T21:00:00Z');
    const until = new Date('2026-11-25T21:00:00Z');
    const expected = computeIncidentMetrics(records, { since, until });
    const json = JSON.parse(report('--since', '90d', '--now', '2026-11-25T21:00:00Z', '--format', 'json').stdout) as ReturnType<typeof buildOpsReport>;
    assert.equal(json.incidents, expected.incidents);
    assert.deepEqual(json.metrics[0].mtta, expected.overall.mtta);
    assert.deepEqual(json.metrics[0].mttr, expected.overall.mttr);
    for (const [severity, table] of Object.entries(expected.bySeverity)) assert.deepEqual(json.metrics.find((r) => r.group === 'severity' && r.name === severity)?.mttr, table.mttr, severity);
    for (const [service, table] of Object.entries(expected.byService)) assert.deepEqual(json.metrics.find((r) => r.group === 'service' && r.name === service)?.mtta, table.mtta, service);
  });

  it('lists overdue action items and counts only step runs inside --since <date>', () => {
    const { stdout } = report('--since', '2026-11-01', '--now', '2026-12-20T00:00:00Z');
    assert.match(stdout, /^## Operations report: 2026-11-01 to 2026-12-20 \(49 days\)$/m);
    assert.match(stdout, /^\*\*8 open\*\*, \*\*7 overdue\*\*, of 16 action items across all incident records\.$/m);
    assert.match(stdout, /^\| INC-0009 \| AI-1: Drop or restart the analytics_cdc slot \(with analytics\) \| dmitri \| 2026-11-27 \|$/m);
    assert.match(stdout, /^\| kubernetes\/node-not-ready\.md \| 5 \| 0 \| 1 \| 2026-11-12 \|$/m);
    assert.doesNotMatch(stdout, /^\| database\/postgres-failover\.md \| \d+ \| \d+ \|/m, 'its runs were in September and October');
  });

  it('refuses bad periods and formats with exit 2', () => {
    assert.equal(report('--since', 'last week').status, 2);
    assert.equal(report('--since', '2030-01-01', '--now', '2026-11-25').status, 2);
    assert.equal(report('--format', 'html').status, 2);
  });

  it('formats durations and periods', () => {
    assert.deepEqual([45_000, 720_000, 725_000, 11_040_000, 190_800_000].map(formatDuration), ['45s', '12m', '12m 05s', '3h 04m', '2d 5h']);
    const now = new Date('2026-11-25T12:00:00Z');
    assert.equal(parseReportSince('30d', now)?.toISOString(), '2026-10-26T12:00:00.000Z');
    assert.equal(parseReportSince('6m', now)?.toISOString(), '2026-05-25T12:00:00.000Z');
    assert.equal(parseReportSince('2026-09-01', now)?.toISOString(), '2026-09-01T00:00:00.000Z');
    assert.equal(parseReportSince('2026-02-30', now), undefined);
    assert.equal(parseReportSince('soon', now), undefined);
  });

  it('builds the report from plain inputs: drills not counted, stale runbooks sorted by how overdue', () => {
    const incident = (id: string, mode: string, declared: string, acknowledged: string): ReturnType<typeof reportIncidentFromRecord> =>
      reportIncidentFromRecord(`incidents/${id}.yaml`, { id, mode, severity: 'SEV2', services: ['api'], declared_at: declared, acknowledged_at: acknowledged, timeline: [{ at: declared, step: 'ops/restart.md#restart', exit_code: 1 }] });
    const overdue = (days: number): ReviewState => ({ state: 'overdue', source: 'front-matter', reviewedOn: '2026-01-01', dueOn: '2026-04-01', daysUntilDue: -days });
    const result = buildOpsReport(
      [incident('INC-1', 'standard', '2026-11-20T10:00:00Z', '2026-11-20T10:02:00Z'), incident('INC-2', 'drill', '2026-11-21T10:00:00Z', '2026-11-21T10:30:00Z')],
      [{ path: 'a.md', title: 'A', review: overdue(3) }, { path: 'b.md', title: 'B', owner: '@acme/b', review: overdue(30) }, { path: 'c.md', title: 'C', review: { state: 'unknown', source: 'none' } }],
      { since: new Date('2026-11-01T00:00:00Z'), now: new Date('2026-11-25T00:00:00Z') },
    );
    assert.equal(result.incidents, 1);
    assert.deepEqual(result.notCounted, { drill: 1 });
    assert.equal(result.metrics[0].mtta?.meanMs, 120_000);
    assert.deepEqual(result.runbooksUsed, [{ path: 'ops/restart.md', runs: 2, failed: 2, incidents: 2, lastRunAt: '2026-11-21T10:00:00Z' }]);
    assert.deepEqual(result.staleRunbooks.map((r) => r.path), ['b.md', 'a.md']);
    assert.equal(result.reviewUnknown, 1);
    assert.match(renderOpsReportMarkdown(result), /^\| b\.md \| @acme\/b \| 2026-01-01 \| 2026-04-01 \| 30 days \|$/m);
  });
});
