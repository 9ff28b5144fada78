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

function gitIn(cwd: string): SimpleGit {
  const env = gitEnvironment();
  for (const name of PROGRAM_VARIABLES) delete env[name];
  return simpleGit({ baseDir: cwd, timeout: { block: 20_000 } }).env(env);
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

/**
 * Stages exactly `relativePath` and commits it alone (other staged changes stay staged but are not
 * committed). Returns the new commit's hash.
 */
export async function commitFile(repoRoot: string, relativePath: string, message: string, options: CommitFileOptions = {}): Promise<string> {
  const git = gitIn(repoRoot);
  if (options.branch) {
    const branches = await git.branchLocal();
    if (branches.current !== options.branch) {
      if (branches.all.includes(options.branch)) await git.checkout(options.branch);
      else await git.checkoutLocalBranch(options.branch);
    }
  }
  await git.add(['--', relativePath]);
  const result = await git.commit(message, [relativePath]);
  if (!result.commit) throw new Error(`Nothing to commit: ${relativePath} has no changes.`);
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
