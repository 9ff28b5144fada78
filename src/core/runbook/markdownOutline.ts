/**
 * A hand-written scanner for the block structure runbooks need — headings, code blocks and the list
 * items around them — that gives exactly what markdown-it's CommonMark block parser gives for the
 * Markdown real runbooks are written in, several times faster (README, Performance). Whenever a document holds
 * anything whose block structure it does not reproduce exactly (nested lists, tabs, quotes or HTML in
 * list items, link reference definitions, unclosed fences, fences inside HTML blocks…), it returns
 * `undefined` and the caller parses the document with markdown-it instead.
 * One file on purpose (~570 lines): one scanner whose block rules share the container stack.
 * `test/unit/indexEquivalence.test.ts` compares both on generated and adversarial documents.
 */

export interface OutlineHeading {
  kind: 'heading';
  level: number;
  /** The heading's inline source, as markdown-it's inline token holds it. */
  content: string;
  /** 0-based line in the scanned lines. */
  line: number;
}

export interface OutlineFence {
  kind: 'fence';
  /** The opening fence characters (``` or ~~~, possibly longer). */
  markup: string;
  /** Everything after the opening fence characters, untrimmed. */
  info: string;
  content: string;
  /** `content` split into its lines (without the final newline): the step's shell parsing reads these instead of splitting again. */
  bodyLines: string[];
  /** 0-based line of the opening fence. */
  start: number;
  /** 0-based line of the closing fence. */
  end: number;
  /** The first paragraph or heading of the list item the fence is in (the same string for every fence of that item). */
  listItemContent?: string;
}

/** An indented code block (4+ spaces) at the top level. */
export interface OutlineIndentedCode {
  kind: 'code';
  content: string;
  start: number;
  /** 0-based last line of the block. */
  end: number;
}

export type OutlineEvent = OutlineHeading | OutlineFence | OutlineIndentedCode;

const SPACE = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const BACKTICK = 0x60;
const TILDE = 0x7e;
const GREATER = 0x3e;
const LESS = 0x3c;
const BRACKET = 0x5b;
const STAR = 0x2a;
const DASH = 0x2d;
const PLUS = 0x2b;
const UNDERSCORE = 0x5f;
const EQUALS = 0x3d;
const DOT = 0x2e;
const PAREN = 0x29;

/** CommonMark's block-level tag names (markdown-it's common/html_blocks). */
const HTML_BLOCK_NAMES = [
  'address', 'article', 'aside', 'base', 'basefont', 'blockquote', 'body', 'caption', 'center', 'col', 'colgroup', 'dd',
  'details', 'dialog', 'dir', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'frame', 'frameset',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'head', 'header', 'hr', 'html', 'iframe', 'legend', 'li', 'link', 'main', 'menu',
  'menuitem', 'nav', 'noframes', 'ol', 'optgroup', 'option', 'p', 'param', 'search', 'section', 'summary', 'table', 'tbody',
  'td', 'tfoot', 'th', 'thead', 'title', 'tr', 'track', 'ul',
];
/**
 * markdown-it's open/close tag pattern with ASCII white space (`[\t-\r ]`) where it has `\s`: with
 * `\s`, an unquoted attribute value and the white space after it can both take U+00A0 and the like,
 * which backtracks polynomially. Lines holding non-ASCII characters take the full parser instead.
 */
const WS = '[\\t-\\r ]';
const ATTRIBUTE = `(?:${WS}+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:${WS}*=${WS}*(?:[^"'=<>\`\\x00-\\x20]+|'[^']*'|"[^"]*"))?)`;
const OPEN_CLOSE_TAG = `^(?:<[A-Za-z][A-Za-z0-9\\-]*${ATTRIBUTE}*${WS}*\\/?>|<\\/[A-Za-z][A-Za-z0-9\\-]*${WS}*>)`;
// eslint-disable-next-line no-control-regex -- every ASCII character
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * markdown-it's HTML block kinds: how one opens, how it closes, whether it may interrupt a paragraph,
 * and whether it is raw: a comment, `<pre>`, `<script>`… runs to an explicit end marker and nothing in
 * it is Markdown, so a fence written there (a commented-out step) is neither a block nor a broken one.
 */
