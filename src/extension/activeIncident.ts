import * as vscode from 'vscode';
import { FINISHED_STATUSES } from '../core/incident/incident';
import { escapeMarkdown } from './markdownText';
import type { LocatedIncident, RunbookIndexService } from './runbookIndexService';
import { Disposable } from './dispose';
import { COMMAND } from './contributions';

const STORAGE_KEY = 'runbookOps.activeIncident.v1';

/**
 * The incident the responder is working on: shown in the status bar, receives the timeline entries of
 * the steps they run, and scopes remembered placeholder values. Remembered per workspace.
 */
export class ActiveIncident extends Disposable {
  private readonly item = this.register(vscode.window.createStatusBarItem('runbookOps.activeIncident', vscode.StatusBarAlignment.Left, 50));
  private readonly changeEmitter = this.register(new vscode.EventEmitter<LocatedIncident | undefined>());
  readonly onDidChange = this.changeEmitter.event;
  private uri: vscode.Uri | undefined;

  constructor(private readonly memento: vscode.Memento, private readonly index: RunbookIndexService) {
    super();
    const saved = memento.get<string>(STORAGE_KEY);
    this.uri = saved ? vscode.Uri.parse(saved) : undefined;
    this.item.name = vscode.l10n.t('Runbook Ops: Active Incident');
    this.item.command = COMMAND.switchActiveIncident;
    this.register(index.onDidChange(() => {
      this.stopIfFinished();
      this.render();
    }));
    this.render();
  }

  /** The active incident as currently indexed (undefined when none, or when its file is gone). */
  get current(): LocatedIncident | undefined {
    return this.uri ? this.index.incidentAt(this.uri) : undefined;
  }

  set(uri: vscode.Uri | undefined): void {
    this.uri = uri;
    void this.memento.update(STORAGE_KEY, uri?.toString());
    this.render();
    this.changeEmitter.fire(this.current);
  }

  /**
   * An active incident that became resolved, closed or cancelled — through any surface, a terminal or a
   * `git pull` — stops receiving steps, and the user is told, so later steps are not recorded on it.
   */
  private stopIfFinished(): void {
    const active = this.current;
    if (!active || !FINISHED_STATUSES.has(active.incident.status)) return;
    const { id, status } = active.incident;
    this.set(undefined);
    const choose = vscode.l10n.t('Choose Active Incident');
    void vscode.window
      .showInformationMessage(vscode.l10n.t('{0} is {1}: runbook steps are no longer recorded on it. There is no active incident now.', id, status), choose)
      .then((picked) => (picked === choose ? vscode.commands.executeCommand(COMMAND.switchActiveIncident) : undefined));
  }

  private render(): void {
    const active = this.current;
    void vscode.commands.executeCommand('setContext', 'runbookOps.hasActiveIncident', active !== undefined);
    if (!active) {
      this.item.text = vscode.l10n.t('$(flame) No active incident');
      this.item.tooltip = vscode.l10n.t('Choose the incident that runbook steps are recorded on');
      this.item.backgroundColor = undefined;
      this.item.show();
      return;
    }
    const { incident } = active;
    this.item.text = `$(flame) ${incident.id} ${incident.severity} ${incident.status}`;
    this.item.tooltip = new vscode.MarkdownString(vscode.l10n.t('**{0}** — {1}\n\nSteps you run are recorded on its timeline. Click to switch.', incident.id, escapeMarkdown(incident.title)));
    const rank = active.config.severities.findIndex((s) => s.name === incident.severity);
    this.item.backgroundColor = rank === 0 && !['resolved', 'closed', 'cancelled'].includes(incident.status) ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }
}
