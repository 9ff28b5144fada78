import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { INCIDENT_WORKFLOW, isIncidentStatus, parseTimestamp, STATUS_TIMESTAMPS, workflowIndex } from './incident';
import { afterLine, applyChangeToText, dashOffset, lineStart, sameData, splice } from './incidentYamlText';

/**
 * One file on purpose (~730 lines): each field's merge rule needs the same three parsed documents.
 * Three-way merge of incident records (README, Reviewing in pull requests, issue 6): what git's merge driver runs when two
 * branches changed the same record. The merge works on the parsed documents, field by field:
 *
 * - `timeline`: entries are one set keyed by (at, by, kind, text); both sides' new entries are kept,
 *   placed by `at`. An entry one side deleted while the other left it alone stays deleted.
 * - `action_items`: merged by `id`, each item field by field; two items added on both sides under the
 *   same id with different titles are both kept (theirs gets the next free id).
 * - `services`, `runbooks`, `links` (by url): the union of both sides' additions, minus one-sided deletions.
 * - every other field: one side changed it → take that; both the same → take it; both differently → a
 *   conflict. `status` is the exception: the later workflow state wins when every timestamp it needs is set.
 *
 * The result is the current side's text (`%A`) edited in place, so its comments and layout survive; a
 * conflict leaves git-style markers around just the lines of the conflicting field.
 */

type Plain = Record<string, unknown>;
type Path = (string | number)[];

export type IncidentMergeSide = 'base' | 'ours' | 'theirs';

export interface IncidentMergeConflict {
  /** Where in the merged record: `['severity']`, `['action_items', 1, 'status']`. */
  path: Path;
  /** Readable form of the path: `severity`, `action_items AI-2 status`. */
  field: string;
  base: unknown;
  ours: unknown;
  theirs: unknown;
}

export interface IncidentMergeOptions {
  /** Label after `<<<<<<<` (default `ours`). */
  oursLabel?: string;
  /** Label after `>>>>>>>` (default `theirs`). */
  theirsLabel?: string;
  /** Length of the conflict markers (git's `%L`, default 7). */
  markerSize?: number;
}

export type IncidentMergeOutcome =
  /** `text` is the merged record; with conflicts it holds markers around the conflicting fields. */
  | { kind: 'merged'; text: string; conflicts: IncidentMergeConflict[]; notes: string[] }
  /** A side is not a YAML mapping (or holds conflict markers): the caller falls back to a textual merge. */
  | { kind: 'unparsable'; side: IncidentMergeSide; message: string };

const MAX_ALIAS_COUNT = 100;
const CONFLICT_MARKER_LINE = /^(?:<{7}|={7}|>{7}|\|{7})(?:\s|$)/m;
/** Lists whose items are matched by a key rather than compared whole. */
const KEYED_LISTS = new Set(['timeline', 'action_items', 'links']);
/** Lists merged as sets of values. */
const SET_LISTS = new Set(['services', 'runbooks']);

