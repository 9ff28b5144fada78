// Extension-host side of the bench's activation row (test/bench/activationBench.ts): loaded by code-server
// as the development payload's extensionTestsPath, it shows the Runbooks view, waits for the first index
// build and writes the extension's own timings to the file named by RUNBOOK_OPS_ACTIVATION_RESULTS.
import { existsSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { RunbookOpsApi } from '../../src/extension/extension';
import { ACTIVATION_RESULTS_ENV, viewSeenFile, type ActivationProbeResult } from './activationProtocol';

const VIEW_WAIT_MS = 180_000;

export async function run(): Promise<void> {
  // Visible before indexing ends, so the view renders as soon as the index is there (as for a user who has it open).
  await vscode.commands.executeCommand('runbookOps.runbooks.focus');
  const extension = vscode.extensions.getExtension<RunbookOpsApi>('runbook-ops.runbook-ops');
  if (!extension) throw new Error('the Runbook Ops extension is not loaded');
  const api = await extension.activate();
  await api.indexed;
  const result: ActivationProbeResult = {
    activationMs: api.activationMs,
    activationStartedAt: api.activationStartedAt,
    indexedAt: Date.now(),
    runbooks: api.index.runbookCount(),
    incidents: api.index.incidents().length,
  };
  const file = process.env[ACTIVATION_RESULTS_ENV];
  if (!file) throw new Error(`${ACTIVATION_RESULTS_ENV} is not set`);
  writeFileSync(file, `${JSON.stringify(result)}\n`);
  // Returning ends the extension host (and empties the view): wait until the bench has seen the rows.
  const deadline = Date.now() + VIEW_WAIT_MS;
  while (!existsSync(viewSeenFile(file)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}
