// One file on purpose (~900 lines): the block walk over markdown-it tokens, step titles, ids and the
// fence diagnostics share one pass's state; its parts (front matter, outline scanner, placeholders,
// transcripts, runnability) already live beside it in src/core/runbook/.
import MarkdownIt from 'markdown-it';
import type Token from 'markdown-it/lib/token.mjs';
import { decodeFileText, type Problem } from '../text/fileText';
import { parseFrontMatter, type RunbookMetadata } from './frontMatter';
import { FENCE_IN_HTML, isRawHtmlBlock, scanMarkdownOutline } from './markdownOutline';
import { findMergeConflicts } from '../text/mergeConflicts';
import { findExportPrompts, findPlaceholdersAndAssignments, promptEnvMode, type Placeholder } from './placeholders';
import { extractShellCommands, type BlockShape } from './shellTranscript';

export interface RunbookHeading {
  level: number;
  text: string;
  /** 1-based. */
  line: number;
  slug: string;
}

export type StepAttributes = Record<string, string | boolean>;

export interface RunbookStep {
  /** Stable within the file: the `name` attribute exactly as written, else the section's slug; `-2`, `-3`… for repeats. */
  id: string;
  /** The list item that holds the block, else its section heading. */
  title: string;
  /** Nearest preceding heading (or the runbook title before the first heading). */
  section: string;
  /** Lower-cased language from the info string; '' when there is none. */
  language: string;
  attributes: StepAttributes;
  /** 1-based line of the opening fence (or first line of an indented block). */
  startLine: number;
  /** 1-based last line of the block, closing fence included. */
  endLine: number;
  fenced: boolean;
  shape: BlockShape;
  runnable: boolean;
  /** The language was inferred from prompts, not declared: running needs a confirmation that shows the command. */
  languageGuessed: boolean;
  /** Marked `confirm` in its attributes. */
  confirm: boolean;
  /** Marked `excludeFromRunAll` (Runme's attribute): runs on its own, never as part of Run all or Run from here. */
  excludeFromRunAll: boolean;
  /**
   * The program that runs the block's text, for a script language (`python3` for python) or an
   * `interpreter` attribute; its one command feeds the text to it on standard input. It runs only
   * where that program is installed (checked when the step is offered, {@link confirmStepsWithShellParser}).
   */
  interpreter?: string;
  /** Why the step cannot be run, when it cannot. */
  reason?: string;
  /** What a shell runs: prompts stripped, output dropped, continuations and heredocs kept whole. */
  commands: string[];
  placeholders: Placeholder[];
  /** The block's text as written, for Copy. */
  content: string;
}

export interface Runbook extends RunbookMetadata {
  path: string;
  title: string;
  /** 1-based line of the heading the title came from (1 when it came from front matter or the file name). */
  titleLine: number;
  headings: RunbookHeading[];
  steps: RunbookStep[];
  problems: Problem[];
  /** Alert-like names the text mentions that front matter does not list (see {@link alertMentions}). */
  alertMentions?: string[];
  /** Runme's document-level `cwd`, relative to the runbook's folder: where its steps run unless they say otherwise. */
  notebookCwd?: string;
}

export const RUNNABLE_LANGUAGES: ReadonlySet<string> = new Set([
  // `shellscript` is VS Code's own id for shell; `ksh` runs in the terminal's shell like `sh` (as in Runme).
  'sh', 'bash', 'shell', 'shellscript', 'ksh', 'zsh', 'console', 'shell-session', 'shellsession', 'terminal', 'pwsh', 'powershell', 'ps1',
]);

/** Language ids seen in runbooks; an unknown first word followed by more words is a command in the language slot. */
const KNOWN_LANGUAGES: ReadonlySet<string> = new Set([
  ...RUNNABLE_LANGUAGES, 'ksh', 'fish', 'text', 'txt', 'plaintext', 'plain', 'output', 'log', 'yaml', 'yml', 'json', 'jsonc',
  'json5', 'toml', 'ini', 'xml', 'html', 'css', 'sql', 'psql', 'mysql', 'promql', 'logql', 'traceql', 'go', 'golang', 'python',
  'py', 'ruby', 'rb', 'js', 'javascript', 'ts', 'typescript', 'java', 'kotlin', 'c', 'cpp', 'csharp', 'cs', 'rust', 'rs', 'php',
  'hcl', 'terraform', 'tf', 'diff', 'patch', 'dockerfile', 'docker', 'makefile', 'make', 'nginx', 'apache', 'conf', 'properties',
  'env', 'dotenv', 'markdown', 'md', 'mermaid', 'graphql', 'lua', 'perl', 'r', 'scala', 'swift', 'groovy', 'jinja', 'j2',
  'cypher', 'kql', 'splunk', 'spl', 'csv', 'tsv', 'http', 'rego', 'cue', 'jq', 'awk', 'sed', 'vim', 'none', 'nohighlight',
]);

const markdown = new MarkdownIt('commonmark', { html: true });
// Steps and headings are block-level; inline parsing is most of markdown-it's cost and we never need it.
markdown.core.ruler.disable(['inline', 'text_join']);

/** Text the ASCII fast path of {@link slugify} handles. */
// eslint-disable-next-line no-control-regex -- every ASCII character, control characters included
const ASCII_ONLY = /^[\x00-\x7f]*$/;

