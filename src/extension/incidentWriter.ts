import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { IncidentEditOperation, IncidentEditResult } from '../core/incident/incidentEdit';
import { editIncidentChecked } from '../core/incident/incidentEditCheck';
import type { RepoConfig } from '../core/config/repoConfig';
import { writeFileAtomic } from '../fs/atomicWrite';
import { describeLockOwner, IncidentFileLockTimeout, withIncidentFileLock, type LockWait } from '../fs/incidentFileLock';
import { OutsideRepositoryError, realPathInsideRepository } from '../fs/repositoryPath';
import { gitUserName } from '../git/incidentGit';
import type { RunbookIndexService } from './runbookIndexService';
import { setting } from './configuration';
import { SETTINGS } from './contributions';

/** How many times a write is re-applied when the file changed underneath it (a pull, another writer). */
const MAX_ATTEMPTS = 3;

/**
 * Every change to an incident record goes through here: the core edit function computes the new text,
 * and the change reaches the file as the smallest edit — through the editor when the record is open
 * (undoable, on top of unsaved changes), else straight to disk after checking nobody wrote it meanwhile.
 */
export class IncidentWriter {
  private authorName: string | undefined;
  /** Record URI → the last write queued for it. */
  private readonly queues = new Map<string, Promise<IncidentEditResult>>();

  constructor(private readonly index: RunbookIndexService, private readonly log: vscode.LogOutputChannel) {}

  /** Who edits: the `runbookOps.user.name` setting, else `git config user.name`, else the login name. */
  async author(uri?: vscode.Uri): Promise<string> {
    const configured = setting(SETTINGS.userName).trim();
    if (configured) return configured;
    if (this.authorName === undefined) {
      const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
      this.authorName = (folder && vscode.workspace.isTrusted ? await gitUserName(folder.uri.fsPath) : undefined) ?? os.userInfo().username;
    }
    return this.authorName;
  }

  /**
   * Applies `operation` to the record at `uri`; throws (with a message for the user) when it cannot.
   * Calls for the same record run one after the other (the board and the sidebar can ask within the
   * same millisecond), and each holds the record's lock file against `runbook-ops update` in a terminal.
   */
  apply(uri: vscode.Uri, operation: IncidentEditOperation, now = new Date()): Promise<IncidentEditResult> {
    const key = uri.toString();
    const run = (this.queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => this.applyNow(uri, operation, now));
    this.queues.set(key, run);
    const forget = (): void => {
      if (this.queues.get(key) === run) this.queues.delete(key);
    };
    run.then(forget, forget);
    return run;
  }

  private async applyNow(uri: vscode.Uri, operation: IncidentEditOperation, now: Date): Promise<IncidentEditResult> {
    // An edit parses the record: not one whose text stalled an index worker (issue 14).
    if (!(await this.index.mayParseNow(uri))) {
      throw new Error(vscode.l10n.t('{0} cannot be changed here: {1}', vscode.workspace.asRelativePath(uri, false), this.index.givenUpProblem(uri)?.message ?? ''));
    }
    const author = await this.author(uri);
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    // The record's repository-relative path: validation checks its file name against the id.
    const path = this.index.incidentAt(uri)?.incident.path ?? vscode.workspace.asRelativePath(uri, false);
    const write = async (real: string | undefined): Promise<IncidentEditResult> => {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      return open ? await this.applyInEditor(open, path, real, operation, now, author) : await this.applyOnDisk(uri, path, real, operation, now, author);
    };
    // The lock is a file beside the record, so only for records on the local disk; there the write
    // goes to the real file, which must be inside the workspace folder (no symbolic link out of it).
    const local = uri.scheme === 'file' && folder?.uri.scheme === 'file';
    const result = local ? await this.underLock(uri, await realPathInWorkspace(folder.uri.fsPath, uri), write) : await write(undefined);
    this.log.info(`${vscode.workspace.asRelativePath(uri)}: ${result.description}`);
    await this.index.refreshFile(uri);
    return result;
  }

