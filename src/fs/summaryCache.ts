/**
 * The persistent summary cache (issue 17, item 1): a file whose identity (size, mtime, ctime, inode)
 * is unchanged since it was last summarized is not read or parsed again; its summary comes from the
 * cache, in the compact form the index workers already send (summaryCodec.ts). Only reading and
 * parsing one file is replaced: every file's summary still goes into the index, so the cross-file
 * rules (links, duplicate ids) see all of them.
 *
 * Safety rules, each because a stale summary is worse than a slow build:
 * - The cache is keyed by the parser version, this format's number and a hash of the repository config
 *   and layout: any of them changing makes every entry absent.
 * - ctime is part of a file's identity: `touch -d`/`utimes` can set mtime back to the old value after
 *   an edit of equal size, but the same call moves ctime to now, which only a system clock change can undo.
 * - Racy files (git's racy-git rule): a file whose mtime or ctime is within `racyWindowMs` of the moment
 *   its identity was taken could change again within the file system's timestamp granularity without
 *   its identity changing, so it is not stored; the next build parses it again.
 * - Files a worker gave up on (parse budget) are not stored: they are tried again next build, on a
 *   worker, as they would be without the cache.
 * - The file is framed and written as every cache file is (cacheFile.ts: magic line, key, length,
 *   SHA-256, atomic rename); one that does not check out is an empty cache.
 */
