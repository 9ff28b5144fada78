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
import { CheckContextState, INDEX_WORKER_MARKER, indexBatch, type CheckContext, type IndexBatch, type IndexBatchResult, type IndexedFile, type WorkerJob } from './indexWorker';
import type { FileKind } from './paths';
import type { RepoConfig } from './repoConfig';
import { decodeIndexedFiles } from './summaryCodec';

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
  /**
   * Stop the workers once no build has run for this long (default: they stay until `dispose`). Warm
   * workers build about twice as fast as new ones, which compile the parsers again; idle ones hold heap.
   */
  idleStopMs?: number;
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

export const DEFAULT_BATCH_SIZE = 200;
const CLASSIFY_CHUNK = 1_000;
const MAX_DEFAULT_WORKERS = 4;
const DEFAULT_YOUNG_GENERATION_MB = 96;

/** A file for a `check` run: reported files are checked in full, the others read for cross-file facts. */
export interface CheckFile {
  path: string;
  kind: FileKind;
  reported: boolean;
}

export type CheckRunContext = Omit<CheckContext, 'type'>;

function apply(index: WorkspaceIndex, files: readonly IndexedFile[]): void {
  for (const file of files) {
    if ('missing' in file) index.deleteFile(file.missing);
    else if ('summary' in file) index.setSummary(file.kind, file.summary);
  }
}

function makeBatches(job: WorkerJob, root: string, config: RepoConfig, files: readonly { path: string; kind: FileKind; reported?: boolean }[], batchSize: number): IndexBatch[] {
  const batches: IndexBatch[] = [];
  for (let start = 0, id = 0; start < files.length; start += batchSize, id++) {
    const slice = files.slice(start, start + batchSize);
    const batch: IndexBatch = { id, job, root, config, paths: slice.map((f) => f.path), kinds: slice.map((f) => f.kind) };
    if (job === 'check') batch.reported = slice.map((f) => f.reported !== false);
    batches.push(batch);
  }
  return batches;
}

/** What a run does with each batch's files, called in batch order. */
type BatchSink = (files: IndexedFile[]) => void;

/**
 * Worker threads that index batches of files. Keep one for the life of a window or process: workers
 * compile the parsers once, so later builds (a reindex after `git checkout`) run warm.
 */
