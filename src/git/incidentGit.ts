import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { gitEnvironment } from './gitProcess';

/** One commit that touched a file. */
export interface FileCommit {
  hash: string;
  date: string;
  author: string;
  message: string;
}

/**
 * Variables that make git start other programs (editors, pagers, credential helpers). These commands
 * never need one, and simple-git refuses to run with them set (code-server sets EDITOR, for example).
 */
const PROGRAM_VARIABLES = ['EDITOR', 'VISUAL', 'GIT_EDITOR', 'GIT_SEQUENCE_EDITOR', 'GIT_PAGER', 'PAGER', 'GIT_ASKPASS', 'SSH_ASKPASS', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_EXTERNAL_DIFF', 'GIT_PROXY_COMMAND', 'GIT_TEMPLATE_DIR'];

function gitIn(cwd: string, extraEnv: NodeJS.ProcessEnv = {}): SimpleGit {
  const env = gitEnvironment();
  for (const name of PROGRAM_VARIABLES) delete env[name];
  return simpleGit({ baseDir: cwd, timeout: { block: 20_000 } }).env({ ...env, ...extraEnv });
}

/** The repository root containing `dir`, or undefined when it is not inside a git work tree. */
export async function repositoryRoot(dir: string): Promise<string | undefined> {
  try {
    const root = (await gitIn(dir).revparse(['--show-toplevel'])).trim();
    return root || undefined;
  } catch {
    return undefined;
  }
}

/** `git config user.name` as seen from `dir`, or undefined. */
export async function gitUserName(dir: string): Promise<string | undefined> {
  try {
    const name = (await gitIn(dir).raw(['config', 'user.name'])).trim();
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
  const git = gitIn(repoRoot);
  if (options.branch) {
    const branches = await git.branchLocal();
    if (branches.current !== options.branch) {
      if (branches.all.includes(options.branch)) await git.checkout(options.branch);
      else await git.checkoutLocalBranch(options.branch);
    }
  }
  await git.add(['--', relativePath]);
  const entry = /^(\d{6}) ([0-9a-f]+) 0\t/.exec(await git.raw(['ls-files', '--stage', '--', relativePath]));
  if (!entry) throw new Error(`Nothing to commit: ${relativePath} is not in the index.`);
  const [, mode, blob] = entry;
  const head = await git.raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).then((out) => out.trim() || undefined, () => undefined);
  const before = head ? await fileAtCommit(repoRoot, head, relativePath) : undefined;
  const after = await git.raw(['cat-file', 'blob', blob]);
  if (before === after) throw new Error(`Nothing to commit: ${relativePath} has no changes.`);
  const text = message({ before, after });

  const scratch = await mkdtemp(join(tmpdir(), 'runbook-ops-commit-'));
  try {
    const only = gitIn(repoRoot, { GIT_INDEX_FILE: join(scratch, 'index') });
    if (head) await only.raw(['read-tree', head]);
    await only.raw(['update-index', '--add', '--cacheinfo', `${mode},${blob},${relativePath}`]);
    const result = await only.commit(text);
    if (!result.commit) throw new Error(`Nothing to commit: ${relativePath} has no changes.`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return (await git.revparse(['HEAD'])).trim();
}

/** The commits that touched `relativePath`, newest first, following renames. */
export async function fileHistory(repoRoot: string, relativePath: string, maxCount = 200): Promise<FileCommit[]> {
  const log = await gitIn(repoRoot).log({ file: relativePath, maxCount, '--follow': null });
  return log.all.map((c) => ({ hash: c.hash, date: c.date, author: c.author_name, message: c.message }));
}

/** The content of `relativePath` at `commit`, or undefined when the file did not exist there. */
export async function fileAtCommit(repoRoot: string, commit: string, relativePath: string): Promise<string | undefined> {
  try {
    return await gitIn(repoRoot).show([`${commit}:${relativePath}`]);
  } catch {
    return undefined;
  }
}
