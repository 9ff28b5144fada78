// One file on purpose (~680 lines): the index's life in VS Code (first build, cache, watcher queue,
// configuration reloads, given-up files) is one state machine; splitting it would share its queue.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { decodeFileText, type Problem } from '../core/text/fileText';
import { problemOnlySummary, WorkspaceIndex, type FileReader, type IncidentSummary, type IndexSnapshot, type RunbookSummary } from '../core/index/workspaceIndex';
import { IndexWorkerPool, type ParallelBuildOptions, type ParallelBuildReport } from '../fs/parallelIndex';
import { GivenUpFiles } from '../core/index/parseBudget';
import { contentHash } from '../fs/contentHash';
import { DEFAULT_LAYOUT, PathClassifier, SKIPPED_FOLDERS, type FileKind, type WorkspaceLayout } from '../core/config/paths';
import { listRepositoryFilesAsync } from '../fs/repositoryFiles';
import { DEFAULT_REPO_CONFIG, layoutFromConfig, parseRepoConfig, REPO_CONFIG_FILE, type RepoConfig } from '../core/config/repoConfig';
import { SummaryCacheSession, summaryCacheKey } from '../fs/summaryCache';
import { Disposable } from './dispose';
import { setting } from './configuration';
import { SETTINGS } from './contributions';

/**
 * An index entry with the workspace folder it lives in and that folder's config. Its URI is made on
 * first use: views and diagnostics walk every entry after each index change and need URIs for a few,
 * and making 20,000 of them cost the extension host's thread about 40 ms a walk.
 */
abstract class LocatedEntry {
  private cachedUri: vscode.Uri | undefined;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    readonly config: RepoConfig,
    uri: vscode.Uri | undefined,
  ) {
    this.cachedUri = uri;
  }

  protected abstract get path(): string;

  get uri(): vscode.Uri {
    return (this.cachedUri ??= vscode.Uri.joinPath(this.folder.uri, ...this.path.split('/')));
  }
}

/** A runbook together with the workspace folder it lives in. */
export class LocatedRunbook extends LocatedEntry {
  constructor(folder: vscode.WorkspaceFolder, config: RepoConfig, readonly runbook: RunbookSummary, uri?: vscode.Uri) {
    super(folder, config, uri);
  }

  protected get path(): string {
    return this.runbook.path;
  }
}

/** An incident record together with the workspace folder it lives in. */
export class LocatedIncident extends LocatedEntry {
  constructor(folder: vscode.WorkspaceFolder, config: RepoConfig, readonly incident: IncidentSummary, uri?: vscode.Uri) {
    super(folder, config, uri);
  }

  protected get path(): string {
    return this.incident.path;
  }
}

interface FolderIndex {
  folder: vscode.WorkspaceFolder;
  index: WorkspaceIndex;
  config: RepoConfig;
}

/** Quiet time after the last file event before the index is updated, and the longest a burst can delay it. */
/** The files the index looks at (the classifier then applies the runbook and incident globs). */
const INDEXED_EXTENSIONS = /\.(md|markdown|ya?ml)$/i;

const DEBOUNCE_MS = 150;
const MAX_DELAY_MS = 1000;
/**
 * A batch this large (a checkout, a pull, a clone) is applied as a full rebuild on worker threads: the
 * parsing leaves the extension host's thread, and the rebuild also picks up what the watcher missed —
 * inotify cannot watch a folder before it exists, so files written into a just-created folder can go
 * unreported (seen with `git clone` into the workspace).
 */
const REBUILD_THRESHOLD = 500;
/**
 * Quiet time after a storm's rebuild before the folder is listed once more and compared with the index.
 * The rebuild lists the folder while the storm may still be writing, and a loaded machine's watcher can
 * drop the events of what came after (seen: 105 of 1,020 records of a `git checkout` never reported).
 */
const STORM_RECONCILE_QUIET_MS = 2000;
/** Files per worker message for an update: small enough that both workers get a share of a big one. */
const WORKER_UPDATE_BATCH = 50;
/**
 * How long the index workers outlive their last build. Builds tend to come in bursts (a checkout, then
 * a pull; settings edited, then Reindex) and warm workers build about twice as fast as new ones.
 */
const WORKER_IDLE_STOP_MS = 60_000;
/** The shortest time between two change events (two refreshes of every view). */
const MIN_CHANGE_INTERVAL_MS = 500;

