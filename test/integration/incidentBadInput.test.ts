import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { IncidentStatusNode } from '../../src/extension/incidentsTreeProvider';
import { runbookOpsApi as api } from './extensionApi';


const folder = (): vscode.Uri => vscode.workspace.workspaceFolders![0].uri;
const incident = (id: string): vscode.Uri => vscode.Uri.joinPath(folder(), 'incidents', `${id}.yaml`);

async function until<T>(probe: () => T | undefined | false, what: string, ms = 20_000): Promise<T> {
  for (const deadline = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 100))) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

/** The Problems-panel entry of a closed file whose message matches (problems from the index carry no code). */
function diagnostic(uri: vscode.Uri, message: RegExp): vscode.Diagnostic | undefined {
  return vscode.languages.getDiagnostics(uri).find((d) => message.test(d.message));
}

/** Every file of incidents/ with its bytes, to prove an edit wrote nowhere else. */
function incidentFolderSnapshot(): Map<string, string> {
  const dir = join(folder().fsPath, 'incidents');
  return new Map(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

function restoreFromGit(relative: string): void {
  execFileSync('git', ['checkout', '--', relative], { cwd: folder().fsPath });
}

const HEADER = (id: string, title: string): string => `id: ${id}\ntitle: ${title}\nstatus: triage\nseverity: SEV4\ndeclared_at: 2026-11-01T10:00:00Z\n`;

describe('Incidents: bad input', function () {
  this.timeout(90_000);
  const written: vscode.Uri[] = [];

  async function write(id: string, text: string): Promise<vscode.Uri> {
    const uri = incident(id);
    written.push(uri);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
    return uri;
  }

  it('reports an alias bomb, a 10 MB record, duplicate keys and conflict markers, and keeps listing every incident', async () => {
    const { index, incidentsTree } = await api();
    const before = index.incidents().map((e) => e.incident.id).sort();
    const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const name of 'bcdefghi') levels.push(`${name}: &${name} [${Array(9).fill(`*${String.fromCharCode(name.charCodeAt(0) - 1)}`).join(', ')}]`);
    const bomb = await write('INC-0091', `${HEADER('INC-0091', 'Alias bomb')}${levels.join('\n')}\n`);
    const started = Date.now();
    const big = await write('INC-0092', `${HEADER('INC-0092', 'A whole log pasted in')}summary: |\n${'    2026-11-01T10:00:00Z worker-7 retrying the payment provider call after a timeout\n'.repeat(125_000)}`);
    const duplicate = await write('INC-0093', 'id: INC-0093\ntitle: Duplicate keys\nstatus: triage\nseverity: SEV3\nseverity: SEV2\ndeclared_at: 2026-11-01T10:00:00Z\n');
    const conflict = await write('INC-0094', 'id: INC-0094\ntitle: Conflicted\n<<<<<<< HEAD\nstatus: mitigated\n=======\nstatus: resolved\n>>>>>>> incident/INC-0094\nseverity: SEV2\n');
    assert.ok(readFileSync(big.fsPath).length > 10_000_000);

    const alias = await until(() => diagnostic(bomb, /alias bomb/), 'the alias-bomb diagnostic');
    assert.equal(alias.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(alias.range.start.line + 1, 7, 'on the first alias');
    assert.match(alias.message, /^This file's YAML aliases \(\*name\) expand to too much data .*; it looks like an alias bomb\. Incident records never need aliases: write the values out\.$/);

    const large = await until(() => diagnostic(big, /^This record is/), 'the large-file diagnostic');
    console.log(`10 MB incident record: diagnostic after ${Date.now() - started} ms`);
    assert.equal(large.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(large.range.start.line, 0);
    assert.match(large.message, /^This record is 10\.\d MB; incident records are normally a few KB/);

    const dup = await until(() => diagnostic(duplicate, /appears twice/), 'the duplicate-key diagnostic');
    assert.equal(dup.range.start.line + 1, 5);
    assert.equal(dup.message, 'This key appears twice in the same mapping; YAML keeps only one of them. Merge the two entries or delete one.');

    const markers = await until(() => vscode.languages.getDiagnostics(conflict).find((d) => /merge conflict/i.test(d.message)), 'the merge-conflict diagnostic');
    assert.equal(markers.range.start.line + 1, 3);
    assert.match(markers.message, /^Unresolved merge conflict \(lines 3–7\)\./);

    // The extension host still answers and every other record is still there, in the index and the view.
    await vscode.commands.executeCommand('runbookOps.reindex');
    const after = index.incidents().map((e) => e.incident.id).sort();
    for (const id of before) assert.ok(after.includes(id), `${id} still listed`);
    for (const uri of [bomb, big, duplicate, conflict]) assert.ok(index.incidentAt(uri), `${uri.path} listed as an invalid record`);
    const open = (incidentsTree.getChildren() as IncidentStatusNode[]).flatMap((g) => g.incidents.map((i) => i.incident.id));
    for (const id of ['INC-0009', 'INC-0010', 'INC-0011', 'INC-0012', 'INC-0092']) assert.ok(open.includes(id), `${id} in the Incidents view: ${open.join(', ')}`);
  });

  it('refuses an edit of a record deleted while the edit was pending, and writes nothing anywhere', async () => {
    const { incidentWriter, index } = await api();
    // Open in an editor, deleted on disk (a pull): the editor still holds the text, but saving it would resurrect the record.
    const uri = incident('INC-0002');
    await vscode.window.showTextDocument(uri);
    rmSync(uri.fsPath);
    const snapshot = incidentFolderSnapshot();
    await assert.rejects(incidentWriter.apply(uri, { op: 'addNote', text: 'too late' }), /^Error: incidents\/INC-0002\.yaml no longer exists \(deleted or moved\); nothing was written\.$/);
    assert.equal(existsSync(uri.fsPath), false, 'the deleted record was not written back');
    assert.deepEqual(incidentFolderSnapshot(), snapshot);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    restoreFromGit('incidents/INC-0002.yaml');

    // Through the command: deleted while its InputBox (pre-filled commander) is open.
    const target = incident('INC-0003');
    const pending = vscode.commands.executeCommand('runbookOps.assignCommander', target);
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(target.fsPath);
    await until(() => !index.incidentAt(target), 'the index to drop INC-0003');
    const snapshot2 = incidentFolderSnapshot();
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    assert.equal(await pending, undefined, 'the command did nothing');
    assert.equal(existsSync(target.fsPath), false);
    assert.deepEqual(incidentFolderSnapshot(), snapshot2);
    restoreFromGit('incidents/INC-0003.yaml');
  });

  it('applies an edit on top of unsaved changes in the editor and keeps them', async () => {
    const uri = incident('INC-0001');
    const original = readFileSync(uri.fsPath, 'utf8');
    const editor = await vscode.window.showTextDocument(uri);
    const impactLine = editor.document.getText().split('\n').findIndex((l) => l.startsWith('impact:'));
    assert.ok(impactLine > 0);
    await editor.edit((e) => e.insert(new vscode.Position(impactLine, 0), '# typed but not saved yet\n'));
    assert.ok(editor.document.isDirty);

    await vscode.commands.executeCommand('runbookOps.addIncidentNote', uri, 'Note while editing');
    const onDisk = readFileSync(uri.fsPath, 'utf8');
    assert.equal(editor.document.getText(), onDisk, 'saved, nothing left unsaved');
    const lines = original.split('\n');
    lines.splice(impactLine, 0, '# typed but not saved yet');
    const note = /\n {2}- at: \S+\n {4}by: .+\n {4}kind: note\n {4}text: Note while editing\n/;
    assert.match(onDisk, note);
    assert.equal(onDisk.replace(note, '\n'), lines.join('\n'), 'the unsaved line is kept where it was typed, the rest is the note');

    // Undo takes back the note only; the user's own line stays.
    await vscode.commands.executeCommand('undo');
    assert.ok(editor.document.getText().includes('# typed but not saved yet\n'));
    assert.ok(!editor.document.getText().includes('Note while editing'));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    restoreFromGit('incidents/INC-0001.yaml');
    assert.equal(readFileSync(uri.fsPath, 'utf8'), original);
  });

  after(async () => {
    const { index } = await api();
    for (const uri of written) await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
    await until(() => written.every((uri) => !index.incidentAt(uri)), 'the bad records to leave the index');
  });
});
