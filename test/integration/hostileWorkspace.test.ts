// The hostile-input corpus (test/fixtures/hostile) dropped into the workspace of a running VS Code:
// the extension host keeps working, every hostile file gets its specific problem, and the sample
// runbooks and incidents still index. (The unit suite runs the same corpus through the core and CLI.)
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { generateHostileCorpus, type HostileCorpus } from '../fixtures/hostile/generate';
import { runbookOpsApi as api, workspaceFile } from './extensionApi';

describe('hostile files in the workspace', function () {
  this.timeout(240_000);
  let corpus: HostileCorpus;
  let outside: string;

  before(async () => {
    outside = mkdtempSync(join(tmpdir(), 'runbook-ops-hostile-outside-'));
    corpus = generateHostileCorpus(vscode.workspace.workspaceFolders![0].uri.fsPath, outside);
    await (await api()).index.reindex();
  });

  after(async () => {
    for (const input of corpus?.inputs ?? []) rmSync(workspaceFile(...input.path.split('/')).fsPath, { force: true, recursive: true });
    rmSync(workspaceFile('hostile').fsPath, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
    await (await api()).index.reindex();
  });

  it('reports each hostile file with its problem and keeps indexing the rest', async () => {
    const runbooks = await api();
    const missed: string[] = [];
    let checked = 0;
    for (const input of corpus.inputs) {
      if (input.skipped || input.symlink || !('problem' in input.expect)) continue;
      const uri = workspaceFile(...input.path.split('/'));
      const problems = input.kind === 'incident' ? runbooks.index.incidentAt(uri)?.incident.problems : runbooks.index.runbookAt(uri)?.runbook.problems;
      const { line, message } = input.expect.problem;
      checked++;
      if (!problems?.some((p) => p.line === line && message.test(p.message))) missed.push(`${input.name} (${input.path}): ${JSON.stringify(problems?.slice(0, 3))}`);
    }
    assert.ok(checked >= 30, `${checked} hostile files checked`);
    assert.deepEqual(missed, [], 'every hostile file has its specific problem');
    // The sample repository is unharmed: its runbooks and incidents are all there, without problems.
    const folder = vscode.workspace.workspaceFolders![0];
    const sample = [...runbooks.index.runbookPaths(folder)].filter((p) => !p.startsWith('hostile/'));
    assert.ok(sample.length >= 15, `${sample.length} sample runbooks`);
    const incidents = runbooks.index.incidents().filter((e) => /^incidents\/INC-\d{4}\.yaml$/.test(e.incident.path));
    assert.equal(incidents.length, 12);
    // And the extension host still answers commands.
    assert.equal(await vscode.commands.executeCommand('runbookOps.reindex'), undefined);
  });
});
