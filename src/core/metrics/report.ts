import { formatDuration } from './durationText';
import { parseTimestamp, TIMESTAMP_FIELDS, type TimestampField } from '../incident/incident';
import { durationStats, metricDuration, type DurationStats } from './metrics';
import { fieldList, fieldMap, fieldText, type PlainRecord } from '../incident/recordFields';
import type { ReviewState } from '../runbook/reviewState';
import { fileStem } from '../config/paths';
import { markdownCell } from '../text/textOutput';

/**
 * The operations report (`runbook-ops report`, issue 6 item 3): incident metrics for a period by
 * severity and service, the action-item backlog, the runbooks used most and the runbooks overdue for
 * review. Pure: the CLI reads the files, this turns them into numbers and Markdown meant for a PR or a wiki.
 */

export interface ReportActionItem {
  id: string;
  title: string;
  owner?: string;
  status: string;
  /** YYYY-MM-DD. */
  due?: string;
}

export interface ReportStepRun {
  /** Runbook path (the part of `step:` before `#`). */
  runbook: string;
  at: string;
  exitCode?: number;
}

export interface ReportIncident {
  path: string;
  id: string;
  severity: string;
  mode: string;
  services: string[];
  timestamps: Partial<Record<TimestampField, string>>;
  actionItems: ReportActionItem[];
  stepRuns: ReportStepRun[];
}

export interface ReportRunbook {
  path: string;
  title: string;
  owner?: string;
  review: ReviewState;
}

export interface ReportOptions {
  since: Date;
  now: Date;
  /** Severity names worst first (the repo config's order); others follow by name. */
  severityOrder?: readonly string[];
}

export interface ReportMetricsRow {
  group: 'all' | 'severity' | 'service';
  name: string;
  incidents: number;
  mtta?: DurationStats;
  mttr?: DurationStats;
}

export interface OpsReport {
  period: { since: string; until: string; days: number };
  /** Standard incidents declared in the period (what the metrics count). */
  incidents: number;
  /** Incidents declared in the period that metrics leave out, by mode (drill, retrospective). */
  notCounted: Record<string, number>;
  metrics: ReportMetricsRow[];
  actionItems: {
    total: number;
    open: number;
    overdue: number;
    overdueItems: (ReportActionItem & { incident: string })[];
  };
  runbooksUsed: { path: string; runs: number; failed: number; incidents: number; lastRunAt: string }[];
  staleRunbooks: { path: string; title: string; owner?: string; reviewedOn?: string; dueOn?: string; daysOverdue: number; source: string }[];
  /** Runbooks whose review date is unknown (no front matter date and no git history for them). */
  reviewUnknown: number;
}

const DAY_MS = 86_400_000;
const DONE_STATUSES = new Set(['done', 'wont_do']);

