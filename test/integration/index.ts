// Test entry that VS Code loads in the extension host (extensionTestsPath):
// the standard contract is an exported async run() that rejects on failures.
// It runs in code-server (offline route) and in desktop VS Code (test-electron).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMochaFiles } from '../harness/mochaRun';
import { findFiles } from '../harness/paths';

/** Env var naming the JSON file that receives the counts, for the Node side to read. */
export const TEST_RESULTS_ENV = 'RUNBOOK_OPS_TEST_RESULTS';

export async function run(): Promise<void> {
  // This file is out/test/integration/index.js; the tests sit next to it, the Restricted Mode ones in untrusted/.
  const untrustedDir = join(__dirname, 'untrusted');
  const files = process.env.RUNBOOK_OPS_INTEGRATION_SUITE === 'untrusted'
    ? findFiles(untrustedDir, '.test.js')
    : findFiles(__dirname, '.test.js').filter((file) => !file.startsWith(`${untrustedDir}/`));
  // RUNBOOK_OPS_GREP=<text>: only the tests whose full title contains it (while developing).
  const counts = await runMochaFiles(files, { timeout: 30_000, color: false, grep: process.env.RUNBOOK_OPS_GREP || undefined });
  const resultsFile = process.env[TEST_RESULTS_ENV];
  if (resultsFile) writeFileSync(resultsFile, `${JSON.stringify(counts, null, 2)}\n`);
  if (files.length === 0) throw new Error(`no *.test.js files under ${join(__dirname)}`);
  if (counts.failed > 0) throw new Error(`${counts.failed} integration test(s) failed`);
}
