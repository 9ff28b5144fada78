// The extension in real VS Code on the bench corpus (README, Performance): code-server opens the corpus folder
// with the extension under development and test/bench/activationProbe.ts as its test entry; Chromium
// shows the workbench. Per run: activate()'s own duration, the time from activate() to the end of the
// first index build, and to the first row of the Runbooks view in the browser (same machine, same clock).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, type ChromiumSession } from '../harness/browser';
import { developmentPayload, startCodeServer, type CodeServer } from '../harness/codeServer';
import { repoRoot } from '../harness/paths';
import { ACTIVATION_RESULTS_ENV, probeRunbookPath, viewSeenFile, type ActivationProbeResult } from './activationProtocol';

export interface ActivationMeasurement {
  activationMs: number;
  /** activate() start → first index build done. */
  indexedMs: number;
  /** activate() start → first row of the Runbooks view rendered in Chromium. */
  populatedViewMs: number;
  runbooks: number;
  incidents: number;
  /** Per edit of one runbook once the view is up: write → index change event, ms. */
  changeLatencyMs: number[];
  /** Per edit: the extension host's busy time over the edit and the second after it, ms. */
  changeBusyMs: number[];
}

/** The compiled probe VS Code loads (out/test/bench/activationProbe.js). */
const probeEntry = join(__dirname, 'activationProbe.js');
const VIEW_TIMEOUT_MS = 180_000;

async function measureOnce(folder: string): Promise<ActivationMeasurement> {
  rmSync(probeRunbookPath(folder), { force: true });
  const scratch = mkdtempSync(join(tmpdir(), 'runbook-ops-activation-'));
  const resultsFile = join(scratch, 'activation.json');
  let server: CodeServer | undefined;
  let browser: ChromiumSession | undefined;
  let measured = false;
  try {
    server = await startCodeServer({ folder, smokeTestDriver: true, logFile: join(scratch, 'code-server.log'), env: { [ACTIVATION_RESULTS_ENV]: resultsFile } });
    browser = await launchChromium();
    const { page } = browser;
    let reportExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => {
      reportExit = resolve;
    });
    await page.exposeFunction('codeAutomationLog', () => undefined);
    await page.exposeFunction('codeAutomationExit', (code: number) => reportExit(code));
    await page.goto(server.workbenchUrl(folder, developmentPayload(server, repoRoot, probeEntry)));
    const pane = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: /^Runbooks/i }) });
    await pane.locator('.monaco-list-row').first().waitFor({ timeout: VIEW_TIMEOUT_MS });
    const populatedAt = await page.evaluate(() => Date.now());
    writeFileSync(viewSeenFile(resultsFile), `${populatedAt}\n`);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<number>((resolve) => (timer = setTimeout(() => resolve(-1), VIEW_TIMEOUT_MS)))]);
    // A pending timer would keep `npm run bench` alive for three more minutes after its table.
    clearTimeout(timer);
    if (code !== 0 || !existsSync(resultsFile)) throw new Error(`the activation probe ended with ${code}; code-server log: ${server.logFile}`);
    const probe = JSON.parse(readFileSync(resultsFile, 'utf8')) as ActivationProbeResult;
    measured = true;
    return {
      activationMs: probe.activationMs,
      indexedMs: probe.indexedAt - probe.activationStartedAt,
      populatedViewMs: populatedAt - probe.activationStartedAt,
      runbooks: probe.runbooks,
      incidents: probe.incidents,
      changeLatencyMs: probe.changeLatencyMs,
      changeBusyMs: probe.changeBusyMs,
    };
  } finally {
    await browser?.close();
    await server?.stop();
    // Kept after a failure: the code-server log says why.
    if (measured) rmSync(scratch, { recursive: true, force: true });
  }
}

/** `runs` fresh code-server + Chromium sessions on `folder`, one after another. */
export async function measureActivation(folder: string, runs: number): Promise<ActivationMeasurement[]> {
  const out: ActivationMeasurement[] = [];
  for (let i = 0; i < runs; i++) out.push(await measureOnce(folder));
  return out;
}
