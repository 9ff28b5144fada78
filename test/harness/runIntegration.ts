// Runs test/integration inside a real VS Code. Default (offline) route:
// code-server + Chromium with the @vscode/test-web protocol (development
// payload, codeAutomationLog/codeAutomationExit). RUNBOOK_OPS_VSCODE=electron
// selects desktop VS Code through @vscode/test-electron, which downloads VS
// Code and so needs the internet (and xvfb-run on a headless Linux).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { format, inspect } from 'node:util';
import { runTests } from '@vscode/test-electron';
import { launchChromium, type ChromiumSession } from './browser';
import { developmentPayload, startCodeServer, tailOf, type CodeServer } from './codeServer';
import { emptyCounts, type TestCounts } from './mochaRun';
import { ensureTestResultsDir, outTestDir, PARSE_BUDGET_SPIN_NAME, repoRoot } from './paths';
import { createSampleWorkspace } from './workspace';
import { TEST_SPIN_ENV } from '../../src/core/index/parseBudget';

export interface IntegrationRunOptions {
  /** Upper bound for the whole run inside VS Code. */
  timeoutMs?: number;
}

const RESULTS_FILE_NAME = 'integration-results.json';
/** The test-only spin hook for the extension host's index workers (test/integration/parseBudget.test.ts). */
const PARSE_BUDGET_TEST_ENV = { [TEST_SPIN_ENV]: PARSE_BUDGET_SPIN_NAME };

/** The compiled test entry VS Code loads (test/integration/index.ts). */
export const integrationTestsEntry = join(outTestDir, 'integration', 'index.js');

/**
 * Which tests a VS Code session runs: `trusted` (the default workspace, trust prompt disabled) or
 * `untrusted` (test/integration/untrusted/, with workspace trust on so the folder opens in Restricted Mode).
 */
export type IntegrationSuite = 'trusted' | 'untrusted';

/** Env var telling the test entry which suite to load. */
export const INTEGRATION_SUITE_ENV = 'RUNBOOK_OPS_INTEGRATION_SUITE';

export async function runIntegrationTests(options: IntegrationRunOptions = {}): Promise<TestCounts> {
  if (process.env.RUNBOOK_OPS_VSCODE === 'electron') return runInDesktopVsCode();
  const trusted = await runInCodeServer(options, 'trusted');
  const untrusted = await runInCodeServer(options, 'untrusted');
  return {
    passed: trusted.passed + untrusted.passed,
    failed: trusted.failed + untrusted.failed,
    skipped: trusted.skipped + untrusted.skipped,
    failures: [...trusted.failures, ...untrusted.failures],
  };
}

/** A failure that is not a mocha test (so mocha never printed it): print it here. */
function crashed(title: string, error: string): TestCounts {
  process.stderr.write(`[integration] ${title}: ${error}\n`);
  return { ...emptyCounts(), failed: 1, failures: [{ title, error }] };
}

function readResults(resultsFile: string): TestCounts | undefined {
  if (!existsSync(resultsFile)) return undefined;
  return JSON.parse(readFileSync(resultsFile, 'utf8')) as TestCounts;
}

/** The workbench passes a string or the console.log arguments (format string first). */
function formatHostLog(message: unknown): string {
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return format(...(message as unknown[]));
  return inspect(message);
}