const HTML_BLOCKS: readonly { open: RegExp; close: RegExp; interruptsParagraph: boolean; raw: boolean }[] = [
  { open: /^<(script|pre|style|textarea)(?=(\s|>|$))/i, close: /<\/(script|pre|style|textarea)>/i, interruptsParagraph: true, raw: true },
  { open: /^<!--/, close: /-->/, interruptsParagraph: true, raw: true },
  { open: /^<\?/, close: /\?>/, interruptsParagraph: true, raw: true },
  { open: /^<![A-Za-z]/, close: />/, interruptsParagraph: true, raw: true },
  { open: /^<!\[CDATA\[/, close: /\]\]>/, interruptsParagraph: true, raw: true },
  { open: new RegExp(`^</?(${HTML_BLOCK_NAMES.join('|')})(?=(\\s|/?>|$))`, 'i'), close: /^$/, interruptsParagraph: true, raw: false },
  { open: new RegExp(`${OPEN_CLOSE_TAG}${WS}*$`), close: /^$/, interruptsParagraph: false, raw: false },
];

/** Whether an HTML block (markdown-it's `html_block` content) is raw text to its end marker; see HTML_BLOCKS. */
export function isRawHtmlBlock(content: string): boolean {
  const text = content.trimStart();
  return HTML_BLOCKS.some((kind) => kind.raw && kind.open.test(text));
}

/**
 * What scanBlocks re-reads inside an HTML block; such blocks take the full parser. The white space
 * before the fence stays on its line (`[\s>]*` would run on across blank lines from every line start).
 */
export const FENCE_IN_HTML = /^(?:[^\S\n\r\u2028\u2029]|>)*(?:`{3,}|~{3,})/m;

function htmlBlockKind(text: string): (typeof HTML_BLOCKS)[number] | undefined {
  const openCloseTag = HTML_BLOCKS[HTML_BLOCKS.length - 1];
  for (const kind of HTML_BLOCKS) {
    // The open/close tag pattern reads ASCII white space only; markdown-it decides for other lines.
    if (kind === openCloseTag && NON_ASCII.test(text)) throw NEEDS_FULL_PARSER;
    if (kind.open.test(text)) return kind;
  }
  return undefined;
}

/** Thrown inside the scanner when the document needs markdown-it; caught once at the top. */
class NeedsFullParser extends Error {}
const NEEDS_FULL_PARSER = new NeedsFullParser();

function isSpace(code: number): boolean {
  return code === SPACE || code === TAB;
}

function isAsciiTrimmable(code: number): boolean {
  return code === SPACE || code === TAB || code === 0x0a || code === 0x0d;
}

/** markdown-it's `asciiTrim`: unicode spaces are content. */
function asciiTrim(text: string): string {
  let start = 0;
  while (start < text.length && isAsciiTrimmable(text.charCodeAt(start))) start++;
  let end = text.length - 1;
  while (end >= start && isAsciiTrimmable(text.charCodeAt(end))) end--;
  return start === 0 && end === text.length - 1 ? text : text.slice(start, end + 1);
}

/** Leading spaces of a line outside code; tabs anywhere in it need markdown-it's column arithmetic. */
function indentOf(line: string): number {
  if (line.indexOf('\t') !== -1) throw NEEDS_FULL_PARSER;
  let n = 0;
  while (n < line.length && line.charCodeAt(n) === SPACE) n++;
  return n;
}

/** Length of the ``` / ~~~ run opening a fence at `at`, or 0 when the line does not open one. */
function fenceOpening(line: string, at: number): number {
  const marker = line.charCodeAt(at);
  if (marker !== BACKTICK && marker !== TILDE) return 0;
  let end = at;
  while (end < line.length && line.charCodeAt(end) === marker) end++;
  if (end - at < 3) return 0;
  if (marker === BACKTICK && line.indexOf('`', end) !== -1) return 0;
  return end - at;
}

function isThematicBreak(line: string, at: number): boolean {
  const marker = line.charCodeAt(at);
  if (marker !== STAR && marker !== DASH && marker !== UNDERSCORE) return false;
  let count = 0;
  for (let i = at; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === marker) count++;
    else if (!isSpace(c)) return false;
  }
  return count >= 3;
}

