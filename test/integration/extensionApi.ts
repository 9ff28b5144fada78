// What every integration suite needs first: the activated extension's API with the first index
// built, and URIs of files in the (temporary copy of the) sample workspace.
import * as vscode from 'vscode';
import type { RunbookOpsApi } from '../../src/extension/extension';

export const EXTENSION_ID = 'runbook-ops.runbook-ops';

export async function runbookOpsApi(): Promise<RunbookOpsApi> {
  const extension = vscode.extensions.getExtension<RunbookOpsApi>(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not installed`);
  const exports = await extension.activate();
  await exports.indexed;
  return exports;
}

export function workspaceFile(...parts: string[]): vscode.Uri {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, ...parts);
}

/**
 * Runs a command and answers every quick input it shows with the workbench command `answer`, until
 * the command ends. Answering with nothing open does nothing.
 */
async function answeringQuickInputs<T>(answer: string, command: string, args: unknown[]): Promise<T> {
  let settled = false;
  const running = Promise.resolve(vscode.commands.executeCommand<T>(command, ...args)).finally(() => {
    settled = true;
  });
  for (const deadline = Date.now() + 30_000; !settled && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    await vscode.commands.executeCommand(answer);
  }
  return running;
}

/**
 * Accepts each quick input as Enter would: the preview of remembered placeholder values ("Run with …"),
 * a pre-filled commander, an empty optional summary, the first (newest) entry of a pick.
 */
export function acceptingQuickInputs<T>(command: string, ...args: unknown[]): Promise<T> {
  return answeringQuickInputs<T>('workbench.action.acceptSelectedQuickOpenItem', command, args);
}

/** Presses Escape on each quick input the command shows. */
export function escapingQuickInputs<T>(command: string, ...args: unknown[]): Promise<T> {
  return answeringQuickInputs<T>('workbench.action.closeQuickOpen', command, args);
}
