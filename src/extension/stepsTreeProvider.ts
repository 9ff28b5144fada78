import * as vscode from 'vscode';
import type { RunbookStep } from '../core/runbook/runbook';
import { describeOutcome } from '../core/runbook/stepSequence';
import type { RunbookDocuments } from './runbookDocuments';
import type { StepState, StepStateStore } from './stepStateStore';
import { Disposable } from './dispose';
import { COMMAND } from './contributions';

export interface StepNode {
  kind: 'step';
  uri: vscode.Uri;
  step: RunbookStep;
}

function stateIcon(step: RunbookStep, state: StepState | undefined): vscode.ThemeIcon {
  if (!step.runnable) return new vscode.ThemeIcon('copy');
  switch (state?.status) {
    case 'running':
      return new vscode.ThemeIcon('sync~spin');
    case 'succeeded':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'timed-out':
      return new vscode.ThemeIcon('watch', new vscode.ThemeColor('testing.iconQueued'));
    case 'unknown':
    case 'cancelled':
      return new vscode.ThemeIcon('question');
    default:
      return new vscode.ThemeIcon('circle-large-outline');
  }
}

/** Words for a step's state as the Steps view shows them. */
export function describeStepState(step: RunbookStep, state: StepState | undefined): string {
  if (!step.runnable) return vscode.l10n.t('copy only');
  if (!state) return vscode.l10n.t('not run');
  if (state.status === 'running') return vscode.l10n.t('running…');
  const when = new Date(state.startedAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return `${describeOutcome(state)} · ${when}`;
}

/** The *Steps* view: the steps of the runbook in the active editor, in order, with their last run. */
export class StepsTreeProvider extends Disposable implements vscode.TreeDataProvider<StepNode> {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private current: vscode.Uri | undefined;
  private view: vscode.TreeView<StepNode> | undefined;

  constructor(private readonly documents: RunbookDocuments, private readonly states: StepStateStore) {
    super();
    this.register(vscode.window.onDidChangeActiveTextEditor(() => this.followEditor()));
    this.register(vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.toString() === this.current?.toString()) this.changeEmitter.fire();
    }));
    this.register(states.onDidChange((uri) => {
      if (uri === this.current?.toString()) this.changeEmitter.fire();
    }));
    this.register(documents.onDidChange(() => this.changeEmitter.fire()));
    this.followEditor();
  }

  attach(view: vscode.TreeView<StepNode>): void {
    this.view = view;
    this.updateMessage();
  }

  /** The runbook the view shows. */
  get runbookUri(): vscode.Uri | undefined {
    return this.current;
  }

  private followEditor(): void {
    const document = vscode.window.activeTextEditor?.document;
    // Keep showing the last runbook while focus is in a terminal or another non-runbook editor.
    if (!document || !this.documents.get(document)) return;
    this.current = document.uri;
    void vscode.commands.executeCommand('setContext', 'runbookOps.stepsShowing', true);
    this.updateMessage();
    this.changeEmitter.fire();
  }

  private updateMessage(): void {
    if (!this.view) return;
    this.view.message = this.current ? undefined : vscode.l10n.t('Open a runbook to see its steps.');
    this.view.description = this.current ? vscode.workspace.asRelativePath(this.current, false) : undefined;
  }

  getChildren(element?: StepNode): StepNode[] {
    if (element || !this.current) return [];
    const uri = this.current;
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const runbook = document && this.documents.get(document);
    return runbook ? runbook.steps.map((step) => ({ kind: 'step', uri, step })) : [];
  }

  getTreeItem(node: StepNode): vscode.TreeItem {
    const { step, uri } = node;
    const state = this.states.get(uri, step.id);
    const item = new vscode.TreeItem(step.title, vscode.TreeItemCollapsibleState.None);
    item.id = `${uri.toString()}#${step.id}`;
    item.description = describeStepState(step, state);
    item.iconPath = stateIcon(step, state);
    // `.output`: the last run left output to show (Show Output).
    item.contextValue = `${step.runnable ? 'step.runnable' : 'step.copyOnly'}${state?.output !== undefined ? '.output' : ''}`;
    const tooltip = new vscode.MarkdownString();
    // The view is narrow: the tooltip carries the full title and the full last result.
    tooltip.appendText(`${step.title} (#${step.id}, line ${step.startLine})\n`);
    tooltip.appendText(`${vscode.l10n.t('Last result: {0}', item.description)}\n`);
    if (step.runnable) tooltip.appendCodeblock(step.commands.join('\n'), step.language === 'console' || step.language === '' ? 'sh' : step.language);
    else tooltip.appendText(step.reason ?? '');
    if (state?.output !== undefined) {
      tooltip.appendText(state.outputTruncated ? vscode.l10n.t('Output (last lines):') : vscode.l10n.t('Output:'));
      tooltip.appendCodeblock(state.output, 'log');
    }
    item.tooltip = tooltip;
    item.command = {
      command: COMMAND.revealStep,
      title: vscode.l10n.t('Show Step'),
      arguments: [uri, step.id],
    };
    return item;
  }
}
