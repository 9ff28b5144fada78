import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { allowedStatusMoves, canReopen, FINISHED_STATUSES, REOPEN_STATUS } from '../core/incident/incident';
import { describeIncidentChange } from '../core/incident/incidentChangeSummary';
import { createIncident, type IncidentEditOperation } from '../core/incident/incidentEdit';
import { allocateIncidentId } from '../core/config/repoConfig';
import { createFileAtomic } from '../fs/atomicWrite';
import { commitFile, fileHistory, repositoryRoot } from '../git/incidentGit';
import type { ActiveIncident } from './activeIncident';
import type { IncidentPrompts, StatusChangeInput } from './incidentPrompts';
import type { PostmortemDrafts } from './postmortemDrafts';
import { gitContentUri } from './gitContentProvider';
import { realPathInWorkspace, type IncidentWriter } from './incidentWriter';
import type { IncidentNode, IncidentsTreeProvider } from './incidentsTreeProvider';
import type { LocatedIncident, RunbookIndexService } from './runbookIndexService';
import type { CommandManager } from './commandManager';
import { setting } from './configuration';
import { COMMAND, SETTINGS } from './contributions';

type IncidentTarget = IncidentNode | vscode.Uri | undefined;

/** How many ids Declare tries when other writers (a terminal, a teammate's pull) keep taking the one it picked. */
const MAX_ID_ATTEMPTS = 100;
/** Commits Show Incident History lists, newest first. */
const HISTORY_LENGTH = 200;

export interface DeclareIncidentInput {
  title?: string;
  severity?: string;
  services?: string[];
  /** Runbooks the incident starts with (workspace-relative paths). */
  runbooks?: string[];
  /** What detected it (Declare from Alert): `detected_at` and a `detection` entry. */
  detection?: { at: Date; by: string; text: string };
}

/** The incident commands of the sidebar, the status bar and the Command Palette. */
export class IncidentCommands {
  constructor(
    private readonly index: RunbookIndexService,
    private readonly writer: IncidentWriter,
    private readonly active: ActiveIncident,
    private readonly tree: IncidentsTreeProvider,
    private readonly log: vscode.LogOutputChannel,
    private readonly prompts: IncidentPrompts,
    private readonly postmortems: PostmortemDrafts,
  ) {}

  register(commands: CommandManager): void {
    commands.add(COMMAND.declareIncident, (input?: DeclareIncidentInput) => this.declare(input));
    commands.add(COMMAND.acknowledgeIncident, (target?: IncidentTarget, commander?: string) => this.changeStatus(target, 'acknowledged', { commander }));
    commands.add(COMMAND.resolveIncident, (target?: IncidentTarget, summary?: string, commander?: string) => this.changeStatus(target, 'resolved', { text: summary, commander }));
    commands.add(COMMAND.reopenIncident, (target?: IncidentTarget, reason?: string) => this.reopen(target, reason));
    commands.add(COMMAND.updateIncidentStatus, (target?: IncidentTarget, status?: string, note?: string, commander?: string) => this.updateStatus(target, status, { text: note, commander }));
    commands.add(COMMAND.addIncidentNote, (target?: IncidentTarget, text?: string) => this.addNote(target, text));
    commands.add(COMMAND.assignCommander, (target?: IncidentTarget, name?: string) => this.assignCommander(target, name));
    commands.add(COMMAND.addActionItem, (target?: IncidentTarget, title?: string, owner?: string) => this.addActionItem(target, title, owner));
    commands.add(COMMAND.setActiveIncident, async (target?: IncidentTarget) => {
      const entry = await this.resolve(target, vscode.l10n.t('Make which incident active?'), (status) => !FINISHED_STATUSES.has(status));
      if (entry && FINISHED_STATUSES.has(entry.incident.status)) {
        throw new Error(vscode.l10n.t('{0} is {1}: steps are recorded only on open incidents. Reopen it first.', entry.incident.id, entry.incident.status));
      }
      if (entry) this.active.set(entry.uri);
      return entry?.incident.id;
    });
    commands.add(COMMAND.switchActiveIncident, () => this.switchActive());
    commands.add(COMMAND.openIncident, async (target?: IncidentTarget) => {
      const entry = await this.resolve(target, vscode.l10n.t('Open which incident?'));
      if (entry) await vscode.window.showTextDocument(entry.uri, { preview: true });
    });
    commands.add(COMMAND.draftPostmortem, async (target?: IncidentTarget, openBeside?: boolean) => {
      // Any record, closed ones too: a postmortem is usually written after the incident ends.
      const entry = await this.resolve(target, vscode.l10n.t('Draft the postmortem of which incident?'), () => true);
      return entry && this.postmortems.draft(entry, openBeside === true);
    });
    commands.add(COMMAND.showIncidentHistory, (target?: IncidentTarget, commit?: string) => this.showHistory(target, commit));
    commands.add(COMMAND.commitIncidentUpdate, (target?: IncidentTarget) => this.commit(target));
    commands.add(COMMAND.toggleClosedIncidents, async () => this.tree.toggleClosed());
  }