export class IndexWorkerPool {
  private readonly script: string;
  private readonly count: number;
  private readonly youngGenerationMb: number;
  private readonly idleStopMs: number | undefined;
  private workers: Worker[] = [];
  private broken = false;
  /** Builds run one at a time; each waits for the one before. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Builds enqueued and not yet settled. */
  private active = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: IndexWorkerPoolOptions = {}) {
    this.script = options.workerScript ?? join(__dirname, 'indexWorker.js');
    this.count = Math.max(0, options.workers ?? Math.min(availableParallelism(), MAX_DEFAULT_WORKERS));
    this.youngGenerationMb = options.youngGenerationMb ?? DEFAULT_YOUNG_GENERATION_MB;
    this.idleStopMs = options.idleStopMs;
  }

  /** Worker threads builds will use: 0 when workers cannot start here (no worker script beside the bundle, or starting one failed). */
  get size(): number {
    return this.broken || !existsSync(this.script) ? 0 : this.count;
  }

  /** Worker threads started and not yet stopped. */
  get running(): number {
    return this.workers.length;
  }

  /** Indexes `paths` (relative to `root`; files the index's classifier rejects are skipped) into `index`. */
  async build(index: WorkspaceIndex, root: string, paths: readonly string[], options: Pick<ParallelBuildOptions, 'batchSize' | 'onProgress'> = {}): Promise<ParallelBuildReport> {
    const files: { path: string; kind: FileKind }[] = [];
    for (let i = 0; i < paths.length; i++) {
      // Matching globs costs ~20 µs a path: let the calling thread (the extension host) breathe between chunks.
      if (i > 0 && i % CLASSIFY_CHUNK === 0) await new Promise((resolve) => setImmediate(resolve));
      const path = paths[i];
      const kind = index.classifier.classify(path);
      if (kind !== undefined) files.push({ path, kind });
    }
    const batches = makeBatches('index', root, index.repoConfig, files, Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE));
    return this.enqueue(batches, undefined, files.length, (done) => apply(index, done), options.onProgress);
  }

  /**
   * The per-file work of `runbook-ops check`: runbook summaries, and for incident records the check's
   * facts under `context` (see `checkIncidentFile`; needed when `files` holds records); results in the order of `files`.
   */
  async checkFiles(root: string, config: RepoConfig, files: readonly CheckFile[], context?: CheckRunContext, options: Pick<ParallelBuildOptions, 'batchSize'> = {}): Promise<IndexedFile[]> {
    const batches = makeBatches('check', root, config, files, Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE));
    const out: IndexedFile[] = [];
    await this.enqueue(batches, context && { type: 'check-context', ...context }, files.length, (done) => {
      for (const file of done) out.push(file);
    });
    return out;
  }

  /** Stops the workers; a later build starts new ones. */
  async dispose(): Promise<void> {
    this.cancelIdleStop();
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private enqueue(batches: IndexBatch[], context: CheckContext | undefined, files: number, sink: BatchSink, onProgress?: (done: number, total: number) => void): Promise<ParallelBuildReport> {
    this.cancelIdleStop();
    this.active++;
    const run = this.queue.then(() => this.run(batches, context, files, sink, onProgress));
    this.queue = run
      .catch(() => undefined)
      .then(() => {
        if (--this.active === 0) this.scheduleIdleStop();
      });
    return run;
  }

  private scheduleIdleStop(): void {
    if (this.idleStopMs === undefined || this.workers.length === 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.active === 0) void this.dispose();
    }, this.idleStopMs);
    // An idle pool never keeps a process (the CLI, a test run) alive.
    this.idleTimer.unref?.();
  }

  private cancelIdleStop(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private async run(batches: readonly IndexBatch[], context: CheckContext | undefined, files: number, sink: BatchSink, onProgress?: (done: number, total: number) => void): Promise<ParallelBuildReport> {
    let done = 0;
    const report = (batch: IndexBatch): void => {
      done += batch.paths.length;
      onProgress?.(done, files);
    };
    const workers = this.startWorkers(Math.min(this.size, batches.length));
    // Little to do (one batch) or no workers: the calling thread, with the same result.
    if (workers.length < 1 || batches.length < 2) {
      buildInCallingThread(batches, 0, context, sink, report);
      return { files, workers: 0 };
    }
    const applied = await this.dispatch(batches, context, workers, sink, report);
    if (applied < batches.length) {
      // A worker failed (and may be half-way through a batch): finish here, and start afresh next time.
      await this.dispose();
      buildInCallingThread(batches, applied, context, sink, report);
      return { files, workers: 0 };
    }
    return { files, workers: workers.length };
  }

  /** Up to `wanted` workers (reusing the pool's); none when they cannot start here. */
  private startWorkers(wanted: number): Worker[] {
    try {
      while (this.workers.length < wanted) {
        this.workers.push(new Worker(this.script, { workerData: INDEX_WORKER_MARKER, resourceLimits: { maxYoungGenerationSizeMb: this.youngGenerationMb } }));
      }
    } catch {
      // No worker threads in this runtime (or the script cannot load): every build runs in the calling thread.
      this.broken = true;
      void this.dispose();
      return [];
    }
    return this.workers.slice(0, wanted);
  }

  /** Runs the batches on the workers; resolves with how many were applied (fewer when a worker failed). */
  private dispatch(batches: readonly IndexBatch[], context: CheckContext | undefined, workers: readonly Worker[], sink: BatchSink, report: (batch: IndexBatch) => void): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let nextBatch = 0;
      let nextToApply = 0;
      let settled = false;
      const waiting = new Map<number, IndexBatchResult>();
      const cleanups: (() => void)[] = [];
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        for (const cleanup of cleanups) cleanup();
        if (err) reject(err);
        else resolve(nextToApply);
      };
      const send = (worker: Worker): void => {
        if (nextBatch < batches.length) worker.postMessage(batches[nextBatch++]);
      };
      const receive = (worker: Worker, result: IndexBatchResult): void => {
        send(worker);
        waiting.set(result.id, result);
        // Apply in batch order: the index (and its Map iteration orders) then match a sequential build.
        for (let ready = waiting.get(nextToApply); ready !== undefined; ready = waiting.get(nextToApply)) {
          waiting.delete(nextToApply);
          sink('encoded' in ready ? decodeIndexedFiles(ready.encoded) : (JSON.parse(ready.json) as IndexedFile[]));
          report(batches[nextToApply]);
          nextToApply++;
        }
        if (nextToApply === batches.length) finish();
      };
      for (const worker of workers) {
        const onMessage = (result: IndexBatchResult): void => {
          if (settled) return;
          try {
            receive(worker, result);
          } catch (err) {
            // Applying a result failed: a bug here, not a worker problem, so no fallback.
            finish(err as Error);
          }
        };
        const onFailure = (): void => finish();
        worker.on('message', onMessage);
        worker.on('error', onFailure);
        worker.on('exit', onFailure);
        cleanups.push(() => {
          worker.off('message', onMessage);
          worker.off('error', onFailure);
          worker.off('exit', onFailure);
        });
        if (context) worker.postMessage(context);
        // Two batches each from the start, so a worker never waits for the calling thread between batches.
        send(worker);
        send(worker);
      }
    });
  }
}

function buildInCallingThread(batches: readonly IndexBatch[], from: number, context: CheckContext | undefined, sink: BatchSink, report: (batch: IndexBatch) => void): void {
  const state = context && batches.length > 0 ? new CheckContextState(context, batches[0].root, batches[0].config) : undefined;
  for (let i = from; i < batches.length; i++) {
    sink(indexBatch(batches[i], state));
    report(batches[i]);
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