/** What the report needs of one parsed incident record (anything malformed is skipped, not fatal). */
export function reportIncidentFromRecord(path: string, record: unknown): ReportIncident {
  const r = fieldMap(record);
  const stem = fileStem(path);
  const timestamps: Partial<Record<TimestampField, string>> = {};
  for (const field of TIMESTAMP_FIELDS) {
    const value = fieldText(r[field]);
    if (value !== undefined) timestamps[field] = value;
  }
  const actionItems: ReportActionItem[] = [];
  for (const raw of fieldList(r.action_items)) {
    const item = raw as PlainRecord | null;
    if (!item || typeof item !== 'object') continue;
    const entry: ReportActionItem = { id: fieldText(item.id) ?? '?', title: fieldText(item.title) ?? '', status: fieldText(item.status) ?? 'open' };
    const owner = fieldText(item.owner);
    if (owner !== undefined) entry.owner = owner;
    const due = fieldText(item.due);
    if (due !== undefined) entry.due = due.slice(0, 10);
    actionItems.push(entry);
  }
  const stepRuns: ReportStepRun[] = [];
  for (const raw of fieldList(r.timeline)) {
    const entry = raw as PlainRecord | null;
    const step = fieldText(entry?.step);
    const at = fieldText(entry?.at);
    if (!step || !at || !step.includes('#')) continue;
    const run: ReportStepRun = { runbook: step.slice(0, step.indexOf('#')).replace(/^\.\//, ''), at };
    if (typeof entry?.exit_code === 'number') run.exitCode = entry.exit_code;
    stepRuns.push(run);
  }
  const services = typeof r.services === 'string' ? [r.services] : fieldList(r.services).map(fieldText).filter((s): s is string => s !== undefined);
  return { path, id: fieldText(r.id) ?? stem, severity: fieldText(r.severity) ?? '', mode: fieldText(r.mode) ?? 'standard', services, timestamps, actionItems, stepRuns };
}

const RELATIVE = /^(\d+)([dwmy])$/;

/** `30d`, `12w`, `6m`, `1y` before `now`, or a date (`2026-09-01`, at UTC midnight) or an RFC 3339 instant. */
export function parseReportSince(value: string, now: Date): Date | undefined {
  const trimmed = value.trim();
  const relative = RELATIVE.exec(trimmed);
  if (relative) {
    const count = Number(relative[1]);
    const unit = relative[2];
    if (unit === 'd' || unit === 'w') return new Date(now.getTime() - count * (unit === 'w' ? 7 : 1) * DAY_MS);
    const since = new Date(now.getTime());
    since.setUTCMonth(since.getUTCMonth() - count * (unit === 'y' ? 12 : 1));
    return since;
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) {
    const at = Date.parse(`${trimmed}T00:00:00Z`);
    return Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== trimmed ? undefined : new Date(at);
  }
  const parsed = parseTimestamp(trimmed);
  return parsed.ok ? new Date(parsed.epochMs) : undefined;
}

function instant(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = parseTimestamp(value);
  return parsed.ok ? parsed.epochMs : undefined;
}

function row(group: ReportMetricsRow['group'], name: string, incidents: readonly ReportIncident[]): ReportMetricsRow {
  const out: ReportMetricsRow = { group, name, incidents: incidents.length };
  const stats = (metric: 'mtta' | 'mttr'): DurationStats | undefined => durationStats(incidents.map((i) => metricDuration(i, metric)).filter((d): d is number => d !== undefined));
  const mtta = stats('mtta');
  const mttr = stats('mttr');
  if (mtta) out.mtta = mtta;
  if (mttr) out.mttr = mttr;
  return out;
}

export function buildOpsReport(incidents: readonly ReportIncident[], runbooks: readonly ReportRunbook[], options: ReportOptions): OpsReport {
  const since = options.since.getTime();
  const until = options.now.getTime();
  const inPeriod = (at: string | undefined): boolean => {
    const ms = instant(at);
    return ms !== undefined && ms >= since && ms < until;
  };
  const declared = incidents.filter((i) => inPeriod(i.timestamps.declared_at));
  const counted = declared.filter((i) => i.mode === 'standard');
  const notCounted: Record<string, number> = {};
  for (const incident of declared) if (incident.mode !== 'standard') notCounted[incident.mode] = (notCounted[incident.mode] ?? 0) + 1;

  const metrics: ReportMetricsRow[] = [row('all', 'All incidents', counted)];
  const order = options.severityOrder ?? [];
  const severities = [...new Set(counted.map((i) => i.severity).filter(Boolean))].sort((a, b) => {
    const ra = order.indexOf(a);
    const rb = order.indexOf(b);
    return (ra === -1 ? Infinity : ra) - (rb === -1 ? Infinity : rb) || (a < b ? -1 : a > b ? 1 : 0);
  });
  for (const severity of severities) metrics.push(row('severity', severity, counted.filter((i) => i.severity === severity)));
  const services = [...new Set(counted.flatMap((i) => i.services))].sort();
  for (const service of services) metrics.push(row('service', service, counted.filter((i) => i.services.includes(service))));

  // The backlog is every record's: an item from an old incident is still owed (drills' findings too).
  const today = options.now.toISOString().slice(0, 10);
  const items = incidents.flatMap((i) => i.actionItems.map((item) => ({ ...item, incident: i.id })));
  const open = items.filter((item) => !DONE_STATUSES.has(item.status));
  const overdueItems = open
    .filter((item) => item.due !== undefined && item.due < today)
    .sort((a, b) => (a.due! < b.due! ? -1 : a.due! > b.due! ? 1 : a.incident < b.incident ? -1 : a.incident > b.incident ? 1 : 0));

  const usage = new Map<string, { runs: number; failed: number; incidents: Set<string>; lastRunAt: string; lastMs: number }>();
  for (const incident of incidents) {
    for (const run of incident.stepRuns) {
      const ms = instant(run.at);
      if (ms === undefined || ms < since || ms >= until) continue;
      const used = usage.get(run.runbook) ?? { runs: 0, failed: 0, incidents: new Set<string>(), lastRunAt: run.at, lastMs: ms };
      used.runs++;
      if (run.exitCode !== undefined && run.exitCode !== 0) used.failed++;
      used.incidents.add(incident.id);
      if (ms >= used.lastMs) [used.lastMs, used.lastRunAt] = [ms, run.at];
      usage.set(run.runbook, used);
    }
  }
  const runbooksUsed = [...usage.entries()]
    .map(([path, u]) => ({ path, runs: u.runs, failed: u.failed, incidents: u.incidents.size, lastRunAt: u.lastRunAt }))
    .sort((a, b) => b.runs - a.runs || b.incidents - a.incidents || (a.path < b.path ? -1 : 1));

  const staleRunbooks = runbooks
    .filter((r) => r.review.state === 'overdue')
    .map((r) => {
      const stale: OpsReport['staleRunbooks'][number] = { path: r.path, title: r.title, daysOverdue: -(r.review.daysUntilDue ?? 0), source: r.review.source };
      if (r.owner !== undefined) stale.owner = r.owner;
      if (r.review.reviewedOn !== undefined) stale.reviewedOn = r.review.reviewedOn;
      if (r.review.dueOn !== undefined) stale.dueOn = r.review.dueOn;
      return stale;
    })
    .sort((a, b) => b.daysOverdue - a.daysOverdue || (a.path < b.path ? -1 : 1));

  return {
    period: { since: options.since.toISOString(), until: options.now.toISOString(), days: Math.round((until - since) / DAY_MS) },
    incidents: counted.length,
    notCounted,
    metrics,
    actionItems: { total: items.length, open: open.length, overdue: overdueItems.length, overdueItems },
    runbooksUsed,
    staleRunbooks,
    reviewUnknown: runbooks.filter((r) => r.review.state === 'unknown').length,
  };
}

/** Every value from a record or a runbook goes through this: no line break, control character or `|` of theirs can end a row or start a heading. */
const cell = markdownCell;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The report as Markdown: headings, a sentence each, tables. Nothing that needs more than GitHub-flavoured Markdown. */
export function renderOpsReportMarkdown(report: OpsReport): string {
  const dash = '–';
  const stat = (s: DurationStats | undefined, key: 'meanMs' | 'p50Ms' | 'p90Ms'): string => (s ? formatDuration(s[key]) : dash);
  const out: string[] = [];
  out.push(`## Operations report: ${report.period.since.slice(0, 10)} to ${report.period.until.slice(0, 10)} (${plural(report.period.days, 'day')})`, '');
  const skipped = Object.entries(report.notCounted).sort().map(([mode, n]) => `${n} ${cell(mode)}`);
  out.push(`**${plural(report.incidents, 'incident')}** declared in the period${skipped.length ? ` (not counted: ${skipped.join(', ')})` : ''}. MTTA is declared → acknowledged, MTTR declared → resolved; p50/p90 are nearest-rank percentiles.`, '');
  out.push('| | Incidents | MTTA mean | MTTA p50 | MTTA p90 | MTTR mean | MTTR p50 | MTTR p90 |', '|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of report.metrics) {
    const name = r.group === 'all' ? `**${r.name}**` : r.group === 'severity' ? cell(r.name) : `service: ${cell(r.name)}`;
    out.push(`| ${name} | ${r.incidents} | ${stat(r.mtta, 'meanMs')} | ${stat(r.mtta, 'p50Ms')} | ${stat(r.mtta, 'p90Ms')} | ${stat(r.mttr, 'meanMs')} | ${stat(r.mttr, 'p50Ms')} | ${stat(r.mttr, 'p90Ms')} |`);
  }
  out.push('', '### Action items', '');
  const a = report.actionItems;
  out.push(`**${a.open} open**, **${a.overdue} overdue**, of ${plural(a.total, 'action item')} across all incident records.`);
  if (a.overdueItems.length) {
    out.push('', '| Incident | Item | Owner | Due |', '|---|---|---|---|');
    for (const item of a.overdueItems) out.push(`| ${cell(item.incident)} | ${cell(item.id)}: ${cell(item.title)} | ${cell(item.owner ?? dash)} | ${cell(item.due ?? dash)} |`);
  }
  out.push('', '### Runbooks used most', '');
  if (report.runbooksUsed.length === 0) out.push('No runbook steps were run from an incident in the period.');
  else {
    out.push('| Runbook | Step runs | Failed | Incidents | Last run |', '|---|---:|---:|---:|---|');
    for (const r of report.runbooksUsed.slice(0, 10)) out.push(`| ${cell(r.path)} | ${r.runs} | ${r.failed} | ${r.incidents} | ${cell(r.lastRunAt.slice(0, 10))} |`);
    if (report.runbooksUsed.length > 10) out.push('', `…and ${plural(report.runbooksUsed.length - 10, 'more runbook')}.`);
  }
  out.push('', '### Runbooks overdue for review', '');
  if (report.staleRunbooks.length === 0) out.push('None.');
  else {
    out.push('| Runbook | Owner | Last reviewed | Due | Overdue by |', '|---|---|---|---|---:|');
    for (const r of report.staleRunbooks) {
      const reviewed = r.reviewedOn ? `${cell(r.reviewedOn)}${r.source === 'git' ? ' (last commit)' : ''}` : dash;
      out.push(`| ${cell(r.path)} | ${cell(r.owner ?? dash)} | ${reviewed} | ${cell(r.dueOn ?? dash)} | ${plural(r.daysOverdue, 'day')} |`);
    }
  }
  if (report.reviewUnknown > 0) out.push('', `Review dates unknown for ${plural(report.reviewUnknown, 'runbook')} (no \`last_reviewed\` and no git history for them).`);
  return `${out.join('\n')}\n`;
}
