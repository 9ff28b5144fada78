import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../harness/paths';

interface Manifest {
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    configuration: { properties: Record<string, { description?: string; markdownDescription?: string; enumDescriptions?: string[] }> };
  };
}

const manifestText = readFileSync(join(repoRoot, 'package.json'), 'utf8');
const manifest = JSON.parse(manifestText) as Manifest;
const nls = JSON.parse(readFileSync(join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
const PLACEHOLDER = /^%([^%\s]+)%$/;

/** Every string value in the manifest, depth first. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('package.json localization (package.nls.json)', () => {
  const used = strings(manifest).map((s) => PLACEHOLDER.exec(s)?.[1]).filter((k): k is string => k !== undefined);

  it('defines every %key% the manifest uses, and no unused key', () => {
    assert.deepEqual(used.filter((k) => !(k in nls)), []);
    assert.deepEqual(Object.keys(nls).filter((k) => !used.includes(k)), []);
  });

  it('puts every user-facing command title, category and setting description through a key', () => {
    for (const { command, title, category } of manifest.contributes.commands) {
      assert.match(title, PLACEHOLDER, command);
      if (category !== undefined) assert.match(category, PLACEHOLDER, command);
    }
    for (const [key, setting] of Object.entries(manifest.contributes.configuration.properties)) {
      const texts = [setting.description, setting.markdownDescription, ...(setting.enumDescriptions ?? [])].filter((t) => t !== undefined);
      assert.ok(texts.length > 0, `${key} has a description`);
      for (const text of texts) assert.match(text!, PLACEHOLDER, key);
    }
  });

  it('has English text for each key', () => {
    for (const [key, text] of Object.entries(nls)) assert.ok(text.trim().length > 0, key);
    assert.equal(nls['commands.runbookOps.installMergeDriver.title'], 'Install Merge Driver');
  });
});
