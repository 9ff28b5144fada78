import * as vscode from 'vscode';
import { givenUpRunbook } from '../core/index/parseBudget';
import { parseRunbook, type Runbook } from '../core/runbook/runbook';
import { confirmStepsWithShellParser } from '../core/runbook/stepRunnability';
import { programOnPath } from '../fs/programOnPath';
import type { RunbookIndexService } from './runbookIndexService';
import { Disposable } from './dispose';

/**
 * Parses open runbook documents from their current (possibly unsaved) text, once per version, for the
 * CodeLens, the Steps view and the commands that act on the step under the cursor. Steps are offered
 * to run only once the shell parser accepts them. A text an index worker gave up on (parse budget,
 * issue 14) is never parsed here: it reads as a runbook without steps whose one problem says so,
 * until a worker has parsed the document's changed text in time.
 */
export class RunbookDocuments extends Disposable {
  private readonly cache = new Map<string, { version: number; runbook: Runbook }>();
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  /** Fires when documents may read differently without being edited (a worker gave up on one, or no longer). */
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly index: RunbookIndexService) {
    super();
    this.register(vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString())));
    this.register(index.onDidChangeGivenUp(() => {
      this.cache.clear();
      this.changeEmitter.fire();
    }));
  }

  /** The parsed runbook for `document`, or undefined when the document is not a runbook. */
  get(document: vscode.TextDocument): Runbook | undefined {
    if (document.languageId !== 'markdown' || this.index.classify(document.uri) !== 'runbook') return undefined;
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version) return cached.runbook;
    const path = vscode.workspace.asRelativePath(document.uri, false);
    const text = document.getText();
    const problem = this.index.mayParse(document.uri, text) ? undefined : this.index.givenUpProblem(document.uri);
    const runbook = problem ? givenUpRunbook(path, problem) : confirmStepsWithShellParser(parseRunbook(path, text), { programExists: programOnPath });
    this.cache.set(key, { version: document.version, runbook });
    return runbook;
  }

  /**
   * The problem that keeps the steps of `uri` from being read in this thread now (a worker gave up on
   * its current text), for commands that would otherwise parse it to run or copy a step.
   */
  async givenUpProblem(uri: vscode.Uri): Promise<string | undefined> {
    return (await this.index.mayParseNow(uri)) ? undefined : this.index.givenUpProblem(uri)?.message;
  }
}