function isPlain(value: unknown): value is Plain {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function hasKey(record: Plain, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** JSON with sorted keys: the identity of a value whose key order does not matter. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlain(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'undefined';
}

function itemIdentity(field: string | undefined, item: unknown): string {
  if (isPlain(item)) {
    if (field === 'timeline') return `entry:${canonical([item.at, item.by, item.kind, item.text].map((v) => v ?? null))}`;
    if (field === 'action_items' && (typeof item.id === 'string' || typeof item.id === 'number')) return `id:${String(item.id)}`;
    if (field === 'links' && typeof item.url === 'string') return `url:${item.url}`;
  }
  return `value:${canonical(item)}`;
}

/** Identity of each item, made unique by occurrence so a list with repeated items still matches item by item. */
function identities(field: string | undefined, list: readonly unknown[]): string[] {
  const seen = new Map<string, number>();
  return list.map((item) => {
    const base = itemIdentity(field, item);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}#${n}`;
  });
}

interface KeyedItems {
  order: string[];
  byKey: Map<string, unknown>;
}

function keyedItems(field: string, list: readonly unknown[]): KeyedItems {
  const order = identities(field, list);
  return { order, byKey: new Map(order.map((key, i) => [key, list[i]])) };
}

/** Where a timeline entry stands, whatever its text says: its time, author and kind. */
function entryPlace(item: unknown): string | undefined {
  return isPlain(item) ? canonical([item.at, item.by, item.kind].map((v) => v ?? null)) : undefined;
}

/**
 * Gives `side`'s timeline entries that are edits of a base entry (the base entry gone, one new entry
 * at the same time, by the same author, of the same kind) that base entry's key, so an edit is
 * matched with the other side's version of the entry instead of being kept beside it. Ambiguous
 * places (two entries gone or added there) are left as deletions and additions.
 */
function alignEdits(field: string, base: KeyedItems, side: KeyedItems): void {
  if (field !== 'timeline') return;
  const gone = new Map<string, string[]>();
  for (const key of base.order) {
    const place = side.byKey.has(key) ? undefined : entryPlace(base.byKey.get(key));
    if (place !== undefined) gone.set(place, [...(gone.get(place) ?? []), key]);
  }
  if (gone.size === 0) return;
  const added = new Map<string, string[]>();
  for (const key of side.order) {
    const place = base.byKey.has(key) ? undefined : entryPlace(side.byKey.get(key));
    if (place !== undefined && gone.has(place)) added.set(place, [...(added.get(place) ?? []), key]);
  }
  for (const [place, keys] of added) {
    const from = gone.get(place)!;
    if (keys.length !== 1 || from.length !== 1) continue;
    const index = side.order.indexOf(keys[0]);
    side.order[index] = from[0];
    side.byKey.set(from[0], side.byKey.get(keys[0]));
    side.byKey.delete(keys[0]);
  }
}

function timestampMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = parseTimestamp(value);
  return parsed.ok ? parsed.epochMs : undefined;
}

function listOf(value: unknown): unknown[] | undefined {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : undefined;
}

/** Readable path: `action_items AI-2 status`, `timeline 2026-11-23T09:40:12Z by alice text`. */
export function describeMergePath(path: readonly (string | number)[], record: unknown): string {
  const parts: string[] = [];
  let node: unknown = record;
  for (const step of path) {
    if (typeof step === 'number') {
      const item = Array.isArray(node) ? node[step] : undefined;
      if (isPlain(item) && (typeof item.id === 'string' || typeof item.id === 'number')) parts.push(String(item.id));
      else if (isPlain(item) && typeof item.at === 'string') parts.push(`${item.at}${typeof item.by === 'string' ? ` by ${item.by}` : ''}`);
      else parts.push(`#${step + 1}`);
    } else parts.push(step);
    node = Array.isArray(node) ? node[step as number] : isPlain(node) ? node[step as string] : undefined;
  }
  return parts.join(' ');
}

interface Slot {
  base?: unknown;
  ours?: unknown;
  theirs?: unknown;
}

/** The data half of the merge: plain values in, the merged record plus its conflicts out. */
class RecordMerger {
  readonly conflicts: { path: Path; base: unknown; ours: unknown; theirs: unknown }[] = [];
  readonly notes: string[] = [];

  mergeRecord(base: Plain, ours: Plain, theirs: Plain): Plain {
    const merged = this.mergeMap([], base, ours, theirs);
    const status = this.mergeStatus(base.status, ours.status, theirs.status, merged);
    if (status !== undefined) merged.status = status;
    return merged;
  }

  private mergeValue(path: Path, base: unknown, ours: unknown, theirs: unknown): unknown {
    if (sameData(ours, theirs)) return ours;
    if (sameData(base, ours)) return theirs;
    if (sameData(base, theirs)) return ours;
    if (isPlain(ours) && isPlain(theirs) && (base === undefined || base === null || isPlain(base))) {
      return this.mergeMap(path, isPlain(base) ? base : {}, ours, theirs);
    }
    this.conflicts.push({ path, base, ours, theirs });
    return ours;
  }

