import { strict as assert } from 'node:assert';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { AlertRunbookOpened } from '../../src/extension/alertCommands';
import { acceptingQuickInputs, runbookOpsApi as api, workspaceFile } from './extensionApi';

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; !condition(); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

describe('Find Runbook for Alert, and Declare Incident from Alert', function () {
  this.timeout(90_000);
  const payload = readFileSync(workspaceFile('alerts', 'checkout-high-5xx.alertmanager.json').fsPath, 'utf8');
  const runbook = workspaceFile('alerts', 'checkout-api', 'CheckoutHigh5xx.md');
  let declared: vscode.Uri | undefined;

  before(async () => {
    await vscode.workspace.getConfiguration('runbookOps').update('user.name', 'integration-bot', vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    const runbooks = await api();
    runbooks.activeIncident.set(undefined);
    runbooks.placeholderValues.clear(runbook);
    if (declared) {
      // Leave the sample's incidents as the other suites expect them.
      rmSync(declared.fsPath, { force: true });
      rmSync(workspaceFile('postmortems').fsPath, { recursive: true, force: true });
      await runbooks.index.refreshFile(declared);
      await until(() => !runbooks.index.incidents().some((e) => e.uri.toString() === declared!.toString()), 'the record to leave the index');
    }
    await vscode.workspace.getConfiguration('runbookOps').update('user.name', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('opens the runbook the alert’s runbook_url names, with its labels as the placeholder values, shown before the step runs', async () => {
    const runbooks = await api();
    runbooks.activeIncident.set(undefined);
    // Two runbooks answer (runbook_url, front matter): the pick offers them best first, and Enter takes the first.
    const opened = await acceptingQuickInputs<AlertRunbookOpened>('runbookOps.findRunbookForAlert', payload);
    assert.equal(opened?.uri.toString(), runbook.toString());
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), runbook.toString());
    assert.deepEqual(opened.filled.map((f) => [f.placeholder.tokens[0], f.label, f.value]), [['<namespace>', 'namespace', 'payments']]);
    assert.deepEqual(runbooks.placeholderValues.get(runbook, 'angle:namespace'), { value: 'payments', from: 'CheckoutHigh5xx' });

    const ran: string[] = [];
    const listener = runbooks.runner.onDidFinishStep((e) => ran.push(e.command));
    const outcome = await acceptingQuickInputs<{ status: string; exitCode?: number }>('runbookOps.runStep', runbook, 'diagnosis-2');
    listener.dispose();
    assert.equal(outcome?.exitCode, 0);
    assert.deepEqual(ran, ['kubectl get pods -n payments -l app.kubernetes.io/name=checkout-api']);
  });

  it('declares the incident from the alert in one action, makes it active, and records the step with the label’s value on it', async () => {
    const runbooks = await api();
    const id = await vscode.commands.executeCommand<string>('runbookOps.declareIncidentFromAlert', payload, runbook);
    assert.match(id, /^INC-\d{4}$/);
    declared = workspaceFile('incidents', `${id}.yaml`);
    assert.equal(runbooks.activeIncident.current?.incident.id, id);
    const record = readFileSync(declared.fsPath, 'utf8');
    assert.equal(record.replace(/^declared_at: .*$/m, 'declared_at: <ts>').replace(/- at: (?!2026-11-30)\S+/g, '- at: <ts>'), [
      `id: ${id}`,
      'title: "CheckoutHigh5xx: checkout-api 5xx ratio above 2% in eu-west-1"',
      'status: triage',
      'severity: SEV2', // the label `page`, through the sample's alert_severities
      'mode: standard',
      'services: [checkout-api]',
      'detected_at: 2026-11-30T09:05:10Z',
      'declared_at: <ts>',
      'runbooks: [alerts/checkout-api/CheckoutHigh5xx.md]',
      'timeline:',
      '  - at: 2026-11-30T09:05:10Z',
      '    by: alertmanager',
      '    kind: detection',
      '    text: "CheckoutHigh5xx fired (namespace=payments, region=eu-west-1, service=checkout-api, severity=page): checkout-api 5xx ratio above 2% in eu-west-1"',
      '  - at: <ts>',
      '    by: integration-bot',
      '    kind: note',
      '    text: Declared SEV2',
      '',
    ].join('\n'));
    // Values are remembered per incident: the label's value followed the alert into the new incident.
    assert.deepEqual(runbooks.placeholderValues.get(runbook, 'angle:namespace'), { value: 'payments', from: 'CheckoutHigh5xx' });
    const outcome = await acceptingQuickInputs<{ status: string; exitCode?: number }>('runbookOps.runStep', runbook, 'diagnosis-2');
    assert.equal(outcome?.exitCode, 0);
    await until(() => readFileSync(declared!.fsPath, 'utf8').includes('kind: action'), 'the step on the timeline');
    assert.match(readFileSync(declared.fsPath, 'utf8'), /kind: action\n(?: {4}.*\n)*? {4}command: kubectl get pods -n payments -l app\.kubernetes\.io\/name=checkout-api\n/);
  });

  it('drafts the postmortem: the file from the record, linked from it, opened; again, only the facts change', async () => {
    const runbooks = await api();
    const path = await vscode.commands.executeCommand<string>('runbookOps.draftPostmortem', declared);
    const id = runbooks.activeIncident.current!.incident.id;
    assert.equal(path, `postmortems/${id}.md`);
    const draft = workspaceFile('postmortems', `${id}.md`);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), draft.toString());
    const text = readFileSync(draft.fsPath, 'utf8');
    assert.match(text, /\| alertmanager \| detection \| CheckoutHigh5xx fired/);
    assert.match(text, /`kubectl get pods -n payments -l app\.kubernetes\.io\/name=checkout-api` → exit 0/);
    assert.match(readFileSync(declared!.fsPath, 'utf8'), new RegExp(`^postmortem: postmortems/${id}\\.md$`, 'm'));
    // Written by a person, kept when the facts are regenerated after a note.
    writeFileSync(draft.fsPath, text.replace('_What set it off._', 'A deploy at 09:00.'));
    await vscode.commands.executeCommand('runbookOps.addIncidentNote', declared, 'Rolled back');
    await vscode.commands.executeCommand('runbookOps.draftPostmortem', declared);
    const again = readFileSync(draft.fsPath, 'utf8');
    assert.ok(again.includes('A deploy at 09:00.'), 'what was written stays');
    assert.match(again, /\| note \| Rolled back \|/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
