import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GitCommandError, NotAGitRepositoryError, runGit, type GitSpawner } from './gitProcess';

/** The newest commit that changed a file. */
export interface LastCommit {
  readonly hash: string;
  /** Committer date, strict ISO 8601 with the committer's UTC offset (`git log --format=%cI`). */
  readonly date: string;
  /** Author name as `.mailmap` spells it. */
  readonly author: string;
}

/** `full`: every date is known; `shallow`: a shallow clone, some dates unknown; `none`: no commit yet. */
export type HistoryCoverage = 'full' | 'shallow' | 'none';

/**
 * Path → newest commit that changed it, for every file in the history under the root. Paths are
 * relative to the root the map was built for, with `/` separators, as git spells them (no quoting).
 * Deletions are not changes here: a file deleted since keeps its last change before the deletion, so
 * look up paths that exist.
 */
export class LastCommitMap extends Map<string, LastCommit> {
  /** The commit the map describes; what `updateLastCommitMap` continues from. */
  head: string | undefined = undefined;
  history: HistoryCoverage = 'none';
  /** Shallow clones only: files whose last change lies beyond the cut-off, so no date is known for them. */
  readonly unknownDates = new Set<string>();
  /** A shallow clone's cut-off commits, to notice a later `git fetch --deepen/--unshallow`. */
  shallowCommits: readonly string[] = [];
}

export interface ReviewDatesOptions {
  /** Starts the git processes; defaults to the `git` on PATH. */
  spawner?: GitSpawner;
  signal?: AbortSignal;
}

export interface LastCommitUpdate {
  /** Paths whose entry was added, changed or became unknown. */
  changed: string[];
  /** The history was rewritten (reset, rebase, checkout, deepen), so the map was rebuilt from scratch. */
  rebuilt: boolean;
}

/** Marks the start of each commit header in the log output; cannot start a name-status field. */
const HEADER_MARK = '\x01';
/** SHA-1 or SHA-256 object names. */
const FULL_HASH = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const LOG_FORMAT = `${HEADER_MARK}%H%x00%P%x00%cI%x00%aN`;

function logArgs(revisions: readonly string[]): string[] {
  return [
    'log',
    `--format=${LOG_FORMAT}`,
    '--name-status',
    // NUL-terminated raw paths: spaces, quotes, newlines and non-ASCII arrive unquoted whatever core.quotePath says.
    '-z',
    // A rename is then a deletion plus an addition, like `git log -- <new path>` sees it (and no rename detection cost).
    '--no-renames',
    // Merges list the files that differ from every parent: the same rule by which `git log -- <file>` keeps a merge.
    '-c',
    '--root',
    '--encoding=UTF-8',
    // Settings that would change the output's shape.
    '--no-color',
    '--no-show-signature',
    '--no-relative',
    '--no-ext-diff',
    // An update's base commit may be gone (gc after a force push): then it is never seen as a parent and the map is rebuilt.
    '--ignore-missing',
    '--end-of-options',
    ...revisions,
  ];
}

interface LoggedCommit {
  hash: string;
  parents: string[];
  entry: LastCommit;
}

type ParserState = 'hash' | 'parents' | 'date' | 'author' | 'afterHeader' | 'status' | 'path' | 'renameSource';

/**
 * Reads `git log -z --name-status` output as it streams in. With -z every field ends in NUL; a non-merge
 * commit's first status carries a leading newline and a merge's file list starts after an empty field.
 */
