/**
 * The framing every Runbook Ops cache file shares (the index's summary cache, check's facts cache): a
 * magic line naming the cache, a JSON header `{format, key, bytes, sha256}`, then `bytes` of body whose
 * SHA-256 matches. A file that does not check out (missing, truncated, corrupt, another cache's, another
 * version's or another repository's) gives no body, so a cache is never read as data unless it is whole
 * and made for this reader. Written atomically (a temporary file renamed over it), so a reader never
 * sees half of one.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from './atomicWrite';

/** Why a cache file was not used, for the log (never shown as a problem: the build just reads the files). */
export type CacheLoadOutcome = 'loaded' | 'absent' | 'foreign' | 'corrupt';

const NEWLINE = 0x0a;
const HASH_CHUNK_BYTES = 1 << 20;

function breathe(): Promise<void> {
  return new Promise((done) => setImmediate(done));
}

/** A megabyte at a time, yielding in between (20,000 files make a summary cache of about 17 MB). */
async function sha256(bytes: Uint8Array): Promise<string> {
  const hash = createHash('sha256');
  for (let at = 0; at < bytes.length; at += HASH_CHUNK_BYTES) {
    if (at > 0) await breathe();
    hash.update(bytes.subarray(at, at + HASH_CHUNK_BYTES));
  }
  return hash.digest('hex');
}

/** What identifies one cache file's readers: its magic line, its format number and its version key. */
export interface CacheFrame {
  magic: string;
  format: number;
  key: string;
}

/** The body of the cache file at `file` when it checks out against `frame`, else why not. */
export async function readCacheBody(file: string, frame: CacheFrame): Promise<{ body?: Buffer; outcome: CacheLoadOutcome }> {
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch {
    return { outcome: 'absent' };
  }
  try {
    const magicEnd = buffer.indexOf(NEWLINE);
    if (magicEnd < 0 || buffer.toString('utf8', 0, magicEnd) !== frame.magic) return { outcome: 'foreign' };
    const headerEnd = buffer.indexOf(NEWLINE, magicEnd + 1);
    if (headerEnd < 0) return { outcome: 'corrupt' };
    const header = JSON.parse(buffer.toString('utf8', magicEnd + 1, headerEnd)) as { format?: unknown; key?: unknown; bytes?: unknown; sha256?: unknown };
    if (header.format !== frame.format || header.key !== frame.key) return { outcome: 'foreign' };
    const body = buffer.subarray(headerEnd + 1);
    if (body.length !== header.bytes || (await sha256(body)) !== header.sha256) return { outcome: 'corrupt' };
    return { body, outcome: 'loaded' };
  } catch {
    return { outcome: 'corrupt' };
  }
}

/**
 * Writes `body` framed for `frame`, creating the folder. Not fsynced: a cache lost in a power cut is
 * only a slower next run, and the rename keeps it whole. Returns the file's size.
 */
export async function writeCacheFile(file: string, frame: CacheFrame, body: Buffer): Promise<number> {
  // ASCII only (a hex key, numbers), so the reader finds the body by bytes.
  const header = JSON.stringify({ format: frame.format, key: frame.key, bytes: body.length, sha256: await sha256(body) });
  const bytes = Buffer.concat([Buffer.from(`${frame.magic}\n${header}\n`, 'utf8'), body]);
  mkdirSync(dirname(file), { recursive: true });
  await writeFileAtomic(file, bytes, { durable: false });
  return bytes.length;
}

/**
 * Where the CLI keeps its caches for a repository at `root`: in its git directory
 * (`.git/runbook-ops/`, following a worktree's or submodule's `.git` file), else under the user's cache
 * folder (`$XDG_CACHE_HOME`, default `~/.cache`), one folder per repository path.
 */
export function cliCacheFolder(root: string): string {
  const dotGit = join(root, '.git');
  const stats = statSync(dotGit, { throwIfNoEntry: false });
  if (stats?.isDirectory()) return join(dotGit, 'runbook-ops');
  if (stats?.isFile()) {
    // A worktree or submodule: `.git` is a file saying `gitdir: <path>`.
    const text = readFileSync(dotGit, 'utf8').trim();
    if (text.startsWith('gitdir:')) return join(resolve(root, text.slice('gitdir:'.length).trim()), 'runbook-ops');
  }
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'runbook-ops', createHash('sha256').update(resolve(root)).digest('hex').slice(0, 32));
}
