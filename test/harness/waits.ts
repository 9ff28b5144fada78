// How the browser tests wait: for the state they need (a command in the palette, a row in a view, a file
// on disk), never for a time. A wait ends the moment the state is there, so its deadline costs nothing on
// a quiet machine; it only bounds how long a broken run hangs. On a loaded machine (load 5-7 on 2 cores)
// the workbench is many times slower than on a quiet one, so deadlines are generous, and a test's mocha
// timeout is a multiple of them. RUNBOOK_OPS_UI_DEADLINE_MS scales them for slower machines still.
import * as assert from 'node:assert/strict';

/** The longest any one UI state may take to appear. */
export const UI_DEADLINE_MS = Number(process.env.RUNBOOK_OPS_UI_DEADLINE_MS) || 90_000;

/** How often `until` looks again: the UI and the disk are polled, not slept on. */
const POLL_MS = 100;

/** Resolves once `condition` holds, looking every 100 ms; fails naming `what` after `timeoutMs`. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = UI_DEADLINE_MS): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await condition()); await new Promise((resolve) => setTimeout(resolve, POLL_MS))) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
  }
}
