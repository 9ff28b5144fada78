/**
 * A new incident's fields from the alert that paged (issue 19, item 3): the title from the alert's name
 * and `summary` annotation, the severity from its `severity` label (through `alert_severities` in
 * `.runbook-ops.yaml`, else the common words for each rank), the services from its `service`, `app` or
 * `job` label, and a `detection` entry at `startsAt` that keeps the labels.
 */
import type { RepoConfig } from '../config/repoConfig';
import { parseTimestamp } from '../incident/incident';
import type { Alert } from './alertInput';

/** Who a detection entry is by: the system that sent the alert. */
export const ALERT_DETECTED_BY = 'alertmanager';

/** Labels that name the service, best first (`service` is the convention; `app` and `job` are what Prometheus has). */
const SERVICE_LABELS = ['service', 'app', 'app_kubernetes_io_name', 'job'];
/** Labels that name the severity. */
const SEVERITY_LABELS = ['severity', 'priority'];

/** The common severity words by rank (1 = worst), for repositories that set no `alert_severities`. */
const RANK_WORDS: readonly (readonly string[])[] = [
  ['critical', 'page', 'p1', 'sev1', 'emergency', 'fatal'],
  ['high', 'error', 'major', 'p2', 'sev2'],
  ['warning', 'warn', 'medium', 'minor', 'p3', 'sev3'],
  ['info', 'low', 'none', 'p4', 'sev4', 'notice'],
];

export interface IncidentFromAlert {
  title: string;
  /** Undefined when the alert's label says nothing the repository knows (the user is asked). */
  severity?: string;
  services: string[];
  /** Undefined when the alert has no readable `startsAt`. */
  detection?: { at: Date; by: string; text: string };
}

function label(alert: Alert, names: readonly string[]): string | undefined {
  const lower = new Map(Object.entries(alert.labels).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  for (const name of names) {
    const value = lower.get(name);
    if (value) return value;
  }
  return undefined;
}

/** The repository's severity for an alert's severity label, or undefined. */
export function severityForAlert(alert: Alert, config: RepoConfig): string | undefined {
  const value = label(alert, SEVERITY_LABELS)?.toLowerCase();
  if (value === undefined) return undefined;
  const mapped = config.alertSeverities[value];
  if (mapped !== undefined) return mapped;
  const named = config.severities.find((s) => s.name.toLowerCase() === value || s.label.toLowerCase() === value);
  if (named) return named.name;
  const rank = RANK_WORDS.findIndex((words) => words.includes(value));
  if (rank < 0 || config.severities.length === 0) return undefined;
  // Severities are sorted worst first: rank 1 → the first, clamped to the last for shorter scales.
  return config.severities[Math.min(rank, config.severities.length - 1)].name;
}

export function incidentFromAlert(alert: Alert, config: RepoConfig): IncidentFromAlert {
  const summary = (alert.annotations.summary ?? alert.annotations.title ?? '').trim();
  const title = summary ? `${alert.name}: ${summary}` : alert.name;
  const service = label(alert, SERVICE_LABELS);
  const severity = severityForAlert(alert, config);
  const parsed = alert.startsAt !== undefined ? parseTimestamp(alert.startsAt) : undefined;
  // Year 1 is Go's zero time: Alertmanager's way of saying it does not know.
  const at = parsed?.ok && new Date(parsed.epochMs).getUTCFullYear() > 1 ? new Date(parsed.epochMs) : undefined;
  const labels = Object.entries(alert.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(', ');
  const text = `${alert.name} fired${labels ? ` (${labels})` : ''}${summary ? `: ${summary}` : ''}`;
  return {
    title,
    ...(severity !== undefined ? { severity } : {}),
    services: service ? [service] : [],
    ...(at ? { detection: { at, by: ALERT_DETECTED_BY, text } } : {}),
  };
}
