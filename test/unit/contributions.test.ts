import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND, SETTINGS } from '../../src/extension/contributions';
import { repoRoot } from '../harness/paths';

interface Manifest {
  contributes: {
    commands: { command: string }[];
    configuration: { properties: Record<string, { default?: unknown }> };
  };
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Manifest;

describe('command ids and setting keys (src/extension/contributions.ts)', () => {
  it('lists exactly the commands package.json contributes', () => {
    assert.deepEqual(Object.values(COMMAND).sort(), manifest.contributes.commands.map((c) => c.command).sort());
  });

  it('lists exactly the settings package.json declares, with the same defaults', () => {
    const declared = manifest.contributes.configuration.properties;
    assert.deepEqual(Object.values(SETTINGS).map((s) => s.key).sort(), Object.keys(declared).sort());
    for (const s of Object.values(SETTINGS)) assert.deepEqual(s.default, declared[s.key].default, s.key);
  });
});
