import * as vscode from 'vscode';
import type { RunbookDocuments } from './runbookDocuments';
import { Disposable } from './dispose';
import { setting } from './configuration';
import { COMMAND, SETTINGS } from './contributions';

/** `▶ Run`, `Run from here` and `Copy` on every step; `Run all` on the runbook's title. */
export class StepCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changeEmitter.event;

  constructor(private readonly documents: RunbookDocuments) {
    super();
    this.register(documents.onDidChange(() => this.changeEmitter.fire()));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS.codeLensEnabled.key)) this.changeEmitter.fire();
    }));
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!setting(SETTINGS.codeLensEnabled)) return [];
    const runbook = this.documents.get(document);
    if (!runbook || runbook.steps.length === 0) return [];
    const lenses: vscode.CodeLens[] = [];
    const at = (line: number): vscode.Range => new vscode.Range(line - 1, 0, line - 1, 0);
    if (runbook.steps.some((s) => s.runnable)) {
      lenses.push(new vscode.CodeLens(at(runbook.titleLine), {
        title: vscode.l10n.t('$(run-all) Run all'),
        tooltip: vscode.l10n.t('Run every runnable step in order; stops at the first failure'),
        command: COMMAND.runAll,
        arguments: [document.uri],
      }));
    }
    for (const step of runbook.steps) {
      const range = at(step.startLine);
      if (step.runnable) {
        lenses.push(
          new vscode.CodeLens(range, { title: vscode.l10n.t('▶ Run'), tooltip: step.commands.join('\n'), command: COMMAND.runStep, arguments: [document.uri, step.id] }),
          new vscode.CodeLens(range, { title: vscode.l10n.t('Run from here'), command: COMMAND.runFromHere, arguments: [document.uri, step.id] }),
        );
      }
      lenses.push(new vscode.CodeLens(range, {
        title: vscode.l10n.t('Copy'),
        tooltip: step.runnable ? undefined : step.reason,
        command: COMMAND.copyStep,
        arguments: [document.uri, step.id],
      }));
    }
    return lenses;
  }
}
