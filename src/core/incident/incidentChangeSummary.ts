/**
 * What a commit of an incident record changes, in words for its message (`investigating → mitigated,
 * note added, AI-1 done`). It is read from the two versions of the file, the committed one and the one
 * being committed, so it names exactly what the commit holds: an edit that was undone, or made by hand or
 * in a terminal, is described as the file has it, never as a list of the actions taken says.
 */
import { STATUS_TIMESTAMPS, TIMESTAMP_FIELDS } from './incident';
import { loadPlain } from '../text/incidentSource';
import { sameData } from './incidentYamlText';
import { fieldList, fieldMap, fieldText, type PlainRecord } from './recordFields';

/** Listed one by one up to this many, then counted. */
const MAX_LISTED_STEPS = 3;

function parseRecord(text: string): PlainRecord | undefined {
  try {
    const value = loadPlain(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as PlainRecord) : undefined;
  } catch {
    return undefined; // Not YAML (a merge conflict, a half-edited file): described as an edit.
  }
}

function counted(count: number, one: string, many: string): string {
  return count === 1 ? one : `${count} ${many}`;
}

/** The items of `after` that are not in `before`, and those of `before` no longer in `after` (as multisets). */
function listDifference(before: unknown[], after: unknown[]): { added: unknown[]; removed: unknown[] } {
  const removed = [...before];
  const added: unknown[] = [];
  for (const item of after) {
    const at = removed.findIndex((old) => sameData(old, item));
    if (at === -1) added.push(item);
    else removed.splice(at, 1);
  }
  return { added, removed };
}

function describeSteps(actions: PlainRecord[]): string[] {
  if (actions.length > MAX_LISTED_STEPS) return [`${actions.length} steps ran`];
  return actions.map((action) => {
    const exit = typeof action.exit_code === 'number' ? ` (exit ${action.exit_code})` : '';
    return `ran ${fieldText(action.step) ?? 'a step'}${exit}`;
  });
}

function describeTimeline(before: PlainRecord, after: PlainRecord, fieldsChanged: ReadonlySet<string>): string[] {
  const { added, removed } = listDifference(fieldList(before.timeline), fieldList(after.timeline));
  const byKind = new Map<string, PlainRecord[]>();
  for (const entry of added.map(fieldMap)) {
    const kind = fieldText(entry.kind) ?? '';
    byKind.set(kind, [...(byKind.get(kind) ?? []), entry]);
  }
  const parts: string[] = [];
  const notes = byKind.get('note')?.length ?? 0;
  if (notes) parts.push(counted(notes, 'note added', 'notes added'));
  parts.push(...describeSteps(byKind.get('action') ?? []));
  const comms = byKind.get('comms')?.length ?? 0;
  if (comms) parts.push(counted(comms, 'comms update added', 'comms updates added'));
  // A status, severity or role entry goes with its field's change, which is already named.
  const implied: Record<string, string> = { status: 'status', severity: 'severity', role: 'roles' };
  let other = 0;
  for (const [kind, entries] of byKind) {
    if (kind === 'note' || kind === 'action' || kind === 'comms') continue;
    const field = implied[kind];
    if (field && (fieldsChanged.has(field) || (kind === 'role' && fieldsChanged.has('commander')))) continue;
    other += entries.length;
  }
  if (other) parts.push(counted(other, 'timeline entry added', 'timeline entries added'));
  if (removed.length) parts.push(counted(removed.length, 'timeline entry removed', 'timeline entries removed'));
  return parts;
}

function itemId(item: unknown): string | undefined {
  return fieldText(fieldMap(item).id);
}

/** How an action item is named: its id, else its title. */
function itemName(item: unknown): string {
  const { id, title } = fieldMap(item);
  return fieldText(id) ?? `"${fieldText(title) ?? ''}"`;
}

function describeActionItems(before: PlainRecord, after: PlainRecord): string[] {
  const old = new Map(fieldList(before.action_items).map((item) => [itemId(item), fieldMap(item)] as const));
  const parts: string[] = [];
  const seen = new Set<string | undefined>();
  for (const raw of fieldList(after.action_items)) {
    const item = fieldMap(raw);
    const id = itemId(raw);
    seen.add(id);
    const previous = old.get(id);
    if (!previous) {
      const status = fieldText(item.status);
      parts.push(`action item ${itemName(item)} added${status && status !== 'open' ? ` as ${status}` : ''}`);
    }
    else if (!sameData(previous, item)) {
      const status = fieldText(item.status);
      const onlyStatus = sameData({ ...previous, status: undefined }, { ...item, status: undefined });
      parts.push(onlyStatus && status ? `${itemName(item)} ${status}` : `${itemName(item)} edited`);
    }
  }
  for (const [id, item] of old) if (!seen.has(id)) parts.push(`action item ${itemName(item)} removed`);
  return parts;
}