export function slugify(text: string): string {
  if (ASCII_ONLY.test(text)) {
    // The ASCII case of the general path below: letters and digits kept, every other run becomes one
    // dash. The runs are sliced and joined: appending a character at a time left a chain of one string
    // per character (over a kilobyte per heading slug, kept in the index).
    const lower = text.toLowerCase();
    const words: string[] = [];
    let wordStart = -1;
    for (let i = 0; i < lower.length; i++) {
      const c = lower.charCodeAt(i);
      if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) {
        if (wordStart < 0) wordStart = i;
        continue;
      }
      if (wordStart >= 0) words.push(lower.slice(wordStart, i));
      wordStart = -1;
    }
    if (wordStart === 0) return lower;
    if (wordStart > 0) words.push(lower.slice(wordStart));
    return words.join('-');
  }
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    // At most one dash at each end once runs are collapsed: no `-+$`, which retries from every dash.
    .replace(/^-|-$/g, '');
}

/** Characters the markup rules of {@link plainText} need; text without them is only whitespace-normalised. */
const UNNORMALISED_SPACE = /\s\s|[^\S ]/;
const HAS_MARKUP = 1;
const HAS_OTHER_SPACE = 2;

/**
 * In one pass over a heading or list item (instead of two regex tests): whether it holds one of
 * [ < ` * _ (HAS_MARKUP), and whether it may hold white space other than single spaces (HAS_OTHER_SPACE;
 * any non-ASCII character counts, and the UNNORMALISED_SPACE regex then decides).
 */
function inlineTraits(text: string): number {
  let traits = 0;
  let previousSpace = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20) {
      if (previousSpace) traits |= HAS_OTHER_SPACE;
      previousSpace = true;
      continue;
    }
    previousSpace = false;
    if (c === 0x5b || c === 0x3c || c === 0x60 || c === 0x2a || c === 0x5f) traits |= HAS_MARKUP;
    else if (c < 0x20 || c > 0x7e) traits |= HAS_OTHER_SPACE;
  }
  return traits;
}

/**
 * Markup rules read this much of a heading or list item. The link, tag and emphasis patterns scan ahead
 * for their closing character from every opening one, so their cost grows with the square of the
 * length: a 1 MB heading of `[` and `*` took minutes. Longer text is prose, not a title.
 */
const INLINE_LIMIT = 1000;