/** A setext underline (`===` or `---`, trailing spaces allowed). */
function isSetextUnderline(line: string, at: number): boolean {
  const marker = line.charCodeAt(at);
  if (marker !== DASH && marker !== EQUALS) return false;
  let i = at;
  while (i < line.length && line.charCodeAt(i) === marker) i++;
  while (i < line.length && isSpace(line.charCodeAt(i))) i++;
  return i >= line.length;
}

interface ListMarker {
  ordered: boolean;
  /** `-`, `*`, `+`, `.` or `)`: a list ends where this changes. */
  delimiter: number;
  /** 1 for bullets; the number for ordered items. */
  value: number;
  /** Offset just after the marker. */
  after: number;
}

function listMarker(line: string, at: number): ListMarker | undefined {
  const first = line.charCodeAt(at);
  if (first === STAR || first === DASH || first === PLUS) {
    if (at + 1 < line.length && !isSpace(line.charCodeAt(at + 1))) return undefined;
    return { ordered: false, delimiter: first, value: 1, after: at + 1 };
  }
  if (first < 0x30 || first > 0x39 || at + 1 >= line.length) return undefined;
  let pos = at + 1;
  for (;;) {
    if (pos >= line.length) return undefined;
    const c = line.charCodeAt(pos++);
    if (c >= 0x30 && c <= 0x39) {
      if (pos - at >= 10) return undefined;
      continue;
    }
    if (c === PAREN || c === DOT) {
      if (pos < line.length && !isSpace(line.charCodeAt(pos))) return undefined;
      return { ordered: true, delimiter: c, value: Number(line.slice(at, pos - 1)), after: pos };
    }
    return undefined;
  }
}

/** Content of an ATX heading at `at`, or undefined when the line is not one. */
function atxHeading(line: string, at: number): { level: number; content: string } | undefined {
  if (line.charCodeAt(at) !== HASH) return undefined;
  let pos = at + 1;
  let level = 1;
  while (pos < line.length && line.charCodeAt(pos) === HASH && level <= 6) {
    level++;
    pos++;
  }
  if (level > 6 || (pos < line.length && !isSpace(line.charCodeAt(pos)))) return undefined;
  let max = line.length;
  while (max > pos && isSpace(line.charCodeAt(max - 1))) max--;
  let hashes = max;
  while (hashes > pos && line.charCodeAt(hashes - 1) === HASH) hashes--;
  if (hashes > pos && isSpace(line.charCodeAt(hashes - 1))) max = hashes;
  return { level, content: asciiTrim(line.slice(pos, max)) };
}

/**
 * A block starting `[` may be a link reference definition, which markdown-it consumes without a
 * paragraph; those (and anything that might be one) need the full parser.
 */
function mayBeReferenceDefinition(line: string, at: number): boolean {
  if (line.charCodeAt(at) !== BRACKET) return false;
  const close = line.indexOf(']', at);
  return close === -1 || line.lastIndexOf('\\', close) > at || line.charCodeAt(close + 1) === 0x3a;
}

/** Where a paragraph ends, and the heading level when it ends in a setext underline. */
interface ParagraphEnd {
  /** The line after the paragraph (after its underline, for a setext heading). */
  next: number;
  /** The underline's line, when the paragraph is a setext heading. */
  underline?: number;
  level?: number;
}

class OutlineScanner {
  readonly events: OutlineEvent[] = [];

  constructor(
    private readonly lines: readonly string[],
    private readonly to: number,
  ) {}

