import * as vscode from 'vscode';
import { AlertInputError, parseAlertInput, type Alert } from '../core/alert/alertInput';
import { incidentFromAlert } from '../core/alert/alertIncident';
import { placeholderValuesFromLabels, type LabelValue } from '../core/alert/alertLabels';
import { describeAlertMatch, findRunbooksForAlert, lineMentioning, type AlertMatch } from '../core/alert/alertMatch';
import { placeholderLabel } from '../core/runbook/placeholders';
import { placeholderKey } from '../core/runbook/stepCommand';
import type { CommandManager } from './commandManager';
import { COMMAND } from './contributions';
import type { DeclareIncidentInput } from './incidentCommands';
import type { PlaceholderValueStore } from './placeholderPrompter';
import type { RunbookDocuments } from './runbookDocuments';
import type { LocatedRunbook, RunbookIndexService } from './runbookIndexService';

/** What Find Runbook for Alert opened: the runbook, and the values the alert's labels gave its placeholders. */
export interface AlertRunbookOpened {
  alert: Alert;
  uri: vscode.Uri;
  line: number;
  filled: LabelValue[];
}

/** Clipboard text worth offering in the input box: an alert payload or one CamelCase alert name, not any text. */
function alertLikeClipboard(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.length > 100_000) return undefined;
  try {
    const alerts = parseAlertInput(trimmed);
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) return trimmed;
    // An alert name reads as one word in CamelCase (CDINotReady, KubePodCrashLooping), not as a sentence.
    const name = alerts[0].name;
    return /^[A-Z][A-Za-z0-9_]{2,99}$/.test(name) && /[a-z]/.test(name) && /[A-Z].*[A-Z]/.test(name) ? trimmed : undefined;
  } catch {
    return undefined;
  }
}

/** How long the clipboard may take to answer before the box opens empty. */
const CLIPBOARD_WAIT_MS = 1000;

