// How the browser tests wait: for the state they need (a command in the palette, a row in a view, a file
// on disk), never for a time. A wait ends the moment the state is there, so its deadline costs nothing on
// a quiet machine; it only bounds how long a broken run hangs. On a loaded machine (load 5-7 on 2 cores)
// the workbench is many times slower than on a quiet one, so deadlines are generous, and a test's mocha
// timeout is a multiple of them. RUNBOOK_OPS_UI_DEADLINE_MS scales them for slower machines still.
import * as assert from 'node:assert/strict';

/** The longest any one UI state may take to appear. */
export const UI_DEADLINE_MS = Number(process.env.RUNBOOK_OPS_UI_DEADLINE_MS) || 90_000;

/** The workbench's (re)load: code-server's start-up and the extension host, on a busy machine. */
export const WORKBENCH_LOAD_MS = 3 * UI_DEADLINE_MS;

/** Mocha's bound for one e2e test or hook: many waits, each of which may take up to its deadline on a loaded machine. */
export const E2E_TEST_TIMEOUT_MS = 10 * UI_DEADLINE_MS;

/** How often `until` looks again: the UI and the disk are polled, not slept on. */
const POLL_MS = 100;

/** The next two animation frames of the page or frame `target` evaluates in: what a `requestAnimationFrame` callback queued before has done by then. */
export async function nextFrames(target: { evaluate<R>(fn: () => R | Promise<R>): Promise<R> }): Promise<void> {
  await target.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

/** Resolves once `condition` holds, looking every 100 ms; fails naming `what` after `timeoutMs`. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = UI_DEADLINE_MS): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition()); await new Promise((resolve) => setTimeout(resolve, POLL_MS))) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
  }
}
