// The incident board driven in Chromium against real VS Code: columns, drag and drop and keyboard
// moves written to the YAML on disk, filters, the detail drawer, live updates and hostile titles.
import * as assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { e2eSession, openBoardFullWindow } from '../harness/e2eSession';
import { publishToMedia } from '../harness/paths';
import { nextFrames, until } from '../harness/waits';


/** The file's text once it matches `pattern` (the extension has written the change). */
async function waitForFile(file: string, pattern: RegExp): Promise<string> {
  await until(`${file} to match ${pattern}`, () => pattern.test(readFileSync(file, 'utf8')));
  return readFileSync(file, 'utf8');
}

function card(board: FrameLocator, id: string) {
  return board.locator('.card', { has: board.locator('.card-id', { hasText: new RegExp(`^${id}$`) }) });
}

function column(board: FrameLocator, status: string) {
  return board.locator(`.column[data-status="${status}"]`);
}

async function visibleIds(board: FrameLocator): Promise<string[]> {
  return (await board.locator('.column:not(.folded) .card .card-id').allTextContents()).sort();
}

describe('Incident board (e2e)', () => {
  let board: FrameLocator;
  let incidents: string;
  /** Anything the board's CSP refused (a style, a script, a font): there must be none. */
  const cspViolations: string[] = [];

  before(async function () {
    const session = e2eSession();
    incidents = join(session.workspace.path, 'incidents');
    session.page.on('console', (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text()) ) cspViolations.push(message.text());
    });
    board = await openBoardFullWindow(session);
  });

  after(async () => {
    const session = e2eSession();
    // Later suites share the workspace: leave the sample's set of incidents as it was.
    rmSync(join(incidents, 'INC-0013.yaml'), { force: true });
    await session.runCommand('View: Close All Editors');
    await session.page.keyboard.press('Control+B');
    await session.page.locator('.part.sidebar').waitFor();
  });

  it('shows a column per status with the sample incidents, closed and cancelled folded', async function () {
    const counts: Record<string, string> = {};
    for (const status of ['triage', 'acknowledged', 'investigating', 'mitigated', 'resolved', 'closed', 'cancelled']) {
      counts[status] = (await column(board, status).locator('.column-count').textContent()) ?? '';
    }
    assert.deepEqual(counts, { triage: '1', acknowledged: '1', investigating: '1', mitigated: '1', resolved: '2', closed: '5', cancelled: '1' });
    assert.equal(await column(board, 'closed').locator('.card').count(), 0, 'closed is folded');
    const first = card(board, 'INC-0010');
    assert.match((await first.textContent()) ?? '', /SEV1 Critical.*INC-0010.*Checkout API 5xx in eu-west-1.*checkout-api/s);
    assert.equal(await board.locator('.metrics .severity-chip[data-severity="SEV1"] strong').textContent(), '1');
    assert.match((await board.locator('.week-chart').getAttribute('aria-label')) ?? '', /^Incidents declared per week, last 12 weeks: (\d+, ){11}\d+$/);
  });

  it('drags a card from investigating to mitigated and writes the status change to the YAML', async function () {
    const file = join(incidents, 'INC-0010.yaml');
    const before = readFileSync(file, 'utf8');
    assert.match(before, /^status: investigating/m);
    await card(board, 'INC-0010').dragTo(column(board, 'mitigated').locator('.column-cards'));
    const after = await waitForFile(file, /^status: mitigated/m);
    assert.match(after, /^mitigated_at: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/m);
    assert.match(after, / {4}kind: status\n {4}from: investigating\n {4}to: mitigated\n/);
    // Only the status line changed among the lines that were there; comments survive.
    const removed = before.split('\n').filter((line) => !after.includes(line));
    assert.deepEqual(removed.filter((l) => !/^status:|^mitigated_at:/.test(l)), []);
    await column(board, 'mitigated').locator('.card-id', { hasText: 'INC-0010' }).waitFor();
  });

  it('moves a card with the keyboard and shows why a backward move is refused', async function () {
    const session = e2eSession();
    const file = join(incidents, 'INC-0011.yaml');
    const target = card(board, 'INC-0011');
    await target.focus();
    await session.page.keyboard.press('Shift+ArrowRight');
    await waitForFile(file, /^status: investigating/m);
    await column(board, 'investigating').locator('.card-id', { hasText: 'INC-0011' }).waitFor();
    // Focus stays on the moved card, so the next key acts on it.
    assert.equal(await board.locator('.card:focus .card-id').textContent(), 'INC-0011');
    // Nowhere to go back to: the card says why, and the next key clears it.
    await session.page.keyboard.press('Shift+ArrowLeft');
    const error = card(board, 'INC-0011').locator('.card-error');
    await error.waitFor();
    assert.equal(await error.textContent(), 'Investigating cannot move back: only a mitigated, resolved, closed or cancelled incident can be reopened.');
    assert.match(readFileSync(file, 'utf8'), /^status: investigating/m);
    await session.screenshot('board-no-move-back');
    await session.page.keyboard.press('ArrowDown');
    await error.waitFor({ state: 'detached' });
    // A drop on a column it cannot move to does nothing.
    await card(board, 'INC-0011').dragTo(column(board, 'acknowledged').locator('.column-cards'));
    assert.equal(await card(board, 'INC-0011').evaluate((element) => element.classList.contains('pending')), false, 'no request was sent');
    assert.match(readFileSync(file, 'utf8'), /^status: investigating/m);

    // The "Move to…" menu (M) lists only the moves the workflow allows.
    await target.focus();
    await session.page.keyboard.press('m');
    await board.locator('.move-menu').waitFor();
    assert.deepEqual(await board.locator('.move-option').allTextContents(), ['Mitigated', 'Resolved', 'Closed', 'Cancelled']);
    await board.locator('.move-option[data-status="mitigated"]').click();
    await waitForFile(file, /^status: mitigated/m);
    await column(board, 'mitigated').locator('.card-id', { hasText: 'INC-0011' }).waitFor();
  });

  it('reopens a mitigated card from Move to…, asking why, and clears a refusal on the next click', async function () {
    this.timeout(60_000);
    const session = e2eSession();
    const { page } = session;
    const file = join(incidents, 'INC-0010.yaml');
    assert.match(readFileSync(file, 'utf8'), /^status: mitigated/m, 'moved there by the drag test');
    const target = card(board, 'INC-0010');
    await target.focus();
    await page.keyboard.press('m');
    await board.locator('.move-menu').waitFor();
    assert.deepEqual(await board.locator('.move-option').allTextContents(), ['Investigating (reopen)', 'Resolved', 'Closed', 'Cancelled']);
    await session.screenshot('board-move-menu-reopen');
    await board.locator('.move-option[data-status="investigating"]').click();

    // VS Code asks for the reason; Enter on an empty box is refused, Escape moves nothing.
    const widget = page.locator('.quick-input-widget');
    await widget.locator('.quick-input-title', { hasText: 'Reopen INC-0010 (mitigated → investigating)' }).waitFor();
    await page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden' });
    await column(board, 'mitigated').locator('.card-id', { hasText: 'INC-0010' }).waitFor();
    assert.equal(await target.evaluate((element) => element.classList.contains('pending')), false);
    assert.match(readFileSync(file, 'utf8'), /^status: mitigated/m);

    await target.focus();
    await page.keyboard.press('Shift+ArrowLeft');
    await widget.locator('.quick-input-title', { hasText: 'Reopen INC-0010' }).waitFor();
    await page.keyboard.press('Enter');
    await widget.locator('.quick-input-message', { hasText: 'A reopen needs a reason' }).waitFor();
    await widget.locator('input.input').fill('5xx back after the rollback');
    await session.screenshot('board-reopen-reason');
    await page.keyboard.press('Enter');
    const text = await waitForFile(file, /^status: investigating/m);
    assert.doesNotMatch(text, /^mitigated_at:/m);
    assert.match(text, / {4}from: mitigated\n {4}to: investigating\n {4}text: "Reopened: 5xx back after the rollback \(was mitigated_at [^)]+\)"\n/);
    await column(board, 'investigating').locator('.card-id', { hasText: 'INC-0010' }).waitFor();

    // A move the record cannot take (acknowledged in the future, so mitigated now would be before it) is
    // refused with the reason on the card, until the next click.
    const scratch = join(incidents, 'INC-0015.yaml');
    writeFileSync(scratch, ['id: INC-0015', 'title: Clock skew on the pager', 'status: acknowledged', 'severity: SEV4', 'commander: gus',
      'declared_at: 2026-11-24T08:00:00Z', 'acknowledged_at: 2099-01-01T00:00:00Z', ''].join('\n'));
    try {
      const skewed = card(board, 'INC-0015');
      await skewed.waitFor();
      await skewed.dragTo(column(board, 'mitigated').locator('.column-cards'));
      const refusal = skewed.locator('.card-error');
      await refusal.waitFor();
      assert.match((await refusal.textContent()) ?? '', /^Not moved to Mitigated: This change would make the record invalid, so nothing was written: `mitigated_at` \(.*\) is before `acknowledged_at`/);
      await session.screenshot('board-refusal');
      await board.locator('.board-summary').click();
      await refusal.waitFor({ state: 'detached' });
    } finally {
      rmSync(scratch, { force: true });
    }
    await board.locator('.board-summary', { hasText: /^12 incidents$/ }).waitFor();
  });

  it('filters by severity and by text', async function () {
    await board.locator('.metrics .severity-chip[data-severity="SEV2"]').click();
    await board.locator('.board-summary', { hasText: /^4 of 12 incidents$/ }).waitFor();
    assert.deepEqual(await visibleIds(board), ['INC-0005', 'INC-0009']);
    await board.locator('.clear-filters').click();
    await board.locator('.board-summary', { hasText: /^12 incidents$/ }).waitFor();
    await board.locator('.search input').fill('pg-main');
    await board.locator('.board-summary', { hasText: /^2 of 12 incidents$/ }).waitFor();
    assert.deepEqual(await visibleIds(board), ['INC-0009']);
    await board.locator('.clear-filters').click();
    await board.locator('.board-summary', { hasText: /^12 incidents$/ }).waitFor();
    assert.equal(await board.locator('.search input').inputValue(), '');
  });

  it('opens the drawer, adds a note, completes an action item and opens the record and its runbook', async function () {
    const session = e2eSession();
    const file = join(incidents, 'INC-0009.yaml');
    await card(board, 'INC-0009').click();
    const drawer = board.locator('.drawer');
    await drawer.locator('.drawer-title', { hasText: 'INC-0009' }).waitFor();
    assert.match((await drawer.locator('.timeline').textContent()) ?? '', /kind|status|note|action/);
    // What a step printed is under its entry, folded until asked for.
    const output = drawer.locator('.timeline .action-output').first();
    assert.equal(await output.locator('summary').textContent(), 'Output (2 lines)');
    assert.equal(await output.locator('pre').isVisible(), false);
    await output.locator('summary').click();
    assert.match((await output.locator('pre').textContent()) ?? '', /^Filesystem +Size +Used +Avail +Use% +Mounted on\n\/dev\/nvme1n1 +200G +186G +14G +94% \/var\/lib\/postgresql\/data\n$/);
    await output.locator('summary').click();
    const note = `Disk at 91% after vacuum ${Date.now()}`;
    await drawer.locator('.note-text textarea').fill(note);
    await drawer.locator('.add-note').click();
    const text = await waitForFile(file, new RegExp(`text: ${note}`));
    assert.match(text, new RegExp(` {4}kind: note\\n {4}text: ${note}\\n`));
    await drawer.locator('.timeline .entry-text', { hasText: note }).first().waitFor();

    await drawer.locator('.action-item[data-item="AI-2"] vscode-checkbox').click();
    const done = await waitForFile(file, /- id: AI-2\n(?: {4}.*\n)*? {4}status: done\n/);
    assert.match(done, /- id: AI-1\n(?: {4}.*\n)*? {4}status: in_progress\n/, 'the other item is untouched');
    await drawer.locator('.action-item.status-done[data-item="AI-2"]').waitFor();
    await drawer.evaluate((element) => element.scrollTo(0, 0));
    publishToMedia(await session.screenshot('board-drawer'), 'board-drawer.png');

    // The record and its runbook open in the editor beside the board.
    await drawer.locator('.open-record').click();
    await session.page.locator('.tabs-container .tab[data-resource-name="INC-0009.yaml"]').waitFor();
    await drawer.locator('.runbook-link', { hasText: 'database/postgres-disk-full.md' }).click();
    await session.page.locator('.tabs-container .tab[data-resource-name="postgres-disk-full.md"]').waitFor();
    await session.runCommand('View: Close All Editors in Group');
    await session.page.locator('.tabs-container .tab[data-resource-name="postgres-disk-full.md"]').waitFor({ state: 'detached' });

  });

  it('moves a card when its file changes on disk, keeping the drawer open', async function () {
    const file = join(incidents, 'INC-0008.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/^status: resolved$/m, 'status: closed\nclosed_at: 2026-11-13T09:00:00Z'));
    await column(board, 'closed').locator('.column-count', { hasText: /^6$/ }).waitFor();
    assert.equal(await column(board, 'resolved').locator('.card-id', { hasText: 'INC-0008' }).count(), 0);
    assert.equal(await board.locator('.drawer .drawer-title .card-id').textContent(), 'INC-0009', 'the drawer stays on its incident');
  });

  it('drops the drawer\'s success message once the record changes after it (found in the npm start walk-through)', async function () {
    const drawer = board.locator('.drawer');
    await drawer.locator('.drawer-message', { hasText: 'AI-2 is done.' }).waitFor();
    const file = join(incidents, 'INC-0009.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: .*$/m, 'title: pg-main data volume at 97% on postgres-0'));
    await drawer.locator('.drawer-title', { hasText: '97%' }).waitFor();
    await drawer.locator('.drawer-message:empty').waitFor({ state: 'attached' });
  });

  it('drafts the postmortem from the drawer, which then shows where it is', async function () {
    const session = e2eSession();
    const drawer = board.locator('.drawer');
    const file = join(incidents, 'INC-0009.yaml');
    await drawer.locator('.drawer-title .card-id', { hasText: 'INC-0009' }).waitFor();
    // Draft postmortem: the host writes it from the record, links it, and the drawer says where it is.
    const record = readFileSync(file, 'utf8');
    await drawer.locator('.draft-postmortem', { hasText: 'Draft postmortem' }).click();
    await drawer.locator('.postmortem-path', { hasText: 'postmortems/INC-0009.md' }).waitFor();
    assert.match(readFileSync(join(session.workspace.path, 'postmortems', 'INC-0009.md'), 'utf8'), /^# Postmortem: INC-0009 pg-main data volume at 9\d% on postgres-0$/m);
    assert.match(readFileSync(file, 'utf8'), /^postmortem: postmortems\/INC-0009\.md$/m);
    await drawer.locator('.draft-postmortem', { hasText: 'Regenerate facts' }).waitFor();
    await session.runCommand('View: Close All Editors in Group');
    // Later tests and suites expect the sample's INC-0009 as it was.
    writeFileSync(file, record);
    rmSync(join(session.workspace.path, 'postmortems'), { recursive: true, force: true });
    await drawer.locator('.draft-postmortem', { hasText: 'Draft postmortem' }).waitFor();
  });

  it('follows the dark and light themes', async function () {
    const session = e2eSession();
    const settings = join(session.workspace.path, '.vscode', 'settings.json');
    const original = readFileSync(settings, 'utf8');
    const background = () => board.locator('.card').first().evaluate((element) => getComputedStyle(element).backgroundColor);
    let previous = await background();
    const useTheme = async (theme: string, workbenchClass: string, bodyClass: string): Promise<string> => {
      writeFileSync(settings, JSON.stringify({ ...(JSON.parse(original) as object), 'workbench.colorTheme': theme }, null, 2));
      await session.page.locator(`.monaco-workbench.${workbenchClass}`).waitFor();
      await board.locator(`body.${bodyClass}`).waitFor();
      // The theme's colours reach the cards (every theme here has its own card background), then painted.
      await until(`the cards to take the colours of ${theme}`, async () => (await background()) !== previous);
      await nextFrames(board.locator('body'));
      await nextFrames(session.page);
      previous = await background();
      return previous;
    };
    try {
      await session.page.mouse.move(5, 400);
      const dark = await useTheme('Default Dark Modern', 'vs-dark', 'vscode-dark');
      publishToMedia(await session.screenshot('board-dark'), 'board-dark.png');
      const light = await useTheme('Default Light Modern', 'vs', 'vscode-light');
      publishToMedia(await session.screenshot('board-light'), 'board-light.png');
      const contrast = await useTheme('Default High Contrast', 'hc-black', 'vscode-high-contrast');
      await session.screenshot('board-high-contrast');
      // The cards take their colours from the theme's variables; high contrast adds its border colour.
      assert.equal(new Set([dark, light, contrast]).size, 3);
      assert.notEqual(await board.locator('.card').first().evaluate((element) => getComputedStyle(element).borderTopStyle), 'none');
    } finally {
      writeFileSync(settings, original);
    }
  });

  it('loads without any Content Security Policy violation', () => {
    assert.deepEqual(cspViolations, []);
  });

  it('renders a hostile title as text and runs no script from it', async function () {
    const title = `<img src=x onerror="document.body.dataset.pwned='1'"><script>document.body.dataset.pwned='2'</script>`;
    writeFileSync(
      join(incidents, 'INC-0013.yaml'),
      [
        'id: INC-0013',
        // JSON strings are YAML double-quoted scalars.
        `title: ${JSON.stringify(title)}`,
        'status: triage',
        'severity: SEV3',
        'declared_at: 2026-11-24T08:00:00Z',
        `summary: '<b onmouseover="document.body.dataset.pwned=3">bold</b>'`,
        'services: ["<svg onload=document.body.dataset.pwned=4>"]',
        '',
      ].join('\n'),
    );
    const hostile = card(board, 'INC-0013');
    await hostile.waitFor();
    assert.equal(await hostile.locator('.card-title').textContent(), title);
    assert.equal(await hostile.locator('img, script, svg, b').count(), 0);
    await hostile.click();
    await board.locator('.drawer .drawer-title', { hasText: 'INC-0013' }).waitFor();
    // An inline handler would run during the mouseover's dispatch, so by the time hover() returns; and
    // no element that could load (img, svg, script) exists to run one later (asserted above and below).
    await board.locator('.drawer .prose', { hasText: '<b onmouseover' }).hover();
    assert.equal(await board.locator('body').getAttribute('data-pwned'), null);
    assert.equal(await board.locator('.drawer img, .drawer script, .drawer b').count(), 0);
    await board.locator('.drawer-close').click();
  });


});
