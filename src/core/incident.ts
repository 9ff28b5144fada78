/**
 * The incident record model (DESIGN §2): one YAML file per incident, named after its id. Field names
 * are the ones written in the file, so the types read like the YAML they describe.
 */

/** Workflow order; `cancelled` is a terminal state outside it (a false alarm). */
export const INCIDENT_WORKFLOW = ['triage', 'acknowledged', 'investigating', 'mitigated', 'resolved', 'closed'] as const;
export const INCIDENT_STATUSES = [...INCIDENT_WORKFLOW, 'cancelled'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Only `standard` incidents count in metrics. */
export const INCIDENT_MODES = ['standard', 'drill', 'retrospective'] as const;
export type IncidentMode = (typeof INCIDENT_MODES)[number];

export const TIMELINE_KINDS = ['detection', 'note', 'status', 'severity', 'role', 'action', 'comms'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const ACTION_ITEM_STATUSES = ['open', 'in_progress', 'done', 'wont_do'] as const;
export type ActionItemStatus = (typeof ACTION_ITEM_STATUSES)[number];

/** In the order they must be in time: started ≤ detected ≤ declared ≤ … ≤ closed. */
export const TIMESTAMP_FIELDS = [
  'started_at', 'detected_at', 'declared_at', 'acknowledged_at', 'mitigated_at', 'resolved_at', 'closed_at',
] as const;
export type TimestampField = (typeof TIMESTAMP_FIELDS)[number];

/** The timestamp a status needs; statuses later in the workflow need every earlier one too. */
export const STATUS_TIMESTAMPS: Readonly<Partial<Record<IncidentStatus, TimestampField>>> = {
  acknowledged: 'acknowledged_at',
  mitigated: 'mitigated_at',
  resolved: 'resolved_at',
  closed: 'closed_at',
};

export const REQUIRED_INCIDENT_FIELDS = ['id', 'title', 'status', 'severity', 'declared_at'] as const;

/** Top-level fields in the order new ones are inserted (the order of the DESIGN example). */
export const INCIDENT_FIELDS = [
  'id', 'title', 'status', 'severity', 'mode', 'services', 'commander', 'roles', ...TIMESTAMP_FIELDS,
  'summary', 'impact', 'runbooks', 'timeline', 'action_items', 'postmortem', 'links',
] as const;
export type IncidentField = (typeof INCIDENT_FIELDS)[number];

export const TIMELINE_ENTRY_FIELDS = ['at', 'by', 'kind', 'from', 'to', 'text', 'step', 'command', 'exit_code', 'duration_ms'] as const;
export const ACTION_ITEM_FIELDS = ['id', 'title', 'owner', 'status', 'due'] as const;
export const LINK_FIELDS = ['title', 'url'] as const;

export interface TimelineEntry {
  /** RFC 3339 timestamp. */
  at: string;
  by?: string;
  kind: TimelineKind;
  text?: string;
  /** `status` and `severity` entries: the value before and after the change. */
  from?: string;
  to?: string;
  /** `action` entries: `runbook/path.md#step-id`. */
  step?: string;
  command?: string;
  exit_code?: number;
  duration_ms?: number;
  [field: string]: unknown;
}

export interface ActionItem {
  id: string;
  title: string;
  owner?: string;
  status?: ActionItemStatus;
  /** YYYY-MM-DD. */
  due?: string;
  [field: string]: unknown;
}

export interface IncidentLink {
  title?: string;
  url: string;
  [field: string]: unknown;
}

/** An incident record as written. Unknown fields are kept (the index signature) and never dropped by edits. */
export interface IncidentRecord {
  id: string;
  title: string;
  status: IncidentStatus;
  /** A severity name from the repo config (default SEV1 … SEV4). */
  severity: string;
  mode?: IncidentMode;
  services?: string[];
  commander?: string;
  /** Role name → person, e.g. { scribe: bob, comms: carol }. */
  roles?: Record<string, string>;
  started_at?: string | null;
  detected_at?: string | null;
  declared_at: string;
  acknowledged_at?: string | null;
  mitigated_at?: string | null;
  resolved_at?: string | null;
  closed_at?: string | null;
  summary?: string;
  impact?: string;
  /** Repository-relative paths of runbooks used. */
  runbooks?: string[];
  timeline?: TimelineEntry[];
  action_items?: ActionItem[];
  /** Path or URL of the postmortem. */
  postmortem?: string;
  links?: IncidentLink[];
  [field: string]: unknown;
}

export function isIncidentStatus(value: unknown): value is IncidentStatus {
  return typeof value === 'string' && (INCIDENT_STATUSES as readonly string[]).includes(value);
}

/** Position of a status in the workflow; `cancelled` and unknown values give -1. */
export function workflowIndex(status: string): number {
  return (INCIDENT_WORKFLOW as readonly string[]).indexOf(status);
}

/** Timestamps as incident records write them: UTC, to the second (`2026-11-23T09:02:00Z`). */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export type TimestampParse =
  | { ok: true; epochMs: number }
  | { ok: false; reason: 'no-time-zone' | 'date-only' | 'invalid' };

/** Parses an RFC 3339 date-time; a missing time zone is refused, since the instant would be a guess. */
export function parseTimestamp(text: string): TimestampParse {
  const m = RFC3339.exec(text);
  if (!m) {
    if (LOCAL_DATE_TIME.test(text)) return { ok: false, reason: 'no-time-zone' };
    if (DATE_ONLY.test(text)) return { ok: false, reason: 'date-only' };
    return { ok: false, reason: 'invalid' };
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  // Date.UTC rolls 2026-02-30 over into March; a real calendar date survives the round trip.
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 60) {
    return { ok: false, reason: 'invalid' };
  }
  const epochMs = Date.parse(text.replace(/^(.{10})t/, '$1T').replace(/z$/, 'Z'));
  return Number.isNaN(epochMs) ? { ok: false, reason: 'invalid' } : { ok: true, epochMs };
}

/** A calendar date such as an action item's `due` (YYYY-MM-DD). */
export function isCalendarDate(text: string): boolean {
  if (!DATE_ONLY.test(text)) return false;
  const [year, month, day] = text.split('-').map(Number);
  const check = new Date(Date.UTC(year, month - 1, day));
  return check.getUTCMonth() === month - 1 && check.getUTCDate() === day;
}

/** Optimal string alignment distance: Levenshtein plus swapped neighbours (`statsu` → `status` is 1). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The known name `word` most likely misspells, if any: same letters in another case or with `-`/space for
 * `_`, or within an edit distance that grows with the length (1 for short names, 2 from 6 letters), so
 * short unrelated words are not "corrected".
 */
export function closestKnownName(word: string, known: readonly string[]): string | undefined {
  const folded = word.toLowerCase().replace(/[-\s]/g, '_');
  const same = known.find((k) => k.toLowerCase() === folded);
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const limit = Math.min(candidate.length, folded.length) >= 6 ? 2 : 1;
    if (Math.abs(candidate.length - folded.length) > limit) continue;
    const distance = editDistance(folded, candidate.toLowerCase());
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
