import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Problem } from '../core/fileText';

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** `[text](target "title")` and `![alt](target)`; the target may be in <angle brackets>. */
const INLINE_LINK = /!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
/** `[label]: target` reference definitions. */
const REFERENCE = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/;
const CODE_SPAN = /(`+)(?:(?!\1)[\s\S])*?\1/g;

function isLocalTarget(target: string): boolean {
  return target !== '' && !target.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('//');
}

/**
 * Links from a runbook to files that do not exist (another runbook renamed, a script moved): one
 * error per link, at its line and column. External URLs and in-page anchors are not checked.
 */
export function findBrokenLinks(root: string, path: string, text: string): Problem[] {
  const problems: Problem[] = [];
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
    const line = raw.replace(CODE_SPAN, (span) => ' '.repeat(span.length));
    const targets: { target: string; column: number }[] = [];
    for (const m of line.matchAll(INLINE_LINK)) targets.push({ target: m[1], column: m.index! + m[0].indexOf(m[1], m[0].indexOf('](')) + 1 });
    const reference = REFERENCE.exec(line);
    if (reference) targets.push({ target: reference[1], column: line.indexOf(reference[1]) + 1 });
    for (const { target, column } of targets) {
      const bare = target.replace(/^<|>$/g, '');
      if (!isLocalTarget(bare)) continue;
      let file = bare.replace(/[?#].*$/, '');
      if (file === '') continue;
      try {
        file = decodeURIComponent(file);
      } catch {
        // A stray % is part of the name.
      }
      const absolute = file.startsWith('/') ? join(root, file) : resolve(folder, file);
      if (!existsSync(absolute)) {
        problems.push({ line: index + 1, column, endLine: index + 1, endColumn: column + target.length, severity: 'error', message: `Link to ${bare} points to a file that does not exist${file.endsWith('.md') ? ' (a runbook renamed or deleted?)' : ''}. Fix the path (relative to this file) or remove the link.` });
      }
    }
  });
  return problems;
}
