// `npm test`: every stage in order, then one summary line.
//   node out/test/run.js [typecheck|lint|unit|integration|e2e]
// Typecheck and lint count as one test each. A stage that crashes counts as
// (at least) one failure. The last line printed is always
// `N passed, N failed` (plus `, N skipped` when any were skipped).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { mochaHooks } from './e2e/hooks';
import { emptyCounts, runMochaFiles, type TestCounts } from './harness/mochaRun';
import { findFiles, outTestDir, repoRoot } from './harness/paths';
import { runIntegrationTests } from './harness/runIntegration';
import { E2E_TEST_TIMEOUT_MS } from './harness/waits';

/** RUNBOOK_OPS_GREP=<text>: only the unit and e2e tests whose full title contains it (while developing). */
const grep = process.env.RUNBOOK_OPS_GREP || undefined;

type StageName = 'typecheck' | 'lint' | 'unit' | 'integration' | 'e2e';

interface Stage {
  name: StageName;
  run(): Promise<TestCounts>;
}

interface StageOutcome {
  name: StageName;
  counts: TestCounts;
  seconds: number;
}

/** Runs a Node CLI from node_modules as one pass/fail "test". */
function runToolAsTest(title: string, script: string, args: string[]): Promise<TestCounts> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'node_modules', script), ...args], { cwd: repoRoot, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve({ ...emptyCounts(), passed: 1 });
      else resolve({ ...emptyCounts(), failed: 1, failures: [{ title, error: `exited with ${code ?? signal}` }] });
    });
  });
}

const stages: Stage[] = [
  { name: 'typecheck', run: () => runToolAsTest('tsc --noEmit -p .', 'typescript/bin/tsc', ['--noEmit', '-p', '.']) },
  { name: 'lint', run: () => runToolAsTest('eslint .', 'eslint/bin/eslint.js', ['.']) },
  { name: 'unit', run: () => runMochaFiles(findFiles(join(outTestDir, 'unit'), '.test.js'), { grep }) },
  { name: 'integration', run: () => runIntegrationTests() },
  {
    name: 'e2e',
    async run() {
      const files = findFiles(join(outTestDir, 'e2e'), '.test.js');
      if (files.length === 0) return emptyCounts();
      // Each wait in a test has its own deadline (harness/waits.ts); this only bounds a test as a whole.
      return runMochaFiles(files, { rootHooks: mochaHooks, timeout: E2E_TEST_TIMEOUT_MS, grep });
    },
  },
];

function formatCounts(counts: Pick<TestCounts, 'passed' | 'failed' | 'skipped'>): string {
  const text = `${counts.passed} passed, ${counts.failed} failed`;
  return counts.skipped > 0 ? `${text}, ${counts.skipped} skipped` : text;
}

function describeCrash(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function runStage(stage: Stage): Promise<StageOutcome> {
  process.stdout.write(`\n=== ${stage.name} ===\n`);
  const started = performance.now();
  let counts: TestCounts;
  try {
    counts = await stage.run();
  } catch (error) {
    const message = describeCrash(error);
    process.stderr.write(`${stage.name} crashed:\n${message}\n`);
    counts = { ...emptyCounts(), failed: 1, failures: [{ title: `${stage.name} crashed`, error: message }] };
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`--- ${stage.name}: ${formatCounts(counts)} (${seconds.toFixed(1)} s)\n`);
  return { name: stage.name, counts, seconds };
}

async function main(): Promise<number> {
  const selected = process.argv[2];
  const toRun = selected ? stages.filter((stage) => stage.name === selected) : stages;
  if (toRun.length === 0) {
    process.stderr.write(`unknown stage "${selected}"; expected one of: ${stages.map((stage) => stage.name).join(', ')}\n`);
    return 2;
  }
  const outcomes: StageOutcome[] = [];
  for (const stage of toRun) outcomes.push(await runStage(stage));

  const total = emptyCounts();
  process.stdout.write('\n=== summary ===\n');
  for (const { name, counts, seconds } of outcomes) {
    process.stdout.write(`${name.padEnd(12)} ${formatCounts(counts).padEnd(36)} ${seconds.toFixed(1).padStart(6)} s\n`);
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
    for (const failure of counts.failures) process.stdout.write(`  ✗ ${failure.title}\n`);
  }
  process.stdout.write(`${formatCounts(total)}\n`);
  return total.failed > 0 ? 1 : 0;
}

main().then(
  // Exit explicitly: a test that leaks a timer or socket must not hang CI.
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${describeCrash(error)}\n`);
    process.stdout.write('0 passed, 1 failed\n');
    process.exit(1);
  },
);
