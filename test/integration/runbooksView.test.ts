import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { RunbookOpsApi } from '../../src/extension/extension';
import type { RunbookGroupNode, RunbooksTreeNode } from '../../src/extension/runbooksTreeProvider';
import { runbookOpsApi as api } from './extensionApi';

/** The sample repository's grouping: services from front matter, folders for runbooks without any. */
const EXPECTED_GROUPS: [string, number][] = [
  ['checkout-api', 4],
  ['edge-gateway', 1],
  ['k8s-platform', 1],
  ['orders-queue', 1],
  ['orders-worker', 2],
  ['postgres', 2],
  ['alerts/checkout-api', 1],
  ['alerts/kafka', 1],
  ['alerts/postgres', 1],
  ['database', 1],
  ['dns-tls', 1],
  ['kubernetes', 1],
  ['oncall', 1],
  ['queue', 1],
];


function groups(tree: vscode.TreeDataProvider<RunbooksTreeNode>): RunbookGroupNode[] {
  return (tree.getChildren() as RunbooksTreeNode[]).filter((n): n is RunbookGroupNode => n.kind === 'group');
}

function labelsAndCounts(tree: vscode.TreeDataProvider<RunbooksTreeNode>): [string, number][] {
  return groups(tree).map((g) => {
    const item = tree.getTreeItem(g) as vscode.TreeItem;
    return [String(item.label), Number(item.description)];
  });
}

/** Resolves when `condition` holds after a tree refresh, or rejects after `ms`. */
async function waitForTree(runbooks: RunbookOpsApi['runbooksTree'], condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  if (condition()) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const listener = runbooks.onDidChangeTreeData(() => {
      if (!condition()) return;
      clearTimeout(timer);
      listener.dispose();
      resolve();
    });
  });
}

describe('Runbooks view', () => {
  const folder = (): vscode.Uri => vscode.workspace.workspaceFolders![0].uri;

  it('activates on the sample repo and groups runbooks by service, then folder', async () => {
    const { runbooksTree, activationMs, index } = await api();
    console.log(`activate() took ${activationMs.toFixed(1)} ms; ${index.runbookCount()} runbooks indexed`);
    assert.equal(index.runbookCount(), 15);
    assert.deepEqual(labelsAndCounts(runbooksTree), EXPECTED_GROUPS);
  });

  it('shows each runbook with its title, step count and a command that opens it at its title', async () => {
    const { runbooksTree } = await api();
    const checkout = groups(runbooksTree).find((g) => g.label === 'checkout-api')!;
    const items = (runbooksTree.getChildren(checkout) as RunbooksTreeNode[]).map((n) => runbooksTree.getTreeItem(n) as vscode.TreeItem);
    const rollback = items.find((i) => i.label === 'Roll back checkout-api');
    assert.ok(rollback, `rollback runbook listed under checkout-api: ${items.map((i) => i.label).join(', ')}`);
    // The review state follows the step count once a review falls due (see reviewState.test.ts).
    assert.match(String(rollback.description), /^8 steps( · review .*)?$/);
    assert.equal(rollback.command?.command, 'runbookOps.openRunbook');
    const [uri, line] = rollback.command!.arguments as [vscode.Uri, number];
    await vscode.commands.executeCommand('runbookOps.openRunbook', uri, line);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.toString(), uri.toString());
    assert.equal(editor?.document.lineAt(editor.selection.active.line).text, '# Roll back checkout-api');
  });

  it('adds a created runbook and removes a deleted one without a reindex', async () => {
    const { runbooksTree, index } = await api();
    const before = index.runbookCount();
    const file = vscode.Uri.joinPath(folder(), 'kubernetes', 'integration-scale-up.md');
    const hasGroup = (): boolean => groups(runbooksTree).some((g) => g.label === 'integration-svc');
    await vscode.workspace.fs.writeFile(file, Buffer.from('---\nservices: [integration-svc]\n---\n# Scale up\n## Scale\n```sh\necho scale\n```\n'));
    await waitForTree(runbooksTree, hasGroup, 'the new runbook to appear');
    assert.equal(index.runbookCount(), before + 1);
    const group = groups(runbooksTree).find((g) => g.label === 'integration-svc')!;
    assert.deepEqual(group.runbooks.map((r) => [r.runbook.title, r.runbook.steps.length]), [['Scale up', 1]]);

    await vscode.workspace.fs.delete(file);
    await waitForTree(runbooksTree, () => !hasGroup(), 'the deleted runbook to disappear');
    assert.equal(index.runbookCount(), before);
  });

  it('updates a runbook edited on disk and drops a deleted folder', async () => {
    const { runbooksTree, index } = await api();
    const dir = vscode.Uri.joinPath(folder(), 'scratch');
    await vscode.workspace.fs.createDirectory(dir);
    const file = vscode.Uri.joinPath(dir, 'one.md');
    await vscode.workspace.fs.writeFile(file, Buffer.from('# One\n```sh\necho 1\n```\n'));
    const stepsOf = (): number | undefined => index.runbookAt(file)?.runbook.steps.length;
    await waitForTree(runbooksTree, () => stepsOf() === 1, 'scratch/one.md to be indexed');
    await vscode.workspace.fs.writeFile(file, Buffer.from('# One\n```sh\necho 1\n```\n```sh\necho 2\n```\n'));
    await waitForTree(runbooksTree, () => stepsOf() === 2, 'the edit to be picked up');
    await vscode.workspace.fs.delete(dir, { recursive: true });
    await waitForTree(runbooksTree, () => stepsOf() === undefined, 'the deleted folder to be dropped');
  });

  it('filters by text and clears the filter', async () => {
    const { runbooksTree } = await api();
    runbooksTree.setFilter('patroni');
    const titles = groups(runbooksTree).flatMap((g) => g.runbooks.map((r) => r.runbook.title));
    assert.deepEqual([...new Set(titles)], ['Postgres primary failover (Patroni)']);
    await vscode.commands.executeCommand('runbookOps.clearRunbookFilter');
    assert.equal(runbooksTree.filter, '');
    assert.deepEqual(labelsAndCounts(runbooksTree), EXPECTED_GROUPS);
  });
});
