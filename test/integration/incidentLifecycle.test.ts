// The lifecycle of an incident inside VS Code (issue 16): reopening, resolving with a summary, the
// active incident let go once it is over (whoever resolved it), the commander asked for when leaving
// triage, the quick fix for text cut by a `#`, and remembered placeholder values shown before they are used.
import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { StepRunEvent } from '../../src/core/runbook/stepSequence';
import { acceptingQuickInputs, escapingQuickInputs, runbookOpsApi as api, workspaceFile } from './extensionApi';

async function until<T>(what: string, probe: () => T | undefined | false, ms = 15_000): Promise<T> {
  for (const deadline = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 100))) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

const record = (id: string, status: string, extra: string[] = []): string => [
  `id: ${id}`, `title: Lifecycle ${id}`, `status: ${status}`, 'severity: SEV3', ...extra,
  'declared_at: 2026-11-20T10:00:00Z',
  ...(status === 'triage' ? [] : ['acknowledged_at: 2026-11-20T10:05:00Z']),
  ...(status === 'mitigated' ? ['mitigated_at: 2026-11-20T10:30:00Z'] : []),
  'timeline:', '  - at: 2026-11-20T10:00:00Z', '    by: pagerbot', '    kind: note', '    text: Declared', '',
].join('\n');

