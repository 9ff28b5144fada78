/**
 * Atomic, durable file writes for everything Runbook Ops writes to disk (incident records, CODEOWNERS,
 * .gitattributes, the merge driver's result, lock files): the new bytes go to a temporary file in the
 * same folder, which is fsynced and renamed over the original (or hard-linked into place for a new
 * file), and then the folder is fsynced so the rename itself survives a power cut. A crash at any point
 * leaves the old bytes or the new bytes, never a mix, a truncated file or an empty one.
 *
 * Why not `write-file-atomic` (a dependency, and what issue 15 suggests): measured on a 4 MB tmpfs,
 * its 7.0.1 issues a single `write()`; on a nearly full disk the kernel writes part of the data and
 * returns a short count, which it does not check, so it fsyncs and renames a 901,120-byte file over a
 * 3.3 MB record and reports success. It also never fsyncs the folder. Both are the losses this module
 * exists to prevent, and the correct version is short.
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, open, readdir, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Mode of a file created new (an existing file keeps its own mode). Default 0o666 less the umask. */
  mode?: number;
  /** Skip the fsyncs: for lock files, which must be atomic but need not survive a power cut. */
  durable?: boolean;
}

/** A write that failed; the message says which file and that the original is untouched. */
export class AtomicWriteError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

/** Temporary files left by a writer killed mid-write are removed once older than this, whoever left them. */
const ABANDONED_TEMP_MS = 10 * 60_000;

/** `INC-0042.yaml.<pid>.<8 hex>.tmp`: beside the file, named after it, and not a `.yaml` file the index would read. */
const TEMP_SUFFIX = /^\.(\d+)\.[0-9a-f]{8}\.tmp$/;

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as NodeJS.ErrnoException).code : undefined;
}

function tempPathFor(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** True when `pid` is not a running process on this machine (`kill(pid, 0)` fails with ESRCH). */
export function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return errorCode(err) === 'ESRCH';
  }
}

/**
 * Removes temporary files that earlier writes of `file` left behind when they were killed (`kill -9`,
 * a crash, a power cut): their process is gone, or they are older than any write takes. A write in
 * progress in a live process on this machine is never touched.
 */
export async function removeAbandonedTemps(file: string): Promise<string[]> {
  const folder = dirname(file);
  const prefix = basename(file);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = TEMP_SUFFIX.exec(name.slice(prefix.length));
    if (!match) continue;
    const path = join(folder, name);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    if (!processIsGone(Number(match[1])) && Date.now() - info.mtimeMs < ABANDONED_TEMP_MS) continue;
    try {
      await unlink(path);
      removed.push(path);
    } catch {
      // Gone already (another writer cleaned it), or not ours to remove: harmless either way.
    }
  }
  return removed;
}

/** Writes every byte: `write()` may write fewer than asked (a nearly full disk, a signal), and the rest must follow or fail. */
async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, offset);
    if (bytesWritten <= 0) throw Object.assign(new Error('the disk accepted no more data'), { code: 'EIO' });
    offset += bytesWritten;
  }
}

/** fsync of the folder, so a rename or link in it is on disk too. Some platforms cannot (Windows: EISDIR/EPERM); there it is skipped. */
async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch (err) {
    if (!['EISDIR', 'EPERM', 'EINVAL', 'ENOTSUP', 'EBADF', 'EACCES'].includes(errorCode(err) ?? '')) throw err;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Creates the temporary file with all of `bytes`, fsynced and closed; removes it again if that fails. */
async function writeTemp(temp: string, bytes: Uint8Array, mode: number, durable: boolean, owner?: { uid: number; gid: number; mode: number }): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    // `wx`: a file or link planted under the temporary name is never written through.
    handle = await open(temp, 'wx', mode);
    await writeAll(handle, bytes);
    if (owner) {
      // The umask applied at open; the original's exact permissions (and, for root, owner) carry over.
      await handle.chmod(owner.mode & 0o7777);
      if (process.getuid?.() === 0) await handle.chown(owner.uid, owner.gid).catch(() => undefined);
    }
    if (durable) await handle.sync();
    await handle.close();
    handle = undefined;
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

function failure(file: string, err: unknown, existed: boolean): AtomicWriteError {
  const code = errorCode(err);
  const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EDQUOT' ? 'the disk quota is used up' : (err as Error).message;
  const state = existed ? 'The file is unchanged.' : 'Nothing was created.';
  const fix = code === 'ENOSPC' || code === 'EDQUOT' ? ' Free some space and try again.' : '';
  return new AtomicWriteError(`Could not write ${file}: ${why}. ${state}${fix}`, code);
}

/**
 * Replaces (or creates) `file` with `data`, atomically and durably, keeping an existing file's mode
 * (and, when run as root, its owner). A symbolic link is written through to its target and stays a
 * link; callers that must stay inside a repository resolve and check the path first (repositoryPath.ts).
 * On any error the original is byte-identical and the temporary file is gone.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const durable = options.durable ?? true;
  const target = await realpath(file).catch(() => file);
  const existing = await stat(target).catch((err: unknown) => {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw failure(target, err, true);
  });
  if (existing && !existing.isFile()) throw new AtomicWriteError(`Could not write ${target}: it is not a regular file. Nothing was written.`, 'EISDIR');
  await removeAbandonedTemps(target);
  const temp = tempPathFor(target);
  try {
    await writeTemp(temp, bytes, options.mode ?? 0o666, durable, existing);
    try {
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  } catch (err) {
    throw failure(target, err, existing !== undefined);
  }
  if (durable) await syncFolder(dirname(target)).catch((err: unknown) => {
    throw new AtomicWriteError(`${target} was written, but its folder could not be flushed to disk (${(err as Error).message}); a power cut now could lose the change.`, errorCode(err));
  });
}

/**
 * Creates `file` with `data` only if it does not exist yet, atomically: the complete, fsynced temporary
 * file is hard-linked to the name (which fails if the name is taken), so no reader and no crash ever
 * sees an empty or partial file. Returns false, touching nothing, when `file` exists. On a file system
 * without hard links it falls back to an exclusive create and write, removing the file if the write fails.
 */
export async function createFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<boolean> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const durable = options.durable ?? true;
  const mode = options.mode ?? 0o666;
  await removeAbandonedTemps(file);
  const temp = tempPathFor(file);
  let created: boolean;
  try {
    await writeTemp(temp, bytes, mode, durable);
    try {
      await link(temp, file);
      created = true;
    } catch (err) {
      const code = errorCode(err);
      if (code === 'EEXIST') created = false;
      else if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') created = await createByExclusiveOpen(file, bytes, mode, durable);
      else throw err;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  } catch (err) {
    throw failure(file, err, false);
  }
  if (created && durable) await syncFolder(dirname(file));
  return created;
}

async function createByExclusiveOpen(file: string, bytes: Uint8Array, mode: number, durable: boolean): Promise<boolean> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'wx', mode);
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    await writeAll(handle, bytes);
    if (durable) await handle.sync();
    await handle.close();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    throw err;
  }
  return true;
}
