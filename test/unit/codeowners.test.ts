import { strict as assert } from 'node:assert';
import {
  codeownersBlockDifferences,
  codeownersPattern,
  findCodeownersBlock,
  ownerHandles,
  planCodeowners,
  renderCodeownersBlock,
  replaceCodeownersBlock,
} from '../../src/core/check/codeowners';

describe('CODEOWNERS from runbook owners (src/core/codeowners)', () => {
  it('reads owners CODEOWNERS can route to, and tells the others apart', () => {
    assert.deepEqual(ownerHandles('@acme/payments'), { routable: ['@acme/payments'], unroutable: [] });
    assert.deepEqual(ownerHandles('@acme/payments, @alice ops@acme.example'), { routable: ['@acme/payments', '@alice', 'ops@acme.example'], unroutable: [] });
    assert.deepEqual(ownerHandles('team-payments'), { routable: [], unroutable: ['team-payments'] });
    assert.deepEqual(ownerHandles(undefined), { routable: [], unroutable: [] });
  });

  it('writes exact, escaped patterns anchored at the git root', () => {
    assert.equal(codeownersPattern('', 'db/failover.md'), '/db/failover.md');
    assert.equal(codeownersPattern('ops/runbooks/', 'db/failover.md'), '/ops/runbooks/db/failover.md');
    assert.equal(codeownersPattern('', 'Zürich on-call/#1 [draft].md'), '/Zürich\\ on-call/\\#1\\ \\[draft\\].md');
  });

  it('routes incidents to the owners of their services, preferring runbooks that list the service first', () => {
    const plan = planCodeowners(
      [
        { path: 'db/failover.md', owner: '@acme/data', services: ['postgres', 'checkout-api'] },
        { path: 'k8s/rollback.md', owner: '@acme/payments', services: ['checkout-api'] },
        { path: 'queue/lag.md', owner: '@acme/fulfilment', services: ['orders-queue', 'orders-worker'] },
        { path: 'db/vacuum.md', owner: '@acme/data', services: ['orders-worker'] },
        { path: 'misc/notes.md', owner: 'team-misc', services: ['misc'] },
        { path: 'misc/none.md', services: [] },
      ],
      [
        { path: 'incidents/INC-1.yaml', services: ['checkout-api'] },
        { path: 'incidents/INC-2.yaml', services: ['orders-queue', 'postgres'] },
        { path: 'incidents/INC-3.yaml', services: ['unknown-service'] },
      ],
      'runbooks',
    );
    assert.deepEqual(Object.fromEntries(plan.serviceOwners), {
      'checkout-api': ['@acme/payments'],
      'orders-queue': ['@acme/fulfilment'],
      // vacuum.md lists it first; lag.md only mentions it.
      'orders-worker': ['@acme/data'],
      postgres: ['@acme/data'],
    });
    assert.deepEqual(plan.unroutable, [{ path: 'misc/notes.md', owner: 'team-misc' }]);
    assert.deepEqual(renderCodeownersBlock(plan).slice(1), [
      '# Runbooks: their front-matter owner',
      '/runbooks/db/failover.md @acme/data',
      '/runbooks/db/vacuum.md @acme/data',
      '/runbooks/k8s/rollback.md @acme/payments',
      '/runbooks/queue/lag.md @acme/fulfilment',
      '# Incidents: the owners of their services',
      '/runbooks/incidents/INC-1.yaml @acme/payments',
      '/runbooks/incidents/INC-2.yaml @acme/fulfilment @acme/data',
      '# END runbook-ops',
    ]);
  });

  it('creates, appends or replaces only the marked block', () => {
    const block = ['# BEGIN runbook-ops: generated', '/a.md @acme/a', '# END runbook-ops'];
    assert.equal(replaceCodeownersBlock(undefined, block), '# BEGIN runbook-ops: generated\n/a.md @acme/a\n# END runbook-ops\n');
    const handWritten = '* @acme/sre\n/docs/ @acme/writers\n\n';
    const appended = replaceCodeownersBlock(handWritten, block);
    assert.equal(appended, '* @acme/sre\n/docs/ @acme/writers\n\n# BEGIN runbook-ops: generated\n/a.md @acme/a\n# END runbook-ops\n');
    const replaced = replaceCodeownersBlock(`${appended}/late.md @acme/late\n`, ['# BEGIN runbook-ops: generated', '/b.md @acme/b', '# END runbook-ops']);
    assert.equal(replaced, '* @acme/sre\n/docs/ @acme/writers\n\n# BEGIN runbook-ops: generated\n/b.md @acme/b\n# END runbook-ops\n/late.md @acme/late\n');
    assert.equal(replaceCodeownersBlock('* @acme/sre\r\n', block), '* @acme/sre\r\n\r\n# BEGIN runbook-ops: generated\r\n/a.md @acme/a\r\n# END runbook-ops\r\n');
    assert.deepEqual(findCodeownersBlock('x\n# BEGIN runbook-ops\n/a.md @a\n'), { start: 1, end: 3, lines: ['# BEGIN runbook-ops', '/a.md @a', ''] });
    assert.deepEqual(codeownersBlockDifferences(['/a.md @a', '/b.md @b '], ['/a.md @a', '/c.md @c']), { missing: ['/c.md @c'], extra: ['/b.md @b '] });
  });
});
