import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import { BOARD_PERIODS, type BoardConfig, type BoardDurationStats, type BoardMetrics, type BoardPeriodDays } from '../../src/core/board/protocol';
import { el, safeColour, svg } from './dom';
import { formatDuration } from './format';

export interface MetricsHeaderEvents {
  onPeriod(days: BoardPeriodDays): void;
  onSeverity(severity: string): void;
}

/** The per-week chart: a y axis (scale), bars with their counts above, week labels below. */
const CHART_AXIS_WIDTH = 16;
const CHART_BARS_WIDTH = 264;
const CHART_WIDTH = CHART_AXIS_WIDTH + CHART_BARS_WIDTH;
const CHART_TOP = 11;
const CHART_BARS_HEIGHT = 30;
const CHART_HEIGHT = CHART_TOP + CHART_BARS_HEIGHT + 13;

/** Open incidents by severity, MTTA/MTTR for the chosen period and incidents per week. */
export class MetricsHeader {
  readonly element = el('section', { class: 'metrics', 'aria-label': 'Incident metrics' });
  private readonly periodSelect = el('vscode-single-select', { class: 'period', 'aria-label': 'Metrics period', title: 'Metrics period' });
  private readonly open = el('div', { class: 'metric open-by-severity' });
  private readonly figures = el('div', { class: 'metric-figures' });
  private readonly chart = el('div', { class: 'metric-chart' });
  private dataSignature: unknown[] = [];
  private weeks: unknown;

  constructor(private readonly events: MetricsHeaderEvents) {
    for (const days of BOARD_PERIODS) this.periodSelect.appendChild(el('vscode-option', { value: String(days) }, `Last ${days} days`));
    this.periodSelect.addEventListener('change', () => {
      const days = Number((this.periodSelect as unknown as { value: string }).value) as BoardPeriodDays;
      if ((BOARD_PERIODS as readonly number[]).includes(days)) events.onPeriod(days);
    });
    // Built once; renders update the parts in place (re-attaching the select would re-render it every time).
    this.element.append(this.open, el('div', { class: 'metric' }, el('span', { class: 'metric-label' }, 'Period'), this.periodSelect), this.figures, this.chart);
  }

  render(metrics: BoardMetrics, config: BoardConfig, period: BoardPeriodDays, activeSeverity: string): void {
    const signature = [metrics, config, period];
    if (signature.some((value, i) => value !== this.dataSignature[i])) {
      this.dataSignature = signature;
      (this.periodSelect as unknown as { value: string }).value = String(period);
      this.renderOpen(metrics, config);
      const selected = metrics.periods.find((p) => p.days === period) ?? metrics.periods[0];
      this.figures.replaceChildren(
        el('div', { class: 'metric', 'data-metric': 'count' }, el('span', { class: 'metric-label' }, 'Declared'), el('strong', {}, String(selected?.incidents ?? 0))),
        stat('MTTA', 'mtta', selected?.mtta),
        stat('MTTR', 'mttr', selected?.mttr),
      );
      if (metrics.weeks !== this.weeks) {
        this.weeks = metrics.weeks;
        this.chart.replaceChildren(chart(metrics));
      }
    }
    for (const chip of this.open.querySelectorAll<HTMLElement>('.severity-chip')) {
      const active = chip.dataset.severity === activeSeverity;
      chip.classList.toggle('active', active);
      chip.setAttribute('aria-pressed', String(active));
    }
  }

  private renderOpen(metrics: BoardMetrics, config: BoardConfig): void {
    const known = new Set(config.severities.map((s) => s.name));
    const severities = [...config.severities, ...Object.keys(metrics.openBySeverity).filter((n) => !known.has(n)).map((name) => ({ name, label: name, colour: '', rank: 99 }))];
    this.open.replaceChildren(el('span', { class: 'metric-label' }, 'Open'));
    for (const severity of severities) {
      const count = metrics.openBySeverity[severity.name] ?? 0;
      const chip = el(
        'button',
        { class: 'severity-chip', type: 'button', title: `${severity.label}: ${count} open — click to show only ${severity.name}`, 'aria-pressed': 'false', 'data-severity': severity.name },
        el('span', { class: 'severity-dot', 'aria-hidden': 'true' }),
        `${severity.name} `,
        el('strong', {}, String(count)),
      );
      const colour = safeColour(severity.colour);
      if (colour) chip.style.setProperty('--severity', colour);
      chip.addEventListener('click', () => this.events.onSeverity(chip.getAttribute('aria-pressed') === 'true' ? '' : severity.name));
      this.open.appendChild(chip);
    }
  }
}

