import * as vscode from 'vscode';
import { parseReviewInterval, reviewState, type ReviewState } from '../core/runbook/reviewState';
import { GitNotFoundError, NotAGitRepositoryError } from '../git/gitProcess';
import { buildLastCommitMap, updateLastCommitMap, type LastCommit, type LastCommitMap } from '../git/reviewDates';
import { findWorkTreeRoot } from '../git/workTree';
import type { LocatedRunbook } from './runbookIndexService';
import { Disposable } from './dispose';

/** A runbook's review state plus what the user needs to act on it. */
export interface RunbookReview extends ReviewState {
  /** The interval the due date was computed with (`review_every`, else the repository default). */
  interval: string;
  /** The newest commit that changed the file, when the git history is known. */
  lastCommit?: LastCommit;
  /** Why there is no date from git, when the state needed one and has none. */
  gitUnavailable?: string;
}

/** What is known of one workspace folder's history. */
interface FolderHistory {
  folder: vscode.WorkspaceFolder;
  map?: LastCommitMap;
  /** Why `map` is missing (not a repository, no git, a failure). */
  unavailable?: string;
  /** Build and updates run one after another, never two git logs at once for a folder. */
  queue: Promise<void>;
}

/** Quiet time after a change under `.git` before the history is read again (a commit touches several files). */
const GIT_CHANGE_DEBOUNCE_MS = 300;

/**
 * Dates of the last commit of every runbook, for review state when front matter has no `last_reviewed`
 * (README, Runbook format). One `git log` per workspace folder builds the map, then only new commits are read, on
 * changes of `.git/HEAD` and its reflog and when the window regains focus. git runs only in a trusted
 * workspace: it can start programs the repository configures.
 */
export class ReviewDateService extends Disposable {
  private readonly histories = new Map<string, FolderHistory>();
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  private readonly folderWatchers = new Map<string, vscode.Disposable>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private midnightTimer: ReturnType<typeof setTimeout> | undefined;

  /** Fires when some runbook's last-commit date may have changed, and at local midnight (reviews fall due by the day). */
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();}

  /** Reads the histories (when trusted) and starts following new commits; resolves when the first read is done. */
  start(): Promise<void> {
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.refresh()));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.refresh()));
    // A commit made in a terminal outside VS Code, or a worktree whose .git is a file, is noticed on return.
    this.register(vscode.window.onDidChangeWindowState((state) => {
      if (state.focused) this.scheduleRefresh();
    }));
    this.scheduleMidnight();
    return this.refresh();
  }

  /** A window left open overnight shows the next day's review states without waiting for an edit. */
  private scheduleMidnight(): void {
    const now = new Date();
    // A second past midnight, so the new day has begun whatever the timer's drift.
    const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 0, 0, 1);
    this.midnightTimer = setTimeout(() => {
      this.changeEmitter.fire();
      this.scheduleMidnight();
    }, next.getTime() - now.getTime());
  }

  /** Builds missing histories and brings the others up to date with new commits. */
  async refresh(): Promise<void> {
    if (!vscode.workspace.isTrusted) return;
    const folders = vscode.workspace.workspaceFolders ?? [];
    const keys = new Set(folders.map((f) => f.uri.toString()));
    for (const key of [...this.histories.keys()]) {
      if (!keys.has(key)) {
        this.histories.delete(key);
        this.folderWatchers.get(key)?.dispose();
        this.folderWatchers.delete(key);
      }
    }
    await Promise.all(folders.map((folder) => this.refreshFolder(folder)));
  }

  private refreshFolder(folder: vscode.WorkspaceFolder): Promise<void> {
    const key = folder.uri.toString();
    let history = this.histories.get(key);
    if (!history) {
      history = { folder, queue: Promise.resolve() };
      this.histories.set(key, history);
      this.watchGitDirectory(folder);
    }
    const entry = history;
    entry.queue = entry.queue.then(() => this.readHistory(entry));
    return entry.queue;
  }

  private async readHistory(history: FolderHistory): Promise<void> {
    const root = history.folder.uri.fsPath;
    const started = performance.now();
    try {
      if (!history.map) {
        history.map = await buildLastCommitMap(root);
        history.unavailable = undefined;
        this.log.info(`Review dates: last commits of ${history.map.size} files in ${history.folder.name} from one git log in ${Math.round(performance.now() - started)} ms`);
        this.changeEmitter.fire();
        return;
      }
      const update = await updateLastCommitMap(history.map, root);
      if (update.changed.length === 0 && !update.rebuilt) return;
      this.log.info(`Review dates: ${update.rebuilt ? 'history rewritten, rebuilt' : 'updated'} ${update.changed.length} files in ${Math.round(performance.now() - started)} ms`);
      this.changeEmitter.fire();
    } catch (err) {
      history.map = undefined;
      history.unavailable = err instanceof NotAGitRepositoryError
        ? vscode.l10n.t('the folder is not in a git repository')
        : err instanceof GitNotFoundError
          ? vscode.l10n.t('git is not installed')
          : vscode.l10n.t('git failed: {0}', (err as Error).message);
      this.log.warn(`Review dates from git are unavailable for ${history.folder.name}: ${(err as Error).message}`);
      this.changeEmitter.fire();
    }
  }

  /** Commits, checkouts, resets and pulls all move HEAD and append to its reflog. */
  private watchGitDirectory(folder: vscode.WorkspaceFolder): void {
    const root = findWorkTreeRoot(folder.uri.fsPath);
    if (!root) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), '.git/{HEAD,logs/HEAD}'));
    const changed = (): void => this.scheduleRefresh();
    const subscriptions = vscode.Disposable.from(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed));
    this.folderWatchers.set(folder.uri.toString(), subscriptions);
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh();
    }, GIT_CHANGE_DEBOUNCE_MS);
  }

  /** Review state of an indexed runbook today: front matter first, else its last commit. */
  review(entry: LocatedRunbook, now = new Date()): RunbookReview {
    const { runbook } = entry;
    const defaultInterval = entry.config.reviewInterval;
    const interval = runbook.reviewEvery !== undefined && parseReviewInterval(runbook.reviewEvery) ? runbook.reviewEvery : defaultInterval;
    const history = this.histories.get(entry.folder.uri.toString());
    const lastCommit = history?.map?.get(runbook.path);
    const state = reviewState({ lastReviewed: runbook.lastReviewed, reviewEvery: runbook.reviewEvery, lastCommitDate: lastCommit?.date }, defaultInterval, now);
    const review: RunbookReview = { ...state, interval };
    if (lastCommit) review.lastCommit = lastCommit;
    if (state.source === 'none') review.gitUnavailable = this.whyNoDate(history, runbook.path);
    return review;
  }

  private whyNoDate(history: FolderHistory | undefined, path: string): string {
    if (!vscode.workspace.isTrusted) return vscode.l10n.t('dates from git need a trusted workspace');
    if (!history) return vscode.l10n.t('the git history is still being read');
    if (history.unavailable) return history.unavailable;
    if (!history.map) return vscode.l10n.t('the git history is still being read');
    if (history.map.unknownDates.has(path)) return vscode.l10n.t('this is a shallow clone and the file was last changed before its first commit');
    if (history.map.history === 'none') return vscode.l10n.t('the repository has no commit yet');
    return vscode.l10n.t('the file is not committed yet');
  }

  override dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    if (this.midnightTimer) clearTimeout(this.midnightTimer);
    for (const d of this.folderWatchers.values()) d.dispose();
    super.dispose();
  }
}