  /** The document's top level (markdown-it's root tokenize with blkIndent 0). */
  scanRoot(from: number): void {
    const { lines, to } = this;
    let n = from;
    while (n < to) {
      const line = lines[n];
      const indent = indentOf(line);
      if (indent === line.length) {
        n++;
        continue;
      }
      if (indent >= 4) {
        n = this.scanIndentedCode(n);
        continue;
      }
      const fence = fenceOpening(line, indent);
      if (fence) {
        n = this.scanFence(n, indent, fence, 0, undefined);
        continue;
      }
      const c = line.charCodeAt(indent);
      if (c === GREATER) {
        n = this.skipBlockquote(n);
        continue;
      }
      if (isThematicBreak(line, indent)) {
        n++;
        continue;
      }
      const marker = listMarker(line, indent);
      if (marker) {
        if (indent !== 0) throw NEEDS_FULL_PARSER;
        n = this.scanList(n, marker);
        continue;
      }
      if (mayBeReferenceDefinition(line, indent)) throw NEEDS_FULL_PARSER;
      if (c === LESS) {
        const html = htmlBlockKind(line.slice(indent));
        if (html) {
          n = this.skipHtmlBlock(n, indent, html);
          continue;
        }
      }
      const heading = atxHeading(line, indent);
      if (heading) {
        this.events.push({ kind: 'heading', level: heading.level, content: heading.content, line: n });
        n++;
        continue;
      }
      n = this.scanParagraph(n, 0, -1, indent).next;
    }
  }

  /**
   * A paragraph starting at `start` in a block indented `blockIndent` (markdown-it's lheading and
   * paragraph rules): continuation lines run until a blank line or a block that may interrupt a
   * paragraph; an underline makes it a heading.
   */
  private scanParagraph(start: number, blockIndent: number, listIndent: number, firstAt: number): ParagraphEnd {
    const end = this.paragraphEnd(start, blockIndent, listIndent);
    if (end.underline !== undefined) {
      const content = this.paragraphContent(start, end.underline, blockIndent, firstAt);
      this.events.push({ kind: 'heading', level: end.level!, content, line: start });
    }
    return end;
  }

  private paragraphEnd(start: number, blockIndent: number, listIndent: number): ParagraphEnd {
    const { lines, to } = this;
    let n = start + 1;
    for (; n < to; n++) {
      const line = lines[n];
      const indent = indentOf(line);
      if (indent === line.length) break;
      if (indent - blockIndent > 3) continue; // lazy continuation, whatever it holds
      if (indent >= blockIndent && isSetextUnderline(line, indent)) {
        return { next: n + 1, underline: n, level: line.charCodeAt(indent) === EQUALS ? 1 : 2 };
      }
      if (fenceOpening(line, indent) || isThematicBreak(line, indent)) break;
      const c = line.charCodeAt(indent);
      if (c === GREATER) break;
      const marker = listMarker(line, indent);
      if (marker && !(listIndent >= 0 && indent - listIndent >= 4 && indent < blockIndent)) {
        // Inside the block, only a list starting at 1 with content interrupts; an outdented marker always does.
        if (indent < blockIndent) break;
        let rest = marker.after;
        while (rest < line.length && isSpace(line.charCodeAt(rest))) rest++;
        if ((!marker.ordered || marker.value === 1) && rest < line.length) break;
      }
      if (c === LESS && htmlBlockKind(line.slice(indent))?.interruptsParagraph) break;
      if (atxHeading(line, indent)) break;
    }
    return { next: n };
  }

  /** markdown-it's getLines(start, end, blockIndent) + asciiTrim, the first line starting at `firstAt`. */
  private paragraphContent(start: number, end: number, blockIndent: number, firstAt: number): string {
    const { lines } = this;
    let text = lines[start].slice(firstAt);
    for (let n = start + 1; n < end; n++) {
      const line = lines[n];
      let cut = 0;
      while (cut < blockIndent && line.charCodeAt(cut) === SPACE) cut++;
      text += `\n${cut ? line.slice(cut) : line}`;
    }
    return asciiTrim(text);
  }