import { createHash } from 'node:crypto';
import { statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { IncidentSummary, RunbookSummary, WorkspaceIndex } from '../core/index/workspaceIndex';
import type { IndexWorkerPool, ParallelBuildReport } from './parallelIndex';
import { buildIndexInParallel } from './parallelIndex';
import type { FileKind, WorkspaceLayout } from '../core/config/paths';
import type { RepoConfig } from '../core/config/repoConfig';
import { decodeIndexedFiles, encodeIndexedFiles, type EncodedFile, type IndexedFile } from '../core/index/summaryCodec';
import { cliCacheFolder, readCacheBody, writeCacheFile, type CacheFrame, type CacheLoadOutcome } from './cacheFile';

export type { CacheLoadOutcome } from './cacheFile';

/** Bumped whenever the file layout or the meaning of an entry changes. */
export const CACHE_FORMAT = 1;
const MAGIC = 'runbook-ops summary cache';
/**
 * Files changed this recently before their identity was taken are not stored: 3 s covers the coarsest
 * timestamps in use (FAT's 2 s mtime) as well as ext4's clock tick.
 */
export const DEFAULT_RACY_WINDOW_MS = 3_000;
/** The cache file's name in its folder. */
export const CACHE_FILE_NAME = 'index-cache';

/** What identifies a file's content without reading it. */
interface FileIdentity {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

/** One stored file: its identity and its summary's compact form (a JSON array, and the runbook's detail text). */
interface CacheEntry extends FileIdentity {
  kind: FileKind;
  core: string;
  detail: string;
}

/** The version key of a cache: entries made under another parser, config or layout are never used. */
export function summaryCacheKey(parserVersion: string, config: RepoConfig, layout: WorkspaceLayout): string {
  return createHash('sha256').update(JSON.stringify({ format: CACHE_FORMAT, parserVersion, config, layout })).digest('hex');
}

/** The CLI's summary cache for a repository at `root` (see {@link cliCacheFolder}). */
export function defaultCliCacheFile(root: string): string {
  return join(cliCacheFolder(root), CACHE_FILE_NAME);
}

function identityOf(stats: Stats): FileIdentity {
  return { size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino };
}

function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/** Files (or summaries) handled between two yields to the event loop: the extension host's thread must not stall. */
const CHUNK = 1_000;
function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The entries of the cache file at `file` under `key`; an empty map for a missing, foreign (other key
 * or format), truncated or corrupt file. The body (framed as cacheFile.ts says) is a JSON line of
 * `[path, kind, size, mtimeMs, ctimeMs, ino, coreLength, detailLength]` rows, then every entry's core
 * text and detail text in row order.
 */
export async function readCacheFile(file: string, key: string): Promise<{ entries: Map<string, CacheEntry>; outcome: CacheLoadOutcome }> {
  const entries = new Map<string, CacheEntry>();
  const read = await readCacheBody(file, frameFor(key));
  if (!read.body) return { entries, outcome: read.outcome };
  try {
    const body = read.body.toString('utf8');
    const rowsEnd = body.indexOf('\n');
    const rows = JSON.parse(body.slice(0, rowsEnd)) as unknown[][];
    if (!Array.isArray(rows)) return { entries, outcome: 'corrupt' };
    let at = rowsEnd + 1;
    for (const row of rows) {
      const [path, kind, size, mtimeMs, ctimeMs, ino, coreLength, detailLength] = row as [string, FileKind, number, number, number, number, number, number];
      if (typeof path !== 'string' || (kind !== 'runbook' && kind !== 'incident')) return { entries: new Map(), outcome: 'corrupt' };
      const core = body.slice(at, at + coreLength);
      at += coreLength;
      const detail = body.slice(at, at + detailLength);
      at += detailLength;
      entries.set(path, { kind, size, mtimeMs, ctimeMs, ino, core, detail });
    }
    if (at !== body.length) return { entries: new Map(), outcome: 'corrupt' };
    return { entries, outcome: 'loaded' };
  } catch {
    return { entries: new Map(), outcome: 'corrupt' };
  }
}

function frameFor(key: string): CacheFrame {
  return { magic: MAGIC, format: CACHE_FORMAT, key };
}

function cacheFileBody(entries: readonly [string, CacheEntry][]): Buffer {
  const rows = entries.map(([path, e]) => [path, e.kind, e.size, e.mtimeMs, e.ctimeMs, e.ino, e.core.length, e.detail.length]);
  const parts = [JSON.stringify(rows), '\n'];
  for (const [, e] of entries) parts.push(e.core, e.detail);
  return Buffer.from(parts.join(''), 'utf8');
}

export interface SummaryCacheOptions {
  /** Where the cache lives (see {@link defaultCliCacheFile}; the extension uses its workspace storage). */
  file: string;
  /** From {@link summaryCacheKey}. */
  key: string;
  /** See {@link DEFAULT_RACY_WINDOW_MS}. */
  racyWindowMs?: number;
}

/** What one build did with the cache. */
export interface SummaryCacheReport {
  outcome: CacheLoadOutcome;
  /** Files whose summary came from the cache. */
  hits: number;
  /** Files read and parsed. */
  misses: number;
  /** Whether the cache file was rewritten, and its size in bytes when it was. */
  written: boolean;
  bytes?: number;
  /** Why it could not be written (the build itself still succeeded). */
  writeError?: string;
}

/**
 * One build's use of the cache: {@link applyCached} puts the summaries of unchanged files into the
 * index and returns the files to read; after they are built, {@link save} stores the new summaries.
 */
export class SummaryCacheSession {
  private readonly loaded: Map<string, CacheEntry>;
  private readonly outcome: CacheLoadOutcome;
  private readonly racyWindowMs: number;
  /** Files read this build, with their identity taken before the read (so a later change shows as a new identity). */
  private readonly toStore = new Map<string, { kind: FileKind; identity: FileIdentity }>();
  /** Entries used from the cache. */
  private readonly reused = new Map<string, CacheEntry>();
  private identityTakenAt = 0;
  /** The compact text of summaries the workers made this build, as they sent it: stored without encoding again. */
  private readonly sent = new Map<string, EncodedFile>();

  private constructor(private readonly options: SummaryCacheOptions, loaded: Awaited<ReturnType<typeof readCacheFile>>) {
    this.loaded = loaded.entries;
    this.outcome = loaded.outcome;
    this.racyWindowMs = options.racyWindowMs ?? DEFAULT_RACY_WINDOW_MS;
  }

  /** Reads the cache file (an empty cache when it is missing or does not check out). */
  static async open(options: SummaryCacheOptions): Promise<SummaryCacheSession> {
    return new SummaryCacheSession(options, await readCacheFile(options.file, options.key));
  }

  /**
   * Puts the cached summary of every file of `paths` (relative to `root`, those the index's classifier
   * takes) whose identity is unchanged into `index`; returns the others, to be read and parsed.
   */
  async applyCached(index: WorkspaceIndex, root: string, paths: readonly string[]): Promise<string[]> {
    // Taken before the first stat: anything changed after it is newer than the cutoff of the racy rule.
    this.identityTakenAt = Date.now();
    const misses: string[] = [];
    const hits: [string, CacheEntry][] = [];
    for (let i = 0; i < paths.length; i++) {
      if (i > 0 && i % CHUNK === 0) await breathe();
      const path = paths[i];
      const entry = this.loaded.get(path);
      // The layout is part of the key, so a stored entry's kind is what the classifier would say.
      const kind = entry ? entry.kind : index.classifier.classify(path);
      if (kind === undefined) continue;
      let stats: Stats | undefined;
      try {
        stats = statSync(join(root, path), { throwIfNoEntry: false });
      } catch {
        stats = undefined;
      }
      if (!stats?.isFile()) {
        // Gone or unreadable: the build says so, and nothing is stored.
        misses.push(path);
        continue;
      }
      const identity = identityOf(stats);
      if (entry && sameIdentity(entry, identity)) {
        hits.push([path, entry]);
        continue;
      }
      misses.push(path);
      this.toStore.set(path, { kind, identity });
    }
    if (hits.length > 0) {
      let files: IndexedFile[] = [];
      try {
        for (let at = 0; at < hits.length; at += CHUNK) {
          if (at > 0) await breathe();
          const chunk = hits.slice(at, at + CHUNK);
          files.push(...decodeIndexedFiles({ core: `[${chunk.map(([, e]) => e.core).join(',')}]`, details: chunk.map(([, e]) => e.detail).join('') }));
        }
      } catch {
        // Checksummed text that does not decode was written by a bug, not read wrongly: read these files.
        files = [];
      }
      if (files.length !== hits.length || files.some((f, i) => !('summary' in f) || f.summary.path !== hits[i][0])) {
        for (const [path, entry] of hits) {
          misses.push(path);
          this.toStore.set(path, { kind: entry.kind, identity: entry });
        }
      } else {
        for (let i = 0; i < files.length; i++) {
          const file = files[i] as { kind: FileKind; summary: RunbookSummary | IncidentSummary };
          index.setSummary(file.kind, file.summary);
          this.reused.set(hits[i][0], hits[i][1]);
        }
      }
    }
    return misses;
  }

  /** For the build's `onEncoded` (parallelIndex.ts): a worker's summary of `path` as it sent it. */
  readonly keepSent = (path: string, _kind: FileKind, encoded: EncodedFile): void => {
    if (this.toStore.has(path)) this.sent.set(path, encoded);
  };

  /**
   * Stores the summaries `index` now holds for the files read this build (not those at the paths
   * `givenUp`, which a worker gave up on, and not racy ones) with the entries reused, and rewrites the cache file when that changes anything.
   */
  async save(index: WorkspaceIndex, givenUp: Iterable<string> = []): Promise<SummaryCacheReport> {
    const report: SummaryCacheReport = { outcome: this.outcome, hits: this.reused.size, misses: 0, written: false };
    const skipped = new Set(givenUp);
    const cutoff = this.identityTakenAt - this.racyWindowMs;
    const entries = new Map(this.reused);
    for (const [path, { kind, identity }] of this.toStore) {
      if (++report.misses % CHUNK === 0) await breathe();
      if (skipped.has(path) || Math.max(identity.mtimeMs, identity.ctimeMs) >= cutoff) continue;
      const sent = this.sent.get(path);
      if (sent) {
        entries.set(path, { kind, ...identity, core: sent.core, detail: sent.detail });
        continue;
      }
      // Built in this thread (no workers here): encoded now.
      const summary = kind === 'runbook' ? index.getRunbook(path) : index.getIncident(path);
      if (!summary) continue;
      const { core, details } = encodeIndexedFiles([{ kind, summary }]);
      // `[<entry>]`: the entry alone, so entries join into one array when read back.
      entries.set(path, { kind, ...identity, core: core.slice(1, -1), detail: details });
    }
    const unchanged = this.outcome === 'loaded' && entries.size === this.loaded.size && [...entries].every(([path, e]) => this.loaded.get(path) === e);
    if (unchanged) return report;
    const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    try {
      report.bytes = await writeCacheFile(this.options.file, frameFor(this.options.key), cacheFileBody(sorted));
      report.written = true;
    } catch (err) {
      report.writeError = (err as Error).message;
    }
    return report;
  }
}

export interface CachedBuildOptions extends SummaryCacheOptions {
  pool?: IndexWorkerPool;
  onProgress?: (done: number, total: number) => void;
}

/**
 * {@link buildIndexInParallel} with the summary cache: unchanged files from the cache, the rest on the
 * workers, then the cache updated. The index equals one built without the cache.
 */
export async function buildIndexWithCache(index: WorkspaceIndex, root: string, paths: readonly string[], options: CachedBuildOptions): Promise<ParallelBuildReport & { cache: SummaryCacheReport }> {
  const session = await SummaryCacheSession.open(options);
  const misses = await session.applyCached(index, root, paths);
  const report = await buildIndexInParallel(index, root, misses, { pool: options.pool, onProgress: options.onProgress, onEncoded: session.keepSent });
  const cache = await session.save(index, report.givenUp.map((f) => f.path));
  return { ...report, cache };
}