type PendingChange = 'update' | 'delete';


/** A file of a workspace folder, as the given-up registry knows it. */
interface LocatedFile {
  folder: vscode.WorkspaceFolder;
  relative: string;
  key: string;
}

/** The registry key of a folder's file (not its URI text, which a document and a joined path can spell differently). */
function fileKey(folder: vscode.WorkspaceFolder, relative: string): string {
  return `${folder.uri.toString()}\u0000${relative}`;
}

/**
 * Keeps one {@link WorkspaceIndex} per workspace folder current: a full build after activation, then
 * debounced incremental updates from a file watcher, so a `git checkout` of thousands of files is one
 * refresh of the views.
 * Files of local folders are parsed only on the worker threads, under the parse budget (issue 14): a
 * file a worker gave up on is remembered with its text, never parsed in this thread (see
 * {@link mayParse}), and tried on a worker again only once its text changes.
 */
export class RunbookIndexService extends Disposable {
  private readonly indexes = new Map<string, FolderIndex>();
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  private readonly pending = new Map<string, { folder: vscode.WorkspaceFolder; relative: string; change: PendingChange }>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> | undefined;
  /** Set after a storm's rebuild: fires once file events have been quiet for STORM_RECONCILE_QUIET_MS. */
  private reconcileTimer: ReturnType<typeof setTimeout> | undefined;
  private firstPendingAt = 0;
  private indexing: Promise<void> | undefined;
  private ready = false;
  private markIndexed: () => void = () => undefined;
  /** Resolves once the first full build is done: a command run as the window opens waits for it. */
  readonly indexed = new Promise<void>((resolve) => (this.markIndexed = resolve));
  private lastChangeFiredAt = -Infinity;
  /** A change event held back by `fireChangeThrottled` until MIN_CHANGE_INTERVAL_MS have passed since the last one. */
  private changeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Worker threads that parse the files of local folders (builds and updates), stopped when idle. */
  private readonly workers = new IndexWorkerPool({ idleStopMs: WORKER_IDLE_STOP_MS, parseBudgetMs: setting(SETTINGS.indexParseBudget) });
  /** Files a worker gave up on, by {@link fileKey}. */
  private readonly givenUp = new GivenUpFiles();
  private readonly givenUpEmitter = new vscode.EventEmitter<void>();
  /**
   * Fires when what {@link mayParse} answers may have changed: a worker gave up on a file, or parsed
   * one it had given up on (its text changed).
   */
  readonly onDidChangeGivenUp = this.givenUpEmitter.event;

  /** Fires after the index changed (a build finished or a batch of file changes was applied). */
  readonly onDidChange = this.changeEmitter.event;

