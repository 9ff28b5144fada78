// The index build under a CPU profiler, in the calling thread so one profile holds all of it (the
// worker threads run exactly this code, indexBatch, on their share of the files):
//   node --cpu-prof --cpu-prof-dir=prof out/test/bench/profileIndex.js [full|small] [builds=3]
//   node out/test/bench/profileSummary.js prof/<newest>.cpuprofile
import { listRepositoryFiles } from '../../src/fs/repositoryFiles';
import { WorkspaceIndex } from '../../src/core/index/workspaceIndex';
import { buildIndexInParallel } from '../../src/fs/parallelIndex';
import { ensureCorpus, FULL_CORPUS, SMALL_CORPUS } from './corpusGenerator';

async function main(): Promise<void> {
  const corpus = ensureCorpus(process.argv[2] === 'small' ? SMALL_CORPUS : FULL_CORPUS);
  const builds = Math.max(1, Number(process.argv[3] ?? 3));
  for (let i = 0; i < builds; i++) {
    const started = performance.now();
    const index = new WorkspaceIndex();
    await buildIndexInParallel(index, corpus.root, listRepositoryFiles(corpus.root), { workers: 0 });
    process.stdout.write(`build ${i + 1}: ${((performance.now() - started) / 1000).toFixed(3)} s, ${index.runbookCount} runbooks, ${index.incidentCount} incidents\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
