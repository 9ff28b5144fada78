// Concurrent edits of one incident record (issue #8, item 4): the board and the sidebar in the same
// millisecond, the extension and `runbook-ops update` in a terminal at the same time, and an editor
// with unsaved text. Afterwards every update is in the file; none silently overwrote another, and the
// user's unsaved text is still in the editor.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { runbookOpsApi as api } from './extensionApi';

const run = promisify(execFile);


const root = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;
const cli = (): string => join(vscode.extensions.getExtension('runbook-ops.runbook-ops')!.extensionPath, 'dist', 'cli.js');

/** `runbook-ops update` as a terminal runs it: a separate Node process. */
function cliUpdate(id: string, note: string): Promise<unknown> {
  // ELECTRON_RUN_AS_NODE: in desktop VS Code the extension host's executable is Electron.
  return run(process.execPath, [cli(), 'update', id, '--note', note, '--by', 'terminal-user', '--dir', root()], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !condition(); await sleep(50)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

/** Notes whose text is not in the record on disk. */
function missingNotes(uri: vscode.Uri, notes: readonly string[]): string[] {
  const text = readFileSync(uri.fsPath, 'utf8');
  return notes.filter((note) => !text.includes(`    text: ${note}\n`));
}

describe('Concurrent edits of one incident record', function () {
  this.timeout(120_000);
  const created: vscode.Uri[] = [];

  /** A fresh record in triage (removed afterwards, so the other suites see the sample's incidents). */
  async function record(id: string): Promise<vscode.Uri> {
    const template = readFileSync(join(root(), 'incidents', 'INC-0012.yaml'), 'utf8');
    const uri = vscode.Uri.file(join(root(), 'incidents', `${id}.yaml`));
    writeFileSync(uri.fsPath, template.replace(/^id: INC-0012$/m, `id: ${id}`));
    created.push(uri);
    const { index } = await api();
    await until(() => index.incidentAt(uri) !== undefined, `${id} to be indexed`);
    return uri;
  }

  before(async () => {
    await vscode.workspace.getConfiguration('runbookOps').update('user.name', 'integration-bot', vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const { index } = await api();
    for (const uri of created) await vscode.workspace.fs.delete(uri);
    await until(() => created.every((uri) => index.incidentAt(uri) === undefined), 'the test records to leave the index');
  });

  it('the board moving a card while the sidebar adds notes, in the same millisecond: every change is on disk', async () => {
    const { incidentWriter } = await api();
    const uri = await record('INC-0301');
    await Promise.all([
      vscode.commands.executeCommand('runbookOps.addIncidentNote', uri, 'sidebar note 1'),
      incidentWriter.apply(uri, { op: 'setStatus', status: 'acknowledged' }),
      incidentWriter.apply(uri, { op: 'addNote', text: 'board note 1' }),
      vscode.commands.executeCommand('runbookOps.addIncidentNote', uri, 'sidebar note 2'),
      incidentWriter.apply(uri, { op: 'addNote', text: 'board note 2' }),
    ]);
    assert.deepEqual(missingNotes(uri, ['sidebar note 1', 'board note 1', 'sidebar note 2', 'board note 2']), []);
    const text = readFileSync(uri.fsPath, 'utf8');
    assert.match(text, /^status: acknowledged$/m);
    assert.match(text, /^acknowledged_at: \S+$/m);
    assert.match(text, / {4}from: triage\n {4}to: acknowledged\n/);
  });

  it('the extension and runbook-ops update in terminals writing at the same time: both sides’ notes are on disk', async () => {
    const { incidentWriter } = await api();
    const uri = await record('INC-0302');
    const notes: string[] = [];
    for (let round = 0; round < 4; round++) {
      const terminals = [0, 1, 2].map((i) => {
        const note = `terminal ${round}.${i}`;
        notes.push(note);
        return cliUpdate('INC-0302', note);
      });
      // The extension keeps writing while the CLI processes start, read and write.
      const extension = (async () => {
        for (let i = 0; i < 8; i++) {
          const note = `extension ${round}.${i}`;
          notes.push(note);
          await incidentWriter.apply(uri, { op: 'addNote', text: note });
          await sleep(25);
        }
      })();
      await Promise.all([...terminals, extension]);
    }
    assert.deepEqual(missingNotes(uri, notes), [], readFileSync(uri.fsPath, 'utf8'));
  });

  it('a saved editor that has not yet reloaded what a terminal wrote: the extension does not save over it', async () => {
    const { incidentWriter } = await api();
    const uri = await record('INC-0303');
    const editor = await vscode.window.showTextDocument(uri);
    await cliUpdate('INC-0303', 'written in a terminal');
    // At once, before the editor has caught up with the file on disk.
    await incidentWriter.apply(uri, { op: 'addNote', text: 'written from the sidebar' });
    assert.deepEqual(missingNotes(uri, ['written in a terminal', 'written from the sidebar']), []);
    await until(() => !editor.document.isDirty && editor.document.getText() === readFileSync(uri.fsPath, 'utf8'), 'the editor to show the file');
  });

  it('an editor with unsaved changes: the update goes through the editor and the user’s text stays', async () => {
    const { incidentWriter } = await api();
    const uri = await record('INC-0304');
    const editor = await vscode.window.showTextDocument(uri);
    await editor.edit((b) => b.insert(new vscode.Position(1, 0), '# unsaved: hana thinks this is the ledger cert\n'));
    assert.ok(editor.document.isDirty);
    await incidentWriter.apply(uri, { op: 'addNote', text: 'note while the user types' });
    const text = editor.document.getText();
    assert.ok(text.includes('\n# unsaved: hana thinks this is the ledger cert\ntitle:'), 'the user’s unsaved line is still in the editor');
    assert.ok(text.includes('    text: note while the user types\n'), 'the update is in the editor');
    // Saved together: the file on disk is what the editor shows, with both.
    assert.equal(readFileSync(uri.fsPath, 'utf8'), text);
    await vscode.commands.executeCommand('undo');
    assert.ok(editor.document.getText().includes('# unsaved: hana thinks'), 'undo removes only the update');
    assert.ok(!editor.document.getText().includes('note while the user types'));
    // Leave nothing unsaved behind: closing a dirty editor would ask, and saving would bring the record back.
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
