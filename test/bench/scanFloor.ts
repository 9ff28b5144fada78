// The floor under the ≤ 3× target (README, Performance): the index's worker threads doing the least any index
// must do — read every file, decode it to text and look at each character once — and nothing else.
// The ratio of this to the raw read shows how many such passes the target leaves for parsing,
// checking and sending the summaries back. Same files, batches and worker count as the index pool.
import { join } from 'node:path';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { readWhole } from '../../src/fs/indexWorker';
import { DEFAULT_BATCH_SIZE } from '../../src/fs/parallelIndex';

interface ScanBatch {
  root: string;
  paths: string[];
}

/** Lines in the batch's files; every character is read once. Files are read as the index's workers read them. */
function scanBatch(batch: ScanBatch): number {
  let lines = 0;
  for (const path of batch.paths) {
    const bytes = readWhole(join(batch.root, path));
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lines++;
  }
  return lines;
}

/** Worker threads that scan batches of files; reuse one across timed runs, as the index pool is. */
export class ScanFloorPool {
  private readonly workers: Worker[];

  constructor(count: number) {
    this.workers = Array.from({ length: Math.max(1, count) }, () => new Worker(__filename));
  }

  /** Scans every file in `paths` (relative to `root`); resolves with their total line count. */
  scan(root: string, paths: readonly string[]): Promise<number> {
    const batches: ScanBatch[] = [];
    for (let start = 0; start < paths.length; start += DEFAULT_BATCH_SIZE) batches.push({ root, paths: paths.slice(start, start + DEFAULT_BATCH_SIZE) });
    return new Promise((resolve, reject) => {
      let next = 0;
      let done = 0;
      let lines = 0;
      const cleanups: (() => void)[] = [];
      const finish = (err?: Error): void => {
        for (const cleanup of cleanups) cleanup();
        if (err) reject(err);
        else resolve(lines);
      };
      if (batches.length === 0) return finish();
      for (const worker of this.workers) {
        const send = (): void => {
          if (next < batches.length) worker.postMessage(batches[next++]);
        };
        const onMessage = (count: number): void => {
          lines += count;
          if (++done === batches.length) finish();
          else send();
        };
        worker.on('message', onMessage);
        worker.once('error', finish);
        cleanups.push(() => {
          worker.off('message', onMessage);
          worker.off('error', finish);
        });
        // Two batches in flight per worker, as the index pool sends them.
        send();
        send();
      }
    });
  }

  dispose(): Promise<number[]> {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', (batch: ScanBatch) => port.postMessage(scanBatch(batch)));
}