  /**
   * @param cacheFolder where the summary cache of each local workspace folder is kept (the extension's
   * workspace storage); without one every build reads every file.
   */
  constructor(private readonly log: vscode.LogOutputChannel, private readonly cacheFolder?: string) {
    super();
    this.register(this.givenUpEmitter);
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Starts watching and runs the first full build; resolves when it is done. */
  start(): Promise<void> {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    this.register(watcher);
    this.register(watcher.onDidCreate((uri) => this.queue(uri, 'update')));
    this.register(watcher.onDidChange((uri) => this.queue(uri, 'update')));
    this.register(watcher.onDidDelete((uri) => this.queue(uri, 'delete')));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.reindex()));
    this.register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS.indexParseBudget.key)) this.workers.parseBudgetMs = setting(SETTINGS.indexParseBudget);
      if (e.affectsConfiguration(SETTINGS.runbooksInclude.key) || e.affectsConfiguration(SETTINGS.runbooksExclude.key)) void this.reindex();
    }));
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
    // Built aside and swapped in at the end: the views keep showing the old index meanwhile, not an empty one.
    const built = new Map<string, FolderIndex>();
    const layout = this.layout();
    let files = 0;
    let workers = 0;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const { config, layout: folderLayout } = await this.readRepoConfig(folder, layout);
      const index = new WorkspaceIndex(new PathClassifier(folderLayout), { config });
      const entry = { folder, index, config };
      built.set(folder.uri.toString(), entry);
      const relative = await this.candidateFiles(folder);
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
        // Worker threads read and parse the files, so the extension host's thread stays free (README, Performance).
        const report = await this.buildFromCache(entry, relative, { onProgress });
        workers = Math.max(workers, report.workers);
      } else {
        // Folders on other file systems (remote, virtual) are read through VS Code, in this thread.
        await index.build(relative, readerFor(folder), { onProgress });
      }
    }
    this.indexes.clear();
    for (const [key, entry] of built) this.indexes.set(key, entry);
    this.forgetGivenUpNotIndexed();
    this.ready = true;
    this.markIndexed();
    const count = this.runbookCount();
    await vscode.commands.executeCommand('setContext', 'runbookOps.indexed', true);
    await vscode.commands.executeCommand('setContext', 'runbookOps.runbookCount', count);
    this.log.info(`Indexed ${count} runbooks from ${files} candidate files in ${Math.round(performance.now() - started)} ms (${workers ? `${workers} worker threads` : 'in the extension host'})`);
    // Throttled too: a storm can rebuild several times in a row.
    this.fireChangeThrottled();
  }

  /**
   * The Markdown and YAML files of a folder. Local folders are walked without following symbolic links
   * (as the CLI does): `findFiles` follows them, so one link to `/` in a cloned repository would index
   * the whole disk. Other file systems (remote, virtual) are listed through VS Code.
   */
  private async candidateFiles(folder: vscode.WorkspaceFolder): Promise<string[]> {
    if (folder.uri.scheme === 'file') return (await listRepositoryFilesAsync(folder.uri.fsPath)).filter((path) => INDEXED_EXTENSIONS.test(path));
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.{md,markdown,yaml,yml}'), '{**/node_modules/**,**/.git/**}');
    return uris.map((u) => toRelative(folder, u)).filter((p): p is string => p !== undefined);
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
    for (const { folder, index, config } of this.indexes.values()) {
      for (const incident of index.incidents()) out.push(new LocatedIncident(folder, config, incident));
    }
    return out;
  }

  incidentAt(uri: vscode.Uri): LocatedIncident | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const relative = folder && toRelative(folder, uri);
    const entry = folder && this.indexes.get(folder.uri.toString());
    const incident = relative !== undefined ? entry?.index.getIncident(relative) : undefined;
    return entry && incident ? new LocatedIncident(entry.folder, entry.config, incident, uri) : undefined;
  }

  /** The index of `folder` as plain data, sorted by path (tests compare it with a fresh build). */
  snapshot(folder: vscode.WorkspaceFolder): IndexSnapshot | undefined {
    return this.indexes.get(folder.uri.toString())?.index.snapshot();
  }

  /** The classifier and repository config the index of `folder` was built with. */
  indexSettings(folder: vscode.WorkspaceFolder): { classifier: PathClassifier; config: RepoConfig } | undefined {
    const entry = this.indexes.get(folder.uri.toString());
    return entry && { classifier: entry.index.classifier, config: entry.config };
  }

  /** Whether file changes are waiting, being applied or not yet announced (a storm is still settling). */
  get hasPendingChanges(): boolean {
    return this.pending.size > 0 || this.flushTimer !== undefined || this.flushing !== undefined || this.changeTimer !== undefined || this.reconcileTimer !== undefined;
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
    if (folder!.uri.scheme === 'file') {
      await this.buildOnWorkers(entry, [relative], {});
      this.forgetGivenUpNotIndexed();
      this.fireChange();
    } else if (await entry.index.updateFile(relative, readerFor(folder!))) this.fireChange();
  }

  /**
   * Parses `paths` of a local folder into its index on the workers, under the parse budget. A file a
   * worker gave up on is not tried again while its text is unchanged (each try costs a worker and the
   * whole budget): it keeps its line-1 problem.
   */
  private async buildOnWorkers(entry: FolderIndex, paths: readonly string[], options: Pick<ParallelBuildOptions, 'batchSize' | 'onProgress' | 'onEncoded'>): Promise<ParallelBuildReport> {
    const { folder, index } = entry;
    const toBuild: string[] = this.givenUp.size === 0 ? paths.slice() : [];
    const retried: string[] = [];
    for (const relative of this.givenUp.size === 0 ? [] : paths) {
      const key = fileKey(folder, relative);
      const problem = this.givenUp.problem(key);
      const kind = problem && index.classifier.classify(relative);
      if (!problem || kind === undefined) {
        toBuild.push(relative);
        continue;
      }
      const bytes = await readBytes(folder, relative);
      // Without workers (they stopped starting) a changed text would be parsed in this thread: keep it given up.
      if (bytes !== undefined && (this.workers.size === 0 || this.givenUp.gaveUpOn(key, contentHash(bytes)))) {
        index.setSummary(kind, problemOnlySummary(kind, relative, problem));
        continue;
      }
      toBuild.push(relative);
      retried.push(key);
    }
    const report = await this.workers.build(index, folder.uri.fsPath, toBuild, options);
    const givenUpNow = new Set<string>();
    for (const file of report.givenUp) {
      const key = fileKey(folder, file.path);
      givenUpNow.add(key);
      const bytes = await readBytes(folder, file.path);
      this.givenUp.giveUp(key, bytes === undefined ? '' : contentHash(bytes), file.problem);
      this.log.warn(`${file.path}: ${file.problem.message}`);
    }
    let changed = givenUpNow.size > 0;
    for (const key of retried) if (!givenUpNow.has(key)) changed = this.givenUp.clear(key) || changed;
    if (changed) this.givenUpEmitter.fire();
    return report;
  }

  /**
   * A full build of a local folder: files unchanged since the cache was written take their summary from
   * it (src/fs/summaryCache.ts), the rest go to {@link buildOnWorkers}; then the cache is brought up to
   * date. Files given up on are never stored, so the next window tries them on a worker again.
   */
  private async buildFromCache(entry: FolderIndex, paths: readonly string[], options: Pick<ParallelBuildOptions, 'onProgress'>): Promise<ParallelBuildReport> {
    if (this.cacheFolder === undefined) return this.buildOnWorkers(entry, paths, options);
    const { folder, index, config } = entry;
    const name = createHash('sha256').update(folder.uri.toString()).digest('hex').slice(0, 32);
    const file = join(this.cacheFolder, 'index-cache', name);
    const session = await SummaryCacheSession.open({ file, key: summaryCacheKey(BUILD_FINGERPRINT, config, index.classifier.layout) });
    const toRead = await session.applyCached(index, folder.uri.fsPath, paths);
    const report = await this.buildOnWorkers(entry, toRead, { ...options, onEncoded: session.keepSent });
    const prefix = fileKey(folder, '');
    const givenUp = [...this.givenUp.keys()].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
    const cache = await session.save(index, [...givenUp, ...report.givenUp.map((f) => f.path)]);
    this.log.info(`${folder.name}: ${cache.hits} files from the summary cache (${cache.outcome}: ${file}), ${cache.misses} read${cache.written ? `; cache written (${cache.bytes} bytes)` : ''}`);
    if (cache.writeError !== undefined) this.log.warn(`The summary cache could not be written: ${cache.writeError}`);
    return report;
  }

  /** Drops given-up files that are no longer indexed (deleted, or out of the globs). */
  private forgetGivenUpNotIndexed(): void {
    let changed = false;
    for (const key of [...this.givenUp.keys()]) {
      const located = this.locateKey(key);
      const indexed = located && (located.entry.index.getRunbook(located.relative) ?? located.entry.index.getIncident(located.relative));
      if (!indexed) changed = this.givenUp.clear(key) || changed;
    }
    if (changed) this.givenUpEmitter.fire();
  }

  private locateKey(key: string): { entry: FolderIndex; relative: string } | undefined {
    const cut = key.indexOf('\u0000');
    const entry = this.indexes.get(key.slice(0, cut));
    return entry && { entry, relative: key.slice(cut + 1) };
  }

  private locate(uri: vscode.Uri): LocatedFile | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const relative = folder && toRelative(folder, uri);
    return relative === undefined ? undefined : { folder: folder!, relative, key: fileKey(folder!, relative) };
  }

  /** The line-1 problem of a file a worker gave up on (until a worker parses its changed text in time). */
  givenUpProblem(uri: vscode.Uri): Problem | undefined {
    if (this.givenUp.size === 0) return undefined;
    const located = this.locate(uri);
    return located && this.givenUp.problem(located.key);
  }

  /**
   * Whether this thread may parse `content` as the text of `uri`: not when a worker gave up on that
   * text (issue 14: the host never parses what stalled a worker). A changed text of such a file is
   * first tried on a worker, under the budget; {@link onDidChangeGivenUp} fires when that try is done.
   */
  mayParse(uri: vscode.Uri, content: string | Uint8Array): boolean {
    if (this.givenUp.size === 0) return true;
    const located = this.locate(uri);
    if (!located) return true;
    let hash = '';
    const gate = this.givenUp.gate(located.key, () => (hash = contentHash(content)));
    if (gate === 'vet') void this.tryOnWorker(located, typeof content === 'string' ? content : decodeFileText(content).text, hash);
    return gate === 'parse';
  }

  /** {@link mayParse} for the file's current text: the open document's, else the file's on disk. */
  async mayParseNow(uri: vscode.Uri): Promise<boolean> {
    if (this.givenUpProblem(uri) === undefined) return true;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return this.mayParse(uri, open.getText());
    const located = this.locate(uri);
    const bytes = located && (await readBytes(located.folder, located.relative));
    return bytes === undefined || this.mayParse(uri, bytes);
  }

  /** Parses a changed text of a given-up file on a worker, to learn whether it may be parsed here. */
  private async tryOnWorker(located: LocatedFile, text: string, hash: string): Promise<void> {
    const entry = this.indexes.get(located.folder.uri.toString());
    const kind = entry?.index.classifier.classify(located.relative);
    const problem = this.givenUp.problem(located.key);
    let outcome: { parsed: true } | { parsed: false; problem: Problem } = { parsed: false, problem: problem! };
    // Without workers the "try" would be a parse in this thread: the text stays given up.
    if (entry && kind !== undefined && this.workers.size > 0) {
      try {
        const [result] = await this.workers.summarizeTexts(entry.config, [{ path: located.relative, kind, content: text }]);
        outcome = 'summary' in result && result.givenUp ? { parsed: false, problem: result.summary.problems[0] } : { parsed: true };
        if (!outcome.parsed) this.log.warn(`${located.relative} (unsaved text): ${outcome.problem.message}`);
      } catch (err) {
        this.log.error(`Could not try ${located.relative} on a worker: ${(err as Error).message}`);
      }
    }
    this.givenUp.tried(located.key, hash, outcome);
    this.givenUpEmitter.fire();
  }

  private layout(): WorkspaceLayout {
    return { ...DEFAULT_LAYOUT, runbookInclude: [...setting(SETTINGS.runbooksInclude)], runbookExclude: [...setting(SETTINGS.runbooksExclude)] };
  }

  runbookCount(): number {
    let count = 0;
    for (const { index } of this.indexes.values()) count += index.runbookCount;
    return count;
  }

  /** Runbooks of every folder, optionally only those matching a search query. */
  runbooks(query = ''): LocatedRunbook[] {
    const out: LocatedRunbook[] = [];
    for (const { folder, index, config } of this.indexes.values()) {
      for (const runbook of query ? index.search(query) : index.runbooks()) out.push(new LocatedRunbook(folder, config, runbook));
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
    return entry && runbook ? new LocatedRunbook(entry.folder, entry.config, runbook, uri) : undefined;
  }

  private queue(uri: vscode.Uri, change: PendingChange): void {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const relative = folder && toRelative(folder, uri);
    // git's own files change by the hundred during a checkout and are never indexed.
    if (!folder || relative === undefined || isInSkippedFolder(relative)) return;
    if (relative === REPO_CONFIG_FILE) {
      void this.reindex();
      return;
    }
    if (this.pending.size === 0) this.firstPendingAt = Date.now();
    this.pending.set(uri.toString(), { folder, relative, change });
    if (this.reconcileTimer) this.scheduleReconcile();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    const wait = Math.max(0, Math.min(DEBOUNCE_MS, this.firstPendingAt + MAX_DELAY_MS - Date.now()));
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flushInOrder();
    }, wait);
  }

  /**
   * One batch at a time: a storm outlasts a flush, and two flushes reading the same file at once could
   * finish in the wrong order and leave the older content indexed. Events arriving meanwhile wait in
   * `pending` and become the next (single) batch.
   */
  private flushInOrder(): Promise<void> {
    return this.inOrder(() => this.flush());
  }

  /** Runs `task` after every flush or reconcile queued before it. */
  private inOrder(task: () => Promise<void>): Promise<void> {
    const run = (this.flushing ?? Promise.resolve()).then(task);
    const tracked = run.finally(() => {
      if (this.flushing === tracked) this.flushing = undefined;
    });
    this.flushing = tracked;
    return tracked;
  }

  private async flush(): Promise<void> {
    await this.indexing;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    if (batch.length >= REBUILD_THRESHOLD) {
      this.log.info(`${batch.length} files changed at once: rebuilding the index`);
      await this.reindex();
      this.scheduleReconcile();
      return;
    }
    let changed = false;
    const byFolder = new Map<string, { entry: FolderIndex; deleted: string[]; updated: string[] }>();
    for (const { folder, relative, change } of batch) {
      const entry = this.indexes.get(folder.uri.toString());
      if (!entry) continue;
      let group = byFolder.get(folder.uri.toString());
      if (!group) byFolder.set(folder.uri.toString(), (group = { entry, deleted: [], updated: [] }));
      (change === 'delete' ? group.deleted : group.updated).push(relative);
    }
    for (const { entry, deleted: reported, updated } of byFolder.values()) {
      const { folder, index } = entry;
      // A deletion the watcher reports late — on a loaded machine, after the path came back (a restore,
      // a checkout) — must not drop what is on disk now: a path that exists is re-read instead.
      const present = await Promise.all(reported.map((relative) => this.exists(folder, relative)));
      const deleted = reported.filter((_, i) => !present[i]);
      updated.push(...reported.filter((_, i) => present[i]));
      // Deletions first: a folder deleted and restored in one batch ends with its files re-read.
      const notFiles = new Set<string>();
      for (const relative of deleted) {
        if (index.deleteFile(relative)) changed = true;
        else notFiles.add(relative);
      }
      // A deleted folder can arrive as one event for the folder itself: one pass over the index for all of them.
      if (notFiles.size > 0 && index.deleteUnder(notFiles) > 0) changed = true;
      const toRead = new Set<string>();
      for (const relative of updated) {
        if (index.classifier.classify(relative) !== undefined) toRead.add(relative);
        else if (await this.isDirectory(folder, relative)) {
          // A folder moved in (restored from the trash, `mv` in a terminal) can arrive as one event:
          // what it holds now replaces whatever the index had under it.
          if (index.deleteUnder([relative]) > 0) changed = true;
          for (const file of await this.filesUnder(folder, relative)) toRead.add(file);
        }
      }
      if (toRead.size === 0) continue;
      try {
        await this.reread(entry, [...toRead]);
        changed = true;
      } catch (err) {
        this.log.error(`Could not re-index ${toRead.size} changed files: ${(err as Error).message}`);
      }
    }
    if (!changed) return;
    this.log.debug(`Applied ${batch.length} file changes`);
    await this.announceUpdate();
  }

  /** Reads changed files of a folder into its index. */
  private async reread(entry: FolderIndex, paths: string[]): Promise<void> {
    if (entry.folder.uri.scheme === 'file') {
      // On the workers even for one file: this thread cannot stop a parse that never ends.
      await this.buildOnWorkers(entry, paths, { batchSize: WORKER_UPDATE_BATCH });
    } else {
      // The same bounded-concurrency reader as a build; each file's parse is short and reads yield.
      await entry.index.build(paths, readerFor(entry.folder), { concurrency: 16 });
    }
  }

  /** After an update of the indexes (not a build): the given-up list, the runbook count and the views. */
  private async announceUpdate(): Promise<void> {
    this.forgetGivenUpNotIndexed();
    await vscode.commands.executeCommand('setContext', 'runbookOps.runbookCount', this.runbookCount());
    this.fireChangeThrottled();
  }

  /** (Re)starts the quiet-time wait after which {@link reconcile} runs. */
  private scheduleReconcile(): void {
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    this.reconcileTimer = setTimeout(() => {
      this.reconcileTimer = undefined;
      void this.inOrder(() => this.reconcile());
    }, STORM_RECONCILE_QUIET_MS);
  }

  /**
   * After a storm: lists every folder again and brings the index in line with what is on disk, reading
   * files it lacks and dropping files that are gone. Files present in both are left alone: the rebuild
   * read them, and a change after it has its own event.
   */
  private async reconcile(): Promise<void> {
    await this.indexing;
    let changed = false;
    for (const entry of this.indexes.values()) {
      const { folder, index } = entry;
      let onDisk: Set<string>;
      try {
        onDisk = new Set((await this.candidateFiles(folder)).filter((path) => index.classifier.classify(path) !== undefined));
      } catch (err) {
        this.log.error(`Could not list ${folder.name} after a storm of file changes: ${(err as Error).message}`);
        continue;
      }
      const indexed = new Set([...index.runbooks(), ...index.incidents()].map((e) => e.path));
      const gone = [...indexed].filter((path) => !onDisk.has(path));
      const missing = [...onDisk].filter((path) => !indexed.has(path));
      for (const path of gone) if (index.deleteFile(path)) changed = true;
      if (missing.length > 0) {
        this.log.info(`${folder.name}: ${missing.length} files the file watcher did not report after the storm; reading them`);
        try {
          await this.reread(entry, missing);
          changed = true;
        } catch (err) {
          this.log.error(`Could not read ${missing.length} files after a storm of file changes: ${(err as Error).message}`);
        }
      }
      if (gone.length > 0) this.log.info(`${folder.name}: ${gone.length} indexed files were gone after the storm; dropped`);
    }
    if (changed) await this.announceUpdate();
  }

  /**
   * Tells the views the index changed, after a build or a batch of file events: at most once per
   * MIN_CHANGE_INTERVAL_MS, since each refresh costs the extension host's thread and during a storm
   * flushes can follow each other closely.
   */
  private fireChangeThrottled(): void {
    if (this.changeTimer) return;
    const wait = this.lastChangeFiredAt + MIN_CHANGE_INTERVAL_MS - performance.now();
    if (wait <= 0) this.fireChange();
    else this.changeTimer = setTimeout(() => this.fireChange(), wait);
  }

  /** Tells the views the index changed, now (a file the extension itself just wrote: the user is waiting for it). */
  private fireChange(): void {
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.changeTimer = undefined;
    this.lastChangeFiredAt = performance.now();
    this.changeEmitter.fire();
  }

  private async exists(folder: vscode.WorkspaceFolder, relative: string): Promise<boolean> {
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, ...relative.split('/')));
      return true;
    } catch {
      return false;
    }
  }

  private async isDirectory(folder: vscode.WorkspaceFolder, relative: string): Promise<boolean> {
    try {
      const stat = await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, ...relative.split('/')));
      return (stat.type & vscode.FileType.Directory) !== 0;
    } catch {
      return false;
    }
  }

  /** Every file below `relative` (skipping .git and node_modules), repository-relative. */
  private async filesUnder(folder: vscode.WorkspaceFolder, relative: string): Promise<string[]> {
    const found: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: [string, vscode.FileType][];
      try {
        entries = await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(folder.uri, ...dir.split('/')));
      } catch {
        return;
      }
      for (const [name, type] of entries) {
        const child = `${dir}/${name}`;
        if (type & vscode.FileType.Directory) {
          if (!SKIPPED_FOLDERS.has(name)) await walk(child);
        } else found.push(child);
      }
    };
    await walk(relative);
    return found;
  }

  override dispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    if (this.changeTimer) clearTimeout(this.changeTimer);
    super.dispose();
    void this.workers.dispose();
  }
}

