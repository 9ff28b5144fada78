/**
 * Building the workspace index on every core (README, Performance): worker threads read and parse files straight
 * from disk and hand back summaries; the calling thread only links them into the index. For
 * repositories on the local disk. Without worker support it builds in the calling thread, with the
 * same result.
 * Each file has a parse budget on the workers (parseBudget.ts, issue 14): a worker still on one file
 * after it is terminated and replaced, the build goes on, and the file is indexed with only a problem
 * on line 1. That is why even a one-file build runs on a worker when workers can start: a thread
 * cannot stop its own synchronous parse.
 * One file on purpose (~550 lines): the pool, its workers' progress slots and the build share the
 * budget bookkeeping.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Problem } from '../core/text/fileText';
import { problemOnlySummary, type WorkspaceIndex } from '../core/index/workspaceIndex';
import {
  CheckContextState,
  INDEX_WORKER_MARKER,
  indexBatch,
  PROGRESS_BATCH,
  PROGRESS_BYTES,
  PROGRESS_FILE,
  PROGRESS_SEQUENCE,
  PROGRESS_SLOTS,
  type CheckContext,
  type IndexBatch,
  type IndexBatchResult,
  type IndexWorkerData,
  type WorkerJob,
} from './indexWorker';
import { DEFAULT_PARSE_BUDGET_MS, fileBudgetMs, overBudgetProblem, workerStoppedProblem } from '../core/index/parseBudget';
import type { FileKind } from '../core/config/paths';
import type { RepoConfig } from '../core/config/repoConfig';
import { decodeIndexedFiles, type EncodedFile, type IndexedFile } from '../core/index/summaryCodec';

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
  /**
   * Longest a worker may spend reading and parsing one file (default DEFAULT_PARSE_BUDGET_MS, plus
   * PARSE_BUDGET_MS_PER_MB for each megabyte of the file): past it the worker is terminated and
   * replaced and the file is indexed with only a problem saying so.
   */
  parseBudgetMs?: number;
}

export interface ParallelBuildOptions extends IndexWorkerPoolOptions {
  /** A pool kept between builds (its workers stay warm); without one, a pool is made for this build. */
  pool?: IndexWorkerPool;
  /** Files per message: big enough that messaging is cheap, small enough to keep every worker busy to the end. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * Told each summary a worker made with its compact text as sent (summaryCodec.ts), so the summary
   * cache stores it without encoding it again. Not told of files given up or built in the calling thread.
   */
  onEncoded?: (path: string, kind: FileKind, encoded: EncodedFile) => void;
}

export interface ParallelBuildReport {
  files: number;
  /** Worker threads used (0: built in the calling thread). */
  workers: number;
  /** Files a worker gave up on (over the budget, or its thread stopped while reading them), in path order. */
  givenUp: GivenUpFile[];
}

/** A file a worker gave up on, and the line-1 problem it was indexed with. */
export interface GivenUpFile {
  path: string;
  kind: FileKind;
  problem: Problem;
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

/** A file to index, with its text when the caller has it (an editor buffer) rather than the file on disk. */
interface BatchFile {
  path: string;
  kind: FileKind;
  reported?: boolean;
  content?: string;
}

function makeBatches(job: WorkerJob, root: string, config: RepoConfig, files: readonly BatchFile[], batchSize: number): PendingBatch[] {
  const batches: PendingBatch[] = [];
  for (let start = 0, id = 0; start < files.length; start += batchSize, id++) {
    const slice = files.slice(start, start + batchSize);
    const batch: IndexBatch = { id, job, root, config, paths: slice.map((f) => f.path), kinds: slice.map((f) => f.kind) };
    if (job === 'check') batch.reported = slice.map((f) => f.reported !== false);
    if (slice.some((f) => f.content !== undefined)) batch.contents = slice.map((f) => f.content ?? '');
    batches.push(new PendingBatch(batch));
  }
  return batches;
}

/** The entry of a file a worker gave up on, as the batch's job expects it. */
function givenUpEntry(batch: IndexBatch, i: number, problem: Problem): IndexedFile {
  const path = batch.paths[i];
  const kind = batch.kinds[i];
  if (batch.job === 'check' && kind === 'incident') {
    // Like an unreadable record: reported when checked, and left out of the cross-file rules.
    return batch.reported?.[i] === false ? { kind, missing: path } : { kind, checked: { path, checked: true, unreadable: true, problems: [{ ...problem, code: 'gave-up' }] } };
  }
  return { kind, summary: problemOnlySummary(kind, path, problem), givenUp: true };
}

/** A batch of a run, and the files of it given up so far (sent again without them). */
class PendingBatch {
  /** Index in the batch → the problem the file was given up with. */
  private readonly skipped = new Map<number, Problem>();
  private sendable: IndexBatch | undefined;
  /** Index in the batch of each file of `sendable`. */
  private kept: number[] | undefined;

