import { GitCommandError, NotAGitRepositoryError, runGit, type GitSpawner } from './gitProcess';

/**
 * The git blob id of every tracked regular file under `dir` whose working-tree copy is what the index
 * holds, by path relative to `dir`: a content address that needs no read of the file. Two git processes
 * (`ls-files -s` for the ids, `diff-files` for the files changed since they were staged), run together.
 * Files `diff-files` names (edited, deleted, or only touched: git compares stat data first) are left
 * out, as are symlinks, submodules and unmerged paths, so a path in the map is never stale; a path not
 * in it is only read as it would be without the map.
 */
export async function cleanTrackedBlobs(dir: string, options: { spawner?: GitSpawner } = {}): Promise<Map<string, string>> {
  const listArgs = ['ls-files', '--stage', '-z', '--'];
  // --relative: paths under `dir`, relative to it, as ls-files gives them.
  const dirtyArgs = ['diff-files', '--name-only', '-z', '--relative', '--ignore-submodules', '--'];
  const [listed, dirty] = await Promise.all([runGit(listArgs, { cwd: dir, spawner: options.spawner }), runGit(dirtyArgs, { cwd: dir, spawner: options.spawner })]);
  for (const [args, result] of [[listArgs, listed], [dirtyArgs, dirty]] as const) {
    if (result.exitCode === 0) continue;
    if (/not a git repository/i.test(result.stderr)) throw new NotAGitRepositoryError(dir);
    throw new GitCommandError(args, result.exitCode, result.stderr);
  }
  const changed = new Set(dirty.stdout.split('\0'));
  const blobs = new Map<string, string>();
  const unmerged = new Set<string>();
  for (const record of listed.stdout.split('\0')) {
    // `<mode> <blob> <stage>\t<path>`
    const tab = record.indexOf('\t');
    if (tab < 0) continue;
    const [mode, blob, stage] = record.slice(0, tab).split(' ');
    const path = record.slice(tab + 1);
    if (stage !== '0') unmerged.add(path);
    else if ((mode === '100644' || mode === '100755') && !changed.has(path)) blobs.set(path, blob);
  }
  for (const path of unmerged) blobs.delete(path);
  return blobs;
}
