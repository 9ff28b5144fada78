/**
 * Building the workspace index on every core (DESIGN §7): worker threads read and parse files straight
 * from disk and hand back summaries; the calling thread only links them into the index. For
 * repositories on the local disk. Without worker support (or with little to index) it builds in the
 * calling thread, with the same result.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkspaceIndex } from './index';
import { INDEX_WORKER_MARKER, indexBatch, type IndexBatch, type IndexBatchResult, type IndexedFile } from './indexWorker';
import type { FileKind } from './paths';

export interface IndexWorkerPoolOptions {
  /** Worker threads (default: one per core, at most 4). */
  workers?: number;
  /** The worker script (default: indexWorker.js beside this module, i.e. dist/indexWorker.js in the bundles). */
  workerScript?: string;
  /**
   * Young-generation size of each worker. Parsing makes many short-lived objects; a larger nursery
   * lets most of them die there instead of being copied into the old generation (about 15% faster).
   */
  youngGenerationMb?: number;
}

export interface ParallelBuildOptions extends IndexWorkerPoolOptions {
  /** A pool kept between builds (its workers stay warm); without one, a pool is made for this build. */
  pool?: IndexWorkerPool;
  /** Files per message: big enough that messaging is cheap, small enough to keep every worker busy to the end. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ParallelBuildReport {
  files: number;
  /** Worker threads used (0: built in the calling thread). */
  workers: number;
}

const DEFAULT_BATCH_SIZE = 200;
const MAX_DEFAULT_WORKERS = 4;
const DEFAULT_YOUNG_GENERATION_MB = 96;

function apply(index: WorkspaceIndex, files: readonly IndexedFile[]): void {
  for (const file of files) {
    if ('missing' in file) index.deleteFile(file.missing);
    else index.setSummary(file.kind, file.summary);
  }
}

function makeBatches(index: WorkspaceIndex, root: string, paths: readonly string[], batchSize: number): { batches: IndexBatch[]; files: number } {
  const wanted: string[] = [];
  const kinds: FileKind[] = [];
  for (const path of paths) {
    const kind = index.classifier.classify(path);
    if (kind === undefined) continue;
    wanted.push(path);
    kinds.push(kind);
  }
  const batches: IndexBatch[] = [];
  for (let start = 0, id = 0; start < wanted.length; start += batchSize, id++) {
    batches.push({ id, root, config: index.repoConfig, paths: wanted.slice(start, start + batchSize), kinds: kinds.slice(start, start + batchSize) });
  }
  return { batches, files: wanted.length };
}

function buildInCallingThread(index: WorkspaceIndex, batches: readonly IndexBatch[], files: number, onProgress?: (done: number, total: number) => void): void {
  let done = 0;
  for (const batch of batches) {
    apply(index, indexBatch(batch));
    done += batch.paths.length;
    onProgress?.(done, files);
  }
}

/**
 * Worker threads that index batches of files. Keep one for the life of a window or process: workers
 * compile the parsers once, so later builds (a reindex after `git checkout`) run warm.
 */
export class IndexWorkerPool {
  private readonly script: string;
  private readonly count: number;
  private readonly youngGenerationMb: number;
  private workers: Worker[] = [];
  private broken = false;
  /** Builds run one at a time; each waits for the one before. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: IndexWorkerPoolOptions = {}) {
    this.script = options.workerScript ?? join(__dirname, 'indexWorker.js');
    this.count = Math.max(0, options.workers ?? Math.min(availableParallelism(), MAX_DEFAULT_WORKERS));
    this.youngGenerationMb = options.youngGenerationMb ?? DEFAULT_YOUNG_GENERATION_MB;
  }

  /** Worker threads builds will use: 0 when workers cannot start here (no worker script beside the bundle). */
  get size(): number {
    return this.broken || !existsSync(this.script) ? 0 : this.count;
  }

  /** Indexes `paths` (relative to `root`; files the index's classifier rejects are skipped) into `index`. */
  build(index: WorkspaceIndex, root: string, paths: readonly string[], options: Pick<ParallelBuildOptions, 'batchSize' | 'onProgress'> = {}): Promise<ParallelBuildReport> {
    const run = this.queue.then(() => this.run(index, root, paths, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the workers; a later build starts new ones. */
  async dispose(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private async run(index: WorkspaceIndex, root: string, paths: readonly string[], options: Pick<ParallelBuildOptions, 'batchSize' | 'onProgress'>): Promise<ParallelBuildReport> {
    const { batches, files } = makeBatches(index, root, paths, Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE));
    const workers = Math.min(this.size, batches.length);
    if (workers < 1 || batches.length < 2) {
      buildInCallingThread(index, batches, files, options.onProgress);
      return { files, workers: 0 };
    }
    while (this.workers.length < workers) {
      this.workers.push(new Worker(this.script, { workerData: INDEX_WORKER_MARKER, resourceLimits: { maxYoungGenerationSizeMb: this.youngGenerationMb } }));
    }
    try {
      await this.dispatch(index, batches, files, this.workers.slice(0, workers), options.onProgress);
    } catch (err) {
      // A worker that failed may be half-way through a batch: start afresh next time.
      await this.dispose();
      throw err;
    }
    return { files, workers };
  }

  private dispatch(index: WorkspaceIndex, batches: readonly IndexBatch[], total: number, workers: readonly Worker[], onProgress?: (done: number, total: number) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let nextBatch = 0;
      let nextToApply = 0;
      let done = 0;
      let settled = false;
      const waiting = new Map<number, string>();
      const cleanups: (() => void)[] = [];
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        for (const cleanup of cleanups) cleanup();
        if (err) reject(err);
        else resolve();
      };
      const send = (worker: Worker): void => {
        if (nextBatch < batches.length) worker.postMessage(batches[nextBatch++]);
      };
      const receive = (worker: Worker, result: IndexBatchResult): void => {
        send(worker);
        waiting.set(result.id, result.json);
        // Apply in batch order: the index (and its Map iteration orders) then match a sequential build.
        for (let json = waiting.get(nextToApply); json !== undefined; json = waiting.get(nextToApply)) {
          waiting.delete(nextToApply);
          const files = JSON.parse(json) as IndexedFile[];
          apply(index, files);
          done += files.length;
          nextToApply++;
          onProgress?.(done, total);
        }
        if (nextToApply === batches.length) finish();
      };
      for (const worker of workers) {
        const onMessage = (result: IndexBatchResult): void => {
          try {
            receive(worker, result);
          } catch (err) {
            finish(err as Error);
          }
        };
        const onError = (err: Error): void => finish(err);
        const onExit = (code: number): void => finish(new Error(`An index worker stopped (exit code ${code}).`));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        cleanups.push(() => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
        });
        // Two batches each from the start, so a worker never waits for the calling thread between batches.
        send(worker);
        send(worker);
      }
    });
  }
}

/**
 * Indexes `paths` (relative to `root`; files the index's classifier rejects are skipped) into `index`
 * on worker threads. Results are applied in path order, so the index equals the sequential build's.
 */
export async function buildIndexInParallel(index: WorkspaceIndex, root: string, paths: readonly string[], options: ParallelBuildOptions = {}): Promise<ParallelBuildReport> {
  if (options.pool) return options.pool.build(index, root, paths, options);
  const pool = new IndexWorkerPool(options);
  try {
    return await pool.build(index, root, paths, options);
  } finally {
    await pool.dispose();
  }
}
