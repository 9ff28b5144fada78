// Commit Incident Update names what the commit holds (issue 16, item 3): after Resolve and Undo the
// record is back where it was, so the message must not claim a status change.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { runbookOpsApi as api, workspaceFile } from './extensionApi';

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: vscode.workspace.workspaceFolders![0].uri.fsPath, encoding: 'utf8' });
}

describe('Commit Incident Update message', function () {
  this.timeout(60_000);

  before(async () => {
    await api();
    await vscode.workspace.getConfiguration('runbookOps').update('user.name', 'commit-bot', vscode.ConfigurationTarget.Workspace);
  });

  it('after Resolve, Undo, a board note and a ticked action item, names the note and the item, not a resolve', async () => {
    const { incidentWriter } = await api();
    const uri = workspaceFile('incidents', 'INC-0009.yaml');
    const committed = readFileSync(uri.fsPath, 'utf8');
    const editor = await vscode.window.showTextDocument(uri);
    // An empty summary: Resolve asks for one otherwise (issue 16, item 5).
    assert.equal(await vscode.commands.executeCommand('runbookOps.updateIncidentStatus', uri, 'resolved', ''), 'mitigated → resolved');
    assert.match(editor.document.getText(), /^status: resolved$/m);
    await vscode.commands.executeCommand('undo');
    await editor.document.save();
    assert.equal(readFileSync(uri.fsPath, 'utf8'), committed, 'Undo restored the record');
    // What the board's drawer does for "Add note" and for ticking an item.
    await incidentWriter.apply(uri, { op: 'addNote', text: 'Slot dropped with the analytics team' });
    await incidentWriter.apply(uri, { op: 'setActionItemStatus', id: 'AI-2', status: 'done' });

    const message = await vscode.commands.executeCommand<string>('runbookOps.commitIncidentUpdate', uri);
    assert.equal(message, 'INC-0009: note added, AI-2 done');
    assert.equal(git('log', '-1', '--format=%B').trim(), 'INC-0009: note added, AI-2 done');
    assert.equal(git('show', 'HEAD:incidents/INC-0009.yaml'), readFileSync(uri.fsPath, 'utf8'), 'the commit holds the file as it is');
    assert.match(git('show', 'HEAD:incidents/INC-0009.yaml'), /^status: mitigated$/m);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('commits only the record, leaving other staged changes staged', async () => {
    const uri = workspaceFile('incidents', 'INC-0005.yaml');
    const other = workspaceFile('incidents', 'INC-0002.yaml');
    const otherText = readFileSync(other.fsPath, 'utf8');
    await vscode.workspace.fs.writeFile(other, Buffer.from(`${otherText}# staged elsewhere\n`));
    git('add', '--', 'incidents/INC-0002.yaml');
    await vscode.commands.executeCommand('runbookOps.addIncidentNote', uri, 'Postmortem reviewed');
    assert.equal(await vscode.commands.executeCommand<string>('runbookOps.commitIncidentUpdate', uri), 'INC-0005: note added');
    assert.equal(git('show', '--name-only', '--format=', 'HEAD').trim(), 'incidents/INC-0005.yaml');
    assert.equal(git('diff', '--cached', '--name-only').trim(), 'incidents/INC-0002.yaml', 'the other change is still staged');
    assert.equal(git('status', '--porcelain', '--', 'incidents/INC-0005.yaml'), '', 'the record is clean after its commit');
    git('reset', '--quiet', '--', 'incidents/INC-0002.yaml');
    git('checkout', '--', 'incidents/INC-0002.yaml');
  });

  after(async () => {
    await vscode.workspace.getConfiguration('runbookOps').update('user.name', undefined, vscode.ConfigurationTarget.Workspace);
  });
});
