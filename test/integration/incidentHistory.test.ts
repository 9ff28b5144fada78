import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import { acceptingQuickInputs, runbookOpsApi } from './extensionApi';

const folder = (): vscode.Uri => vscode.workspace.workspaceFolders![0].uri;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: folder().fsPath, encoding: 'utf8' });
}

describe('Incident history', function () {
  this.timeout(60_000);
  const uri = (): vscode.Uri => vscode.Uri.joinPath(folder(), 'incidents', 'INC-0004.yaml');

  before(async () => {
    const api = await runbookOpsApi();
    await api.indexed;
    await vscode.workspace.getConfiguration('runbookOps').update('user.name', 'history-bot', vscode.ConfigurationTarget.Workspace);
  });

  it('opens the newest commit of the record as a diff against the commit before it', async () => {
    const before = (await vscode.workspace.fs.readFile(uri())).toString();
    await vscode.commands.executeCommand('runbookOps.addIncidentNote', uri(), 'Rotated the on-call pager');
    assert.equal(await vscode.commands.executeCommand('runbookOps.commitIncidentUpdate', uri()), 'INC-0004: note added');
    const after = (await vscode.workspace.fs.readFile(uri())).toString();
    assert.ok(after.includes('    text: Rotated the on-call pager\n'), after);
    const hash = git('log', '-1', '--format=%H', '--', 'incidents/INC-0004.yaml').trim();
    const parent = git('log', '-1', '--format=%H', `${hash}^`, '--', 'incidents/INC-0004.yaml').trim();

    await acceptingQuickInputs('runbookOps.showIncidentHistory', uri());
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputTextDiff, `a diff editor is open: ${tab?.label}`);
    assert.equal(tab.label, `INC-0004: note added (${hash.slice(0, 7)})`);
    const { original, modified } = tab.input;
    assert.equal(original.scheme, 'runbook-ops-git');
    assert.equal(modified.path, '/incidents/INC-0004.yaml');
    assert.deepEqual(JSON.parse(original.query), { repoRoot: folder().fsPath, commit: parent, relativePath: 'incidents/INC-0004.yaml' });
    assert.deepEqual(JSON.parse(modified.query), { repoRoot: folder().fsPath, commit: hash, relativePath: 'incidents/INC-0004.yaml' });
    // What the two sides of the diff show: the record before and after the note.
    assert.equal((await vscode.workspace.openTextDocument(original)).getText(), before);
    assert.equal((await vscode.workspace.openTextDocument(modified)).getText(), after);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('opens every entry of a record with one commit and of one with several, the first against the empty file', async () => {
    const several = vscode.Uri.joinPath(folder(), 'incidents', 'INC-0003.yaml');
    for (const note of ['Paged the database team', 'Failover finished']) {
      await vscode.commands.executeCommand('runbookOps.addIncidentNote', several, note);
      assert.equal(await vscode.commands.executeCommand('runbookOps.commitIncidentUpdate', several), 'INC-0003: note added');
    }
    for (const [record, count] of [['incidents/INC-0001.yaml', 1], ['incidents/INC-0003.yaml', 3]] as const) {
      const hashes = git('log', '--format=%H', '--', record).trim().split('\n');
      assert.equal(hashes.length, count, `${record} has ${count} commit(s)`);
      for (const [i, hash] of hashes.entries()) {
        await vscode.commands.executeCommand('runbookOps.showIncidentHistory', vscode.Uri.joinPath(folder(), record), hash);
        const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
        assert.ok(tab?.input instanceof vscode.TabInputTextDiff, `${record} @ ${hash}: a diff editor is open (${tab?.label})`);
        assert.ok(tab.label.endsWith(`(${hash.slice(0, 7)})`), tab.label);
        // Both sides load (the first commit's left side used to be `<hash>^`, which the link check refused).
        const original = (await vscode.workspace.openTextDocument(tab.input.original)).getText();
        const modified = (await vscode.workspace.openTextDocument(tab.input.modified)).getText();
        assert.equal(modified, git('show', `${hash}:${record}`));
        assert.equal(original, i === hashes.length - 1 ? '' : git('show', `${hashes[i + 1]}:${record}`), `${record} @ ${hash}: the left side`);
        await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      }
    }
  });

  it('says so when the record has no commit yet', async () => {
    const fresh = vscode.Uri.joinPath(folder(), 'incidents', 'INC-0090.yaml');
    const api = await runbookOpsApi();
    await vscode.workspace.fs.writeFile(fresh, Buffer.from('id: INC-0090\ntitle: Never committed\nstatus: closed\nseverity: SEV4\ndeclared_at: 2026-11-01T10:00:00Z\n'));
    for (const deadline = Date.now() + 10_000; !api.index.incidentAt(fresh) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
    const tabsBefore = vscode.window.tabGroups.all.flatMap((g) => g.tabs).length;
    assert.equal(await vscode.commands.executeCommand('runbookOps.showIncidentHistory', fresh), undefined);
    assert.equal(vscode.window.tabGroups.all.flatMap((g) => g.tabs).length, tabsBefore, 'no diff opened');
    await vscode.workspace.fs.delete(fresh);
    for (const deadline = Date.now() + 10_000; api.index.incidentAt(fresh) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
  });

  after(async () => {
    await vscode.workspace.getConfiguration('runbookOps').update('user.name', undefined, vscode.ConfigurationTarget.Workspace);
  });
});