  private mergeMap(path: Path, base: Plain, ours: Plain, theirs: Plain): Plain {
    const out: Plain = {};
    const keys = [...Object.keys(ours), ...Object.keys(theirs).filter((k) => !hasKey(ours, k))];
    for (const key of keys) {
      // The status needs the merged timestamps, so it is decided last (mergeRecord).
      if (path.length === 0 && key === 'status') continue;
      const value = path.length === 0 ? this.mergeField(key, base[key], ours[key], theirs[key]) : this.mergeValue([...path, key], base[key], ours[key], theirs[key]);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }

  private mergeField(key: string, base: unknown, ours: unknown, theirs: unknown): unknown {
    if (sameData(ours, theirs)) return ours;
    if (sameData(base, ours)) return theirs;
    if (sameData(base, theirs)) return ours;
    const lists = [listOf(base), listOf(ours), listOf(theirs)];
    // A list field one side removed entirely is an ordinary change, handled as a scalar would be.
    const bothPresent = ours !== undefined && theirs !== undefined;
    if (bothPresent && lists.every((l) => l !== undefined) && (KEYED_LISTS.has(key) || SET_LISTS.has(key))) {
      return this.mergeList(key, lists[0]!, lists[1]!, lists[2]!);
    }
    return this.mergeValue([key], base, ours, theirs);
  }

  /** Keyed (timeline, action items, links) and set (services, runbooks) lists. */
  private mergeList(field: string, base: unknown[], ours: unknown[], theirs: unknown[]): unknown[] {
    const b = keyedItems(field, base);
    const o = keyedItems(field, ours);
    const t = keyedItems(field, theirs);
    alignEdits(field, b, o);
    alignEdits(field, b, t);
    const slots: Slot[] = [];
    const added: Slot[] = [];
    for (const key of o.order) {
      const mine = o.byKey.get(key);
      if (t.byKey.has(key)) {
        const other = t.byKey.get(key);
        if (field === 'action_items' && !b.byKey.has(key) && !sameData(mine, other) && isPlain(mine) && isPlain(other) && !sameData(mine.title, other.title)) {
          // Both responders added "the next" action item: two different items that happen to share an id.
          slots.push({ ours: mine });
          added.push({ theirs: other });
          continue;
        }
        slots.push({ base: b.byKey.get(key), ours: mine, theirs: other });
      } else if (b.byKey.has(key)) {
        if (sameData(b.byKey.get(key), mine)) continue;
        slots.push({ ours: mine });
        this.notes.push(`${field}: kept an item theirs deleted, because ours changed it (${describeItem(mine)}).`);
      } else slots.push({ ours: mine });
    }
    for (const key of t.order) {
      if (o.byKey.has(key)) continue;
      const other = t.byKey.get(key);
      if (b.byKey.has(key)) {
        if (sameData(b.byKey.get(key), other)) continue;
        this.notes.push(`${field}: kept an item ours deleted, because theirs changed it (${describeItem(other)}).`);
      }
      added.push({ theirs: other });
    }
    if (field === 'action_items') this.renumberClashingIds(slots, added);
    for (const slot of added) {
      if (field !== 'timeline') {
        slots.push(slot);
        continue;
      }
      // After the last entry at or before it: both sides' entries interleave in time order.
      const at = timestampMs((slot.theirs as Plain | undefined)?.at);
      let index = slots.length;
      if (at !== undefined) {
        while (index > 0) {
          const previous = timestampMs(((slots[index - 1].ours ?? slots[index - 1].theirs) as Plain | undefined)?.at);
          if (previous === undefined || previous <= at) break;
          index--;
        }
      }
      slots.splice(index, 0, slot);
    }
    const out = slots.map((slot, i) => (slot.ours !== undefined && slot.theirs !== undefined ? this.mergeValue([field, i], slot.base, slot.ours, slot.theirs) : slot.ours ?? slot.theirs));
    // Set lists never hold a value twice, even when both sides added it in different spellings of the same list.
    return SET_LISTS.has(field) ? out.filter((v, i) => out.findIndex((w) => sameData(v, w)) === i) : out;
  }

  /** Gives theirs' new action items whose id ours already uses a fresh id (AI-3 → AI-4). */
  private renumberClashingIds(slots: Slot[], added: Slot[]): void {
    const taken = new Set<string>();
    for (const slot of [...slots, ...added]) {
      const item = (slot.ours ?? slot.theirs) as Plain | undefined;
      if (isPlain(item) && item.id !== undefined) taken.add(String(item.id));
    }
    const inOurs = new Set(slots.map((s) => (isPlain(s.ours) ? String(s.ours.id) : '')));
    for (const slot of added) {
      const item = slot.theirs as Plain;
      if (!isPlain(item) || item.id === undefined || !inOurs.has(String(item.id))) continue;
      const id = String(item.id);
      // `AI-7` continues as `AI-8`; an id with no trailing number as `x-2`.
      let stem = id.length;
      while (stem > 0 && id.charCodeAt(stem - 1) >= 0x30 && id.charCodeAt(stem - 1) <= 0x39) stem--;
      const numbered = stem < id.length;
      let fresh = '';
      for (let n = numbered ? Number(id.slice(stem)) + 1 : 2; ; n++) {
        fresh = numbered ? `${id.slice(0, stem)}${n}` : `${id}-${n}`;
        if (!taken.has(fresh)) break;
      }
      taken.add(fresh);
      const renamed: Plain = {};
      for (const [k, v] of Object.entries(item)) renamed[k] = k === 'id' ? (typeof item.id === 'number' && /^\d+$/.test(fresh) ? Number(fresh) : fresh) : v;
      slot.theirs = renamed;
      this.notes.push(`action_items: both sides added ${id} with different titles; theirs ("${String(item.title)}") is now ${fresh}.`);
    }
  }

  /** Both sides moved the status differently: the later workflow state wins when every timestamp it needs is set. */
  private mergeStatus(base: unknown, ours: unknown, theirs: unknown, merged: Plain): unknown {
    if (sameData(ours, theirs)) return ours;
    if (sameData(base, ours)) return theirs;
    if (sameData(base, theirs)) return ours;
    if (isIncidentStatus(ours) && isIncidentStatus(theirs) && workflowIndex(ours) >= 0 && workflowIndex(theirs) >= 0) {
      const later = workflowIndex(ours) > workflowIndex(theirs) ? ours : theirs;
      const needed = INCIDENT_WORKFLOW.slice(0, workflowIndex(later) + 1).map((s) => STATUS_TIMESTAMPS[s]).filter((f): f is NonNullable<typeof f> => f !== undefined);
      if (needed.every((field) => !isEmpty(merged[field]))) {
        this.notes.push(`status: ours moved it to ${ours}, theirs to ${theirs}; kept ${later}, the later state, since ${needed.join(', ') || 'its timestamps'} ${needed.length === 1 ? 'is' : 'are'} set.`);
        return later;
      }
    }
    this.conflicts.push({ path: ['status'], base, ours, theirs });
    return ours;
  }
}

function describeItem(item: unknown): string {
  if (!isPlain(item)) return JSON.stringify(item);
  if (item.id !== undefined) return String(item.id);
  if (item.at !== undefined) return `${String(item.at)}${item.text !== undefined ? ` "${String(item.text)}"` : ''}`;
  if (item.url !== undefined) return String(item.url);
  return canonical(item);
}

// ---------------------------------------------------------------------------------------------
// The text half: edit the current side's text until it parses to the merged record.

type TextEdit =
  | { type: 'set'; path: Path; value: unknown }
  | { type: 'delete'; path: Path }
  /** New items of one list, all placed in one pass over the text (one parse, not one per item). */
  | { type: 'insert'; path: Path; runs: InsertRun[] };

/** Consecutive new items of a list. */
interface InsertRun {
  /** Index of the first one in the target list. */
  index: number;
  /** The item (of the list as it stands when the edit applies) they go before; the list's length for its end. */
  before: number;
  values: unknown[];
  /** Theirs' lines for each item, when theirs wrote it in a block list. */
  sources: (string[] | undefined)[];
}

/** Where an item of one of theirs' top-level lists is written, so a new item keeps theirs' comments and layout. */
type SourceLookup = (path: Path, value: unknown) => string[] | undefined;

function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

function insertLines(text: string, at: number, lines: readonly string[]): string {
  if (at >= text.length && text.length > 0 && !text.endsWith('\n')) return `${text}\n${lines.join('\n')}`;
  return splice(text, at, at, `${lines.join('\n')}\n`);
}

/** Comment lines directly above a list item, indented at least as far as its dash, belong to it. */
function commentsAbove(text: string, start: number, column: number): number {
  let at = start;
  while (at > 0) {
    const previous = lineStart(text, at - 1);
    const line = text.slice(previous, at - 1);
    if (!line.trimStart().startsWith('#') || line.length - line.trimStart().length < column) break;
    at = previous;
  }
  return at;
}

function keyText(pair: Pair): string | undefined {
  return isScalar(pair.key) && pair.key.value !== null ? String(pair.key.value) : undefined;
}

function pairEnd(pair: Pair): number {
  const value = pair.value as YamlNode | null;
  return value?.range ? value.range[1] : (pair.key as YamlNode).range![1];
}

function nodeAt(doc: Document, path: Path): unknown {
  return path.length === 0 ? doc.contents : doc.getIn(path, true);
}

function planEdits(path: Path, current: unknown, target: unknown, edits: TextEdit[], sourceOf: SourceLookup): void {
  if (sameData(current, target)) return;
  if (isPlain(current) && isPlain(target)) {
    for (const key of Object.keys(current)) if (!hasKey(target, key)) edits.push({ type: 'delete', path: [...path, key] });
    for (const key of Object.keys(target)) {
      const value = target[key];
      if (hasKey(current, key)) planEdits([...path, key], current[key], value, edits, sourceOf);
      else if (Array.isArray(value) && value.length > 0) {
        edits.push({ type: 'insert', path: [...path, key], runs: [{ index: 0, before: 0, values: value, sources: value.map((item) => sourceOf([...path, key], item)) }] });
      } else edits.push({ type: 'set', path: [...path, key], value });
    }
    return;
  }
  if (Array.isArray(current) && Array.isArray(target) && target.length > 0) {
    const field = path.length === 1 ? String(path[0]) : undefined;
    const currentItems = keyedItems(field ?? '', current);
    const targetItems = keyedItems(field ?? '', target);
    // An entry whose text changed is edited in place (its comments and layout kept), not replaced.
    alignEdits(field ?? '', currentItems, targetItems);
    const currentKeys = currentItems.order;
    const targetKeys = targetItems.order;
    const position = new Map(currentKeys.map((key, i) => [key, i]));
    const matched = new Map<number, number>();
    let next = 0;
    targetKeys.forEach((key, t) => {
      const c = position.get(key);
      // Items are never moved: one that would have to move is deleted and inserted instead.
      if (c !== undefined && c >= next) {
        matched.set(t, c);
        next = c + 1;
      }
    });
    const kept = new Set(matched.values());
    for (const [t, c] of matched) planEdits([...path, c], current[c], target[t], edits, sourceOf);
    for (let c = current.length - 1; c >= 0; c--) if (!kept.has(c)) edits.push({ type: 'delete', path: [...path, c] });
    // Deletions apply first, so the list then holds the matched items in order: a run goes before the next one.
    const runs: InsertRun[] = [];
    let run: InsertRun | undefined;
    let keptBefore = 0;
    target.forEach((item, t) => {
      if (matched.has(t)) {
        keptBefore++;
        run = undefined;
        return;
      }
      if (run === undefined) runs.push((run = { index: t, before: keptBefore, values: [], sources: [] }));
      run.values.push(item);
      run.sources.push(sourceOf(path, item));
    });
    if (runs.length > 0) edits.push({ type: 'insert', path, runs });
    return;
  }
  edits.push({ type: 'set', path, value: target });
}

/** Replaces a block mapping pair's whole value (a collection, or a scalar that became one) with freshly printed lines. */
function replacePair(text: string, path: Path, value: unknown): string {
  const doc = parseDocument(text);
  const parent = nodeAt(doc, path.slice(0, -1));
  const key = path[path.length - 1];
  if (!isMap(parent) || parent.flow || typeof key !== 'string') throw new Error(`cannot replace ${path.join('.')}`);
  const pair = (parent.items as Pair[]).find((p) => keyText(p) === key);
  if (!pair) throw new Error(`no ${path.join('.')}`);
  const keyStart = (pair.key as YamlNode).range![0];
  const column = columnOf(text, keyStart);
  const lines = new Document({ [key]: value }).toString({ lineWidth: 0, indent: 2 }).replace(/\n$/, '').split('\n');
  const rendered = lines.map((line, i) => (i === 0 || line === '' ? line : ' '.repeat(column) + line));
  return splice(text, keyStart, afterLine(text, pairEnd(pair)), `${rendered.join('\n')}\n`);
}

/** Removes one entry of a flow collection (`[a, b]`, `{ a: 1, b: 2 }`) with its comma. */
function removeFlowEntry(text: string, entries: { start: number; end: number }[], index: number): string {
  const entry = entries[index];
  if (index < entries.length - 1) return splice(text, entry.start, entries[index + 1].start, '');
  if (index > 0) return splice(text, entries[index - 1].end, entry.end, '');
  return splice(text, entry.start, entry.end, '');
}

function deleteAt(text: string, path: Path): string {
  const doc = parseDocument(text);
  const parent = nodeAt(doc, path.slice(0, -1));
  const last = path[path.length - 1];
  if (typeof last === 'number') {
    if (!isSeq(parent)) throw new Error(`no list at ${path.slice(0, -1).join('.')}`);
    const items = (parent as YAMLSeq).items as YamlNode[];
    const item = items[last];
    if (!item?.range) throw new Error(`no item ${path.join('.')}`);
    if (parent.flow) return removeFlowEntry(text, items.map((n) => ({ start: n.range![0], end: n.range![1] })), last);
    const dash = dashOffset(text, item);
    if (dash === undefined) throw new Error('cannot find the dash of a list item');
    return splice(text, lineStart(text, dash), afterLine(text, item.range[1]), '');
  }
  if (!isMap(parent)) throw new Error(`no mapping at ${path.slice(0, -1).join('.')}`);
  const pairs = (parent as YAMLMap).items as Pair[];
  const index = pairs.findIndex((p) => keyText(p) === last);
  if (index === -1) throw new Error(`no ${path.join('.')}`);
  if (parent.flow) return removeFlowEntry(text, pairs.map((p) => ({ start: (p.key as YamlNode).range![0], end: pairEnd(p) })), index);
  const keyStart = (pairs[index].key as YamlNode).range![0];
  const start = lineStart(text, keyStart);
  if (text.slice(start, keyStart).trim() !== '') {
    // The first key of a list item shares the dash's line: the next key moves up onto it.
    if (index === pairs.length - 1) throw new Error('cannot empty a list item');
    return splice(text, keyStart, (pairs[index + 1].key as YamlNode).range![0], '');
  }
  return splice(text, start, afterLine(text, pairEnd(pairs[index])), '');
}

/** Inserts theirs' lines for each run of new list items, re-indented to this list's dashes, from one parse of `text`. */
function insertSources(text: string, path: Path, runs: readonly InsertRun[]): string {
  const doc = parseDocument(text);
  const seq = nodeAt(doc, path);
  if (!isSeq(seq) || seq.flow || seq.items.length === 0) throw new Error('not a block list');
  const items = seq.items as YamlNode[];
  const firstDash = dashOffset(text, items[0]);
  if (firstDash === undefined) throw new Error('cannot find the dash of a list item');
  const column = columnOf(text, firstDash);
  const placed = runs.map((run) => {
    let at: number;
    if (run.before >= items.length) at = afterLine(text, items[items.length - 1].range![1]);
    else {
      const dash = dashOffset(text, items[run.before]);
      if (dash === undefined) throw new Error('cannot find the dash of a list item');
      at = commentsAbove(text, lineStart(text, dash), column);
    }
    const lines = run.sources.flatMap((source) => source!).map((line) => (line.trim() === '' ? '' : ' '.repeat(column) + line));
    return { at, lines };
  });
  // From the end backwards, so each offset still points into the text as parsed.
  let out = text;
  for (let i = placed.length - 1; i >= 0; i--) out = insertLines(out, placed[i].at, placed[i].lines);
  return out;
}

function applyEdit(text: string, edit: TextEdit): string {
  if (edit.type === 'delete') return deleteAt(text, edit.path);
  if (edit.type === 'insert') {
    if (edit.runs.every((run) => run.sources.every((source) => source !== undefined))) {
      try {
        return insertSources(text, edit.path, edit.runs);
      } catch {
        // Fall through to the printed form.
      }
    }
    let out = text;
    for (const run of edit.runs) {
      run.values.forEach((value, i) => {
        out = applyChangeToText(out, { type: 'insert', path: edit.path, index: run.index + i, value }, '\n');
      });
    }
    return out;
  }
  if (typeof edit.path[edit.path.length - 1] === 'number') throw new Error('cannot set a list item in place');
  try {
    return applyChangeToText(text, { type: 'set', path: edit.path, value: edit.value }, '\n');
  } catch {
    return replacePair(text, edit.path, edit.value);
  }
}

function parsesTo(text: string, target: Plain): boolean {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) return false;
  try {
    return sameData(doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {}, target);
  } catch {
    return false;
  }
}

