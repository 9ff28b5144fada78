// A `secret: true` variable reaches the command that runs, and nowhere else: not the timeline entry
// written to the incident record in git, not the step event (which is also what the log prints).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { runbookOpsApi as api, workspaceFile } from './extensionApi';

const SECRET = 's3cr3t-Tok3n-4711';



describe('secret placeholder values', function () {
  this.timeout(60_000);
  const runbook = workspaceFile('scratch-secrets', 'rotate-token.md');
  const marker = `/tmp/runbook-ops-secret-${process.pid}.txt`;

  after(async () => {
    const { activeIncident } = await api();
    activeIncident.set(undefined);
    await vscode.workspace.fs.delete(workspaceFile('scratch-secrets'), { recursive: true }).then(undefined, () => undefined);
  });

  it('runs with the value but records and reports only ****', async () => {
    const runbooks = await api();
    await vscode.workspace.fs.writeFile(
      runbook,
      Buffer.from(
        [
          '---',
          'title: Rotate the API token',
          'variables:',
          '  token:',
          '    description: The new token',
          '    secret: true',
          '---',
          '# Rotate the API token',
          '',
          '## Store it',
          '',
          '```sh {name=store}',
          `printf '%s' {{token}} > ${marker}`,
          '```',
          '',
        ].join('\n'),
      ),
    );
    await runbooks.index.refreshFile(runbook);
    const incident = workspaceFile('incidents', 'INC-0009.yaml');
    runbooks.activeIncident.set(incident);
    runbooks.placeholderValues.set(runbook, 'var:token', { value: SECRET }, true);
    const events: { command: string }[] = [];
    const listener = runbooks.runner.onDidFinishStep((e) => events.push(e));
    const outcome = await vscode.commands.executeCommand<{ status: string }>('runbookOps.runStep', runbook, 'store');
    listener.dispose();
    assert.equal(outcome?.status, 'succeeded');
    assert.equal(readFileSync(marker, 'utf8'), SECRET, 'the command ran with the real value');
    assert.equal(events.length, 1);
    assert.equal(events[0].command, `printf '%s' **** > ${marker}`);
    // The action entry lands on the active incident's timeline, masked.
    const deadline = Date.now() + 10_000;
    let record = readFileSync(incident.fsPath, 'utf8');
    while (!record.includes('scratch-secrets/rotate-token.md#store') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      record = readFileSync(incident.fsPath, 'utf8');
    }
    assert.match(record, /command: printf '%s' \*\*\*\* > /);
    assert.ok(!record.includes(SECRET), 'the secret is not in the incident record');
  });
});
