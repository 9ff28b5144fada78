/**
 * Which runbooks answer an alert (issue 19, item 1), best first. Alert runbooks are found the ways teams
 * link them: the alert's own `runbook_url` annotation, a runbook's front-matter `alerts`, a file named after
 * the alert (`alerts/<component>/<AlertName>.md`, `docs/runbooks/VirtHandlerDown.md`,
 * `manual/alerts/whitehall-error-ratio-too-high.html.md`), a heading naming it (one page, many alert
 * sections), and last the alert names a runbook's text mentions.
 */
import type { RunbookHeading } from '../runbook/runbook';
import type { RunbookSummary } from '../index/workspaceIndex';
import { escapeRegExp } from '../text/regExpSource';
import type { Alert } from './alertInput';

/** Why a runbook matched, in rank order. */
export type AlertMatchReason = 'runbook-url' | 'front-matter' | 'file-name' | 'heading' | 'mention';

const RANK: readonly AlertMatchReason[] = ['runbook-url', 'front-matter', 'file-name', 'heading', 'mention'];

export interface AlertMatch {
  /** The summary matched (the same object as given), so a caller can find where it lives. */
  summary: RunbookSummary;
  path: string;
  title: string;
  reason: AlertMatchReason;
  /** Where to open it (1-based): the heading that names the alert, else the title. */
  line: number;
  /** The heading opened at, when there is one. */
  heading?: string;
  /** In the path: `deprecated_runbooks/`, `archive/`… Ranked after the others of its tier. */
  retired: boolean;
}

/** The annotations Alertmanager users put a runbook link in. */
const URL_ANNOTATIONS = ['runbook_url', 'runbook', 'runbookUrl', 'runbook-url'];

/** Lower-case letters and digits only: `Whitehall error-ratio_too high` and `WhitehallErrorRatioTooHigh` meet. */
export function alertNameKey(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

const RETIRED_SEGMENT = /^(?:deprecated|archived?|obsolete|retired|old)(?:[-_ ]|$)|[-_](?:deprecated|archived?|obsolete|retired)$/i;

function isRetired(path: string): boolean {
  return path.split('/').slice(0, -1).some((segment) => RETIRED_SEGMENT.test(segment));
}

/** Page extensions a documentation site drops from its URLs (`x.html.md` is served as `x.html`). */
const PAGE_EXTENSION = /\.(?:html?\.(?:md|markdown|erb)|html\.md\.erb|md|markdown|mdx|html?)$/i;

/** A runbook path as a site serves it: extension dropped, `index` pages named by their folder. */
function pageSegments(path: string): string[] {
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.length === 0) return segments;
  segments[segments.length - 1] = segments[segments.length - 1].replace(PAGE_EXTENSION, '');
  const last = segments[segments.length - 1].toLowerCase();
  if (last === 'index' || last === '_index' || last === 'readme') segments.pop();
  return segments;
}

/** The file's name without its page extension (the folder's name for an `index.md`). */
function pageStem(path: string): string {
  const segments = pageSegments(path);
  return segments[segments.length - 1] ?? '';
}

interface UrlTarget {
  segments: string[];
  fragment?: string;
}

/** The path segments and fragment of a runbook link; GitHub's `blob/<ref>/` and `tree/<ref>/` are dropped. */
function urlTarget(url: string): UrlTarget | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim().replace(/^<(.*)>$/, '$1'), 'relative:/');
  } catch {
    return undefined;
  }
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  let segments = parsed.pathname.split('/').filter((s) => s !== '').map(decode);
  const ref = segments.findIndex((s, i) => (s === 'blob' || s === 'tree') && i >= 2 && i + 1 < segments.length);
  if (parsed.hostname === 'github.com' && ref >= 0) segments = segments.slice(ref + 2);
  segments = pageSegments(segments.join('/'));
  const fragment = parsed.hash.length > 1 ? decode(parsed.hash.slice(1)) : undefined;
  return { segments, ...(fragment ? { fragment } : {}) };
}

/** How many trailing segments two paths share, ignoring case. */
function sharedSuffix(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n].toLowerCase() === b[b.length - 1 - n].toLowerCase()) n++;
  return n;
}

/** The heading a URL's `#fragment` names. */
function headingFor(headings: readonly RunbookHeading[], fragment: string): RunbookHeading | undefined {
  const slug = fragment.toLowerCase();
  return headings.find((h) => h.slug === slug);
}

