import { plainProblem, type Problem } from '../text/fileText';
import { fieldList, fieldText, type PlainRecord } from './recordFields';
import { TIMESTAMP_FIELDS, type TimestampField } from './incident';
import { fileStem } from '../config/paths';
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


export function normalizeRunbookReference(path: string): string {
  return path.trim().replace(/^\.\//, '');
}

export function summarizeIncident(validation: IncidentValidation): IncidentSummary {
  const stem = fileStem(validation.path);
  const record: PlainRecord = validation.record && typeof validation.record === 'object' ? (validation.record as PlainRecord) : {};
  const id = fieldText(record.id) ?? stem;
  const timestamps: Partial<Record<TimestampField, string>> = {};
  for (const field of TIMESTAMP_FIELDS) {
    const value = fieldText(record[field]);
    if (value !== undefined) timestamps[field] = value;
  }
  const runbooks: string[] = [];
  const mention = (path: string | undefined): void => {
    if (path === undefined) return;
    const normalized = normalizeRunbookReference(path);
    if (normalized && !runbooks.includes(normalized)) runbooks.push(normalized);
  };
  for (const path of fieldList(record.runbooks)) mention(fieldText(path));
  const timeline = fieldList(record.timeline);
  for (const entry of timeline) {
    const step = fieldText((entry as PlainRecord | null)?.step);
    if (step?.includes('#')) mention(step.slice(0, step.indexOf('#')));
  }
  const actionItems = fieldList(record.action_items);
  const open = actionItems.filter((item) => {
    const status = fieldText((item as PlainRecord | null)?.status);
    return status !== 'done' && status !== 'wont_do';
  }).length;
  const summary: IncidentSummary = {
    path: validation.path,
    id,
    title: fieldText(record.title) ?? id,
    status: fieldText(record.status) ?? '',
    severity: fieldText(record.severity) ?? '',
    mode: fieldText(record.mode) ?? 'standard',
    services: (typeof record.services === 'string' ? [record.services] : fieldList(record.services)).map(fieldText).filter((s): s is string => s !== undefined),
    timestamps,
    timelineEntries: timeline.length,
    actionItems: { open, total: actionItems.length },
    runbooks,
    problems: validation.problems.map(plainProblem),
  };
  const commander = fieldText(record.commander);
  if (commander !== undefined) summary.commander = commander;
  const summaryText = fieldText(record.summary);
  if (summaryText !== undefined) summary.summaryExcerpt = excerptOf(summaryText);
  return summary;
}

const EXCERPT_LENGTH = 200;

/**
 * The first 200 characters of `text` with white space runs made single spaces. Reads only as much of
 * a long summary as it needs: a prefix whose collapsed form already has 200 characters agrees with
 * the whole text's on those.
 */
function excerptOf(text: string): string {
  for (let take = 2 * EXCERPT_LENGTH; ; take *= 2) {
    const collapsed = (take >= text.length ? text : text.slice(0, take)).replace(/\s+/g, ' ');
    if (take >= text.length || collapsed.length >= EXCERPT_LENGTH) return collapsed.slice(0, EXCERPT_LENGTH);
  }
}
