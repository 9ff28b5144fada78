import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepoConfig } from '../core/config/repoConfig';
import { fileStem, type PathClassifier } from '../core/config/paths';
import { IncidentEditError, type IncidentEditOperation } from '../core/incident/incidentEdit';
import { editIncidentChecked } from '../core/incident/incidentEditCheck';
import { writeFileAtomic } from '../fs/atomicWrite';
import { describeLockOwner, withIncidentFileLock } from '../fs/incidentFileLock';
import { listRepositoryFiles } from '../fs/repositoryFiles';
import { realPathInsideRepository } from '../fs/repositoryPath';
import { optionValue, UsageError, type ParsedArgs } from './commandLine';

/**
 * The record `id` names: a file the repository walk lists (which never follows symbolic links), else a
 * record reached through a link — allowed only when the link stays inside the repository.
 */
export async function findRecord(root: string, id: string, classifier: PathClassifier, incidentFolder: string): Promise<string> {
  const records = listRepositoryFiles(root).filter((p) => classifier.classify(p) === 'incident');
  let matches = records.filter((p) => p === id || fileStem(p) === id);
  // `inc-0014` for INC-0014: ids are typed in a hurry, and two records differing only in case would be a mistake anyway.
  if (matches.length === 0) matches = records.filter((p) => p.toLowerCase() === id.toLowerCase() || fileStem(p).toLowerCase() === id.toLowerCase());
  if (matches.length > 1) throw new Error(`More than one record is named ${id}: ${matches.join(', ')}. Pass the path instead.`);
  if (matches.length === 1) return matches[0];
  for (const candidate of [id, join(incidentFolder, `${id}.yaml`), join(incidentFolder, `${id}.yml`)]) {
    if (!existsSync(join(root, candidate))) continue;
    // Throws, naming the link, when it leads out of the repository.
    await realPathInsideRepository(root, candidate);
    if (classifier.classify(candidate.split('\\').join('/')) === 'incident') return candidate.split('\\').join('/');
  }
  throw new Error(`No incident record ${id} under ${root}.`);
}

/** How long `update` and `postmortem` wait for another writer of the same record by default (`--lock-timeout`). */
const DEFAULT_LOCK_TIMEOUT_S = 30;

/** `--lock-timeout <seconds>`, in milliseconds. */
export function lockTimeoutMs(args: ParsedArgs): number {
  const text = optionValue(args, 'lock-timeout');
  if (text === undefined) return DEFAULT_LOCK_TIMEOUT_S * 1000;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--lock-timeout must be a number of seconds, not ${text}.`);
  return seconds * 1000;
}

export interface RecordEditOptions {
  now: Date;
  author: string;
  config: RepoConfig;
  timeoutMs: number;
  /** Who holds the lock, as the lock file names it. */
  holder: string;
  /** Where waiting for another writer is reported. */
  err: (text: string) => void;
  /** How the record is named in messages (the id as typed). */
  label: string;
  /** Runs once the lock is held, before the record is read (a test pauses a writer there). */
  beforeEdit?: () => Promise<void>;
}

/**
 * The CLI's one edit path for a record (`update`, `postmortem`), as the extension's writer does it:
 * read, edit and write under the record's lock, since the extension or another terminal may be updating
 * the same record right now and reading before it writes would drop its change; the edit is checked on
 * exactly the text read under the lock (no new errors) and written atomically.
 */
export async function applyRecordEdit(
  root: string,
  path: string,
  operations: readonly IncidentEditOperation[],
  options: RecordEditOptions,
): Promise<{ refused: string } | { descriptions: string[]; changed: boolean }> {
  // The real file, checked to be inside the repository; the lock and the write use it, so writers
  // reaching the record by different paths still share one lock.
  const file = await realPathInsideRepository(root, path);
  return withIncidentFileLock(file, async () => {
    await options.beforeEdit?.();
    const original = await readFile(file, 'utf8');
    let edit;
    try {
      edit = editIncidentChecked(path, original, operations, options.now, options.author, options.config);
    } catch (error) {
      if (!(error instanceof IncidentEditError)) throw error;
      return { refused: error.message };
    }
    if (edit.changed) {
      // A folder swapped for a link since the check above must not redirect the write.
      if ((await realPathInsideRepository(root, path)) !== file) throw new Error(`${path} moved while it was being updated; nothing was written. Run the command again.`);
      await writeFileAtomic(file, edit.text);
    }
    return { descriptions: edit.descriptions, changed: edit.changed };
  }, {
    timeoutMs: options.timeoutMs,
    holder: options.holder,
    onWait: ({ lockPath, owner, remainingMs }) => options.err(`runbook-ops: ${options.label}: waiting for ${lockPath}, held by ${owner ? describeLockOwner(owner) : 'an unknown writer'}; giving up in ${Math.ceil(remainingMs / 1000)} s (--lock-timeout). If no Runbook Ops writer is running, delete the lock file.`),
  });
}