/** `text` (which parses to `current`) edited to parse to `target`, touching only the lines that change. */
function rewriteText(text: string, current: Plain, target: Plain, sourceOf: SourceLookup): string {
  const edits: TextEdit[] = [];
  planEdits([], current, target, edits, sourceOf);
  let out = text;
  try {
    for (const edit of edits) out = applyEdit(out, edit);
    if (parsesTo(out, target)) return out;
  } catch {
    // A layout the splices do not handle: re-print the changed fields below.
  }
  return reprintText(text, current, target);
}

/** Fallback: the Document API sets each changed top-level field (comments elsewhere survive, that field is re-printed). */
function reprintText(text: string, current: Plain, target: Plain): string {
  const doc = parseDocument(text);
  for (const key of Object.keys(current)) if (!hasKey(target, key)) doc.delete(key);
  for (const key of Object.keys(target)) if (!hasKey(current, key) || !sameData(current[key], target[key])) doc.set(key, doc.createNode(target[key]));
  const out = doc.toString({ lineWidth: 0 });
  if (!parsesTo(out, target)) throw new Error('the merged record could not be written back as YAML');
  return out;
}

function setAtPath(record: Plain, path: Path, value: unknown): Plain {
  const copy = structuredClone(record) as Plain;
  let node: unknown = copy;
  for (const step of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[step];
  const last = path[path.length - 1];
  if (value === undefined && !Array.isArray(node)) delete (node as Plain)[last as string];
  else (node as Record<string | number, unknown>)[last] = structuredClone(value);
  return copy;
}

interface Region {
  conflicts: IncidentMergeConflict[];
  /** Lines [start, end) of the merged text, shown as ours. */
  start: number;
  end: number;
  theirs: string[];
}

function lineDiff(ours: string[], theirs: string[]): { start: number; end: number; theirs: string[] } {
  let start = 0;
  while (start < ours.length && start < theirs.length && ours[start] === theirs[start]) start++;
  let suffix = 0;
  while (suffix < ours.length - start && suffix < theirs.length - start && ours[ours.length - 1 - suffix] === theirs[theirs.length - 1 - suffix]) suffix++;
  return { start, end: ours.length - suffix, theirs: theirs.slice(start, theirs.length - suffix) };
}

/** Wraps the lines of each conflicting field in markers: ours as merged, theirs as that field would read with their value. */
function markConflicts(text: string, merged: Plain, conflicts: IncidentMergeConflict[], options: Required<IncidentMergeOptions>): string {
  const lines = text.split('\n');
  const regionFor = (group: IncidentMergeConflict[]): Region => {
    let theirsRecord = merged;
    for (const c of group) theirsRecord = setAtPath(theirsRecord, c.path, c.theirs);
    const theirsText = rewriteText(text, merged, theirsRecord, () => undefined);
    return { conflicts: group, ...lineDiff(lines, theirsText.split('\n')) };
  };
  let regions = conflicts.map((c) => regionFor([c])).sort((a, b) => a.start - b.start);
  // Two conflicts on one line (`roles: { scribe: a, comms: b }`) share one marked region.
  for (let i = 1; i < regions.length; i++) {
    if (regions[i].start < regions[i - 1].end || (regions[i].start === regions[i - 1].start && regions[i].end === regions[i - 1].end)) {
      const joined = regionFor([...regions[i - 1].conflicts, ...regions[i].conflicts]);
      regions = [...regions.slice(0, i - 1), joined, ...regions.slice(i + 1)].sort((a, b) => a.start - b.start);
      i = 0;
    }
  }
  const size = Math.max(7, options.markerSize);
  const out: string[] = [];
  let at = 0;
  for (const region of regions) {
    out.push(...lines.slice(at, region.start));
    out.push(`${'<'.repeat(size)} ${options.oursLabel}`, ...lines.slice(region.start, region.end), '='.repeat(size), ...region.theirs, `${'>'.repeat(size)} ${options.theirsLabel}`);
    at = region.end;
  }
  out.push(...lines.slice(at));
  return out.join('\n');
}

interface ParsedSide {
  text: string;
  doc: Document;
  data: Plain;
}

function parseSide(raw: string, side: IncidentMergeSide): ParsedSide | { message: string } {
  const text = raw.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
  if (raw.includes('\0')) return { message: 'is not text' };
  const marker = CONFLICT_MARKER_LINE.exec(text);
  if (marker) return { message: `holds unresolved conflict markers (line ${text.slice(0, marker.index).split('\n').length})` };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    return { message: `is not valid YAML (line ${lineCounter.linePos(first.pos[0]).line}: ${first.message.split('\n')[0]})` };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    return { message: `cannot be read (${(err as Error).message})` };
  }
  // An empty base is an add/add merge: both sides created the record.
  if ((data === null || data === undefined) && side === 'base') return { text, doc, data: {} };
  if (!isPlain(data)) return { message: 'is not a mapping of incident fields' };
  return { text, doc, data };
}

