// After "Developer: Reload Window" the workbench restores the incident board through its serializer,
// and the board restores its own filter, scroll position and drawer from the webview state. Last in
// the e2e run (files run in name order) because a reload resets the workbench the other files drive.
import * as assert from 'node:assert/strict';
import { e2eSession } from '../harness/e2eSession';
import { nextFrames, WORKBENCH_LOAD_MS } from '../harness/waits';

const EXTENSION_ID = 'runbook-ops.runbook-ops';

describe('Window reload (e2e)', () => {
  it('brings the incident board back with its filter, scroll position and drawer', async function () {
    const session = e2eSession();
    await session.runCommand('Runbook Ops: Open Incident Board');
    let board = session.webview({ extensionId: EXTENSION_ID });
    await board.locator('.card').first().waitFor();
    await board.locator('.search input').fill('pg-main');
    await board.locator('.board-summary', { hasText: /^2 of 12 incidents$/ }).waitFor();
    await board.locator('.card', { has: board.locator('.card-id', { hasText: /^INC-0009$/ }) }).click();
    await board.locator('.drawer .drawer-title', { hasText: 'INC-0009' }).waitFor();
    await board.locator('.columns').evaluate((element) => element.scrollTo({ left: 200 }));
    const scrolled = await board.locator('.columns').evaluate((element) => element.scrollLeft);
    assert.ok(scrolled > 0, 'the columns overflow and scroll');
    // Escape (which runCommand presses first) would close the drawer while focus is in it.
    await board.locator('.search input').focus();
    // The board saves its state in a requestAnimationFrame callback.
    await nextFrames(board.locator('body'));

    await session.runCommand('Developer: Reload Window');
    await session.page.locator('.part.statusbar').waitFor({ timeout: WORKBENCH_LOAD_MS });
    board = session.webview({ extensionId: EXTENSION_ID });
    await board.locator('.board-summary', { hasText: /^2 of 12 incidents$/ }).waitFor({ timeout: WORKBENCH_LOAD_MS });
    assert.equal(await board.locator('.search input').inputValue(), 'pg-main');
    await board.locator('.drawer .drawer-title', { hasText: 'INC-0009' }).waitFor();
    assert.equal(await board.locator('.columns').evaluate((element) => element.scrollLeft), scrolled);

    // The sidebar comes back populated too.
    const sidebar = await session.openView('Runbook Ops');
    const incidents = sidebar.locator('.pane', { has: session.page.locator('.pane-header', { hasText: /^Incidents/i }) });
    await incidents.locator('.monaco-list-row', { hasText: 'INC-0010' }).first().waitFor();
  });
});