  constructor(readonly batch: IndexBatch) {}

  get id(): number {
    return this.batch.id;
  }

  get size(): number {
    return this.batch.paths.length;
  }

  /** The batch to run: the files not given up. */
  toSend(): IndexBatch {
    if (this.sendable) return this.sendable;
    if (this.skipped.size === 0) return (this.sendable = this.batch);
    const keep = (_: unknown, i: number): boolean => !this.skipped.has(i);
    const { batch } = this;
    this.kept = batch.paths.map((_, i) => i).filter((i) => !this.skipped.has(i));
    this.sendable = { ...batch, paths: batch.paths.filter(keep), kinds: batch.kinds.filter(keep) };
    if (batch.reported) this.sendable.reported = batch.reported.filter(keep);
    if (batch.contents) this.sendable.contents = batch.contents.filter(keep);
    return this.sendable;
  }

  /** Gives up file `sentIndex` of the batch last sent. */
  giveUp(sentIndex: number, problem: Problem): void {
    const i = this.kept ? this.kept[sentIndex] : sentIndex;
    if (i === undefined || i >= this.size || this.skipped.has(i)) return;
    this.skipped.set(i, problem);
    this.sendable = undefined;
    this.kept = undefined;
  }

  /** The files given up, in batch order. */
  givenUpFiles(): GivenUpFile[] {
    return [...this.skipped].sort(([a], [b]) => a - b).map(([i, problem]) => ({ path: this.batch.paths[i], kind: this.batch.kinds[i], problem }));
  }

  /** The results of the sent batch with the given-up files put back in their places. */
  expand(files: IndexedFile[]): IndexedFile[] {
    if (this.skipped.size === 0) return files;
    const out: IndexedFile[] = [];
    for (let i = 0, next = 0; i < this.size; i++) {
      const problem = this.skipped.get(i);
      out.push(problem ? givenUpEntry(this.batch, i, problem) : files[next++]);
    }
    return out;
  }
}

/** What a run does with each batch's files, called in batch order. */
type BatchSink = (files: IndexedFile[]) => void;

/** A worker thread and the progress slots it writes (indexWorker.ts). */
interface PoolWorker {
  thread: Worker;
  progress: Int32Array;
}

/** A worker's state during one run: the batches sent to it (oldest first) and when its progress last moved. */
interface WorkerRun {
  inFlight: PendingBatch[];
  sequence: number;
  since: number;
  detach(): void;
}

/** How often the watchdog reads the workers' progress: a small share of the budget, at most 4 times a second. */
function watchdogInterval(budgetMs: number): number {
  return Math.max(10, Math.min(250, Math.floor(budgetMs / 20)));
}

/**
 * Worker threads that index batches of files. Keep one for the life of a window or process: workers
 * compile the parsers once, so later builds (a reindex after `git checkout`) run warm.
 */
export class IndexWorkerPool {
  private readonly script: string;
  private readonly count: number;
  private readonly youngGenerationMb: number;
  private readonly idleStopMs: number | undefined;
  private budgetMs: number;
  private workers: PoolWorker[] = [];
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
    this.budgetMs = validBudget(options.parseBudgetMs);
  }

