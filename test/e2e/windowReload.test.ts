// After "Developer: Reload Window" the workbench restores the incident board through its serializer,
// and the board restores its own filter, scroll position and drawer from the webview state. Last in
// the e2e run (files run in name order) because a reload resets the workbench the other files drive.
import * as assert from 'node:assert/strict';
import { e2eSession } from '../harness/e2eSession';

const EXTENSION_ID = 'runbook-ops.runbook-ops';

describe('Window reload (e2e)', () => {
  it('brings the incident board back with its filter, scroll position and drawer', async function () {
    this.timeout(120_000);
    const session = e2eSession();
    await session.runCommand('Runbook Ops: Open Incident Board');
    let board = session.webview({ extensionId: EXTENSION_ID });
    await board.locator('.card').first().waitFor({ timeout: 30_000 });
    await board.locator('.search input').fill('pg-main');
    await board.locator('.board-summary', { hasText: /^2 of 12 incidents$/ }).waitFor({ timeout: 5_000 });
    await board.locator('.card', { has: board.locator('.card-id', { hasText: /^INC-0009$/ }) }).click();
    await board.locator('.drawer .drawer-title', { hasText: 'INC-0009' }).waitFor({ timeout: 5_000 });
    await board.locator('.columns').evaluate((element) => element.scrollTo({ left: 200 }));
    const scrolled = await board.locator('.columns').evaluate((element) => element.scrollLeft);
    assert.ok(scrolled > 0, 'the columns overflow and scroll');
    // Escape (which runCommand presses first) would close the drawer while focus is in it.
    await board.locator('.search input').focus();
    await session.page.waitForTimeout(300); // the state is saved on the next frame

    await session.runCommand('Developer: Reload Window');
    await session.page.locator('.part.statusbar').waitFor({ timeout: 60_000 });
    board = session.webview({ extensionId: EXTENSION_ID });
    await board.locator('.board-summary', { hasText: /^2 of 12 incidents$/ }).waitFor({ timeout: 60_000 });
    assert.equal(await board.locator('.search input').inputValue(), 'pg-main');
    await board.locator('.drawer .drawer-title', { hasText: 'INC-0009' }).waitFor({ timeout: 10_000 });
    assert.equal(await board.locator('.columns').evaluate((element) => element.scrollLeft), scrolled);

    // The sidebar comes back populated too.
    const sidebar = await session.openView('Runbook Ops');
    const incidents = sidebar.locator('.pane', { has: session.page.locator('.pane-header', { hasText: /^Incidents/i }) });
    await incidents.locator('.monaco-list-row', { hasText: 'INC-0010' }).first().waitFor({ timeout: 30_000 });
  });
});
