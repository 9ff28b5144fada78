/**
 * A worker thread of the parallel index build (README, Performance: parsing may use both cores). It reads files
 * straight from disk, parses them with the same code as the in-process build and sends their summaries
 * back in a compact JSON form (summaryCodec.ts), which the main thread decodes faster than a structured
 * clone of the same objects.
 * Bundled on its own as dist/indexWorker.js; inert when imported anywhere but a worker it was started as.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { isMissingFile, summarizeFileContent, unreadableFileSummary } from '../core/index/workspaceIndex';
import { checkIncidentFile } from '../core/incident/incidentCheck';
import type { IncidentValidationContext } from '../core/incident/incidentValidation';
import type { FileKind } from '../core/config/paths';
import { TEST_SPIN_ENV } from '../core/index/parseBudget';
import type { RepoConfig } from '../core/config/repoConfig';
import { parseRunbook } from '../core/runbook/runbook';
import { encodeIndexedFiles, type EncodedFiles, type IndexedFile } from '../core/index/summaryCodec';

/** The marker in the workerData a pool starts its workers with; anything else leaves this module inert. */
export const INDEX_WORKER_MARKER = 'runbook-ops-index-worker';

/** A worker's workerData: the marker and the shared slots it reports the file it is on in. */
export interface IndexWorkerData {
  marker: typeof INDEX_WORKER_MARKER;
  progress: SharedArrayBuffer;
}

/**
 * Int32 slots of a worker's progress buffer, written by the worker as it goes and read by the pool's
 * watchdog (parseBudget.ts): no message per file, so the budget costs the build nothing measurable.
 * PROGRESS_SEQUENCE goes up by one as a file starts and as it ends: odd while the worker is in a file.
 */
export const PROGRESS_SEQUENCE = 0;
export const PROGRESS_BATCH = 1;
export const PROGRESS_FILE = 2;
/** Size of the current file once read (bytes; characters for a text from the caller): its budget grows with it. */
export const PROGRESS_BYTES = 3;
export const PROGRESS_SLOTS = 4;

/** Told when each file of a batch starts, is read, and ends (a worker's progress slots). */
export interface FileProgress {
  start(batch: number, file: number, path: string): void;
  read(bytes: number): void;
  end(): void;
}

/**
 * What a batch's files are read for: `index` makes each file's index summary; `check` makes runbook
 * summaries and, for incident records, what `runbook-ops check` reports under the cross-file context.
 */
export type WorkerJob = 'index' | 'check';

/** Files to index, in the order their results are to be applied. */
export interface IndexBatch {
  id: number;
  job: WorkerJob;
  /** Absolute path of the repository root the paths are relative to. */
  root: string;
  /** What incidents are checked against (severities…). */
  config: RepoConfig;
  paths: string[];
  kinds: FileKind[];
  /** `check` job: whether each file is reported (checked in full) or only read for cross-file facts. */
  reported?: boolean[];
  /** The files' text, when the caller has it (an unsaved editor buffer): used instead of reading the files. */
  contents?: string[];
}

/**
 * The cross-file context of a `check` job, sent to each worker once before its batches (the message
 * order of a port is kept): runbook paths, the step ids of the runbooks already parsed, "now".
 */
export interface CheckContext {
  type: 'check-context';
  runbookPaths: string[];
  /** Step ids by runbook path; runbooks not listed are parsed from disk when a record names one of their steps. */
  stepIds: [string, string[]][];
  nowMs: number;
  /** Ids of records deleted on the branch (`--changed-since`). */
  deletedIds: string[];
  /** Runbooks a worker gave up on: their step ids are unknown, and they are not parsed again. */
  givenUp?: string[];
}

/** IndexedFile[] in the batch's order: the compact form of summaryCodec for an `index` job, JSON text for `check`. */
export type IndexBatchResult = { id: number; encoded: EncodedFiles } | { id: number; json: string };

/** Files are read into this one buffer (parsing copies what it keeps), bigger ones with readFileSync. */
const READ_BUFFER_BYTES = 256 * 1024;
let readBuffer: Buffer | undefined;

/** The file's bytes, valid until the next call. One open, read and close, no stat and no allocation. */
export function readWhole(file: string): Uint8Array {
  readBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
  const fd = openSync(file, 'r');
  let length = 0;
  try {
    for (let n = readSync(fd, readBuffer, 0, READ_BUFFER_BYTES, 0); n > 0; n = readSync(fd, readBuffer, length, READ_BUFFER_BYTES - length, length)) {
      length += n;
      if (length === READ_BUFFER_BYTES) return readFileSync(file);
    }
  } finally {
    closeSync(fd);
  }
  return readBuffer.subarray(0, length);
}

/** A check context unpacked for the validator; runbooks' step ids are parsed on first use when not given. */
export class CheckContextState {
  readonly validation: IncidentValidationContext;
  readonly deletedIds: ReadonlySet<string>;

