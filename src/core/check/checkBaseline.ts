/**
 * The `check` baseline (issue 21): the problems a team knew of when it adopted the check, so CI fails
 * only on new ones. A problem is keyed by its file, its rule and a fingerprint of its rule and its
 * message with what moves when lines are added (line and column numbers) or time passes (days
 * overdue) taken out: the link target, the field, the value stay in it, the line it is on does not.
 * The file is text, one line per problem, sorted, so a pull request that changes it can be reviewed.
 */
import { textFingerprint } from './textFingerprint';
import { oneLine } from '../text/textOutput';

/** A problem as `check` reports it: the file it is in (relative to the checked folder, as written in the baseline by oneLine) and its message. */
export interface BaselineProblem {
  file: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** The rule's code, when the rule gives one; else the rule is named from the message's leading words. */
  code?: string;
}

export interface BaselineEntry {
  rule: string;
  file: string;
  fingerprint: string;
  /** The problem's message when the baseline was written (for the reviewer; not compared). */
  message: string;
}

export const BASELINE_HEADER = [
  '# Runbook Ops check baseline: problems known when it was written (runbook-ops check --write-baseline <file>).',
  '# `runbook-ops check --baseline <file>` reports only problems not listed here. One line per problem, tab-separated:',
  '# rule, file, fingerprint (of the rule and the message without line numbers), message. Delete a line to see it again.',
];

/** What changes about an unchanged problem when lines move or days pass; replaced by `N`. */
const MOVING_NUMBERS: readonly RegExp[] = [
  /\b(lines?|columns?|col)(\s+)\d+(?:\s*(?:[-–,]|and|to)\s*\d+)*/gi,
  /\bL\d+\b/g,
  /\b\d+(\s+)(days?|weeks?|months?)\b/gi,
];

/** The message with line/column numbers and counts of days taken out, on one line. */
export function normalisedMessage(message: string): string {
  let text = oneLine(message).trim();
  text = text.replace(MOVING_NUMBERS[0], (_m, word: string, space: string) => `${word}${space}N`);
  text = text.replace(MOVING_NUMBERS[1], 'LN');
  text = text.replace(MOVING_NUMBERS[2], (_m, space: string, unit: string) => `N${space}${unit}`);
  return text;
}

/**
 * The rule's name: its code, else the message's first two words (fewer when one names a subject:
 * a path, a quoted or code value, a number), as `link-to` for "Link to /x.html points…".
 */
export function problemRule(problem: Pick<BaselineProblem, 'code' | 'message'>): string {
  if (problem.code) return problem.code;
  const words: string[] = [];
  for (const word of problem.message.trim().split(/\s+/)) {
    if (words.length === 2 || /[\d/.`"'“:]/.test(word)) break;
    words.push(word.toLowerCase().replace(/[^a-z-]+/g, ''));
  }
  const name = words.filter(Boolean).join('-');
  if (name) return name;
  // A message that starts with its subject (`` `duplicate_of: X`: … ``): the code span's field name.
  const field = /^`([A-Za-z_][\w-]*)/.exec(problem.message)?.[1];
  return field ? field.toLowerCase().replace(/_/g, '-') : 'problem';
}

/** 16 hex digits from the rule and the normalised message: the same problem on another line keeps it. */
export function problemFingerprint(problem: Pick<BaselineProblem, 'code' | 'message'>): string {
  const key = `${problemRule(problem)}\0${normalisedMessage(problem.message)}`;
  return textFingerprint(key);
}

export function baselineEntry(problem: BaselineProblem): BaselineEntry {
  return { rule: problemRule(problem), file: oneLine(problem.file), fingerprint: problemFingerprint(problem), message: `${problem.severity}: ${oneLine(problem.message)}` };
}

function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  const key = (e: BaselineEntry): string => `${e.file}\t${e.rule}\t${e.fingerprint}\t${e.message}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

/** The baseline file's text: the header, then one sorted line per problem. */
export function renderBaseline(problems: readonly BaselineProblem[]): string {
  const entries = problems.map(baselineEntry).sort(compareEntries);
  // File and message are on one line with tabs escaped (oneLine), so the columns cannot shift.
  return `${[...BASELINE_HEADER, ...entries.map((e) => [e.rule, e.file, e.fingerprint, e.message].join('\t'))].join('\n')}\n`;
}

export class BaselineFormatError extends Error {}

/** The entries of a baseline file; a line that is not one throws, naming the line and what it should be. */
export function parseBaseline(text: string): BaselineEntry[] {
  const entries: BaselineEntry[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [rule, file, fingerprint, ...message] = line.split('\t');
    if (file === undefined || fingerprint === undefined || !/^[0-9a-f]{16}$/.test(fingerprint) || !rule) {
      throw new BaselineFormatError(`line ${i + 1} is not a baseline entry (rule, file, 16-digit fingerprint and message, separated by tabs). Write the file again with --write-baseline, or fix the line.`);
    }
    entries.push({ rule, file, fingerprint, message: message.join('\t') });
  }
  return entries;
}

export interface BaselineOutcome<P> {
  /** Problems not in the baseline: the ones reported. */
  fresh: P[];
  /** How many problems the baseline matched (not reported). */
  suppressed: number;
  /** Entries no problem matched in the files checked: fixed since the baseline was written. */
  stale: BaselineEntry[];
}

/**
 * Splits `problems` into new ones and baselined ones. Entries are counted, not just looked up: a file
 * with two identical known problems and a third new one reports the third. Only entries of files in
 * `checkedFiles` can be stale (with --changed-since the others were not looked at); `undefined`: all.
 */
export function applyBaseline<P extends BaselineProblem>(problems: readonly P[], entries: readonly BaselineEntry[], checkedFiles?: Iterable<string>): BaselineOutcome<P> {
  const checked = checkedFiles && new Set([...checkedFiles].map(oneLine));
  const keyOf = (file: string, rule: string, fingerprint: string): string => `${file}\0${rule}\0${fingerprint}`;
  const remaining = new Map<string, BaselineEntry[]>();
  for (const entry of entries) {
    const key = keyOf(entry.file, entry.rule, entry.fingerprint);
    remaining.set(key, [...(remaining.get(key) ?? []), entry]);
  }
  const fresh: P[] = [];
  let suppressed = 0;
  for (const problem of problems) {
    const known = remaining.get(keyOf(oneLine(problem.file), problemRule(problem), problemFingerprint(problem)));
    if (known && known.length > 0) {
      known.pop();
      suppressed++;
    } else fresh.push(problem);
  }
  const stale = [...remaining.values()].flat().filter((e) => checked === undefined || checked.has(e.file)).sort(compareEntries);
  return { fresh, suppressed, stale };
}
