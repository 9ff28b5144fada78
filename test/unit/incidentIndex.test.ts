import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { WorkspaceIndex, type FileReader } from '../../src/core/index/workspaceIndex';

const sample = resolve(__dirname, '../../../runbooks');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full));
    else out.push(relative(sample, full));
  }
  return out;
}

function memoryReader(files: Map<string, string>): FileReader {
  return async (path) => {
    const content = files.get(path);
    if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return content;
  };
}

const RECORD = (id: string, runbooks: string, extra = ''): string =>
  `id: ${id}\ntitle: Incident ${id}\nstatus: triage\nseverity: SEV3\nservices: [api]\ndeclared_at: 2026-11-20T10:00:00Z\nrunbooks: [${runbooks}]\n${extra}`;

describe('WorkspaceIndex with incidents', () => {
  it('indexes the sample incidents with compact summaries', async () => {
    const index = new WorkspaceIndex();
    await index.build(filesUnder(sample), (p) => readFile(join(sample, p)));
    assert.equal(index.incidentCount, 12);
    assert.ok(index.runbookCount >= 12);
    const inc = index.getIncident('incidents/INC-0010.yaml')!;
    assert.deepEqual(inc, {
      path: 'incidents/INC-0010.yaml',
      id: 'INC-0010',
      title: 'Checkout API 5xx in eu-west-1',
      status: 'investigating',
      severity: 'SEV1',
      mode: 'standard',
      services: ['checkout-api', 'payments-provider'],
      commander: 'alice',
      summaryExcerpt: '5xx on POST /v1/checkout in eu-west-1 since 07:48. Rolling back 4.13.0 did not help; errors are 502s from the EU payment provider endpoint.',
      timestamps: {
        started_at: '2026-11-25T07:48:00Z',
        detected_at: '2026-11-25T07:51:10Z',
        declared_at: '2026-11-25T07:53:00Z',
        acknowledged_at: '2026-11-25T07:55:30Z',
      },
      timelineEntries: 11,
      actionItems: { open: 0, total: 0 },
      runbooks: ['kubernetes/checkout-api-rollback.md', 'kubernetes/checkout-api-smoke.md'],
      problems: [],
    });
    assert.deepEqual(index.getIncident('incidents/INC-0001.yaml')!.actionItems, { open: 1, total: 3 });
    assert.ok(index.incidents().every((i) => i.problems.length === 0));
    assert.ok(!JSON.stringify(index.snapshot()).includes('patronictl -c'), 'no commands or file text in the index');
  });

  it('links incidents and runbooks both ways, through runbooks: and timeline steps', async () => {
    const index = new WorkspaceIndex();
    await index.build(filesUnder(sample), (p) => readFile(join(sample, p)));
    assert.deepEqual(index.incidentsForRunbook('kubernetes/checkout-api-rollback.md').map((i) => i.id), ['INC-0005', 'INC-0010']);
    assert.deepEqual(index.incidentsForRunbook('./database/postgres-failover.md').map((i) => i.id), ['INC-0001', 'INC-0004']);
    const refs = index.runbooksForIncident('incidents/INC-0011.yaml');
    assert.deepEqual(refs.map((r) => [r.path, r.runbook?.title]), [
      ['queue/orders-queue-consumer-lag.md', index.getRunbook('queue/orders-queue-consumer-lag.md')!.title],
      ['alerts/kafka/KafkaConsumerGroupLagHigh.md', index.getRunbook('alerts/kafka/KafkaConsumerGroupLagHigh.md')!.title],
    ]);
  });

  it('updates incrementally: changes, deletions and dangling links equal a rebuild', async () => {
    const files = new Map<string, string>([
      ['db/failover.md', '# Fail over\n## Go\n```sh {name=go}\nfailover\n```\n'],
      ['incidents/INC-0001.yaml', RECORD('INC-0001', 'db/failover.md')],
      ['incidents/INC-0002.yaml', RECORD('INC-0002', 'db/missing.md', 'timeline:\n  - at: 2026-11-20T10:01:00Z\n    by: a\n    kind: action\n    step: db/failover.md#go\n')],
      ['incidents/notes.md', '# Postmortem notes\n'], // a runbook: only YAML under incidents/ is a record
    ]);
    const read = memoryReader(files);
    const index = new WorkspaceIndex();
    await index.build([...files.keys()], read);
    assert.deepEqual(index.incidentsForRunbook('db/failover.md').map((i) => i.id), ['INC-0001', 'INC-0002']);
    assert.deepEqual(index.runbooksForIncident('incidents/INC-0002.yaml'), [{ path: 'db/missing.md' }, { path: 'db/failover.md', runbook: index.getRunbook('db/failover.md') }]);

    files.set('incidents/INC-0001.yaml', RECORD('INC-0002', 'other.md').replace('status: triage', 'status: mitigate'));
    assert.equal(await index.updateFile('incidents/INC-0001.yaml', read), true);
    assert.deepEqual(index.incidentsForRunbook('db/failover.md').map((i) => i.id), ['INC-0002']);
    assert.deepEqual([...index.duplicateIncidentIds()], [['INC-0002', ['incidents/INC-0001.yaml', 'incidents/INC-0002.yaml']]]);
    assert.deepEqual(index.getIncident('incidents/INC-0001.yaml')!.problems.map((p) => [p.line, p.column]), [[1, 5], [3, 9]]);

    files.delete('incidents/INC-0002.yaml');
    await index.updateFile('incidents/INC-0002.yaml', read);
    assert.deepEqual(index.incidentsForRunbook('db/failover.md'), []);
    assert.deepEqual(index.incidentsWithId('INC-0002').map((i) => i.path), ['incidents/INC-0001.yaml']);

    files.set('incidents/INC-0003.yaml', '- a list\n');
    await index.updateFile('incidents/INC-0003.yaml', read);
    assert.equal(index.getIncident('incidents/INC-0003.yaml')!.id, 'INC-0003', 'the file name stands in for a missing id');

    const rebuilt = new WorkspaceIndex();
    await rebuilt.build([...files.keys()], read);
    assert.deepEqual(index.snapshot(), rebuilt.snapshot());

    assert.equal(index.deleteFolder('incidents'), 3, 'two records and the notes runbook');
    assert.equal(index.incidentCount, 0);
    assert.deepEqual(index.duplicateIncidentIds(), new Map());
    assert.equal(index.runbookCount, 1);
  });

  it('records a read failure of an incident as a problem on it', async () => {
    const index = new WorkspaceIndex();
    await index.build(['incidents/INC-0001.yaml'], async () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    });
    assert.match(index.getIncident('incidents/INC-0001.yaml')!.problems[0].message, /Could not read this file: EACCES/);
  });
});