/** A heading that names the alert: all of it (`## VirtHandlerDown`, `# Whitehall error ratio too high`), or one of its words. */
function headingNaming(headings: readonly RunbookHeading[], name: string, key: string): RunbookHeading | undefined {
  const lower = name.toLowerCase();
  return (
    headings.find((h) => alertNameKey(h.text) === key) ??
    headings.find((h) => h.text.split(/[^\p{L}\p{N}_-]+/u).some((word) => word.toLowerCase() === lower))
  );
}

function runbookUrls(alert: Alert): string[] {
  return URL_ANNOTATIONS.map((k) => alert.annotations[k]).filter((u): u is string => typeof u === 'string' && u.trim() !== '');
}

/**
 * The runbooks that answer `alert`, best first: each runbook once, under its best reason. Within a reason,
 * retired paths come last, then paths in order. A `runbook_url` takes the runbooks whose path shares the
 * longest tail with the URL's path (the URL's host and site prefix are not in the repository).
 */
export function findRunbooksForAlert(alert: Alert, runbooks: Iterable<RunbookSummary>): AlertMatch[] {
  const name = alert.name.trim();
  const key = alertNameKey(name);
  const all = [...runbooks];
  const found = new Map<string, AlertMatch>();
  const add = (runbook: RunbookSummary, reason: AlertMatchReason, heading?: RunbookHeading): void => {
    if (found.has(runbook.path)) return;
    found.set(runbook.path, {
      summary: runbook,
      path: runbook.path,
      title: runbook.title,
      reason,
      line: heading?.line ?? runbook.titleLine,
      // The title's own heading is not a section to name.
      ...(heading && heading.line !== runbook.titleLine ? { heading: heading.text } : {}),
      retired: isRetired(runbook.path),
    });
  };

  for (const url of runbookUrls(alert)) {
    const target = urlTarget(url);
    if (!target || target.segments.length === 0) continue;
    let best = 0;
    let bestRunbooks: RunbookSummary[] = [];
    for (const runbook of all) {
      const shared = sharedSuffix(pageSegments(runbook.path), target.segments);
      if (shared === 0 || shared < best) continue;
      if (shared > best) bestRunbooks = [];
      best = shared;
      bestRunbooks.push(runbook);
    }
    for (const runbook of bestRunbooks) {
      const heading = target.fragment !== undefined ? headingFor(runbook.headings, target.fragment) : undefined;
      add(runbook, 'runbook-url', heading ?? (key ? headingNaming(runbook.headings, name, key) : undefined));
    }
  }
  if (key === '') return ordered(found);

  // One pass: each runbook under its best reason (the order is the sort's, in `ordered`).
  for (const runbook of all) {
    if (found.has(runbook.path)) continue;
    const heading = headingNaming(runbook.headings, name, key);
    if (runbook.alerts.some((a) => alertNameKey(a) === key)) add(runbook, 'front-matter', heading);
    else if (alertNameKey(pageStem(runbook.path)) === key) add(runbook, 'file-name', heading);
    else if (heading) add(runbook, 'heading', heading);
    else if (runbook.alertMentions?.some((a) => alertNameKey(a) === key)) add(runbook, 'mention');
  }
  return ordered(found);
}

function ordered(found: Map<string, AlertMatch>): AlertMatch[] {
  return [...found.values()].sort(
    (a, b) => RANK.indexOf(a.reason) - RANK.indexOf(b.reason) || Number(a.retired) - Number(b.retired) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}

/** The first line (1-based) of `text` that names the alert as a word, for a match found by mention. */
export function lineMentioning(text: string, name: string): number | undefined {
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(name)}(?![\\p{L}\\p{N}_])`, 'iu');
  const lines = text.split('\n');
  const index = lines.findIndex((line) => pattern.test(line));
  return index >= 0 ? index + 1 : undefined;
}

/** Why, in words, for the CLI and the quick pick. */
export function describeAlertMatch(match: AlertMatch, alert: Alert): string {
  const at = match.heading !== undefined ? ` (section “${match.heading}”)` : '';
  switch (match.reason) {
    case 'runbook-url':
      return `the alert's runbook_url points here${at}`;
    case 'front-matter':
      return `front matter lists ${alert.name}${at}`;
    case 'file-name':
      return `the file is named after ${alert.name}${at}`;
    case 'heading':
      return `a heading names ${alert.name}${at}`;
    case 'mention':
      return `the text mentions ${alert.name}`;
  }
}
