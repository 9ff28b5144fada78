/**
 * What `require('mvdan-sh')` resolves to in the bundles (esbuild.mjs aliases the package to this file):
 * the parser's own file beside the bundle, copied there by the build, so the 1.5 MB parser is read only
 * when a step is first parsed (src/core/shellSyntax.ts) and the vsix needs no node_modules.
 */
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- a file chosen at run time, beside the bundle
module.exports = require(join(__dirname, 'mvdan-sh.js'));