function describeRoles(before: PlainRecord, after: PlainRecord): string[] {
  const old = fieldMap(before.roles);
  const now = fieldMap(after.roles);
  const parts: string[] = [];
  for (const [role, person] of Object.entries(now)) if (!sameData(old[role], person)) parts.push(`${role} ${fieldText(person) ?? 'changed'}`);
  for (const role of Object.keys(old)) if (!(role in now)) parts.push(`${role} removed`);
  return parts;
}

function describeRunbooks(before: PlainRecord, after: PlainRecord): string[] {
  const { added, removed } = listDifference(fieldList(before.runbooks), fieldList(after.runbooks));
  return [...added.map((r) => `linked ${fieldText(r) ?? 'a runbook'}`), ...removed.map((r) => `unlinked ${fieldText(r) ?? 'a runbook'}`)];
}

/** Fields described by their own rules above; every other field that changed is named as edited. */
const DESCRIBED_FIELDS = new Set(['status', 'severity', 'commander', 'roles', 'timeline', 'action_items', 'runbooks']);

/**
 * The changes from `before` (the committed file; undefined when the record is new) to `after` (the file
 * being committed), in the order a reader wants them: status first, then people, timeline, items, the rest.
 * Empty when the two mean the same and are byte for byte equal.
 */
export function describeIncidentChange(before: string | undefined, after: string | undefined): string[] {
  if (after === undefined) return before === undefined ? [] : ['record deleted'];
  const next = parseRecord(after);
  if (before === undefined) {
    if (!next) return ['declared'];
    // A record first committed after more happened to it: say it was declared, then where it is now,
    // so `declared as resolved` does not read as if it had been recorded already resolved.
    const status = fieldText(next.status);
    const severity = fieldText(next.severity);
    const parts = [severity ? `declared ${severity}` : 'declared'];
    if (status && status !== 'triage') parts.push(`now ${status}`);
    // The `Declared SEVn` note that declaring writes is the declaration itself, not a note added.
    const [first] = fieldList(next.timeline).map(fieldMap);
    const declaration = first && fieldText(first.kind) === 'note' && /^Declared\b/.test(fieldText(first.text) ?? '') ? [fieldList(next.timeline)[0]] : [];
    parts.push(...describeTimeline({ timeline: declaration }, next, new Set(['timeline', 'status', 'severity', 'roles'])), ...describeActionItems({}, next));
    return parts;
  }
  if (before === after) return [];
  const previous = parseRecord(before);
  if (!previous || !next) return ['record edited'];

  const changed = new Set([...Object.keys(previous), ...Object.keys(next)].filter((field) => !sameData(previous[field], next[field])));
  const parts: string[] = [];
  const text = (value: unknown) => fieldText(value) ?? 'none';
  if (changed.has('status')) parts.push(`${text(previous.status)} → ${text(next.status)}`);
  if (changed.has('severity')) parts.push(`severity ${text(previous.severity)} → ${text(next.severity)}`);
  if (changed.has('commander')) parts.push(fieldText(next.commander) ? `commander ${text(next.commander)}` : 'commander removed');
  if (changed.has('roles')) parts.push(...describeRoles(previous, next));
  parts.push(...describeTimeline(previous, next, changed));
  if (changed.has('action_items')) parts.push(...describeActionItems(previous, next));
  if (changed.has('runbooks')) parts.push(...describeRunbooks(previous, next));
  // A status change sets (or, going back, may clear) its timestamps: part of the change already named.
  const statusTimestamps = new Set<string>(Object.values(STATUS_TIMESTAMPS));
  for (const field of changed) {
    if (DESCRIBED_FIELDS.has(field)) continue;
    if (changed.has('status') && statusTimestamps.has(field)) continue;
    parts.push((TIMESTAMP_FIELDS as readonly string[]).includes(field) && next[field] !== undefined && previous[field] === undefined ? `${field} set` : `${field} edited`);
  }
  // Only comments, quoting or layout changed.
  return parts.length > 0 ? parts : ['record edited'];
}
