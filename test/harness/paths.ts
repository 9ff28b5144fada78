// Locations shared by the harness. Computed from __dirname so they are right
// both for the TypeScript sources (test/harness) and the transpiled files
// (out/test/harness), and whatever the current directory is.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string };
      if (parsed.name === 'runbook-ops') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No runbook-ops package.json above ${start}`);
    dir = parent;
  }
}

/** The repository root: the folder holding the extension's package.json. */
export const repoRoot = findRepoRoot(__dirname);

/** The sample operations repository that the tests copy and `npm start` opens. */
export const sampleRunbooksDir = join(repoRoot, 'runbooks');

/** Transpiled tests (`node esbuild.mjs --tests`). */
export const outTestDir = join(repoRoot, 'out', 'test');

/** Screenshots, logs and result files of test runs (git-ignored). */
export const testResultsDir = join(repoRoot, 'test-results');

/** Downloads kept between runs, keyed by name and version; RUNBOOK_OPS_CACHE overrides the location. */
export const cacheRoot = process.env.RUNBOOK_OPS_CACHE ?? join(homedir(), '.cache', 'runbook-ops');

export function ensureTestResultsDir(): string {
  mkdirSync(testResultsDir, { recursive: true });
  return testResultsDir;
}

/** Files under `dir` (recursively) whose names end with `suffix`, sorted so runs are repeatable. */
export function findFiles(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findFiles(full, suffix));
    else if (entry.name.endsWith(suffix)) found.push(full);
  }
  return found.sort();
}

/**
 * Copies a screenshot into media/ (the README's pictures) when RUNBOOK_OPS_UPDATE_MEDIA=1, so ordinary
 * test runs do not rewrite committed files.
 */
export function publishToMedia(screenshot: string, fileName: string): void {
  if (process.env.RUNBOOK_OPS_UPDATE_MEDIA === '1') copyFileSync(screenshot, join(repoRoot, 'media', fileName));
}

/**
 * Index workers of the integration runs' extension host spin on files whose path contains this (the
 * test-only hook TEST_SPIN_ENV of src/core/parseBudget.ts), so the parse budget can be watched in VS Code.
 */
export const PARSE_BUDGET_SPIN_NAME = 'parse-budget-spin';
