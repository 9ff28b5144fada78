// From the page to the postmortem as the on-call engineer does it: paste the alert Alertmanager sent,
// open the runbook it names with the labels as the values, declare the incident from it in one click,
// run a step (its output lands on the record), and draft the postmortem from the record.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { codeLensAbove, e2eSession } from '../harness/e2eSession';
import { publishToMedia } from '../harness/paths';
import { until } from '../harness/waits';

describe('From an alert to the postmortem (e2e)', () => {
  let declared: string | undefined;

  after(async () => {
    const session = e2eSession();
    // A fresh-clone CI run once found the workbench inert here (a dialog over it): the picture says which.
    await session.screenshot('alert-e2e-cleanup');
    const dialog = session.page.locator('.monaco-dialog-box');
    if (await dialog.isVisible()) {
      await session.page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
    }
    // The Markdown preview first: with focus in a webview, the next F1 goes to it and opens no palette.
    await session.runCommand('View: Close All Editors');
    await session.page.locator('iframe.webview').first().waitFor({ state: 'detached' });
    // Later suites share the workspace: no active incident, and the sample's incidents as they were.
    await session.runCommand('Runbook Ops: Switch Active Incident…');
    const widget = session.page.locator('.quick-input-widget');
    await widget.locator('input.input').fill('No active incident');
    await widget.locator('.monaco-list-row.focused', { hasText: 'No active incident' }).waitFor();
    await session.page.keyboard.press('Enter');
    await session.page.locator('.statusbar-item', { hasText: 'No active incident' }).first().waitFor();
    if (declared) {
      rmSync(join(session.workspace.path, 'incidents', `${declared}.yaml`), { force: true });
      rmSync(join(session.workspace.path, 'postmortems'), { recursive: true, force: true });
    }
    await session.runCommand('Notifications: Clear All Notifications');
    // The step's terminal goes with its panel, so the next suites get the layout they expect.
    await session.runCommand('Terminal: Kill All Terminals');
    await session.page.locator('.part.panel').waitFor({ state: 'hidden' });
  });

  it('finds the runbook for a pasted Alertmanager payload and declares the incident from it', async function () {
    this.timeout(120_000);
    const session = e2eSession();
    const { page } = session;
    const incidents = join(session.workspace.path, 'incidents');
    const before = new Set(readdirSync(incidents));
    const payload = JSON.stringify(JSON.parse(readFileSync(join(session.workspace.path, 'alerts', 'checkout-high-5xx.alertmanager.json'), 'utf8')));

    await session.runCommand('Runbook Ops: Find Runbook for Alert');
    const widget = page.locator('.quick-input-widget');
    await widget.locator('.quick-input-title', { hasText: 'Find Runbook for Alert' }).waitFor();
    await widget.locator('input.input').fill(payload);
    await page.keyboard.press('Enter');
    await widget.locator('.quick-input-title', { hasText: 'Runbooks for CheckoutHigh5xx, best first' }).waitFor();
    const rows = widget.locator('.monaco-list-row');
    await rows.nth(1).waitFor();
    assert.match((await rows.nth(0).textContent()) ?? '', /CheckoutHigh5xx.*alerts\/checkout-api\/CheckoutHigh5xx\.md.*the alert's runbook_url points here/);
    assert.match((await rows.nth(1).textContent()) ?? '', /Roll back checkout-api.*front matter lists CheckoutHigh5xx/);
    publishToMedia(await session.screenshot('alert-runbook-pick'), 'alert-runbook-pick.png');
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab[data-resource-name="CheckoutHigh5xx.md"]').first().waitFor();

    await session.runCommand('Notifications: Show Notifications');
    const notice = page.locator('.notifications-center .notification-list-item', { hasText: 'Opened “CheckoutHigh5xx” for CheckoutHigh5xx. From the alert’s labels: <namespace> = payments.' }).first();
    await notice.waitFor();
    await session.screenshot('alert-opened-notification');
    await notice.locator('.monaco-button', { hasText: 'Declare Incident from Alert' }).click();

    const status = page.locator('.statusbar-item', { hasText: /INC-\d+ SEV2 triage/ }).first();
    await status.waitFor();
    declared = /INC-\d+/.exec((await status.textContent()) ?? '')![0];
    assert.ok(!before.has(`${declared}.yaml`));
    const record = readFileSync(join(incidents, `${declared}.yaml`), 'utf8');
    assert.match(record, /^title: "CheckoutHigh5xx: checkout-api 5xx ratio above 2% in eu-west-1"$/m);
    assert.match(record, /^services: \[checkout-api\]$/m);
    assert.match(record, /^detected_at: 2026-11-30T09:05:10Z$/m);
    assert.match(record, /^runbooks: \[alerts\/checkout-api\/CheckoutHigh5xx\.md\]$/m);
    assert.match(record, / {2}- at: 2026-11-30T09:05:10Z\n {4}by: alertmanager\n {4}kind: detection\n/);
    await session.runCommand('Notifications: Clear All Notifications');
  });

  it('runs a step with the label’s value, shown before it runs, and keeps what it printed on the record', async function () {
    this.timeout(120_000);
    const session = e2eSession();
    const { page } = session;
    const runbook = readFileSync(join(session.workspace.path, 'alerts/checkout-api/CheckoutHigh5xx.md'), 'utf8').split('\n');
    // The step's fence is the line before its command: its 1-based number is the command's 0-based index.
    const fenceLine = runbook.findIndex((l) => l.includes('kubectl get pods -n <namespace>'));
    await (await codeLensAbove(page, fenceLine, '▶ Run')).click();
    const widget = page.locator('.quick-input-widget');
    await widget.locator('.quick-input-title', { hasText: /some from the alert/ }).waitFor();
    assert.match((await widget.locator('.monaco-list-row').first().textContent()) ?? '', /Run with <namespace> = payments \(label of CheckoutHigh5xx\)/);
    await page.waitForFunction(() => getComputedStyle(document.querySelector('.quick-input-widget')!).opacity === '1');
    publishToMedia(await session.screenshot('alert-values-before-run'), 'alert-values-before-run.png');
    await page.keyboard.press('Enter');
    await page.locator('.terminal-wrapper .xterm-rows').filter({ hasText: 'checkout-api-7d9f8c6b5' }).first().waitFor();
    const file = join(session.workspace.path, 'incidents', `${declared}.yaml`);
    await until('the step and its output on the record', () => readFileSync(file, 'utf8').includes('    output: |'));
    assert.match(readFileSync(file, 'utf8'), / {4}command: kubectl get pods -n payments -l app\.kubernetes\.io\/name=checkout-api\n {4}exit_code: 0\n {4}duration_ms: \d+\n {4}output: \|\n {6}NAME /);
  });

  it('drafts the postmortem from the record, and opens it', async function () {
    this.timeout(120_000);
    const session = e2eSession();
    const { page } = session;
    await session.runCommand('Runbook Ops: Draft Postmortem');
    const widget = page.locator('.quick-input-widget');
    await widget.locator('input.input').fill(declared!);
    await widget.locator('.monaco-list-row.focused', { hasText: declared! }).waitFor();
    await page.keyboard.press('Enter');
    const draft = join(session.workspace.path, 'postmortems', `${declared}.md`);
    await until('the draft on disk', () => existsSync(draft));
    await page.locator(`.tabs-container .tab[data-resource-name="${declared}.md"]`).first().waitFor();
    const text = readFileSync(draft, 'utf8');
    assert.match(text, new RegExp(`^# Postmortem: ${declared} CheckoutHigh5xx: checkout-api 5xx ratio above 2% in eu-west-1$`, 'm'));
    assert.match(text, /\| 2026-11-30 09:05:10 \| alertmanager \| detection \| CheckoutHigh5xx fired/);
    assert.match(text, /`kubectl get pods -n payments -l app\.kubernetes\.io\/name=checkout-api` → exit 0/);
    assert.match(readFileSync(join(session.workspace.path, 'incidents', `${declared}.yaml`), 'utf8'), new RegExp(`^postmortem: postmortems/${declared}\\.md$`, 'm'));
    await session.runCommand('Markdown: Open Preview to the Side');
    const preview = session.webview({ index: 0 });
    const timeline = preview.locator('h3', { hasText: 'Timeline (UTC)' });
    await preview.locator('table td', { hasText: 'alertmanager' }).first().waitFor();
    // Room for the tables: the side bar goes for the picture, and comes back for the suites after this one.
    // Through the palette: a key press would go to the preview if it had focus.
    await session.runCommand('View: Toggle Primary Side Bar Visibility');
    await page.locator('.part.sidebar').waitFor({ state: 'hidden' });
    await timeline.evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
    // The terminal shows its new size (cols x rows) for a moment after the layout change.
    await page.locator('.terminal-resize-overlay.visible').waitFor({ state: 'detached' });
    await page.mouse.move(700, 780); // over the terminal, where no hover shows a tooltip
    publishToMedia(await session.screenshot('postmortem-draft'), 'postmortem-draft.png');
    await session.runCommand('View: Toggle Primary Side Bar Visibility');
    await page.locator('.part.sidebar').waitFor();
  });
});
