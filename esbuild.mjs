// Builds the extension host bundle, the CLI and (with --tests) transpiles the
// test tree to out/ so mocha can run it on Node and inside VS Code.
import * as esbuild from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

/** A hash of every source file: the summary cache is keyed by it, so a build whose parser changed never reads summaries an older one wrote (the version alone stays 0.1.0 between releases). */
function sourceFingerprint(dir) {
  const hash = createHash('sha256');
  const visit = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else hash.update(path).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  visit(dir);
  return hash.digest('hex').slice(0, 16);
}

const define = { VERSION: JSON.stringify(version), BUILD_FINGERPRINT: JSON.stringify(`${version}+${sourceFingerprint('src')}`) };

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  minify: production,
  logLevel: 'warning',
  define,
  // The shell parser (src/core/shellSyntax.ts) is loaded from its own file beside the bundles.
  alias: { 'mvdan-sh': './src/fs/mvdanShBesideBundle.ts' },
};

const bundles = [
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The parallel index build's worker thread (src/fs/parallelIndex.ts), loaded from beside the bundles.
  { ...common, entryPoints: ['src/fs/indexWorker.ts'], outfile: 'dist/indexWorker.js' },
  // The incident board's webview script (webview/board); only dist/webview is a local resource root.
  {
    ...common,
    entryPoints: ['webview/board/main.ts'],
    outfile: 'dist/webview/board.js',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    // No source maps in the webview folder: it is served to the webview, and maps would expose paths.
    sourcemap: false,
  },
];

function listTs(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) found.push(...listTs(full));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) found.push(full);
  }
  return found;
}

/** Test code and the sources it imports, transpiled file by file (no bundling) so stack traces map 1:1. */
function testBuild() {
  return {
    entryPoints: [...listTs('src'), ...listTs('test'), ...listTs('webview')],
    outdir: 'out',
    outbase: '.',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
    define,
  };
}

if (!watch) rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
// The incident schema ships beside the bundles for `contributes.yamlValidation` (README, Incident records).
copyFileSync('src/core/incident/incident.schema.json', 'dist/incident.schema.json');
// mvdan/sh's shell parser (BSD-3-Clause: its licence travels with it), loaded on first use.
copyFileSync('node_modules/mvdan-sh/index.js', 'dist/mvdan-sh.js');
copyFileSync('node_modules/mvdan-sh/LICENSE', 'dist/mvdan-sh.LICENSE');
// The board's stylesheet and the codicon font sit beside its script.
mkdirSync('dist/webview', { recursive: true });
copyFileSync('webview/board/board.css', 'dist/webview/board.css');
copyFileSync('node_modules/@vscode/codicons/dist/codicon.css', 'dist/webview/codicon.css');
copyFileSync('node_modules/@vscode/codicons/dist/codicon.ttf', 'dist/webview/codicon.ttf');

if (watch) {
  const contexts = await Promise.all(bundles.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[esbuild] watching');
} else {
  await Promise.all(bundles.map((b) => esbuild.build(b)));
  // `bin` must be executable for npx and linked installs.
  chmodSync('dist/cli.js', 0o755);
  if (tests) {
    rmSync('out', { recursive: true, force: true });
    await esbuild.build(testBuild());
  }
}
