// One real VS Code (code-server) and one Chromium page shared by every e2e
// test file: starting the workbench costs ~10 s, so the suite pays it once.
// test/e2e/hooks.ts starts and stops it around the whole mocha run.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { launchChromium, type ChromiumSession } from './browser';
import { developmentPayload, startCodeServer, type CodeServer } from './codeServer';
import { ensureTestResultsDir, repoRoot } from './paths';
import { UI_DEADLINE_MS, WORKBENCH_LOAD_MS } from './waits';
import { createSampleWorkspace, type SampleWorkspace } from './workspace';
/** How long a quick input list may stay without the wanted row before the text is typed again. */
const RELIST_MS = 5_000;

/** Driving one workbench page: the session's, or another one (the `npm start` route's). */
export interface WorkbenchDriver {
  page: Page;
  /** The activity bar entry whose label is `title` (e.g. "Runbook Ops"). */
  activityBarItem(title: string): Locator;
  /** Shows the view container titled `containerTitle` in the side bar (without toggling it closed); returns the side bar. */
  openView(containerTitle: string): Promise<Locator>;
  /** Runs a command by its palette title ("Category: Title") through F1. */
  runCommand(title: string): Promise<void>;
  /** Opens a workspace file through Quick Open (Ctrl+P). */
  openFile(relativePath: string): Promise<void>;
  /**
   * The content document of a webview (its inner #active-frame). With several open, narrow by the
   * owning extension (e.g. "runbook-ops.runbook-ops") and/or pick by index (default: the first).
   */
  webview(options?: { extensionId?: string; index?: number }): FrameLocator;
  /** Saves test-results/<name>.png of the whole page; returns its path. */
  screenshot(name: string): Promise<string>;
}

export interface E2eSession extends WorkbenchDriver {
  server: CodeServer;
  browser: ChromiumSession;
  workspace: SampleWorkspace;
}

let current: E2eSession | undefined;
let stopCurrent: (() => Promise<void>) | undefined;

/** The running session; throws when the root hooks did not start one. */
export function e2eSession(): E2eSession {
  if (!current) throw new Error('No e2e session: run e2e tests through `node out/test/run.js e2e` (root hooks in test/e2e/hooks.ts)');
  return current;
}

