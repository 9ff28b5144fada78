// One file on purpose (~480 lines): every edit operation plans its change on the same record model and
// the same timeline rules; the comment-preserving text splicing lives in incidentYamlText.ts.
import { isSeq, parseDocument, type Document } from 'yaml';
import {
  ACTION_ITEM_STATUSES,
  canReopen,
  formatTimestamp,
  INCIDENT_STATUSES,
  INCIDENT_WORKFLOW,
  isCalendarDate,
  isIncidentStatus,
  parseTimestamp,
  REOPEN_STATUS,
  STATUS_TIMESTAMPS,
  workflowIndex,
  type ActionItemStatus,
  type IncidentStatus,
  type TimelineEntry,
} from './incident';
import { closestKnownName } from '../text/nameDistance';
import { applyChangeToDocument, applyChangeToText, lineStart, renderFlow, renderScalar, sameData, type YamlChange } from './incidentYamlText';
import { DEFAULT_REPO_CONFIG, type RepoConfig } from '../config/repoConfig';

/**
 * Updates of incident records (README, Incident records): pure functions from the file's text to its new text. Each
 * operation is planned as a few changes, made once through the `yaml` Document API (the meaning) and
 * once as line splices into the original text (the bytes); the splices are kept only when they mean
 * exactly what the Document edit means, so comments, key order, quoting, blank lines and unknown fields
 * survive and a review diff shows only the lines that changed.
 */

/** Refused operation (unknown status, nothing to change, a record too broken to edit…): the message says why. */
export class IncidentEditError extends Error {}

/** What the step runner reports when a runbook step finishes. */
export interface FinishedStep {
  /** Repository-relative path of the runbook. */
  runbook: string;
  stepId: string;
  /** The step's title, for the timeline text. */
  title: string;
  /** The command as run, secrets already masked. */
  command: string;
  /** Undefined when the terminal could not report it. */
  exitCode?: number | null;
  startedAt: Date | string;
  durationMs: number;
  /** Who ran it; defaults to the edit's author. */
  author?: string;
  /**
   * The last lines it printed (secrets already masked), stored as `output:`; `not-captured` when the
   * terminal had no shell integration to read them from, which the entry's text says.
   */
  output?: string | 'not-captured';
}

export type IncidentEditOperation =
  /** `text` is the timeline entry's text (default: the status name); `commander` is set when leaving triage without one (default: the author). */
  | { op: 'setStatus'; status: string; text?: string; commander?: string }
  | { op: 'setSeverity'; severity: string; text?: string }
  | { op: 'assignCommander'; commander: string }
  | { op: 'assignRole'; role: string; person: string }
  | { op: 'addNote'; text: string }
  | { op: 'addActionItem'; title: string; owner?: string; due?: string }
  | { op: 'setActionItemStatus'; id: string; status: string }
  | { op: 'linkRunbook'; path: string }
  | { op: 'appendStepAction'; step: FinishedStep }
  /** Links the postmortem (a repository path); unchanged when the record already names it. */
  | { op: 'setPostmortem'; path: string };

export interface IncidentEditResult {
  text: string;
  /** Short description for a commit message: `investigating → mitigated`, `note added`. */
  description: string;
  /** False when the record already said this (linking a runbook twice). */
  changed: boolean;
}

interface Plan {
  changes: YamlChange[];
  description: string;
}

type Plain = Record<string, unknown>;

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

