import { reviewState, type ReviewState } from '../core/runbook/reviewState';
import { GitNotFoundError, NotAGitRepositoryError } from '../git/gitProcess';
import { buildLastCommitMap } from '../git/reviewDates';

/** What review state needs of a runbook. */
export interface ReviewedRunbook {
  path: string;
  lastReviewed?: string;
  reviewEvery?: string;
}

export interface RunbookReviews {
  states: Map<string, ReviewState>;
  /** Why some dates are unknown (a shallow clone, not a repository…), for one note; undefined when all are known. */
  unknownReason?: string;
  /** Runbooks without front matter date whose last commit is unknown. */
  unknown: number;
}

/**
 * Review state of each runbook (README, Runbook format): front-matter `last_reviewed`, else the date of the last
 * commit that changed the file, from one `git log` pass (built only when some runbook needs it).
 * Outside a repository, without git, or in a shallow clone the dates are unknown: said, never fatal.
 */
export async function loadRunbookReviews(root: string, runbooks: readonly ReviewedRunbook[], defaultInterval: string, now: Date, options: { git?: boolean } = {}): Promise<RunbookReviews> {
  const states = new Map<string, ReviewState>();
  const needGit = runbooks.filter((r) => r.lastReviewed === undefined);
  let commitDates: Map<string, string> | undefined;
  let unknownReason: string | undefined;
  if (needGit.length > 0 && options.git !== false) {
    try {
      const map = await buildLastCommitMap(root);
      commitDates = new Map([...map].map(([path, entry]) => [path, entry.date]));
      if (map.history === 'shallow') unknownReason = 'this is a shallow clone; fetch the full history (fetch-depth: 0) to see them';
      else if (map.history === 'none') unknownReason = 'the repository has no commit yet';
    } catch (err) {
      if (err instanceof NotAGitRepositoryError) unknownReason = 'the folder is not in a git repository';
      else if (err instanceof GitNotFoundError) unknownReason = 'git is not installed';
      else unknownReason = `git failed: ${(err as Error).message}`;
    }
  }
  let unknown = 0;
  for (const runbook of runbooks) {
    const inputs = { lastReviewed: runbook.lastReviewed, reviewEvery: runbook.reviewEvery, lastCommitDate: commitDates?.get(runbook.path) };
    const state = reviewState(inputs, defaultInterval, now);
    if (state.state === 'unknown' && state.source === 'none') unknown++;
    states.set(runbook.path, state);
  }
  return { states, unknownReason: unknown > 0 ? (unknownReason ?? 'they are not committed yet') : undefined, unknown };
}
