// Runs mocha programmatically and reports counts, so the orchestrator can add
// up stages and the VS Code test entry can hand its results back to Node.
import Mocha from 'mocha';

export interface TestFailure {
  title: string;
  error: string;
}

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
  failures: TestFailure[];
}

export interface MochaRunOptions {
  /** Per-test timeout in ms (mocha's default 2000 is too short for UI tests). */
  timeout?: number;
  /** Only tests whose full title matches. */
  grep?: string | RegExp;
  /** Hooks around the whole run (mocha's root hooks), e.g. one shared VS Code for all e2e files. */
  rootHooks?: Mocha.RootHookObject;
  /** Colour output; defaults to whether stdout is a terminal. */
  color?: boolean;
}

export function emptyCounts(): TestCounts {
  return { passed: 0, failed: 0, skipped: 0, failures: [] };
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/** Runs the given compiled test files with the spec reporter; never rejects for failing tests. */
export function runMochaFiles(files: readonly string[], options: MochaRunOptions = {}): Promise<TestCounts> {
  const mocha = new Mocha({
    reporter: 'spec',
    timeout: options.timeout ?? 10_000,
    color: options.color ?? Boolean(process.stdout.isTTY),
    rootHooks: options.rootHooks,
  });
  if (options.grep !== undefined) mocha.grep(options.grep);
  for (const file of files) {
    // A re-run in the same process (watch, VS Code reload) must load fresh code.
    delete require.cache[require.resolve(file)];
    mocha.addFile(file);
  }
  const counts = emptyCounts();
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run(() => resolve(counts));
      runner.on('pass', () => {
        counts.passed++;
      });
      runner.on('pending', () => {
        counts.skipped++;
      });
      // Also fires for failing hooks, which is what we want: a broken
      // before() is a failure even though no test ran.
      runner.on('fail', (test: Mocha.Runnable, error: unknown) => {
        counts.failed++;
        counts.failures.push({ title: test.fullTitle(), error: describeError(error) });
      });
    } catch (error) {
      // Syntax errors and throws at file load time surface here.
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
