// Issue 15 through the extension's own edit path (IncidentWriter: the sidebar, the board and the step
// runner all use it): an edit that would make the record invalid is refused on disk and in an open
// editor; a write through a symbolic link out of the workspace is refused; a live lock holder (a
// terminal's `runbook-ops update`) is waited for, never broken; on-disk writes keep the file's mode
// and leave no temporary file.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { runbookOpsApi as api } from './extensionApi';

const root = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; !condition(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

describe('Nothing lost: the extension’s edits (issue 15)', function () {
  this.timeout(120_000);
  const created: string[] = [];
  const outside = join(tmpdir(), `runbook-ops-escape-${process.pid}`);
  const children: ChildProcess[] = [];

  /** A fresh record in investigating, acknowledged in 2099 (a warning), so a status change now would put `mitigated_at` before it. */
  async function record(id: string): Promise<vscode.Uri> {
    const text = readFileSync(join(root(), 'incidents', 'INC-0012.yaml'), 'utf8')
      .replace(/^id: INC-0012$/m, `id: ${id}`)
      .replace(/^status: triage$/m, 'status: investigating\ncommander: hana')
      .replace(/^declared_at: .*$/m, '$&\nacknowledged_at: 2099-01-01T00:00:00Z');
    const file = join(root(), 'incidents', `${id}.yaml`);
    writeFileSync(file, text);
    created.push(file);
    const uri = vscode.Uri.file(file);
    const { index } = await api();
    await until(() => index.incidentAt(uri) !== undefined, `${id} to be indexed`);
    return uri;
  }

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const child of children) child.kill('SIGKILL');
    for (const file of created) rmSync(file, { force: true });
    rmSync(join(root(), 'linked-escape'), { force: true });
    rmSync(outside, { recursive: true, force: true });
    await vscode.commands.executeCommand('runbookOps.reindex');
  });

  it('refuses, on disk, an edit that would add a validation error, and says why', async () => {
    const { incidentWriter } = await api();
    const uri = await record('INC-0401');
    const before = readFileSync(uri.fsPath);
    await assert.rejects(incidentWriter.apply(uri, { op: 'setStatus', status: 'mitigated' }), /This change would make the record invalid, so nothing was written: `mitigated_at` \(.*\) is before `acknowledged_at` \(2099-01-01T00:00:00Z\)/);
    assert.deepEqual(readFileSync(uri.fsPath), before);
    // An edit that adds no error goes through, the record's old warning notwithstanding.
    await incidentWriter.apply(uri, { op: 'addNote', text: 'still fine' });
    assert.match(readFileSync(uri.fsPath, 'utf8'), /text: still fine\n$/);
  });

  it('refuses the same edit in an open editor, leaving the editor and the file as they were', async () => {
    const { incidentWriter } = await api();
    const uri = await record('INC-0402');
    const editor = await vscode.window.showTextDocument(uri);
    const text = editor.document.getText();
    await assert.rejects(incidentWriter.apply(uri, { op: 'setStatus', status: 'mitigated' }), /would make the record invalid/);
    assert.equal(editor.document.getText(), text);
    assert.equal(editor.document.isDirty, false);
    assert.equal(readFileSync(uri.fsPath, 'utf8'), text);
    // The sidebar command reports it and writes nothing either.
    await vscode.commands.executeCommand('runbookOps.updateIncidentStatus', uri, 'mitigated');
    assert.equal(readFileSync(uri.fsPath, 'utf8'), text);
  });

  it('writes on disk atomically: the mode is kept and no temporary file or lock is left', async function () {
    if (process.platform === 'win32') this.skip();
    const { incidentWriter } = await api();
    const uri = await record('INC-0403');
    chmodSync(uri.fsPath, 0o640);
    await incidentWriter.apply(uri, { op: 'addNote', text: 'atomic' });
    assert.equal(statSync(uri.fsPath).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(join(root(), 'incidents')).filter((n) => n.startsWith('INC-0403.yaml.')), []);
  });

  it('waits for a live lock holder (a terminal) instead of breaking its lock, and writes once it lets go', async () => {
    const { incidentWriter } = await api();
    const uri = await record('INC-0404');
    const before = readFileSync(uri.fsPath);
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    children.push(holder);
    const lock = `${uri.fsPath}.lock`;
    // An hour old by its mtime and its own clock: the old 10 s rule would have broken it at once.
    const since = new Date(Date.now() - 3_600_000).toISOString();
    writeFileSync(lock, `${JSON.stringify({ host: hostname(), pid: holder.pid, since, holder: 'runbook-ops update', nonce: 'terminal' })}\n`);
    let settled = false;
    const write = incidentWriter.apply(uri, { op: 'addNote', text: 'after the terminal' }).finally(() => (settled = true));
    const waitingSince = Date.now();
    await until(() => settled || Date.now() - waitingSince > 1_500, 'the writer to have waited a while');
    assert.equal(settled, false, 'still waiting for the live holder');
    assert.deepEqual(readFileSync(uri.fsPath), before, 'nothing written while the lock is held');
    unlinkSync(lock);
    await write;
    assert.match(readFileSync(uri.fsPath, 'utf8'), /text: after the terminal\n$/);
    assert.ok(!existsSync(lock));
  });

  it('refuses to write through a symbolic link out of the workspace', async function () {
    if (process.platform === 'win32') this.skip();
    const { incidentWriter } = await api();
    mkdirSync(outside, { recursive: true });
    const target = join(outside, 'INC-0405.yaml');
    writeFileSync(target, readFileSync(join(root(), 'incidents', 'INC-0012.yaml'), 'utf8').replace(/^id: INC-0012$/m, 'id: INC-0405'));
    const before = readFileSync(target);
    symlinkSync(outside, join(root(), 'linked-escape'));
    const uri = vscode.Uri.file(join(root(), 'linked-escape', 'INC-0405.yaml'));
    await assert.rejects(incidentWriter.apply(uri, { op: 'addNote', text: 'escaping' }), /Refused to write .*INC-0405\.yaml: linked-escape is a symbolic link to .*runbook-ops-escape-\d+, outside the workspace folder\. Runbook Ops writes only inside the repository/);
    assert.deepEqual(readFileSync(target), before);
    assert.deepEqual(readdirSync(outside), ['INC-0405.yaml'], 'no lock or temporary file outside either');
  });
});
