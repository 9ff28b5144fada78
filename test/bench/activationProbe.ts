// Extension-host side of the bench's activation row (test/bench/activationBench.ts): loaded by code-server
// as the development payload's extensionTestsPath, it shows the Runbooks view, waits for the first index
// build and for the bench to see the view's rows, times a few one-file edits, and writes the
// extension's own timings to the file named by RUNBOOK_OPS_ACTIVATION_RESULTS.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { RunbookOpsApi } from '../../src/extension/extension';
import { ACTIVATION_RESULTS_ENV, probeRunbookPath, viewSeenFile, type ActivationProbeResult } from './activationProtocol';

const VIEW_WAIT_MS = 180_000;
const EDITS = 5;
/** After an edit's change event: long enough for the views' refresh and the debounced diagnostics. */
const SETTLE_MS = 1_000;
const CHANGE_WAIT_MS = 30_000;
const STARTUP_QUIET_MS = 5_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function nextChange(api: RunbookOpsApi): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no index change within ${CHANGE_WAIT_MS} ms`)), CHANGE_WAIT_MS);
    const subscription = api.index.onDidChange(() => {
      clearTimeout(timer);
      subscription.dispose();
      resolve();
    });
  });
}

function runbookText(edit: number): string {
  return `# Bench probe runbook, edit ${edit}\n\n## Check\n\n\`\`\`sh\nkubectl get pods -n probe-${edit}\n\`\`\`\n`;
}

/**
 * What one saved file costs once the workspace is indexed and the view is up: a runbook the probe adds
 * to the corpus (and removes after) is rewritten on disk `EDITS` times, as an editor save or a
 * `git pull` of one file would, and each time the probe times the change event and the extension
 * host's busy time (event-loop utilization) over the edit and the second after it.
 */
async function measureEdits(api: RunbookOpsApi, root: string): Promise<Pick<ActivationProbeResult, 'changeLatencyMs' | 'changeBusyMs'>> {
  const file = probeRunbookPath(root);
  const out = { changeLatencyMs: [] as number[], changeBusyMs: [] as number[] };
  try {
    let changed = nextChange(api);
    writeFileSync(file, runbookText(0));
    await changed;
    // Past the work that follows the first index (review dates from git, their diagnostics).
    await sleep(STARTUP_QUIET_MS);
    for (let edit = 1; edit <= EDITS; edit++) {
      changed = nextChange(api);
      const before = performance.eventLoopUtilization();
      const started = performance.now();
      writeFileSync(file, runbookText(edit));
      await changed;
      out.changeLatencyMs.push(performance.now() - started);
      await sleep(SETTLE_MS);
      out.changeBusyMs.push(performance.eventLoopUtilization(before).active);
    }
  } finally {
    // The corpus is cached for later runs: leave it as it was.
    const changed = nextChange(api);
    rmSync(file, { force: true });
    await changed.catch(() => undefined);
  }
  return out;
}

export async function run(): Promise<void> {
  // Visible before indexing ends, so the view renders as soon as the index is there (as for a user who has it open).
  await vscode.commands.executeCommand('runbookOps.runbooks.focus');
  const extension = vscode.extensions.getExtension<RunbookOpsApi>('runbook-ops.runbook-ops');
  if (!extension) throw new Error('the Runbook Ops extension is not loaded');
  const api = await extension.activate();
  await api.indexed;
  const indexedAt = Date.now();
  const runbooks = api.index.runbookCount();
  const incidents = api.index.incidents().length;
  const file = process.env[ACTIVATION_RESULTS_ENV];
  if (!file) throw new Error(`${ACTIVATION_RESULTS_ENV} is not set`);
  // Returning ends the extension host (and empties the view): wait until the bench has seen the rows.
  const deadline = Date.now() + VIEW_WAIT_MS;
  while (!existsSync(viewSeenFile(file)) && Date.now() < deadline) await sleep(100);
  const edits = await measureEdits(api, vscode.workspace.workspaceFolders![0].uri.fsPath);
  const result: ActivationProbeResult = { activationMs: api.activationMs, activationStartedAt: api.activationStartedAt, indexedAt, runbooks, incidents, ...edits };
  writeFileSync(file, `${JSON.stringify(result)}\n`);
}