describe('Incident lifecycle in VS Code', function () {
  this.timeout(90_000);
  const created: vscode.Uri[] = [];

  async function scratch(id: string, text: string): Promise<vscode.Uri> {
    const uri = workspaceFile('incidents', `${id}.yaml`);
    writeFileSync(uri.fsPath, text);
    created.push(uri);
    const { index } = await api();
    await until(`${id} in the index`, () => index.incidentAt(uri));
    return uri;
  }

  before(async () => {
    await vscode.workspace.getConfiguration('runbookOps').update('user.name', 'lifecycle-bot', vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    const { index, activeIncident } = await api();
    activeIncident.set(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const uri of created) rmSync(uri.fsPath, { force: true });
    // Later suites count the sample's incidents.
    await until('the scratch records to leave the index', () => created.every((uri) => !index.incidentAt(uri)));
    await vscode.workspace.getConfiguration('runbookOps').update('user.name', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('reopens a mitigated incident with the reason, removing mitigated_at and keeping it in the entry', async () => {
    const uri = await scratch('INC-0081', record('INC-0081', 'mitigated', ['commander: alice']));
    assert.equal(await vscode.commands.executeCommand('runbookOps.reopenIncident', uri, 'Errors are back'), 'mitigated → investigating (reopened)');
    const text = readFileSync(uri.fsPath, 'utf8');
    assert.match(text, /^status: investigating$/m);
    assert.doesNotMatch(text, /^mitigated_at:/m);
    assert.match(text, / {4}kind: status\n {4}from: mitigated\n {4}to: investigating\n {4}text: "Reopened: Errors are back \(was mitigated_at 2026-11-20T10:30:00Z\)"\n$/);
    const { index } = await api();
    await until('the index to see it investigating', () => index.incidentAt(uri)?.incident.status === 'investigating');
    assert.deepEqual(index.incidentAt(uri)!.incident.problems.filter((p) => p.severity === 'error'), [], 'the reopened record is valid');
    // An investigating incident has nothing to reopen; Escape at the reason writes nothing.
    assert.equal(await vscode.commands.executeCommand('runbookOps.reopenIncident', uri, 'again'), undefined);
    assert.equal(await vscode.commands.executeCommand('runbookOps.updateIncidentStatus', uri, 'mitigated'), 'investigating → mitigated');
    const before = readFileSync(uri.fsPath, 'utf8');
    assert.equal(await escapingQuickInputs('runbookOps.reopenIncident', uri), undefined);
    assert.equal(readFileSync(uri.fsPath, 'utf8'), before);
  });

  it('resolving the active incident stops recording steps on it, whichever surface resolves it', async () => {
    const { activeIncident, runner, placeholderValues } = await api();
    const activeId = (): string | undefined => activeIncident.current?.incident.id;
    const uri = await scratch('INC-0082', record('INC-0082', 'investigating', ['commander: alice']));
    await vscode.commands.executeCommand('runbookOps.setActiveIncident', uri);
    assert.equal(activeId(), 'INC-0082');
    assert.equal(await vscode.commands.executeCommand('runbookOps.resolveIncident', uri, 'Rolled back 4.13.0'), 'investigating → resolved');
    assert.match(readFileSync(uri.fsPath, 'utf8'), / {4}from: investigating\n {4}to: resolved\n {4}text: Rolled back 4\.13\.0\n$/);
    assert.equal(activeId(), undefined, 'no longer active');
    // A step run now is not recorded on it.
    const runbook = workspaceFile('kubernetes', 'node-not-ready.md');
    placeholderValues.set(runbook, 'var:node', { value: 'ip-10-8-8-8' });
    const finished = new Promise<StepRunEvent>((resolve) => {
      const sub = runner.onDidFinishStep((e) => {
        sub.dispose();
        resolve(e);
      });
    });
    const outcome = await acceptingQuickInputs<{ exitCode?: number }>('runbookOps.runStep', runbook, 'cordon');
    assert.equal(outcome?.exitCode, 0);
    await finished;
    assert.doesNotMatch(readFileSync(uri.fsPath, 'utf8'), /kind: action/);
    // A resolved incident cannot be made active again.
    assert.equal(await vscode.commands.executeCommand('runbookOps.setActiveIncident', uri), undefined);
    assert.equal(activeId(), undefined);

    // Resolved by a file change (a pull, a terminal): let go too.
    const pulled = await scratch('INC-0083', record('INC-0083', 'investigating', ['commander: alice']));
    await vscode.commands.executeCommand('runbookOps.setActiveIncident', pulled);
    assert.equal(activeId(), 'INC-0083');
    writeFileSync(pulled.fsPath, readFileSync(pulled.fsPath, 'utf8').replace('status: investigating', 'status: resolved').replace('acknowledged_at: 2026-11-20T10:05:00Z', 'acknowledged_at: 2026-11-20T10:05:00Z\nmitigated_at: 2026-11-20T11:00:00Z\nresolved_at: 2026-11-20T11:00:00Z'));
    await until('the active incident to be let go', () => activeId() === undefined);
  });

  it('asks for the commander when a record leaves triage without one (the author first) and for an optional summary', async () => {
    const uri = await scratch('INC-0084', record('INC-0084', 'triage'));
    // Enter on the commander pick takes its first suggestion, the author; Enter on the empty summary resolves without one.
    assert.equal(await acceptingQuickInputs('runbookOps.acknowledgeIncident', uri), 'triage → acknowledged, commander lifecycle-bot');
    assert.match(readFileSync(uri.fsPath, 'utf8'), /^commander: lifecycle-bot$/m);
    assert.equal(await acceptingQuickInputs('runbookOps.resolveIncident', uri), 'acknowledged → resolved');
    assert.match(readFileSync(uri.fsPath, 'utf8'), / {4}to: resolved\n {4}text: Resolved\n$/);
    // Escape at the commander writes nothing.
    const other = await scratch('INC-0085', record('INC-0085', 'triage'));
    const before = readFileSync(other.fsPath, 'utf8');
    assert.equal(await escapingQuickInputs('runbookOps.acknowledgeIncident', other), undefined);
    assert.equal(readFileSync(other.fsPath, 'utf8'), before);
  });

  it('warns in the Problems panel when a # cuts a text short, and quotes the whole value with a quick fix', async () => {
    const text = record('INC-0086', 'triage').replace('    text: Declared\n', '    text: Declared\n  - at: 2026-11-20T10:01:00Z\n    by: pagerbot\n    kind: comms\n    text: Posted to #edge-alerts, no page (SEV4)\n');
    const uri = await scratch('INC-0086', text);
    // From the index, before the file is opened (index problems carry no code; the open document's do).
    const warning = await until('the warning from the index', () => vscode.languages.getDiagnostics(uri).find((d) => d.message.startsWith('`text` stops before “#edge-alerts, no page (SEV4)”')));
    assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.deepEqual([warning.range.start.line + 1, warning.range.start.character + 1, warning.range.end.character + 1], [14, 11, 49]);
    const document = await vscode.workspace.openTextDocument(uri);
    const opened = await until('the warning on the open document', () => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'comment-in-text'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, opened.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === 'Quote the whole value, # included');
    assert.ok(fix?.edit, actions.map((a) => a.title).join(', '));
    await vscode.workspace.applyEdit(fix.edit);
    assert.equal(document.lineAt(13).text, '    text: "Posted to #edge-alerts, no page (SEV4)"');
    await until('the warning to clear', () => !vscode.languages.getDiagnostics(uri).some((d) => d.code === 'comment-in-text'));
    await document.save();
  });

  it('shows remembered placeholder values before a step uses them: Escape runs nothing, Enter runs with them', async () => {
    const { runner, placeholderValues } = await api();
    const runbook = workspaceFile('kubernetes', 'node-not-ready.md');
    placeholderValues.set(runbook, 'var:node', { value: 'ip-10-7-7-7' });
    const events: StepRunEvent[] = [];
    const sub = runner.onDidFinishStep((e) => events.push(e));
    try {
      assert.equal(await escapingQuickInputs('runbookOps.runStep', runbook, 'cordon'), undefined);
      assert.equal(events.length, 0, 'nothing ran');
      const outcome = await acceptingQuickInputs<{ exitCode?: number }>('runbookOps.runStep', runbook, 'cordon');
      assert.equal(outcome?.exitCode, 0);
      assert.equal(events.length, 1);
      assert.equal(events[0].command, 'kubectl cordon ip-10-7-7-7');
    } finally {
      sub.dispose();
    }
  });
});
