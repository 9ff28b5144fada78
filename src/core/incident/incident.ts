/**
 * The incident record model (README, Incident records): one YAML file per incident, named after its id. Field names
 * are the ones written in the file, so the types read like the YAML they describe.
 */

// The status vocabulary lives with the configuration, which validates `statuses` settings against it.
export { INCIDENT_STATUSES, INCIDENT_WORKFLOW, type IncidentStatus } from '../config/incidentStatuses';
import { INCIDENT_STATUSES, INCIDENT_WORKFLOW, type IncidentStatus } from '../config/incidentStatuses';

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

/** Top-level fields in the order new ones are inserted (the order of the README's example record). */
export const INCIDENT_FIELDS = [
  'id', 'title', 'status', 'severity', 'mode', 'services', 'commander', 'roles', ...TIMESTAMP_FIELDS,
  'summary', 'impact', 'runbooks', 'timeline', 'action_items', 'postmortem', 'links',
] as const;
export type IncidentField = (typeof INCIDENT_FIELDS)[number];

export const TIMELINE_ENTRY_FIELDS = ['at', 'by', 'kind', 'from', 'to', 'text', 'step', 'command', 'exit_code', 'duration_ms', 'output'] as const;
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
  /** `action` entries: the last lines the step printed (bounded, escapes stripped, secrets masked). */
  output?: string;
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

/** Statuses in which an incident is over: no runbook steps are recorded on it any more. */
export const FINISHED_STATUSES: ReadonlySet<string> = new Set(['resolved', 'closed', 'cancelled']);

/** Where a reopened incident goes: the problem is back, so it is being investigated again. */
export const REOPEN_STATUS = 'investigating';

/** Statuses an incident can be reopened from: mitigated and later, and cancelled (it was real after all). */
export function canReopen(status: string): boolean {
  return status === 'cancelled' || workflowIndex(status) > workflowIndex(REOPEN_STATUS);
}

/**
 * The statuses a record in `status` may be moved to, in workflow order (`cancelled` last): every later
 * workflow status, `cancelled` unless the incident is already closed or cancelled, and investigating
 * as a reopen. An unknown status has none (the record must be corrected by hand first). What the
 * sidebar and the board offer; edits check the same rules.
 */
export function allowedStatusMoves(status: string): IncidentStatus[] {
  if (!isIncidentStatus(status)) return [];
  const final = status === 'closed' || status === 'cancelled';
  const current = workflowIndex(status);
  return INCIDENT_STATUSES.filter((target) => {
    if (target === status) return false;
    if (target === REOPEN_STATUS && canReopen(status)) return true;
    if (final) return false;
    return target === 'cancelled' || workflowIndex(target) > current;
  });
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

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether year-month-day is a calendar date, as Date.UTC (which rolls 2026-02-30 over into March) would confirm. */
function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 100) {
    // Date.UTC reads years 0–99 as 1900–1999; keep its exact judgement there.
    const check = new Date(Date.UTC(year, month - 1, day));
    return check.getUTCMonth() === month - 1 && check.getUTCDate() === day;
  }
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0);
}

/** Parses an RFC 3339 date-time; a missing time zone is refused, since the instant would be a guess. */
/** The two-digit number at `at` (-1 if either character is not a digit). */
function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 0x30;
  const b = text.charCodeAt(at + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The form records are written in, `2026-11-23T09:06:00Z`, read without the regex (every timeline entry
 * has one); undefined for anything else, which the general path below reads.
 */
function parseCanonicalTimestamp(text: string): TimestampParse | undefined {
  if (text.length !== 20 || text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d || text.charCodeAt(10) !== 0x54
    || text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a || text.charCodeAt(19) !== 0x5a) {
    return undefined;
  }
  const century = twoDigits(text, 0);
  const yy = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (century < 0 || yy < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  const year = century * 100 + yy;
  // Years before 100 and leap seconds take the general path, which handles them as it always has.
  if (year < 100 || second >= 60) return undefined;
  if (!isRealDate(year, month, day) || hour > 23 || minute > 59) return { ok: false, reason: 'invalid' };
  return { ok: true, epochMs: daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 };
}

/**
 * Days from 1970-01-01 to a real proleptic Gregorian date (H. Hinnant's days_from_civil): what
 * Date.UTC computes for years ≥ 100, in plain arithmetic (Date.UTC showed in profiles, once per timeline entry).
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

export function parseTimestamp(text: string): TimestampParse {
  const canonical = parseCanonicalTimestamp(text);
  if (canonical) return canonical;
  const m = RFC3339.exec(text);
  if (!m) {
    if (LOCAL_DATE_TIME.test(text)) return { ok: false, reason: 'no-time-zone' };
    if (DATE_ONLY.test(text)) return { ok: false, reason: 'date-only' };
    return { ok: false, reason: 'invalid' };
  }
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (!isRealDate(year, month, day) || hour > 23 || minute > 59 || second > 60) return { ok: false, reason: 'invalid' };
  // The common case (UTC, whole seconds, a four-digit year Date.UTC takes literally) without Date.parse.
  if ((m[8] === 'Z' || m[8] === 'z') && m[7] === undefined && second < 60 && year >= 100) {
    return { ok: true, epochMs: Date.UTC(year, month - 1, day, hour, minute, second) };
  }
  const epochMs = Date.parse(text.replace(/^(.{10})t/, '$1T').replace(/z$/, 'Z'));
  return Number.isNaN(epochMs) ? { ok: false, reason: 'invalid' } : { ok: true, epochMs };
}

/** A calendar date such as an action item's `due` (YYYY-MM-DD). */
export function isCalendarDate(text: string): boolean {
  // DATE_ONLY read by character: 'YYYY-MM-DD' exactly, digits [0-9].
  if (text.length !== 10 || text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d) return false;
  const century = twoDigits(text, 0);
  const yy = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (century < 0 || yy < 0 || month < 0 || day < 0) return false;
  return isRealDate(century * 100 + yy, month, day);
}

