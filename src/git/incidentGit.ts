import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitCommandError, runGit, type GitRunOptions } from './gitProcess';

/** One commit that touched a file. */
export interface FileCommit {
  hash: string;
  date: string;
  author: string;
  message: string;
}

/** Reads of one record's history answer in well under a second; a stuck one is stopped. */
const READ_TIMEOUT_MS = 20_000;
/** A commit runs the repository's hooks, which may lint or test for a while. */
const COMMIT_TIMEOUT_MS = 120_000;

/** Runs git in `cwd` and returns its output; a non-zero exit throws {@link GitCommandError} with what git said. */
async function gitOutput(cwd: string, args: readonly string[], options: Pick<GitRunOptions, 'env' | 'timeoutMs'> = {}): Promise<string> {
  const result = await runGit(args, { cwd, timeoutMs: READ_TIMEOUT_MS, ...options });
  // A failing hook may explain itself on stdout only.
  if (result.exitCode !== 0) throw new GitCommandError(args, result.exitCode, result.stderr.trim() ? result.stderr : result.stdout);
  return result.stdout;
}

/** Whether git exits 0 (a question such as `rev-parse --verify --quiet`). */
async function gitSucceeds(cwd: string, args: readonly string[]): Promise<boolean> {
  return (await runGit(args, { cwd, timeoutMs: READ_TIMEOUT_MS })).exitCode === 0;
}

/** The repository root containing `dir`, or undefined when it is not inside a git work tree. */
export async function repositoryRoot(dir: string): Promise<string | undefined> {
  try {
    const root = (await gitOutput(dir, ['rev-parse', '--show-toplevel'])).trim();
    return root || undefined;
  } catch {
    return undefined;
  }
}

/** `git config user.name` as seen from `dir`, or undefined. */
export async function gitUserName(dir: string): Promise<string | undefined> {
  try {
    const name = (await gitOutput(dir, ['config', 'user.name'])).trim();
    return name || undefined;
  } catch {
    return undefined;
  }
}

export interface CommitFileOptions {
  /** Create (or switch to) this branch before committing. */
  branch?: string;
}

/** The two versions of the file a commit is made of. */
export interface StagedFile {
  /** The file at HEAD; undefined when HEAD does not have it (or there is no commit yet). */
  before: string | undefined;
  /** The file as staged and committed. */
  after: string;
}

/**
 * Stages exactly `relativePath` and commits it alone (other staged changes stay staged but are not
 * committed), with the message `message` makes from what is staged. Returns the new commit's hash.
 *
 * The commit is made from a temporary index (HEAD plus the staged blob, as `git commit --only` does), so
 * it holds exactly the bytes the message was made from, even when the file changes again meanwhile
 * (a step finishing on the active incident); hooks run as for any commit.
 */
export async function commitFile(repoRoot: string, relativePath: string, message: (staged: StagedFile) => string, options: CommitFileOptions = {}): Promise<string> {
  if (options.branch) {
    const current = (await gitOutput(repoRoot, ['branch', '--show-current'])).trim();
    if (current !== options.branch) {
      const exists = await gitSucceeds(repoRoot, ['rev-parse', '--verify', '--quiet', `refs/heads/${options.branch}`]);
      await gitOutput(repoRoot, exists ? ['checkout', options.branch, '--'] : ['checkout', '-b', options.branch, '--']);
    }
  }
  await gitOutput(repoRoot, ['add', '--', relativePath]);
  const entry = /^(\d{6}) ([0-9a-f]+) 0\t/.exec(await gitOutput(repoRoot, ['ls-files', '--stage', '--', relativePath]));
  if (!entry) throw new Error(`Nothing to commit: ${relativePath} is not in the index.`);
  const [, mode, blob] = entry;
  const head = await gitOutput(repoRoot, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).then((out) => out.trim() || undefined, () => undefined);
  const before = head ? await fileAtCommit(repoRoot, head, relativePath) : undefined;
  const after = await gitOutput(repoRoot, ['cat-file', 'blob', blob]);
  if (before === after) throw new Error(`Nothing to commit: ${relativePath} has no changes.`);
  const text = message({ before, after });

  const scratch = await mkdtemp(join(tmpdir(), 'runbook-ops-commit-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    if (head) await gitOutput(repoRoot, ['read-tree', head], { env });
    await gitOutput(repoRoot, ['update-index', '--add', '--cacheinfo', `${mode},${blob},${relativePath}`], { env });
    await gitOutput(repoRoot, ['commit', '--message', text], { env, timeoutMs: COMMIT_TIMEOUT_MS });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return (await gitOutput(repoRoot, ['rev-parse', 'HEAD'])).trim();
}

/** The commits that touched `relativePath`, newest first, following renames. */
export async function fileHistory(repoRoot: string, relativePath: string, maxCount = 200): Promise<FileCommit[]> {
  // Fields end with a unit separator and commits with a record separator: neither occurs in a subject line.
  const log = await gitOutput(repoRoot, ['log', '--follow', `--max-count=${maxCount}`, '--format=%H%x1f%aI%x1f%aN%x1f%s%x1e', '--', relativePath]);
  return log.split('\x1e').map((record) => record.trim()).filter(Boolean).map((record) => {
    const [hash, date, author, message] = record.split('\x1f');
    return { hash, date, author, message };
  });
}

/** The content of `relativePath` at `commit`, or undefined when the file did not exist there. */
export async function fileAtCommit(repoRoot: string, commit: string, relativePath: string): Promise<string | undefined> {
  try {
    return await gitOutput(repoRoot, ['show', `${commit}:${relativePath}`]);
  } catch {
    return undefined;
  }
}
