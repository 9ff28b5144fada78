import { allowedStatusMoves, TIMESTAMP_FIELDS, parseTimestamp } from '../incident/incident';
import type { IncidentSummary } from '../incident/incidentSummary';
import { computeIncidentMetrics, type DurationStats } from '../metrics/metrics';
import {
  BOARD_PERIODS,
  type BoardActionItem,
  type BoardCard,
  type BoardConfig,
  type BoardDurationStats,
  type BoardLink,
  type BoardMetrics,
  type BoardTimelineEntry,
  type BoardWeek,
  type IncidentDetail,
} from './protocol';
import { fieldList, fieldMap, type PlainRecord } from '../incident/recordFields';
import type { RepoConfig } from '../config/repoConfig';

/** What the incident board shows, computed from the index (cards, metrics) or one parsed record (detail). */

const CLOSED_STATES = new Set(['resolved', 'closed', 'cancelled']);
const DAY_MS = 86_400_000;
/** Weeks in the incidents-per-week chart. */
export const BOARD_CHART_WEEKS = 12;

/** `key` identifies the record for the host (its URI); the webview treats it as opaque. */
export function boardCard(incident: IncidentSummary, key: string): BoardCard {
  const card: BoardCard = {
    id: incident.id,
    key,
    title: incident.title,
    status: incident.status,
    severity: incident.severity,
    mode: incident.mode,
    services: incident.services,
    summary: incident.summaryExcerpt ?? '',
    actionItems: incident.actionItems,
    errors: incident.problems.filter((p) => p.severity === 'error').length,
    moves: allowedStatusMoves(incident.status),
  };
  if (incident.commander !== undefined) card.commander = incident.commander;
  if (incident.timestamps.declared_at !== undefined) card.declaredAt = incident.timestamps.declared_at;
  if (incident.timestamps.resolved_at !== undefined) card.resolvedAt = incident.timestamps.resolved_at;
  return card;
}

export function boardConfig(config: RepoConfig): BoardConfig {
  return {
    severities: config.severities.map(({ name, rank, colour, label }) => ({ name, rank, colour, label })),
    statusLabels: { ...config.statusLabels },
  };
}

function stats(value: DurationStats | undefined): BoardDurationStats | undefined {
  return value && { count: value.count, p50Ms: value.p50Ms, p90Ms: value.p90Ms };
}

/** Monday 00:00 UTC of the week holding `epochMs`. */
function weekStart(epochMs: number): number {
  const day = Math.floor(epochMs / DAY_MS);
  // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday.
  return (day - ((day + 3) % 7)) * DAY_MS;
}

/** The metrics header: open incidents by severity, MTTA/MTTR for each period, incidents per week. */
export function boardMetrics(incidents: readonly IncidentSummary[], now: Date): BoardMetrics {
  const standard = incidents.filter((i) => i.mode === 'standard');
  const openBySeverity: Record<string, number> = {};
  for (const incident of standard) {
    if (CLOSED_STATES.has(incident.status) || !incident.severity) continue;
    openBySeverity[incident.severity] = (openBySeverity[incident.severity] ?? 0) + 1;
  }
  const periods = BOARD_PERIODS.map((days) => {
    const metrics = computeIncidentMetrics(standard, { since: new Date(now.getTime() - days * DAY_MS), until: now });
    const period: BoardMetrics['periods'][number] = { days, incidents: metrics.incidents };
    const mtta = stats(metrics.overall.mtta);
    const mttr = stats(metrics.overall.mttr);
    if (mtta) period.mtta = mtta;
    if (mttr) period.mttr = mttr;
    return period;
  });
  const lastWeek = weekStart(now.getTime());
  const firstWeek = lastWeek - (BOARD_CHART_WEEKS - 1) * 7 * DAY_MS;
  const counts = new Array<number>(BOARD_CHART_WEEKS).fill(0);
  for (const incident of standard) {
    const declared = incident.timestamps.declared_at;
    const parsed = declared === undefined ? undefined : parseTimestamp(declared);
    if (!parsed?.ok || parsed.epochMs > now.getTime()) continue;
    const slot = Math.floor((weekStart(parsed.epochMs) - firstWeek) / (7 * DAY_MS));
    if (slot >= 0 && slot < BOARD_CHART_WEEKS) counts[slot]++;
  }
  const weeks: BoardWeek[] = counts.map((count, i) => ({ weekStart: new Date(firstWeek + i * 7 * DAY_MS).toISOString().slice(0, 10), count }));
  return { openBySeverity, periods, weeks };
}


