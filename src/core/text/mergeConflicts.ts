import type { Problem } from './fileText';

const CONFLICT_START = /^<{7}(?:\s|$)/;
const CONFLICT_MIDDLE = /^(?:={7}|\|{7})(?:\s|$)/;
const CONFLICT_END = /^>{7}(?:\s|$)/;

export interface MergeConflictOptions {
  /**
   * Also report a lone `=======` or `>>>>>>>` line. Off for Markdown, where `=======` underlines a
   * heading and `>>>>>>>` is a deep block quote; a `<<<<<<<` marker is reported in every file, as
   * `git diff --check` does.
   */
  strayMarkers: boolean;
}

/** Unresolved merge conflicts (git's <<<<<<< / ======= / >>>>>>> marker lines) as problems on their lines. */
export function findMergeConflicts(lines: readonly string[], options: MergeConflictOptions = { strayMarkers: true }): Problem[] {
  const problems: Problem[] = [];
  // Once a start marker finds no end marker, none after it will: later ones skip the search (else 100,000 start lines take minutes).
  let endless = false;
  for (let i = 0; i < lines.length; i++) {
    // Every marker line starts with <, =, | or >; other lines skip the three patterns.
    const first = lines[i].charCodeAt(0);
    if (first !== 0x3c && first !== 0x3d && first !== 0x7c && first !== 0x3e) continue;
    if (CONFLICT_START.test(lines[i])) {
      let end: number = endless ? lines.length : i + 1;
      while (end < lines.length && !CONFLICT_END.test(lines[end])) end++;
      const closed = end < lines.length;
      endless = !closed;
      problems.push({
        line: i + 1,
        column: 1,
        endLine: closed ? end + 1 : i + 1,
        endColumn: (closed ? lines[end] : lines[i]).length + 1,
        severity: 'error',
        message: closed
          ? `Unresolved merge conflict (lines ${i + 1}–${end + 1}). Keep the lines you want from each side and delete the <<<<<<<, ======= and >>>>>>> marker lines.`
          : `Unresolved merge conflict starting here: the <<<<<<< marker has no >>>>>>>. Keep the lines you want and delete the markers.`,
      });
      if (closed) i = end;
    } else if (options.strayMarkers && (CONFLICT_MIDDLE.test(lines[i]) || CONFLICT_END.test(lines[i]))) {
      problems.push({
        line: i + 1,
        column: 1,
        endColumn: lines[i].length + 1,
        severity: 'error',
        message: `Unresolved merge conflict: a leftover ${lines[i].slice(0, 7)} marker line. Delete it and check the lines around it.`,
      });
    }
  }
  return problems;
}