  /** The parse budget of one file, in milliseconds (see {@link IndexWorkerPoolOptions.parseBudgetMs}). */
  get parseBudgetMs(): number {
    return this.budgetMs;
  }

  set parseBudgetMs(ms: number) {
    this.budgetMs = validBudget(ms);
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
  async build(index: WorkspaceIndex, root: string, paths: readonly string[], options: Pick<ParallelBuildOptions, 'batchSize' | 'onProgress' | 'onEncoded'> = {}): Promise<ParallelBuildReport> {
    const files: { path: string; kind: FileKind }[] = [];
    for (let i = 0; i < paths.length; i++) {
      // Matching globs costs ~20 µs a path: let the calling thread (the extension host) breathe between chunks.
      if (i > 0 && i % CLASSIFY_CHUNK === 0) await new Promise((resolve) => setImmediate(resolve));
      const path = paths[i];
      const kind = index.classifier.classify(path);
      if (kind !== undefined) files.push({ path, kind });
    }
    const batches = makeBatches('index', root, index.repoConfig, files, Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE));
    const { onEncoded } = options;
    const sink: BatchSink = onEncoded
      ? (done) => {
          apply(index, done);
          for (const file of done) if ('encoded' in file && file.encoded) onEncoded(file.summary.path, file.kind, file.encoded);
        }
      : (done) => apply(index, done);
    return this.enqueue(batches, undefined, files.length, sink, options.onProgress, onEncoded !== undefined);
  }

  /**
   * Index summaries of texts the caller holds (unsaved editor buffers), parsed on the workers under the
   * budget; entries in the order of `files`, `givenUp` set on those a worker gave up on.
   */
  async summarizeTexts(config: RepoConfig, files: readonly { path: string; kind: FileKind; content: string }[]): Promise<IndexedFile[]> {
    const out: IndexedFile[] = [];
    await this.enqueue(makeBatches('index', '', config, files, DEFAULT_BATCH_SIZE), undefined, files.length, (done) => {
      for (const file of done) out.push(file);
    });
    return out;
  }

