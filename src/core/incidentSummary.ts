import { plainProblem, type Problem } from './fileText';
import { TIMESTAMP_FIELDS, type TimestampField } from './incident';
import type { IncidentValidation } from './incidentValidation';

/** One incident as the index keeps it: what lists, the board and metrics need, never the file text. */
export interface IncidentSummary {
  path: string;
  /** The record's id, or the file name without extension when it has none. */
  id: string;
  /** The title, or the id when it has none. */
  title: string;
  /** As written ('' when missing); may be an unknown value, which `problems` then reports. */
  status: string;
  severity: string;
  /** `standard` when not written. */
  mode: string;
  services: string[];
  commander?: string;
  /** The start of `summary:` on one line (at most 200 characters), for free-text search. */
  summaryExcerpt?: string;
  /** The timestamps the record sets (null ones left out), as written. */
  timestamps: Partial<Record<TimestampField, string>>;
  timelineEntries: number;
  /** Action items not done or won't-do, and all of them. */
  actionItems: { open: number; total: number };
  /** Runbooks the incident references, in `runbooks:` and in timeline `step:` paths, first mention first. */
  runbooks: string[];
  problems: Problem[];
}

type Plain = Record<string, unknown>;

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function items(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function normalizeRunbookReference(path: string): string {
  return path.trim().replace(/^\.\//, '');
}

export function summarizeIncident(validation: IncidentValidation): IncidentSummary {
  const stem = (validation.path.split('/').pop() ?? validation.path).replace(/\.ya?ml$/i, '');
  const record: Plain = validation.record && typeof validation.record === 'object' ? (validation.record as Plain) : {};
  const id = text(record.id) ?? stem;
  const timestamps: Partial<Record<TimestampField, string>> = {};
  for (const field of TIMESTAMP_FIELDS) {
    const value = text(record[field]);
    if (value !== undefined) timestamps[field] = value;
  }
  const runbooks: string[] = [];
  const mention = (path: string | undefined): void => {
    if (path === undefined) return;
    const normalized = normalizeRunbookReference(path);
    if (normalized && !runbooks.includes(normalized)) runbooks.push(normalized);
  };
  for (const path of items(record.runbooks)) mention(text(path));
  const timeline = items(record.timeline);
  for (const entry of timeline) {
    const step = text((entry as Plain | null)?.step);
    if (step?.includes('#')) mention(step.slice(0, step.indexOf('#')));
  }
  const actionItems = items(record.action_items);
  const open = actionItems.filter((item) => {
    const status = text((item as Plain | null)?.status);
    return status !== 'done' && status !== 'wont_do';
  }).length;
  const summary: IncidentSummary = {
    path: validation.path,
    id,
    title: text(record.title) ?? id,
    status: text(record.status) ?? '',
    severity: text(record.severity) ?? '',
    mode: text(record.mode) ?? 'standard',
    services: (typeof record.services === 'string' ? [record.services] : items(record.services)).map(text).filter((s): s is string => s !== undefined),
    timestamps,
    timelineEntries: timeline.length,
    actionItems: { open, total: actionItems.length },
    runbooks,
    problems: validation.problems.map(plainProblem),
  };
  const commander = text(record.commander);
  if (commander !== undefined) summary.commander = commander;
  const excerpt = text(record.summary)?.replace(/\s+/g, ' ').slice(0, 200);
  if (excerpt !== undefined) summary.summaryExcerpt = excerpt;
  return summary;
}
