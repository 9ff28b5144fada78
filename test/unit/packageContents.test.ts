// What `npm run package` ships, as `vsce ls` lists it: the bundles (extension, CLI, index worker,
// board webview), the shell parser with its licence, the schema, the manifest and its strings, the icon and the docs. No sources,
// tests, source maps or development files, and nothing in the shipped files names this machine's paths.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

describe('the packaged extension (vsce ls)', function () {
  this.timeout(60_000);
  let files: string[];

  before(() => {
    const output = execFileSync(process.execPath, [join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'ls', '--no-dependencies'], { cwd: repoRoot, encoding: 'utf8' });
    files = output.split('\n').map((line) => line.trim()).filter(Boolean).sort();
  });

  it('contains exactly the bundles, the board assets, the schema, the manifest and the docs', () => {
    assert.deepEqual(files, EXPECTED);
  });

  it('ships no file that names a path of the machine it was built on', () => {
    for (const file of files.filter((f) => !f.endsWith('.ttf'))) {
      assert.ok(!readFileSync(join(repoRoot, file), 'utf8').includes(repoRoot), `${file} contains ${repoRoot}`);
    }
  });
});
