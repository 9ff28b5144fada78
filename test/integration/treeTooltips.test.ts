// The side bar is narrow (300 px): every row of the Runbooks, Incidents and Steps views carries a
// tooltip with the full title (and, for a step, its full last result), as the view renders it on hover.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { runbookOpsApi, workspaceFile } from './extensionApi';

function text(tooltip: vscode.TreeItem['tooltip']): string {
  if (tooltip === undefined) return '';
  // As the user reads it: Markdown escapes and appendText's non-breaking spaces undone.
  return (typeof tooltip === 'string' ? tooltip : tooltip.value).replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
}

describe('Tree item tooltips', () => {
  it('gives every Runbooks and Incidents row a tooltip with its full title', async () => {
    const api = await runbookOpsApi();
    let runbooks = 0;
    for (const tree of [api.runbooksTree, api.incidentsTree] as vscode.TreeDataProvider<unknown>[]) {
      const roots = (await tree.getChildren()) ?? [];
      assert.ok(roots.length > 0);
      for (const root of roots) {
        const groupItem = await tree.getTreeItem(root);
        assert.ok(text(groupItem.tooltip).includes(String(groupItem.label)), `group ${String(groupItem.label)} has a tooltip naming it`);
        for (const node of (await tree.getChildren(root)) ?? []) {
          const item = (await tree.resolveTreeItem?.(await tree.getTreeItem(node), node, new vscode.CancellationTokenSource().token)) ?? (await tree.getTreeItem(node));
          const label = String(item.label);
          const title = tree === (api.incidentsTree as unknown) ? label.replace(/^\S+ /, '') : label;
          assert.ok(text(item.tooltip).includes(title), `the tooltip of "${label}" has its full title: ${text(item.tooltip)}`);
          runbooks++;
        }
      }
    }
    assert.ok(runbooks > 10, `${runbooks} rows checked`);
  });

  it('gives every Steps row a tooltip with the full title and the last result', async () => {
    const api = await runbookOpsApi();
    const document = await vscode.workspace.openTextDocument(workspaceFile('database', 'postgres-disk-full.md'));
    await vscode.window.showTextDocument(document);
    let steps: unknown[] = [];
    for (const deadline = Date.now() + 30_000; steps.length === 0 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      steps = api.stepsTree.getChildren() ?? [];
    }
    assert.ok(steps.length > 0, 'the Steps view lists the runbook');
    for (const node of steps as Parameters<typeof api.stepsTree.getTreeItem>[0][]) {
      const item = api.stepsTree.getTreeItem(node);
      const tooltip = text(item.tooltip);
      assert.ok(tooltip.includes(node.step.title), tooltip);
      assert.ok(tooltip.includes(`Last result: ${String(item.description)}`), tooltip);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
