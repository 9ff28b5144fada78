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