/** Scrolls the editor to `line` (1-based) and returns the CodeLens link titled `title` right above it. */
export async function codeLensAbove(page: Page, line: number, title: string): Promise<Locator> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input.input');
  await input.fill(`:${line}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: `line ${line}` }).first().waitFor();
  await input.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  // CodeLens render lazily after a scroll (and only once the extension has indexed the file): measure,
  // every 250 ms, until the link right above the line shows up.
  let best: { link: Locator; gap: number } | undefined;
  for (const deadline = Date.now() + UI_DEADLINE_MS; !best && Date.now() < deadline; await page.waitForTimeout(250)) {
    const lineNumber = page.locator('.monaco-editor .margin .line-numbers', { hasText: new RegExp(`^${line}$`) }).last();
    const lineBox = await lineNumber.boundingBox().catch(() => null);
    if (!lineBox) continue;
    const links = page.locator('.monaco-editor .codelens-decoration a', { hasText: title }).filter({ visible: true });
    for (const link of await links.all()) {
      const box = await link.boundingBox();
      if (!box) continue;
      const gap = lineBox.y - box.y;
      if (gap > 0 && gap < 40 && (!best || gap < best.gap)) best = { link, gap };
    }
  }
  assert.ok(best, `a "${title}" CodeLens above line ${line}`);
  return best.link;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Opens the incident board with the whole window (sidebar hidden), as during an incident and in the
 * README's pictures; resolves with its webview once a card shows.
 */
export async function openBoardFullWindow(session: E2eSession): Promise<FrameLocator> {
  await session.runCommand('Runbook Ops: Open Incident Board');
  const board = session.webview({ extensionId: 'runbook-ops.runbook-ops' });
  await board.locator('.card').first().waitFor();
  await session.page.keyboard.press('Control+B');
  await session.page.locator('.part.sidebar').waitFor({ state: 'hidden' });
  return board;
}

export async function startE2eSession(): Promise<E2eSession> {
  if (current) return current;
  const resultsDir = ensureTestResultsDir();
  const workspace = createSampleWorkspace();
  let server: CodeServer | undefined;
  let browser: ChromiumSession | undefined;
  try {
    server = await startCodeServer({
      folder: workspace.path,
      smokeTestDriver: true, // needed for the development payload to be honoured
      // The DOM renderer puts terminal text in .xterm-rows, where tests can read it.
      settings: { 'terminal.integrated.gpuAcceleration': 'off' },
      logFile: join(resultsDir, 'e2e-code-server.log'),
      env: { RUNBOOK_OPS_SAMPLE_WORKSPACE: workspace.path },
    });
    browser = await launchChromium();
    const { page } = browser;
    if (process.env.RUNBOOK_OPS_DEBUG === '1') {
      page.on('console', (message) => process.stderr.write(`[browser ${message.type()}] ${message.text()}\n`));
    }
    await page.goto(server.workbenchUrl(workspace.path, developmentPayload(server, repoRoot)));
    // Ready enough to drive: the parts are laid out and the remote file system answers.
    await page.locator('.part.activitybar').waitFor({ timeout: WORKBENCH_LOAD_MS });
    await page.locator('.part.statusbar').waitFor({ timeout: WORKBENCH_LOAD_MS });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: WORKBENCH_LOAD_MS });
    current = createSession(page, server, browser, workspace);
    const started = { server, browser };
    stopCurrent = async () => {
      await started.browser.close();
      await started.server.stop();
      workspace.cleanup();
    };
    return current;
  } catch (error) {
    if (browser) {
      await browser.page.screenshot({ path: join(resultsDir, 'e2e-startup-failure.png') }).catch(() => undefined);
      await browser.close();
    }
    await server?.stop();
    workspace.cleanup();
    throw error;
  }
}

export async function stopE2eSession(): Promise<void> {
  const stop = stopCurrent;
  current = undefined;
  stopCurrent = undefined;
  await stop?.();
}

function createSession(page: Page, server: CodeServer, browser: ChromiumSession, workspace: SampleWorkspace): E2eSession {
  return { ...workbenchDriver(page), server, browser, workspace };
}

export function workbenchDriver(page: Page): WorkbenchDriver {
  const activityBarItem = (title: string) =>
    page
      .locator('.part.activitybar li.action-item[role="tab"]')
      // Built-in entries carry their keybinding: "Explorer (Ctrl+Shift+E)".
      .filter({ has: page.locator(`a.action-label[aria-label="${title}"], a.action-label[aria-label^="${title} ("]`) });

  const quickInput = page.locator('.quick-input-widget');

  /** Types `text` into the open quick input and clicks the row labelled `label` once it is listed. */
  const pickQuickInputRow = async (text: string, label: string) => {
    const input = quickInput.locator('input.input');
    await input.waitFor();
    await input.fill(text);
    const row = quickInput
      .locator('.monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
      .first();
    // The list is computed when the text changes: a command the extension contributes (or a file the
    // search has not indexed yet) that arrives after the text was typed, as on a busy machine right
    // after start, shows only when the text is typed again. So look again until the row is listed.
    for (const deadline = Date.now() + UI_DEADLINE_MS; !(await row.isVisible()); ) {
      if (Date.now() > deadline) assert.fail(`"${label}" was not listed for "${text}" within ${UI_DEADLINE_MS / 1000} s`);
      await row.waitFor({ timeout: RELIST_MS }).catch(async () => {
        await input.fill('');
        await input.fill(text);
      });
    }
    await row.click();
    // Picked: the list closes, or gives way to the command's own prompt (Declare asks for a title).
    await row.waitFor({ state: 'hidden' });
  };

  return {
    page,
    activityBarItem,

    async openView(containerTitle) {
      const item = activityBarItem(containerTitle);
      await item.waitFor();
      // Clicking the selected entry would collapse the side bar.
      const sidebar = page.locator('.part.sidebar');
      if ((await item.getAttribute('aria-selected')) !== 'true' || !(await sidebar.isVisible())) await item.click();
      // A container with one view is titled "Container: View".
      await sidebar
        .locator('.composite.title h2', { hasText: new RegExp(`^${escapeRegExp(containerTitle)}(:|$)`, 'i') })
        .waitFor();
      return sidebar;
    },

    async runCommand(title) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await pickQuickInputRow(`>${title}`, title);
    },

    async openFile(relativePath) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+P');
      const name = relativePath.split('/').pop() ?? relativePath;
      await pickQuickInputRow(relativePath, name);
      await page.locator(`.tabs-container .tab[data-resource-name="${name}"]`).first().waitFor();
    },

    webview(options = {}) {
      // The outer iframe.webview hosts VS Code's shim; the extension's document is #active-frame.
      // Webviews float in an overlay, not inside their editor or view, so the owner is known
      // only from the iframe's URL (…&extensionId=<id>&…).
      const selector = options.extensionId
        ? `iframe.webview[src*="extensionId=${encodeURIComponent(options.extensionId)}&"]`
        : 'iframe.webview';
      return page.locator(selector).nth(options.index ?? 0).contentFrame().frameLocator('#active-frame');
    },

    async screenshot(name) {
      const path = join(ensureTestResultsDir(), `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
  };
}
