// The Runbooks view as a user sees it in the real workbench: groups, titles, step counts, and a click
// that opens the runbook at its title.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunbook } from '../../src/core/runbook/runbook';
import { e2eSession } from '../harness/e2eSession';
import { publishToMedia } from '../harness/paths';

describe('Runbooks view (e2e)', () => {
  it('lists the sample runbooks grouped by service with their step counts', async () => {
    const session = e2eSession();
    const sidebar = await session.openView('Runbook Ops');
    const rows = sidebar.locator('.monaco-list-row');
    const group = rows.filter({ hasText: /^checkout-api\s*4$/ });
    await group.first().waitFor();
    const rollback = rows.filter({ hasText: 'Roll back checkout-api' }).first();
    await rollback.waitFor();
    assert.match((await rollback.textContent()) ?? '', /Roll back checkout-api\s*8 steps/);
    for (const label of ['postgres', 'orders-worker', 'Postgres primary failover (Patroni)', 'TLS certificate about to expire']) {
      assert.ok(await rows.filter({ hasText: label }).count() > 0, `the view shows ${label}`);
    }
    await session.screenshot('runbooks-view');
  });

  it('opens a runbook at its title when clicked', async () => {
    const session = e2eSession();
    const { page } = session;
    const sidebar = await session.openView('Runbook Ops');
    const file = join(session.workspace.path, 'kubernetes', 'node-not-ready.md');
    const { titleLine } = parseRunbook('kubernetes/node-not-ready.md', readFileSync(file));
    await sidebar.locator('.monaco-list-row', { hasText: 'Kubernetes node NotReady' }).first().click();
    await page.locator('.tabs-container .tab[data-resource-name="node-not-ready.md"]').first().waitFor();
    const cursor = page.locator('.statusbar-item[id="status.editor.selection"]');
    await cursor.filter({ hasText: `Ln ${titleLine}, Col 1` }).waitFor();
    const currentLine = page.locator('.monaco-editor .view-overlays .current-line');
    assert.ok(await currentLine.count() > 0, 'the editor shows a cursor line');
    // The screenshot the README shows: a wider side bar so titles are readable, no hover tooltip.
    const box = await page.locator('.part.sidebar').boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width + 1, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width + 120, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
    }
    await page.mouse.move(900, 600);
    const shot = await session.screenshot('runbooks-view-open-runbook');
    publishToMedia(shot, 'runbooks-view.png');
  });
});
