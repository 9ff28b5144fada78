// A real browser for the web workbench: Debian's Chromium driven by
// playwright-core (which never downloads a browser of its own).
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_PATH, checkSystemPackages } from './codeServer';
import { registerTeardown } from './teardown';
import { UI_DEADLINE_MS } from './waits';

/** Flags that keep Chromium quiet and offline-friendly in containers and CI. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', // containers run as root, where the sandbox cannot start
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const VIEWPORT = { width: 1400, height: 900 };

export interface ChromiumSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Closes the browser; safe to call twice. */
  close(): Promise<void>;
}

export interface LaunchChromiumOptions {
  /** Defaults to headless unless RUNBOOK_OPS_HEADED=1 (needs a display). */
  headless?: boolean;
}

export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<ChromiumSession> {
  checkSystemPackages({ chromium: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: options.headless ?? process.env.RUNBOOK_OPS_HEADED !== '1',
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({ viewport: VIEWPORT });
  // Every locator wait and action without its own timeout waits this long for its state (waits.ts).
  context.setDefaultTimeout(UI_DEADLINE_MS);
  const page = await context.newPage();
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= browser.close().catch(() => undefined).finally(() => unregister()));
  // On Ctrl-C, close properly so Chromium's helper processes exit with it
  // (playwright itself only SIGKILLs the main process on exit).
  const unregister = registerTeardown(() => undefined, close);
  return { browser, context, page, close };
}
