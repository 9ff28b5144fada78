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
    // It has no commander: VS Code asks, offering git user.name first and the people seen in the records.
    const widget = page.locator('.quick-input-widget');
    await widget.locator('.quick-input-title', { hasText: 'INC-0012 leaves triage: who is the incident commander?' }).waitFor();
    assert.match((await widget.locator('.monaco-list-row.focused').textContent()) ?? '', /Runbook Ops Tests\s*you \(git user\.name\)/);
    await widget.locator('.monaco-list-row', { hasText: /commander of \d+ incidents/ }).first().waitFor();
    await widget.locator('input.input').fill('hana');
    await widget.locator('.monaco-list-row.focused', { hasText: 'hana' }).waitFor();
    await session.screenshot('incidents-commander-pick');
    await page.keyboard.press('Enter');
    await until('the record to say acknowledged', () => /^status: acknowledged$/m.test(readFileSync(file, 'utf8')));
    const after = readFileSync(file, 'utf8');
    assert.match(after, /^status: acknowledged$/m);
    assert.match(after, /^acknowledged_at: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
    assert.match(after, /^commander: hana$/m);
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

  it('reopens a mitigated incident from its inline action, asking why', async function () {
    this.timeout(60_000);
    const session = e2eSession();
    const { page } = session;
    const sidebar = await session.openView('Runbook Ops');
    const pane = sidebar.locator('.pane', { has: page.locator('.pane-header', { hasText: /^Incidents/i }) });
    const file = join(session.workspace.path, 'incidents', 'INC-0009.yaml');
    assert.match(readFileSync(file, 'utf8'), /^status: mitigated$/m);
    const row = pane.locator('.monaco-list-row', { hasText: 'INC-0009' }).first();
    await row.hover();
    await row.locator('.actions .action-label[aria-label="Reopen…"]').click();
    const widget = page.locator('.quick-input-widget');
    await widget.locator('.quick-input-title', { hasText: 'Reopen INC-0009 (mitigated → investigating)' }).waitFor();
    await widget.locator('input.input').fill('Disk filling again after the vacuum');
    await session.screenshot('incidents-reopen-reason');
    await page.keyboard.press('Enter');
    await until('the record to say investigating', () => /^status: investigating$/m.test(readFileSync(file, 'utf8')));
    const after = readFileSync(file, 'utf8');
    assert.match(after, /^status: investigating$/m);
    assert.doesNotMatch(after, /^mitigated_at:/m);
    assert.match(after, /text: "Reopened: Disk filling again after the vacuum \(was mitigated_at [^)]+\)"\n/);
  });

  it('offers the people seen in the records when assigning a commander', async function () {
    this.timeout(60_000);
    const session = e2eSession();
    const { page } = session;
    const sidebar = await session.openView('Runbook Ops');
    const pane = sidebar.locator('.pane', { has: page.locator('.pane-header', { hasText: /^Incidents/i }) });
    await pane.locator('.monaco-list-row', { hasText: 'INC-0011' }).first().click({ button: 'right' });
    await page.locator('.context-view .action-label', { hasText: 'Assign Commander…' }).first().hover();
    await page.keyboard.press('Enter');
    const widget = page.locator('.quick-input-widget');
    await widget.locator('.quick-input-title', { hasText: 'Incident commander for INC-0011' }).waitFor();
    const rows = await widget.locator('.monaco-list-row .label-name').allTextContents();
    for (const person of ['alice', 'dmitri', 'gus', 'hana']) assert.ok(rows.includes(person), `${person} offered: ${rows.join(', ')}`);
    await session.screenshot('incidents-assign-commander');
    await page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden' });
  });

  it('resolves the active incident with a summary; the status bar lets it go and says so', async function () {
    this.timeout(60_000);
    const session = e2eSession();
    const { page } = session;
    const sidebar = await session.openView('Runbook Ops');
    const pane = sidebar.locator('.pane', { has: page.locator('.pane-header', { hasText: /^Incidents/i }) });
    await page.locator('.statusbar-item', { hasText: 'INC-0012 SEV4 acknowledged' }).first().waitFor();
    const row = pane.locator('.monaco-list-row', { hasText: 'INC-0012' }).first();
    await row.hover();
    await row.locator('.actions .action-label[aria-label="Resolve"]').click();
    const widget = page.locator('.quick-input-widget');
    await widget.locator('.quick-input-title', { hasText: 'Resolve INC-0012' }).waitFor();
    await widget.locator('input.input').fill('Renewed the certificate by hand');
    await page.keyboard.press('Enter');
    await page.locator('.statusbar-item', { hasText: 'No active incident' }).first().waitFor();
    const file = join(session.workspace.path, 'incidents', 'INC-0012.yaml');
    assert.match(readFileSync(file, 'utf8'), / {4}to: resolved\n {4}text: Renewed the certificate by hand\n$/);
    // The notification (the test workbench puts toasts straight into the notification centre).
    await session.runCommand('Notifications: Show Notifications');
    await page.locator('.notifications-center .notification-list-item', { hasText: 'INC-0012 is resolved: runbook steps are no longer recorded on it.' }).first().waitFor();
    await session.screenshot('incidents-resolved-active');
    await session.runCommand('Notifications: Clear All Notifications');
  });
});