  constructor(message: CheckContext, root: string, config: RepoConfig) {
    const known = new Set(message.runbookPaths);
    const given = new Map(message.stepIds.map(([path, ids]) => [path, new Set(ids)]));
    const givenUp = new Set(message.givenUp);
    const parsed = new Map<string, ReadonlySet<string> | undefined>();
    const stepIds = {
      get(path: string): ReadonlySet<string> | undefined {
        const ids = given.get(path);
        if (ids || !known.has(path) || givenUp.has(path)) return ids;
        if (!parsed.has(path)) {
          let content: Uint8Array | undefined;
          try {
            content = readFileSync(join(root, path));
          } catch {
            content = undefined;
          }
          parsed.set(path, content && new Set(parseRunbook(path, content).steps.map((s) => s.id)));
        }
        return parsed.get(path);
      },
    } as ReadonlyMap<string, ReadonlySet<string>>;
    this.validation = { config, runbookPaths: known, runbookStepIds: stepIds, now: new Date(message.nowMs) };
    this.deletedIds = new Set(message.deletedIds);
  }
}

/** Reads and summarizes a batch's files (in a worker, or in the calling thread when there are none). */
export function indexBatch(batch: IndexBatch, check?: CheckContextState, progress?: FileProgress): IndexedFile[] {
  const out: IndexedFile[] = [];
  for (let i = 0; i < batch.paths.length; i++) {
    progress?.start(batch.id, i, batch.paths[i]);
    out.push(indexFile(batch, i, check, progress));
    progress?.end();
  }
  return out;
}

function indexFile(batch: IndexBatch, i: number, check: CheckContextState | undefined, progress: FileProgress | undefined): IndexedFile {
  const path = batch.paths[i];
  const kind = batch.kinds[i];
  const reported = batch.reported?.[i] ?? true;
  let content: Uint8Array | string;
  try {
    content = batch.contents?.[i] ?? readWhole(join(batch.root, path));
  } catch (err) {
    if (batch.job === 'check' && kind === 'incident') {
      // An unreadable record is reported when it is checked, and left out of the cross-file rules.
      const problem = { line: 1, severity: 'error' as const, code: 'not-text' as const, message: `Could not read this file: ${(err as Error).message}` };
      return reported ? { kind, checked: { path, checked: true, unreadable: true, problems: [problem] } } : { kind, missing: path };
    }
    if (isMissingFile(err)) return { kind, missing: path };
    if (batch.job === 'check') return { kind, summary: unreadableFileSummary(kind, path, err), unreadable: true };
    return { kind, summary: unreadableFileSummary(kind, path, err) };
  }
  progress?.read(content.length);
  if (batch.job === 'check' && kind === 'incident') {
    if (!check) throw new Error('A check batch arrived without its context.');
    return { kind, checked: checkIncidentFile(path, content, check.validation, { report: reported, deletedIds: check.deletedIds }) };
  }
  return { kind, summary: summarizeFileContent(kind, path, content, batch.config) };
}

/** The worker's side of the progress slots; with TEST_SPIN_ENV set, it never finishes a matching file. */
function sharedProgress(buffer: SharedArrayBuffer): FileProgress {
  const slots = new Int32Array(buffer);
  const spinOn = process.env[TEST_SPIN_ENV] || undefined;
  let spin = false;
  return {
    start(batch, file, path) {
      Atomics.store(slots, PROGRESS_BATCH, batch);
      Atomics.store(slots, PROGRESS_FILE, file);
      Atomics.store(slots, PROGRESS_BYTES, 0);
      Atomics.add(slots, PROGRESS_SEQUENCE, 1);
      spin = spinOn !== undefined && path.includes(spinOn);
    },
    read(bytes) {
      Atomics.store(slots, PROGRESS_BYTES, Math.min(bytes, 0x7fffffff));
      if (spin) spinForever();
    },
    end() {
      Atomics.add(slots, PROGRESS_SEQUENCE, 1);
    },
  };
}

/** TEST ONLY (TEST_SPIN_ENV): what a parse that never ends looks like to the pool. */
function spinForever(): never {
  for (;;) {
    // Busy, as a catastrophic regular expression would be: only terminating the worker ends it.
  }
}

function serve(port: MessagePort, progress: FileProgress): void {
  let context: CheckContext | undefined;
  let state: CheckContextState | undefined;
  port.on('message', (message: IndexBatch | CheckContext) => {
    if ('type' in message) {
      context = message;
      state = undefined;
      return;
    }
    // Unpacked when its first batch arrives, which brings the root and the config.
    if (message.job === 'check' && context && !state) state = new CheckContextState(context, message.root, message.config);
    const files = indexBatch(message, state, progress);
    // Index summaries in their compact form (summaryCodec.ts): far less for the main thread to decode.
    const result: IndexBatchResult = message.job === 'index' ? { id: message.id, encoded: encodeIndexedFiles(files) } : { id: message.id, json: JSON.stringify(files) };
    port.postMessage(result);
  });
}

const data = workerData as IndexWorkerData | undefined;
if (parentPort && data?.marker === INDEX_WORKER_MARKER) serve(parentPort, sharedProgress(data.progress));
