// Runs inside the extension host with the real vscode API.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'runbook-ops.runbook-ops';

describe('integration smoke', () => {
  it('finds the extension under development', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
  });

  it('activates the extension', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('opens the sample workspace', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1, 'exactly one workspace folder');
    const folder = folders[0].uri;
    assert.equal(folder.scheme, 'file');
    // The harness passes the copy's path through the environment, which also
    // proves the extension host inherits code-server's environment.
    const expected = process.env.RUNBOOK_OPS_SAMPLE_WORKSPACE;
    if (expected) {
      assert.equal(folder.fsPath, expected);
      assert.ok(existsSync(join(folder.fsPath, '.git')), 'the sample workspace is a git repository');
    }
    assert.ok(existsSync(join(folder.fsPath, '.runbook-ops.yaml')), 'the folder is a runbook repository');
  });
});