/** Scalars as the user wrote them; anything else (a nested map where text was expected) is left out. */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function assignDefined<T extends object>(target: T, values: Partial<T>): T {
  for (const [key, value] of Object.entries(values)) if (value !== undefined) (target as PlainRecord)[key] = value;
  return target;
}

function timelineEntry(raw: unknown): BoardTimelineEntry {
  const entry = fieldMap(raw);
  const out: BoardTimelineEntry = { at: scalar(entry.at) ?? '', kind: scalar(entry.kind) ?? '' };
  return assignDefined(out, {
    by: scalar(entry.by),
    text: scalar(entry.text),
    from: scalar(entry.from),
    to: scalar(entry.to),
    step: scalar(entry.step),
    command: scalar(entry.command),
    exitCode: entry.exit_code === null ? null : numberOrUndefined(entry.exit_code),
    durationMs: numberOrUndefined(entry.duration_ms),
    output: scalar(entry.output),
  });
}

function epochOrNaN(at: string): number {
  const parsed = parseTimestamp(at);
  return parsed.ok ? parsed.epochMs : Number.NaN;
}

/**
 * The drawer's view of one record (already parsed by the validator). Tolerates any shape: a record
 * that is broken still opens, showing what can be shown plus its problems.
 */
export function incidentDetail(summary: IncidentSummary, record: unknown, key: string): IncidentDetail {
  const data = fieldMap(record);
  const roles: Record<string, string> = {};
  for (const [role, person] of Object.entries(fieldMap(data.roles))) {
    const who = scalar(person);
    if (who !== undefined) roles[role] = who;
  }
  const timestamps: [string, string][] = [];
  for (const field of TIMESTAMP_FIELDS) {
    const value = scalar(data[field]);
    if (value !== undefined) timestamps.push([field, value]);
  }
  // Newest first; entries with unreadable times keep their written order at the end.
  const timeline = fieldList(data.timeline)
    .map((raw, index) => ({ entry: timelineEntry(raw), index }))
    .sort((a, b) => {
      const ta = epochOrNaN(a.entry.at);
      const tb = epochOrNaN(b.entry.at);
      if (Number.isNaN(ta) || Number.isNaN(tb)) return Number.isNaN(ta) === Number.isNaN(tb) ? a.index - b.index : Number.isNaN(ta) ? 1 : -1;
      return tb - ta || b.index - a.index;
    })
    .map(({ entry }) => entry);
  const actionItems: BoardActionItem[] = fieldList(data.action_items).map((raw) => {
    const item = fieldMap(raw);
    return assignDefined<BoardActionItem>({ id: scalar(item.id) ?? '', title: scalar(item.title) ?? '', status: scalar(item.status) ?? 'open' }, {
      owner: scalar(item.owner),
      due: scalar(item.due),
    });
  });
  const links: BoardLink[] = fieldList(data.links).flatMap((raw) => {
    const link = fieldMap(raw);
    const url = scalar(link.url);
    return url === undefined ? [] : [{ title: scalar(link.title) ?? url, url }];
  });
  return assignDefined<IncidentDetail>(
    {
      key,
      id: summary.id,
      title: summary.title,
      status: summary.status,
      severity: summary.severity,
      mode: summary.mode,
      services: summary.services,
      roles,
      timestamps,
      timeline,
      actionItems,
      runbooks: summary.runbooks,
      links,
      problems: summary.problems.map((p) => `line ${p.line}: ${p.message}`),
    },
    {
      commander: summary.commander,
      summary: scalar(data.summary),
      impact: scalar(data.impact),
      postmortem: scalar(data.postmortem),
    },
  );
}