/** The clipboard's text, or '' when it cannot be read in time (the box then starts empty). */
async function clipboardText(): Promise<string> {
  // A browser asks the user for each read and VS Code shows an error when refused: not worth a pre-fill.
  if (vscode.env.uiKind === vscode.UIKind.Web) return '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(''), CLIPBOARD_WAIT_MS)));
  try {
    return await Promise.race([Promise.resolve(vscode.env.clipboard.readText()).catch(() => ''), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Find Runbook for Alert (issue 19, items 1 and 2): an alert name or payload → the runbook, its placeholders filled from the labels. */
export class AlertCommands {
  constructor(
    private readonly index: RunbookIndexService,
    private readonly documents: RunbookDocuments,
    private readonly placeholderValues: PlaceholderValueStore,
  ) {}

  register(commands: CommandManager): void {
    commands.add(COMMAND.findRunbookForAlert, (alertText?: string) => this.find(alertText));
    commands.add(COMMAND.declareIncidentFromAlert, (alert?: string | Alert, runbook?: vscode.Uri) => this.declareFromAlert(alert, runbook));
  }

  /**
   * Declares an incident from the alert (issue 19, item 3) in one action, and makes it active: title,
   * severity, services and a `detection` entry come from the alert; severity is asked only when its label
   * maps to none. With `runbook`, the incident links it and the labels' values carry into the new
   * incident's scope (values are remembered per incident).
   */
  private async declareFromAlert(given?: string | Alert, runbook?: vscode.Uri): Promise<string | undefined> {
    const alert = typeof given === 'object' ? given : await this.chooseAlert(given);
    if (!alert) return undefined;
    const folder = (runbook && vscode.workspace.getWorkspaceFolder(runbook)) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) throw new Error(vscode.l10n.t('Open the folder of your runbook repository to declare an incident.'));
    const fields = incidentFromAlert(alert, this.index.configFor(folder.uri));
    const input: DeclareIncidentInput = {
      title: fields.title,
      services: fields.services,
      ...(fields.severity !== undefined ? { severity: fields.severity } : {}),
      ...(fields.detection ? { detection: fields.detection } : {}),
      ...(runbook ? { runbooks: [vscode.workspace.asRelativePath(runbook, false)] } : {}),
    };
    const id = await vscode.commands.executeCommand<string | undefined>(COMMAND.declareIncident, input);
    if (id !== undefined && runbook) await this.fillPlaceholders(alert, runbook);
    return id;
  }

  /** The alert's text: the one given, else typed or pasted in an input box (pre-filled from the clipboard when it holds an alert). */
  private async alertText(given: string | undefined): Promise<string | undefined> {
    if (given !== undefined) return given;
    const clipboard = alertLikeClipboard(await clipboardText());
    return vscode.window.showInputBox({
      title: vscode.l10n.t('Find Runbook for Alert'),
      prompt: vscode.l10n.t('An alert name (KubePodCrashLooping), or an alert as Alertmanager sends it (JSON with labels and annotations, or a webhook payload)'),
      value: clipboard ?? '',
      ignoreFocusOut: true,
      validateInput: (text) => {
        try {
          parseAlertInput(text);
          return undefined;
        } catch (err) {
          return err instanceof AlertInputError ? err.message : String(err);
        }
      },
    });
  }

  /** The alert `given` (else typed or pasted), and which one when a payload holds several. */
  private async chooseAlert(given: string | undefined): Promise<Alert | undefined> {
    const text = await this.alertText(given);
    if (text === undefined) return undefined;
    const alerts = parseAlertInput(text);
    return alerts.length === 1 ? alerts[0] : this.pickAlert(alerts);
  }

  private async find(given?: string): Promise<AlertRunbookOpened | undefined> {
    const alert = await this.chooseAlert(given);
    if (!alert) return undefined;
    // Asked for as the window opens (a page just came in): the answer needs every runbook indexed.
    if (!this.index.isReady) await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Indexing runbooks') }, () => this.index.indexed);
    const located = this.index.runbooks();
    const bySummary = new Map(located.map((l) => [l.runbook, l]));
    const matches = findRunbooksForAlert(alert, located.map((l) => l.runbook));
    if (matches.length === 0) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('No runbook found for the alert {0} among {1} runbooks (runbook_url, front-matter alerts, file names, headings and mentions). Add “alerts: [{0}]” to its runbook’s front matter.', alert.name, located.length),
      );
      return undefined;
    }
    const match = matches.length === 1 ? matches[0] : await this.pickMatch(alert, matches, bySummary);
    if (!match) return undefined;
    return this.open(alert, match, bySummary.get(match.summary)!);
  }

  private async pickAlert(alerts: Alert[]): Promise<Alert | undefined> {
    const picked = await vscode.window.showQuickPick(
      alerts.map((alert) => ({ label: alert.name, description: alert.annotations.summary ?? '', detail: Object.entries(alert.labels).map(([k, v]) => `${k}=${v}`).join(' '), alert })),
      { title: vscode.l10n.t('The payload holds {0} alerts: which one?', alerts.length), ignoreFocusOut: true },
    );
    return picked?.alert;
  }

  private async pickMatch(alert: Alert, matches: AlertMatch[], bySummary: Map<unknown, LocatedRunbook>): Promise<AlertMatch | undefined> {
    const picked = await vscode.window.showQuickPick(
      matches.map((match) => ({
        label: match.title,
        description: vscode.workspace.asRelativePath(bySummary.get(match.summary)!.uri),
        detail: match.retired ? vscode.l10n.t('{0}; in a retired folder', describeAlertMatch(match, alert)) : describeAlertMatch(match, alert),
        match,
      })),
      { title: vscode.l10n.t('Runbooks for {0}, best first', alert.name), matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true },
    );
    return picked?.match;
  }

  private async open(alert: Alert, match: AlertMatch, runbook: LocatedRunbook): Promise<AlertRunbookOpened> {
    const document = await vscode.workspace.openTextDocument(runbook.uri);
    const line = match.reason === 'mention' ? (lineMentioning(document.getText(), alert.name) ?? match.line) : match.line;
    const position = new vscode.Position(Math.max(0, line - 1), 0);
    await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position), preview: false });
    const { filled, refused, isSecret } = await this.fillPlaceholders(alert, runbook.uri);
    const values = filled.map((f) => `${placeholderLabel(f.placeholder)} = ${isSecret(f) ? '****' : f.value}`).join(', ');
    const refusedText = refused.map((r) => vscode.l10n.t('the label {0} was not used for {1}: {2}', r.label, placeholderLabel(r.placeholder), r.reason)).join('; ');
    const message = filled.length > 0
      ? vscode.l10n.t('Opened “{0}” for {1}. From the alert’s labels: {2}. You accept or change them before the first step runs.', match.title, alert.name, values)
      : vscode.l10n.t('Opened “{0}” for {1}.', match.title, alert.name);
    const declare = vscode.l10n.t('Declare Incident from Alert');
    void vscode.window.showInformationMessage(refusedText ? `${message} ${refusedText}.` : message, declare).then((picked) => {
      // Through the command, for its error guard; the alert as read, not text to read again.
      if (picked === declare) void vscode.commands.executeCommand(COMMAND.declareIncidentFromAlert, alert, runbook.uri);
    });
    return { alert, uri: runbook.uri, line, filled };
  }

  /** Remembers the values the alert's labels give the runbook's placeholders, in the current incident's scope. */
  private async fillPlaceholders(alert: Alert, uri: vscode.Uri): Promise<ReturnType<typeof placeholderValuesFromLabels> & { isSecret: (f: LabelValue) => boolean }> {
    const parsed = this.documents.get(await vscode.workspace.openTextDocument(uri));
    const fill = placeholderValuesFromLabels(parsed?.steps.flatMap((s) => s.placeholders) ?? [], alert.labels);
    const isSecret = (f: LabelValue): boolean => f.placeholder.variable !== undefined && parsed?.variables[f.placeholder.variable]?.secret === true;
    for (const f of fill.filled) this.placeholderValues.set(uri, placeholderKey(f.placeholder), { value: f.value, from: alert.name }, isSecret(f));
    return { ...fill, isSecret };
  }
}
