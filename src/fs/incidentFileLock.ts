/**
 * A lock file beside an incident record (`INC-0042.yaml.lock`), held by every Runbook Ops writer — the
 * extension and `runbook-ops update` in a terminal — for read → edit → write. Without it two writers
 * can both read the same text and the second write silently drops the first one's change.
 *
 * The lock says who holds it (host, pid, when, what), and is stale only when that is provably over:
 * on this machine, when the process is gone (or the machine restarted since, or the pid now belongs to
 * another process); from another machine (a shared folder), when it is older than any write takes. A
 * live holder is waited for, however long it has been paused (a laptop lid, a debugger, SIGSTOP), until
 * the waiter's deadline, and then the waiter gives up with a message naming the holder. Every wait has
 * a deadline, and a lock that cannot be removed (a folder of that name, another user's file in a sticky
 * folder) is reported at once instead of retried.
 *
 * Why not `proper-lockfile` (a dependency): its staleness is the lock's mtime, refreshed by a timer in
 * the holder. A paused holder stops refreshing; measured with 4.1.2, a second process took the lock
 * 11.0 s after the first was SIGSTOPped, while the first was alive and would go on to write — exactly
 * the lost update of issue 15. A pid/host lock does not have that failure.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lstat, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { AtomicWriteError, createFileAtomic, processIsGone } from './atomicWrite';

export interface LockOwner {
  host: string;
  pid: number;
  /** When the lock was taken, RFC 3339. */
  since: string;
  /** What holds it, for the message: `runbook-ops update`, `VS Code`. */
  holder?: string;
  /** Linux boot id: a lock from before a restart is stale, whatever its pid is now. */
  boot?: string;
  /** The holder's start time in clock ticks since boot (Linux): a reused pid has another. */
  processStart?: string;
  /** Unique per acquisition, so only the lock judged stale is removed, and only our own is released. */
  nonce: string;
}

export interface LockWait {
  lockPath: string;
  /** Undefined when the lock file cannot be read (empty, or not written by Runbook Ops). */
  owner?: LockOwner;
  /** How long the waiter will still wait. */
  remainingMs: number;
}

export interface IncidentFileLockOptions {
  /** Give up after this long; default 30 s. */
  timeoutMs?: number;
  /** Call `onWait` once the wait has lasted this long; default 3 s. */
  noticeAfterMs?: number;
  /** Told (once) that the lock is held by someone else and the wait goes on. */
  onWait?: (wait: LockWait) => void;
  /** Written into the lock, for other writers' messages. */
  holder?: string;
  /** A lock taken on another machine is stale after this long; default 10 min. */
  otherHostStaleMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_NOTICE_MS = 3_000;
const DEFAULT_OTHER_HOST_STALE_MS = 10 * 60_000;
/**
 * A lock file without a readable owner (empty, or a bare pid from an older Runbook Ops) is stale once
 * this old: Runbook Ops never leaves one behind (the owner is hard-linked into place complete), so
 * this only breaks leftovers of older versions or of file systems without hard links.
 */
const UNREADABLE_STALE_MS = 30_000;

/** The lock is held by a live writer and the deadline passed; nothing was written. */
export class IncidentFileLockTimeout extends Error {
  constructor(message: string, readonly lockPath: string, readonly owner: LockOwner | undefined) {
    super(message);
  }
}

/** The lock cannot be taken at all (a folder in its place, no permission to remove a stale one, a read-only folder). */
export class IncidentFileLockError extends Error {
  constructor(message: string, readonly lockPath: string) {
    super(message);
  }
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as NodeJS.ErrnoException).code : undefined;
}

function readProcFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat, after the parenthesised command name (which may hold spaces). */
function processStartTicks(pid: number | 'self'): string | undefined {
  const stat = readProcFile(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

let ownIdentity: { host: string; boot?: string; processStart?: string } | undefined;
function identity(): { host: string; boot?: string; processStart?: string } {
  ownIdentity ??= { host: hostname(), boot: readProcFile('/proc/sys/kernel/random/boot_id')?.trim(), processStart: processStartTicks('self') };
  return ownIdentity;
}

function newOwner(holder: string | undefined): LockOwner {
  const me = identity();
  return { host: me.host, pid: process.pid, since: new Date().toISOString(), ...(holder ? { holder } : {}), ...(me.boot ? { boot: me.boot } : {}), ...(me.processStart ? { processStart: me.processStart } : {}), nonce: randomBytes(8).toString('hex') };
}

/** The owner recorded in a lock file's text, or undefined when it is not a complete Runbook Ops lock. */
export function parseLockOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.host === 'string' && Number.isInteger(value.pid) && typeof value.since === 'string' && typeof value.nonce === 'string') return value as LockOwner;
  } catch {
    // not JSON
  }
  return undefined;
}

/** `pid 4242 on host build-7 since 2026-11-25T20:10:00.000Z (runbook-ops update)`. */
export function describeLockOwner(owner: LockOwner): string {
  return `pid ${owner.pid} on host ${owner.host} since ${owner.since}${owner.holder ? ` (${owner.holder})` : ''}`;
}

interface SeenLock {
  owner?: LockOwner;
  mtimeMs: number;
  ino: number;
  uid: number;
}

/** What is at `path` now: undefined when nothing; throws {@link IncidentFileLockError} when it is not a lock file. */
async function inspect(path: string): Promise<SeenLock | undefined> {
  let info;
  try {
    info = await lstat(path);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  if (!info.isFile()) {
    const what = info.isDirectory() ? 'a folder' : info.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
    throw new IncidentFileLockError(`${path} is ${what}, not a Runbook Ops lock file, so the record cannot be locked; nothing was written. Remove it (${info.isDirectory() ? `rmdir "${path}"` : `rm "${path}"`}) and try again.`, path);
  }
  const text = await readFile(path, 'utf8').catch(() => '');
  return { owner: parseLockOwner(text), mtimeMs: info.mtimeMs, ino: info.ino, uid: info.uid };
}

/** Why the lock seen is stale, or undefined while its holder may still be writing. */
function staleReason(seen: SeenLock, otherHostStaleMs: number): string | undefined {
  const { owner } = seen;
  if (!owner) return Date.now() - seen.mtimeMs > UNREADABLE_STALE_MS ? `it has no readable owner and is more than ${UNREADABLE_STALE_MS / 1000} s old` : undefined;
  const me = identity();
  if (owner.host !== me.host) {
    // Its own clock's start time; the file's mtime when that is unreadable.
    const since = Date.parse(owner.since);
    const age = Date.now() - (Number.isNaN(since) ? seen.mtimeMs : since);
    return age > otherHostStaleMs ? `it was taken on host ${owner.host} more than ${Math.round(otherHostStaleMs / 60_000)} min ago` : undefined;
  }
  if (owner.boot && me.boot && owner.boot !== me.boot) return 'it was taken before this machine restarted';
  if (processIsGone(owner.pid)) return `process ${owner.pid} is gone`;
  const start = owner.processStart && processStartTicks(owner.pid);
  if (start && start !== owner.processStart) return `pid ${owner.pid} now belongs to another process`;
  return undefined;
}

async function tryCreate(lockPath: string, owner: LockOwner): Promise<boolean> {
  try {
    return await createFileAtomic(lockPath, `${JSON.stringify(owner)}\n`, { durable: false });
  } catch (err) {
    const detail = err instanceof AtomicWriteError ? err.message : (err as Error).message;
    throw new IncidentFileLockError(`Could not create the lock ${lockPath}, so nothing was written: ${detail}`, lockPath);
  }
}

function sameLock(a: SeenLock | undefined, b: SeenLock): boolean {
  return a !== undefined && a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.owner?.nonce === b.owner?.nonce;
}

async function removeLock(path: string, seen: SeenLock, reason: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT') return;
    const who = seen.owner ? ` left by ${describeLockOwner(seen.owner)}` : '';
    throw new IncidentFileLockError(`${path}${who} is stale (${reason}) but cannot be removed (${code ?? (err as Error).message}; the file belongs to uid ${seen.uid}); nothing was written. Ask its owner or an administrator to delete it, then try again.`, path);
  }
}

