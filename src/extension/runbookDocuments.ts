import * as vscode from 'vscode';
import { parseRunbook, type Runbook } from '../core/runbook';
import { confirmStepsWithShellParser } from '../core/stepRunnability';
import type { RunbookIndexService } from './runbookIndexService';

/**
 * Parses open runbook documents from their current (possibly unsaved) text, once per version, for the
 * CodeLens, the Steps view and the commands that act on the step under the cursor. Steps are offered
 * to run only once the shell parser accepts them.
 */
export class RunbookDocuments implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; runbook: Runbook }>();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly index: RunbookIndexService) {
    this.disposables = [vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString()))];
  }

  /** The parsed runbook for `document`, or undefined when the document is not a runbook. */
  get(document: vscode.TextDocument): Runbook | undefined {
    if (document.languageId !== 'markdown' || this.index.classify(document.uri) !== 'runbook') return undefined;
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version) return cached.runbook;
    const runbook = confirmStepsWithShellParser(parseRunbook(vscode.workspace.asRelativePath(document.uri, false), document.getText()));
    this.cache.set(key, { version: document.version, runbook });
    return runbook;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
