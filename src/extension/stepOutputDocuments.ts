import * as vscode from 'vscode';
import { Disposable } from './dispose';
import type { StepStateStore } from './stepStateStore';

export const STEP_OUTPUT_SCHEME = 'runbook-ops-output';

/**
 * Show Output of a step (issue 19, item 4): a read-only document of the last lines its last run printed,
 * as the Steps view keeps them (secrets masked). It follows the store, so a new run refreshes it.
 */
export class StepOutputDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changeEmitter.event;
  private readonly open = new Map<string, vscode.Uri>();

  constructor(private readonly states: StepStateStore) {
    super();
    this.register(vscode.workspace.registerTextDocumentContentProvider(STEP_OUTPUT_SCHEME, this));
    this.register(states.onDidChange((runbook) => {
      for (const [key, uri] of this.open) if (key.startsWith(`${runbook}#`)) this.changeEmitter.fire(uri);
    }));
  }

  /** The document's URI: named after the step, for the editor tab; the query says which runbook. */
  uriFor(runbook: vscode.Uri, stepId: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: STEP_OUTPUT_SCHEME, path: `/${vscode.workspace.asRelativePath(runbook, false)} #${stepId}.log`, query: JSON.stringify({ runbook: runbook.toString(), stepId }) });
    this.open.set(`${runbook.toString()}#${stepId}`, uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    let runbook: string;
    let stepId: string;
    try {
      ({ runbook, stepId } = JSON.parse(uri.query) as { runbook: string; stepId: string });
    } catch {
      return vscode.l10n.t('Not a step output: {0}', uri.toString());
    }
    const state = this.states.get(vscode.Uri.parse(runbook), stepId);
    if (!state || state.status === 'running') return vscode.l10n.t('#{0} has no finished run yet.', stepId);
    const exit = state.exitCode !== undefined ? vscode.l10n.t('exit {0}', state.exitCode) : state.status;
    const header = vscode.l10n.t('#{0}, run at {1} ({2})', stepId, state.startedAt, exit);
    if (state.output === undefined) return `${header}\n${vscode.l10n.t('No output was read: it printed nothing, or the terminal had no shell integration.')}\n`;
    const cut = state.outputTruncated ? `${vscode.l10n.t('(earlier lines not kept)')}\n` : '';
    return `${header}\n${cut}${state.output}\n`;
  }
}