function isInSkippedFolder(relative: string): boolean {
  return relative.split('/').some((part) => SKIPPED_FOLDERS.has(part));
}

function toRelative(folder: vscode.WorkspaceFolder, uri: vscode.Uri): string | undefined {
  // A prefix test, not path.relative: a storm maps thousands of URIs here in one go, and
  // path.posix.relative cost 130 ms of the extension host's thread for 5,000 of them.
  const root = folder.uri.path.endsWith('/') ? folder.uri.path : `${folder.uri.path}/`;
  if (!uri.path.startsWith(root) || uri.path.length === root.length) return undefined;
  const relative = uri.path.slice(root.length);
  return relative.split('/').some((part) => part === '..' || part === '.' || part === '') ? undefined : relative;
}

/** A file's bytes, or undefined when it cannot be read (deleted meanwhile). Reading is not parsing. */
async function readBytes(folder: vscode.WorkspaceFolder, relative: string): Promise<Uint8Array | undefined> {
  try {
    return await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, ...relative.split('/')));
  } catch {
    return undefined;
  }
}

function readerFor(folder: vscode.WorkspaceFolder): FileReader {
  return (relative) => Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, ...relative.split('/'))));
}

/** The version and a hash of the sources (esbuild.mjs): the summary cache's parser version. */
declare const BUILD_FINGERPRINT: string;
