import { GitCommandError, NotAGitRepositoryError, runGit, type GitSpawner } from './gitProcess';

/** Files a branch changed relative to where it left another ref, as `check --changed-since` reports them. */
export interface ChangedFiles {
  /** Added, modified or type-changed files (a rename's new path), relative to the folder asked about. */
  changed: string[];
  /** Deleted files (a rename's old path). */
  deleted: string[];
}

/** `--changed-since` could not be answered: unknown ref, no merge base (a shallow clone), … */
export class ChangedFilesError extends Error {
  override name = 'ChangedFilesError';
}

export interface ChangedFilesOptions {
  spawner?: GitSpawner;
  signal?: AbortSignal;
}

/**
 * Files changed between the merge base of `ref` and HEAD, and the working tree (so uncommitted edits
 * count locally; in CI the tree is HEAD), under `dir`, with paths relative to `dir`. One git process.
 */
export async function listChangedFiles(dir: string, ref: string, options: ChangedFilesOptions = {}): Promise<ChangedFiles> {
  if (ref.startsWith('-') || ref.trim() === '') throw new ChangedFilesError(`"${ref}" is not a git ref.`);
  const args = [
    'diff',
    '--name-status',
    // NUL-separated raw paths: spaces and unicode arrive unquoted.
    '-z',
    // A rename is a deletion plus an addition: the new path is checked, the old one is gone.
    '--no-renames',
    // Paths relative to `dir`, and only the files under it.
    '--relative',
    '--no-ext-diff',
    '--no-color',
    '--ignore-submodules',
    '--merge-base',
    ref,
    '--',
  ];
  const result = await runGit(args, { cwd: dir, spawner: options.spawner, signal: options.signal });
  if (result.exitCode !== 0) {
    const said = result.stderr.trim();
    // Outside a repository `git diff` turns into `git diff --no-index` and refuses --merge-base as unknown.
    if (/not a git repository|git diff --no-index/i.test(said)) throw new NotAGitRepositoryError(dir);
    if (/unknown revision|bad revision|ambiguous argument/i.test(said)) {
      throw new ChangedFilesError(`git does not know ${ref} here. Fetch it first (in GitHub Actions: actions/checkout with fetch-depth: 0).`);
    }
    if (/no merge base/i.test(said)) {
      throw new ChangedFilesError(`${ref} and HEAD have no common commit in this clone, so the branch's changes are unknown. A shallow clone cuts the history: fetch it all (fetch-depth: 0).`);
    }
    throw new GitCommandError(args, result.exitCode, result.stderr);
  }
  const fields = result.stdout.split('\0');
  const changed: string[] = [];
  const deleted: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const status = fields[i];
    const path = fields[i + 1];
    if (status === '' || path === undefined) break;
    (status.startsWith('D') ? deleted : changed).push(path);
  }
  return { changed: changed.sort(), deleted: deleted.sort() };
}
