// Run all on the sample's smoke runbook, clicked as a user does: each command runs once, and the
// "Expected output" transcript (a spelling of the smoke-suite command) is shown as output, never run.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeLensAbove, e2eSession } from '../harness/e2eSession';

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('Run all (e2e)', () => {
  it('runs each command of checkout-api-smoke.md once and stops at the failing budget check', async function () {
    const session = e2eSession();
    const { page } = session;
    const file = 'kubernetes/checkout-api-smoke.md';
    await session.openFile(file);
    const titleLine = readFileSync(join(session.workspace.path, file), 'utf8').split('\n').findIndex((l) => l.startsWith('# ')) + 1;
    await (await codeLensAbove(page, titleLine, 'Run all')).click();

    // {{namespace}} and {{window}} have choices: pick the defaults (payments, 28d) as offered.
    const quickInput = page.locator('.quick-input-widget');
    for (const [name, offered] of [['namespace', 'payments'], ['window', '28d']]) {
      await quickInput.filter({ hasText: `Value for {{${name}}}` }).locator('.monaco-list-row.focused', { hasText: offered }).waitFor();
      await page.keyboard.press('Enter');
      await quickInput.filter({ hasText: `Value for {{${name}}}` }).waitFor({ state: 'hidden' });
    }

    const rows = page.locator('.terminal-wrapper .xterm-rows');
    await rows.filter({ hasText: 'error budget exhausted' }).first().waitFor();
    // Everything the terminal printed, scrolled into view.
    await session.runCommand('View: Toggle Maximized Panel');
    await page.waitForFunction(() => (document.querySelector('.terminal-wrapper .xterm-rows')?.textContent ?? '').includes('window 28d'));
    const text = ((await rows.first().textContent()) ?? '').replace(/\u00a0/g, ' ');
    await session.screenshot('run-all-smoke-terminal');
    await session.runCommand('View: Toggle Maximized Panel');

    assert.equal(count(text, 'smoke: 12 passed'), 1, text);
    assert.equal(count(text, 'get pods -l app.kubernetes.io/name=checkout-api'), 1, text);
    assert.equal(count(text, 'checking error budget for checkout-api'), 1, text);
    // The transcript's own command line (no --card) never reached the shell.
    assert.ok(!/smoke --quick(?! --card)/.test(text), text);
    // Stopped at the budget check: the record step after it did not run.
    assert.equal(count(text, 'smoke checks for checkout-api in payments finished'), 0, text);
  });
});
