// One index build in a fresh process, for what only a fresh process shows: the first (cold) build
// time, peak RSS, and the heap the finished index retains (gc before and after, so garbage from
// parsing is not counted), also once every runbook's steps have been read. Run by benchmarkSuite.ts as
//   node --expose-gc out/test/bench/indexMemoryProbe.js <root> parallel|sequential [workerScript]
import { listRepositoryFiles, repositoryReader } from '../../src/fs/repositoryFiles';
import { WorkspaceIndex } from '../../src/core/index/workspaceIndex';
import { buildIndexInParallel } from '../../src/fs/parallelIndex';

export interface MemoryProbeResult {
  mode: 'parallel' | 'sequential';
  files: number;
  buildSeconds: number;
  retainedHeapBytes: number;
  /** The same once every runbook's headings and steps have been read (the parallel build decodes them on first read). */
  retainedHeapAfterReadBytes: number;
  peakRssBytes: number;
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

async function main(): Promise<void> {
  const [root, mode, workerScript] = process.argv.slice(2);
  if (!root || (mode !== 'parallel' && mode !== 'sequential')) throw new Error('usage: indexMemoryProbe <root> parallel|sequential [workerScript]');
  const paths = listRepositoryFiles(root);
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const index = new WorkspaceIndex();
  const started = performance.now();
  if (mode === 'parallel') await buildIndexInParallel(index, root, paths, { workerScript });
  else await index.build(paths, repositoryReader(root));
  const buildSeconds = (performance.now() - started) / 1000;
  collectGarbage();
  const after = process.memoryUsage().heapUsed;
  let read = 0;
  for (const runbook of index.runbooks()) read += runbook.steps.length + runbook.headings.length;
  if (read === 0 && index.runbookCount > 0) throw new Error('read no headings or steps: the "after reading" figure would measure nothing');
  collectGarbage();
  const afterRead = process.memoryUsage().heapUsed;
  const result: MemoryProbeResult = {
    mode,
    files: index.runbookCount + index.incidentCount,
    buildSeconds,
    retainedHeapBytes: after - before,
    retainedHeapAfterReadBytes: afterRead - before,
    // maxRSS is in kilobytes.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