class CommitLogParser {
  private state: ParserState = 'hash';
  private hash = '';
  private parents: string[] = [];
  private date = '';
  private commit: LoggedCommit | undefined;
  private status = '';
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    private readonly onCommit: (commit: LoggedCommit) => void,
    private readonly onFile: (commit: LoggedCommit, status: string, path: string) => void,
  ) {}

  push(chunk: Buffer): void {
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(0, start); end !== -1; end = data.indexOf(0, start)) {
      this.field(data.toString('utf8', start, end));
      start = end + 1;
    }
    this.pending = data.subarray(start);
  }

  end(): void {
    const rest = this.pending.toString('utf8');
    this.pending = Buffer.alloc(0);
    if (rest.trim() !== '') this.field(rest);
    if (this.state !== 'hash' && this.state !== 'afterHeader' && this.state !== 'status') {
      throw new Error('git log output ended in the middle of a commit.');
    }
  }

  private field(text: string): void {
    switch (this.state) {
      case 'hash':
        if (!text.startsWith(HEADER_MARK)) throw new Error(`Unexpected git log output: ${JSON.stringify(text.slice(0, 80))}`);
        this.hash = text.slice(1);
        this.state = 'parents';
        return;
      case 'parents':
        this.parents = text === '' ? [] : text.split(' ');
        this.state = 'date';
        return;
      case 'date':
        this.date = text;
        this.state = 'author';
        return;
      case 'author':
        // One frozen entry per commit, shared by all its files: an initial commit may add 20,000 of them.
        this.commit = { hash: this.hash, parents: this.parents, entry: Object.freeze({ hash: this.hash, date: this.date, author: text }) };
        this.onCommit(this.commit);
        this.state = 'afterHeader';
        return;
      case 'afterHeader':
        if (text === '') this.state = 'status';
        else if (text.startsWith('\n')) this.readStatus(text.slice(1));
        else this.startCommit(text);
        return;
      case 'status':
        if (text === '') return;
        if (text.startsWith(HEADER_MARK)) this.startCommit(text);
        else this.readStatus(text);
        return;
      case 'renameSource':
        this.state = 'path';
        return;
      case 'path':
        this.onFile(this.commit!, this.status, text);
        this.state = 'status';
        return;
    }
  }

  private startCommit(text: string): void {
    this.state = 'hash';
    this.field(text);
  }

  private readStatus(status: string): void {
    this.status = status;
    // Renames and copies (should a config force them on) carry the source path first.
    this.state = /^[RC]\d*$/.test(status) ? 'renameSource' : 'path';
  }
}

/** Every status letter is D (a combined diff has one letter per parent). */
function isDeletion(status: string): boolean {
  return /^D+$/.test(status);
}

interface RepositoryState {
  head: string | undefined;
  /** The root's folder inside the repository, `a/b/` or ''. */
  prefix: string;
  shallowCommits: string[];
}

/** One `git rev-parse` for everything the log needs to know up front: HEAD, where the root sits, shallowness. */
async function readRepositoryState(repoRoot: string, options: ReviewDatesOptions): Promise<RepositoryState> {
  const args = ['rev-parse', '--is-shallow-repository', '--git-path', 'shallow', '--show-prefix', '--verify', '-q', 'HEAD'];
  const result = await runGit(args, { cwd: repoRoot, spawner: options.spawner, signal: options.signal });
  if (result.exitCode === 128 && /not a git repository/i.test(result.stderr)) throw new NotAGitRepositoryError(repoRoot);
  const lines = result.stdout.split('\n');
  // Exit 1 with no HEAD line: the repository has no commit yet.
  if ((result.exitCode !== 0 && result.exitCode !== 1) || lines.length < 3) throw new GitCommandError(args, result.exitCode, result.stderr);
  const head = result.exitCode === 0 && FULL_HASH.test(lines[3] ?? '') ? lines[3] : undefined;
  let shallowCommits: string[] = [];
  if (lines[0] === 'true') {
    const text = await readFile(resolve(repoRoot, lines[1]), 'utf8').catch(() => '');
    shallowCommits = text.split('\n').filter((line) => FULL_HASH.test(line)).sort();
  }
  return { head, prefix: lines[2], shallowCommits };
}