function stat(label: string, name: string, value: BoardDurationStats | undefined): HTMLElement {
  const text = value ? `p50 ${formatDuration(value.p50Ms)} · p90 ${formatDuration(value.p90Ms)}` : 'no data';
  const title = value ? `${label} over ${value.count} standard incidents` : `No standard incident in the period has the timestamps for ${label}`;
  return el('div', { class: 'metric', 'data-metric': name, title }, el('span', { class: 'metric-label' }, label), el('span', { class: 'metric-value' }, text));
}

/** `2026-11-23` → `Nov 23`: short enough for an axis under 12 bars. */
function shortDate(isoDay: string): string {
  const ms = Date.parse(`${isoDay}T00:00:00Z`);
  return Number.isNaN(ms) ? isoDay : new Date(ms).toLocaleDateString('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/**
 * Bars drawn in SVG, each with its count above it and a tooltip (its <title>) naming the week; the
 * x axis names the first, middle and last weeks, the y axis the scale. The same numbers as a visually
 * hidden table for screen readers.
 */
function chart(metrics: BoardMetrics): HTMLElement {
  const weeks = metrics.weeks;
  const max = Math.max(1, ...weeks.map((w) => w.count));
  const barWidth = CHART_BARS_WIDTH / Math.max(1, weeks.length);
  const summary = `Incidents declared per week, last ${weeks.length} weeks: ${weeks.map((w) => w.count).join(', ')}`;
  const baseline = CHART_TOP + CHART_BARS_HEIGHT;
  const x = (i: number): number => CHART_AXIS_WIDTH + i * barWidth;
  const ticks = weeks.length > 2 ? [0, Math.floor((weeks.length - 1) / 2), weeks.length - 1] : weeks.map((_, i) => i);
  const graphic = svg(
    'svg',
    { class: 'week-chart', width: CHART_WIDTH, height: CHART_HEIGHT, viewBox: `0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`, role: 'img', 'aria-label': summary },
    svg('title', {}, summary),
    // The scale: the tallest bar's count at the top, 0 at the baseline.
    svg('text', { class: 'axis-label y-max', x: CHART_AXIS_WIDTH - 3, y: CHART_TOP + 4, 'text-anchor': 'end' }, String(max)),
    svg('text', { class: 'axis-label y-zero', x: CHART_AXIS_WIDTH - 3, y: baseline, 'text-anchor': 'end' }, '0'),
    svg('line', { class: 'axis', x1: CHART_AXIS_WIDTH, x2: CHART_WIDTH, y1: baseline + 0.5, y2: baseline + 0.5 }),
    ...weeks.map((week, i) => {
      const height = week.count === 0 ? 1 : Math.max(2, Math.round((week.count / max) * CHART_BARS_HEIGHT));
      const label = `Week of ${week.weekStart}: ${week.count} incident${week.count === 1 ? '' : 's'}`;
      return svg(
        'g',
        { class: 'week', 'data-week': week.weekStart, 'data-count': week.count },
        svg('title', {}, label),
        // A transparent column the full height of the chart, so the tooltip shows over short bars too.
        svg('rect', { class: 'hit', x: Math.round(x(i)), y: 0, width: Math.round(barWidth), height: baseline }),
        svg('rect', { class: week.count === 0 ? 'bar empty' : 'bar', x: Math.round(x(i) + 1), y: baseline - height, width: Math.max(1, Math.round(barWidth - 2)), height }),
        week.count > 0 ? svg('text', { class: 'bar-count', x: Math.round(x(i) + barWidth / 2), y: baseline - height - 2, 'text-anchor': 'middle' }, String(week.count)) : null,
      );
    }),
    ...ticks.map((i) =>
      svg(
        'text',
        { class: 'axis-label week-label', 'data-week': weeks[i].weekStart, x: Math.round(x(i) + barWidth / 2), y: CHART_HEIGHT - 2, 'text-anchor': i === 0 ? 'start' : i === weeks.length - 1 ? 'end' : 'middle' },
        shortDate(weeks[i].weekStart),
      ),
    ),
  );
  const table = el(
    'table',
    { class: 'visually-hidden' },
    el('caption', {}, 'Incidents declared per week'),
    el('tr', {}, el('th', {}, 'Week of'), el('th', {}, 'Incidents')),
    ...weeks.map((w) => el('tr', {}, el('td', {}, w.weekStart), el('td', {}, String(w.count)))),
  );
  return el('figure', { class: 'metric chart' }, el('figcaption', { class: 'metric-label' }, 'Per week'), graphic, table);
}
