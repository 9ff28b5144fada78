// What `npm run package` ships, run as from a fresh clone (no dist/, no repository URL, offline): the
// bundles (extension, CLI, index worker, board webview), the shell parser with its licence, the schema,
// the manifest and its strings, the icon and the docs. No sources, tests, source maps or development
// files, and nothing in the shipped files names a build machine path.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageFromFreshCopy, readZip, type FreshCopy } from '../harness/packageExtension';
import { repoRoot } from '../harness/paths';

const EXPECTED = [
  'CHANGELOG.md',
  'LICENSE',
  'README.md',
  'dist/cli.js',
  'dist/extension.js',
  'dist/incident.schema.json',
  'dist/indexWorker.js',
  'dist/mvdan-sh.LICENSE',
  'dist/mvdan-sh.js',
  'dist/webview/board.css',
  'dist/webview/board.js',
  'dist/webview/codicon.css',
  'dist/webview/codicon.ttf',
  'media/runbook-ops.svg',
  'package.json',
  'package.nls.json',
];

/** vsce stores these under other names inside the .vsix. */
const STORED_AS: Record<string, string> = { 'README.md': 'readme.md', 'CHANGELOG.md': 'changelog.md', LICENSE: 'LICENSE.txt' };

describe('npm run package (from a fresh clone)', function () {
  // Measured at about 5 s (esbuild --production, then vsce); generous for a loaded machine.
  this.timeout(180_000);
  let copy: FreshCopy | undefined;
  let entries: Map<string, Buffer>;
  const file = (name: string): Buffer => {
    const data = entries.get(`extension/${STORED_AS[name] ?? name}`);
    assert.ok(data, `${name} is in the .vsix`);
    return data;
  };

  before(async () => {
    const packaged = await packageFromFreshCopy();
    copy = packaged.copy;
    entries = readZip(packaged.vsix);
  });

  after(() => copy?.cleanup());

  it('writes a .vsix holding exactly the bundles, the board assets, the schema, the manifest and the docs', () => {
    const shipped = [...entries.keys()].filter((name) => name.startsWith('extension/')).map((name) => name.slice('extension/'.length));
    const byStoredName = new Map(Object.entries(STORED_AS).map(([name, stored]) => [stored, name]));
    assert.deepEqual(shipped.map((name) => byStoredName.get(name) ?? name).sort(), EXPECTED);
    assert.ok(entries.has('extension.vsixmanifest'));
  });

  it('ships the manifest as written and production bundles', () => {
    assert.deepEqual(JSON.parse(file('package.json').toString('utf8')), JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')));
    assert.ok(!file('dist/extension.js').toString('utf8').includes('sourceMappingURL'), 'no source maps in a production build');
  });

  it('keeps the README as written: its relative links are not rewritten to a made-up repository URL', () => {
    assert.equal(file('README.md').toString('utf8'), readFileSync(join(repoRoot, 'README.md'), 'utf8'));
  });

  it('ships no file that names a path of the machine it was built on', () => {
    for (const [name, data] of entries) {
      if (/\.(png|ttf)$/.test(name)) continue;
      const text = data.toString('utf8');
      for (const path of [repoRoot, copy!.path]) assert.ok(!text.includes(path), `${name} contains ${path}`);
    }
  });
});