/** Lines of theirs' top-level list items, dedented to their dash, to copy new items with their comments. */
function sourceLookup(theirs: ParsedSide): SourceLookup {
  // Items by their canonical form: a lookup per new item, not a comparison with every item.
  const cache = new Map<string, Map<string, string[] | undefined>>();
  const itemsOf = (field: string): Map<string, string[] | undefined> => {
    const cached = cache.get(field);
    if (cached) return cached;
    const seq = theirs.doc.get(field, true);
    const found = new Map<string, string[] | undefined>();
    if (isSeq(seq) && !seq.flow) {
      for (const item of seq.items as YamlNode[]) {
        const dash = dashOffset(theirs.text, item);
        let lines: string[] | undefined;
        if (dash !== undefined && item.range) {
          const column = columnOf(theirs.text, dash);
          const start = commentsAbove(theirs.text, lineStart(theirs.text, dash), column);
          const raw = theirs.text.slice(start, afterLine(theirs.text, item.range[1])).replace(/\n$/, '').split('\n');
          while (raw.length > 0 && raw[raw.length - 1].trim() === '') raw.pop();
          if (raw.every((line) => line.trim() === '' || line.slice(0, column).trim() === '')) lines = raw.map((line) => line.slice(column));
        }
        const key = canonical(item.toJS(theirs.doc));
        if (!found.has(key)) found.set(key, lines);
      }
    }
    cache.set(field, found);
    return found;
  };
  return (path, value) => (path.length === 1 && typeof path[0] === 'string' ? itemsOf(path[0]).get(canonical(value)) : undefined);
}

