import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { RunbookOpsApi } from '../../src/extension/extension';
import type { RunbookGroupNode, RunbooksTreeNode } from '../../src/extension/runbooksTreeProvider';
import { runbookOpsApi as api } from './extensionApi';


const folder = (): vscode.Uri => vscode.workspace.workspaceFolders![0].uri;

async function until<T>(probe: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  for (const deadline = Date.now() + ms; ; await new Promise((r) => setTimeout(r, 100))) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

/** The Runbooks view's item for the runbook at `relative`, as the view would render it (tooltip resolved, as on hover). */
function itemFor(tree: RunbookOpsApi['runbooksTree'], relative: string): vscode.TreeItem | undefined {
  for (const group of tree.getChildren() as RunbooksTreeNode[]) {
    for (const node of tree.getChildren(group as RunbookGroupNode) as RunbooksTreeNode[]) {
      if (node.kind === 'runbook' && node.entry.runbook.path === relative) return tree.resolveTreeItem(tree.getTreeItem(node), node);
    }
  }
  return undefined;
}

/** The theme colour id of an icon (ThemeColor.id is public at runtime; @types/vscode 1.93 does not declare it). */
function colourOf(icon: vscode.ThemeIcon): string | undefined {
  return (icon.color as unknown as { id: string } | undefined)?.id;
}

/** The tooltip as the user reads it (Markdown escapes removed). */
function tooltipText(item: vscode.TreeItem): string {
  return (item.tooltip as vscode.MarkdownString).value.replace(/\\(.)/g, '$1');
}

/** YYYY-MM-DD of the local day `days` from today (review dates are calendar days where the user is). */
function localDay(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function daysSince(day: string): number {
  const [y, m, d] = day.split('-').map(Number);
  const today = new Date();
  return Math.round((Date.UTC(today.getFullYear(), today.getMonth(), today.getDate()) - Date.UTC(y, m - 1, d)) / 86_400_000);
}

function runbookText(lastReviewed: string): string {
  return `---\ntitle: Review ${lastReviewed}\nservices: [review-svc]\nowner: "@acme/sre"\nlast_reviewed: ${lastReviewed}\nreview_every: 90d\n---\n# Review ${lastReviewed}\n\n## Check\n\`\`\`sh\necho ok\n\`\`\`\n`;
}

function git(...args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('GIT_')) delete env[name];
  return execFileSync('git', args, { cwd: folder().fsPath, env: { ...env, ...gitDates }, encoding: 'utf8' });
}
let gitDates: Record<string, string> = {};

describe('Review state in the Runbooks view', function () {
  this.timeout(60_000);
  const created: vscode.Uri[] = [];

  it('marks a runbook whose last_reviewed is long past as overdue: description, red icon, tooltip and a warning in the Problems panel worded as `check` words it', async () => {
    const { runbooksTree } = await api();
    const uri = vscode.Uri.joinPath(folder(), 'reviews', 'old.md');
    created.push(uri);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(runbookText('2020-01-15')));
    const item = await until(() => itemFor(runbooksTree, 'reviews/old.md'), 'reviews/old.md in the view');
    const overdueDays = daysSince('2020-04-14');
    assert.equal(item.description, `1 step · review overdue by ${overdueDays} days`);
    const icon = item.iconPath as vscode.ThemeIcon;
    assert.equal(icon.id, 'book');
    assert.equal(colourOf(icon), 'list.errorForeground');
    const tooltip = tooltipText(item);
    assert.ok(tooltip.includes(`Review overdue by ${overdueDays} days: last reviewed on 2020-01-15, due on 2020-04-14.`), tooltip);
    assert.ok(tooltip.includes('From `last_reviewed` in the front matter; reviewed every 90d.'), tooltip);

    const diagnostic = await until(() => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'review-overdue'), 'the review-overdue diagnostic');
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(diagnostic.range.start.line, 4, 'on the last_reviewed line');
    assert.equal(diagnostic.message, `Review overdue by ${overdueDays} days: last reviewed 2020-01-15, due 2020-04-14 (review_every: 90d). Check the steps still work, then set \`last_reviewed:\` to today's date.`);
  });

  it('shows "due soon" in the warning colour and leaves an up-to-date runbook plain', async () => {
    const { runbooksTree } = await api();
    const soon = vscode.Uri.joinPath(folder(), 'reviews', 'soon.md');
    const fresh = vscode.Uri.joinPath(folder(), 'reviews', 'fresh.md');
    created.push(soon, fresh);
    await vscode.workspace.fs.writeFile(soon, Buffer.from(runbookText(localDay(-85))));
    await vscode.workspace.fs.writeFile(fresh, Buffer.from(runbookText(localDay(0))));
    const soonItem = await until(() => itemFor(runbooksTree, 'reviews/soon.md'), 'reviews/soon.md');
    const freshItem = await until(() => itemFor(runbooksTree, 'reviews/fresh.md'), 'reviews/fresh.md');
    assert.equal(soonItem.description, '1 step · review due in 5 days');
    assert.equal(colourOf(soonItem.iconPath as vscode.ThemeIcon), 'list.warningForeground');
    assert.equal(freshItem.description, '1 step');
    assert.equal((freshItem.iconPath as vscode.ThemeIcon).color, undefined);
    assert.ok(tooltipText(freshItem).includes(`Review up to date: last reviewed on ${localDay(0)}, next due on ${localDay(90)} (in 90 days).`), tooltipText(freshItem));
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(vscode.languages.getDiagnostics(soon).filter((d) => d.code === 'review-overdue'), []);
  });

  it('drops a runbook\'s overdue diagnostic once it is reviewed or deleted, leaving the others', async () => {
    const reviewed = vscode.Uri.joinPath(folder(), 'reviews', 'reviewed-later.md');
    const deleted = vscode.Uri.joinPath(folder(), 'reviews', 'deleted-later.md');
    const kept = vscode.Uri.joinPath(folder(), 'reviews', 'kept.md');
    created.push(reviewed, deleted, kept);
    for (const uri of [reviewed, deleted, kept]) await vscode.workspace.fs.writeFile(uri, Buffer.from(runbookText('2020-01-15')));
    const overdue = (uri: vscode.Uri): boolean => vscode.languages.getDiagnostics(uri).some((d) => d.code === 'review-overdue');
    for (const uri of [reviewed, deleted, kept]) await until(() => (overdue(uri) ? true : undefined), `the diagnostic of ${uri.path}`);

    await vscode.workspace.fs.writeFile(reviewed, Buffer.from(runbookText(localDay(0))));
    await until(() => (overdue(reviewed) ? undefined : true), 'the reviewed runbook\'s diagnostic to go');
    await vscode.workspace.fs.delete(deleted);
    await until(() => (overdue(deleted) ? undefined : true), 'the deleted runbook\'s diagnostic to go');
    assert.ok(overdue(kept), 'the untouched runbook keeps its diagnostic');
  });

  it('recomputes every review state for another day, not only the runbooks that changed', async () => {
    const { diagnostics, index } = await api();
    const soon = vscode.Uri.joinPath(folder(), 'reviews', 'due-in-three-days.md');
    created.push(soon);
    await vscode.workspace.fs.writeFile(soon, Buffer.from(runbookText(localDay(-87))));
    const overdue = (): boolean => vscode.languages.getDiagnostics(soon).some((d) => d.code === 'review-overdue');
    await until(() => index.runbookAt(soon), 'the runbook to be indexed');
    // Past the refresh that the index change scheduled, which would otherwise publish after ours.
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(overdue(), false, 'due in three days');
    // What the midnight refresh does, four days on: nothing about the file changed, the day did.
    const later = new Date();
    later.setDate(later.getDate() + 4);
    await diagnostics.refresh(later);
    assert.ok(overdue(), 'overdue four days later');
    await diagnostics.refresh();
    assert.equal(overdue(), false, 'due soon again today');
  });

  it('falls back to the last commit for a runbook without last_reviewed, updating when a commit lands', async () => {
    const { runbooksTree } = await api();
    const uri = vscode.Uri.joinPath(folder(), 'reviews', 'from-git.md');
    created.push(uri);
    await vscode.workspace.fs.writeFile(uri, Buffer.from('# Restart the widget\n\n## Restart\n```sh\necho restart\n```\n'));
    const uncommitted = await until(() => itemFor(runbooksTree, 'reviews/from-git.md'), 'reviews/from-git.md');
    assert.equal(uncommitted.description, '1 step');
    assert.ok(tooltipText(uncommitted).includes('Review date unknown: no `last_reviewed` in the front matter, and the file is not committed yet.'), tooltipText(uncommitted));

    // A commit from the terminal, dated long ago: the view learns of it from .git, not from a reindex.
    gitDates = { GIT_AUTHOR_DATE: '2021-03-01T12:00:00Z', GIT_COMMITTER_DATE: '2021-03-01T12:00:00Z' };
    try {
      git('add', 'reviews/from-git.md');
      git('-c', 'user.name=Dana Reviewer', '-c', 'user.email=dana@example.invalid', 'commit', '--quiet', '-m', 'Add the widget runbook', '--', 'reviews/from-git.md');
    } finally {
      gitDates = {};
    }
    const hash = git('rev-parse', '--short=7', 'HEAD').trim();
    const item = await until(() => {
      const current = itemFor(runbooksTree, 'reviews/from-git.md');
      return current && String(current.description).includes('overdue') ? current : undefined;
    }, 'the commit date to reach the view');
    const overdueDays = daysSince('2021-05-30');
    assert.equal(item.description, `1 step · review overdue by ${overdueDays} days`);
    assert.ok(tooltipText(item).includes(`No \`last_reviewed\` in the front matter, so this is the last commit that changed the file: ${hash} by Dana Reviewer. Reviewed every 90d.`), tooltipText(item));
    const diagnostic = await until(() => vscode.languages.getDiagnostics(uri).find((d) => d.code === 'review-overdue'), 'the review-overdue diagnostic');
    assert.equal(diagnostic.range.start.line, 0);
    // Worded as `check` words it; the tooltip above names the commit and its author.
    assert.equal(diagnostic.message, `Review overdue by ${overdueDays} days: last changed 2021-03-01 (git; no \`last_reviewed\` in its front matter), due 2021-05-30. Check the steps still work, then set \`last_reviewed:\` to today's date.`);
  });

  after(async () => {
    const { index } = await api();
    for (const uri of created) await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
    await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder(), 'reviews'), { recursive: true }).then(undefined, () => undefined);
    git('commit', '--quiet', '-m', 'Remove the widget runbook', '--', 'reviews/from-git.md');
    await until(() => (index.runbookCount() === 15 ? true : undefined), 'the test runbooks to leave the index');
  });
});