function capitalized(text: string): string {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

function required(value: string | undefined, what: string): string {
  const trimmed = (value ?? '').trim();
  if (!trimmed) throw new IncidentEditError(`${capitalized(what)} is empty; say what it is.`);
  return trimmed;
}

function listOrEmpty(record: Plain, field: string): unknown[] {
  const value = record[field];
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new IncidentEditError(`\`${field}\` in this record is not a list, so nothing can be added to it. Fix it by hand first.`);
  return value;
}

function timestampMs(value: unknown): number {
  if (typeof value !== 'string') return -Infinity;
  const parsed = parseTimestamp(value);
  return parsed.ok ? parsed.epochMs : -Infinity;
}

/** Where an entry at `atMs` goes so the timeline stays in time order (the end, unless it happened earlier). */
function timelineChange(record: Plain, entry: TimelineEntry): YamlChange {
  const timeline = listOrEmpty(record, 'timeline');
  const atMs = timestampMs(entry.at);
  let index = timeline.length;
  while (index > 0 && timestampMs((timeline[index - 1] as Plain | null)?.at) > atMs) index--;
  return { type: 'insert', path: ['timeline'], index, value: entry };
}

function knownStatus(value: string, what: string): IncidentStatus {
  if (isIncidentStatus(value)) return value;
  const guess = closestKnownName(value, INCIDENT_STATUSES);
  throw new IncidentEditError(`Unknown ${what} \`${value}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} Statuses: ${INCIDENT_STATUSES.join(', ')}.`);
}

function planSetStatus(record: Plain, op: Extract<IncidentEditOperation, { op: 'setStatus' }>, at: string, author: string): Plan {
  const target = knownStatus(op.status.trim(), 'status');
  if (typeof record.status !== 'string' || !isIncidentStatus(record.status)) {
    throw new IncidentEditError(`The record's current status \`${String(record.status)}\` is not a known status; correct it by hand first.`);
  }
  const current = record.status;
  if (current === target) throw new IncidentEditError(`The incident is already ${target}.`);
  if (target === REOPEN_STATUS && canReopen(current)) return planReopen(record, op, current, at, author);
  if (current === 'closed' || current === 'cancelled') {
    throw new IncidentEditError(`The incident is ${current}, which is final. It can only be reopened: move it to ${REOPEN_STATUS}, with a note saying why.`);
  }
  if (target !== 'cancelled' && workflowIndex(target) < workflowIndex(current)) {
    const reopen = canReopen(current) ? ` To reopen the incident, move it to ${REOPEN_STATUS} with a note saying why.` : '';
    throw new IncidentEditError(`Moving from ${current} back to ${target} is not supported: statuses move forward (${INCIDENT_WORKFLOW.join(' → ')}).${reopen}`);
  }
  const changes: YamlChange[] = [];
  let commander: string | undefined;
  if (target !== 'cancelled' && target !== 'triage' && isEmpty(record.commander)) {
    commander = required(op.commander ?? author, 'the commander');
    changes.push({ type: 'set', path: ['commander'], value: commander });
  }
  changes.push({ type: 'set', path: ['status'], value: target });
  if (target !== 'cancelled') {
    // Every state passed on the way gets its timestamp, so a jump from triage to mitigated stays valid.
    for (let i = workflowIndex(current) + 1; i <= workflowIndex(target); i++) {
      const field = STATUS_TIMESTAMPS[INCIDENT_WORKFLOW[i]];
      if (field && isEmpty(record[field])) changes.push({ type: 'set', path: [field], value: at });
    }
  }
  const text = op.text?.trim() || capitalized(target);
  changes.push(timelineChange(record, { at, by: author, kind: 'status', from: current, to: target, text }));
  // The commander set on the way is said, so whoever moved the incident sees who now runs it.
  return { changes, description: `${current} → ${target}${commander ? `, commander ${commander}` : ''}` };
}

/** The timestamps a reopen clears: those of the states after {@link REOPEN_STATUS}. */
const REOPEN_CLEARS = INCIDENT_WORKFLOW.slice(workflowIndex(REOPEN_STATUS) + 1)
  .map((state) => STATUS_TIMESTAMPS[state])
  .filter((field): field is NonNullable<typeof field> => field !== undefined);

/**
 * Back to investigating from mitigated, resolved, closed or cancelled. The top-level timestamps always
 * describe the current pass through the workflow, so metrics (MTTR) count until the real resolution:
 * the later ones are removed, and the reopen entry keeps their values as history, next to the earlier
 * `status` entries. The reason is required — a reopen without one is a mystery in the review.
 */
function planReopen(record: Plain, op: Extract<IncidentEditOperation, { op: 'setStatus' }>, current: IncidentStatus, at: string, author: string): Plan {
  const reason = op.text?.trim();
  if (!reason) throw new IncidentEditError(`Reopening the incident (${current} → ${REOPEN_STATUS}) needs a reason: say in the note what came back.`);
  const changes: YamlChange[] = [];
  const commander = isEmpty(record.commander) ? required(op.commander ?? author, 'the commander') : undefined;
  if (commander) changes.push({ type: 'set', path: ['commander'], value: commander });
  changes.push({ type: 'set', path: ['status'], value: REOPEN_STATUS });
  // A cancelled triage incident that was real after all: it is being worked on now.
  if (isEmpty(record.acknowledged_at)) changes.push({ type: 'set', path: ['acknowledged_at'], value: at });
  const cleared: string[] = [];
  for (const field of REOPEN_CLEARS) {
    // An empty one (`resolved_at:   # not yet`) is left as written: it says nothing yet.
    if (isEmpty(record[field])) continue;
    cleared.push(`${field} ${String(record[field])}`);
    changes.push({ type: 'delete', path: [field] });
  }
  const history = cleared.length > 0 ? ` (was ${cleared.join(', ')})` : '';
  changes.push(timelineChange(record, { at, by: author, kind: 'status', from: current, to: REOPEN_STATUS, text: `Reopened: ${reason}${history}` }));
  return { changes, description: `${current} → ${REOPEN_STATUS} (reopened)${commander ? `, commander ${commander}` : ''}` };
}

function planSetSeverity(record: Plain, op: Extract<IncidentEditOperation, { op: 'setSeverity' }>, at: string, author: string, config: RepoConfig): Plan {
  const names = config.severities.map((s) => s.name);
  const target = op.severity.trim();
  if (!names.includes(target)) {
    const guess = closestKnownName(target, names);
    throw new IncidentEditError(`Unknown severity \`${target}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} Severities in this repository: ${names.join(', ')}.`);
  }
  const current = typeof record.severity === 'string' ? record.severity : '';
  if (current === target) throw new IncidentEditError(`The incident is already ${target}.`);
  const change = current ? `${current} → ${target}` : target;
  const text = op.text?.trim() ? `${change}, ${op.text.trim()}` : change;
  const entry: TimelineEntry = current ? { at, by: author, kind: 'severity', from: current, to: target, text } : { at, by: author, kind: 'severity', to: target, text };
  return {
    changes: [{ type: 'set', path: ['severity'], value: target }, timelineChange(record, entry)],
    description: `severity ${change}`,
  };
}

function planAssignCommander(record: Plain, person: string, at: string, author: string): Plan {
  const commander = required(person, 'the commander');
  const previous = typeof record.commander === 'string' && record.commander.trim() ? record.commander.trim() : undefined;
  if (previous === commander) throw new IncidentEditError(`${commander} is already the commander.`);
  return {
    changes: [
      { type: 'set', path: ['commander'], value: commander },
      timelineChange(record, { at, by: author, kind: 'role', text: `${commander} is commander${previous ? ` (was ${previous})` : ''}` }),
    ],
    description: `commander ${commander}`,
  };
}

function planAssignRole(record: Plain, role: string, person: string, at: string, author: string): Plan {
  const name = required(role, 'the role');
  if (name === 'commander') return planAssignCommander(record, person, at, author);
  if (!/^[A-Za-z][\w-]*$/.test(name)) throw new IncidentEditError(`\`${name}\` is not a role name; use one word such as scribe or comms.`);
  const who = required(person, `the ${name}`);
  const roles = record.roles;
  let change: YamlChange;
  if (roles === null || roles === undefined) change = { type: 'set', path: ['roles'], value: { [name]: who } };
  else if (typeof roles === 'object' && !Array.isArray(roles)) {
    if ((roles as Plain)[name] === who) throw new IncidentEditError(`${who} is already ${name}.`);
    change = { type: 'set', path: ['roles', name], value: who };
  } else throw new IncidentEditError('`roles` in this record is not a mapping (role: person); fix it by hand first.');
  return {
    changes: [change, timelineChange(record, { at, by: author, kind: 'role', text: `${who} is ${name}` })],
    description: `${name} ${who}`,
  };
}

function planAddActionItem(record: Plain, op: Extract<IncidentEditOperation, { op: 'addActionItem' }>): Plan {
  const title = required(op.title, 'the action item title');
  const items = listOrEmpty(record, 'action_items');
  let highest = 0;
  for (const item of items) {
    const m = /^AI-(\d+)$/.exec(String((item as Plain | null)?.id ?? ''));
    if (m) highest = Math.max(highest, Number(m[1]));
  }
  const id = `AI-${highest + 1}`;
  const value: Plain = { id, title };
  if (op.owner?.trim()) value.owner = op.owner.trim();
  value.status = 'open';
  if (op.due?.trim()) {
    if (!isCalendarDate(op.due.trim())) throw new IncidentEditError(`Due date \`${op.due}\` is not a date; write it as YYYY-MM-DD.`);
    value.due = op.due.trim();
  }
  return { changes: [{ type: 'insert', path: ['action_items'], index: items.length, value }], description: `action item ${id} added` };
}

function planSetActionItemStatus(record: Plain, op: Extract<IncidentEditOperation, { op: 'setActionItemStatus' }>): Plan {
  const status = op.status.trim();
  if (!(ACTION_ITEM_STATUSES as readonly string[]).includes(status)) {
    const guess = closestKnownName(status, ACTION_ITEM_STATUSES);
    throw new IncidentEditError(`Unknown action item status \`${status}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} Use one of: ${ACTION_ITEM_STATUSES.join(', ')}.`);
  }
  const items = listOrEmpty(record, 'action_items');
  const index = items.findIndex((item) => String((item as Plain | null)?.id ?? '') === op.id.trim());
  if (index === -1) throw new IncidentEditError(`This record has no action item ${op.id}.`);
  const item = items[index];
  if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new IncidentEditError(`Action item ${op.id} is not a mapping; fix it by hand first.`);
  if ((item as Plain).status === status) throw new IncidentEditError(`Action item ${op.id} is already ${status}.`);
  return { changes: [{ type: 'set', path: ['action_items', index, 'status'], value: status as ActionItemStatus }], description: `${op.id.trim()} ${status}` };
}

function normalizeRunbookPath(path: string): string {
  return path.trim().replace(/^\.\//, '');
}

function planLinkRunbook(record: Plain, path: string): Plan {
  const runbook = normalizeRunbookPath(required(path, 'the runbook path'));
  const runbooks = listOrEmpty(record, 'runbooks');
  if (runbooks.some((r) => typeof r === 'string' && normalizeRunbookPath(r) === runbook)) return { changes: [], description: `${runbook} already linked` };
  return { changes: [{ type: 'insert', path: ['runbooks'], index: runbooks.length, value: runbook }], description: `linked ${runbook}` };
}

function planStepAction(record: Plain, step: FinishedStep, author: string): Plan {
  const runbook = normalizeRunbookPath(required(step.runbook, 'the runbook path'));
  const stepId = required(step.stepId, 'the step id');
  const started = typeof step.startedAt === 'string' ? new Date(step.startedAt) : step.startedAt;
  if (Number.isNaN(started.getTime())) throw new IncidentEditError(`The step's start time \`${String(step.startedAt)}\` is not a date.`);
  const known = step.exitCode !== undefined && step.exitCode !== null;
  const entry: TimelineEntry = {
    at: formatTimestamp(started),
    by: step.author?.trim() || author,
    kind: 'action',
    text: `Ran "${step.title.trim() || stepId}" from ${runbook}${known ? '' : ' (exit status unknown)'}${step.output === 'not-captured' ? '; output not captured (no shell integration)' : ''}`,
    step: `${runbook}#${stepId}`,
    command: step.command,
  };
  if (known) entry.exit_code = step.exitCode!;
  entry.duration_ms = Math.max(0, Math.round(step.durationMs));
  if (step.output !== undefined && step.output !== 'not-captured' && step.output.trim() !== '') entry.output = `${step.output.trimEnd()}\n`;
  return { changes: [timelineChange(record, entry)], description: `ran ${runbook}#${stepId}${known ? ` (exit ${step.exitCode})` : ''}` };
}

function plan(record: Plain, operation: IncidentEditOperation, at: string, author: string, config: RepoConfig): Plan {
  switch (operation.op) {
    case 'setStatus':
      return planSetStatus(record, operation, at, author);
    case 'setSeverity':
      return planSetSeverity(record, operation, at, author, config);
    case 'assignCommander':
      return planAssignCommander(record, operation.commander, at, author);
    case 'assignRole':
      return planAssignRole(record, operation.role, operation.person, at, author);
    case 'addNote':
      return { changes: [timelineChange(record, { at, by: author, kind: 'note', text: required(operation.text, 'the note') })], description: 'note added' };
    case 'addActionItem':
      return planAddActionItem(record, operation);
    case 'setActionItemStatus':
      return planSetActionItemStatus(record, operation);
    case 'linkRunbook':
      return planLinkRunbook(record, operation.path);
    case 'appendStepAction':
      return planStepAction(record, operation.step, author);
    case 'setPostmortem': {
      const path = normalizeRunbookPath(required(operation.path, 'the postmortem path'));
      if (typeof record.postmortem === 'string' && normalizeRunbookPath(record.postmortem) === path) return { changes: [], description: `postmortem ${path}` };
      return { changes: [{ type: 'set', path: ['postmortem'], value: path }], description: `postmortem ${path}` };
    }
    default:
      throw new IncidentEditError(`Unknown operation ${(operation as { op?: unknown }).op as string}.`);
  }
}

const CONFLICT_MARKER = /^(?:<{7}|={7}|>{7})(?:\s|$)/m;

function openRecord(text: string): { doc: Document; record: Plain } {
  if (CONFLICT_MARKER.test(text)) throw new IncidentEditError('This record has an unresolved merge conflict (<<<<<<< / ======= / >>>>>>> lines). Resolve it before updating the incident.');
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new IncidentEditError(`This record is not valid YAML (${first.message.split('\n')[0]}); fix it before updating the incident.`);
  }
  let record: unknown;
  try {
    record = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new IncidentEditError(`This record cannot be read: ${(err as Error).message}.`);
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new IncidentEditError('This file is not an incident record (it is not a mapping of fields).');
  return { doc, record: record as Plain };
}

/**
 * Applies one operation to an incident record's text. Throws {@link IncidentEditError} when the
 * operation is refused; never writes anything itself.
 */
export function editIncident(yamlText: string, operation: IncidentEditOperation, now: Date, author: string, config: RepoConfig = DEFAULT_REPO_CONFIG): IncidentEditResult {
  const bom = yamlText.startsWith('\ufeff') ? '\ufeff' : '';
  const text = bom ? yamlText.slice(1) : yamlText;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const { doc, record } = openRecord(text);
  const by = required(author, 'the author');
  const { changes, description } = plan(record, operation, formatTimestamp(now), by, config);
  if (changes.length === 0) return { text: yamlText, description, changed: false };

  // The parsed Document is not needed unchanged again, so it is edited in place: a clone of a 3 MB
  // record costs a second, all of it while the record's lock is held.
  const expected = doc;
  for (const change of changes) applyChangeToDocument(expected, change);
  const expectedData = expected.toJS();
  let spliced: string | undefined;
  try {
    spliced = text;
    for (const change of changes) spliced = applyChangeToText(spliced, change, eol);
    const check = parseDocument(spliced, { uniqueKeys: true });
    if (check.errors.length > 0 || !sameData(check.toJS(), expectedData)) spliced = undefined;
  } catch {
    spliced = undefined;
  }
  // A layout the splicer does not handle: print the edited Document (a larger diff, same meaning).
  const out = spliced ?? expected.toString({ lineWidth: 0 });
  return { text: bom + out, description, changed: true };
}

export interface NewIncident {
  id: string;
  title: string;
  severity: string;
  services?: readonly string[];
  commander?: string;
  runbooks?: readonly string[];
  summary?: string;
  /** What detected it (an alert firing): `detected_at` and a `detection` entry, in time order with the `Declared` note. */
  detection?: { at: Date; by: string; text: string };
  now: Date;
  author: string;
}

/**
 * Each line break, with the white space around it, becomes one space, in one pass (a regex for it
 * retried from every character of a long run of spaces).
 */
function joinLines(text: string): string {
  const lines = text.split('\n');
  if (lines.length === 1) return text;
  const middle = lines.slice(1, -1).map((line) => line.trim()).filter((line) => line !== '');
  return [lines[0].trimEnd(), ...middle, lines[lines.length - 1].trimStart()].join(' ');
}

/** The text of a new record in triage, with a `Declared` note as its first timeline entry. */
export function createIncident(config: RepoConfig, incident: NewIncident): string {
  const id = required(incident.id, 'the incident id');
  if (/[\s/\\]/.test(id) || id.startsWith('.')) throw new IncidentEditError(`\`${id}\` cannot be an incident id: it becomes the file name, so it cannot contain spaces or slashes.`);
  const title = joinLines(required(incident.title, 'the title'));
  const names = config.severities.map((s) => s.name);
  if (!names.includes(incident.severity)) {
    const guess = closestKnownName(incident.severity, names);
    throw new IncidentEditError(`Unknown severity \`${incident.severity}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} Severities in this repository: ${names.join(', ')}.`);
  }
  const author = required(incident.author, 'the author');
  const at = formatTimestamp(incident.now);
  const services = (incident.services ?? []).map((s) => s.trim()).filter(Boolean);
  const lines = [
    `id: ${renderScalar(id)}`,
    `title: ${renderScalar(title)}`,
    'status: triage',
    `severity: ${renderScalar(incident.severity)}`,
    'mode: standard',
    `services: ${renderFlow(services)}`,
  ];
  if (incident.commander?.trim()) lines.push(`commander: ${renderScalar(incident.commander.trim())}`);
  const detection = incident.detection && {
    at: formatTimestamp(incident.detection.at),
    by: required(incident.detection.by, 'who detected it'),
    text: joinLines(required(incident.detection.text, 'the detection text')),
    first: incident.detection.at.getTime() <= incident.now.getTime(),
  };
  if (detection) lines.push(`detected_at: ${detection.at}`);
  lines.push(`declared_at: ${at}`);
  if (incident.summary?.trim()) {
    lines.push('summary: |', ...incident.summary.trim().split('\n').map((l) => (l.trim() ? `  ${l}` : '')));
  }
  const runbooks = (incident.runbooks ?? []).map(normalizeRunbookPath).filter(Boolean);
  if (runbooks.length) lines.push(`runbooks: ${renderFlow(runbooks)}`);
  const declared = [`  - at: ${at}`, `    by: ${renderScalar(author)}`, '    kind: note', `    text: ${renderScalar(`Declared ${incident.severity}`)}`];
  const detected = detection ? [`  - at: ${detection.at}`, `    by: ${renderScalar(detection.by)}`, '    kind: detection', `    text: ${renderScalar(detection.text)}`] : [];
  lines.push('timeline:', ...(detection?.first ? [...detected, ...declared] : [...declared, ...detected]));
  return `${lines.join('\n')}\n`;
}

/**
 * Puts the timeline in time order by moving whole entries (each with its comments and formatting) —
 * the quick fix for an unsorted timeline. Entries with the same or an unreadable `at` keep their order.
 */
export function sortTimeline(yamlText: string): IncidentEditResult {
  const { doc } = openRecord(yamlText);
  const timeline = doc.get('timeline', true);
  if (!isSeq(timeline) || timeline.items.length < 2) return { text: yamlText, description: 'timeline sorted', changed: false };
  if (timeline.flow) throw new IncidentEditError('The timeline is written as a flow list ([...]); only block lists (one `- at:` entry per line) can be sorted.');
  const starts = timeline.items.map((item) => lineStart(yamlText, (item as { range?: [number, number, number] }).range![0]));
  const end = (timeline.range ?? [0, 0, yamlText.length])[2];
  const blockEnd = end >= yamlText.length ? yamlText.length : lineStart(yamlText, end) === end ? end : yamlText.indexOf('\n', end) + 1 || yamlText.length;
  const blocks = starts.map((start, i) => ({
    text: yamlText.slice(start, i + 1 < starts.length ? starts[i + 1] : blockEnd),
    at: Date.parse(String((timeline.items[i] as { get?: (k: string) => unknown }).get?.('at') ?? '')),
    index: i,
  }));
  const sorted = [...blocks].sort((a, b) => (Number.isNaN(a.at) || Number.isNaN(b.at) ? 0 : a.at - b.at) || a.index - b.index);
  if (sorted.every((b, i) => b.index === i)) return { text: yamlText, description: 'timeline sorted', changed: false };
  // The last entry may lack a trailing newline; every moved block needs one.
  const body = sorted.map((b) => (b.text.endsWith('\n') ? b.text : `${b.text}\n`)).join('');
  const trimmed = blockEnd === yamlText.length && !yamlText.endsWith('\n') ? body.slice(0, -1) : body;
  return { text: yamlText.slice(0, starts[0]) + trimmed + yamlText.slice(blockEnd), description: 'timeline sorted', changed: true };
}
