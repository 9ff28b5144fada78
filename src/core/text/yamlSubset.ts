import * as jsYaml from 'js-yaml';
import type { SourceNode, SourcePair } from './incidentSource';

/**
 * A line-based reader for the plain subset of YAML that incident records are written in — block
 * mappings and sequences, plain, quoted and `|` scalars, one-line flow collections — giving exactly
 * the value js-yaml's `load` (core schema) gives, plus the validator's {@link SourceNode} tree with the
 * node ranges (and scalar source text) the `yaml` package gives, in one pass and many times faster than
 * either (README, Performance). Anything outside that subset (anchors, tags, folded or multi-line scalars,
 * unusual escapes or indentation, duplicate keys…) returns `undefined`, and the caller falls back.
 * One file on purpose (~590 lines): one line-based reader whose parts share the cursor and the indent stack.
 * `test/unit/indexEquivalence.test.ts` compares the value with js-yaml's and the tree with `yaml`'s.
 */
export interface YamlSubsetDocument {
  value: Record<string, unknown>;
  node: SourceNode;
}

/** The 1-based line and column of `offset` in the text `lines` were split from, as the `yaml` package's LineCounter gives them. */
export function linePosition(lines: readonly string[], offset: number): { line: number; col: number } {
  let start = 0;
  let n = 0;
  // Only problems and the id need positions, and those are few: a walk over the lines is enough.
  while (n < lines.length - 1 && offset > start + lines[n].length) start += lines[n++].length + 1;
  return { line: n + 1, col: offset - start + 1 };
}

/**
 * Per-line scratch for the reader, reused by every call (allocating two typed arrays per record showed
 * in profiles); grown as needed.
 */
let scratchIndents = new Int32Array(1024);
let scratchStarts = new Int32Array(1024);

interface ImplicitType {
  tag: string;
  resolve(data: string): boolean;
  construct(data: string): unknown;
}

