import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Problem } from '../core/fileText';
import { isPageLink, isUnchecked, namesSourceFile, pageSources, siteOf, type SiteConfig } from '../core/siteLinks';
import { isInside } from '../fs/repositoryPath';

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

function isLocalTarget(target: string): boolean {
  return target !== '' && !target.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('//');
}

/**
 * Links from a runbook to files that do not exist (another runbook renamed, a script moved): one
 * error per link, at its line and column. External URLs and in-page anchors are not checked. In the
 * pages of a documentation site (`sites`), a link names the page a file builds: `/manual/x.html`
 * is `<pages>/manual/x.html.md` (or `x.md`, `x/index.md`, …); a missing source file (`x.md`) is an
 * error, a missing page or asset (which the site may generate) a warning, and so is a site-root link
 * outside any site, saying how to describe the site.
 */
export function findBrokenLinks(root: string, path: string, text: string, sites: readonly SiteConfig[] = []): Problem[] {
  const problems: Problem[] = [];
  const site = siteOf(path, sites);
  const lines = text.split(/\r?\n/);
  let fence: string | undefined;
  const folder = dirname(join(root, path));
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
    for (const { target, column } of targets) {
      const bare = target.replace(/^<|>$/g, '');
      const at = { line: index + 1, column, endLine: index + 1, endColumn: column + target.length, severity: 'error' as const };
      // A `file:` link names a file on the reader's machine, not in the repository.
      if (/^file:/i.test(bare)) {
        problems.push({ ...at, message: `Link to ${bare} points outside the repository (a file: URL is a file on the reader's machine). Link to a file in the repository with a relative path, or to a web page.` });
        continue;
      }
      if (!isLocalTarget(bare)) continue;
      const query = bare.search(/[?#]/);
      let file = query === -1 ? bare : bare.slice(0, query);
      if (file === '') continue;
      try {
        file = decodeURIComponent(file);
      } catch {
        // A stray % is part of the name.
      }
      const siteRoot = file.startsWith('/') && site !== undefined ? join(root, site.pages) : root;
      const absolute = file.startsWith('/') ? join(siteRoot, file) : resolve(folder, file);
      if (!isInside(resolve(root), absolute)) {
        // `../../../../etc/passwd` exists on most machines; that is no reason to let a runbook point there.
        problems.push({ ...at, message: `Link to ${bare} points outside the repository. Link to a file in the repository (a path relative to this file), or to a web page.` });
        continue;
      }
      if (existsSync(absolute)) continue;
      const repoPath = relative(resolve(root), absolute).split(sep).join('/');
      if (site !== undefined) {
        if (pageSources(repoPath).some((candidate) => existsSync(join(root, candidate)))) continue;
        const sitePath = `/${relative(join(root, site.pages), absolute).split(sep).join('/')}`;
        if (isUnchecked(site, sitePath)) continue;
        // A link to a source file (x.md) names a file that must exist; a page or an asset may be one
        // the generator makes (from data, a proxy, a plugin), which this check cannot know.
        if (namesSourceFile(file)) {
          problems.push({ ...at, message: `Link to ${bare} points to a file that does not exist in the site's pages (${site.pages || '.'}/). Fix the path or remove the link.` });
        } else {
          problems.push({ ...at, severity: 'warning', message: `Link to ${bare} points to ${isPageLink(file) ? `a page no file of the site in ${site.pages || '.'}/ builds (no ${pageSources(repoPath)[1].split('/').pop()}, .md or index file)` : 'a file that is not in the repository'}. If the site generates it, add ${sitePath} (or a glob) to the site's \`unchecked\` list in .runbook-ops.yaml; otherwise fix the link.` });
        }
        continue;
      }
      if (file.startsWith('/')) {
        problems.push({ ...at, severity: 'warning', message: `Link to ${bare} is a site-root link, and no file is at that path from the repository root. If these pages are a documentation site, say where its pages live in .runbook-ops.yaml (\`sites: [{ pages: <folder> }]\`) so the link can be checked against them.` });
        continue;
      }
      problems.push({ ...at, message: `Link to ${bare} points to a file that does not exist${file.endsWith('.md') ? ' (a runbook renamed or deleted?)' : ''}. Fix the path (relative to this file) or remove the link.` });
    }
  });
  return problems;
}
