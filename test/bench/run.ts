// `npm run bench`: the README's Performance table for the full corpus (10,000 runbooks + 10,000 incidents),
// printed and written to bench-results.json in the repository root.
//   node esbuild.mjs --tests && node --expose-gc out/test/bench/run.js [--runs N] [--small] [--no-vscode]
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../harness/paths';
import { formatBenchTable, runBenchmarks } from './benchmarkSuite';
import { benchIncidentBoard } from './boardBench';
import { FULL_CORPUS, SMALL_CORPUS } from './corpusGenerator';
import { benchMerge } from './mergeBench';
import { benchWorstCase } from './worstCaseBench';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
  const smallOnly = args.includes('--small');
  // The activation rows start code-server and Chromium (TESTING.md); --no-vscode leaves them out.
  const activationRuns = args.includes('--no-vscode') ? 0 : Math.min(runs, 3);
  const cliPath = join(repoRoot, 'dist', 'cli.js');
  const workerScript = join(repoRoot, 'dist', 'indexWorker.js');
  const results = await runBenchmarks({
    size: smallOnly ? SMALL_CORPUS : FULL_CORPUS,
    smallSize: SMALL_CORPUS,
    runs,
    incrementalUpdates: 1_000,
    reviewDates: { files: smallOnly ? 2_000 : 20_000, commits: 2_000, perFileSample: 500 },
    cliPath: existsSync(cliPath) ? cliPath : undefined,
    activationRuns,
    workerScript: existsSync(workerScript) ? workerScript : undefined,
    memoryProbeScript: join(__dirname, 'indexMemoryProbe.js'),
    rawReadProbeScript: join(__dirname, 'rawReadProbe.js'),
    log: (line) => process.stderr.write(`  ${line}\n`),
  });
  results.rows.push(...(await benchIncidentBoard({ incidents: 5_000, runs, bundleDir: join(repoRoot, 'dist', 'webview'), log: (line) => process.stderr.write(`  ${line}\n`) })));
  const log = (line: string): boolean => process.stderr.write(`  ${line}\n`);
  results.rows.push(...benchWorstCase({ runs, log }), ...benchMerge({ runs: Math.min(runs, 3), log }));
  const { machine, corpus } = results;
  process.stdout.write(
    `\nRunbook Ops bench: ${corpus.runbooks} runbooks (${(corpus.runbookBytes / 1e6).toFixed(0)} MB) + ${corpus.incidents} incidents (${(corpus.incidentBytes / 1e6).toFixed(0)} MB), ` +
      `${corpus.serviceFolders} service folders, seed ${corpus.seed}\n` +
      `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGB} GB, Node ${machine.node}; medians of ${runs} runs after a warm-up; ` +
      `1-minute load average ${machine.loadAverageAtStart.toFixed(1)} at the start, ${machine.loadAverageAtEnd.toFixed(1)} at the end\n\n`,
  );
  process.stdout.write(`${formatBenchTable(results)}\n\n`);
  process.stdout.write(`Parallel index equals sequential: ${results.checks.parallelEqualsSequential}; incremental updates equal a rebuild: ${results.checks.incrementalEqualsRebuild}\n`);
  process.stdout.write(`Bench took ${results.seconds.toFixed(0)} s.\n`);
  writeFileSync(join(repoRoot, 'bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  if (!results.checks.parallelEqualsSequential || !results.checks.incrementalEqualsRebuild) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
