/**
 * `check --changed-since`'s cache of cross-file facts (issue 17, item 4): what the cross-file rules read
 * of a file that is not reported, which is an incident record's id, services and `duplicate_of` and a
 * runbook's owner and services. Reading these from thousands of unchanged files was nearly all of a
 * `--changed-since` run, so they are kept by content: each entry is keyed by the file's git blob id
 * (trackedBlobs.ts), taken only for tracked files whose working copy is what git holds. A key made from
 * the content is never stale, holds across renames and clones, and needs no read of the file.
 *
 * The facts are the ones a fresh read makes (`checkIncidentFile` unreported, the runbook's front matter),
 * stored as those functions return them, under a key that includes the parser version. The file is framed
 * like every cache file (cacheFile.ts); one that does not check out is an empty cache. Each run keeps the
 * entries of the files it looked at and drops the rest, so the file follows the tree instead of growing.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { IncidentCheckFacts } from '../core/incident/incidentCheck';
import type { IncidentIdLocation } from '../core/incident/incidentValidation';
import type { OwnershipMetadata } from '../core/check/codeowners';
import { cliCacheFolder, readCacheBody, writeCacheFile, type CacheFrame, type CacheLoadOutcome } from './cacheFile';

/** Bumped whenever the meaning of an entry changes. */
const FORMAT = 1;
const MAGIC = 'runbook-ops check facts cache';
export const CHECK_FACTS_FILE_NAME = 'check-facts';

/** What the cross-file rules read of a record that is not reported. */
export type IncidentCrossFileFacts = Pick<IncidentCheckFacts, 'id' | 'services' | 'duplicateOf'>;

/** `[id, line, column, endColumn]` or null, services, duplicate_of (absent: null). */
type IncidentRow = [[string, number, number, number] | null, unknown, unknown];
/** owner (absent: null), services. */
type RunbookRow = [string | null, string[]];

interface Body {
  incidents: Record<string, IncidentRow>;
  runbooks: Record<string, RunbookRow>;
}

/** The CLI's facts cache for a repository at `root`: beside the summary cache (`.git/runbook-ops/check-facts`). */
export function defaultCheckFactsFile(root: string): string {
  return join(cliCacheFolder(root), CHECK_FACTS_FILE_NAME);
}

/** The version key: facts made by another parser are never used. */
export function checkFactsKey(parserVersion: string): string {
  return createHash('sha256').update(JSON.stringify({ format: FORMAT, parserVersion })).digest('hex');
}

/** Plain JSON only: anything else (a date read from YAML, say) is not stored, so it is always read fresh. */
function jsonSafe(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(jsonSafe);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value as object).every(jsonSafe);
  return false;
}

/** One run's use of the facts cache: look facts up by path, store what was read, then {@link save}. */
export class CheckFactsCache {
  private readonly kept: Body = { incidents: {}, runbooks: {} };
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly frame: CacheFrame,
    private readonly blobs: ReadonlyMap<string, string>,
    private readonly loaded: Body,
    readonly outcome: CacheLoadOutcome,
  ) {}

  /** Reads the cache at `file`; `blobs` are the clean tracked files' blob ids (trackedBlobs.ts). */
  static async open(file: string, key: string, blobs: ReadonlyMap<string, string>): Promise<CheckFactsCache> {
    const frame = { magic: MAGIC, format: FORMAT, key };
    const read = await readCacheBody(file, frame);
    let loaded: Body = { incidents: {}, runbooks: {} };
    let outcome = read.outcome;
    if (read.body) {
      try {
        const parsed = JSON.parse(read.body.toString('utf8')) as Partial<Body>;
        if (typeof parsed.incidents !== 'object' || typeof parsed.runbooks !== 'object' || !parsed.incidents || !parsed.runbooks) throw new Error('not a facts body');
        loaded = { incidents: parsed.incidents, runbooks: parsed.runbooks };
      } catch {
        outcome = 'corrupt';
      }
    }
    return new CheckFactsCache(file, frame, blobs, loaded, outcome);
  }

  /** The stored facts of the record at `path`, when its content has some. */
  incident(path: string): IncidentCrossFileFacts | undefined {
    const blob = this.blobs.get(path);
    const row = blob === undefined ? undefined : Object.hasOwn(this.loaded.incidents, blob) ? this.loaded.incidents[blob] : undefined;
    if (!row || !Array.isArray(row) || row.length !== 3) return undefined;
    this.kept.incidents[blob!] = row;
    const [id, services, duplicateOf] = row;
    const facts: IncidentCrossFileFacts = {};
    if (Array.isArray(id)) facts.id = { value: id[0], line: id[1], column: id[2], endColumn: id[3] } satisfies IncidentIdLocation;
    if (services !== null) facts.services = services;
    if (duplicateOf !== null) facts.duplicateOf = duplicateOf;
    return facts;
  }

  /** Keeps what a fresh read of the record at `path` found (only for a clean tracked file). */
  storeIncident(path: string, facts: IncidentCrossFileFacts): void {
    const blob = this.blobs.get(path);
    if (blob === undefined || !jsonSafe(facts.services ?? null) || !jsonSafe(facts.duplicateOf ?? null)) return;
    const id = facts.id ? ([facts.id.value, facts.id.line, facts.id.column, facts.id.endColumn] as [string, number, number, number]) : null;
    this.kept.incidents[blob] = [id, facts.services ?? null, facts.duplicateOf ?? null];
    this.changed = true;
  }

  /** The stored owner and services of the runbook at `path`, when its content has some. */
  runbook(path: string): OwnershipMetadata | undefined {
    const blob = this.blobs.get(path);
    const row = blob === undefined ? undefined : Object.hasOwn(this.loaded.runbooks, blob) ? this.loaded.runbooks[blob] : undefined;
    if (!row || !Array.isArray(row) || row.length !== 2) return undefined;
    this.kept.runbooks[blob!] = row;
    return row[0] === null ? { services: row[1] } : { owner: row[0], services: row[1] };
  }

  storeRunbook(path: string, metadata: OwnershipMetadata): void {
    const blob = this.blobs.get(path);
    if (blob === undefined) return;
    this.kept.runbooks[blob] = [metadata.owner ?? null, [...metadata.services]];
    this.changed = true;
  }

  /**
   * Rewrites the file with the entries this run used or made, when that differs from what was read.
   * A cache that cannot be written is only a slower next run: the error is returned, not thrown.
   */
  async save(): Promise<{ written: boolean; error?: string }> {
    const dropped =
      Object.keys(this.kept.incidents).length !== Object.keys(this.loaded.incidents).length ||
      Object.keys(this.kept.runbooks).length !== Object.keys(this.loaded.runbooks).length;
    if (!this.changed && !dropped && this.outcome === 'loaded') return { written: false };
    if (!this.changed && Object.keys(this.kept.incidents).length + Object.keys(this.kept.runbooks).length === 0 && this.outcome !== 'loaded') return { written: false };
    try {
      await writeCacheFile(this.file, this.frame, Buffer.from(JSON.stringify(this.kept), 'utf8'));
      return { written: true };
    } catch (err) {
      return { written: false, error: (err as Error).message };
    }
  }
}