/** Heading or list-item source as plain text: links, code spans, emphasis and tags reduced to their words. */
export function plainText(source: string): string {
  const inline = source.length > INLINE_LIMIT ? source.slice(0, INLINE_LIMIT) : source;
  const traits = inlineTraits(inline);
  if ((traits & HAS_MARKUP) === 0) return ((traits & HAS_OTHER_SPACE) !== 0 && UNNORMALISED_SPACE.test(inline) ? inline.replace(/\s+/g, ' ') : inline).trim();
  // Each rule needs its character in the text as it is at that point; a rule whose character is absent
  // would replace nothing, so it is skipped (most titles hold one kind of markup, usually a code span).
  let text = inline;
  if (text.indexOf('[') !== -1) text = text.replace(/!?\[([^[\]]*)\]\([^()]*\)/g, '$1');
  if (text.indexOf('<') !== -1) text = text.replace(/<[^<>]+>/g, '');
  if (text.indexOf('`') !== -1) text = text.replace(/(?<!`)`+([^`]*)`+/g, '$1');
  const star = text.indexOf('*') !== -1;
  if (star || text.indexOf('_') !== -1) text = text.replace(/(\*\*|__)(.+?)\1/g, '$2');
  if (star) text = text.replace(/(^|[^\w*])\*(\S(?:.*?\S)?)\*(?=[^\w*]|$)/g, '$1$2');
  return (UNNORMALISED_SPACE.test(text) ? text.replace(/\s+/g, ' ') : text).trim();
}

const TITLE_LIMIT = 80;

/**
 * Where the first sentence of `inline` ends (just past its `.:;!?`, which is followed by white space or
 * the end) when nothing before it is markup or non-ASCII; -1 otherwise. plainText of that prefix then
 * gives the same first sentence as plainText of the whole paragraph, at a fraction of the cost (list
 * items are often several lines of prose with markup further on).
 */
function plainFirstSentenceEnd(inline: string): number {
  let firstWord = -1;
  for (let i = 0; i < inline.length && i < INLINE_LIMIT; i++) {
    const c = inline.charCodeAt(i);
    if (c > 0x7e || c === 0x5b || c === 0x3c || c === 0x60 || c === 0x2a || c === 0x5f) return -1;
    const space = c === 0x20 || (c >= 0x09 && c <= 0x0d);
    if (firstWord < 0) {
      if (!space) firstWord = i;
      continue;
    }
    if (i > firstWord && (c === 0x2e || c === 0x3a || c === 0x3b || c === 0x21 || c === 0x3f)) {
      const next = i + 1 < inline.length ? inline.charCodeAt(i + 1) : 0x20;
      if (next === 0x20 || (next >= 0x09 && next <= 0x0d)) return i + 1;
    }
  }
  return -1;
}

/** A list item's first sentence, as a step title: "Evict what is left." from a long paragraph. */
export function listItemTitle(inline: string): string {
  const sentenceEnd = plainFirstSentenceEnd(inline);
  const text = plainText(sentenceEnd > 0 ? inline.slice(0, sentenceEnd) : inline);
  const sentence = /^(.+?)[.:;!?](\s|$)/.exec(text)?.[1] ?? text;
  const short = sentence.length > TITLE_LIMIT ? `${sentence.slice(0, TITLE_LIMIT - 1).trimEnd()}…` : sentence;
  return short;
}

/** Splits attribute text on spaces, as Runme does, except inside a quoted value (an extension: Runme has no quoting). */
function attributeTokens(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quote = '';
  for (const c of text) {
    if (quote !== '') {
      current += c;
      if (c === quote) quote = '';
    } else if (c === ' ') {
      if (current !== '') tokens.push(current);
      current = '';
    } else {
      if ((c === '"' || c === "'") && current.endsWith('=')) quote = c;
      current += c;
    }
  }
  if (current !== '') tokens.push(current);
  return tokens;
}

/**
 * A code block's attributes, by Runme's rules (its `pkg/document/attributes.go`): the text between
 * the braces is first read as JSON (every value a string; `true`/`false` become booleans here), else
 * split on spaces into `key=value` items, a key's value running to the next `=` (`{name=echo first=
 * second=2}` is name `echo`, first `""`, second `2`). Two deliberate differences: a bare key
 * (`{name=drain confirm}`) is `true` where Runme drops it, and a quoted value may hold spaces.
 */
export function parseStepAttributes(raw: string): StepAttributes {
  const attributes: StepAttributes = {};
  const trimmed = raw.trim();
  if (trimmed.startsWith('"')) {
    try {
      const parsed = JSON.parse(`{${trimmed}}`) as Record<string, unknown>;
      for (const [k, v] of Object.entries(parsed)) {
        attributes[k] = typeof v === 'boolean' ? v : typeof v === 'string' ? normalizeAttribute(v) : JSON.stringify(v);
      }
      return attributes;
    } catch {
      // Not JSON: the key=value form, as Runme falls back to it.
    }
  }
  for (const token of attributeTokens(trimmed)) {
    const eq = token.indexOf('=');
    if (eq === -1) {
      // Only a word can be a flag: `{ name: "test" }` has none, in Runme or here.
      if (/^[A-Za-z_][\w.-]*$/.test(token)) attributes[token] = true;
      continue;
    }
    const value = token.slice(eq + 1);
    const quoted = value.length >= 2 && (value[0] === '"' || value[0] === "'") && value[value.length - 1] === value[0];
    attributes[token.slice(0, eq)] = quoted ? value.slice(1, -1).replace(/\\(.)/g, '$1') : normalizeAttribute(value.split('=')[0]);
  }
  return attributes;
}

function normalizeAttribute(value: string): string | boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

interface InfoString {
  language: string;
  attributes: StepAttributes;
  /** A command someone wrote where the language goes (```kubectl get pods). */
  commandInLanguageSlot?: string;
}

export function parseInfoString(info: string): InfoString {
  let rest = info.trim();
  let attributes: StepAttributes = {};
  // Runme's extraction: from the first `{` not followed by `}` to the first `}` (so nested JSON
  // objects are not attributes, there or here). `{{ name }}` is a placeholder, never attributes.
  const open = rest.search(/\{(?!\})/);
  const close = open === -1 ? -1 : rest.indexOf('}', open);
  if (open !== -1 && close !== -1 && rest.indexOf('{{') === -1) {
    attributes = parseStepAttributes(rest.slice(open + 1, close));
    rest = `${rest.slice(0, open)} ${rest.slice(close + 1)}`.trim();
  }
  if (rest === '') return { language: '', attributes };
  const first = rest.split(/\s+/, 1)[0];
  const language = first.toLowerCase().replace(/^\./, '');
  if (first.startsWith('$') || (!KNOWN_LANGUAGES.has(language) && /\s/.test(rest))) {
    return { language: '', attributes, commandInLanguageSlot: rest };
  }
  return { language, attributes };
}

interface RawBlock {
  fenced: boolean;
  info: string;
  content: string;
  /** 0-based, absolute. */
  start: number;
  /** 0-based, absolute, inclusive. */
  end: number;
  listItemTitle?: string;
  /** The fence had no proper closing line; `end` is a guess. */
  unclosed?: boolean;
  /** `content`'s lines, when the scanner that found the block has them. */
  contentLines?: string[];
}

type RawEvent = { kind: 'heading'; heading: RunbookHeading } | { kind: 'block'; block: RawBlock };

const BARE_FENCE = /^[\s>]*(`{3,}|~{3,})\s*$/;
/** A line holding only one or two fence characters: a closing fence typed too short. */
const SHORT_FENCE = /^[\s>]*(`{1,2}|~{1,2})\s*$/;
const OPENING_FENCE = /^[\s>]*(`{3,}|~{3,})[ \t]*[^`~\s]/;
const SECTION_HEADING = /^#{2,6}\s+\S/;
/** Lines that can start an HTML block; blanked when re-reading a block for fences hidden in it. */
const HTML_TAG_LINE = /^\s*</;

/** First line in lines[from, to) that opens a fence of `markup`'s kind with an info string, or -1. */
function findSwallowedOpening(lines: readonly string[], from: number, to: number, markup: string): number {
  // Only lines holding three fence characters of this kind can match; most lines are skipped without the regex.
  const run = markup.slice(0, 3);
  for (let n = from; n < to; n++) {
    if (lines[n].indexOf(run) === -1) continue;
    const m = OPENING_FENCE.exec(lines[n]);
    if (m && m[1][0] === markup[0] && m[1].length >= markup.length) return n;
  }
  return -1;
}

function isClosingFence(line: string, markup: string): boolean {
  const m = BARE_FENCE.exec(line);
  return m !== null && m[1][0] === markup[0] && m[1].length >= markup.length;
}

const LIST_MARKER = /^\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)/;

/**
 * Why the container of a fence (indented `fenceIndent`) that ends on line `end` ended there: the next
 * item, or a line indented less than the fence (which ends the list item and the code with it).
 */
function containerBreak(lines: readonly string[], fenceIndent: number, end: number, to: number): { nextItem?: number; dedented?: number } {
  let next = end + 1;
  while (next < to && lines[next].trim() === '') next++;
  if (next >= to) return {};
  if (indentWidth(lines[next]) >= fenceIndent) return {};
  return LIST_MARKER.test(lines[next]) ? { nextItem: next } : { dedented: next };
}

/** The lines from `from` to the closing fence the author wrote, as a phrase ("lines 30–41 are"). */
function fallsOut(lines: readonly string[], from: number, to: number, markup: string): string {
  for (let n = from + 1; n < to; n++) if (isClosingFence(lines[n], markup)) return `lines ${from + 1}–${n + 1} are`;
  return `line ${from + 1} and what follows are`;
}

function indentWidth(line: string): number {
  return /^\s*/.exec(line)![0].length;
}

/**
 * Collects headings and code blocks from lines[from, to). Unclosed fences swallow the rest of the
 * container under CommonMark; we report them and resume parsing where the author most likely meant the
 * block to end, so one typo does not hide every later step.
 */
function scanBlocks(lines: readonly string[], from: number, to: number, events: RawEvent[], problems: Problem[]): void {
  const tokens: Token[] = markdown.parse(lines.slice(from, to).join('\n'), {});
  const listItems: { title?: string }[] = [];
  let quoteDepth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    switch (token.type) {
      case 'blockquote_open':
        quoteDepth++;
        break;
      case 'blockquote_close':
        quoteDepth--;
        break;
      case 'list_item_open':
        listItems.push({});
        break;
      case 'list_item_close':
        listItems.pop();
        break;
      case 'inline': {
        const item = listItems[listItems.length - 1];
        if (item && item.title === undefined) item.title = listItemTitle(token.content);
        break;
      }
      case 'heading_open': {
        const text = plainText(tokens[i + 1]?.content ?? '');
        events.push({ kind: 'heading', heading: { level: Number(token.tag.slice(1)), text, line: from + token.map![0] + 1, slug: slugify(text) } });
        break;
      }
      case 'html_block': {
        if (!FENCE_IN_HTML.test(token.content) || isRawHtmlBlock(token.content)) break;
        // A fence inside <details> with no blank line after <summary> is swallowed by the HTML block; read it anyway.
        const start = from + token.map![0];
        const end = from + token.map![1];
        const inner = lines.map((l, n) => (n >= start && n < end && HTML_TAG_LINE.test(l) ? '' : l));
        scanBlocks(inner, start, end, events, problems);
        break;
      }
      case 'code_block':
      case 'fence': {
        const start = from + token.map![0];
        const end = from + token.map![1] - 1;
        const title = listItems[listItems.length - 1]?.title;
        if (token.type === 'code_block') {
          events.push({ kind: 'block', block: { fenced: false, info: '', content: token.content, start, end, listItemTitle: title } });
          break;
        }
        // An opening fence of the same kind inside the block means the author forgot to close this one
        // and CommonMark paired it with the next block's closing fence.
        const swallowed = findSwallowedOpening(lines, start + 1, end, token.markup);
        if (swallowed === -1 && end > start && isClosingFence(lines[end], token.markup)) {
          events.push({ kind: 'block', block: { fenced: true, info: token.info, content: token.content, start, end, listItemTitle: title } });
          break;
        }
        const fenceChars = token.markup[0] === '`' ? 'backticks' : 'tildes';
        const fenceName = `${token.markup} (${token.markup.length} ${fenceChars})`;
        const fenceIndent = indentWidth(lines[start]);
        // Where CommonMark really ends the block: the end of the file, or of the list item or quote holding it.
        const container = quoteDepth > 0 ? 'block quote' : listItems.length > 0 ? 'list item' : undefined;
        const toEndOfFile = container === undefined || from + token.map![1] >= lines.length;
        const broken = toEndOfFile ? {} : containerBreak(lines, fenceIndent, end, to);
        const asCode = toEndOfFile
          ? 'the rest of the file as code'
          : `lines ${start + 2}–${end + 1} as code, up to the end of its ${container}${broken.nextItem === undefined ? '' : ` (the next item starts on line ${broken.nextItem + 1})`}`;
        let cut = swallowed === -1 ? end : swallowed - 1;
        let resume = swallowed;
        let mismatched = false;
        for (let n = start + 1; n <= cut; n++) {
          const short = SHORT_FENCE.exec(lines[n]);
          const bare = BARE_FENCE.exec(lines[n]) ?? (short && short[1][0] === token.markup[0] ? short : null);
          if (bare) {
            cut = n;
            resume = n + 1;
            mismatched = true;
            const why = bare[1].length < 3 ? `which is too short (a fence needs at least 3 ${fenceChars})` : 'which does not match';
            problems.push({
              line: start + 1,
              endLine: n + 1,
              severity: 'error',
              message: `Code fence ${fenceName} opened on line ${start + 1} is closed by ${bare[1]} on line ${n + 1}, ${why}, so Markdown reads ${asCode}. Close it with ${token.markup}.`,
            });
            break;
          }
          // A new opening fence or a section heading is where the author meant the block to end.
          if (OPENING_FENCE.test(lines[n]) || SECTION_HEADING.test(lines[n].trimStart())) {
            cut = n - 1;
            resume = n;
            break;
          }
        }
        if (!mismatched) {
          problems.push({
            line: start + 1,
            endLine: cut + 1,
            severity: 'error',
            message: toEndOfFile
              ? `Code fence ${token.markup} opened on line ${start + 1} is never closed, so Markdown reads everything after it as code. Add a line with ${token.markup} after the step's last line.`
              : broken.dedented !== undefined
                ? `Code fence ${token.markup} opened on line ${start + 1} ends at line ${end + 1}: line ${broken.dedented + 1} is indented less than the fence (${indentWidth(lines[broken.dedented])} spaces against ${fenceIndent}), which ends the ${container} and the code with it, so ${fallsOut(lines, broken.dedented, to, token.markup)} not read as this block. Indent line ${broken.dedented + 1} by at least ${fenceIndent} spaces.`
                : `Code fence ${token.markup} opened on line ${start + 1} is never closed, so Markdown reads ${asCode}. Add a line with ${token.markup} after the step's last line${container === 'list item' ? ', indented like the fence' : ''}.`,
          });
        }
        const bodyEnd = mismatched ? cut - 1 : cut;
        const content = lines.slice(start + 1, bodyEnd + 1).map((l) => l.slice(Math.min(fenceIndent, indentWidth(l)))).join('\n') + '\n';
        events.push({ kind: 'block', block: { fenced: true, info: token.info, content, start, end: cut, listItemTitle: title, unclosed: true } });
        if (resume !== -1 && resume < to) {
          scanBlocks(lines, resume, to, events, problems);
          return;
        }
        break;
      }
      default:
        break;
    }
  }
}

/**
 * The fast path of {@link scanBlocks}: the same events from {@link scanMarkdownOutline} when the
 * document is plain enough for it and every fence is properly closed. Returns false (and adds nothing)
 * when markdown-it has to parse the document.
 */
function scanOutline(lines: readonly string[], from: number, to: number, events: RawEvent[]): boolean {
  const outline = scanMarkdownOutline(lines, from, to);
  if (outline === undefined) return false;
  const found: RawEvent[] = [];
  let lastItemContent: string | undefined;
  let lastItemTitle: string | undefined;
  for (const event of outline) {
    if (event.kind === 'heading') {
      const text = plainText(event.content);
      found.push({ kind: 'heading', heading: { level: event.level, text, line: event.line + 1, slug: slugify(text) } });
      continue;
    }
    if (event.kind === 'code') {
      found.push({ kind: 'block', block: { fenced: false, info: '', content: event.content, start: event.start, end: event.end, listItemTitle: undefined } });
      continue;
    }
    const { start, end, markup } = event;
    // Fences that swallowed another block's opening take markdown-it's repair path.
    if (findSwallowedOpening(lines, start + 1, end, markup) !== -1 || !isClosingFence(lines[end], markup)) return false;
    let title: string | undefined;
    if (event.listItemContent !== undefined) {
      // Every fence of one list item shares its title.
      if (event.listItemContent !== lastItemContent) {
        lastItemContent = event.listItemContent;
        lastItemTitle = listItemTitle(event.listItemContent);
      }
      title = lastItemTitle;
    }
    found.push({ kind: 'block', block: { fenced: true, info: event.info, content: event.content, start, end, listItemTitle: title, contentLines: event.bodyLines } });
  }
  for (const event of found) events.push(event);
  return true;
}

function titleFromPath(path: string): string {
  const base = path.split('/').pop() ?? path;
  const stem = base.replace(/\.(md|markdown)$/i, '');
  const words = stem.replace(/[-_]+/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : base;
}

function uniqueId(base: string, used: Map<string, number>): string {
  const root = base || 'step';
  const seen = used.get(root) ?? 0;
  used.set(root, seen + 1);
  if (seen === 0) return root;
  let n = seen + 1;
  let id = `${root}-${n}`;
  while (used.has(id)) id = `${root}-${++n}`;
  used.set(id, 1);
  return id;
}

/** Script languages Runme runs through an interpreter, and the program it uses. */
export const SCRIPT_INTERPRETERS: ReadonlyMap<string, string> = new Map([
  ['python', 'python3'], ['py', 'python3'], ['python3', 'python3'], ['js', 'node'], ['javascript', 'node'], ['mjs', 'node'],
  ['ruby', 'ruby'], ['rb', 'ruby'], ['php', 'php'], ['perl', 'perl'], ['pl', 'perl'], ['lua', 'lua'],
]);

/** Shells a step runs in directly, in the terminal's own shell, when a notebook names one of them. */
const TERMINAL_SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'zsh', 'ksh']);

