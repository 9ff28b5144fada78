import { Document, isMap, isScalar, isSeq, parseDocument, Scalar, type Node as YamlNode, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { INCIDENT_FIELDS } from './incident';

/**
 * Minimal text edits of a YAML file, located with the `yaml` package's node ranges. Re-printing a
 * whole Document loses what its printer does not model (spacing before comments, `[a, b]` padding,
 * indentation quirks), so an edit splices only the lines it changes into the original text; the caller
 * checks the result against the same edit made through the Document API.
 */

export type YamlPath = readonly (string | number)[];

export type YamlChange =
  /** Set a key of the mapping at `path[:-1]` (which must exist) to a scalar or an inline collection. */
  | { type: 'set'; path: YamlPath; value: unknown }
  /** Insert into the sequence at `path`, creating it when the key is absent, null or an empty `[]`. */
  | { type: 'insert'; path: YamlPath; index: number; value: unknown }
  /** Remove a key of a block mapping, with its line(s); comment lines above it stay (they may say more). */
  | { type: 'delete'; path: YamlPath };

const RENDER = { lineWidth: 0, indent: 2 } as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Where a YAML line's trailing comment begins, white space before the `#` included (what `/\s+#.*$/`
 * finds), or -1. A loop: the regex retries from every character of a long run of spaces.
 */
export function trailingCommentStart(line: string): number {
  for (let hash = line.indexOf('#', 1); hash !== -1; hash = line.indexOf('#', hash + 1)) {
    if (!/\s/.test(line[hash - 1])) continue;
    let start = hash - 1;
    while (start > 0 && /\s/.test(line[start - 1])) start--;
    return start;
  }
  return -1;
}

/** The offset where the line holding `offset` starts. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset just after the line holding the character before `end` (where a following line starts). */
export function afterLine(text: string, end: number): number {
  if (end > 0 && text[end - 1] === '\n') return end;
  const nl = text.indexOf('\n', end);
  return nl === -1 ? text.length : nl + 1;
}

export function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** Inserts whole lines at a line boundary, keeping the file's line ending and its (missing) final newline. */
function insertLines(text: string, at: number, lines: readonly string[], eol: string): string {
  if (at >= text.length && text.length > 0 && !text.endsWith('\n')) return text + eol + lines.join(eol);
  return splice(text, at, at, lines.join(eol) + eol);
}

/** A scalar on one line in block context, in `style` when given (the style of the value it replaces). */
export function renderScalar(value: unknown, style?: Scalar['type']): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'string') return String(value);
  if (value.includes('\n')) return JSON.stringify(value);
  const node = new Scalar(value);
  if (style === Scalar.QUOTE_DOUBLE || style === Scalar.QUOTE_SINGLE || style === Scalar.PLAIN) node.type = style;
  const out = new Document(node).toString(RENDER).replace(/\n$/, '');
  return out.includes('\n') ? JSON.stringify(value) : out;
}

