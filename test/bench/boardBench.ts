// The incident board's rows of `npm run bench`: the real webview bundle (dist/webview) in Chromium
// with 5,000 generated incidents. The extension host is replaced by a page script that answers the
// board's `ready` with the snapshot the host would send (built by the same core functions), so the
// numbers are the webview's own: script start to cards painted, and filter/typing response.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boardCard, boardConfig, boardMetrics } from '../../src/core/board/boardModel';
import { summarizeIncident } from '../../src/core/incident/incidentSummary';
import { validateIncident } from '../../src/core/incident/incidentValidation';
import type { HostMessage } from '../../src/core/board/protocol';
import { DEFAULT_REPO_CONFIG } from '../../src/core/config/repoConfig';
import { launchChromium } from '../harness/browser';
import { median, percentile, type BenchRow } from './benchmarkSuite';
import { generateCorpusFiles } from './corpusGenerator';

export interface BoardBenchOptions {
  incidents: number;
  runs: number;
  /** dist/webview: board.js, board.css, codicon.css/ttf. */
  bundleDir: string;
  log?: (line: string) => void;
}

const ORIGIN = 'https://board.bench';

/** What the host would send for `incidents` generated incident records. */
export function boardSnapshot(incidents: number, now = new Date('2026-11-25T12:00:00Z')): Extract<HostMessage, { type: 'snapshot' }> {
  const files = generateCorpusFiles({ runbooks: 200, incidents }).filter((f) => f.path.startsWith('incidents/'));
  const summaries = files.map((file) => summarizeIncident(validateIncident(file.path, file.text, { config: DEFAULT_REPO_CONFIG, now })));
  return {
    type: 'snapshot',
    cards: summaries.map((s) => boardCard(s, `file:///bench/${s.path}`)),
    config: boardConfig(DEFAULT_REPO_CONFIG),
    metrics: boardMetrics(summaries, now),
    now: now.toISOString(),
  };
}

/** The page VS Code would give the webview, with a stand-in for `acquireVsCodeApi` that replies to `ready`. */
function pageHtml(): string {
  return `<!DOCTYPE html><html><head><meta charset="UTF-8">
<link rel="stylesheet" href="${ORIGIN}/codicon.css"><link rel="stylesheet" href="${ORIGIN}/board.css">
<script>
  let state;
  window.acquireVsCodeApi = () => ({
    postMessage(message) {
      if (message.type === 'ready') window.postMessage(window.__snapshot, '*');
    },
    getState: () => state,
    setState: (value) => { state = value; },
  });
</script></head>
<body class="vscode-dark"><div id="board-root"></div><script src="${ORIGIN}/board.js"></script></body></html>`;
}

export async function benchIncidentBoard(options: BoardBenchOptions): Promise<BenchRow[]> {
  const log = options.log ?? (() => undefined);
  const snapshot = boardSnapshot(options.incidents);
  log(`board: ${snapshot.cards.length} cards, snapshot ${(JSON.stringify(snapshot).length / 1e6).toFixed(1)} MB`);
  const chromium = await launchChromium();
  try {
    const { page } = chromium;
    await page.route(`${ORIGIN}/**`, (route) => {
      const name = new URL(route.request().url()).pathname.slice(1);
      if (name === 'index.html') return route.fulfill({ contentType: 'text/html', body: pageHtml() });
      const type = name.endsWith('.js') ? 'text/javascript' : name.endsWith('.css') ? 'text/css' : 'font/ttf';
      return route.fulfill({ contentType: type, body: readFileSync(join(options.bundleDir, name)) });
    });
    await page.addInitScript((json: string) => {
      (window as unknown as { __snapshot: unknown }).__snapshot = JSON.parse(json);
    }, JSON.stringify(snapshot));

    const firstPaint: number[] = [];
    const typing: number[] = [];
    const filters: number[] = [];
    for (let run = 0; run <= options.runs; run++) {
      await page.goto(`${ORIGIN}/index.html`);
      // From navigation start (script load, snapshot, render) to the frame after the cards are painted.
      const painted = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const check = (): void => {
              if (document.querySelector('.card')) requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
              else requestAnimationFrame(check);
            };
            check();
          }),
      );
      const timings = await page.evaluate(async () => {
        const nextPaint = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        const timed = async (action: () => void): Promise<number> => {
          const started = performance.now();
          action();
          await nextPaint();
          return performance.now() - started;
        };
        const search = document.querySelector('.search') as HTMLElement & { value: string };
        const typed: number[] = [];
        for (const text of ['c', 'ch', 'che', 'chec', 'check', 'checko', 'checkou', 'checkout', 'checkout 5', 'checkout', '']) {
          typed.push(
            await timed(() => {
              search.value = text;
              search.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
            }),
          );
        }
        const filtered: number[] = [];
        for (const chip of document.querySelectorAll<HTMLElement>('.severity-chip')) {
          filtered.push(await timed(() => chip.click()));
          filtered.push(await timed(() => (document.querySelector(`.severity-chip[data-severity="${chip.dataset.severity}"]`) as HTMLElement).click()));
        }
        return { typed, filtered, cards: document.querySelectorAll('.card').length };
      });
      if (run === 0) {
        log(`board: warm-up done (${timings.cards} cards rendered of ${snapshot.cards.length})`);
        continue;
      }
      firstPaint.push(painted);
      typing.push(...timings.typed);
      filters.push(...timings.filtered);
    }
    const row = (id: string, name: string, values: number[], target: string, limit: number, runs: number): BenchRow => ({
      id,
      name,
      unit: 'ms',
      median: median(values),
      min: Math.min(...values),
      max: Math.max(...values),
      p95: percentile(values, 95),
      runs,
      target,
      // The median is the response a user typically gets; the p95 column shows the outliers
      // (on a shared 2-core VM, mostly other processes taking the CPU).
      pass: median(values) < limit,
    });
    return [
      row('boardFirstPaint', `Board first paint, ${snapshot.cards.length} incidents (Chromium)`, firstPaint, '< 1 s', 1000, options.runs),
      row('boardTyping', 'Board search typing response (per keystroke)', typing, 'median < 50 ms', 50, typing.length),
      row('boardFilter', 'Board severity filter response', filters, 'median < 50 ms', 50, filters.length),
    ];
  } finally {
    await chromium.close();
  }
}
