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
 * Runs a command that shows quick inputs and accepts each as Enter would, until the command ends: the
 * preview of remembered placeholder values ("Run with …"), a pre-filled commander or an empty optional
 * summary. Accepting with nothing open does nothing.
 */
export async function acceptingQuickInputs<T>(command: string, ...args: unknown[]): Promise<T> {
  let settled = false;
  const running = Promise.resolve(vscode.commands.executeCommand<T>(command, ...args)).finally(() => {
    settled = true;
  });
  for (const deadline = Date.now() + 30_000; !settled && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }
  return running;
}
