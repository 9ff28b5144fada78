import { parseTimestamp, type TimestampField } from '../incident/incident';
import type { IncidentSummary } from '../incident/incidentSummary';

/**
 * Incident metrics (README, Incident records), from standard-mode incidents only (drills and retrospective records
 * would skew them): MTTA, MTTR, time to detect and time to mitigate, as count, mean, p50 and p90.
 */

export const INCIDENT_METRICS = ['mtta', 'mttr', 'timeToDetect', 'timeToMitigate'] as const;
export type IncidentMetric = (typeof INCIDENT_METRICS)[number];

/** Each metric is the time from the first timestamp to the second. */
export const METRIC_SPANS: Readonly<Record<IncidentMetric, readonly [TimestampField, TimestampField]>> = {
  mtta: ['declared_at', 'acknowledged_at'],
  mttr: ['declared_at', 'resolved_at'],
  timeToDetect: ['started_at', 'detected_at'],
  timeToMitigate: ['declared_at', 'mitigated_at'],
};

export interface DurationStats {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
}

export type MetricTable = Record<IncidentMetric, DurationStats | undefined>;

export interface IncidentMetrics {
  /** Standard incidents declared in the period. */
  incidents: number;
  overall: MetricTable;
  bySeverity: Record<string, MetricTable>;
  /** An incident counts once for each service it affected. */
  byService: Record<string, MetricTable>;
}

export interface MetricsPeriod {
  /** Incidents declared at or after this instant. */
  since?: Date;
  /** Incidents declared before this instant. */
  until?: Date;
}

type MetricInput = Pick<IncidentSummary, 'mode' | 'severity' | 'services' | 'timestamps'>;

/** Nearest-rank percentile of sorted values: the smallest value with at least p% of values at or below it. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function durationStats(values: readonly number[]): DurationStats | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    meanMs: Math.round(sorted.reduce((sum, v) => sum + v, 0) / sorted.length),
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
  };
}

function instant(incident: MetricInput, field: TimestampField): number | undefined {
  const text = incident.timestamps[field];
  if (text === undefined) return undefined;
  const parsed = parseTimestamp(text);
  return parsed.ok ? parsed.epochMs : undefined;
}

/** The metric's duration for one incident; undefined when a timestamp is missing, invalid or out of order. */
export function metricDuration(incident: MetricInput, metric: IncidentMetric): number | undefined {
  const [from, to] = METRIC_SPANS[metric];
  const start = instant(incident, from);
  const end = instant(incident, to);
  return start === undefined || end === undefined || end < start ? undefined : end - start;
}

function table(incidents: readonly MetricInput[]): MetricTable {
  const out = {} as MetricTable;
  for (const metric of INCIDENT_METRICS) {
    out[metric] = durationStats(incidents.map((i) => metricDuration(i, metric)).filter((d): d is number => d !== undefined));
  }
  return out;
}

export function computeIncidentMetrics(incidents: readonly MetricInput[], period: MetricsPeriod = {}): IncidentMetrics {
  const since = period.since?.getTime() ?? -Infinity;
  const until = period.until?.getTime() ?? Infinity;
  const counted = incidents.filter((i) => {
    if (i.mode !== 'standard') return false;
    const declared = instant(i, 'declared_at');
    return declared !== undefined && declared >= since && declared < until;
  });
  const group = (keys: (i: MetricInput) => string[]): Record<string, MetricTable> => {
    const groups = new Map<string, MetricInput[]>();
    for (const incident of counted) {
      for (const key of new Set(keys(incident))) groups.set(key, [...(groups.get(key) ?? []), incident]);
    }
    return Object.fromEntries([...groups.keys()].sort().map((key) => [key, table(groups.get(key)!)]));
  };
  return {
    incidents: counted.length,
    overall: table(counted),
    bySeverity: group((i) => (i.severity ? [i.severity] : [])),
    byService: group((i) => i.services),
  };
}