/** A value inside `[…]` or `{…}`: flow indicators force quotes. */
export function renderFlow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(renderFlow).join(', ')}]`;
  if (isPlainObject(value)) return `{ ${Object.entries(value).map(([k, v]) => `${renderFlow(k)}: ${renderFlow(v)}`).join(', ')} }`;
  if (typeof value !== 'string') return renderScalar(value);
  const plain = renderScalar(value, Scalar.PLAIN);
  return /[,[\]{}]/.test(value) && !plain.startsWith('"') && !plain.startsWith("'") ? JSON.stringify(value) : plain;
}

/** A value after `key: ` on the key's line: scalars, and collections in flow style (`[a, b]`, `{ a: b }`). */
function renderInline(value: unknown, style?: Scalar['type']): string {
  return Array.isArray(value) || isPlainObject(value) ? renderFlow(value) : renderScalar(value, style);
}

/** Lines of one block sequence item (`- key: value` …) with the dash at `dashColumn` and content `offset` after it. */
function renderBlockItem(value: unknown, dashColumn: number, offset: number): string[] {
  const pad = ' '.repeat(dashColumn);
  if (!isPlainObject(value) && !Array.isArray(value)) return [`${pad}-${' '.repeat(offset - 1)}${renderScalar(value)}`];
  const rendered = new Document([value]).toString(RENDER).replace(/\n$/, '').split('\n');
  return rendered.map((line, i) => {
    if (i === 0) return `${pad}-${' '.repeat(offset - 1)}${line.slice(2)}`;
    return line === '' ? '' : `${pad}${' '.repeat(offset)}${line.slice(2)}`;
  });
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) && pair.key.value !== null ? String(pair.key.value) : undefined;
}

function nodeAt(doc: Document, path: YamlPath): unknown {
  return path.length === 0 ? doc.contents : doc.getIn(path, true);
}

function mapAt(doc: Document, path: YamlPath): YAMLMap {
  const node = nodeAt(doc, path);
  if (!isMap(node)) throw new Error(`No mapping at ${path.join('.') || 'the top level'}`);
  return node;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** Offset just after the `:` that follows a key. */
function afterColon(text: string, pair: Pair): number {
  const keyEnd = (pair.key as YamlNode).range![1];
  const colon = text.indexOf(':', keyEnd);
  return colon === -1 ? keyEnd : colon + 1;
}

function rangeEnd(pair: Pair): number {
  const value = pair.value as YamlNode | null;
  return value?.range ? value.range[1] : (pair.key as YamlNode).range![1];
}

/** Indentation of block sequences under a key in this document (`key:\n  - x` is 2, `key:\n- x` is 0). */
function sequenceIndent(doc: Document, text: string): number {
  let found: number | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const value = pair.value;
        if (isSeq(value) && !value.flow && value.items.length > 0 && (pair.key as YamlNode)?.range) {
          const dash = dashOffset(text, value.items[0] as YamlNode);
          if (dash !== undefined) {
            found = columnOf(text, dash) - columnOf(text, (pair.key as YamlNode).range![0]);
            return;
          }
        }
        visit(value);
      }
    } else if (isSeq(node)) node.items.forEach(visit);
  };
  visit(doc.contents);
  return found !== undefined && found >= 0 ? found : 2;
}

/** The `-` of a block sequence item, found backwards from its content on the same line. */
export function dashOffset(text: string, item: YamlNode): number | undefined {
  if (!item.range) return undefined;
  const start = lineStart(text, item.range[0]);
  for (let i = item.range[0] - 1; i >= start; i--) {
    if (text[i] === '-') return i;
    if (text[i] !== ' ') return undefined;
  }
  return undefined;
}

/** Where a new top-level key goes: after the nearest field that precedes it in INCIDENT_FIELDS order. */
function newKeyPosition(text: string, map: YAMLMap, key: string, topLevel: boolean): number {
  const pairs = map.items as Pair[];
  const order = INCIDENT_FIELDS as readonly string[];
  const rank = order.indexOf(key);
  if (topLevel && rank !== -1) {
    let before: Pair | undefined;
    let beforeRank = -1;
    let after: Pair | undefined;
    let afterRank = Infinity;
    for (const pair of pairs) {
      const r = order.indexOf(keyOf(pair) ?? '');
      if (r === -1) continue;
      if (r < rank && r > beforeRank) [before, beforeRank] = [pair, r];
      if (r > rank && r < afterRank) [after, afterRank] = [pair, r];
    }
    if (before) return afterLine(text, rangeEnd(before));
    if (after) return lineStart(text, (after.key as YamlNode).range![0]);
  }
  return afterLine(text, rangeEnd(pairs[pairs.length - 1]));
}

/** Adds `key: value` lines (a new pair) to a mapping, in block or flow style as the mapping is written. */
function addPair(text: string, doc: Document, mapPath: YamlPath, key: string, valueLines: (indent: number) => string[], inline: string, eol: string): string {
  const map = mapAt(doc, mapPath);
  const pairs = map.items as Pair[];
  if (map.flow) {
    const entry = `${renderFlow(key)}: ${inline}`;
    if (pairs.length === 0) return splice(text, map.range![0], map.range![1], `{ ${entry} }`);
    return splice(text, rangeEnd(pairs[pairs.length - 1]), rangeEnd(pairs[pairs.length - 1]), `, ${entry}`);
  }
  if (pairs.length === 0) throw new Error('Cannot add a key to an empty block mapping');
  const indent = columnOf(text, (pairs[0].key as YamlNode).range![0]);
  const at = newKeyPosition(text, map, key, mapPath.length === 0);
  return insertLines(text, at, valueLines(indent), eol);
}

function findPair(map: YAMLMap, key: string): Pair | undefined {
  return (map.items as Pair[]).find((p) => keyOf(p) === key);
}

/** Applies one change to the text. Throws when the text is shaped in a way this does not handle. */
export function applyChangeToText(text: string, change: YamlChange, eol: string): string {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const key = String(change.path[change.path.length - 1]);
  const parentPath = change.path.slice(0, -1);
  const parent = mapAt(doc, parentPath);
  const pair = findPair(parent, key);
  const value = pair?.value as YamlNode | null | undefined;

  if (change.type === 'delete') {
    if (!pair) return text;
    if (parent.flow) throw new Error(`${change.path.join('.')} is in a flow mapping`);
    return splice(text, lineStart(text, (pair.key as YamlNode).range![0]), afterLine(text, rangeEnd(pair)), '');
  }

  if (change.type === 'set') {
    const inFlow = parent.flow === true;
    if (!pair) return addPair(text, doc, parentPath, key, (indent) => [`${' '.repeat(indent)}${renderFlow(key)}: ${renderInline(change.value)}`], renderInline(change.value), eol);
    if (value && !isScalar(value)) throw new Error(`${change.path.join('.')} is a collection`);
    const style = isScalar(value) ? value.type : undefined;
    const rendered = inFlow ? renderFlow(change.value) : renderInline(change.value, style);
    if (!value?.range || (isScalar(value) && value.value === null && value.source === '')) {
      const at = afterColon(text, pair);
      return splice(text, at, at, ` ${rendered}`);
    }
    return splice(text, value.range[0], value.range[1], rendered);
  }

  const item = change.value;
  const itemIsBlock = isPlainObject(item) || Array.isArray(item);
  const emptyValue = !value || (isScalar(value) && value.value === null) || (isSeq(value) && value.flow && value.items.length === 0);
  if (!pair || emptyValue) {
    if (!itemIsBlock || parent.flow) {
      // A scalar list stays inline: `runbooks: [a.md]`.
      if (!pair) return addPair(text, doc, parentPath, key, (indent) => [`${' '.repeat(indent)}${renderFlow(key)}: ${renderFlow([item])}`], renderFlow([item]), eol);
      if (!value?.range || (isScalar(value) && value.source === '')) {
        const at = afterColon(text, pair);
        return splice(text, at, at, ` ${renderFlow([item])}`);
      }
      return splice(text, value.range[0], value.range[1], renderFlow([item]));
    }
    const seqIndent = sequenceIndent(doc, text);
    if (!pair) {
      return addPair(text, doc, parentPath, key, (indent) => [`${' '.repeat(indent)}${renderFlow(key)}:`, ...renderBlockItem(item, indent + seqIndent, 2)], '', eol);
    }
    const keyColumn = columnOf(text, (pair.key as YamlNode).range![0]);
    const lines = renderBlockItem(item, keyColumn + seqIndent, 2);
    const colon = afterColon(text, pair);
    const valueEnd = value?.range && !(isScalar(value) && value.source === '') ? value.range[1] : colon;
    // Drop `null`/`[]` and, when nothing else is left on the line, the spaces before it; a comment stays.
    let cleared = splice(text, colon, valueEnd, '');
    if (cleared.slice(colon, afterLine(cleared, colon)).trim() === '') cleared = cleared.slice(0, colon) + cleared.slice(colon).replace(/^[ \t]+/, '');
    return insertLines(cleared, afterLine(cleared, colon), lines, eol);
  }
  if (!isSeq(value)) throw new Error(`${change.path.join('.')} is not a list`);
  const seq = value as YAMLSeq;
  const items = seq.items as YamlNode[];
  const index = Math.max(0, Math.min(change.index, items.length));
  if (seq.flow) {
    const rendered = renderFlow(item);
    if (index === items.length) return splice(text, items[items.length - 1].range![1], items[items.length - 1].range![1], `, ${rendered}`);
    return splice(text, items[index].range![0], items[index].range![0], `${rendered}, `);
  }
  const firstDash = dashOffset(text, items[0]);
  if (firstDash === undefined) throw new Error('Cannot find the dash of the first list item');
  const dashColumn = columnOf(text, firstDash);
  const offset = items[0].range![0] - firstDash;
  const lines = renderBlockItem(item, dashColumn, offset);
  const separated = items.length >= 2 && blankBefore(text, items[items.length - 1]);
  if (index === items.length) {
    return insertLines(text, afterLine(text, items[items.length - 1].range![1]), separated ? ['', ...lines] : lines, eol);
  }
  const dash = dashOffset(text, items[index]);
  if (dash === undefined) throw new Error('Cannot find the dash of a list item');
  return insertLines(text, commentsAbove(text, lineStart(text, dash), dashColumn), separated ? [...lines, ''] : lines, eol);
}

/** Whether a blank line separates this item from the one before (items written with gaps). */
function blankBefore(text: string, item: YamlNode): boolean {
  const dash = dashOffset(text, item);
  if (dash === undefined) return false;
  const start = lineStart(text, dash);
  if (start === 0) return false;
  const previous = text.slice(lineStart(text, start - 1), start - 1);
  return previous.trim() === '';
}

/** Start of the comment lines directly above `start` (indented at least `column`): they belong to the item below. */
function commentsAbove(text: string, start: number, column: number): number {
  let at = start;
  while (at > 0) {
    const prev = lineStart(text, at - 1);
    const line = text.slice(prev, at - 1);
    const indent = line.length - line.trimStart().length;
    if (!line.trimStart().startsWith('#') || indent < column) break;
    at = prev;
  }
  return at;
}

/** The same change through the Document API: the reference the text edit must match. */
export function applyChangeToDocument(doc: Document, change: YamlChange): void {
  if (change.type === 'delete') {
    doc.deleteIn(change.path);
    return;
  }
  if (change.type === 'set') {
    doc.setIn(change.path, doc.createNode(change.value));
    return;
  }
  const current = nodeAt(doc, change.path);
  if (isSeq(current)) current.items.splice(Math.max(0, Math.min(change.index, current.items.length)), 0, doc.createNode(change.value));
  else doc.setIn(change.path, doc.createNode([change.value]));
}

/** Structural equality of plain data (what `toJS()` returns); mapping key order does not matter. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => sameData(v, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
