import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { WorkspaceIndex } from '../../src/core/index/workspaceIndex';
import { computeIncidentMetrics, durationStats } from '../../src/core/metrics/metrics';

const sample = resolve(__dirname, '../../../runbooks');
const MIN = 60_000;

describe('incident metrics', () => {
  it('count, mean, p50 and p90 (nearest rank)', () => {
    assert.deepEqual(durationStats([]), undefined);
    assert.deepEqual(durationStats([5, 1, 3]), { count: 3, meanMs: 3, p50Ms: 3, p90Ms: 5 });
    assert.deepEqual(durationStats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { count: 10, meanMs: 6, p50Ms: 5, p90Ms: 9 });
  });

  it('uses standard incidents only, by severity and service, over a period', () => {
    const incident = (mode: string, severity: string, services: string[], declared: string, acknowledged?: string, resolved?: string) => ({
      mode,
      severity,
      services,
      timestamps: { declared_at: declared, ...(acknowledged ? { acknowledged_at: acknowledged } : {}), ...(resolved ? { resolved_at: resolved } : {}) },
    });
    const metrics = computeIncidentMetrics([
      incident('standard', 'SEV1', ['api', 'db'], '2026-11-01T10:00:00Z', '2026-11-01T10:02:00Z', '2026-11-01T11:00:00Z'),
      incident('standard', 'SEV2', ['api'], '2026-11-10T10:00:00Z', '2026-11-10T10:10:00Z'),
      incident('drill', 'SEV1', ['api'], '2026-11-12T10:00:00Z', '2026-11-12T11:00:00Z'),
      incident('standard', 'SEV2', ['api'], '2026-11-13T10:00:00Z', '2026-11-13T09:00:00Z'),
      incident('standard', 'SEV1', ['api'], '2026-09-01T10:00:00Z', '2026-09-01T10:30:00Z'),
    ], { since: new Date('2026-10-01T00:00:00Z') });
    assert.equal(metrics.incidents, 3);
    assert.deepEqual(metrics.overall.mtta, { count: 2, meanMs: 6 * MIN, p50Ms: 2 * MIN, p90Ms: 10 * MIN });
    assert.deepEqual(metrics.overall.mttr, { count: 1, meanMs: 60 * MIN, p50Ms: 60 * MIN, p90Ms: 60 * MIN });
    assert.equal(metrics.overall.timeToDetect, undefined);
    assert.deepEqual(Object.keys(metrics.bySeverity), ['SEV1', 'SEV2']);
    assert.equal(metrics.bySeverity.SEV2.mtta?.count, 1);
    assert.equal(metrics.byService.db.mtta?.p50Ms, 2 * MIN);
    assert.equal(metrics.byService.api.mtta?.count, 2);
  });

  it('computes the sample repository\'s metrics from the index', async () => {
    const index = new WorkspaceIndex();
    const paths = Array.from({ length: 12 }, (_, i) => `incidents/INC-${String(i + 1).padStart(4, '0')}.yaml`);
    await index.build(paths, (p) => readFile(join(sample, p)));
    const metrics = computeIncidentMetrics(index.incidents());
    assert.equal(metrics.incidents, 10, 'INC-0004 is a drill and INC-0007 a retrospective record');
    assert.equal(metrics.overall.mtta?.count, 9);
    assert.ok(metrics.overall.mttr!.p50Ms > 0);
  });
});