/**
 * The program that runs a block that is not for the terminal's shell: a Runme cell's script language
 * (python → python3), a fish block (fish syntax is not POSIX: always fish itself), or the shell a
 * Runme notebook names for its shell cells (`shell: dagger shell`) when that is not a POSIX shell.
 */
function scriptInterpreter(language: string, declaredShell: boolean, isCell: boolean, notebookShell: string | undefined): string | undefined {
  if (language === 'fish') return 'fish';
  if (declaredShell) return notebookShell !== undefined && !TERMINAL_SHELLS.has(notebookShell) ? notebookShell : undefined;
  return isCell ? SCRIPT_INTERPRETERS.get(language) : undefined;
}

/** Interpreters that read their script from standard input when given `-` as the file; others read it when given nothing. */
const DASH_READS_STDIN: ReadonlySet<string> = new Set(['python3', 'python', 'node', 'ruby', 'php', 'perl', 'lua', 'sh', 'bash', 'zsh', 'ksh']);

/** A delimiter the block's text does not hold, so the here-document ends where the text does. */
function scriptDelimiter(text: string): string {
  let delimiter = 'RUNBOOK_OPS_SCRIPT';
  for (let n = 2; text.split('\n').some((line) => line.trim() === delimiter); n++) delimiter = `RUNBOOK_OPS_SCRIPT_${n}`;
  return delimiter;
}

