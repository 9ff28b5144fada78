// Running runbook steps the way an engineer does: CodeLens click, a placeholder typed into the InputBox,
// the modal confirmation of a dangerous step, and the result on disk.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { codeLensAbove, e2eSession } from '../harness/e2eSession';
import { publishToMedia } from '../harness/paths';

const MARKER = '/tmp/runbook-ops-marker.txt';
const NODE_NAME = 'ip-10-9-9-9.e2e.internal';

describe('Running steps (e2e)', () => {
  before(() => rmSync(MARKER, { force: true }));

  it('confirms a dangerous step after asking for its placeholder, then writes the marker with the same value', async function () {
    this.timeout(120_000);
    const session = e2eSession();
    const { page } = session;
    await session.openFile('kubernetes/node-not-ready.md');

    // `drain` is marked confirm and has {{node}}: the InputBox comes first, then the modal.
    const drainLine = readFileSync(join(session.workspace.path, 'kubernetes/node-not-ready.md'), 'utf8').split('\n').findIndex((l) => l.includes('{name=drain ')) + 1;
    const runDrain = await codeLensAbove(page, drainLine, '▶ Run');
    await page.mouse.move(0, 0);
    publishToMedia(await session.screenshot('run-steps-codelens'), 'run-steps-codelens.png');
    await runDrain.click();

    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 15_000 });
    assert.equal(await input.inputValue(), 'ip-10-0-3-41.eu-west-1.compute.internal', 'the InputBox offers the default');
    await input.fill(NODE_NAME);
    await page.keyboard.press('Enter');

    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    const dialogText = (await dialog.textContent()) ?? '';
    assert.match(dialogText, /Run “Stop new pods landing on the node|Run “Evict what is left/);
    assert.ok(dialogText.includes(`kubectl drain ${NODE_NAME} --ignore-daemonsets --delete-emptydir-data --timeout=5m`), dialogText);
    assert.match(dialogText, /marked confirm/);
    await session.screenshot('run-steps-confirm');
    await dialog.locator('.monaco-button', { hasText: /^Run$/ }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });

    const terminal = page.locator('.terminal-wrapper .xterm-rows');
    await terminal.filter({ hasText: `node/${NODE_NAME} drained` }).first().waitFor({ timeout: 30_000 }).catch(async () => {
      assert.fail(`terminal did not show the drain: ${await terminal.first().textContent()}`);
    });

    // The value is remembered for the runbook: no second prompt.
    const markerLine = readFileSync(join(session.workspace.path, 'kubernetes/node-not-ready.md'), 'utf8').split('\n').findIndex((l) => l.includes('{name=record-drain}')) + 1;
    await (await codeLensAbove(page, markerLine, '▶ Run')).click();
    const deadline = Date.now() + 20_000;
    while (!existsSync(MARKER) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.equal(readFileSync(MARKER, 'utf8'), `drained ${NODE_NAME}\n`);
    await terminal.filter({ hasText: `drained ${NODE_NAME}` }).first().waitFor({ timeout: 10_000 });
    await page.mouse.move(0, 0);
    publishToMedia(await session.screenshot('run-steps-terminal'), 'run-steps-terminal.png');
  });

  it('shows the outcome of each step in the Steps view', async () => {
    const session = e2eSession();
    const sidebar = await session.openView('Runbook Ops');
    const steps = sidebar.locator('.pane', { has: session.page.locator('.pane-header', { hasText: /Steps/i }) });
    const header = steps.locator('.pane-header');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    const rows = steps.locator('.monaco-list-row');
    await rows.filter({ hasText: /Record the drain\s*exit 0/ }).first().waitFor({ timeout: 15_000 });
    assert.ok(await rows.filter({ hasText: /Evict what is left.*exit 0/ }).count() > 0);
    assert.ok(await rows.filter({ hasText: /not run/ }).count() > 0);
    await session.screenshot('run-steps-view');
  });
});
