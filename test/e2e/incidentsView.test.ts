// The Incidents view as an on-call engineer uses it: acknowledge a triage incident with one click, make
// it the active incident, and see it in the status bar.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eSession } from '../harness/e2eSession';
import { publishToMedia } from '../harness/paths';
import { until } from '../harness/waits';

describe('Incidents view (e2e)', () => {
  it('acknowledges a triage incident from its inline action and writes the YAML', async function () {
    const session = e2eSession();
    const { page } = session;
    const sidebar = await session.openView('Runbook Ops');
    const pane = sidebar.locator('.pane', { has: page.locator('.pane-header', { hasText: /^Incidents/i }) });
    const row = pane.locator('.monaco-list-row', { hasText: 'INC-0012' }).first();
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /INC-0012 .*SEV4/);
    const file = join(session.workspace.path, 'incidents', 'INC-0012.yaml');
    const before = readFileSync(file, 'utf8');
    assert.match(before, /^status: triage$/m);

    await row.hover();
    await row.locator('.actions .action-label[aria-label="Acknowledge"]').click();
    await until('the record to say acknowledged', () => /^status: acknowledged$/m.test(readFileSync(file, 'utf8')));
    const after = readFileSync(file, 'utf8');
    assert.match(after, /^status: acknowledged$/m);
    assert.match(after, /^acknowledged_at: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
    assert.match(after, / {4}kind: status\n {4}from: triage\n {4}to: acknowledged\n/);
    // Everything the record said before is still there, comments included.
    const kept = before.split('\n').filter((l) => !/^status: /.test(l) && l !== '');
    for (const line of kept) assert.ok(after.includes(line), `kept: ${line}`);

    await pane.locator('.monaco-list-row', { hasText: 'INC-0012' }).first().waitFor();
    const acknowledgedGroup = pane.locator('.monaco-list-row', { hasText: /^Acknowledged/ });
    await acknowledgedGroup.first().waitFor();
  });

  it('makes it the active incident from the context menu and shows it in the status bar', async function () {
    const session = e2eSession();
    const { page } = session;
    const sidebar = await session.openView('Runbook Ops');
    const pane = sidebar.locator('.pane', { has: page.locator('.pane-header', { hasText: /^Incidents/i }) });
    await pane.locator('.monaco-list-row', { hasText: 'INC-0012' }).first().click({ button: 'right' });
    // VS Code's context menu acts on the focused entry; hover focuses it, Enter runs it (once it has focus).
    const entry = page.locator('.context-view .action-item', { has: page.locator('.action-label', { hasText: 'Set as Active Incident' }) }).first();
    await entry.hover();
    await page.locator('.context-view .action-item.focused', { hasText: 'Set as Active Incident' }).waitFor();
    await page.keyboard.press('Enter');
    const status = page.locator('.statusbar-item', { hasText: 'INC-0012 SEV4 acknowledged' });
    await status.first().waitFor();
    await page.mouse.move(900, 500);
    publishToMedia(await session.screenshot('incidents-view'), 'incidents-view.png');
  });
});
