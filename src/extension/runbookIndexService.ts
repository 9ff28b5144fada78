import * as path from 'node:path';
import * as vscode from 'vscode';
import { WorkspaceIndex, type FileReader, type IncidentSummary, type RunbookSummary } from '../core/index';
import { buildIndexInParallel } from '../core/parallelIndex';
import { DEFAULT_LAYOUT, PathClassifier, type FileKind, type WorkspaceLayout } from '../core/paths';
import { DEFAULT_REPO_CONFIG, layoutFromConfig, parseRepoConfig, REPO_CONFIG_FILE, type RepoConfig } from '../core/repoConfig';

/** A runbook together with the workspace folder it lives in. */
export interface LocatedRunbook {
  folder: vscode.WorkspaceFolder;
  runbook: RunbookSummary;
  uri: vscode.Uri;
}

/** An incident record together with the workspace folder it lives in. */
export interface LocatedIncident {
  folder: vscode.WorkspaceFolder;
  incident: IncidentSummary;
  uri: vscode.Uri;
}

interface FolderIndex {
  folder: vscode.WorkspaceFolder;
  index: WorkspaceIndex;
  config: RepoConfig;
}

/** Quiet time after the last file event before the index is updated, and the longest a burst can delay it. */
const DEBOUNCE_MS = 150;
const MAX_DELAY_MS = 1000;

type PendingChange = 'update' | 'delete';

/**
 * Keeps one {@link WorkspaceIndex} per workspace folder current: a full build after activation, then
 * debounced incremental updates from a file watcher, so a `git checkout` of thousands of files is one
 * refresh of the views.
 */
