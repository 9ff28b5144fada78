import * as vscode from 'vscode';
import type { RunbookDocuments } from './runbookDocuments';

/** `▶ Run`, `Run from here` and `Copy` on every step; `Run all` on the runbook's title. */
export class StepCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changeEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.changeEmitter];

  constructor(private readonly documents: RunbookDocuments) {
    this.disposables.push(documents.onDidChange(() => this.changeEmitter.fire()));
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('runbookOps.codeLens.enabled')) this.changeEmitter.fire();
    }));
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.getConfiguration('runbookOps').get<boolean>('codeLens.enabled', true)) return [];
    const runbook = this.documents.get(document);
    if (!runbook || runbook.steps.length === 0) return [];
    const lenses: vscode.CodeLens[] = [];
    const at = (line: number): vscode.Range => new vscode.Range(line - 1, 0, line - 1, 0);
    if (runbook.steps.some((s) => s.runnable)) {
      lenses.push(new vscode.CodeLens(at(runbook.titleLine), {
        title: vscode.l10n.t('$(run-all) Run all'),
        tooltip: vscode.l10n.t('Run every runnable step in order; stops at the first failure'),
        command: 'runbookOps.runAll',
        arguments: [document.uri],
      }));
    }
    for (const step of runbook.steps) {
      const range = at(step.startLine);
      if (step.runnable) {
        lenses.push(
          new vscode.CodeLens(range, { title: vscode.l10n.t('▶ Run'), tooltip: step.commands.join('\n'), command: 'runbookOps.runStep', arguments: [document.uri, step.id] }),
          new vscode.CodeLens(range, { title: vscode.l10n.t('Run from here'), command: 'runbookOps.runFromHere', arguments: [document.uri, step.id] }),
        );
      }
      lenses.push(new vscode.CodeLens(range, {
        title: vscode.l10n.t('Copy'),
        tooltip: step.runnable ? undefined : step.reason,
        command: 'runbookOps.copyStep',
        arguments: [document.uri, step.id],
      }));
    }
    return lenses;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
