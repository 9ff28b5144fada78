// What the activation probe (inside VS Code) hands the bench (outside it), in a module both load:
// the probe's module imports `vscode`, which exists only in the extension host.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Env var naming the file the probe writes its {@link ActivationProbeResult} to. */
export const ACTIVATION_RESULTS_ENV = 'RUNBOOK_OPS_ACTIVATION_RESULTS';

export interface ActivationProbeResult {
  activationMs: number;
  /** Epoch ms when activate() started. */
  activationStartedAt: number;
  /** Epoch ms when the first full index build had finished. */
  indexedAt: number;
  runbooks: number;
  incidents: number;
  /** Per edit of one runbook on disk, once the view is up: file written → the index's change event, ms. */
  changeLatencyMs: number[];
  /** Per edit: the extension host's busy time over the edit and the second after it (watcher, index, views, diagnostics), ms. */
  changeBusyMs: number[];
}

/** The bench writes this file (beside the results) once it saw the populated view; the probe waits for it before it returns. */
export function viewSeenFile(resultsFile: string): string {
  return `${resultsFile}.view-seen`;
}

/**
 * The runbook the probe adds to the corpus for its edits and removes after; the bench also removes it
 * before a session, in case a killed run left it (the corpus is cached between runs).
 */
export function probeRunbookPath(corpusRoot: string): string {
  const service = readdirSync(corpusRoot, { withFileTypes: true }).find((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'incidents');
  if (!service) throw new Error(`no service folder in ${corpusRoot}`);
  return join(corpusRoot, service.name, 'zz-bench-probe.md');
}
