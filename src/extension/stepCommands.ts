import * as vscode from 'vscode';
import { findStep, stepTags } from '../core/runbook/stepSequence';
import type { RunbookDocuments } from './runbookDocuments';
import type { StepReference, StepRunner } from './stepRunner';
import type { StepNode } from './stepsTreeProvider';
import type { PlaceholderValueStore } from './placeholderPrompter';
import type { StepOutputDocuments } from './stepOutputDocuments';
import type { StepStateStore } from './stepStateStore';
import type { CommandManager } from './commandManager';
import { COMMAND } from './contributions';

/** A command's arguments: (uri, stepId) from a CodeLens, a node from the Steps view, or nothing (cursor). */
type StepCommandArgs = [vscode.Uri | StepNode | undefined, string | undefined];

function isStepNode(value: unknown): value is StepNode {
  return typeof value === 'object' && value !== null && (value as StepNode).kind === 'step';
}

/** Resolves the step a command acts on; from the cursor when no arguments were given. */
function resolveStep(documents: RunbookDocuments, [target, stepId]: StepCommandArgs, needStep: boolean): StepReference | { uri: vscode.Uri; stepId?: undefined } | undefined {
  if (isStepNode(target)) return { uri: target.uri, stepId: target.step.id };
  if (target instanceof vscode.Uri) return stepId !== undefined ? { uri: target, stepId } : { uri: target };
  const editor = vscode.window.activeTextEditor;
  const runbook = editor && documents.get(editor.document);
  if (!editor || !runbook) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a runbook first.'));
    return undefined;
  }
  if (!needStep) return { uri: editor.document.uri };
  const line = editor.selection.active.line + 1;
  const step = runbook.steps.find((s) => line >= s.startLine && line <= s.endLine);
  if (!step) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Put the cursor inside a step’s code block.'));
    return undefined;
  }
  return { uri: editor.document.uri, stepId: step.id };
}

export function registerStepCommands(
  commands: CommandManager,
  runner: StepRunner,
  documents: RunbookDocuments,
  states: StepStateStore,
  values: PlaceholderValueStore,
  stepsRunbook: () => vscode.Uri | undefined,
  outputs: StepOutputDocuments,
): void {
  // The runner parses the runbook to run or copy a step: not one whose text stalled an index worker (issue 14).
  const givenUp = async (uri: vscode.Uri): Promise<boolean> => {
    const problem = await documents.givenUpProblem(uri);
    if (problem) void vscode.window.showErrorMessage(vscode.l10n.t('The steps of {0} cannot be read: {1}', vscode.workspace.asRelativePath(uri, false), problem));
    return problem !== undefined;
  };
  const withStep = (action: (ref: StepReference) => Promise<unknown>) => async (...args: StepCommandArgs) => {
    const ref = resolveStep(documents, args, true);
    if (ref?.stepId === undefined || (await givenUp(ref.uri))) return undefined;
    return action(ref as StepReference);
  };
  commands.add(COMMAND.runStep, withStep((ref) => runner.runStep(ref)));
  commands.add(COMMAND.runFromHere, withStep((ref) => runner.runSequence(ref.uri, ref.stepId)));
  commands.add(COMMAND.copyStep, withStep((ref) => runner.copyStep(ref)));
  commands.add(COMMAND.runAll, async (...args: StepCommandArgs) => {
    const ref = resolveStep(documents, args, false);
    return ref && !(await givenUp(ref.uri)) ? runner.runSequence(ref.uri) : undefined;
  });
  // Runme's categories: (uri, tag) from a caller, else the open runbook and a pick of its tags.
  commands.add(COMMAND.runStepsByTag, async (target?: vscode.Uri | StepNode, tag?: string) => {
    const ref = resolveStep(documents, [target, undefined], false);
    if (!ref || (await givenUp(ref.uri))) return undefined;
    let chosen = tag;
    if (chosen === undefined) {
      const document = await vscode.workspace.openTextDocument(ref.uri);
      const steps = documents.get(document)?.steps ?? [];
      const tags = [...new Set(steps.filter((s) => s.runnable).flatMap((s) => stepTags(s)))].sort();
      if (tags.length === 0) {
        void vscode.window.showInformationMessage(vscode.l10n.t('No step of this runbook has a category (`{category=…}`).'));
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(
        tags.map((t) => ({ label: t, description: vscode.l10n.t('{0} steps', steps.filter((s) => s.runnable && stepTags(s).includes(t)).length) })),
        { title: vscode.l10n.t('Run the steps of one category'), placeHolder: vscode.l10n.t('Category') },
      );
      chosen = picked?.label;
    }
    return chosen === undefined ? undefined : runner.runTagged(ref.uri, chosen);
  });
  commands.add(COMMAND.revealStep, async (uri: vscode.Uri, stepId: string) => {
    const document = await vscode.workspace.openTextDocument(uri);
    const step = findStep(documents.get(document)?.steps ?? [], stepId);
    if (!step) return;
    const start = new vscode.Position(step.startLine - 1, 0);
    await vscode.window.showTextDocument(document, { selection: new vscode.Range(start, start), preview: true });
  });
  commands.add(COMMAND.showStepOutput, async (...args: StepCommandArgs) => {
    const ref = resolveStep(documents, args, true);
    if (ref?.stepId === undefined) return undefined;
    const document = await vscode.workspace.openTextDocument(outputs.uriFor(ref.uri, ref.stepId));
    await vscode.languages.setTextDocumentLanguage(document, 'log');
    await vscode.window.showTextDocument(document, { preview: true, preserveFocus: false });
    return document.getText();
  });
  commands.add(COMMAND.resetStepStates, () => {
    const uri = stepsRunbook() ?? vscode.window.activeTextEditor?.document.uri;
    if (uri) states.reset(uri);
  });
  commands.add(COMMAND.clearPlaceholderValues, async () => {
    const uri = stepsRunbook();
    const thisOne = vscode.l10n.t('This runbook');
    const all = vscode.l10n.t('All runbooks');
    const choice = uri ? await vscode.window.showQuickPick([thisOne, all], { title: vscode.l10n.t('Forget placeholder values for…') }) : all;
    if (choice === undefined) return;
    values.clear(choice === thisOne ? uri : undefined);
    runner.closeSecretTerminals(choice === thisOne ? uri : undefined);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Placeholder values forgotten'), 3000);
  });
}
