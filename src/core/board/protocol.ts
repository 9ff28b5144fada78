/**
 * The incident board's message protocol, defined once and imported by both the extension host
 * (src/extension/incidentBoardPanel.ts) and the webview (webview/board). Messages are discriminated
 * by `type`; requests carry a `requestId` and are answered by exactly one `reply` with that id.
 * This file holds only types and the guards that check messages crossing the boundary, so the
 * webview bundle can import it without pulling in anything else from src/.
 */

/** Status names in workflow order, then `cancelled` (mirrors src/core/incident.ts, which the webview may not import). */
export const BOARD_STATUSES = ['triage', 'acknowledged', 'investigating', 'mitigated', 'resolved', 'closed', 'cancelled'] as const;
export type BoardStatus = (typeof BOARD_STATUSES)[number];

export const BOARD_PERIODS = [7, 30, 90] as const;
export type BoardPeriodDays = (typeof BOARD_PERIODS)[number];

export const ACTION_ITEM_STATES = ['open', 'in_progress', 'done', 'wont_do'] as const;

/** What both a card and the drawer say about an incident. */
export interface IncidentHeadline {
  /** Identifies the record (unique even when two files claim the same id); opaque to the webview. */
  key: string;
  id: string;
  title: string;
  status: string;
  severity: string;
  mode: string;
  services: string[];
  commander?: string;
}

/** One card: what the board shows and filters on, never the file text. */
export interface BoardCard extends IncidentHeadline {
  declaredAt?: string;
  resolvedAt?: string;
  /** The start of the summary (at most 200 characters), for free-text search. */
  summary: string;
  actionItems: { open: number; total: number };
  /** Error-level problems in the record (the card shows a warning marker). */
  errors: number;
  /** The statuses it may move to, by the workflow's rules (reopening included): the board offers only these. */
  moves: string[];
}

export interface BoardSeverity {
  name: string;
  rank: number;
  colour: string;
  label: string;
}

export interface BoardConfig {
  severities: BoardSeverity[];
  statusLabels: Record<BoardStatus, string>;
}

export interface BoardDurationStats {
  count: number;
  p50Ms: number;
  p90Ms: number;
}

export interface BoardPeriodMetrics {
  days: BoardPeriodDays;
  /** Standard-mode incidents declared in the period. */
  incidents: number;
  mtta?: BoardDurationStats;
  mttr?: BoardDurationStats;
}

export interface BoardWeek {
  /** Monday of the week, YYYY-MM-DD (UTC). */
  weekStart: string;
  count: number;
}

export interface BoardMetrics {
  /** Open (not resolved, closed or cancelled) standard incidents by severity name. */
  openBySeverity: Record<string, number>;
  periods: BoardPeriodMetrics[];
  /** Standard incidents declared per week, oldest first, ending with the current week. */
  weeks: BoardWeek[];
}

export interface BoardTimelineEntry {
  at: string;
  by?: string;
  kind: string;
  text?: string;
  from?: string;
  to?: string;
  step?: string;
  command?: string;
  exitCode?: number | null;
  durationMs?: number;
  /** `action` entries: the last lines the step printed. */
  output?: string;
}

export interface BoardActionItem {
  id: string;
  title: string;
  owner?: string;
  status: string;
  due?: string;
}

export interface BoardLink {
  title: string;
  url: string;
}

/** Everything the detail drawer shows for one incident, read from the record when the drawer opens. */
export interface IncidentDetail extends IncidentHeadline {
  roles: Record<string, string>;
  /** Timestamp field → value as written, in lifecycle order. */
  timestamps: [string, string][];
  summary?: string;
  impact?: string;
  /** Timeline entries, newest first. */
  timeline: BoardTimelineEntry[];
  actionItems: BoardActionItem[];
  runbooks: string[];
  links: BoardLink[];
  postmortem?: string;
  /** Problems found in the record, as "line N: message". */
  problems: string[];
}

// ---- webview → host -------------------------------------------------------------------------

