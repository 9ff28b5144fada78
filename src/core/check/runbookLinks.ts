/**
 * The links of a runbook's Markdown, read once per version of the file: what the link rules of the
 * rulebook (rulebook.ts) check. Pure: no file system.
 */

/** A link as written in a runbook: its target and where the target starts (1-based). */
export interface RunbookLink {
  target: string;
  line: number;
  column: number;
}

/** What the rulebook reads of a runbook's text besides its summary (kept per version of the file). */
export interface RunbookTextFacts {
  links: RunbookLink[];
  /** The file starts with a `---` front matter block. */
  frontMatter: boolean;
  /** 1-based line of `last_reviewed:` in the front matter, when there is one. */
  lastReviewedLine?: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/**
 * `[text](target "title")` and `![alt](target)` starting at lastIndex; the target may be in <angle
 * brackets>. Target and title lengths are bounded, and targets are matched without backtracking
 * (`(?=(…))\2`), so a failed attempt costs little (see {@link inlineLinks}).
 */
const INLINE_LINK_AT = /!?\[(?:[^\]\\]|\\.)*\]\(\s*(<(?=([^>]{0,1024}))\2>|(?=([^\s)]{1,1024}))\3)(?:\s+(?:"[^"]{0,512}"|'[^']{0,512}'|\([^)]{0,512}\)))?\s*\)/y;
/** `[label]: target` reference definitions. */
const REFERENCE = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/;

/**
 * The line with its code spans (a run of n backticks up to the next run of exactly n, as CommonMark
 * reads them) blanked to spaces, so links shown as code are not checked. Runs are paired through a
 * queue per length, so a line of many runs costs one pass (a backreference regex was quadratic).
 */
export function blankCodeSpans(line: string): string {
  if (line.indexOf('`') === -1) return line;
  const runs: { start: number; length: number }[] = [];
  for (let i = line.indexOf('`'); i !== -1; i = line.indexOf('`', i)) {
    let end = i;
    while (end < line.length && line.charCodeAt(end) === 0x60) end++;
    runs.push({ start: i, length: end - i });
    i = end;
  }
  const byLength = new Map<number, number[]>();
  runs.forEach((run, index) => {
    const list = byLength.get(run.length);
    if (list) list.push(index);
    else byLength.set(run.length, [index]);
  });
  const next = new Map<number, number>();
  let out = '';
  let copied = 0;
  for (let index = 0; index < runs.length; index++) {
    const run = runs[index];
    if (run.start < copied) continue;
    const list = byLength.get(run.length)!;
    let at = next.get(run.length) ?? 0;
    while (at < list.length && list[at] <= index) at++;
    next.set(run.length, at);
    if (at === list.length) continue;
    const closing = runs[list[at]];
    const end = closing.start + closing.length;
    out += line.slice(copied, run.start) + ' '.repeat(end - run.start);
    copied = end;
  }
  return copied === 0 ? line : out + line.slice(copied);
}

/** Index of the `]` that ends the link text opened at `open` (backslash escapes skipped), or -1. */
function closingBracket(line: string, open: number): number {
  for (let i = open + 1; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === ']') return i;
  }
  return -1;
}

/**
 * Inline links of one line. A global regex would retry from every `[`, each attempt scanning to the
 * line's end when no `](` follows: minutes for a 1 MB line of `[`. Every `[` before the same `]`
 * fails alike, so after a failed attempt the search resumes past that `]`.
 */
function inlineLinks(line: string): { target: string; column: number }[] {
  const found: { target: string; column: number }[] = [];
  for (let from = 0; ;) {
    const open = line.indexOf('[', from);
    if (open === -1) return found;
    const start = open > from && line[open - 1] === '!' ? open - 1 : open;
    INLINE_LINK_AT.lastIndex = start;
    const m = INLINE_LINK_AT.exec(line);
    if (m) {
      found.push({ target: m[1], column: start + m[0].indexOf(m[1], m[0].indexOf('](')) + 1 });
      from = start + m[0].length;
      continue;
    }
    const close = closingBracket(line, open);
    if (close === -1) return found;
    from = close + 1;
  }
}

/**
 * Inline links and reference definitions of a runbook, outside fenced code and code spans, in order.
 */
export function findLinks(text: string): RunbookLink[] {
  const links: RunbookLink[] = [];
  const lines = text.split(/\r?\n/);
  let fence: string | undefined;
  lines.forEach((raw, index) => {
    const open = FENCE.exec(raw);
    if (fence !== undefined) {
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length && raw.trim() === open[1]) fence = undefined;
      return;
    }
    if (open) {
      fence = open[1];
      return;
    }
    // Every link form needs a `]`; most lines have none and skip the patterns below.
    if (raw.indexOf(']') === -1) return;
    // Spans are blanked, not removed, so columns stay right.
    const line = blankCodeSpans(raw);
    const targets = inlineLinks(line);
    const reference = REFERENCE.exec(line);
    if (reference) targets.push({ target: reference[1], column: line.indexOf(reference[1]) + 1 });
    for (const { target, column } of targets) links.push({ target, line: index + 1, column });
  });
  return links;
}

/** The facts of {@link RunbookTextFacts} from a runbook's text. */
export function runbookTextFacts(text: string): RunbookTextFacts {
  const lines = text.split(/\r?\n/);
  const frontMatter = lines[0]?.trim() === '---';
  const facts: RunbookTextFacts = { links: findLinks(text), frontMatter };
  if (frontMatter) {
    for (let i = 1; i < lines.length; i++) {
      if (/^(?:---|\.\.\.)\s*$/.test(lines[i])) break;
      if (/^last_reviewed\s*:/.test(lines[i])) {
        facts.lastReviewedLine = i + 1;
        break;
      }
    }
  }
  return facts;
}