const CORE_TAGS = ['tag:yaml.org,2002:null', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float'];

/**
 * js-yaml's own resolvers for plain scalars, so `42`, `~` and `.inf` read the same; undefined (and the
 * subset reader off) if the core schema ever holds other types than these four.
 */
const IMPLICIT_TYPES: readonly ImplicitType[] | undefined = (() => {
  const compiled = (jsYaml.CORE_SCHEMA as unknown as { compiledImplicit?: unknown }).compiledImplicit;
  if (!Array.isArray(compiled) || compiled.length !== CORE_TAGS.length) return undefined;
  const types = compiled as ImplicitType[];
  return types.every((t, i) => t.tag === CORE_TAGS[i] && typeof t.resolve === 'function') ? types : undefined;
})();

/**
 * Whether a plain scalar starting with character code `c` may be something the core types resolve
 * (`~`, null, true/false in three cases, numbers, `.inf`/`.nan`); any other is a string without asking them.
 */
function mayResolve(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x7e || c === 0x6e || c === 0x4e || c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46 || c === 0x2e || c === 0x2b || c === 0x2d;
}

/** The characters js-yaml refuses anywhere in a document (its own pattern). */
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
/** The cheap pre-check: text of printable ASCII and newlines needs no closer look. */
const NOT_PLAIN_ASCII = /[^\x20-\x7e\n]/;
const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Characters that make a one-line flow item more than a plain word list. */
const FLOW_SPECIAL = /[#"'[\]{}]/;
/** Indicators that may not start a plain flow item in the subset. */
const FLOW_INDICATOR_START = /^(?:[&*!|>%@`:]|[-?](?: |$))/;

const SPACE = 0x20;

/** Thrown inside the reader when the document is outside the subset; caught once at the top. */
class OutsideSubset extends Error {}
const OUTSIDE_SUBSET = new OutsideSubset();

/** Scalars have no pairs or items; one shared (frozen) empty list each saves two allocations per value. */
const NO_PAIRS = Object.freeze([]) as unknown as SourcePair[];
const NO_ITEMS = Object.freeze([]) as unknown as SourceNode[];

function scalarNode(value: unknown, text: string, from: number, to: number): SourceNode {
  return { kind: 'scalar', value, text, pairs: NO_PAIRS, items: NO_ITEMS, range: [from, to] };
}

function mapNode(pairs: SourcePair[], from: number, to: number): SourceNode {
  return { kind: 'map', value: undefined, text: '', pairs, items: NO_ITEMS, range: [from, to] };
}

function seqNode(items: SourceNode[], from: number, to: number): SourceNode {
  return { kind: 'seq', value: undefined, text: '', pairs: NO_PAIRS, items, range: [from, to] };
}

/** A plain scalar written as `text` at offsets [from, to); a value that is not a string keeps its source as text, like `yaml`'s. */
function resolvePlain(text: string, types: readonly ImplicitType[], from: number, to: number, hasColon: boolean): SourceNode {
  // No core type (null, bool, int, float) has a `:` in it: timestamps, the commonest values starting with a digit, are text.
  if (hasColon || !mayResolve(text.charCodeAt(0))) return scalarNode(text, text, from, to);
  for (const type of types) if (type.resolve(text)) return scalarNode(type.construct(text), text, from, to);
  return scalarNode(text, text, from, to);
}

function indentOf(line: string): number {
  let n = 0;
  while (n < line.length && line.charCodeAt(n) === SPACE) n++;
  return n;
}

/** After a value: nothing, or spaces and a comment. */
function isValueTail(tail: string): boolean {
  const at = indentOf(tail);
  return at === tail.length || (at > 0 && tail.charCodeAt(at) === 0x23);
}

/** Simple keys the core schema reads as null or a boolean (so `String(key)` would differ from the text). */
const NON_STRING_KEYS: ReadonlySet<string> = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);

/**
 * Keys read before, by length and first character (keys start with an ASCII letter or `_`), a few per
 * slot: the same dozen keys make up nearly every record.
 */
const KEY_CACHE_MAX_LENGTH = 32;
const KEY_CACHE_PER_SLOT = 4;
const KEY_CACHE: string[][] = Array.from({ length: (KEY_CACHE_MAX_LENGTH + 1) * 128 }, () => []);

/**
 * line.slice(from, to), as a string read before when there is one. Setting a property with a freshly
 * sliced key makes V8 hash it and look it up in its string table, on every key of every record (the
 * reader's most expensive line); a key used before is already internalized, and comparing it in place
 * allocates nothing.
 */
function sharedKey(line: string, from: number, to: number): string {
  const length = to - from;
  if (length > KEY_CACHE_MAX_LENGTH) return line.slice(from, to);
  const bucket = KEY_CACHE[length * 128 + (line.charCodeAt(from) & 127)];
  for (let i = 0; i < bucket.length; i++) if (line.startsWith(bucket[i], from)) return bucket[i];
  const key = line.slice(from, to);
  if (bucket.length < KEY_CACHE_PER_SLOT) bucket.push(key);
  return key;
}

/** Keys the subset leaves to js-yaml: non-string keys, and `__proto__`. */
function isSpecialKey(key: string): boolean {
  // Checked by first character before the set: a Set lookup hashes the freshly sliced key, which showed in profiles.
  const c = key.charCodeAt(0);
  if (c === 0x5f) return key === '__proto__';
  return (c === 0x6e || c === 0x4e || c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46) && NON_STRING_KEYS.has(key);
}

/**
 * Whether a mapping already has `key` (a duplicate, which js-yaml refuses). A scan of the few pairs
 * read so far: looking the fresh key up on the value object made V8 internalize it first, the reader's
 * single most expensive line.
 */
function hasKey(pairs: readonly SourcePair[], key: string): boolean {
  for (let i = 0; i < pairs.length; i++) if (pairs[i].key === key) return true;
  return false;
}

/** The offset of the `:` ending a simple `key:` at `at`, or -1 when the line holds no simple key there. */
function simpleKeyEnd(line: string, at: number): number {
  // SIMPLE_KEY on line.slice(at, first colon), as a character loop: this runs on every line of every record.
  for (let i = at; i < line.length; i++) {
    const c = line.charCodeAt(i);
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
    if (letter || (i > at && ((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d))) continue;
    if (c !== 0x3a || i === at) return -1;
    return i + 1 < line.length && line.charCodeAt(i + 1) !== SPACE ? -1 : i;
  }
  return -1;
}

class SubsetReader {
  private n = 0;
  /** Leading spaces of each line, or -1 for blank and comment-only lines (skipped between values). */
  private readonly indents: Int32Array;
  private readonly lineStarts: Int32Array;
  /**
   * Where the value read last ends in `yaml`'s terms: just past the newline of its last line. A block
   * collection ends where its last value does (blank and comment lines after it are not part of it).
   */
  private valueEnd = 0;
  /** The last line of the value read last. */
  private valueLine = 0;
  /** The plain value (object or array) of the collection read last; a scalar's is its node's value. */
  private collection: unknown;

  constructor(
    private readonly lines: readonly string[],
    private readonly textLength: number,
    private readonly types: readonly ImplicitType[],
  ) {
    if (scratchIndents.length < lines.length) {
      scratchIndents = new Int32Array(lines.length * 2);
      scratchStarts = new Int32Array(lines.length * 2);
    }
    this.indents = scratchIndents;
    this.lineStarts = scratchStarts;
    let offset = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      this.lineStarts[i] = offset;
      offset += line.length + 1;
      const at = indentOf(line);
      this.indents[i] = at === line.length || line.charCodeAt(at) === 0x23 ? -1 : at;
    }
  }

  document(): YamlSubsetDocument {
    this.skip();
    if (this.n >= this.lines.length || this.indents[this.n] !== 0) throw OUTSIDE_SUBSET;
    const node = this.mapping(0, -1);
    const value = this.collection as Record<string, unknown>;
    this.skip();
    if (this.n < this.lines.length) throw OUTSIDE_SUBSET;
    return { value, node };
  }

  /** The plain value of a node just read (before anything else is read). */
  private plainValue(node: SourceNode): unknown {
    return node.kind === 'scalar' ? node.value : this.collection;
  }

  /** Offset of column `column` of line `n`. */
  private offset(n: number, column: number): number {
    return this.lineStarts[n] + column;
  }

  /** Offset just past line `n`'s newline (the end of the text on its last line). */
  private lineEnd(n: number): number {
    return Math.min(this.lineStarts[n] + this.lines[n].length + 1, this.textLength);
  }

  /** The value read last ended with line `n` (`yaml`'s end: past its newline). */
  private endValueWith(n: number): void {
    this.valueEnd = this.lineEnd(n);
    this.valueLine = n;
  }

  /**
   * A collection at column `indent` has ended: `yaml` stretches its range over comment lines after its
   * last value that are indented past `indent`, so those records take the `yaml` pass.
   */
  private endCollection(indent: number): void {
    for (let k = this.valueLine + 1; k < this.n; k++) {
      const hash = this.lines[k].indexOf('#');
      if (hash > indent) throw OUTSIDE_SUBSET;
    }
  }

  private skip(): void {
    while (this.n < this.lines.length && this.indents[this.n] < 0) this.n++;
  }

  /**
   * A block mapping whose keys sit at column `indent`. With `firstAt` ≥ 0 its first key is on the
   * current line at that column (the `- key: value` of a sequence item).
   */
  private mapping(indent: number, firstAt: number): SourceNode {
    const value: Record<string, unknown> = {};
    const pairs: SourcePair[] = [];
    let first = firstAt >= 0;
    let start = -1;
    for (;;) {
      if (!first) {
        this.skip();
        if (this.n >= this.lines.length) break;
        const at = this.indents[this.n];
        if (at < indent) break;
        if (at > indent) throw OUTSIDE_SUBSET;
        // A sequence at the mapping's own indent ends it (it belonged to the key before).
        if (this.lines[this.n].charCodeAt(at) === 0x2d) break;
      }
      first = false;
      const line = this.lines[this.n];
      const colon = simpleKeyEnd(line, indent);
      if (colon < 0) throw OUTSIDE_SUBSET;
      const key = sharedKey(line, indent, colon);
      if (isSpecialKey(key) || hasKey(pairs, key)) throw OUTSIDE_SUBSET;
      const keyStart = this.offset(this.n, indent);
      if (start < 0) start = keyStart;
      const keyNode = scalarNode(key, key, keyStart, keyStart + colon - indent);
      const node = this.valueAfterKey(line, colon + 1, indent);
      value[key] = this.plainValue(node);
      pairs.push({ key, keyNode, value: node });
    }
    this.endCollection(indent);
    this.collection = value;
    return mapNode(pairs, start, this.valueEnd);
  }

  /** The value of a `key:` on line `n` whose text starts at `from`; moves past every line the value takes. */
  private valueAfterKey(line: string, from: number, keyIndent: number): SourceNode {
    let at = from;
    while (at < line.length && line.charCodeAt(at) === SPACE) at++;
    // Nothing, or only a comment, after the key: the value is on the lines below (or null).
    if (at >= line.length || (at > from && line.charCodeAt(at) === 0x23)) {
      const keyLine = this.n;
      this.n++;
      this.skip();
      if (this.n < this.lines.length) {
        const next = this.lines[this.n];
        const nextAt = this.indents[this.n];
        const isItem = next.charCodeAt(nextAt) === 0x2d && (nextAt + 1 === next.length || next.charCodeAt(nextAt + 1) === SPACE);
        if (nextAt > keyIndent) return isItem ? this.sequence(nextAt) : this.mapping(nextAt, -1);
        if (nextAt === keyIndent && isItem) return this.sequence(nextAt);
      }
      // `yaml` ends the collection an empty value closes at that value, or, when comments follow it, somewhere
      // in them (past blank lines, into the next line's indent): such records take the `yaml` pass.
      if (at < line.length) throw OUTSIDE_SUBSET;
      for (let k = keyLine + 1; k < this.n; k++) if (this.lines[k].indexOf('#') !== -1) throw OUTSIDE_SUBSET;
      const empty = this.offset(keyLine, at);
      this.valueEnd = empty;
      this.valueLine = keyLine;
      return scalarNode(null, '', empty, empty);
    }
    if (line.charCodeAt(at) === 0x7c || line.charCodeAt(at) === 0x3e) return this.blockScalar(line, at, keyIndent);
    const node = this.inlineValue(line, at);
    this.endValueWith(this.n);
    this.n++;
    this.noContinuation(keyIndent);
    return node;
  }

  /** A one-line value may not go on on more-indented lines (a multi-line scalar, or an error). */
  private noContinuation(indent: number): void {
    let k = this.n;
    while (k < this.lines.length && this.indents[k] < 0) k++;
    if (k < this.lines.length && this.indents[k] > indent) throw OUTSIDE_SUBSET;
  }

  /** A block sequence whose `- ` markers sit at column `indent`. */
  private sequence(indent: number): SourceNode {
    const value: unknown[] = [];
    const items: SourceNode[] = [];
    let start = -1;
    for (;;) {
      this.skip();
      if (this.n >= this.lines.length) break;
      const line = this.lines[this.n];
      const at = this.indents[this.n];
      if (at < indent) break;
      if (at > indent) throw OUTSIDE_SUBSET;
      if (line.charCodeAt(at) !== 0x2d) break;
      // Exactly `- ` then content: other spacings and empty items take js-yaml.
      if (line.charCodeAt(at + 1) !== SPACE || at + 2 >= line.length || line.charCodeAt(at + 2) === SPACE) throw OUTSIDE_SUBSET;
      if (start < 0) start = this.offset(this.n, at);
      const contentAt = at + 2;
      let node: SourceNode;
      if (simpleKeyEnd(line, contentAt) >= 0) node = this.mapping(contentAt, contentAt);
      else {
        const c = line.charCodeAt(contentAt);
        if (c === 0x7c || c === 0x2d) throw OUTSIDE_SUBSET;
        node = this.inlineValue(line, contentAt);
        this.endValueWith(this.n);
        this.n++;
        this.noContinuation(indent);
      }
      value.push(this.plainValue(node));
      items.push(node);
    }
    this.endCollection(indent);
    this.collection = value;
    return seqNode(items, start, this.valueEnd);
  }

  /** A scalar or flow collection starting at `at` and ending on the same line. */
  private inlineValue(line: string, at: number): SourceNode {
    const c = line.charCodeAt(at);
    if (c === 0x22) return this.doubleQuoted(line, at);
    if (c === 0x27) return this.singleQuoted(line, at);
    if (c === 0x5b) return this.flowSequence(line, at);
    if (c === 0x7b) return this.flowMapping(line, at);
    return this.plainBlockScalar(line, at);
  }

  /** A plain scalar in block context: up to a ` #` comment, trailing spaces dropped. */
  private plainBlockScalar(line: string, at: number): SourceNode {
    const c = line.charCodeAt(at);
    // Indicators that start something else: anchors, aliases, tags, block scalars, directives, reserved.
    if (c === 0x23 || c === 0x26 || c === 0x2a || c === 0x21 || c === 0x7c || c === 0x3e || c === 0x25 || c === 0x40 || c === 0x60
      || c === 0x2c || c === 0x5d || c === 0x7d) {
      throw OUTSIDE_SUBSET;
    }
    if ((c === 0x2d || c === 0x3f || c === 0x3a) && (at + 1 >= line.length || line.charCodeAt(at + 1) === SPACE)) throw OUTSIDE_SUBSET;
    // Where a ` #` comment starts, and whether `: ` comes before it, by native searches for the single
    // characters (most values hold neither).
    let limit = line.indexOf('#', at + 1);
    while (limit !== -1 && line.charCodeAt(limit - 1) !== SPACE) limit = line.indexOf('#', limit + 1);
    let end = limit === -1 ? line.length : limit - 1;
    if (limit === -1) limit = line.length;
    let colonSpace = false;
    let hasColon = false;
    for (let colon = line.indexOf(':', at + 1); colon !== -1 && colon < limit; colon = line.indexOf(':', colon + 1)) {
      hasColon = true;
      if (line.charCodeAt(colon + 1) === SPACE) {
        colonSpace = true;
        break;
      }
    }
    while (end > at && line.charCodeAt(end - 1) === SPACE) end--;
    // `: ` (or a final `:`) inside would be a mapping, or an error.
    if (colonSpace || line.charCodeAt(end - 1) === 0x3a) throw OUTSIDE_SUBSET;
    const from = this.offset(this.n, at);
    return resolvePlain(line.slice(at, end), this.types, from, from + end - at, hasColon);
  }

  private doubleQuoted(line: string, at: number): SourceNode {
    let text = '';
    let from = at + 1;
    for (let i = from; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (c === 0x22) {
        text += line.slice(from, i);
        if (!isValueTail(line.slice(i + 1))) throw OUTSIDE_SUBSET;
        return scalarNode(text, text, this.offset(this.n, at), this.offset(this.n, i + 1));
      }
      if (c === 0x5c) {
        const e = line.charCodeAt(i + 1);
        const escaped = e === 0x22 ? '"' : e === 0x5c ? '\\' : e === 0x2f ? '/' : e === 0x6e ? '\n' : e === 0x74 ? '\t' : undefined;
        if (escaped === undefined) throw OUTSIDE_SUBSET;
        text += line.slice(from, i) + escaped;
        i++;
        from = i + 1;
      }
    }
    throw OUTSIDE_SUBSET; // continues on the next line
  }

  private singleQuoted(line: string, at: number): SourceNode {
    let text = '';
    let from = at + 1;
    for (let i = from; i < line.length; i++) {
      if (line.charCodeAt(i) !== 0x27) continue;
      if (line.charCodeAt(i + 1) === 0x27) {
        text += line.slice(from, i + 1);
        i++;
        from = i + 1;
        continue;
      }
      text += line.slice(from, i);
      if (!isValueTail(line.slice(i + 1))) throw OUTSIDE_SUBSET;
      return scalarNode(text, text, this.offset(this.n, at), this.offset(this.n, i + 1));
    }
    throw OUTSIDE_SUBSET;
  }

  /** A plain scalar inside a one-line flow collection: line[from, to), spaces around it dropped. */
  private flowPlain(line: string, from: number, to: number): SourceNode {
    // Only spaces separate flow items; other white space is content.
    let start = from;
    let end = to;
    while (start < end && line.charCodeAt(start) === SPACE) start++;
    while (end > start && line.charCodeAt(end - 1) === SPACE) end--;
    const text = line.slice(start, end);
    if (text === '' || FLOW_SPECIAL.test(text) || FLOW_INDICATOR_START.test(text) || text.indexOf(': ') !== -1 || text.charCodeAt(text.length - 1) === 0x3a) {
      throw OUTSIDE_SUBSET;
    }
    return resolvePlain(text, this.types, this.offset(this.n, start), this.offset(this.n, end), false);
  }

  private flowSequence(line: string, at: number): SourceNode {
    const close = line.indexOf(']', at);
    if (close === -1 || !isValueTail(line.slice(close + 1))) throw OUTSIDE_SUBSET;
    const value: unknown[] = [];
    const items: SourceNode[] = [];
    if (indentOf(line.slice(at + 1, close)) !== close - at - 1) {
      for (let from = at + 1; from <= close; ) {
        let comma = line.indexOf(',', from);
        if (comma === -1 || comma > close) comma = close;
        const node = this.flowPlain(line, from, comma);
        value.push(node.value);
        items.push(node);
        from = comma + 1;
      }
    }
    this.collection = value;
    return seqNode(items, this.offset(this.n, at), this.offset(this.n, close + 1));
  }

  private flowMapping(line: string, at: number): SourceNode {
    const value: Record<string, unknown> = {};
    const pairs: SourcePair[] = [];
    let i = at + 1;
    for (;;) {
      while (line.charCodeAt(i) === SPACE) i++;
      if (line.charCodeAt(i) === 0x7d && pairs.length === 0) break;
      const colon = line.indexOf(': ', i);
      if (colon === -1) throw OUTSIDE_SUBSET;
      const key = line.slice(i, colon);
      if (!SIMPLE_KEY.test(key) || key === '__proto__' || NON_STRING_KEYS.has(key) || Object.prototype.hasOwnProperty.call(value, key)) {
        throw OUTSIDE_SUBSET;
      }
      const keyNode = scalarNode(key, key, this.offset(this.n, i), this.offset(this.n, colon));
      i = colon + 2;
      while (line.charCodeAt(i) === SPACE) i++;
      let node: SourceNode;
      if (line.charCodeAt(i) === 0x22) {
        const end = line.indexOf('"', i + 1);
        if (end === -1) throw OUTSIDE_SUBSET;
        const text = line.slice(i + 1, end);
        if (text.indexOf('\\') !== -1) throw OUTSIDE_SUBSET;
        node = scalarNode(text, text, this.offset(this.n, i), this.offset(this.n, end + 1));
        i = end + 1;
        while (line.charCodeAt(i) === SPACE) i++;
      } else {
        let end = i;
        while (end < line.length && line.charCodeAt(end) !== 0x2c && line.charCodeAt(end) !== 0x7d) end++;
        node = this.flowPlain(line, i, end);
        i = end;
      }
      value[key] = node.value;
      pairs.push({ key, keyNode, value: node });
      const c = line.charCodeAt(i);
      if (c === 0x2c) {
        i++;
        continue;
      }
      if (c === 0x7d) break;
      throw OUTSIDE_SUBSET;
    }
    if (!isValueTail(line.slice(i + 1))) throw OUTSIDE_SUBSET;
    this.collection = value;
    return mapNode(pairs, this.offset(this.n, at), this.offset(this.n, i + 1));
  }

  /** A `|`, `|-`, `>` or `>-` block scalar after a key at `keyIndent` (js-yaml's readBlockScalar). */
  private blockScalar(line: string, at: number, keyIndent: number): SourceNode {
    const folded = line.charCodeAt(at) === 0x3e;
    const header = line.slice(at + 1);
    const strip = header.charCodeAt(0) === 0x2d;
    if (!isValueTail(strip ? header.slice(1) : header) || (header.length > 0 && !strip && header.charCodeAt(0) !== SPACE)) throw OUTSIDE_SUBSET;
    const { lines } = this;
    let k = this.n + 1;
    if (k >= lines.length) throw OUTSIDE_SUBSET;
    const textIndent = indentOf(lines[k]);
    // Leading blank lines, and a body not indented past the key, take js-yaml.
    if (textIndent === lines[k].length || textIndent <= keyIndent) throw OUTSIDE_SUBSET;
    let text = '';
    let emptyLines = 0;
    let didRead = false;
    let atMoreIndented = false;
    let lastContent = k;
    for (; k < lines.length; k++) {
      const body = lines[k];
      const indent = indentOf(body);
      if (indent === body.length) {
        if (indent > textIndent) throw OUTSIDE_SUBSET; // spaces past the indent would be content
        emptyLines++;
        continue;
      }
      if (indent < textIndent) break;
      if (!folded) text += '\n'.repeat(didRead ? 1 + emptyLines : emptyLines);
      else if (indent > textIndent) {
        // More-indented lines are kept as they are, not folded.
        atMoreIndented = true;
        text += '\n'.repeat(didRead ? 1 + emptyLines : emptyLines);
      } else if (atMoreIndented) {
        atMoreIndented = false;
        text += '\n'.repeat(emptyLines + 1);
      } else if (emptyLines === 0) {
        if (didRead) text += ' ';
      } else text += '\n'.repeat(emptyLines);
      text += body.slice(textIndent);
      didRead = true;
      emptyLines = 0;
      lastContent = k;
    }
    // At the end of the document js-yaml's chomping differs subtly; leave that case to it.
    if (k >= lines.length) throw OUTSIDE_SUBSET;
    if (!strip) text += '\n';
    const start = this.offset(this.n, at);
    this.endValueWith(lastContent);
    this.n = k;
    return scalarNode(text, text, start, this.valueEnd);
  }
}

/**
 * The record `text` (already split into `lines`) holds, when it is within the subset; `undefined`
 * otherwise (the caller then uses js-yaml).
 */
export function readYamlSubset(text: string, lines: readonly string[]): YamlSubsetDocument | undefined {
  if (IMPLICIT_TYPES === undefined) return undefined;
  if (text.indexOf('\t') !== -1 || text.indexOf('\r') !== -1) return undefined;
  if (NOT_PLAIN_ASCII.test(text) && NON_PRINTABLE.test(text)) return undefined;
  try {
    return new SubsetReader(lines, text.length, IMPLICIT_TYPES).document();
  } catch (err) {
    if (err === OUTSIDE_SUBSET) return undefined;
    throw err;
  }
}
