// The board read as a user reads it (issue 16 item 8): command text in the drawer is readable in the
// four kinds of theme, every column is on screen at 1600 px or named by a hint, and the per-week chart
// has labels and per-bar tooltips that match the records on disk.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { parse } from 'yaml';
import { VIEWPORT } from '../harness/browser';
import { e2eSession, openBoardFullWindow } from '../harness/e2eSession';
import { nextFrames, until } from '../harness/waits';

const STATUSES = ['triage', 'acknowledged', 'investigating', 'mitigated', 'resolved', 'closed', 'cancelled'];
const DAY_MS = 86_400_000;

interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** WCAG 2 relative luminance of an sRGB colour. */
function luminance({ r, g, b }: Rgba): number {
  const channel = (value: number): number => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** WCAG 2 contrast ratio, from 1 (same colour) to 21 (black on white). */
function contrastRatio(a: Rgba, b: Rgba): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

/** Monday 00:00 UTC of the week holding `ms`. */
function weekStart(ms: number): number {
  const day = Math.floor(ms / DAY_MS);
  // 1970-01-01 was a Thursday, weekday 3 counting from Monday.
  return (day - ((day + 3) % 7)) * DAY_MS;
}

/** Standard incidents declared per week, the last 12 weeks up to this one, read from the records on disk. */
function weeklyCounts(incidents: string, now: number): { weekStart: string; count: number }[] {
  const last = weekStart(now);
  const first = last - 11 * 7 * DAY_MS;
  const counts = new Array<number>(12).fill(0);
  for (const name of readdirSync(incidents).filter((n) => n.endsWith('.yaml'))) {
    const record = parse(readFileSync(join(incidents, name), 'utf8')) as { mode?: string; declared_at?: string | Date };
    if ((record.mode ?? 'standard') !== 'standard' || record.declared_at === undefined) continue;
    const declared = new Date(record.declared_at).getTime();
    if (Number.isNaN(declared) || declared > now) continue;
    const slot = (weekStart(declared) - first) / (7 * DAY_MS);
    if (slot >= 0 && slot < 12) counts[slot]++;
  }
  return counts.map((count, i) => ({ weekStart: new Date(first + i * 7 * DAY_MS).toISOString().slice(0, 10), count }));
}

/** Which column headers lie wholly inside the board's window, and what the overflow hints name. */
async function columnVisibility(board: FrameLocator): Promise<{ inside: string[]; outside: string[]; hints: string[] }> {
  return board.locator('body').evaluate(() => {
    // What the user sees of the columns: the window, less what the columns' own scrolling clips.
    const area = document.querySelector('.columns')!.getBoundingClientRect();
    const left = Math.max(0, area.left);
    const right = Math.min(document.documentElement.clientWidth, area.right);
    const inside: string[] = [];
    const outside: string[] = [];
    for (const header of document.querySelectorAll<HTMLElement>('.column .column-header')) {
      const box = header.getBoundingClientRect();
      const status = header.closest<HTMLElement>('.column')!.dataset.status!;
      (box.left >= left - 1 && box.right <= right + 1 && box.width > 0 ? inside : outside).push(status);
    }
    const hints = [...document.querySelectorAll<HTMLElement>('.column-overflow:not([hidden])')].map((hint) => hint.textContent ?? '');
    return { inside, outside, hints };
  });
}

describe('Incident board readability (e2e)', () => {
  let board: FrameLocator;
  let incidents: string;

  before(async function () {
    const session = e2eSession();
    incidents = join(session.workspace.path, 'incidents');
    await session.page.setViewportSize({ width: 1600, height: 900 });
    board = await openBoardFullWindow(session);
  });

  after(async () => {
    const session = e2eSession();
    await session.runCommand('View: Close All Editors');
    await session.page.keyboard.press('Control+B');
    await session.page.locator('.part.sidebar').waitFor();
    await session.page.setViewportSize(VIEWPORT);
  });

  it('shows every column at 1600×900, and names the columns a narrower window with the drawer open pushes out of view', async function () {
    const session = e2eSession();
    await until('the folded columns to be strips', async () => (await board.locator('.column.folded').count()) === 2);
    await nextFrames(board.locator('body'));
    const wide = await columnVisibility(board);
    assert.deepEqual(wide.inside, STATUSES, 'every column header is on screen');
    assert.deepEqual(wide.hints, [], 'nothing is hidden, so no hint');
    await session.screenshot('board-1600-columns');

    // With the drawer open the columns get less room: what does not fit is named by the hint.
    await board.locator('.card', { has: board.locator('.card-id', { hasText: /^INC-0009$/ }) }).click();
    await board.locator('.drawer .drawer-title', { hasText: 'INC-0009' }).waitFor();
    await session.page.setViewportSize({ width: 1100, height: 900 });
    await until('the hint to name the columns pushed out', async () => {
      const { outside, hints } = await columnVisibility(board);
      return outside.length > 0 && hints.length > 0;
    });
    const narrow = await columnVisibility(board);
    const labels: Record<string, string> = { triage: 'Triage', acknowledged: 'Acknowledged', investigating: 'Investigating', mitigated: 'Mitigated', resolved: 'Resolved', closed: 'Closed', cancelled: 'Cancelled' };
    const hint = narrow.hints.join(' ');
    for (const status of narrow.outside) assert.ok(hint.includes(labels[status]), `the hint "${hint}" names ${labels[status]}`);
    assert.match(hint, new RegExp(`^${narrow.outside.length} more columns?`));
    await session.screenshot('board-overflow-hint');
    // The hint takes the user there.
    const first = narrow.outside[0];
    await board.locator('.column-overflow.after').click();
    await until(`${first} to scroll into view`, async () => (await columnVisibility(board)).inside.includes(first));
    await board.locator('.drawer-close').click();
    await session.page.setViewportSize({ width: 1600, height: 900 });
    await until('every column to be back on screen', async () => (await columnVisibility(board)).outside.length === 0);
  });

  it('labels the per-week chart with week dates and counts, with a tooltip per bar', async function () {
    const expected = weeklyCounts(incidents, Date.now());
    const chart = board.locator('.week-chart');
    const bars = await chart.locator('g.week').evaluateAll((groups) =>
      groups.map((g) => ({ week: g.getAttribute('data-week'), title: g.querySelector('title')?.textContent, count: g.querySelector('.bar-count')?.textContent ?? null })),
    );
    assert.deepEqual(
      bars,
      expected.map(({ weekStart: week, count }) => ({ week, title: `Week of ${week}: ${count} incident${count === 1 ? '' : 's'}`, count: count > 0 ? String(count) : null })),
    );
    const format = (day: string): string => new Date(`${day}T00:00:00Z`).toLocaleDateString('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });
    const weekLabels = await chart.locator('.week-label').allTextContents();
    assert.deepEqual(weekLabels, [expected[0], expected[5], expected[11]].map((w) => format(w.weekStart)));
    assert.equal(await chart.locator('.y-max').textContent(), String(Math.max(1, ...expected.map((w) => w.count))));
    // The text alternative stays: the summary and the table say the same numbers.
    assert.equal(await chart.getAttribute('aria-label'), `Incidents declared per week, last 12 weeks: ${expected.map((w) => w.count).join(', ')}`);
    const rows = await board.locator('.metric.chart table tr td').allTextContents();
    assert.deepEqual(rows, expected.flatMap((w) => [w.weekStart, String(w.count)]));
    // Every label is painted inside the chart (none clipped by the SVG's box).
    const clipped = await chart.evaluate((svg) => {
      const box = svg.getBoundingClientRect();
      return [...svg.querySelectorAll('text')].filter((t) => {
        const r = t.getBoundingClientRect();
        return r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5;
      }).map((t) => t.textContent);
    });
    assert.deepEqual(clipped, []);
  });

  it('keeps command text in the drawer readable (contrast ≥ 4.5:1) in light, dark and both high-contrast themes', async function () {
    const session = e2eSession();
    const settings = join(session.workspace.path, '.vscode', 'settings.json');
    const original = readFileSync(settings, 'utf8');
    const originalTheme = (await session.page.locator('.monaco-workbench').getAttribute('class'))?.match(/\b(vs-dark|vs|hc-black|hc-light)\b/)?.[1];
    await board.locator('.card', { has: board.locator('.card-id', { hasText: /^INC-0009$/ }) }).click();
    const command = board.locator('.drawer .timeline .action-run code').first();
    await command.waitFor();
    const measure = () =>
      command.evaluate((element) => {
        const parse = (text: string) => {
          const [r, g, b, a = 1] = (text.match(/[\d.]+/g) ?? []).map(Number);
          return { r, g, b, a };
        };
        const over = (top: { r: number; g: number; b: number; a: number }, under: { r: number; g: number; b: number }) => ({
          r: top.r * top.a + under.r * (1 - top.a),
          g: top.g * top.a + under.g * (1 - top.a),
          b: top.b * top.a + under.b * (1 - top.a),
          a: 1,
        });
        // What is painted behind the text: every ancestor's background, composited from the page down.
        const layers: string[] = [];
        for (let node: Element | null = element; node; node = node.parentElement) layers.push(getComputedStyle(node).backgroundColor);
        let background = { r: 255, g: 255, b: 255, a: 1 };
        for (const layer of layers.reverse()) background = over(parse(layer), background);
        return { foreground: over(parse(getComputedStyle(element).color), background), background, text: element.textContent };
      });
    const results: Record<string, number> = {};
    try {
      for (const [theme, workbenchClass, bodyClass] of [
        ['Default Light Modern', 'vs', 'vscode-light'],
        ['Default Dark Modern', 'vs-dark', 'vscode-dark'],
        ['Default High Contrast', 'hc-black', 'vscode-high-contrast'],
        ['Default High Contrast Light', 'hc-light', 'vscode-high-contrast-light'],
      ]) {
        writeFileSync(settings, JSON.stringify({ ...(JSON.parse(original) as object), 'workbench.colorTheme': theme }, null, 2));
        await session.page.locator(`.monaco-workbench.${workbenchClass}`).waitFor();
        await board.locator(`body.${bodyClass}`).waitFor();
        await nextFrames(board.locator('body'));
        const { foreground, background, text } = await measure();
        assert.ok(text, 'the command is shown');
        results[theme] = Math.round(contrastRatio(foreground, background) * 100) / 100;
        await session.screenshot(`board-drawer-command-${workbenchClass}`);
      }
    } finally {
      writeFileSync(settings, original);
      if (originalTheme) await session.page.locator(`.monaco-workbench.${originalTheme}`).waitFor();
    }
    process.stderr.write(`    command text contrast: ${JSON.stringify(results)}\n`);
    for (const [theme, ratio] of Object.entries(results)) assert.ok(ratio >= 4.5, `${theme}: contrast ${ratio}:1 is below 4.5:1`);
    await board.locator('.drawer-close').click();
  });
});