  /** Runs `write` under the record's lock, telling the user when another writer (a terminal) keeps it waiting. */
  private async underLock(uri: vscode.Uri, real: string, write: (real: string) => Promise<IncidentEditResult>): Promise<IncidentEditResult> {
    // The notification lasts until the lock is taken or the wait fails (whichever way, and even if
    // VS Code starts the progress task only after that).
    let waitOver = false;
    let closeNotice: (() => void) | undefined;
    const endWait = (): void => {
      waitOver = true;
      closeNotice?.();
    };
    const onWait = (wait: LockWait): void => {
      const who = wait.owner ? describeLockOwner(wait.owner) : vscode.l10n.t('an unknown writer');
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Waiting for {0}: another writer holds its lock ({1}). If no Runbook Ops writer is running, delete {2}.', vscode.workspace.asRelativePath(uri), who, wait.lockPath) },
        () => new Promise<void>((resolve) => {
          if (waitOver) resolve();
          else closeNotice = resolve;
        }),
      );
    };
    try {
      return await withIncidentFileLock(real, () => {
        endWait();
        return write(real);
      }, { holder: 'VS Code', onWait });
    } catch (err) {
      if (!(err instanceof IncidentFileLockTimeout)) throw err;
      const who = err.owner ? describeLockOwner(err.owner) : vscode.l10n.t('an unknown writer');
      throw new Error(vscode.l10n.t('{0} is locked by {1}; nothing was written. Try again when it has finished, or delete {2} if no Runbook Ops writer is running.', vscode.workspace.asRelativePath(uri), who, err.lockPath));
    } finally {
      endWait();
    }
  }

  private async applyInEditor(document: vscode.TextDocument, path: string, real: string | undefined, operation: IncidentEditOperation, now: Date, author: string): Promise<IncidentEditResult> {
    // An editor keeps a deleted file's text; saving it would bring back a record that a pull or a
    // teammate removed. Refuse instead, as on disk.
    const onDisk = await readText(document.uri, real);
    // A saved editor whose file changed on disk (a terminal, a pull) has not reloaded yet: editing its
    // stale text and saving would undo that change. Edit the file instead; the editor reloads it.
    if (!document.isDirty && onDisk !== document.getText()) return this.applyOnDisk(document.uri, path, real, operation, now, author);
    const config = this.index.configFor(document.uri);
    const before = document.getText();
    const result = checkedEdit(path, before, operation, now, author, config);
    if (!result.changed) return result;
    // An editor edit stays an editor edit: one undoable change on top of any unsaved text.
    const edit = new vscode.WorkspaceEdit();
    const range = changedRange(document, before, result.text);
    edit.replace(document.uri, range.range, range.text);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(vscode.l10n.t('The editor refused the change to {0}.', vscode.workspace.asRelativePath(document.uri)));
    // The change (and any unsaved text of the user's, which stays in the editor) reaches the disk
    // now; if the file changed underneath, VS Code refuses and offers to compare, never overwrites.
    if (!(await document.save())) throw new Error(vscode.l10n.t('{0} was changed in the editor but could not be saved; the change is in the editor, unsaved.', vscode.workspace.asRelativePath(document.uri)));
    return result;
  }

  private async applyOnDisk(uri: vscode.Uri, path: string, real: string | undefined, operation: IncidentEditOperation, now: Date, author: string): Promise<IncidentEditResult> {
    const config = this.index.configFor(uri);
    for (let attempt = 1; ; attempt++) {
      const before = await readText(uri, real);
      const result = checkedEdit(path, before, operation, now, author, config);
      if (!result.changed) return result;
      // Someone (git pull, a terminal, another window) may have written the file while we computed.
      if ((await readText(uri, real)) !== before) {
        if (attempt >= MAX_ATTEMPTS) throw new Error(vscode.l10n.t('{0} keeps changing on disk; nothing was written. Try again.', vscode.workspace.asRelativePath(uri)));
        this.log.info(`${vscode.workspace.asRelativePath(uri)} changed while editing; re-applying (attempt ${attempt + 1})`);
        continue;
      }
      // A local record is replaced atomically (temporary file, fsync, rename): a crash or a full disk
      // leaves the old record, never a cut-off one. Other file systems get VS Code's own write.
      if (real !== undefined) await writeFileAtomic(real, result.text);
      else await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(result.text));
      return result;
    }
  }
}

/** One operation through the shared rule: refused when the record would get a validation error it did not have. */
function checkedEdit(path: string, before: string, operation: IncidentEditOperation, now: Date, author: string, config: RepoConfig): IncidentEditResult {
  const edit = editIncidentChecked(path, before, [operation], now, author, config);
  return { text: edit.text, description: edit.descriptions[0], changed: edit.changed };
}

/**
 * The real path of `uri` (a file in the workspace folder at `root`; it need not exist yet), refused
 * with a message for the user when a symbolic link takes it out of the folder.
 */
export async function realPathInWorkspace(root: string, uri: vscode.Uri): Promise<string> {
  try {
    return await realPathInsideRepository(root, uri.fsPath);
  } catch (err) {
    if (!(err instanceof OutsideRepositoryError)) throw err;
    throw new Error(vscode.l10n.t('Refused to write {0}: {1} is a symbolic link to {2}, outside the workspace folder. Runbook Ops writes only inside the repository; replace the link with a real folder or file inside it and try again.', vscode.workspace.asRelativePath(uri), vscode.workspace.asRelativePath(err.link), err.linkTarget));
  }
}

async function readText(uri: vscode.Uri, real: string | undefined): Promise<string> {
  try {
    return real !== undefined ? await readFile(real, 'utf8') : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (err) {
    const missing = (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') || (err as NodeJS.ErrnoException).code === 'ENOENT';
    if (missing) throw new Error(vscode.l10n.t('{0} no longer exists (deleted or moved); nothing was written.', vscode.workspace.asRelativePath(uri)));
    throw err;
  }
}

/** The smallest replacement turning `before` into `after`: common prefix and suffix are left alone, so undo and diffs stay small. */
function changedRange(document: vscode.TextDocument, before: string, after: string): { range: vscode.Range; text: string } {
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
    endBefore--;
    endAfter--;
  }
  return { range: new vscode.Range(document.positionAt(start), document.positionAt(endBefore)), text: after.slice(start, endAfter) };
}
