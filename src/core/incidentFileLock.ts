/**
 * A lock file beside an incident record (`INC-0042.yaml.lock`, created with O_EXCL like git's
 * `index.lock`), held by every Runbook Ops writer — the extension and `runbook-ops update` in a
 * terminal — for the few milliseconds of read → edit → write. Without it two writers can both read
 * the same text and the second write silently drops the first one's change.
 */
import { open, stat, unlink } from 'node:fs/promises';

export interface IncidentFileLockOptions {
  /** Give up after this long (another writer is slow or stuck). */
  timeoutMs?: number;
  /** A lock older than this is left over from a writer that crashed, and is broken. */
  staleMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_STALE_MS = 10_000;

export class IncidentFileLockTimeout extends Error {}

/** Runs `write` while holding the lock of the record at `file` (an absolute path on the local disk). */
export async function withIncidentFileLock<T>(file: string, write: () => Promise<T>, options: IncidentFileLockOptions = {}): Promise<T> {
  const lockPath = `${file}.lock`;
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const age = await lockAge(lockPath);
    if (age !== undefined && age > staleMs) {
      // Only one of several waiters removes it; the others see ENOENT and race for O_EXCL as usual.
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) throw new IncidentFileLockTimeout(`${lockPath} is held by another writer; nothing was written. Try again (delete the file if no Runbook Ops writer is running).`);
    // Jitter, so two waiters do not retry in lockstep.
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
  }
  try {
    return await write();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function lockAge(lockPath: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs;
  } catch {
    return undefined;
  }
}
