import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { IncidentsTreeNode, IncidentStatusNode } from '../../src/extension/incidentsTreeProvider';
import { acceptingQuickInputs, runbookOpsApi as api } from './extensionApi';


const root = (): vscode.Uri => vscode.workspace.workspaceFolders![0].uri;
const TS = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g;

/** The file's bytes with timestamps (which depend on the clock) replaced by <ts>. */
function bytesOf(uri: vscode.Uri): string {
  return readFileSync(uri.fsPath, 'utf8').replace(TS, '<ts>');
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; !condition(); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

describe('Incidents', function () {
  this.timeout(60_000);
  let declared: vscode.Uri;

  before(async () => {
    await vscode.workspace.getConfiguration('runbookOps').update('user.name', 'integration-bot', vscode.ConfigurationTarget.Workspace);
  });

  it('lists open incidents grouped by status in workflow order', async () => {
    const { incidentsTree } = await api();
    const groups = incidentsTree.getChildren() as IncidentStatusNode[];
    assert.deepEqual(groups.map((g) => [g.status, g.incidents.map((i) => i.incident.id)]), [
      ['triage', ['INC-0012']],
      ['acknowledged', ['INC-0011']],
      ['investigating', ['INC-0010']],
      ['mitigated', ['INC-0009']],
    ]);
    const item = incidentsTree.getTreeItem((incidentsTree.getChildren(groups[0]) as IncidentsTreeNode[])[0]) as vscode.TreeItem;
    assert.match(String(item.label), /^INC-0012 /);
    assert.match(String(item.description), /^SEV4 · \d+[mhd]/);
    assert.equal(item.contextValue, 'incident.triage');
  });

  it('declares an incident, acknowledges it, adds a note and resolves it, writing the expected bytes each time', async () => {
    const { activeIncident } = await api();
    const id = await vscode.commands.executeCommand<string>('runbookOps.declareIncident', { title: 'Orders queue backlog', severity: 'SEV3', services: ['orders-queue'] });
    assert.equal(id, 'INC-0013');
    declared = vscode.Uri.joinPath(root(), 'incidents', 'INC-0013.yaml');
    assert.equal(activeIncident.current?.incident.id, 'INC-0013');
    const header = 'id: INC-0013\ntitle: Orders queue backlog\n';
    assert.equal(bytesOf(declared), `${header}status: triage\nseverity: SEV3\nmode: standard\nservices: [orders-queue]\ndeclared_at: <ts>\ntimeline:\n  - at: <ts>\n    by: integration-bot\n    kind: note\n    text: Declared SEV3\n`);

    // The commander is asked for when a record leaves triage without one; given here as the argument.
    assert.equal(await vscode.commands.executeCommand('runbookOps.acknowledgeIncident', declared, 'integration-bot'), 'triage → acknowledged, commander integration-bot');
    const acknowledged = `${header}status: acknowledged\nseverity: SEV3\nmode: standard\nservices: [orders-queue]\ncommander: integration-bot\ndeclared_at: <ts>\nacknowledged_at: <ts>\ntimeline:\n  - at: <ts>\n    by: integration-bot\n    kind: note\n    text: Declared SEV3\n  - at: <ts>\n    by: integration-bot\n    kind: status\n    from: triage\n    to: acknowledged\n    text: Acknowledged\n`;
    assert.equal(bytesOf(declared), acknowledged);

    await vscode.commands.executeCommand('runbookOps.addIncidentNote', declared, 'Consumers restarted; lag falling');
    const noted = `${acknowledged}  - at: <ts>\n    by: integration-bot\n    kind: note\n    text: Consumers restarted; lag falling\n`;
    assert.equal(bytesOf(declared), noted);

    // '' for the optional resolution summary: the entry's text stays "Resolved".
    assert.equal(await vscode.commands.executeCommand('runbookOps.resolveIncident', declared, ''), 'acknowledged → resolved');
    assert.equal(activeIncident.current, undefined, 'a resolved incident is no longer active');
    const resolved = bytesOf(declared);
    assert.match(resolved, /^status: resolved$/m);
    assert.match(resolved, /^acknowledged_at: <ts>\nmitigated_at: <ts>\nresolved_at: <ts>$/m, 'skipped states get their timestamps');
    assert.ok(resolved.endsWith('    from: acknowledged\n    to: resolved\n    text: Resolved\n'), resolved);
  });

  it('records a finished runbook step on the active incident', async () => {
    const { placeholderValues, activeIncident } = await api();
    // Resolved above, so reopened first: steps are recorded only on open incidents.
    assert.equal(await vscode.commands.executeCommand('runbookOps.reopenIncident', declared, 'Backlog growing again'), 'resolved → investigating (reopened)');
    await vscode.commands.executeCommand('runbookOps.setActiveIncident', declared);
    assert.equal(activeIncident.current?.incident.id, 'INC-0013');
    const runbook = vscode.Uri.joinPath(root(), 'kubernetes', 'node-not-ready.md');
    placeholderValues.set(runbook, 'var:node', { value: 'ip-10-1-1-1' });
    const outcome = await acceptingQuickInputs<{ exitCode?: number }>('runbookOps.runStep', runbook, 'cordon');
    assert.equal(outcome?.exitCode, 0);
    await until(() => bytesOf(declared).includes('kind: action'), 'the action entry');
    assert.match(bytesOf(declared), / {2}- at: <ts>\n {4}by: integration-bot\n {4}kind: action\n {4}text: Ran "Stop new pods landing on the node" from kubernetes\/node-not-ready.md\n {4}step: kubernetes\/node-not-ready.md#cordon\n {4}command: kubectl cordon ip-10-1-1-1\n {4}exit_code: 0\n {4}duration_ms: \d+\n {4}output: \|\n {6}node\/ip-10-1-1-1 cordoned\n$/);
  });

  it('edits an open record through the editor, so undo restores it', async () => {
    const uri = vscode.Uri.joinPath(root(), 'incidents', 'INC-0011.yaml');
    const original = readFileSync(uri.fsPath, 'utf8');
    const editor = await vscode.window.showTextDocument(uri);
    await vscode.commands.executeCommand('runbookOps.addIncidentNote', uri, 'Checked the dashboards');
    assert.ok(!editor.document.isDirty, 'the edit was saved');
    const edited = readFileSync(uri.fsPath, 'utf8');
    assert.ok(edited.startsWith(original), 'only lines at the end were added');
    assert.match(edited.slice(original.length), /^ {2}- at: \S+\n {4}by: integration-bot\n {4}kind: note\n {4}text: Checked the dashboards\n$/);
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), original);
    await editor.document.save();
    assert.equal(readFileSync(uri.fsPath, 'utf8'), original);
  });

  it('shows diagnostics for a broken record and fixes a misspelled status with a quick fix', async () => {
    const uri = vscode.Uri.joinPath(root(), 'incidents', 'INC-0099.yaml');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('id: INC-0099\ntitle: Broken on purpose\nstatus: mitigatd  # typo\nseverity: SEV9\ndeclared_at: 2026-11-20T10:00:00Z\ncommander: bob\n'));
    await until(() => vscode.languages.getDiagnostics(uri).length >= 2, 'diagnostics for INC-0099 from the index');
    // Opened in the editor, the record is validated from its text, with the codes quick fixes use.
    const document = await vscode.workspace.openTextDocument(uri);
    await until(() => vscode.languages.getDiagnostics(uri).some((d) => d.code === 'unknown-status'), 'diagnostics with codes');
    const found = vscode.languages.getDiagnostics(uri).map((d) => [d.range.start.line + 1, d.range.start.character + 1, d.severity, d.code]);
    assert.deepEqual(found.filter(([, , , code]) => code === 'unknown-status' || code === 'unknown-severity'), [
      [3, 9, vscode.DiagnosticSeverity.Error, 'unknown-status'],
      [4, 11, vscode.DiagnosticSeverity.Error, 'unknown-severity'],
    ], JSON.stringify(vscode.languages.getDiagnostics(uri)));
    const status = vscode.languages.getDiagnostics(uri).find((d) => d.code === 'unknown-status')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, status.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === 'Change to “mitigated”');
    assert.ok(fix?.edit, actions.map((a) => a.title).join(', '));
    await vscode.workspace.applyEdit(fix.edit);
    assert.equal(document.lineAt(2).text, 'status: mitigated  # typo');
    await until(() => !vscode.languages.getDiagnostics(uri).some((d) => d.code === 'unknown-status'), 'the status diagnostic to clear');
    const missing = vscode.languages.getDiagnostics(uri).find((d) => d.code === 'missing-status-timestamp');
    assert.ok(missing, 'mitigated needs acknowledged_at and mitigated_at');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.workspace.fs.delete(uri);
  });

  it('sorts an unsorted timeline with a quick fix, moving whole entries', async () => {
    const uri = vscode.Uri.joinPath(root(), 'incidents', 'INC-0097.yaml');
    const late = '  - at: 2026-11-20T10:30:00Z  # second\n    by: bob\n    kind: note\n    text: later\n';
    const early = '  - at: 2026-11-20T10:10:00Z\n    by: alice\n    kind: note\n    text: earlier\n';
    const head = 'id: INC-0097\ntitle: Unsorted\nstatus: triage\nseverity: SEV3\ndeclared_at: 2026-11-20T10:00:00Z\ntimeline:\n';
    await vscode.workspace.fs.writeFile(uri, Buffer.from(head + late + early));
    const document = await vscode.workspace.openTextDocument(uri);
    await until(() => vscode.languages.getDiagnostics(uri).some((d) => d.code === 'unsorted-timeline'), 'the unsorted-timeline diagnostic');
    const problem = vscode.languages.getDiagnostics(uri).find((d) => d.code === 'unsorted-timeline')!;
    assert.equal(problem.range.start.line + 1, 11);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, problem.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === 'Sort the timeline by time');
    assert.ok(fix?.edit);
    await vscode.workspace.applyEdit(fix.edit);
    assert.equal(document.getText(), head + early + late);
    await document.save();
    await vscode.workspace.fs.delete(uri);
  });

  it('shows a YAML syntax error and a merge conflict at their lines without breaking the view', async () => {
    const { incidentsTree, index } = await api();
    const uri = vscode.Uri.joinPath(root(), 'incidents', 'INC-0098.yaml');
    await vscode.workspace.fs.writeFile(uri, Buffer.from('id: INC-0098\ntitle: Conflicted\n<<<<<<< HEAD\nstatus: mitigated\n=======\nstatus: resolved\n>>>>>>> other\nseverity: SEV2\n'));
    await until(() => vscode.languages.getDiagnostics(uri).length > 0, 'diagnostics for INC-0098');
    const messages = vscode.languages.getDiagnostics(uri).map((d) => `${d.range.start.line + 1}: ${d.message}`);
    assert.ok(messages.some((m) => /^3: .*unresolved merge conflict/i.test(m)), messages.join('\n'));
    assert.ok(index.incidentAt(uri), 'the broken record is still listed');
    assert.ok((incidentsTree.getChildren() as IncidentsTreeNode[]).length > 0);
    await assert.rejects(async () => {
      const result = await vscode.commands.executeCommand('runbookOps.addIncidentNote', uri, 'x');
      if (result === undefined) throw new Error('refused');
    });
    assert.ok(readFileSync(uri.fsPath, 'utf8').includes('<<<<<<< HEAD'), 'nothing was written');
    await vscode.workspace.fs.delete(uri);
  });

  it('commits an incident update with a message naming the change', async () => {
    const uri = vscode.Uri.joinPath(root(), 'incidents', 'INC-0010.yaml');
    await vscode.commands.executeCommand('runbookOps.updateIncidentStatus', uri, 'mitigated');
    const message = await vscode.commands.executeCommand<string>('runbookOps.commitIncidentUpdate', uri);
    assert.equal(message, 'INC-0010: investigating → mitigated');
    const { execFileSync } = await import('node:child_process');
    const log = execFileSync('git', ['log', '-1', '--format=%s', '--name-only'], { cwd: root().fsPath, encoding: 'utf8' });
    assert.equal(log.trim(), 'INC-0010: investigating → mitigated\n\nincidents/INC-0010.yaml');
  });

  after(async () => {
    (await api()).activeIncident.set(undefined);
    await vscode.workspace.getConfiguration('runbookOps').update('user.name', undefined, vscode.ConfigurationTarget.Workspace);
  });
});