  /** A fenced block opening at line `start`; returns the line after its closing fence. */
  private scanFence(start: number, indent: number, run: number, blockIndent: number, listItemContent: string | undefined): number {
    const { lines, to } = this;
    const opening = lines[start];
    const marker = opening.charCodeAt(indent);
    let end = start + 1;
    const bodyLines: string[] = [];
    for (;; end++) {
      if (end >= to) throw NEEDS_FULL_PARSER; // unclosed: the caller's repair logic runs on markdown-it's tokens
      const line = lines[end];
      let spaces = 0;
      while (spaces < line.length && line.charCodeAt(spaces) === SPACE) spaces++;
      if (spaces < line.length && line.charCodeAt(spaces) === TAB) throw NEEDS_FULL_PARSER;
      if (spaces < line.length && spaces < blockIndent) throw NEEDS_FULL_PARSER; // closed by its list item's end
      if (line.charCodeAt(spaces) === marker && spaces - blockIndent < 4) {
        let pos = spaces;
        while (pos < line.length && line.charCodeAt(pos) === marker) pos++;
        if (pos - spaces >= run) {
          while (pos < line.length && isSpace(line.charCodeAt(pos))) pos++;
          if (pos >= line.length) break;
        }
      }
      const cut = spaces < indent ? spaces : indent;
      bodyLines.push(cut ? line.slice(cut) : line);
    }
    // One join instead of a concatenation per line (whose rope every later reader of the text had to flatten).
    const content = bodyLines.length === 0 ? '' : `${bodyLines.join('\n')}\n`;
    const fence: OutlineFence = { kind: 'fence', markup: opening.slice(indent, indent + run), info: opening.slice(indent + run), content, bodyLines, start, end };
    if (listItemContent !== undefined) fence.listItemContent = listItemContent;
    this.events.push(fence);
    return end + 1;
  }

  /** An indented code block at the top level (markdown-it's code rule). */
  private scanIndentedCode(start: number): number {
    const { lines, to } = this;
    let n = start + 1;
    let last = n;
    while (n < to) {
      const line = lines[n];
      const indent = indentOf(line);
      if (indent === line.length) n++;
      else if (indent >= 4) last = ++n;
      else break;
    }
    let content = '';
    for (let i = start; i < last; i++) {
      const line = lines[i];
      let cut = 0;
      while (cut < 4 && line.charCodeAt(cut) === SPACE) cut++;
      content += i + 1 < last ? `${line.slice(cut)}\n` : line.slice(cut);
    }
    this.events.push({ kind: 'code', content: `${content}\n`, start, end: last - 1 });
    return last;
  }

  /** An HTML block at the top level; a non-raw one holding fence lines takes the full parser (scanBlocks re-reads it). */
  private skipHtmlBlock(start: number, indent: number, kind: (typeof HTML_BLOCKS)[number]): number {
    const { lines, to } = this;
    let n = start + 1;
    if (!kind.close.test(lines[start].slice(indent))) {
      for (; n < to; n++) {
        const line = lines[n];
        const text = line.slice(indentOf(line));
        if (kind.close.test(text)) {
          if (text.length !== 0) n++;
          break;
        }
      }
    }
    if (kind.raw) return n;
    let content = '';
    for (let i = start; i < n; i++) content += `${lines[i]}\n`;
    if (FENCE_IN_HTML.test(content)) throw NEEDS_FULL_PARSER;
    return n;
  }

  /** A block quote at the top level holding only paragraphs (anything else needs the full parser). */
  private skipBlockquote(start: number): number {
    const { lines, to } = this;
    let lastLineEmpty = false;
    let n = start;
    for (; n < to; n++) {
      const line = lines[n];
      const indent = indentOf(line);
      if (indent === line.length) break;
      if (line.charCodeAt(indent) === GREATER) {
        let at = indent + 1;
        if (line.charCodeAt(at) === SPACE) at++;
        lastLineEmpty = at >= line.length;
        if (lastLineEmpty) continue;
        const c = line.charCodeAt(at);
        if (
          c === SPACE || c === GREATER || c === LESS || fenceOpening(line, at) || isThematicBreak(line, at) || isSetextUnderline(line, at)
          || listMarker(line, at) || atxHeading(line, at) || mayBeReferenceDefinition(line, at)
        ) {
          throw NEEDS_FULL_PARSER;
        }
        continue;
      }
      if (lastLineEmpty) break;
      if (indent < 4) {
        if (fenceOpening(line, indent) || isThematicBreak(line, indent) || listMarker(line, indent) || atxHeading(line, indent)) break;
        if (line.charCodeAt(indent) === LESS && htmlBlockKind(line.slice(indent))?.interruptsParagraph) break;
      }
      // Otherwise a lazy continuation of the quoted paragraph.
    }
    return n;
  }

