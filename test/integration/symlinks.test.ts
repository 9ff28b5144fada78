// A cloned repository can hold symbolic links to anywhere (`/`, a home folder) and link loops. The
// index walks real folders only, as the CLI does: nothing outside the workspace is read or listed.
import { strict as assert } from 'node:assert';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { runbookOpsApi as api } from './extensionApi';

describe('symbolic links in the workspace', function () {
  this.timeout(60_000);
  const root = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const outside = join(tmpdir(), `runbook-ops-outside-${process.pid}`);
  const links = ['linked-outside', 'loop'];

  after(async () => {
    for (const name of links) rmSync(join(root(), name), { force: true });
    rmSync(outside, { recursive: true, force: true });
    await vscode.commands.executeCommand('runbookOps.reindex');
  });

  it('does not follow a link out of the workspace or around a loop', async () => {
    const runbooks = await api();
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'outside-runbook.md'), '# Not in this repository\n\n```sh\necho outside\n```\n');
    symlinkSync(outside, join(root(), 'linked-outside'));
    symlinkSync('.', join(root(), 'loop'));
    await vscode.commands.executeCommand('runbookOps.reindex');
    const paths = [...runbooks.index.runbookPaths(vscode.workspace.workspaceFolders![0])];
    assert.ok(paths.length >= 15, `the sample runbooks are still indexed: ${paths.length}`);
    assert.deepEqual(paths.filter((p) => p.startsWith('linked-outside/') || p.startsWith('loop/')), []);
  });
});
