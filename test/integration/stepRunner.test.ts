import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { RunbookOpsApi } from '../../src/extension/extension';
import type { StepNode } from '../../src/extension/stepsTreeProvider';
import { acceptingQuickInputs, runbookOpsApi as api, workspaceFile } from './extensionApi';



async function stepDescriptions(runbooks: RunbookOpsApi, uri: vscode.Uri): Promise<Map<string, string>> {
  await vscode.window.showTextDocument(uri);
  const nodes = runbooks.stepsTree.getChildren() as StepNode[];
  return new Map(nodes.map((n) => [n.step.id, String((runbooks.stepsTree.getTreeItem(n) as vscode.TreeItem).description)]));
}

async function writeRunbook(name: string, text: string): Promise<vscode.Uri> {
  const uri = workspaceFile('scratch-steps', name);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
  return uri;
}

describe('StepRunner in a real terminal', function () {
  this.timeout(60_000);
  const smoke = workspaceFile('kubernetes', 'checkout-api-smoke.md');

  before(async () => {
    const { placeholderValues } = await api();
    // The values a user would type in the InputBox once per runbook (the e2e suite types them for real).
    placeholderValues.set(smoke, 'var:namespace', { value: 'payments' });
    placeholderValues.set(smoke, 'var:window', { value: '1h' });
  });

  after(async () => {
    await vscode.workspace.fs.delete(workspaceFile('scratch-steps'), { recursive: true }).then(undefined, () => undefined);
  });

  it('runs a step that exits 0 and one that exits 3, and the Steps view shows both', async () => {
    const runbooks = await api();
    const events: unknown[] = [];
    const listener = runbooks.runner.onDidFinishStep((e) => events.push(e));
    const ok = await acceptingQuickInputs('runbookOps.runStep', smoke, 'smoke-pods');
    const failing = await acceptingQuickInputs('runbookOps.runStep', smoke, 'check-the-error-budget');
    listener.dispose();
    assert.deepEqual([ok, failing].map((o) => ({ ...(o as object), durationMs: 0 })), [
      { status: 'succeeded', exitCode: 0, durationMs: 0 },
      { status: 'failed', exitCode: 3, durationMs: 0 },
    ]);
    assert.deepEqual(events.map((e) => {
      const { runbook, stepId, command, status, exitCode } = e as Record<string, unknown>;
      return { runbook, stepId, command, status, exitCode };
    }), [
      { runbook: 'kubernetes/checkout-api-smoke.md', stepId: 'smoke-pods', command: 'kubectl -n payments get pods -l app.kubernetes.io/name=checkout-api', status: 'succeeded', exitCode: 0 },
      { runbook: 'kubernetes/checkout-api-smoke.md', stepId: 'check-the-error-budget', command: 'check-error-budget checkout-api --window 1h', status: 'failed', exitCode: 3 },
    ]);
    const descriptions = await stepDescriptions(runbooks, smoke);
    assert.match(descriptions.get('smoke-pods')!, /^exit 0 · /);
    assert.match(descriptions.get('check-the-error-budget')!, /^exit 3 · /);
    assert.equal(descriptions.get('check-the-error-budget-2'), 'copy only');
    assert.equal(descriptions.get('smoke-record'), 'not run');
    const terminal = vscode.window.terminals.find((t) => t.name === 'Runbook: checkout-api smoke checks');
    assert.ok(terminal, `a terminal named after the runbook: ${vscode.window.terminals.map((t) => t.name).join(', ')}`);
  });

  it('Run all stops at the failing step and does not run the rest', async () => {
    const runbooks = await api();
    runbooks.stepStates.reset(smoke);
    const result = await acceptingQuickInputs<{ ran: number; stoppedAt?: { stepId: string; outcome: { status: string; exitCode?: number } } }>('runbookOps.runAll', smoke);
    // The "Expected output" transcript after the smoke suite is output, not a step: three steps run.
    assert.equal(result?.ran, 3);
    assert.equal(result?.stoppedAt?.stepId, 'check-the-error-budget');
    assert.equal(result?.stoppedAt?.outcome.exitCode, 3);
    const descriptions = await stepDescriptions(runbooks, smoke);
    assert.deepEqual([...descriptions].map(([id, d]) => [id, d.replace(/ · .*$/, '')]), [
      ['smoke-pods', 'exit 0'],
      ['smoke-suite', 'exit 0'],
      ['run-the-smoke-suite', 'copy only'],
      ['check-the-error-budget', 'exit 3'],
      ['check-the-error-budget-2', 'copy only'],
      ['smoke-record', 'not run'],
    ]);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.toString(), smoke.toString());
    assert.match(editor!.document.lineAt(editor!.selection.active.line).text, /^```sh/, 'the failing step is revealed');
  });

  it('passes hostile placeholder values as one literal argument, from a CRLF runbook, with multi-line scripts as one command', async () => {
    const runbooks = await api();
    const out = `/tmp/runbook-ops-quoting-${process.pid}.txt`;
    const uri = await writeRunbook('quoting.md', [
      '# Quoting', '', '## Write', '```sh {name=write}', `printf '%s|%s\\n' <value> "<value>" > ${out}`, `printf 'single:%s\\n' '<value>' >> ${out}`, 'true', '```', '',
    ].join('\r\n'));
    const pwned = `/tmp/runbook-ops-pwned-${process.pid}`;
    const hostile = `a; touch ${pwned} "q" 'x' $(touch ${pwned}) \`id\` \\ end`;
    runbooks.placeholderValues.set(uri, 'angle:value', { value: hostile });
    const outcome = await acceptingQuickInputs<{ status: string; exitCode?: number }>('runbookOps.runStep', uri, 'write');
    assert.equal(outcome?.exitCode, 0);
    assert.equal(readFileSync(out, 'utf8'), `${hostile}|${hostile}\nsingle:${hostile}\n`);
    assert.equal(existsSync(pwned), false, 'nothing in the value was executed');
  });

  it('marks a step timed out after its timeout attribute, and unknown when its terminal is closed', async () => {
    const runbooks = await api();
    const uri = await writeRunbook('slow.md', '# Slow\n## Wait\n```sh {name=wait timeout=1}\nsleep 20\n```\n## Closed\n```sh {name=closed}\nsleep 30\n```\n');
    const timedOut = await vscode.commands.executeCommand<{ status: string }>('runbookOps.runStep', uri, 'wait');
    assert.equal(timedOut?.status, 'timed-out');
    const terminal = vscode.window.terminals.find((t) => t.name === 'Runbook: Slow');
    assert.ok(terminal);
    const running = vscode.commands.executeCommand<{ status: string }>('runbookOps.runStep', uri, 'closed');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    terminal.dispose();
    assert.equal((await running)?.status, 'unknown');
    assert.match((await stepDescriptions(runbooks, uri)).get('closed')!, /^exit status unknown · /);
  });

  it('Runme attributes: a background step is not waited for, closeTerminalOnSuccess closes its terminal, a category runs alone', async () => {
    const runbooks = await api();
    const dir = `/tmp/runbook-ops-runme-${process.pid}`;
    const uri = await writeRunbook('runme.md', [
      '# Runme cells', '',
      // It serves until the test releases it, so nothing here depends on how fast the machine is.
      '## Serve', '```sh {name=serve background=true category=dev}', `mkdir -p ${dir}; until [ -e ${dir}/release ]; do sleep 0.1; done; echo served > ${dir}/served`, '```', '',
      '## Build', '```sh {name=build category=dev,ci}', `mkdir -p ${dir}; test ! -e ${dir}/served && echo built > ${dir}/built`, '```', '',
      '## Lint', '```sh {"name":"lint","category":"ci","closeTerminalOnSuccess":true}', `echo linted > ${dir}/linted`, '```', '',
      '## Deploy', '```sh {name=deploy}', `echo deployed > ${dir}/deployed`, '```', '',
    ].join('\n'));
    // Run all goes past the background step while it still runs: build sees no `served` yet.
    const all = await vscode.commands.executeCommand<{ ran: number; stoppedAt?: unknown }>('runbookOps.runAll', uri);
    assert.equal(all?.ran, 4);
    assert.equal(all?.stoppedAt, undefined);
    assert.equal(readFileSync(`${dir}/built`, 'utf8'), 'built\n');
    assert.equal(existsSync(`${dir}/served`), false, 'the background step was not waited for');
    assert.match((await stepDescriptions(runbooks, uri)).get('serve')!, /running/);
    const background = vscode.window.terminals.find((t) => t.name === 'Runbook: Runme cells · serve');
    assert.ok(background, vscode.window.terminals.map((t) => t.name).join(', '));
    // Released, it finishes on its own, and then shows its exit code.
    const finishing = new Promise<unknown>((resolve) => {
      const listener = runbooks.runner.onDidFinishStep((e) => {
        if (e.stepId === 'serve') {
          listener.dispose();
          resolve(e);
        }
      });
    });
    writeFileSync(`${dir}/release`, '');
    const finished = await finishing;
    assert.equal((finished as { exitCode?: number }).exitCode, 0);
    assert.equal(readFileSync(`${dir}/served`, 'utf8'), 'served\n');
    assert.match((await stepDescriptions(runbooks, uri)).get('serve')!, /^exit 0 · /);
    // closeTerminalOnSuccess closed the runbook's terminal after lint succeeded; deploy opened a new one.
    assert.ok(existsSync(`${dir}/deployed`));

    // A category runs only its own steps, in order.
    rmSync(dir, { recursive: true, force: true });
    const ci = await vscode.commands.executeCommand<{ ran: number }>('runbookOps.runStepsByTag', uri, 'ci');
    assert.equal(ci?.ran, 2);
    assert.deepEqual(['built', 'linted', 'deployed', 'served'].map((f) => existsSync(`${dir}/${f}`)), [true, true, false, false]);
    const closedAfterLint = await new Promise<boolean>((resolve) => {
      const check = (): void => resolve(!vscode.window.terminals.some((t) => t.name === 'Runbook: Runme cells' && t.exitStatus === undefined));
      if (!vscode.window.terminals.some((t) => t.name === 'Runbook: Runme cells' && t.exitStatus === undefined)) check();
      else {
        const listener = vscode.window.onDidCloseTerminal(() => {
          listener.dispose();
          check();
        });
      }
    });
    assert.ok(closedAfterLint, 'the terminal closed once lint succeeded');
    rmSync(dir, { recursive: true, force: true });
  });

  it('Runme promptEnv: a notebook cell asks for the values it exports, offering a quoted one; promptEnv=no runs as written', async () => {
    const runbooks = await api();
    const out = `/tmp/runbook-ops-prompt-env-${process.pid}.txt`;
    const uri = await writeRunbook('prompt-env.md', [
      '---', 'runme:', '  version: v3', '---', '# Prompted', '',
      '## Set', '```sh {"name":"set"}', 'export PROJECT_NAME=[Enter your project id]', 'export CLUSTER_ZONE="us-central1-c"', `echo "$PROJECT_NAME|$CLUSTER_ZONE" > ${out}`, '```', '',
      '## As written', '```sh {"name":"fixed","promptEnv":"no"}', 'export CLUSTER_ZONE="eu-west1-b"', `echo "$CLUSTER_ZONE" >> ${out}`, '```', '',
    ].join('\n'));
    // Accepting each input box as shown: the message-only value is empty, the quoted one is offered.
    assert.equal((await acceptingQuickInputs<{ exitCode?: number }>('runbookOps.runStep', uri, 'set'))?.exitCode, 0);
    assert.equal(readFileSync(out, 'utf8'), '|us-central1-c\n');
    // A value given before is remembered (promptEnv auto) and used once accepted.
    runbooks.placeholderValues.set(uri, 'export:PROJECT_NAME', { value: 'acme prod' });
    assert.equal((await acceptingQuickInputs<{ exitCode?: number }>('runbookOps.runStep', uri, 'set'))?.exitCode, 0);
    assert.equal(readFileSync(out, 'utf8'), 'acme prod|us-central1-c\n');
    // promptEnv=no asks nothing: it runs without any quick input being answered.
    assert.equal((await vscode.commands.executeCommand<{ exitCode?: number }>('runbookOps.runStep', uri, 'fixed'))?.exitCode, 0);
    assert.equal(readFileSync(out, 'utf8'), 'acme prod|us-central1-c\neu-west1-b\n');
    rmSync(out, { force: true });
  });

  it('runs steps in the runbook folder, then Runme\'s document-level cwd, then the cell\'s own cwd', async () => {
    const out = `/tmp/runbook-ops-cwd-${process.pid}.txt`;
    const folder = workspaceFile('scratch-steps', 'deploy', 'inner');
    await vscode.workspace.fs.createDirectory(folder);
    const uri = await writeRunbook('cwd.md', [
      '---', 'cwd: deploy', '---', '# Folders', '',
      '## Document', '```sh {"name":"doc"}', `pwd > ${out}`, '```', '',
      '## Cell', '```sh {"name":"cell","cwd":"inner"}', `pwd >> ${out}`, '```', '',
    ].join('\n'));
    assert.equal((await vscode.commands.executeCommand<{ exitCode?: number }>('runbookOps.runStep', uri, 'doc'))?.exitCode, 0);
    assert.equal((await vscode.commands.executeCommand<{ exitCode?: number }>('runbookOps.runStep', uri, 'cell'))?.exitCode, 0);
    assert.equal(readFileSync(out, 'utf8'), `${vscode.Uri.joinPath(folder, '..').fsPath}\n${folder.fsPath}\n`);
    rmSync(out, { force: true });
  });

  it('never runs a step whose block is not runnable, and says why', async () => {
    const uri = await writeRunbook('copy.md', '# Copy\n## Config\n```yaml\nreplicas: 3\n```\n');
    const marker = '/tmp/runbook-ops-should-not-exist';
    assert.equal(await vscode.commands.executeCommand('runbookOps.runStep', uri, 'config'), undefined);
    assert.equal(existsSync(marker), false);
    const copied = await vscode.commands.executeCommand<string>('runbookOps.copyStep', uri, 'config');
    assert.equal(copied, 'replicas: 3');
    assert.equal(await vscode.env.clipboard.readText(), 'replicas: 3');
  });

  it('offers CodeLens on every step and Run all on the title', async () => {
    await vscode.workspace.openTextDocument(smoke);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', smoke, 100);
    const titles = lenses.map((l) => `${l.range.start.line + 1}:${l.command?.title}`);
    const ours = titles.filter((t) => /Run all|▶ Run|Run from here|Copy/.test(t));
    assert.ok(ours.some((t) => /Run all$/.test(t)), titles.join(', '));
    // Four steps run; the "Expected output" transcript is copy-only, and its CodeLens says why.
    assert.equal(ours.filter((t) => t.endsWith('▶ Run')).length, 4);
    assert.equal(ours.filter((t) => t.endsWith('Copy')).length, 6);
    const outputLine = readFileSync(smoke.fsPath, 'utf8').split('\n').findIndex((l) => l.startsWith('$ kubectl -n payments exec')) - 1;
    const outputLens = lenses.find((l) => l.range.start.line === outputLine && l.command?.title === 'Copy');
    assert.match(outputLens?.command?.tooltip ?? '', /introduced as output/);
  });

  it('binds its keys only where no built-in shortcut uses them', async () => {
    await vscode.commands.executeCommand('workbench.action.openDefaultKeybindingsFile');
    const builtIn = vscode.window.activeTextEditor!.document.getText();
    const pkg = vscode.extensions.getExtension('runbook-ops.runbook-ops')!.packageJSON as { contributes: { keybindings: { key: string; command: string }[] } };
    for (const { key, command } of pkg.contributes.keybindings) {
      const clash = builtIn.split('\n').filter((line) => line.includes(`"key": "${key}"`) && !line.includes(command));
      assert.deepEqual(clash, [], `${key} (${command}) is also bound by VS Code`);
    }
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