  /**
   * The per-file work of `runbook-ops check`: runbook summaries, and for incident records the check's
   * facts under `context` (see `checkIncidentFile`; needed when `files` holds records); results in the order of `files`
   * (a runbook a worker gave up on has `givenUp` set; a record, a problem with code `gave-up`).
   */
  async checkFiles(root: string, config: RepoConfig, files: readonly CheckFile[], context?: CheckRunContext, options: Pick<ParallelBuildOptions, 'batchSize'> = {}): Promise<IndexedFile[]> {
    const batches = makeBatches('check', root, config, files, Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE));
    const out: IndexedFile[] = [];
    await this.enqueue(batches, context && { type: 'check-context', ...context }, files.length, (done) => {
      for (const file of done) out.push(file);
    });
    return out;
  }

  /**
   * Starts up to `wanted` workers now, so loading their code overlaps what the caller does before its
   * first build (listing files, asking git); a build then finds them ready.
   */
  prestart(wanted: number): void {
    this.startWorkers(Math.min(this.size, wanted));
  }

  /** Stops the workers; a later build starts new ones. */
  async dispose(): Promise<void> {
    this.cancelIdleStop();
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.thread.terminate()));
  }

  private enqueue(batches: PendingBatch[], context: CheckContext | undefined, files: number, sink: BatchSink, onProgress?: (done: number, total: number) => void, keepText = false): Promise<ParallelBuildReport> {
    this.cancelIdleStop();
    this.active++;
    const run = this.queue.then(() => this.run(batches, context, files, sink, onProgress, keepText));
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

  private async run(batches: readonly PendingBatch[], context: CheckContext | undefined, files: number, sink: BatchSink, onProgress: ((done: number, total: number) => void) | undefined, keepText: boolean): Promise<ParallelBuildReport> {
    let done = 0;
    const report = (batch: PendingBatch): void => {
      done += batch.size;
      onProgress?.(done, files);
    };
    const givenUp = (): GivenUpFile[] => batches.flatMap((b) => b.givenUpFiles());
    const workers = this.startWorkers(Math.min(this.size, batches.length));
    // No workers here: the calling thread, with the same result (and no budget: it cannot stop itself).
    if (workers.length < 1) {
      buildInCallingThread(batches, 0, context, sink, report);
      return { files, workers: 0, givenUp: [] };
    }
    const applied = await this.dispatch(batches, context, workers, sink, report, keepText);
    if (applied < batches.length) {
      // Workers could not be (re)started: finish here, without the files given up so far, and start afresh next time.
      await this.dispose();
      buildInCallingThread(batches, applied, context, sink, report);
      return { files, workers: 0, givenUp: givenUp() };
    }
    return { files, workers: workers.length, givenUp: givenUp() };
  }

  /** Up to `wanted` workers (reusing the pool's); none when they cannot start here. */
  private startWorkers(wanted: number): PoolWorker[] {
    while (this.workers.length < wanted) {
      const worker = this.startWorker();
      if (!worker) return [];
    }
    return this.workers.slice(0, wanted);
  }

  /** One more worker in the pool; undefined (and no workers from now on) when they cannot start here. */
  private startWorker(): PoolWorker | undefined {
    try {
      const progress = new SharedArrayBuffer(PROGRESS_SLOTS * Int32Array.BYTES_PER_ELEMENT);
      const workerData: IndexWorkerData = { marker: INDEX_WORKER_MARKER, progress };
      const thread = new Worker(this.script, { workerData, resourceLimits: { maxYoungGenerationSizeMb: this.youngGenerationMb } });
      const worker = { thread, progress: new Int32Array(progress) };
      this.workers.push(worker);
      return worker;
    } catch {
      // No worker threads in this runtime (or the script cannot load): every build runs in the calling thread.
      this.broken = true;
      void this.dispose();
      return undefined;
    }
  }

  /** Takes a worker out of the pool for good (it is stuck in a file, or it stopped). */
  private retire(worker: PoolWorker): void {
    this.workers = this.workers.filter((w) => w !== worker);
    void worker.thread.terminate();
  }

  /**
   * Runs the batches on the workers; resolves with how many were applied (fewer when workers could not
   * be started again). A worker over the budget on a file, or stopping while in one, is replaced and the
   * file given up; the batches it held are sent again first.
   */
  private dispatch(batches: readonly PendingBatch[], context: CheckContext | undefined, workers: readonly PoolWorker[], sink: BatchSink, report: (batch: PendingBatch) => void, keepText: boolean): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const todo = batches.slice();
      let nextToApply = 0;
      let settled = false;
      const waiting = new Map<number, IndexBatchResult>();
      const runs = new Map<PoolWorker, WorkerRun>();
      const budget = this.budgetMs;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearInterval(watchdog);
        for (const run of runs.values()) run.detach();
        runs.clear();
        if (err) reject(err);
        else resolve(nextToApply);
      };
      const feed = (): void => {
        // Two batches each, so a worker never waits for the calling thread between batches.
        for (const [worker, run] of runs) {
          while (run.inFlight.length < 2 && todo.length > 0) {
            const next = todo.shift()!;
            run.inFlight.push(next);
            worker.thread.postMessage(next.toSend());
          }
        }
      };
      const receive = (run: WorkerRun, result: IndexBatchResult): void => {
        const index = run.inFlight.findIndex((b) => b.id === result.id);
        if (index < 0) return;
        run.inFlight.splice(index, 1);
        feed();
        waiting.set(result.id, result);
        // Apply in batch order: the index (and its Map iteration orders) then match a sequential build.
        for (let ready = waiting.get(nextToApply); ready !== undefined; ready = waiting.get(nextToApply)) {
          waiting.delete(nextToApply);
          const files = 'encoded' in ready ? decodeIndexedFiles(ready.encoded, keepText) : (JSON.parse(ready.json) as IndexedFile[]);
          sink(batches[nextToApply].expand(files));
          report(batches[nextToApply]);
          nextToApply++;
        }
        if (nextToApply === batches.length) finish();
      };
      /** Whether `worker` is in a file now, and which: the batch it runs and the file's index in what was sent. */
      const currentFile = (worker: PoolWorker, run: WorkerRun): { batch: PendingBatch; file: number } | undefined => {
        if ((Atomics.load(worker.progress, PROGRESS_SEQUENCE) & 1) === 0) return undefined;
        const batch = run.inFlight.find((b) => b.id === Atomics.load(worker.progress, PROGRESS_BATCH));
        return batch && { batch, file: Atomics.load(worker.progress, PROGRESS_FILE) };
      };
      /** Gives up the file `worker` is on, and carries on with a new worker in its place. */
      const replace = (worker: PoolWorker, problem: Problem): void => {
        const run = runs.get(worker);
        if (!run || settled) return;
        const current = currentFile(worker, run);
        current?.batch.giveUp(current.file, problem);
        run.detach();
        runs.delete(worker);
        this.retire(worker);
        todo.unshift(...run.inFlight);
        const fresh = this.startWorker();
        // Workers cannot start any more: the run falls back to the calling thread from the first batch not applied.
        if (!fresh) return finish();
        attach(fresh);
        feed();
      };
      const attach = (worker: PoolWorker): void => {
        const onMessage = (result: IndexBatchResult): void => {
          if (settled) return;
          try {
            receive(run, result);
          } catch (err) {
            // Applying a result failed: a bug here, not a worker problem, so no fallback.
            finish(err as Error);
          }
        };
        const onFailure = (reason: Error | number): void => {
          if (settled) return;
          // Stopped inside a file (out of memory, a crash): that file is the likely cause, so it is given
          // up rather than parsed again here. Stopped between files: the calling thread takes over.
          if (currentFile(worker, run)) replace(worker, workerStoppedProblem(typeof reason === 'number' ? `exit code ${reason}` : reason.message));
          else finish();
        };
        const { thread } = worker;
        thread.on('message', onMessage);
        thread.on('error', onFailure);
        thread.on('exit', onFailure);
        const run: WorkerRun = {
          inFlight: [],
          sequence: Atomics.load(worker.progress, PROGRESS_SEQUENCE),
          since: performance.now(),
          detach: () => {
            thread.off('message', onMessage);
            thread.off('error', onFailure);
            thread.off('exit', onFailure);
          },
        };
        runs.set(worker, run);
        if (context) thread.postMessage(context);
      };
      // The budget's clock: a worker whose progress has not moved while in a file for that file's budget is stuck.
      const watchdog = setInterval(() => {
        const now = performance.now();
        for (const [worker, run] of [...runs]) {
          const sequence = Atomics.load(worker.progress, PROGRESS_SEQUENCE);
          if (sequence !== run.sequence) {
            run.sequence = sequence;
            run.since = now;
            continue;
          }
          if ((sequence & 1) === 0) continue;
          const limit = fileBudgetMs(budget, Atomics.load(worker.progress, PROGRESS_BYTES));
          if (now - run.since >= limit) replace(worker, overBudgetProblem(limit));
        }
      }, watchdogInterval(budget));
      // Never what keeps a process alive: the workers do that while they have work.
      watchdog.unref?.();
      for (const worker of workers) attach(worker);
      feed();
    });
  }
}

function validBudget(ms: number | undefined): number {
  return ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_PARSE_BUDGET_MS;
}

function buildInCallingThread(batches: readonly PendingBatch[], from: number, context: CheckContext | undefined, sink: BatchSink, report: (batch: PendingBatch) => void): void {
  const state = context && batches.length > 0 ? new CheckContextState(context, batches[0].batch.root, batches[0].batch.config) : undefined;
  for (let i = from; i < batches.length; i++) {
    // Files a worker gave up on in this run are not parsed here.
    sink(batches[i].expand(indexBatch(batches[i].toSend(), state)));
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