export type BoardRequest =
  | { type: 'moveIncident'; requestId: number; key: string; status: string }
  | { type: 'getDetail'; requestId: number; key: string }
  | { type: 'addNote'; requestId: number; key: string; text: string }
  | { type: 'addActionItem'; requestId: number; key: string; title: string; owner?: string; due?: string }
  | { type: 'setActionItemStatus'; requestId: number; key: string; itemId: string; status: string };

export type BoardNotification =
  /** Sent once the script has loaded; the host answers with a `snapshot`. */
  | { type: 'ready' }
  | { type: 'openRecord'; key: string }
  /** Draft Postmortem on the incident `key` (written and opened by the host; regenerates the facts when it exists). */
  | { type: 'draftPostmortem'; key: string }
  /** `path` as the record writes it, relative to the repository holding the incident `key`. */
  | { type: 'openRunbook'; key: string; path: string }
  | { type: 'openLink'; url: string };

export type WebviewMessage = BoardRequest | BoardNotification;

// ---- host → webview -------------------------------------------------------------------------

export type BoardReply =
  | { type: 'reply'; requestId: number; ok: true; detail?: IncidentDetail }
  | { type: 'reply'; requestId: number; ok: false; error: string };

export type HostMessage =
  | { type: 'snapshot'; cards: BoardCard[]; config: BoardConfig; metrics: BoardMetrics; now: string }
  /** Cards added or changed (by key) and keys removed since the last message; metrics recomputed. */
  | { type: 'cardsChanged'; upserted: BoardCard[]; removed: string[]; metrics: BoardMetrics; now: string }
  /** Asks the board to open the drawer of one incident (the Incidents view's "Open on Board"). */
  | { type: 'reveal'; key: string }
  /** The record whose detail the drawer last asked for changed in a way its card does not show (a link, a role, `postmortem:`). */
  | { type: 'detailChanged'; key: string }
  | BoardReply;

// ---- guards ---------------------------------------------------------------------------------

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasStrings(message: Loose, ...fields: string[]): boolean {
  return fields.every((field) => typeof message[field] === 'string');
}

function hasOptionalStrings(message: Loose, ...fields: string[]): boolean {
  return fields.every((field) => message[field] === undefined || typeof message[field] === 'string');
}

function isRequestId(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Checks a message posted by the webview before the host acts on it (the webview renders untrusted content). */
export function isWebviewMessage(value: unknown): value is WebviewMessage {
  if (!isObject(value)) return false;
  switch (value.type) {
    case 'ready':
      return true;
    case 'openRecord':
    case 'draftPostmortem':
      return hasStrings(value, 'key');
    case 'openRunbook':
      return hasStrings(value, 'key', 'path');
    case 'openLink':
      return hasStrings(value, 'url');
    case 'moveIncident':
      return isRequestId(value.requestId) && hasStrings(value, 'key', 'status');
    case 'getDetail':
      return isRequestId(value.requestId) && hasStrings(value, 'key');
    case 'addNote':
      return isRequestId(value.requestId) && hasStrings(value, 'key', 'text');
    case 'addActionItem':
      return isRequestId(value.requestId) && hasStrings(value, 'key', 'title') && hasOptionalStrings(value, 'owner', 'due');
    case 'setActionItemStatus':
      return isRequestId(value.requestId) && hasStrings(value, 'key', 'itemId', 'status');
    default:
      return false;
  }
}

export function isBoardRequest(message: WebviewMessage): message is BoardRequest {
  return 'requestId' in message;
}

/** Checks a message from the host (the webview ignores anything else, e.g. from other extensions' scripts). */
export function isHostMessage(value: unknown): value is HostMessage {
  if (!isObject(value)) return false;
  switch (value.type) {
    case 'snapshot':
      return Array.isArray(value.cards) && isObject(value.config) && isObject(value.metrics) && typeof value.now === 'string';
    case 'cardsChanged':
      return Array.isArray(value.upserted) && Array.isArray(value.removed) && isObject(value.metrics) && typeof value.now === 'string';
    case 'reveal':
    case 'detailChanged':
      return hasStrings(value, 'key');
    case 'reply':
      return isRequestId(value.requestId) && typeof value.ok === 'boolean' && (value.ok === true || typeof value.error === 'string');
    default:
      return false;
  }
}
