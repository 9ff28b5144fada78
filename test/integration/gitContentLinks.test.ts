// `runbook-ops-git:` URIs open a file as it was at a commit (Show History). Any link can carry one,
// so a crafted query must not become a git option, read another repository, or leave the workspace.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { runbookOpsApi as api } from './extensionApi';

function gitUri(query: unknown): vscode.Uri {
  return vscode.Uri.from({ scheme: 'runbook-ops-git', path: '/x.yaml', query: typeof query === 'string' ? query : JSON.stringify(query) });
}

describe('history links (runbook-ops-git:)', function () {
  this.timeout(30_000);

  before(async () => {
    await api();
  });

  it('refuses an option in place of the commit, a repository outside the workspace and a path that leaves it', async () => {
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const pwned = `/tmp/runbook-ops-pwned-${process.pid}`;
    const cases: [unknown, RegExp][] = [
      [{ repoRoot: root, commit: `--output=${pwned}`, relativePath: 'incidents/INC-0001.yaml' }, /Not a Runbook Ops history link/],
      [{ repoRoot: '/', commit: 'abcdef1', relativePath: 'etc/passwd' }, /may only point into this workspace/],
      [{ repoRoot: root, commit: 'abcdef1', relativePath: '../../etc/passwd' }, /may only point into this workspace/],
      ['{not json', /Not a Runbook Ops history link/],
      // A revision expression is not a hash: git would evaluate it.
      [{ repoRoot: root, commit: 'abcdef1^', relativePath: 'incidents/INC-0001.yaml' }, /Not a Runbook Ops history link/],
    ];
    for (const [query, message] of cases) {
      await assert.rejects(Promise.resolve(vscode.workspace.openTextDocument(gitUri(query))), message, JSON.stringify(query));
    }
    assert.ok(!existsSync(pwned), 'git never ran with the injected option');
  });
});