  /** A list at the top level whose items hold paragraphs, headings, rules and fences; returns the line after it. */
  private scanList(start: number, first: ListMarker): number {
    const { lines, to } = this;
    let n = start;
    let marker = first;
    for (;;) {
      const line = lines[n];
      let contentAt = marker.after;
      while (contentAt < line.length && line.charCodeAt(contentAt) === SPACE) contentAt++;
      const spacesAfter = contentAt - marker.after;
      if (contentAt >= line.length || spacesAfter > 4) throw NEEDS_FULL_PARSER; // empty item, or code right after the marker
      const blockIndent = contentAt;

      // The item's first block gives its title.
      if (fenceOpening(line, contentAt) || isThematicBreak(line, contentAt) || listMarker(line, contentAt)) throw NEEDS_FULL_PARSER;
      const c = line.charCodeAt(contentAt);
      if (c === GREATER || c === LESS || mayBeReferenceDefinition(line, contentAt)) throw NEEDS_FULL_PARSER;
      let title: string;
      let m: number;
      const heading = atxHeading(line, contentAt);
      if (heading) {
        this.events.push({ kind: 'heading', level: heading.level, content: heading.content, line: n });
        title = heading.content;
        m = n + 1;
      } else {
        const end = this.paragraphEnd(n, blockIndent, 0);
        title = this.paragraphContent(n, end.underline ?? end.next, blockIndent, contentAt);
        if (end.underline !== undefined) this.events.push({ kind: 'heading', level: end.level!, content: title, line: n });
        m = end.next;
      }

      // The rest of the item: blocks indented at least to its content.
      while (m < to) {
        const inner = lines[m];
        const indent = indentOf(inner);
        if (indent === inner.length) {
          m++;
          continue;
        }
        if (indent < blockIndent) break;
        if (indent - blockIndent >= 4) throw NEEDS_FULL_PARSER;
        const fence = fenceOpening(inner, indent);
        if (fence) {
          m = this.scanFence(m, indent, fence, blockIndent, title);
          continue;
        }
        const ch = inner.charCodeAt(indent);
        if (ch === GREATER || ch === LESS || listMarker(inner, indent) || mayBeReferenceDefinition(inner, indent)) throw NEEDS_FULL_PARSER;
        if (isThematicBreak(inner, indent)) {
          m++;
          continue;
        }
        const innerHeading = atxHeading(inner, indent);
        if (innerHeading) {
          this.events.push({ kind: 'heading', level: innerHeading.level, content: innerHeading.content, line: m });
          m++;
          continue;
        }
        m = this.scanParagraph(m, blockIndent, 0, indent).next;
      }

      // Does the list go on with another item of the same kind?
      if (m >= to) return m;
      const next = lines[m];
      const indent = indentOf(next);
      if (indent >= 4 || fenceOpening(next, indent) || next.charCodeAt(indent) === GREATER || isThematicBreak(next, indent)) return m;
      const following = listMarker(next, indent);
      if (!following || following.ordered !== marker.ordered || following.delimiter !== marker.delimiter) return m;
      if (indent !== 0) throw NEEDS_FULL_PARSER;
      n = m;
      marker = following;
    }
  }
}

/**
 * Headings and fenced blocks of lines[from, to), in document order, exactly as markdown-it's
 * CommonMark block parser finds them; `undefined` when the document needs markdown-it itself.
 */
export function scanMarkdownOutline(lines: readonly string[], from: number, to: number): OutlineEvent[] | undefined {
  const scanner = new OutlineScanner(lines, to);
  try {
    scanner.scanRoot(from);
  } catch (err) {
    if (err === NEEDS_FULL_PARSER) return undefined;
    throw err;
  }
  return scanner.events;
}
