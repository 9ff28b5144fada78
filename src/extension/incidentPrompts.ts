import * as vscode from 'vscode';
import { canReopen, REOPEN_STATUS } from '../core/incident/incident';
import type { IncidentEditOperation } from '../core/incident/incidentEdit';
import { CODEOWNERS_LOCATIONS } from '../core/check/codeowners';
import { codeownersPeople, commanderSuggestions } from '../core/incident/people';
import type { IncidentWriter } from './incidentWriter';
import type { LocatedIncident, RunbookIndexService } from './runbookIndexService';

/** What a caller already knows; anything left undefined is asked for. */
export interface StatusChangeInput {
  /** The reason of a reopen, the resolution summary of a resolve ('' for none), else the entry's text. */
  text?: string;
  commander?: string;
}

interface PersonItem extends vscode.QuickPickItem {
  name: string;
}

/**
 * The questions a status change asks, the same from the sidebar, the Command Palette and the board:
 * why an incident is reopened, how it was resolved, and who is commander when it leaves triage
 * without one. Each returns undefined when the user pressed Escape (nothing is written then).
 */
export class IncidentPrompts {
  constructor(private readonly index: RunbookIndexService, private readonly writer: IncidentWriter) {}

  /** The `setStatus` operation moving `entry` to `status`, or undefined when a question was cancelled. */
  async statusChange(entry: LocatedIncident, status: string, given: StatusChangeInput = {}): Promise<IncidentEditOperation | undefined> {
    const { incident } = entry;
    let text = given.text;
    if (status === REOPEN_STATUS && canReopen(incident.status)) {
      text ??= await this.reopenReason(entry);
      if (text === undefined) return undefined;
    } else if (status === 'resolved' && text === undefined) {
      text = await this.resolutionSummary(entry);
      if (text === undefined) return undefined;
    }
    let commander = given.commander;
    const needsCommander = status !== 'triage' && status !== 'cancelled' && !incident.commander?.trim();
    if (needsCommander && commander === undefined) {
      commander = await this.commander(entry, vscode.l10n.t('{0} leaves triage: who is the incident commander?', incident.id));
      if (commander === undefined) return undefined;
    }
    const operation: IncidentEditOperation = { op: 'setStatus', status };
    if (text?.trim()) operation.text = text.trim();
    if (needsCommander && commander?.trim()) operation.commander = commander.trim();
    return operation;
  }

  /** Required: the reopen entry says what came back. */
  reopenReason(entry: LocatedIncident): Thenable<string | undefined> {
    return vscode.window.showInputBox({
      title: vscode.l10n.t('Reopen {0} ({1} → {2})', entry.incident.id, entry.incident.status, REOPEN_STATUS),
      prompt: vscode.l10n.t('Why is it reopened? What came back, or what was missed. Later timestamps are cleared and kept in this entry.'),
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('A reopen needs a reason: it goes on the timeline.')),
    });
  }

  /** Optional: Enter on an empty box resolves without one. */
  resolutionSummary(entry: LocatedIncident): Thenable<string | undefined> {
    return vscode.window.showInputBox({
      title: vscode.l10n.t('Resolve {0}', entry.incident.id),
      prompt: vscode.l10n.t('Resolution summary (optional): what fixed it. Enter on an empty box resolves without one; Escape cancels.'),
      placeHolder: vscode.l10n.t('e.g. Rolled back 4.13.0; error rate back to normal'),
      ignoreFocusOut: true,
    });
  }

  /**
   * A person, picked from the commanders seen in records and the people in CODEOWNERS, or typed. The
   * author (git user.name, which may be a team's name) is offered first, as a suggestion only.
   */
  async commander(entry: LocatedIncident, title: string, current?: string): Promise<string | undefined> {
    const author = await this.writer.author(entry.uri);
    const codeowners = await this.codeownersPeople(entry.folder);
    const people = commanderSuggestions(this.index.incidents().filter((e) => e.folder === entry.folder).map((e) => e.incident.commander), codeowners)
      .filter((p) => p.name !== current);
    const items: PersonItem[] = [];
    if (author !== current && !people.some((p) => p.name === author)) items.push({ label: author, name: author, description: vscode.l10n.t('you (git user.name)') });
    for (const person of people) {
      const why = [
        person.name === author ? vscode.l10n.t('you (git user.name)') : '',
        person.commanded > 0 ? vscode.l10n.t('commander of {0} incidents', person.commanded) : '',
        person.fromCodeowners ? vscode.l10n.t('in CODEOWNERS') : '',
      ].filter(Boolean).join(' · ');
      const item = { label: person.name, name: person.name, description: why };
      if (person.name === author) items.unshift(item);
      else items.push(item);
    }
    const pick = vscode.window.createQuickPick<PersonItem>();
    pick.title = title;
    pick.placeholder = vscode.l10n.t('Type a name or pick someone seen in the records and CODEOWNERS');
    pick.ignoreFocusOut = true;
    pick.matchOnDescription = false;
    pick.items = items;
    if (items[0]) pick.activeItems = [items[0]];
    // Whatever is typed is offered too, first: a name nobody has used yet is a valid answer.
    const typedItem = (value: string): PersonItem => ({ label: value, name: value, description: vscode.l10n.t('as typed'), alwaysShow: true });
    const update = (): void => {
      const value = pick.value.trim();
      const known = items.some((i) => i.name === value);
      pick.items = value && !known ? [typedItem(value), ...items] : items;
      if (value && !known) pick.activeItems = [pick.items[0]];
    };
    return new Promise<string | undefined>((resolve) => {
      let done = false;
      const finish = (value: string | undefined): void => {
        if (done) return;
        done = true;
        resolve(value);
        pick.dispose();
      };
      pick.onDidChangeValue(update);
      pick.onDidAccept(() => finish((pick.selectedItems[0] ?? pick.activeItems[0])?.name ?? (pick.value.trim() || undefined)));
      pick.onDidHide(() => finish(undefined));
      pick.show();
    });
  }

  private async codeownersPeople(folder: vscode.WorkspaceFolder): Promise<string[]> {
    for (const location of CODEOWNERS_LOCATIONS) {
      try {
        const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, ...location.split('/')));
        return codeownersPeople(new TextDecoder().decode(bytes));
      } catch {
        // GitHub reads the first of these that exists; so do we.
      }
    }
    return [];
  }
}