export class RunbookIndexService implements vscode.Disposable {
  private readonly indexes = new Map<string, FolderIndex>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.changeEmitter];
  private readonly pending = new Map<string, { folder: vscode.WorkspaceFolder; relative: string; change: PendingChange }>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private firstPendingAt = 0;
  private indexing: Promise<void> | undefined;
  private ready = false;

  /** Fires after the index changed (a build finished or a batch of file changes was applied). */
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  get isReady(): boolean {
    return this.ready;
  }

  /** Starts watching and runs the first full build; resolves when it is done. */
  start(): Promise<void> {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => this.queue(uri, 'update')),
      watcher.onDidChange((uri) => this.queue(uri, 'update')),
      watcher.onDidDelete((uri) => this.queue(uri, 'delete')),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.reindex()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('runbookOps.runbooks.include') || e.affectsConfiguration('runbookOps.runbooks.exclude')) void this.reindex();
      }),
    );
    return this.reindex();
  }

  /** Drops everything and indexes every workspace folder again. */
  reindex(): Promise<void> {
    const run = async (): Promise<void> => {
      await this.indexing;
      await vscode.window.withProgress(
        { location: { viewId: 'runbookOps.runbooks' }, title: vscode.l10n.t('Indexing runbooks') },
        (progress) => this.buildAll(progress),
      );
    };
    this.indexing = run();
    return this.indexing;
  }

  private async buildAll(progress: vscode.Progress<{ message?: string; increment?: number }>): Promise<void> {
    const started = performance.now();
    this.indexes.clear();
    const layout = this.layout();
    let files = 0;
    let workers = 0;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const { config, layout: folderLayout } = await this.readRepoConfig(folder, layout);
      const index = new WorkspaceIndex(new PathClassifier(folderLayout), { config });
      this.indexes.set(folder.uri.toString(), { folder, index, config });
      const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.{md,markdown,yaml,yml}'), '{**/node_modules/**,**/.git/**}');
      const relative = uris.map((u) => toRelative(folder, u)).filter((p): p is string => p !== undefined);
      files += relative.length;
      let reported = 0;
      const onProgress = (done: number, total: number): void => {
        // Whole percents only: a report per batch is plenty for the view's progress bar.
        const percent = Math.floor((100 * done) / Math.max(1, total));
        if (percent <= reported) return;
        progress.report({ message: `${done} / ${total}`, increment: percent - reported });
        reported = percent;
      };
      if (folder.uri.scheme === 'file') {
        // Worker threads read and parse the files, so the extension host's thread stays free (DESIGN §7).
        // They stop when the build is done: full builds are rare, and idle workers would hold their heaps.
        const report = await buildIndexInParallel(index, folder.uri.fsPath, relative, { onProgress });
        workers = Math.max(workers, report.workers);
      } else {
        // Folders on other file systems (remote, virtual) are read through VS Code, in this thread.
        await index.build(relative, readerFor(folder), { onProgress });
      }
    }
    this.ready = true;
    const count = this.runbookCount();
    await vscode.commands.executeCommand('setContext', 'runbookOps.indexed', true);
    await vscode.commands.executeCommand('setContext', 'runbookOps.runbookCount', count);
    this.log.info(`Indexed ${count} runbooks from ${files} candidate files in ${Math.round(performance.now() - started)} ms (${workers ? `${workers} worker threads` : 'in the extension host'})`);
    this.changeEmitter.fire();
  }

  /** `.runbook-ops.yaml` of a folder: its globs win over the personal settings when the file exists. */
  private async readRepoConfig(folder: vscode.WorkspaceFolder, settingsLayout: WorkspaceLayout): Promise<{ config: RepoConfig; layout: WorkspaceLayout }> {
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, REPO_CONFIG_FILE));
    } catch {
      return { config: DEFAULT_REPO_CONFIG, layout: settingsLayout };
    }
    const { config, problems } = parseRepoConfig(bytes);
    for (const problem of problems) this.log.warn(`${REPO_CONFIG_FILE}:${problem.line}: ${problem.message}`);
    return { config, layout: layoutFromConfig(config) };
  }

  /** The repository configuration of the folder holding `uri` (defaults when there is none). */
  configFor(uri: vscode.Uri): RepoConfig {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return (folder && this.indexes.get(folder.uri.toString())?.config) ?? DEFAULT_REPO_CONFIG;
  }

  /** Like {@link configFor}, after any index build in progress has read `.runbook-ops.yaml`. */
  async configWhenReady(uri: vscode.Uri): Promise<RepoConfig> {
    await this.indexing;
    return this.configFor(uri);
  }

  /** Every indexed incident record, of every folder. */
  incidents(): LocatedIncident[] {
    const out: LocatedIncident[] = [];
    for (const { folder, index } of this.indexes.values()) {
      for (const incident of index.incidents()) out.push({ folder, incident, uri: vscode.Uri.joinPath(folder.uri, ...incident.path.split('/')) });
    }
    return out;
  }

  incidentAt(uri: vscode.Uri): LocatedIncident | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const relative = folder && toRelative(folder, uri);
    const incident = relative !== undefined ? this.indexes.get(folder!.uri.toString())?.index.getIncident(relative) : undefined;
    return folder && incident ? { folder, incident, uri } : undefined;
  }

  /** Repository-relative paths of the runbooks of `folder`, for the validator's reference checks. */
  runbookPaths(folder: vscode.WorkspaceFolder): Set<string> {
    return new Set(this.indexes.get(folder.uri.toString())?.index.runbooks().map((r) => r.path) ?? []);
  }

  /** Re-reads one file now instead of waiting for the watcher (after the extension wrote it). */
  async refreshFile(uri: vscode.Uri): Promise<void> {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const relative = folder && toRelative(folder, uri);
    const entry = folder && this.indexes.get(folder.uri.toString());
    if (!entry || relative === undefined) return;
    if (await entry.index.updateFile(relative, readerFor(folder!))) this.changeEmitter.fire();
  }

  private layout(): WorkspaceLayout {
    const config = vscode.workspace.getConfiguration('runbookOps.runbooks');
    return {
      ...DEFAULT_LAYOUT,
      runbookInclude: config.get<string[]>('include') ?? DEFAULT_LAYOUT.runbookInclude,
      runbookExclude: config.get<string[]>('exclude') ?? DEFAULT_LAYOUT.runbookExclude,
    };
  }

  runbookCount(): number {
    let count = 0;
    for (const { index } of this.indexes.values()) count += index.runbookCount;
    return count;
  }

  /** Runbooks of every folder, optionally only those matching a search query. */
  runbooks(query = ''): LocatedRunbook[] {
    const out: LocatedRunbook[] = [];
    for (const { folder, index } of this.indexes.values()) {
      for (const runbook of query ? index.search(query) : index.runbooks()) {
        out.push({ folder, runbook, uri: vscode.Uri.joinPath(folder.uri, ...runbook.path.split('/')) });
      }
    }
    return out;
  }

  /** Whether a file is a runbook or an incident record under the current globs, whether or not it is indexed yet. */
  classify(uri: vscode.Uri): FileKind | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const relative = folder && toRelative(folder, uri);
    if (relative === undefined) return undefined;
    return (this.indexes.get(folder!.uri.toString())?.index.classifier ?? new PathClassifier(this.layout())).classify(relative);
  }

  /** The index entry for a file, if it is an indexed runbook. */
  runbookAt(uri: vscode.Uri): LocatedRunbook | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const entry = folder && this.indexes.get(folder.uri.toString());
    const relative = folder && toRelative(folder, uri);
    const runbook = relative !== undefined ? entry?.index.getRunbook(relative) : undefined;
    return folder && runbook ? { folder, runbook, uri } : undefined;
  }

  private queue(uri: vscode.Uri, change: PendingChange): void {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const relative = folder && toRelative(folder, uri);
    if (!folder || relative === undefined) return;
    if (relative === REPO_CONFIG_FILE) {
      void this.reindex();
      return;
    }
    if (this.pending.size === 0) this.firstPendingAt = Date.now();
    this.pending.set(uri.toString(), { folder, relative, change });
    if (this.flushTimer) clearTimeout(this.flushTimer);
    const wait = Math.max(0, Math.min(DEBOUNCE_MS, this.firstPendingAt + MAX_DELAY_MS - Date.now()));
    this.flushTimer = setTimeout(() => void this.flush(), wait);
  }

  private async flush(): Promise<void> {
    this.flushTimer = undefined;
    await this.indexing;
    const batch = [...this.pending.values()];
    this.pending.clear();
    let changed = false;
    for (const { folder, relative, change } of batch) {
      const entry = this.indexes.get(folder.uri.toString());
      if (!entry) continue;
      try {
        if (change === 'delete') {
          // A deleted folder arrives as one event for the folder itself.
          changed = entry.index.deleteFile(relative) || entry.index.deleteFolder(relative) > 0 || changed;
        } else {
          changed = (await entry.index.updateFile(relative, readerFor(folder))) || changed;
        }
      } catch (err) {
        this.log.error(`Could not re-index ${relative}: ${(err as Error).message}`);
      }
    }
    if (!changed) return;
    this.log.debug(`Applied ${batch.length} file changes`);
    await vscode.commands.executeCommand('setContext', 'runbookOps.runbookCount', this.runbookCount());
    this.changeEmitter.fire();
  }

  dispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const d of this.disposables) d.dispose();
  }
}

function toRelative(folder: vscode.WorkspaceFolder, uri: vscode.Uri): string | undefined {
  const relative = path.posix.relative(folder.uri.path, uri.path);
  if (relative === '' || relative.startsWith('..')) return undefined;
  return relative;
}

function readerFor(folder: vscode.WorkspaceFolder): FileReader {
  return (relative) => Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, ...relative.split('/'))));
}
