// The Incidents view as an on-call engineer uses it: acknowledge a triage incident with one click, make
// it the active incident, and see it in the status bar.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eSession } from '../harness/e2eSession';
import { publishToMedia } from '../harness/paths';

describe('Incidents view (e2e)', () => {
  it('acknowledges a triage incident from its inline action and writes the YAML', async function () {
    this.timeout(60_000);
    const session = e2eSession();
    const { page } = session;
    const sidebar = await session.openView('Runbook Ops');
    const pane = sidebar.locator('.pane', { has: page.locator('.pane-header', { hasText: /^Incidents/i }) });
    const row = pane.locator('.monaco-list-row', { hasText: 'INC-0012' }).first();
    await row.waitFor({ timeout: 30_000 });
    assert.match((await row.textContent()) ?? '', /INC-0012 .*SEV4/);
    const file = join(session.workspace.path, 'incidents', 'INC-0012.yaml');
    const before = readFileSync(file, 'utf8');
    assert.match(before, /^status: triage$/m);

    await row.hover();
    await row.locator('.actions .action-label[aria-label="Acknowledge"]').click();
    const deadline = Date.now() + 15_000;
    while (!/^status: acknowledged$/m.test(readFileSync(file, 'utf8')) && Date.now() < deadline) await page.waitForTimeout(200);
    const after = readFileSync(file, 'utf8');
    assert.match(after, /^status: acknowledged$/m);
    assert.match(after, /^acknowledged_at: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
    assert.match(after, / {4}kind: status\n {4}from: triage\n {4}to: acknowledged\n/);
    // Everything the record said before is still there, comments included.
    const kept = before.split('\n').filter((l) => !/^status: /.test(l) && l !== '');
    for (const line of kept) assert.ok(after.includes(line), `kept: ${line}`);

    await pane.locator('.monaco-list-row', { hasText: 'INC-0012' }).first().waitFor({ timeout: 10_000 });
    const acknowledgedGroup = pane.locator('.monaco-list-row', { hasText: /^Acknowledged/ });
    await acknowledgedGroup.first().waitFor({ timeout: 10_000 });
  });

  it('makes it the active incident from the context menu and shows it in the status bar', async function () {
    this.timeout(60_000);
    const session = e2eSession();
    const { page } = session;
    const sidebar = await session.openView('Runbook Ops');
    const pane = sidebar.locator('.pane', { has: page.locator('.pane-header', { hasText: /^Incidents/i }) });
    await pane.locator('.monaco-list-row', { hasText: 'INC-0012' }).first().click({ button: 'right' });
    // VS Code's context menu acts on the focused entry; hover focuses it, Enter runs it.
    await page.locator('.context-view .action-label', { hasText: 'Set as Active Incident' }).first().hover();
    await page.keyboard.press('Enter');
    const status = page.locator('.statusbar-item', { hasText: 'INC-0012 SEV4 acknowledged' });
    await status.first().waitFor({ timeout: 10_000 });
    await page.mouse.move(900, 500);
    publishToMedia(await session.screenshot('incidents-view'), 'incidents-view.png');
  });
});