/**
 * The one shell command that runs `text` with `program`: the text on its standard input through a
 * quoted here-document, so nothing in it is expanded by the shell and it reaches the program byte
 * for byte (`python3 - <<'RUNBOOK_OPS_SCRIPT'`…). `-` tells python, node, ruby, php and perl to read
 * the script from standard input.
 */
export function interpreterCommand(program: string, text: string): string {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const delimiter = scriptDelimiter(body);
  const stdin = DASH_READS_STDIN.has(program.split(/\s+/, 1)[0].replace(/^.*\//, '')) ? ' -' : '';
  return `${program}${stdin} <<'${delimiter}'\n${body}\n${delimiter}`;
}

/** Why a step cannot run: the same few sentences on thousands of steps (the index sends them as codes). */
export const STEP_REASONS = {
  foreignTranscript: 'The prompts in this block belong to another program (a database or language shell), not to a shell: copy it instead.',
  empty: 'This block shows no prompt lines, only output: there is nothing to run.',
  noLanguage: 'This block has no language and no shell prompts, so it is not known to be a command. Tag it ```sh to run it.',
  unclosed: 'The fence of this block is not closed properly, so where the command ends is a guess. Fix the fence to run it.',
  exampleOutput: 'This block shows what a command prints (it is introduced as output), not a step to run: copy it instead.',
  repeatsPreviousStep: 'This block repeats the command of the step before it, with that command\'s output: it shows what that step prints, not a step to run. Copy it instead.',
} as const;

/**
 * Words that introduce a block as output rather than a step: "Expected output:", "Typical output:",
 * "The result should look like this:", "… will be similar to:".
 */
const OUTPUT_INTRODUCTION = /\b(?:(?:expected|example|sample|typical)\s+output|output\s+(?:should|will)\s+(?:be|look)|should\s+look\s+(?:something\s+)?like|will\s+(?:be|look)\s+similar\s+to|(?:looks?|is)\s+similar\s+to\s+(?:this|the\s+following))\b/i;

/**
 * Whether the text just before the block at `start` (its nearest non-blank line, within the same
 * container) introduces it as output. A block that directly follows another block has no introduction.
 */
function introducedAsOutput(lines: readonly string[], start: number, from: number): boolean {
  for (let n = start - 1; n >= from; n--) {
    const line = lines[n].trim();
    if (line === '' || line === '>') continue;
    if (BARE_FENCE.test(line)) return false;
    return OUTPUT_INTRODUCTION.test(line);
  }
  return false;
}

/** Splits a command into words, continuations joined: enough to compare two spellings of one command. */
function commandWords(command: string): string[] {
  return command.replace(/\\\n/g, ' ').split(/\s+/).filter(Boolean);
}

/**
 * Whether the transcript `step` shows the output of `previous`: it prints output, and each of its
 * commands is a command of `previous` spelled again, with values where `previous` has placeholders
 * (the same program; a word that is not in that command only where it has a placeholder; at most a
 * quarter of that command's other words left out).
 */
function repeatsStep(step: RunbookStep, previous: RunbookStep): boolean {
  if (step.shape !== 'transcript' || step.commands.length === 0 || previous.commands.length === 0) return false;
  const commandLines = step.commands.reduce((n, c) => n + c.split('\n').length, 0);
  // Output: lines other than the commands, blanks and comments.
  if (step.content.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#')).length <= commandLines) return false;
  const tokens = previous.placeholders.flatMap((p) => p.tokens);
  const earlier = previous.commands.map((command) => {
    const words = commandWords(command);
    const wildcards = words.filter((w) => tokens.some((t) => w.includes(t)));
    return { program: words[0], words: new Set(words), wildcards, fixed: words.filter((w) => !wildcards.includes(w)) };
  });
  return step.commands.every((command) => {
    const words = commandWords(command);
    const spelled = new Set(words);
    return earlier.some(({ program, words: known, wildcards, fixed }) => {
      if (words[0] !== program) return false;
      // Each new word must stand where a placeholder was filled in.
      const added = words.filter((w) => !known.has(w)).length;
      const filled = wildcards.filter((w) => !spelled.has(w)).length;
      const omitted = fixed.filter((w) => !spelled.has(w)).length;
      return added <= filled && omitted * 4 <= fixed.length;
    });
  });
}

/** Makes `step` copy-only, saying why: nothing of it is left to run. */
export function markCopyOnly(step: RunbookStep, reason: string): void {
  step.runnable = false;
  step.languageGuessed = false;
  delete step.interpreter;
  step.commands = [];
  step.placeholders = [];
  step.reason = reason;
}

export function notShellReason(language: string): string {
  const program = SCRIPT_INTERPRETERS.get(language);
  if (program !== undefined) return `\`${language}\` blocks are not shell commands: copy it instead. (To run it with ${program}, make it a Runme cell: give it attributes, such as {name=…}.)`;
  return `\`${language}\` blocks are not shell commands: copy it instead.`;
}

/** Words that start a line of prose, never a command. */
const PROSE_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'to', 'in', 'on', 'of', 'and', 'or', 'is', 'are', 'was', 'it', 'this', 'that', 'these', 'those', 'we',
  'you', 'they', 'there', 'here', 'then', 'when', 'which', 'with', 'from', 'by', 'as', 'at', 'be', 'note', 'see',
]);
/** Programs runbooks name at the start of an indented command line. */
const KNOWN_COMMANDS: ReadonlySet<string> = new Set([
  'oc', 'kubectl', 'helm', 'kustomize', 'virtctl', 'crictl', 'etcdctl', 'istioctl', 'argocd', 'flux', 'stern', 'eksctl', 'minikube',
  'docker', 'podman', 'git', 'curl', 'wget', 'ssh', 'scp', 'rsync', 'aws', 'gcloud', 'gsutil', 'az', 'terraform', 'vault', 'consul',
  'systemctl', 'journalctl', 'service', 'cat', 'ls', 'grep', 'tail', 'head', 'less', 'ps', 'top', 'df', 'du', 'free', 'uptime',
  'ping', 'dig', 'nslookup', 'host', 'nc', 'openssl', 'psql', 'mysql', 'redis-cli', 'mongosh', 'make', 'npm', 'yarn', 'pip', 'python',
  'python3', 'node', 'go', 'cargo', 'bundle', 'rake', 'rails', 'sudo', 'cd', 'export', 'echo', 'kill', 'pkill', 'jq', 'yq', 'watch',
  'tar', 'cp', 'mv', 'rm', 'mkdir', 'chmod', 'chown', 'find', 'sed', 'awk', 'env', 'source', 'apt', 'apt-get', 'yum', 'dnf', 'brew',
  'ansible', 'ansible-playbook', 'rabbitmqctl', 'patronictl', 'nodetool', 'cqlsh', 'ip', 'ss', 'netstat', 'iptables', 'nft', 'mount',
]);
/** What only a command line holds after its first word: an option, a pipe, a variable, a path, an assignment, `&&`. */
const SHELL_SIGNAL = /(?:^|\s)--?[A-Za-z]|[|$=/]|&&/;
/** A command word: `oc`, `kubectl`, `./bin/smoke`, `/usr/sbin/nft`, `redis-cli`. */
const COMMAND_WORD = /^(?:\.{0,2}\/)?[a-z][\w.+-]*(?:\/[\w.+-]+)*$/;

/**
 * Whether an indented code block reads as shell commands (`    oc get co network`): every line a
 * known program or a command word followed by something only shell has, a comment, or a continuation
 * of the line before. Prose, YAML (`key: value`), HCL (`tags = {`), JSON and output fail.
 */
function looksLikeCommands(content: string): boolean {
  let commands = 0;
  let continued = false;
  for (const raw of content.split('\n')) {
    const line = raw.trim();
    if (line === '') {
      continued = false;
      continue;
    }
    const continuation = continued;
    continued = line.endsWith('\\');
    if (continuation || line.startsWith('#')) continue;
    const [first, second] = line.split(/\s+/, 2);
    if (!COMMAND_WORD.test(first) || PROSE_WORDS.has(first)) return false;
    // `just an indented note` is made of words too: an unknown program needs a sign of shell after it.
    if (!KNOWN_COMMANDS.has(first.split('/').pop() ?? first) && !SHELL_SIGNAL.test(line.slice(first.length))) return false;
    // A path or a file name alone on a line is mentioned, not run.
    if (second === undefined && /[./]/.test(first)) return false;
    if (second !== undefined && /^(?:=|:|\{|\(|=>|->)/.test(second)) return false;
    if (/[{[(,]$/.test(line)) return false;
    commands++;
  }
  return commands > 0;
}

/** CamelCase names of two or more words (`KafkaConsumerLag`, `VirtHandlerDown`): how alert names read in runbook text. */
const ALERT_NAME = /\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\b/g;
/** Mentions kept per runbook: enough for any real page, bounded for a generated one. */
const MENTION_LIMIT = 64;

/**
 * Alert-like names a runbook's text mentions beyond its front-matter `alerts` (real runbooks often
 * name their alert only in the body or the file name), so *Filter Runbooks* finds them.
 */
function alertMentions(text: string, declared: readonly string[]): string[] {
  const seen = new Set(declared.map((a) => a.toLowerCase()));
  const out: string[] = [];
  ALERT_NAME.lastIndex = 0;
  for (let m = ALERT_NAME.exec(text); m && out.length < MENTION_LIMIT; m = ALERT_NAME.exec(text)) {
    const key = m[0].toLowerCase();
    if (m[0].length > 80 || seen.has(key)) continue;
    seen.add(key);
    out.push(m[0]);
  }
  return out;
}

export interface RunbookParseOptions {
  /** Always parse with markdown-it, skipping the fast outline scanner (tests compare both paths). */
  fullParse?: boolean;
}

/**
 * Parses one runbook. Never throws: anything wrong with the file becomes an entry in `problems` and
 * the rest of it is still read.
 */
export function parseRunbook(path: string, content: string | Uint8Array, options: RunbookParseOptions = {}): Runbook {
  const decoded = decodeFileText(content);
  const runbook: Runbook = {
    path,
    title: titleFromPath(path),
    titleLine: 1,
    services: [],
    tags: [],
    alerts: [],
    variables: {},
    headings: [],
    steps: [],
    problems: [...decoded.problems],
  };
  if (decoded.binary) return runbook;
  try {
    fillRunbook(runbook, decoded.text, options);
    const mentions = alertMentions(decoded.text, runbook.alerts);
    if (mentions.length > 0) runbook.alertMentions = mentions;
  } catch (err) {
    runbook.problems.push({ line: 1, severity: 'error', message: `Runbook Ops could not read this file: ${(err as Error).message}` });
  }
  return runbook;
}

function fillRunbook(runbook: Runbook, text: string, options: RunbookParseOptions): void {
  const lines = text.split('\n');
  const frontMatter = parseFrontMatter(lines);
  Object.assign(runbook, frontMatter.metadata);
  runbook.problems.push(...frontMatter.problems);
  // A conflicted step would run both sides (or the marker lines) of the conflict.
  runbook.problems.push(...findMergeConflicts(lines, { strayMarkers: false }));

  const events: RawEvent[] = [];
  // markdown-it turns NUL into U+FFFD; the outline scanner leaves such files to it.
  const fast = !options.fullParse && text.indexOf('\0') === -1 && scanOutline(lines, frontMatter.lineCount, lines.length, events);
  if (!fast) scanBlocks(lines, frontMatter.lineCount, lines.length, events, runbook.problems);

  const headings: RunbookHeading[] = [];
  for (const event of events) if (event.kind === 'heading') headings.push(event.heading);
  runbook.headings = headings;
  const titleHeading = headings.find((h) => h.level === 1) ?? headings[0];
  if (frontMatter.notebook?.cwd !== undefined) runbook.notebookCwd = frontMatter.notebook.cwd;
  if (frontMatter.metadata.title === undefined && titleHeading && titleHeading.text) {
    runbook.title = titleHeading.text;
    runbook.titleLine = titleHeading.line;
  } else if (titleHeading && frontMatter.metadata.title !== undefined && titleHeading.level === 1) {
    runbook.titleLine = titleHeading.line;
  }

  const usedIds = new Map<string, number>();
  const assigned = new Set<string>();
  let section: RunbookHeading | undefined;
  let previous: RunbookStep | undefined;
  for (const event of events) {
    if (event.kind === 'heading') {
      if (event.heading.level <= 5) section = event.heading;
      previous = undefined;
      continue;
    }
    const step = buildStep(event.block, section, runbook, usedIds, assigned, lines, { runme: frontMatter.runmeNotebook === true, shell: frontMatter.notebook?.shell });
    if (!step) continue;
    // A block the author gave attributes to is a step they meant; only plain blocks are read as output.
    if (step.runnable && Object.keys(step.attributes).length === 0) {
      if (introducedAsOutput(lines, event.block.start, frontMatter.lineCount)) markCopyOnly(step, STEP_REASONS.exampleOutput);
      else if (previous !== undefined && repeatsStep(step, previous)) markCopyOnly(step, STEP_REASONS.repeatsPreviousStep);
    }
    runbook.steps.push(step);
    previous = step;
  }
  runbook.problems.sort((a, b) => a.line - b.line);
}

function buildStep(
  block: RawBlock,
  section: RunbookHeading | undefined,
  runbook: Runbook,
  usedIds: Map<string, number>,
  assigned: Set<string>,
  lines: readonly string[],
  notebook: { runme: boolean; shell?: string },
): RunbookStep | undefined {
  const info = parseInfoString(block.info);
  let content = block.content;
  if (info.commandInLanguageSlot !== undefined) {
    content = `${info.commandInLanguageSlot}\n${content}`;
    runbook.problems.push({
      line: block.start + 1,
      severity: 'warning',
      message: `The fence on line ${block.start + 1} has a command (\`${info.commandInLanguageSlot}\`) where its language belongs. Write \`\`\`sh on the fence line and put the command on the next line.`,
    });
  }
  // Runme does not make these cells at all.
  if (info.attributes.ignore === true || info.attributes.transform === false) return undefined;
  // A fence with no language but Runme attributes is a cell its author meant to run: shell, as in Runme.
  const language = info.language === '' && info.commandInLanguageSlot === undefined && Object.keys(info.attributes).length > 0 ? 'sh' : info.language;
  // A command moved out of the fence line makes the content one line longer than the scanner's lines.
  const { shape, commands } = extractShellCommands(content, language, info.commandInLanguageSlot === undefined ? block.contentLines : undefined);
  // Indented code is often indented prose, data or output; it is a step when it shows prompts or
  // reads as commands, and its language is a guess either way.
  const indentedCommands = !block.fenced && shape === 'script' && looksLikeCommands(content);
  if (!block.fenced && shape !== 'transcript' && !indentedCommands) return undefined;

  const declaredShell = RUNNABLE_LANGUAGES.has(language);
  const runsAsShell = shape === 'script' || shape === 'transcript';
  const languageGuessed = !declaredShell && runsAsShell
    && ((language === '' && shape === 'transcript') || info.commandInLanguageSlot !== undefined || indentedCommands);
  // Runme runs script languages (and any cell with an `interpreter`) through that program. Here only
  // blocks that are Runme cells do: in a Runme notebook, or given attributes. A plain ```ruby block in
  // an ops manual is usually a snippet for a Rails console, not a script to run on its own.
  const interpreterAttribute = typeof info.attributes.interpreter === 'string' && info.attributes.interpreter.trim() !== '' ? info.attributes.interpreter.trim() : undefined;
  const isCell = notebook.runme || Object.keys(info.attributes).length > 0;
  const interpreter = block.fenced && shape === 'script' ? interpreterAttribute ?? scriptInterpreter(language, declaredShell, isCell, notebook.shell) : undefined;
  let runnable = interpreter !== undefined || (runsAsShell && (declaredShell || languageGuessed));
  let reason: string | undefined;
  if (shape === 'foreign-transcript') reason = STEP_REASONS.foreignTranscript;
  else if (shape === 'empty') reason = STEP_REASONS.empty;
  else if (!runnable) reason = language === '' ? STEP_REASONS.noLanguage : notShellReason(language);
  if (block.unclosed && runnable) {
    runnable = false;
    reason = STEP_REASONS.unclosed;
  }

  const sectionText = section?.text || runbook.title;
  // An explicit name is the id exactly as written (Runme passes output on by that name); ids made
  // from headings are slugs. A name used twice gets `-2`, `-3`… like a heading's slug.
  const named = info.attributes.name;
  const id = uniqueId(typeof named === 'string' && named.trim() !== '' ? named.trim() : section ? section.slug : 'step', usedIds);
  // A script reaches its interpreter as written: placeholders are for shell commands only.
  const commandTexts = interpreter !== undefined ? [interpreterCommand(interpreter, content)] : commands.map((c) => c.text);
  // A Runme cell asks for the values it exports (Runme's promptEnv); elsewhere `export X=value` is the
  // author's value and runs as written.
  const exportPrompts = runnable && interpreter === undefined && isCell ? findExportPrompts(commandTexts, promptEnvMode(info.attributes.promptEnv)) : [];
  const placeholders = runnable && interpreter === undefined ? [...exportPrompts, ...findPlaceholdersAndAssignments(commandTexts, runbook.variables, assigned)] : [];

  const step: RunbookStep = {
    id,
    title: block.listItemTitle || sectionText,
    section: sectionText,
    language,
    attributes: info.attributes,
    startLine: block.start + 1,
    endLine: block.end + 1,
    fenced: block.fenced,
    shape,
    runnable,
    languageGuessed: runnable && languageGuessed,
    confirm: info.attributes.confirm === true,
    excludeFromRunAll: info.attributes.excludeFromRunAll === true,
    ...(interpreter !== undefined && runnable ? { interpreter } : {}),
    commands: runnable ? commandTexts : [],
    placeholders,
    content: block.fenced ? content : lines.slice(block.start, block.end + 1).join('\n') + '\n',
  };
  if (reason !== undefined) step.reason = reason;
  return step;
}
