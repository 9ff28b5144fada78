import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { findCodeownersBlock } from '../../src/core/check/codeowners';
import { isUntouchedSetupFile } from '../../src/core/check/repositorySetup';
import type { SetUpRepositoryResult } from '../../src/extension/setUpRepositoryCommand';
import { acceptingQuickInputs, escapingQuickInputs, runbookOpsApi } from './extensionApi';

const root = (): string => vscode.workspace.workspaceFolders![0].uri.fsPath;
const FILES = ['.runbook-ops.yaml', '.github/workflows/runbooks.yml', '.gitattributes', '.github/CODEOWNERS'];

function gitConfig(key: string): string | undefined {
  try {
    return execFileSync('git', ['config', '--get', key], { cwd: root(), encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function read(path: string): string | undefined {
  return existsSync(join(root(), path)) ? readFileSync(join(root(), path), 'utf8') : undefined;
}

describe('Set Up This Repository (runbookOps.setUpRepository)', function () {
  this.timeout(60_000);
  const before: Record<string, string | undefined> = {};
  let driverBefore: string | undefined;

  beforeEach(async () => {
    await runbookOpsApi();
  });
  // Other suites share this workspace: what this one writes is put back as it was.
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const path of FILES) {
      const original = before[path];
      if (original === undefined) rmSync(join(root(), path), { force: true });
      else writeFileSync(join(root(), path), original);
    }
    if (driverBefore !== undefined) execFileSync('git', ['config', 'merge.runbook-ops.driver', driverBefore], { cwd: root() });
    else if (gitConfig('merge.runbook-ops.driver') !== undefined) execFileSync('git', ['config', '--unset', 'merge.runbook-ops.driver'], { cwd: root() });
  });

  it('shows the plan, writes it when accepted, and a second run changes nothing', async () => {
    for (const path of FILES) before[path] = read(path);
    driverBefore = gitConfig('merge.runbook-ops.driver');
    rmSync(join(root(), '.github'), { recursive: true, force: true });

    // Escape on the pick: the plan was shown, nothing is written.
    const cancelled = await escapingQuickInputs<SetUpRepositoryResult>('runbookOps.setUpRepository');
    assert.ok(cancelled && !cancelled.upToDate && cancelled.outcome === undefined);
    assert.equal(read('.github/workflows/runbooks.yml'), undefined);
    const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'runbook-ops-setup');
    assert.ok(shown, 'the plan is open in an editor');
    assert.match(shown.document.getText(), /^ {2}create +\.github\/workflows\/runbooks\.yml /m);
    assert.match(shown.document.getText(), /^\+ {7}- run: npx runbook-ops check --format github --changed-since/m, 'with what would be written');

    const result = await acceptingQuickInputs<SetUpRepositoryResult>('runbookOps.setUpRepository');
    assert.ok(result?.outcome, 'written');
    const actions = Object.fromEntries(result.plan.files.map((f) => [f.path, f.action]));
    assert.equal(actions['.runbook-ops.yaml'], 'unchanged', 'the sample’s hand-written config is kept');
    assert.equal(actions['.github/workflows/runbooks.yml'], 'create');
    assert.equal(actions['.github/CODEOWNERS'], 'create');
    assert.equal(read('.runbook-ops.yaml'), before['.runbook-ops.yaml']);
    const workflow = read('.github/workflows/runbooks.yml');
    assert.ok(workflow && isUntouchedSetupFile(workflow));
    assert.match(workflow, /^ {6}- run: npx runbook-ops report --since 30d >> "\$GITHUB_STEP_SUMMARY"$/m);
    assert.ok(findCodeownersBlock(read('.github/CODEOWNERS')!), 'the CODEOWNERS block');
    assert.match(read('.gitattributes')!, /^\*\*\/incidents\/\*\*\/\*\.yaml merge=runbook-ops$/m);
    const cli = join(vscode.extensions.getExtension('runbook-ops.runbook-ops')!.extensionPath, 'dist', 'cli.js');
    assert.equal(gitConfig('merge.runbook-ops.driver'), `ELECTRON_RUN_AS_NODE=1 ${process.execPath} ${cli} merge-driver %O %A %B %P`);

    const written = FILES.map(read);
    const again = await acceptingQuickInputs<SetUpRepositoryResult>('runbookOps.setUpRepository');
    assert.equal(again?.upToDate, true);
    assert.ok(again.plan.files.every((f) => f.action === 'unchanged'));
    assert.deepEqual(FILES.map(read), written);
  });

  it('does not replace a file a person wrote without the modal confirmation', async () => {
    const ours = 'name: Our own CI\non: push\njobs: {}\n';
    mkdirSync(join(root(), '.github/workflows'), { recursive: true });
    writeFileSync(join(root(), '.github/workflows/runbooks.yml'), ours);
    rmSync(join(root(), '.github/CODEOWNERS'), { force: true });
    const result = await acceptingQuickInputs<SetUpRepositoryResult>('runbookOps.setUpRepository');
    assert.equal(result?.plan.files.find((f) => f.path === '.github/workflows/runbooks.yml')?.action, 'conflict');
    // The modal is not answered here (VS Code's test mode refuses dialogs): the file stays as written.
    assert.deepEqual(result.outcome?.kept.map((f) => f.path), ['.github/workflows/runbooks.yml']);
    assert.equal(read('.github/workflows/runbooks.yml'), ours);
    assert.ok(findCodeownersBlock(read('.github/CODEOWNERS')!), 'the other files are written');
    assert.deepEqual(result.outcome?.written, ['.github/CODEOWNERS']);
  });
});
