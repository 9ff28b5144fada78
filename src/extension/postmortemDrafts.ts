import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BUILT_IN_POSTMORTEM_TEMPLATE, draftPostmortem, POSTMORTEM_TEMPLATE_PATH, postmortemSubject } from '../core/postmortem/postmortemDraft';
import { writeFileAtomic } from '../fs/atomicWrite';
import { realPathInWorkspace, type IncidentWriter } from './incidentWriter';
import type { LocatedIncident, RunbookIndexService } from './runbookIndexService';

async function readIfExists(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (err) {
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return undefined;
    throw err;
  }
}

/**
 * Draft Postmortem (issue 19, item 5), the extension's side of `runbook-ops postmortem`: the same draft
 * (src/core/postmortem), written atomically inside the workspace folder, linked from the record through
 * the one edit path (IncidentWriter), then opened.
 */
export class PostmortemDrafts {
  constructor(
    private readonly index: RunbookIndexService,
    private readonly writer: IncidentWriter,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Writes (or regenerates the facts of) `entry`'s draft, opens it (beside, from the board) and returns its repository path. */
  async draft(entry: LocatedIncident, openBeside = false): Promise<string> {
    const folder = entry.folder;
    if (folder.uri.scheme !== 'file') throw new Error(vscode.l10n.t('Postmortem drafts are written only in folders on this machine’s disk.'));
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === entry.uri.toString());
    const recordText = open?.getText() ?? (await readIfExists(entry.uri));
    if (recordText === undefined) throw new Error(vscode.l10n.t('{0} no longer exists.', vscode.workspace.asRelativePath(entry.uri)));
    const { detail, postmortemPath } = postmortemSubject(entry.incident.path, recordText, this.index.configFor(entry.uri).postmortemFolder);
    const target = vscode.Uri.joinPath(folder.uri, ...postmortemPath.split('/'));
    const draftOpen = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
    if (draftOpen?.isDirty) throw new Error(vscode.l10n.t('{0} has unsaved changes: save it first, so regenerating its facts keeps what you wrote.', postmortemPath));
    // The real file, inside the workspace folder: a record from a pull request names the path.
    const real = await realPathInWorkspace(folder.uri.fsPath, target);
    const template = (await readIfExists(vscode.Uri.joinPath(folder.uri, ...POSTMORTEM_TEMPLATE_PATH.split('/')))) ?? BUILT_IN_POSTMORTEM_TEMPLATE;
    const runbookTitle = (runbook: string): string | undefined => this.index.runbookAt(vscode.Uri.joinPath(folder.uri, ...runbook.split('/')))?.runbook.title;
    const existing = await readIfExists(target);
    const draft = draftPostmortem(existing, template, { detail, recordPath: entry.incident.path, postmortemPath, runbookTitle });
    if (draft.outcome !== 'unchanged') {
      await mkdir(path.dirname(real), { recursive: true });
      await writeFileAtomic(real, draft.text);
    }
    await this.writer.apply(entry.uri, { op: 'setPostmortem', path: postmortemPath });
    await this.index.refreshFile(target);
    this.log.info(`${detail.id}: postmortem ${postmortemPath} ${draft.outcome}`);
    await vscode.window.showTextDocument(target, { preview: false, ...(openBeside ? { viewColumn: vscode.ViewColumn.Beside } : {}) });
    const message = {
      created: vscode.l10n.t('Drafted {0} from {1}; the record links it. Running Draft Postmortem again rewrites only the block of facts.', postmortemPath, existing === undefined && template !== BUILT_IN_POSTMORTEM_TEMPLATE ? POSTMORTEM_TEMPLATE_PATH : vscode.l10n.t('the built-in template')),
      regenerated: vscode.l10n.t('Regenerated the facts of {0} from {1}; the rest is as you wrote it.', postmortemPath, detail.id),
      unchanged: vscode.l10n.t('{0} already has the facts of {1}.', postmortemPath, detail.id),
    }[draft.outcome];
    void vscode.window.showInformationMessage(message);
    return postmortemPath;
  }
}