/**
 * Removes the stale lock `judged`, unless it changed since; true when the lock is gone. Two waiters
 * can judge the same lock stale; were both to delete "the lock", the second could delete a fresh one
 * the first had just taken. So the removal is done under a second lock (`.lock.break`, held for a
 * stat and an unlink), and only if the lock is still the very file judged stale (same inode, mtime
 * and nonce).
 */
async function breakStale(lockPath: string, judged: SeenLock, reason: string, me: LockOwner, otherHostStaleMs: number): Promise<boolean> {
  const breaker = `${lockPath}.break`;
  if (!(await tryCreate(breaker, me))) {
    // Another waiter is removing it right now, or died doing so (then its breaker is stale in turn).
    const other = await inspect(breaker);
    const otherStale = other && staleReason(other, otherHostStaleMs);
    if (other && otherStale) await removeLock(breaker, other, otherStale);
    return false;
  }
  try {
    const now = await inspect(lockPath);
    if (!sameLock(now, judged)) return now === undefined;
    await removeLock(lockPath, judged, reason);
    return true;
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

function timedOut(lockPath: string, seen: SeenLock | undefined, waited: number, me: LockOwner): IncidentFileLockTimeout {
  const held = seen?.owner
    ? `${lockPath} is held by ${describeLockOwner(seen.owner)}, which is still running`
    : seen
      ? `${lockPath} exists but has no readable owner (it is removed once ${UNREADABLE_STALE_MS / 1000} s old)`
      : `${lockPath} kept being taken by other writers`;
  const kill = seen?.owner && seen.owner.host === me.host ? ` If that process is stuck, end it (kill ${seen.owner.pid}).` : '';
  return new IncidentFileLockTimeout(`${held}; waited ${Math.round(waited / 1000)} s and nothing was written. Try again when it has finished.${kill} Delete ${lockPath} only if no Runbook Ops writer is running.`, lockPath, seen?.owner);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `write` while holding the lock of the record at `file` (an absolute, real path on the local
 * disk), and releases it however `write` ends.
 */
export async function withIncidentFileLock<T>(file: string, write: () => Promise<T>, options: IncidentFileLockOptions = {}): Promise<T> {
  const lockPath = `${file}.lock`;
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const noticeAfterMs = options.noticeAfterMs ?? DEFAULT_NOTICE_MS;
  const otherHostStaleMs = options.otherHostStaleMs ?? DEFAULT_OTHER_HOST_STALE_MS;
  const me = newOwner(options.holder);
  let noticed = false;
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(lockPath, me)) break;
    const seen = await inspect(lockPath);
    const reason = seen && staleReason(seen, otherHostStaleMs);
    const removed = seen !== undefined && reason !== undefined && (await breakStale(lockPath, seen, reason, me, otherHostStaleMs));
    // The deadline is checked on every path, the stale one included: a lock that keeps coming back must not spin forever.
    const waited = Date.now() - started;
    if (waited > timeoutMs) throw timedOut(lockPath, seen, waited, me);
    if (seen === undefined || removed) continue; // released or broken: try again at once
    if (!noticed && !reason && waited >= noticeAfterMs) {
      noticed = true;
      options.onWait?.({ lockPath, owner: seen.owner, remainingMs: timeoutMs - waited });
    }
    // Short at first (a normal write takes milliseconds), then calmer; jitter so waiters do not retry in lockstep.
    await sleep(Math.min(250, 5 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()));
  }
  try {
    return await write();
  } finally {
    await release(lockPath, me);
  }
}

/** Removes our lock; not a lock someone else took after wrongly judging ours stale. */
async function release(lockPath: string, me: LockOwner): Promise<void> {
  const text = await readFile(lockPath, 'utf8').catch(() => undefined);
  if (text === undefined || parseLockOwner(text)?.nonce !== me.nonce) return;
  await unlink(lockPath).catch(() => undefined);
}