/** The path relative to the root, or undefined when it lies outside the root's folder. */
function relativeToRoot(path: string, prefix: string): string | undefined {
  if (prefix === '') return path;
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

async function buildFromState(repoRoot: string, state: RepositoryState, options: ReviewDatesOptions): Promise<LastCommitMap> {
  const map = new LastCommitMap();
  map.head = state.head;
  map.shallowCommits = state.shallowCommits;
  map.history = state.head === undefined ? 'none' : state.shallowCommits.length > 0 ? 'shallow' : 'full';
  if (state.head === undefined) return map;
  const cutOff = new Set(state.shallowCommits);
  // git walks newest first, so the first change seen for a path is its last one (what `git log -1 -- <path>` shows).
  const parser = new CommitLogParser(
    () => undefined,
    (commit, status, gitPath) => {
      if (isDeletion(status)) return;
      const path = relativeToRoot(gitPath, state.prefix);
      if (path === undefined || map.has(path) || map.unknownDates.has(path)) return;
      // A cut-off commit has no parents here, so it seems to add every file it holds: dates unknown.
      if (cutOff.has(commit.hash)) map.unknownDates.add(path);
      else map.set(path, commit.entry);
    },
  );
  await runLog(repoRoot, [state.head], parser, options);
  return map;
}

async function runLog(repoRoot: string, revisions: readonly string[], parser: CommitLogParser, options: ReviewDatesOptions): Promise<void> {
  const args = logArgs(revisions);
  const result = await runGit(args, { cwd: repoRoot, spawner: options.spawner, signal: options.signal, onStdout: (chunk) => parser.push(chunk) });
  if (result.exitCode !== 0) throw new GitCommandError(args, result.exitCode, result.stderr);
  parser.end();
}

/**
 * Path → last commit for every file under `repoRoot` (a repository or a folder inside one), from one
 * `git log` process over the whole history plus one `git rev-parse`. A shallow clone does not fail: the
 * map's `history` says `shallow` and files last changed before the cut-off are in `unknownDates`.
 * Throws NotAGitRepositoryError outside a repository and GitNotFoundError without git.
 */
export async function buildLastCommitMap(repoRoot: string, options: ReviewDatesOptions = {}): Promise<LastCommitMap> {
  return buildFromState(repoRoot, await readRepositoryState(repoRoot, options), options);
}

/**
 * Brings `map` up to date with the commits made since `sinceHash` (by default the head it was built
 * for), reading only `sinceHash..HEAD`. When that is not a continuation of the history the map was built
 * from (reset, rebase, branch switch, deepened shallow clone), the map is rebuilt in place.
 */
export async function updateLastCommitMap(
  map: LastCommitMap,
  repoRoot: string,
  sinceHash: string | undefined = map.head,
  options: ReviewDatesOptions = {},
): Promise<LastCommitUpdate> {
  const state = await readRepositoryState(repoRoot, options);
  const sameCutOff = state.shallowCommits.join('\n') === map.shallowCommits.join('\n');
  if (state.head === sinceHash && sameCutOff) {
    map.head = state.head;
    return { changed: [], rebuilt: false };
  }
  // Only a full hash can be recognised among the parents below; anything else gets a full rebuild.
  if (state.head === undefined || sinceHash === undefined || !FULL_HASH.test(sinceHash) || !sameCutOff) {
    return rebuildInPlace(map, repoRoot, state, options);
  }

  const parentsSeen = new Set<string>();
  const latest = new Map<string, LastCommit>();
  const parser = new CommitLogParser(
    (commit) => {
      for (const parent of commit.parents) parentsSeen.add(parent);
    },
    (commit, status, gitPath) => {
      if (isDeletion(status)) return;
      const path = relativeToRoot(gitPath, state.prefix);
      if (path !== undefined && !latest.has(path)) latest.set(path, commit.entry);
    },
  );
  await runLog(repoRoot, [state.head, `^${sinceHash}`], parser, options);
  // sinceHash is an ancestor of HEAD exactly when it is the parent of a commit in sinceHash..HEAD.
  if (!parentsSeen.has(sinceHash)) return rebuildInPlace(map, repoRoot, state, options);

  const changed: string[] = [];
  for (const [path, entry] of latest) {
    const existing = map.get(path);
    // A side branch merged now may bring older commits; the newer change still wins, as in a full walk.
    if (existing && Date.parse(existing.date) > Date.parse(entry.date)) continue;
    if (existing?.hash === entry.hash) continue;
    map.set(path, entry);
    map.unknownDates.delete(path);
    changed.push(path);
  }
  map.head = state.head;
  return { changed: changed.sort(), rebuilt: false };
}

async function rebuildInPlace(map: LastCommitMap, repoRoot: string, state: RepositoryState, options: ReviewDatesOptions): Promise<LastCommitUpdate> {
  const fresh = await buildFromState(repoRoot, state, options);
  const changed = new Set<string>();
  for (const [path, entry] of fresh) if (map.get(path)?.hash !== entry.hash) changed.add(path);
  for (const path of map.keys()) if (!fresh.has(path)) changed.add(path);
  for (const path of fresh.unknownDates) if (!map.unknownDates.has(path)) changed.add(path);
  map.clear();
  for (const [path, entry] of fresh) map.set(path, entry);
  map.unknownDates.clear();
  for (const path of fresh.unknownDates) map.unknownDates.add(path);
  map.head = fresh.head;
  map.history = fresh.history;
  map.shallowCommits = fresh.shallowCommits;
  return { changed: [...changed].sort(), rebuilt: true };
}