/** Short text for a list: empty when nothing needs attention. */
export function reviewBadge(review: RunbookReview): string | undefined {
  const days = review.daysUntilDue ?? 0;
  switch (review.state) {
    case 'overdue':
      return -days === 1 ? vscode.l10n.t('review overdue by 1 day') : vscode.l10n.t('review overdue by {0} days', -days);
    case 'due-soon':
      return days === 0 ? vscode.l10n.t('review due today') : days === 1 ? vscode.l10n.t('review due tomorrow') : vscode.l10n.t('review due in {0} days', days);
    default:
      return undefined;
  }
}

/** The first sentence of a review explanation: the state, the dates. */
export function reviewHeadline(review: RunbookReview): string {
  const days = review.daysUntilDue ?? 0;
  switch (review.state) {
    case 'overdue':
      return -days === 1
        ? vscode.l10n.t('Review overdue by 1 day: last reviewed on {0}, due on {1}.', review.reviewedOn ?? '?', review.dueOn ?? '?')
        : vscode.l10n.t('Review overdue by {0} days: last reviewed on {1}, due on {2}.', -days, review.reviewedOn ?? '?', review.dueOn ?? '?');
    case 'due-soon':
      return vscode.l10n.t('Review due soon: last reviewed on {0}, due on {1} (in {2} days).', review.reviewedOn ?? '?', review.dueOn ?? '?', days);
    case 'ok':
      return vscode.l10n.t('Review up to date: last reviewed on {0}, next due on {1} (in {2} days).', review.reviewedOn ?? '?', review.dueOn ?? '?', days);
    default:
      return review.reviewedOn
        ? vscode.l10n.t('Review state unknown: last reviewed on {0}, but “{1}” is not a review interval (use 90d, 12w, 6m or 1y).', review.reviewedOn, review.interval)
        : vscode.l10n.t('Review date unknown: no `last_reviewed` in the front matter, and {0}.', review.gitUnavailable ?? vscode.l10n.t('no commit date'));
  }
}

/** Where the date came from and who last touched the file: answers "says who?". */
export function reviewSource(review: RunbookReview): string | undefined {
  const commit = review.lastCommit;
  if (review.source === 'git' && commit) {
    return vscode.l10n.t('No `last_reviewed` in the front matter, so this is the last commit that changed the file: {0} by {1}. Reviewed every {2}.', commit.hash.slice(0, 7), commit.author, review.interval);
  }
  if (review.source === 'front-matter') {
    const base = vscode.l10n.t('From `last_reviewed` in the front matter; reviewed every {0}.', review.interval);
    return commit ? `${base} ${vscode.l10n.t('The file was last changed by {0} on {1} ({2}).', commit.author, commit.date.slice(0, 10), commit.hash.slice(0, 7))}` : base;
  }
  return undefined;
}
