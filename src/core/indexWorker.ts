/**
 * A worker thread of the parallel index build (DESIGN §7: parsing may use both cores). It reads files
 * straight from disk, parses them with the same code as the in-process build and sends their summaries
 * back as JSON text, which the main thread parses faster than a structured clone of the same objects.
 * Bundled on its own as dist/indexWorker.js; inert when imported anywhere but a worker it was started as.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { isMissingFile, summarizeFileContent, unreadableFileSummary, type IncidentSummary, type RunbookSummary } from './index';
import type { FileKind } from './paths';
import type { RepoConfig } from './repoConfig';

/** The workerData a pool starts its workers with; anything else leaves this module inert. */
export const INDEX_WORKER_MARKER = 'runbook-ops-index-worker';

/** Files to index, in the order their results are to be applied. */
export interface IndexBatch {
  id: number;
  /** Absolute path of the repository root the paths are relative to. */
  root: string;
  /** What incidents are checked against (severities…). */
  config: RepoConfig;
  paths: string[];
  kinds: FileKind[];
}

/** One file's outcome: its summary, or the path alone when it no longer exists. */
export type IndexedFile = { kind: FileKind; summary: RunbookSummary | IncidentSummary } | { kind: FileKind; missing: string };

export interface IndexBatchResult {
  id: number;
  /** JSON of IndexedFile[], in the batch's order. */
  json: string;
}

/** Files are read into this one buffer (parsing copies what it keeps), bigger ones with readFileSync. */
const READ_BUFFER_BYTES = 256 * 1024;
let readBuffer: Buffer | undefined;

/** The file's bytes, valid until the next call. One open, read and close, no stat and no allocation. */
function readWhole(file: string): Uint8Array {
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

/** Reads and summarizes a batch's files (in a worker, or in the calling thread when there are none). */
export function indexBatch(batch: IndexBatch): IndexedFile[] {
  const out: IndexedFile[] = [];
  for (let i = 0; i < batch.paths.length; i++) {
    const path = batch.paths[i];
    const kind = batch.kinds[i];
    let content: Uint8Array;
    try {
      content = readWhole(join(batch.root, path));
    } catch (err) {
      out.push(isMissingFile(err) ? { kind, missing: path } : { kind, summary: unreadableFileSummary(kind, path, err) });
      continue;
    }
    out.push({ kind, summary: summarizeFileContent(kind, path, content, batch.config) });
  }
  return out;
}

function serve(port: MessagePort): void {
  port.on('message', (batch: IndexBatch) => {
    const result: IndexBatchResult = { id: batch.id, json: JSON.stringify(indexBatch(batch)) };
    port.postMessage(result);
  });
}

if (parentPort && workerData === INDEX_WORKER_MARKER) serve(parentPort);
