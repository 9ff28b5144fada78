import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { RunbookOpsApi } from '../../../src/extension/extension';

// Runs with workspace trust enabled, so the sample folder opens in Restricted Mode.
describe('Restricted Mode', () => {
  it('opens the folder untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still indexes runbooks and shows CodeLens', async () => {
    const api = await vscode.extensions.getExtension<RunbookOpsApi>('runbook-ops.runbook-ops')!.activate();
    await api.indexed;
    assert.equal(api.index.runbookCount(), 15);
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'kubernetes', 'node-not-ready.md');
    await vscode.workspace.openTextDocument(uri);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
    assert.ok(lenses.some((l) => l.command?.title === '▶ Run'));
  });

  it('refuses to run a step, from the command and from the runner itself', async () => {
    const api = await vscode.extensions.getExtension<RunbookOpsApi>('runbook-ops.runbook-ops')!.activate();
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'kubernetes', 'node-not-ready.md');
    const marker = '/tmp/runbook-ops-marker.txt';
    const before = existsSync(marker);
    api.placeholderValues.set(uri, 'var:node', { value: 'untrusted-node' });
    const terminalsBefore = vscode.window.terminals.length;
    // The command is disabled by its enablement clause; the runner checks trust on its own as well.
    await vscode.commands.executeCommand('runbookOps.runStep', uri, 'record-drain').then(undefined, () => undefined);
    assert.equal(await api.runner.runStep({ uri, stepId: 'record-drain' }), undefined);
    assert.equal(await api.runner.runSequence(uri), undefined);
    assert.equal(vscode.window.terminals.length, terminalsBefore, 'no terminal was opened');
    if (!before) assert.equal(existsSync(marker), false, 'the step did not run');
  });
});

describe('Restricted Mode: git-backed features', () => {
  const folder = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;

  it('refuses to install the merge driver and writes nothing', async () => {
    const { execFileSync } = await import('node:child_process');
    const { join } = await import('node:path');
    const result = await vscode.commands.executeCommand('runbookOps.installMergeDriver');
    assert.equal(result, undefined);
    assert.equal(existsSync(join(folder(), '.gitattributes')), false, 'no .gitattributes was written');
    const config = execFileSync('git', ['config', '--list', '--local'], { cwd: folder(), encoding: 'utf8' });
    assert.doesNotMatch(config, /merge\.runbook-ops/);
  });

  it('shows review state from front matter only, and says why git dates are missing', async () => {
    const api = await vscode.extensions.getExtension<RunbookOpsApi>('runbook-ops.runbook-ops')!.activate();
    await api.indexed;
    const fromFrontMatter = api.index.runbooks().find((e) => e.runbook.path === 'database/postgres-failover.md')!;
    assert.equal(api.reviewDates.review(fromFrontMatter).source, 'front-matter');
    const plain = api.index.runbooks().find((e) => e.runbook.lastReviewed === undefined)!;
    const review = api.reviewDates.review(plain);
    assert.equal(review.state, 'unknown');
    assert.equal(review.gitUnavailable, 'dates from git need a trusted workspace');
  });
});