/** The workbench's own start-up chatter, which shares the channel with the extension host's console. */
const WORKBENCH_NOISE = /^(Ignoring fetching additional builtin extensions|Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin extensions cache|\[(reconnection-grace-time|Service Worker|AgentHost|AccountPolicyGate)\b)/;

function printHostLog(level: string, message: unknown): void {
  // Mocha's spec output arrives here line by line from the extension host.
  const text = formatHostLog(message).replace(/\n$/, '');
  if (level === 'info' && WORKBENCH_NOISE.test(text) && process.env.RUNBOOK_OPS_DEBUG !== '1') return;
  if (level === 'error' || level === 'warn') process.stderr.write(`${text}\n`);
  else process.stdout.write(`${text}\n`);
}

async function runInCodeServer(options: IntegrationRunOptions, suite: IntegrationSuite): Promise<TestCounts> {
  if (!existsSync(integrationTestsEntry)) return crashed('integration', `${integrationTestsEntry} is missing: run node esbuild.mjs --tests first`);
  const resultsDir = ensureTestResultsDir();
  const resultsFile = join(resultsDir, `${suite}-${RESULTS_FILE_NAME}`);
  rmSync(resultsFile, { force: true });
  const workspace = createSampleWorkspace();
  let server: CodeServer | undefined;
  let browser: ChromiumSession | undefined;
  try {
    server = await startCodeServer({
      folder: workspace.path,
      smokeTestDriver: true,
      workspaceTrust: suite === 'untrusted',
      logFile: join(resultsDir, `integration-${suite}-code-server.log`),
      // The extension host inherits these (checked by smoke.test.ts).
      env: { RUNBOOK_OPS_TEST_RESULTS: resultsFile, RUNBOOK_OPS_SAMPLE_WORKSPACE: workspace.path, [INTEGRATION_SUITE_ENV]: suite, ...PARSE_BUDGET_TEST_ENV },
    });
    browser = await launchChromium();
    const { page } = browser;

    let reportExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => {
      reportExit = resolve;
    });
    // Both must exist before the workbench loads: it looks them up when the run ends.
    await page.exposeFunction('codeAutomationLog', printHostLog);
    await page.exposeFunction('codeAutomationExit', (code: number) => reportExit(code));
    if (process.env.RUNBOOK_OPS_DEBUG === '1') {
      page.on('console', (message) => process.stderr.write(`[browser ${message.type()}] ${message.text()}\n`));
    }

    const timeoutMs = options.timeoutMs ?? 10 * 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    await page.goto(server.workbenchUrl(workspace.path, developmentPayload(server, repoRoot, integrationTestsEntry)));
    const outcome = await Promise.race([exited, timedOut]);
    clearTimeout(timer);

    const counts = readResults(resultsFile);
    const failed = outcome === 'timeout' || outcome !== 0 || !counts || counts.failed > 0;
    if (failed) {
      const shot = join(resultsDir, `integration-${suite}-failure.png`);
      await page.screenshot({ path: shot }).catch(() => undefined);
      process.stderr.write(`[integration] screenshot: ${shot}\n[integration] code-server log: ${server.logFile}\n`);
    }
    if (outcome === 'timeout') {
      return mergeCrash(counts, 'integration run', `no exit from VS Code within ${timeoutMs / 1000} s`);
    }
    if (!counts) {
      return crashed('integration run', `VS Code exited with code ${outcome} before writing ${resultsFile} (did the test entry load?)\n${tailOf(server.logFile)}`);
    }
    if (outcome !== 0 && counts.failed === 0) {
      return mergeCrash(counts, 'integration run', `VS Code exited with code ${outcome}`);
    }
    return counts;
  } finally {
    await browser?.close();
    await server?.stop();
    workspace.cleanup();
  }
}

function mergeCrash(counts: TestCounts | undefined, title: string, error: string): TestCounts {
  process.stderr.write(`[integration] ${title}: ${error}\n`);
  const base = counts ?? emptyCounts();
  return { ...base, failed: base.failed + 1, failures: [...base.failures, { title, error }] };
}

async function runInDesktopVsCode(): Promise<TestCounts> {
  const resultsFile = join(ensureTestResultsDir(), RESULTS_FILE_NAME);
  rmSync(resultsFile, { force: true });
  const workspace = createSampleWorkspace();
  try {
    let error: unknown;
    try {
      await runTests({
        extensionDevelopmentPath: repoRoot,
        extensionTestsPath: integrationTestsEntry,
        version: process.env.RUNBOOK_OPS_VSCODE_VERSION,
        launchArgs: [workspace.path, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
        extensionTestsEnv: { RUNBOOK_OPS_TEST_RESULTS: resultsFile, RUNBOOK_OPS_SAMPLE_WORKSPACE: workspace.path, ...PARSE_BUDGET_TEST_ENV },
      });
    } catch (caught) {
      error = caught;
    }
    const counts = readResults(resultsFile);
    if (!counts) return crashed('integration run (desktop VS Code)', String(error ?? 'no results written'));
    if (error && counts.failed === 0) return mergeCrash(counts, 'integration run (desktop VS Code)', String(error));
    return counts;
  } finally {
    workspace.cleanup();
  }
}
