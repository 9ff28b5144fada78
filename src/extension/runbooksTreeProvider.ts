import * as vscode from 'vscode';
import { escapeMarkdown, markdownCodeSpan } from './markdownText';
import { reviewBadge, reviewHeadline, reviewSource, type ReviewDateService, type RunbookReview } from './reviewDateService';
import type { LocatedRunbook, RunbookIndexService } from './runbookIndexService';
import { Disposable } from './dispose';
import { setting } from './configuration';
import { COMMAND, SETTINGS } from './contributions';

type GroupBy = 'service' | 'folder' | 'tag';

export interface RunbookGroupNode {
  kind: 'group';
  /** `service`/`tag` groups come from metadata; `folder` groups hold runbooks without it. */
  groupKind: GroupBy;
  label: string;
  runbooks: LocatedRunbook[];
}

export interface RunbookNode {
  kind: 'runbook';
  group: string;
  entry: LocatedRunbook;
}

export type RunbooksTreeNode = RunbookGroupNode | RunbookNode;

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/**
 * Groups runbooks by service (or tag, or folder), each runbook under every group it names; runbooks
 * without the chosen field fall back to their folder so nothing is hidden.
 */
export function groupRunbooks(entries: readonly LocatedRunbook[], groupBy: GroupBy, multiRoot: boolean): RunbookGroupNode[] {
  const groups = new Map<string, RunbookGroupNode>();
  const add = (groupKind: GroupBy, label: string, entry: LocatedRunbook): void => {
    const key = `${groupKind}\0${label.toLowerCase()}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { kind: 'group', groupKind, label, runbooks: [] }));
    group.runbooks.push(entry);
  };
  for (const entry of entries) {
    const names = groupBy === 'service' ? entry.runbook.services : groupBy === 'tag' ? entry.runbook.tags : [];
    if (names.length > 0) {
      for (const name of names) add(groupBy, name, entry);
    } else {
      const folder = folderOf(entry.runbook.path);
      const prefix = multiRoot ? `${entry.folder.name}/` : '';
      add('folder', `${prefix}${folder}` || vscode.l10n.t('(top level)'), entry);
    }
  }
  const order = (g: RunbookGroupNode): number => (g.groupKind === 'folder' ? 1 : 0);
  const sorted = [...groups.values()].sort((a, b) => order(a) - order(b) || a.label.localeCompare(b.label));
  for (const group of sorted) group.runbooks.sort((a, b) => a.runbook.title.localeCompare(b.runbook.title));
  return sorted;
}

/** Above this many runbooks the groups start collapsed. */
const EXPANDED_GROUPS_UP_TO = 500;

/** Icon colours of the review states; `ok` and `unknown` keep the theme's default so the list stays calm. */
const REVIEW_COLOURS: Partial<Record<RunbookReview['state'], string>> = {
  'due-soon': 'list.warningForeground',
  overdue: 'list.errorForeground',
};

/** The *Runbooks* view: runbooks grouped by service with their step counts and review state, filterable by text. */
export class RunbooksTreeProvider extends Disposable implements vscode.TreeDataProvider<RunbooksTreeNode> {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<RunbooksTreeNode | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private filterText = '';
  private view: vscode.TreeView<RunbooksTreeNode> | undefined;

  constructor(private readonly service: RunbookIndexService, private readonly reviews: ReviewDateService) {
    super();
    this.register(service.onDidChange(() => this.refresh()));
    this.register(reviews.onDidChange(() => this.refresh()));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS.runbooksGroupBy.key)) this.refresh();
    }));
  }

  attach(view: vscode.TreeView<RunbooksTreeNode>): void {
    this.view = view;
    this.updateViewMessage();
  }

  get filter(): string {
    return this.filterText;
  }

  setFilter(text: string): void {
    this.filterText = text.trim();
    void vscode.commands.executeCommand('setContext', 'runbookOps.runbookFilterActive', this.filterText !== '');
    this.refresh();
  }

  refresh(): void {
    this.updateViewMessage();
    this.changeEmitter.fire(undefined);
  }

  private updateViewMessage(): void {
    if (!this.view) return;
    this.view.description = this.filterText ? vscode.l10n.t('filter: {0}', this.filterText) : undefined;
    if (!this.service.isReady) this.view.message = vscode.l10n.t('Indexing runbooks…');
    else if (this.filterText && this.service.runbooks(this.filterText).length === 0) {
      this.view.message = vscode.l10n.t('No runbooks match “{0}”.', this.filterText);
    } else this.view.message = undefined;
  }

  getChildren(element?: RunbooksTreeNode): RunbooksTreeNode[] {
    if (!element) {
      if (!this.service.isReady) return [];
      const groupBy = setting(SETTINGS.runbooksGroupBy);
      const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
      return groupRunbooks(this.service.runbooks(this.filterText), groupBy, multiRoot);
    }
    if (element.kind === 'group') return element.runbooks.map((entry) => ({ kind: 'runbook', group: element.label, entry }));
    return [];
  }

  getTreeItem(node: RunbooksTreeNode): vscode.TreeItem {
    if (node.kind === 'group') {
      // In a big repository every expanded group is fetched (and its items sent to the window) on each
      // refresh, in one go; collapsed groups are fetched when the user opens them.
      const expanded = this.service.runbookCount() <= EXPANDED_GROUPS_UP_TO;
      const item = new vscode.TreeItem(node.label, expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `group:${node.groupKind}:${node.label}`;
      item.description = String(node.runbooks.length);
      item.iconPath = new vscode.ThemeIcon(node.groupKind === 'service' ? 'server-process' : node.groupKind === 'tag' ? 'tag' : 'folder');
      item.contextValue = `runbookGroup.${node.groupKind}`;
      const kind = node.groupKind === 'folder' ? vscode.l10n.t('Folder {0}', node.label) : node.groupKind === 'tag' ? vscode.l10n.t('Tag {0}', node.label) : vscode.l10n.t('Service {0}', node.label);
      item.tooltip = node.runbooks.length === 1 ? vscode.l10n.t('{0}: 1 runbook', kind) : vscode.l10n.t('{0}: {1} runbooks', kind, node.runbooks.length);
      return item;
    }
    const { runbook, uri } = node.entry;
    const review = this.reviews.review(node.entry);
    const item = new vscode.TreeItem(runbook.title, vscode.TreeItemCollapsibleState.None);
    item.id = `runbook:${node.group}:${uri.toString()}`;
    const steps = runbook.steps.length === 1 ? vscode.l10n.t('1 step') : vscode.l10n.t('{0} steps', runbook.steps.length);
    const badge = reviewBadge(review);
    item.description = badge ? `${steps} · ${badge}` : steps;
    const errors = runbook.problems.filter((p) => p.severity === 'error').length;
    // Broken runbooks keep the warning icon; otherwise the book's colour says how its review stands.
    const reviewColour = REVIEW_COLOURS[review.state];
    item.iconPath = errors
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : new vscode.ThemeIcon('book', reviewColour ? new vscode.ThemeColor(reviewColour) : undefined);
    item.resourceUri = uri;
    item.contextValue = 'runbook';
    item.command = { command: COMMAND.openRunbook, title: vscode.l10n.t('Open Runbook'), arguments: [uri, runbook.titleLine] };
    return item;
  }

  /** Tooltips are made on hover: rendering thousands of Markdown tooltips on every refresh blocked the extension host. */
  resolveTreeItem(item: vscode.TreeItem, node: RunbooksTreeNode): vscode.TreeItem {
    if (node.kind === 'runbook' && item.tooltip === undefined) item.tooltip = this.tooltip(node.entry);
    return item;
  }

  private tooltip(entry: LocatedRunbook): vscode.MarkdownString {
    const { runbook } = entry;
    const review = this.reviews.review(entry);
    const runnable = runbook.steps.filter((s) => s.runnable).length;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${escapeMarkdown(runbook.title)}**\n\n`);
    tooltip.appendMarkdown(`${markdownCodeSpan(runbook.path)}\n\n`);
    tooltip.appendMarkdown(vscode.l10n.t('{0} steps, {1} runnable', runbook.steps.length, runnable));
    if (runbook.services.length) tooltip.appendMarkdown(`\n\n${vscode.l10n.t('Services')}: ${escapeMarkdown(runbook.services.join(', '))}`);
    if (runbook.owner) tooltip.appendMarkdown(`\n\n${vscode.l10n.t('Owner')}: ${escapeMarkdown(runbook.owner)}`);
    const icon = review.state === 'overdue' ? '$(error) ' : review.state === 'due-soon' ? '$(clock) ' : '';
    tooltip.appendMarkdown(`\n\n${icon}${escapeMarkdown(reviewHeadline(review))}`);
    const source = reviewSource(review);
    if (source) tooltip.appendMarkdown(` ${escapeMarkdown(source)}`);
    if (runbook.problems.length) tooltip.appendMarkdown(`\n\n$(warning) ${vscode.l10n.t('{0} problems', runbook.problems.length)}`);
    return tooltip;
  }
}