  /** The incident a command acts on: the tree node or URI it was given, else the one in the editor, else a pick among `offered`. */
  private async resolve(target: IncidentTarget, placeHolder: string, offered: (status: string) => boolean = (status) => !['closed', 'cancelled'].includes(status)): Promise<LocatedIncident | undefined> {
    if (target instanceof vscode.Uri) {
      const entry = this.index.incidentAt(target);
      if (!entry) throw new Error(vscode.l10n.t('{0} is not an indexed incident record.', vscode.workspace.asRelativePath(target)));
      return entry;
    }
    if (target?.kind === 'incident') return this.index.incidentAt(target.entry.uri) ?? target.entry;
    const editorUri = vscode.window.activeTextEditor?.document.uri;
    const inEditor = editorUri && this.index.incidentAt(editorUri);
    if (inEditor) return inEditor;
    const incidents = this.index.incidents().filter((e) => offered(e.incident.status));
    if (incidents.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('There are no open incidents. Declare one with “Runbook Ops: Declare Incident”.'));
      return undefined;
    }
    const activeUri = this.active.current?.uri.toString();
    const picked = await vscode.window.showQuickPick(
      incidents
        .sort((a, b) => (b.uri.toString() === activeUri ? 1 : 0) - (a.uri.toString() === activeUri ? 1 : 0))
        .map((entry) => ({ label: `${entry.incident.id} ${entry.incident.title}`, description: `${entry.incident.severity} · ${entry.incident.status}`, entry })),
      { placeHolder },
    );
    return picked?.entry;
  }

  private async edit(target: IncidentTarget, operation: IncidentEditOperation): Promise<string | undefined> {
    const entry = await this.resolve(target, vscode.l10n.t('Which incident?'));
    if (!entry) return undefined;
    const result = await this.writer.apply(entry.uri, operation);
    if (result.changed) {
      vscode.window.setStatusBarMessage(`${entry.incident.id}: ${result.description}`, 4000);
    }
    return result.description;
  }

  /** A status change with what it asks for (a reopen reason, a resolution summary, a commander), unless given. */
  private async changeStatus(target: IncidentTarget, status: string, given: StatusChangeInput): Promise<string | undefined> {
    const entry = await this.resolve(target, vscode.l10n.t('Which incident?'));
    if (!entry) return undefined;
    const operation = await this.prompts.statusChange(entry, status, given);
    return operation && this.edit(entry.uri, operation);
  }

  private async reopen(target: IncidentTarget, reason?: string): Promise<string | undefined> {
    const entry = await this.resolve(target, vscode.l10n.t('Reopen which incident?'), canReopen);
    if (!entry) return undefined;
    if (!canReopen(entry.incident.status)) {
      throw new Error(vscode.l10n.t('{0} is {1}: only mitigated, resolved, closed or cancelled incidents can be reopened.', entry.incident.id, entry.incident.status || vscode.l10n.t('(no status)')));
    }
    const operation = await this.prompts.statusChange(entry, REOPEN_STATUS, { text: reason });
    return operation && this.edit(entry.uri, operation);
  }

  private async updateStatus(target: IncidentTarget, status: string | undefined, given: StatusChangeInput): Promise<string | undefined> {
    const entry = await this.resolve(target, vscode.l10n.t('Update the status of which incident?'));
    if (!entry) return undefined;
    if (status === undefined) {
      const labels = entry.config.statusLabels as Record<string, string>;
      const options = allowedStatusMoves(entry.incident.status);
      if (options.length === 0) throw new Error(vscode.l10n.t('{0} has the status “{1}”, which Runbook Ops does not know; correct it in the record first.', entry.incident.id, entry.incident.status));
      const describe = (s: string): string | undefined => {
        if (s === REOPEN_STATUS) return vscode.l10n.t('reopen: asks why');
        if (s === 'cancelled') return vscode.l10n.t('not an incident after all');
        return undefined;
      };
      const picked = await vscode.window.showQuickPick(
        options.map((s) => ({ label: labels[s] ?? s, description: describe(s), status: s })),
        { title: vscode.l10n.t('{0}: {1} →', entry.incident.id, entry.incident.status), placeHolder: vscode.l10n.t('New status') },
      );
      if (!picked) return undefined;
      status = picked.status;
    }
    const operation = await this.prompts.statusChange(entry, status, given);
    return operation && this.edit(entry.uri, operation);
  }

  private async addNote(target: IncidentTarget, text?: string): Promise<string | undefined> {
    const entry = await this.resolve(target, vscode.l10n.t('Add a note to which incident?'));
    if (!entry) return undefined;
    text ??= await vscode.window.showInputBox({
      title: vscode.l10n.t('Timeline note for {0}', entry.incident.id),
      prompt: vscode.l10n.t('What happened, what you saw or decided'),
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('A note needs some text.')),
    });
    if (!text?.trim()) return undefined;
    return this.edit(entry.uri, { op: 'addNote', text: text.trim() });
  }

  private async assignCommander(target: IncidentTarget, name?: string): Promise<string | undefined> {
    const entry = await this.resolve(target, vscode.l10n.t('Assign a commander to which incident?'));
    if (!entry) return undefined;
    name ??= await this.prompts.commander(entry, vscode.l10n.t('Incident commander for {0}', entry.incident.id), entry.incident.commander);
    if (!name?.trim()) return undefined;
    return this.edit(entry.uri, { op: 'assignCommander', commander: name.trim() });
  }

  private async addActionItem(target: IncidentTarget, title?: string, owner?: string): Promise<string | undefined> {
    const entry = await this.resolve(target, vscode.l10n.t('Add an action item to which incident?'));
    if (!entry) return undefined;
    if (title === undefined) {
      title = await vscode.window.showInputBox({ title: vscode.l10n.t('Action item for {0}', entry.incident.id), prompt: vscode.l10n.t('What should be done'), ignoreFocusOut: true });
      if (!title?.trim()) return undefined;
      owner = await vscode.window.showInputBox({ title: vscode.l10n.t('Owner (optional)'), value: await this.writer.author(entry.uri), ignoreFocusOut: true });
      if (owner === undefined) return undefined;
    }
    return this.edit(entry.uri, { op: 'addActionItem', title: title.trim(), ...(owner?.trim() ? { owner: owner.trim() } : {}) });
  }

  private async declare(input: DeclareIncidentInput = {}): Promise<string | undefined> {
    const folder = (vscode.window.activeTextEditor && vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri)) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) throw new Error(vscode.l10n.t('Open the folder of your runbook repository to declare an incident.'));
    const config = this.index.configFor(folder.uri);
    const title = input.title ?? (await vscode.window.showInputBox({
      title: vscode.l10n.t('Declare incident (1/3): title'),
      prompt: vscode.l10n.t('What is broken, for whom: “Checkout API 5xx in eu-west-1”'),
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('An incident needs a title.')),
    }));
    if (!title?.trim()) return undefined;
    let severity = input.severity;
    if (severity === undefined) {
      const picked = await vscode.window.showQuickPick(
        config.severities.map((s) => ({ label: s.name, description: s.label })),
        { title: vscode.l10n.t('Declare incident (2/3): severity'), ignoreFocusOut: true },
      );
      if (!picked) return undefined;
      severity = picked.label;
    }
    let services = input.services;
    if (services === undefined) {
      // Pre-fill with the services of the runbook in the editor: that is usually what is on fire.
      const editorUri = vscode.window.activeTextEditor?.document.uri;
      const runbook = editorUri && this.index.runbookAt(editorUri);
      const answer = await vscode.window.showInputBox({
        title: vscode.l10n.t('Declare incident (3/3): affected services'),
        prompt: vscode.l10n.t('Comma-separated; may be empty'),
        value: runbook?.runbook.services.join(', ') ?? '',
        ignoreFocusOut: true,
      });
      if (answer === undefined) return undefined;
      services = answer.split(',').map((s) => s.trim()).filter(Boolean);
    }
    const now = new Date();
    const author = await this.writer.author(folder.uri);
    const taken = this.index.incidents().filter((e) => e.folder === folder).map((e) => e.incident.id);
    const folderParts = config.incidentFolder.split('/').filter(Boolean);
    const recordFor = (id: string): string =>
      createIncident(config, { id, title: title.trim(), severity, services, now, author, ...(input.runbooks ? { runbooks: input.runbooks } : {}), ...(input.detection ? { detection: input.detection } : {}) });
    let id: string | undefined;
    let uri: vscode.Uri | undefined;
    if (folder.uri.scheme === 'file') {
      // The real incident folder, inside the workspace folder (never through a link out of it). The record
      // is created exclusively and complete (temporary file, fsync, hard link): an id another writer took
      // since the index was read moves on to the next free one, and no empty file is ever left.
      const realFolder = await realPathInWorkspace(folder.uri.fsPath, vscode.Uri.joinPath(folder.uri, ...folderParts));
      await mkdir(realFolder, { recursive: true });
      for (let attempt = 0; attempt < MAX_ID_ATTEMPTS && !uri; attempt++) {
        const next = allocateIncidentId(config, taken, now);
        if (await createFileAtomic(path.join(realFolder, `${next}.yaml`), recordFor(next))) {
          id = next;
          uri = vscode.Uri.joinPath(folder.uri, ...folderParts, `${next}.yaml`);
        } else taken.push(next);
      }
      if (!id || !uri) throw new Error(vscode.l10n.t('Could not find a free incident id in {0}: the next {1} ids were taken by other writers. Try again.', config.incidentFolder, MAX_ID_ATTEMPTS));
    } else {
      id = allocateIncidentId(config, taken, now);
      uri = vscode.Uri.joinPath(folder.uri, ...folderParts, `${id}.yaml`);
      try {
        await vscode.workspace.fs.stat(uri);
        throw new Error(vscode.l10n.t('{0} already exists; reindex the workspace and try again.', vscode.workspace.asRelativePath(uri)));
      } catch (err) {
        if (!(err instanceof vscode.FileSystemError)) throw err;
      }
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(recordFor(id)));
    }
    await this.index.refreshFile(uri);
    this.active.set(uri);
    this.log.info(`Declared ${id} (${severity}) in ${vscode.workspace.asRelativePath(uri)}`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Declared {0}; it is now the active incident.', id));
    return id;
  }

  private async switchActive(): Promise<string | undefined> {
    const none = { label: vscode.l10n.t('$(circle-slash) No active incident'), entry: undefined as LocatedIncident | undefined };
    const items = this.index.incidents()
      .filter((e) => !['closed', 'cancelled', 'resolved'].includes(e.incident.status))
      .map((entry) => ({ label: `${entry.incident.id} ${entry.incident.title}`, description: `${entry.incident.severity} · ${entry.incident.status}`, entry }));
    const declare = { label: vscode.l10n.t('$(add) Declare a new incident…'), entry: undefined as LocatedIncident | undefined };
    const picked = await vscode.window.showQuickPick([...items, none, declare], { placeHolder: vscode.l10n.t('Record runbook steps on which incident?') });
    if (!picked) return undefined;
    if (picked === declare) return this.declare();
    this.active.set(picked.entry?.uri);
    return picked.entry?.incident.id;
  }

  private async gitRoot(entry: LocatedIncident): Promise<string> {
    if (!vscode.workspace.isTrusted) throw new Error(vscode.l10n.t('Git operations need a trusted workspace: they can run programs the repository configures.'));
    const root = await repositoryRoot(path.dirname(entry.uri.fsPath));
    if (!root) throw new Error(vscode.l10n.t('{0} is not in a git repository, so there is nothing to commit or show.', vscode.workspace.asRelativePath(entry.uri)));
    return root;
  }

  private async commit(target: IncidentTarget): Promise<string | undefined> {
    const entry = await this.resolve(target, vscode.l10n.t('Commit which incident record?'));
    if (!entry) return undefined;
    const root = await this.gitRoot(entry);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === entry.uri.toString());
    if (open?.isDirty) await open.save();
    const branchPerIncident = setting(SETTINGS.gitBranchPerIncident);
    let message = '';
    // The message says what the staged file changes, not what was done to it (an undo, a hand edit).
    const hash = await commitFile(root, path.relative(root, entry.uri.fsPath).split(path.sep).join('/'), ({ before, after }) => {
      message = `${entry.incident.id}: ${describeIncidentChange(before, after).join(', ')}`;
      return message;
    }, branchPerIncident ? { branch: `incident/${entry.incident.id}` } : {});
    void vscode.window.showInformationMessage(vscode.l10n.t('Committed {0} ({1})', message, hash.slice(0, 7)));
    return message;
  }

  /** Opens one commit of the record as a diff: the one picked, or `commit` (a full hash) when given. */
  private async showHistory(target: IncidentTarget, commit?: string): Promise<void> {
    const entry = await this.resolve(target, vscode.l10n.t('Show the history of which incident?'));
    if (!entry) return;
    const root = await this.gitRoot(entry);
    const relative = path.relative(root, entry.uri.fsPath).split(path.sep).join('/');
    // One more than listed, so the oldest listed entry of a long history still diffs against its predecessor.
    const commits = await fileHistory(root, relative, HISTORY_LENGTH + 1);
    if (commits.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} has no commits yet.', entry.incident.id));
      return;
    }
    const items = commits.slice(0, HISTORY_LENGTH).map((c, i) => ({ label: c.message, description: `${c.author} · ${new Date(c.date).toLocaleString()}`, detail: c.hash.slice(0, 10), commit: c, parent: commits[i + 1] }));
    const picked = commit === undefined
      ? await vscode.window.showQuickPick(items, { title: vscode.l10n.t('History of {0}', entry.incident.id), matchOnDetail: true })
      : items.find((item) => item.commit.hash === commit);
    if (!picked) {
      if (commit !== undefined) throw new Error(vscode.l10n.t('{0} is not a commit in the history of {1}.', commit, entry.incident.id));
      return;
    }
    // The record's first commit created it: its left side is the empty file.
    const before = gitContentUri(root, picked.parent?.hash ?? null, relative);
    const after = gitContentUri(root, picked.commit.hash, relative);
    // Commits made by this extension already start with the id (`INC-0042: note added`).
    const message = picked.commit.message.startsWith(`${entry.incident.id}:`) ? picked.commit.message : `${entry.incident.id}: ${picked.commit.message}`;
    await vscode.commands.executeCommand('vscode.diff', before, after, `${message} (${picked.commit.hash.slice(0, 7)})`);
  }
}
