import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listRepositoryFiles } from '../../src/fs/repositoryFiles';
import { PathClassifier } from '../../src/core/config/paths';
import { parseRunbook, type Runbook } from '../../src/core/runbook/runbook';

const sample = resolve(__dirname, '../../../runbooks');
const classifier = new PathClassifier();

function load(path: string): Runbook {
  return parseRunbook(path, readFileSync(join(sample, path)));
}

function step(runbook: Runbook, id: string) {
  const found = runbook.steps.find((s) => s.id === id);
  assert.ok(found, `${runbook.path} has a step ${id}; it has ${runbook.steps.map((s) => s.id).join(', ')}`);
  return found;
}

describe('the sample runbooks', () => {
  const paths = listRepositoryFiles(sample).filter((p) => classifier.classify(p) === 'runbook');

  it('are all found, README and incidents excluded', () => {
    assert.equal(paths.length, 15);
    assert.ok(!paths.includes('README.md'));
    assert.ok(paths.every((p) => !p.startsWith('incidents/')));
  });

  it('parse without problems, every one with runnable steps and unique step ids', () => {
    for (const path of paths) {
      const runbook = load(path);
      assert.deepEqual(runbook.problems, [], path);
      assert.ok(runbook.steps.some((s) => s.runnable), `${path} has a runnable step`);
      assert.equal(new Set(runbook.steps.map((s) => s.id)).size, runbook.steps.length, `${path} ids are unique`);
    }
  });

  it('read front matter, named dangerous steps and declared placeholders', () => {
    const rollback = load('kubernetes/checkout-api-rollback.md');
    assert.equal(rollback.title, 'Roll back checkout-api');
    assert.deepEqual(rollback.services, ['checkout-api']);
    const rb = step(rollback, 'rollback');
    assert.equal(rb.confirm, true);
    assert.deepEqual(rb.placeholders.map((p) => [p.syntax, p.name]), [['mustache', 'namespace'], ['mustache', 'revision']]);
    const failover = load('database/postgres-failover.md');
    assert.equal(failover.variables.pg_password?.secret, true);
  });

  it('take the error-budget step that exits 3 and the marker-file step as the runner will see them', () => {
    const smoke = load('kubernetes/checkout-api-smoke.md');
    assert.deepEqual(step(smoke, 'check-the-error-budget').commands, ['check-error-budget checkout-api --window {{window}}']);
    const node = load('kubernetes/node-not-ready.md');
    const marker = step(node, 'record-drain');
    assert.deepEqual(marker.commands, ['echo "drained {{node}}" > /tmp/runbook-ops-marker.txt\ncat /tmp/runbook-ops-marker.txt']);
    assert.deepEqual(marker.placeholders.map((p) => p.tokens), [['{{node}}']]);
  });

  it('never take a Go template for a placeholder, and take alert-label variables', () => {
    const node = load('kubernetes/node-not-ready.md');
    const template = node.steps.find((s) => s.commands.some((c) => c.includes('{{range .items}}')));
    assert.ok(template);
    assert.deepEqual(template.placeholders, []);
    const kafka = load('alerts/kafka/KafkaConsumerGroupLagHigh.md');
    assert.equal(kafka.title, 'KafkaConsumerGroupLagHigh');
    assert.deepEqual(step(kafka, 'diagnosis-2').placeholders.map((p) => p.tokens[0]), ['$NAMESPACE', '$CONSUMERGROUP']);
  });

  it('tell transcripts, copy-only blocks and guessed blocks apart', () => {
    const lag = load('database/postgres-replication-lag.md');
    const psql = step(lag, 'measure-the-lag');
    assert.equal(psql.shape, 'foreign-transcript');
    assert.equal(psql.runnable, false);
    const checklist = load('oncall/incident-commander-checklist.md');
    const guessed = step(checklist, 'gather-context');
    assert.equal(guessed.language, '');
    assert.equal(guessed.languageGuessed, true);
    assert.deepEqual(guessed.commands, ['date -u']);
    const dlq = load('queue/dead-letter-queue.md');
    assert.match(step(dlq, 'dlq-plan').commands[0], /^cat > \/tmp\/runbook-ops-dlq-replay\.txt <<'EOF_PLAN'\n[\s\S]*\nEOF_PLAN\ncat /);
  });
});
