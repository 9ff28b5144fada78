// `npm run fuzz`: the fuzz suite (test/unit/incidentFuzz.test.ts) with a large case count.
//   RUNBOOK_OPS_FUZZ_RUNS (default 20,000) and RUNBOOK_OPS_FUZZ_SEED pick the cases; a failure prints
//   the seed and case number to replay. Ends with `N passed, N failed` like `npm test`.
import { join } from 'node:path';
import { runMochaFiles } from './harness/mochaRun';
import { outTestDir } from './harness/paths';

process.env.RUNBOOK_OPS_FUZZ_RUNS ??= '20000';
runMochaFiles([join(outTestDir, 'unit', 'incidentFuzz.test.js')]).then(
  (counts) => {
    process.stdout.write(`${counts.passed} passed, ${counts.failed} failed\n`);
    process.exit(counts.failed > 0 ? 1 : 0);
  },
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n0 passed, 1 failed\n`);
    process.exit(1);
  },
);
