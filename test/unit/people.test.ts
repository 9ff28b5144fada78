import { strict as assert } from 'node:assert';
import { codeownersPeople, commanderSuggestions } from '../../src/core/incident/people';

describe('commander suggestions', () => {
  it('reads the individual owners of a CODEOWNERS file, not teams, comments or patterns', () => {
    const text = [
      '# Default owners',
      '*                    @acme/sre   @alice',
      '/database/           @acme/data-platform dba@example.com  # the DBA rota',
      '/incidents/          @bob @alice   @acme/payments',
      '/kubernetes/*.md     not-an-owner',
      '# BEGIN runbook-ops',
      '/queue/orders.md @carol',
      '# END runbook-ops',
      '',
    ].join('\r\n');
    assert.deepEqual(codeownersPeople(text), ['@alice', 'dba@example.com', '@bob', '@carol']);
    assert.deepEqual(codeownersPeople('x @@ a@b @ops.'), []);
  });

  it('puts the most frequent commanders first, then CODEOWNERS people not already named', () => {
    const suggestions = commanderSuggestions(['farah', 'alice', undefined, 'farah', ' ', 'hana', 'Alice'], ['@alice', '@bob', 'dba@example.com']);
    assert.deepEqual(suggestions.map((s) => [s.name, s.commanded, s.fromCodeowners]), [
      ['alice', 2, true],
      ['farah', 2, false],
      ['hana', 1, false],
      ['@bob', 0, true],
      ['dba@example.com', 0, true],
    ]);
  });
});