/**
 * Merges three versions of an incident record's text: the common ancestor (`base`, empty when both
 * sides added the file), the current side (`ours`, whose layout the result keeps) and the other side.
 */
export function mergeIncidentTexts(base: string, ours: string, theirs: string, options: IncidentMergeOptions = {}): IncidentMergeOutcome {
  const parsed: Partial<Record<IncidentMergeSide, ParsedSide>> = {};
  for (const [side, raw] of [['base', base], ['ours', ours], ['theirs', theirs]] as const) {
    const result = parseSide(raw, side);
    if ('message' in result) return { kind: 'unparsable', side, message: `${side === 'base' ? 'The common ancestor' : side === 'ours' ? 'Our side' : 'Their side'} ${result.message}.` };
    parsed[side] = result;
  }
  const [b, o, t] = [parsed.base!, parsed.ours!, parsed.theirs!];
  const merger = new RecordMerger();
  const merged = merger.mergeRecord(b.data, o.data, t.data);
  let text = rewriteText(o.text, o.data, merged, sourceLookup(t));
  const conflicts: IncidentMergeConflict[] = merger.conflicts.map((c) => ({ ...c, field: describeMergePath(c.path, merged) }));
  if (conflicts.length > 0) {
    text = markConflicts(text, merged, conflicts, {
      oursLabel: options.oursLabel ?? 'ours',
      theirsLabel: options.theirsLabel ?? 'theirs',
      markerSize: options.markerSize ?? 7,
    });
  }
  const bom = ours.startsWith('\ufeff') ? '\ufeff' : '';
  if (ours.includes('\r\n')) text = text.replace(/\n/g, '\r\n');
  return { kind: 'merged', text: bom + text, conflicts, notes: merger.notes };
}
