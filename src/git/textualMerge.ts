import { dirname, resolve } from 'node:path';
import { GitCommandError, runGit, type GitSpawner } from './gitProcess';

export interface TextualMergeLabels {
  ours: string;
  base: string;
  theirs: string;
}

/**
 * git's own line-by-line three-way merge (`git merge-file`), for records the semantic merge cannot
 * read. Writes the result, with standard conflict markers, into `current`; returns how many conflicts
 * it left. Works outside any repository.
 */
export async function mergeFileTextually(current: string, base: string, other: string, labels: TextualMergeLabels, options: { markerSize?: number; spawner?: GitSpawner } = {}): Promise<number> {
  const args = ['merge-file', '-L', labels.ours, '-L', labels.base, '-L', labels.theirs];
  if (options.markerSize !== undefined) args.push(`--marker-size=${options.markerSize}`);
  args.push('--', resolve(current), resolve(base), resolve(other));
  const result = await runGit(args, { cwd: dirname(resolve(current)), spawner: options.spawner });
  // merge-file exits with the number of conflicts (capped at 127), or a negative number (255 here) when it failed.
  if (result.exitCode === null || result.exitCode > 127) throw new GitCommandError(args, result.exitCode, result.stderr);
  return result.exitCode;
}
