import * as vscode from 'vscode';
import { escapeMarkdown } from './markdownText';
import { INCIDENT_STATUSES, workflowIndex } from '../core/incident/incident';
import type { ActiveIncident } from './activeIncident';
import type { LocatedIncident, RunbookIndexService } from './runbookIndexService';
import { Disposable } from './dispose';
import { COMMAND } from './contributions';

const CLOSED_STATUSES: ReadonlySet<string> = new Set(['resolved', 'closed', 'cancelled']);

export interface IncidentStatusNode {
  kind: 'status';
  status: string;
  incidents: LocatedIncident[];
}

export interface IncidentNode {
  kind: 'incident';
  entry: LocatedIncident;
}

export type IncidentsTreeNode = IncidentStatusNode | IncidentNode;

/** Statuses with more incidents than this start collapsed. */
const EXPANDED_STATUS_UP_TO = 200;

/** Severity colours by rank (worst first), as theme colours so they suit every theme. */
const RANK_COLOURS = ['charts.red', 'charts.orange', 'charts.yellow', 'charts.blue', 'charts.purple'];

/** "5m", "3h", "2d": how long ago an ISO timestamp was. */
export function formatAge(iso: string | undefined, now = Date.now()): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return '';
  const minutes = Math.max(0, Math.round((now - t) / 60_000));
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)}h`;
  return `${Math.round(minutes / 1440)}d`;
}

/** The *Incidents* view: incidents grouped by status in workflow order; resolved and closed ones on request. */
export class IncidentsTreeProvider extends Disposable implements vscode.TreeDataProvider<IncidentsTreeNode> {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private showClosed = false;

  /** What the view showed at the last refresh (see shownSignature). */
  private shown = '';

  constructor(private readonly index: RunbookIndexService, private readonly active: ActiveIncident) {
    super();
    // Most index changes (a runbook saved, a record re-read unchanged after its own write) change nothing
    // here. A refresh re-creates every row's handle in the extension host, and a context-menu command
    // chosen meanwhile on a busy machine arrives without its incident, so refresh only on a change.
    this.register(index.onDidChange(() => {
      if (this.shownSignature() !== this.shown) this.changeEmitter.fire();
    }));
    this.register(active.onDidChange(() => this.changeEmitter.fire()));
    void vscode.commands.executeCommand('setContext', 'runbookOps.showClosedIncidents', false);
  }

  toggleClosed(): void {
    this.showClosed = !this.showClosed;
    void vscode.commands.executeCommand('setContext', 'runbookOps.showClosedIncidents', this.showClosed);
    this.changeEmitter.fire();
  }

  private listed(): LocatedIncident[] {
    return this.index.incidents().filter((entry) => this.showClosed || !CLOSED_STATUSES.has(entry.incident.status));
  }

  /** Everything the rows and their tooltips show, for the incidents the view lists. */
  private shownSignature(): string {
    return JSON.stringify(this.listed().map(({ uri, incident, config }) => [
      uri.toString(), incident.id, incident.title, incident.status, incident.severity, incident.commander, incident.timestamps.declared_at,
      incident.services, incident.actionItems.open, incident.actionItems.total, incident.problems.map((p) => p.severity),
      config.severities.findIndex((s) => s.name === incident.severity), config.severities.find((s) => s.name === incident.severity)?.label,
      (config.statusLabels as Record<string, string>)[incident.status],
    ]));
  }

  getChildren(element?: IncidentsTreeNode): IncidentsTreeNode[] {
    if (element?.kind === 'status') return element.incidents.map((entry) => ({ kind: 'incident', entry }));
    if (element) return [];
    this.shown = this.shownSignature();
    const byStatus = new Map<string, LocatedIncident[]>();
    for (const entry of this.listed()) {
      const list = byStatus.get(entry.incident.status) ?? [];
      list.push(entry);
      byStatus.set(entry.incident.status, list);
    }
    const order = (status: string): number => {
      const i = workflowIndex(status);
      return i === -1 ? (status === 'cancelled' ? INCIDENT_STATUSES.length : INCIDENT_STATUSES.length + 1) : i;
    };
    return [...byStatus]
      .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
      .map(([status, incidents]) => ({
        kind: 'status',
        status,
        incidents: incidents.sort((x, y) => this.rank(x) - this.rank(y) || (y.incident.timestamps.declared_at ?? '').localeCompare(x.incident.timestamps.declared_at ?? '')),
      }));
  }

  private rank(entry: LocatedIncident): number {
    const i = entry.config.severities.findIndex((s) => s.name === entry.incident.severity);
    return i === -1 ? 99 : i;
  }

  getTreeItem(node: IncidentsTreeNode): vscode.TreeItem {
    if (node.kind === 'status') {
      const labels = node.incidents[0] ? node.incidents[0].config.statusLabels : undefined;
      const label = (labels as Record<string, string> | undefined)?.[node.status] ?? (node.status || vscode.l10n.t('(no status)'));
      // A status with hundreds of incidents (a pull of old records) starts collapsed: expanded groups are
      // fetched and sent to the window in full on every refresh.
      const state = node.incidents.length <= EXPANDED_STATUS_UP_TO ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
      const item = new vscode.TreeItem(label, state);
      item.id = `status:${node.status}`;
      item.description = String(node.incidents.length);
      item.contextValue = 'incidentStatus';
      item.tooltip = node.incidents.length === 1 ? vscode.l10n.t('{0}: 1 incident', label) : vscode.l10n.t('{0}: {1} incidents', label, node.incidents.length);
      return item;
    }
    const { incident, uri, config } = node.entry;
    const item = new vscode.TreeItem(`${incident.id} ${incident.title}`, vscode.TreeItemCollapsibleState.None);
    item.id = `incident:${uri.toString()}`;
    const rank = config.severities.findIndex((s) => s.name === incident.severity);
    const closed = CLOSED_STATUSES.has(incident.status);
    const age = closed ? '' : formatAge(incident.timestamps.declared_at);
    const isActive = this.active.current?.uri.toString() === uri.toString();
    item.description = [incident.severity, age, incident.commander ? `@${incident.commander}` : '', isActive ? vscode.l10n.t('active') : ''].filter(Boolean).join(' · ');
    const errors = incident.problems.filter((p) => p.severity === 'error').length;
    item.iconPath = errors
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : new vscode.ThemeIcon(isActive ? 'flame' : 'circle-filled', new vscode.ThemeColor(RANK_COLOURS[rank] ?? 'disabledForeground'));
    item.resourceUri = uri;
    item.contextValue = `incident.${incident.status || 'unknown'}`;
    item.command = { command: COMMAND.openIncident, title: vscode.l10n.t('Open Record'), arguments: [node] };
    return item;
  }

  /** Tooltips are made on hover, not for every item on every refresh. */
  resolveTreeItem(item: vscode.TreeItem, node: IncidentsTreeNode): vscode.TreeItem {
    if (node.kind !== 'incident' || item.tooltip !== undefined) return item;
    const { incident, config } = node.entry;
    const severityLabel = config.severities.find((s) => s.name === incident.severity)?.label;
    const errors = incident.problems.filter((p) => p.severity === 'error').length;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`**${escapeMarkdown(incident.id)}** · ${escapeMarkdown(incident.severity)}${severityLabel ? ` (${escapeMarkdown(severityLabel)})` : ''} · ${escapeMarkdown(incident.status)}\n\n`);
    tooltip.appendText(incident.title);
    if (incident.services.length) tooltip.appendText(`\n${vscode.l10n.t('Services')}: ${incident.services.join(', ')}`);
    if (incident.commander) tooltip.appendText(`\n${vscode.l10n.t('Commander')}: ${incident.commander}`);
    tooltip.appendText(`\n${vscode.l10n.t('Action items open: {0}/{1}', incident.actionItems.open, incident.actionItems.total)}`);
    if (errors) tooltip.appendText(`\n${vscode.l10n.t('{0} problems: see the Problems panel', incident.problems.length)}`);
    item.tooltip = tooltip;
    return item;
  }
}
