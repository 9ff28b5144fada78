// Issue 14, item 2 in a running VS Code: a runbook that stalls an index worker (the test-only spin
// hook, set for this extension host by the harness) is given up after the budget, the rest is indexed,
// and the extension host never parses that file: no CodeLens, no steps, no run, and an unsaved edit of
// it is tried on a worker again rather than here. Waits are for states, each with a deadline.
import { strict as assert } from 'node:assert';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { PARSE_BUDGET_SPIN_NAME } from '../harness/paths';
import { runbookOpsApi as api, workspaceFile } from './extensionApi';

const GAVE_UP = /^Runbook Ops gave up reading this file after 5 s: /;

async function waitFor(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function ourLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  let lenses: vscode.CodeLens[] | undefined;
  try {
    lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
  } catch (err) {
    throw new Error(`CodeLens of ${uri.toString()}: ${(err as Error).message}`);
  }
  return (lenses ?? []).filter((l) => l.command?.command.startsWith('runbookOps.'));
}

describe('parse budget: a runbook that stalls an index worker (issue 14, item 2)', function () {
  this.timeout(180_000);
  const folder = workspaceFile('budget');
  const spin = workspaceFile('budget', `${PARSE_BUDGET_SPIN_NAME}.md`);
  const ok = workspaceFile('budget', 'parse-budget-ok.md');

  before(async () => {
    mkdirSync(folder.fsPath, { recursive: true });
    writeFileSync(spin.fsPath, '# Stalls the worker\n\n## Restart\n\n```sh\necho restart\n```\n');
    writeFileSync(ok.fsPath, '# Parse budget OK\n\n## Check\n\n```sh\necho check\n```\n');
    await (await api()).index.reindex();
  });

  after(async () => {
    await vscode.window.showTextDocument(spin);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(folder.fsPath, { recursive: true, force: true });
    await (await api()).index.reindex();
  });

  it('indexes the rest, gives the file its line-1 problem, and the extension host never parses it', async () => {
    const { index, stepsTree } = await api();
    const given = index.runbookAt(spin)?.runbook;
    assert.ok(given, 'the stalled file is indexed');
    assert.deepEqual(given.steps, []);
    assert.equal(given.problems.length, 1);
    assert.equal(given.problems[0].line, 1);
    assert.match(given.problems[0].message, GAVE_UP);
    assert.deepEqual(index.runbookAt(ok)?.runbook.steps.map((s) => s.id), ['check'], 'the file beside it is indexed');
    assert.ok(index.runbookCount() >= 17, `${index.runbookCount()} runbooks: the sample is indexed too`);
    await waitFor(() => vscode.languages.getDiagnostics(spin).some((d) => d.range.start.line === 0 && GAVE_UP.test(d.message)), 'the problem in the Problems panel');

    // Open in an editor: read as a runbook without steps, so no CodeLens, nothing in the Steps view, nothing to run.
    const document = await vscode.workspace.openTextDocument(spin);
    const editor = await vscode.window.showTextDocument(document);
    assert.equal(index.mayParse(spin, document.getText()), false);
    assert.deepEqual(await ourLenses(spin), []);
    await vscode.workspace.openTextDocument(ok);
    assert.ok((await ourLenses(ok)).length > 0, 'the other runbook has its CodeLens');
    await waitFor(() => stepsTree.runbookUri?.toString() === spin.toString(), 'the Steps view to follow the editor');
    assert.deepEqual(stepsTree.getChildren(), []);
    const terminals = vscode.window.terminals.length;
    await vscode.commands.executeCommand('runbookOps.runAll', spin).then(undefined, (err: Error) => {
      throw new Error(`runAll: ${err.message}`);
    });
    assert.equal(vscode.window.terminals.length, terminals, 'Run all refused: no terminal');

    // An unsaved edit: the new text goes to a worker under the budget (where it stalls again), not to this thread.
    const tried = new Promise<void>((resolve) => {
      const subscription = index.onDidChangeGivenUp(() => {
        subscription.dispose();
        resolve();
      });
    });
    const end = document.lineAt(document.lineCount - 1).range.end;
    assert.ok(await editor.edit((edit) => edit.insert(end, '\nOne more line.\n')));
    assert.equal(index.mayParse(spin, document.getText()), false, 'not parsed here while a worker tries it');
    await withDeadline(tried, 60_000, 'the worker to try the edited text');
    assert.equal(index.mayParse(spin, document.getText()), false, 'the worker gave up on the edited text too');
    assert.deepEqual(await ourLenses(spin), []);
    assert.match(index.givenUpProblem(spin)?.message ?? '', GAVE_UP);
  });
});
