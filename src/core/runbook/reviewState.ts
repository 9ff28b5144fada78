/** A review that falls due within this many days (today included) is "due soon". */
export const DUE_SOON_DAYS = 14;

export type ReviewStatus = 'ok' | 'due-soon' | 'overdue' | 'unknown';

/** Where the last review date came from: front-matter `last_reviewed`, the last commit, or nowhere. */
export type ReviewDateSource = 'front-matter' | 'git' | 'none';

export interface ReviewInputs {
  /** Front-matter `last_reviewed`, YYYY-MM-DD. */
  lastReviewed?: string;
  /** Front-matter `review_every`: 90d, 12w, 6m, 1y. */
  reviewEvery?: string;
  /** Date of the last commit that changed the file, ISO 8601 (as `git log --format=%cI` prints it). */
  lastCommitDate?: string;
}

export interface ReviewState {
  state: ReviewStatus;
  source: ReviewDateSource;
  /** YYYY-MM-DD. */
  reviewedOn?: string;
  /** YYYY-MM-DD: reviewedOn plus the interval. */
  dueOn?: string;
  /** Days from today to dueOn; negative once overdue. */
  daysUntilDue?: number;
}

export type IntervalUnit = 'd' | 'w' | 'm' | 'y';

export interface ReviewInterval {
  count: number;
  unit: IntervalUnit;
}

const INTERVAL = /^\s*(\d+)\s*([dwmy])\s*$/i;
const CALENDAR_DAY = /^(\d{4})-(\d{2})-(\d{2})/;
const DAY_MS = 86_400_000;

/** Parses `90d`, `12w`, `6m`, `1y`; undefined for anything else, zero included. */
export function parseReviewInterval(text: string): ReviewInterval | undefined {
  const match = INTERVAL.exec(text);
  if (!match) return undefined;
  const count = Number(match[1]);
  if (!Number.isSafeInteger(count) || count < 1) return undefined;
  return { count, unit: match[2].toLowerCase() as IntervalUnit };
}

/** Milliseconds since the epoch of a YYYY-MM-DD day at UTC midnight, or undefined for no such day. */
function dayToUtc(text: string): number | undefined {
  const match = CALENDAR_DAY.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = Date.UTC(year, month - 1, day);
  const check = new Date(utc);
  // Date.UTC rolls 2026-02-30 over into March; such a day does not exist.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  return utc;
}

function formatUtcDay(utc: number): string {
  return new Date(utc).toISOString().slice(0, 10);
}

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(Date.UTC(year, monthIndex + 1, 0)).getUTCDate();
}

/** `day` (YYYY-MM-DD) plus the interval; months and years end on the last day of a shorter month (Jan 31 + 1m = Feb 28). */
export function addReviewInterval(day: string, interval: ReviewInterval): string {
  const utc = dayToUtc(day);
  if (utc === undefined) throw new RangeError(`${day} is not a YYYY-MM-DD date`);
  if (interval.unit === 'd' || interval.unit === 'w') {
    return formatUtcDay(utc + interval.count * (interval.unit === 'w' ? 7 : 1) * DAY_MS);
  }
  const start = new Date(utc);
  const months = interval.count * (interval.unit === 'y' ? 12 : 1);
  const monthIndex = start.getUTCMonth() + months;
  const year = start.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = monthIndex % 12;
  const date = Math.min(start.getUTCDate(), daysInMonth(year, month));
  return formatUtcDay(Date.UTC(year, month, date));
}

/** The calendar day `now` falls on where the user is (a review falls due on their day, not UTC's). */
export function localDay(now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The day of the last review: front matter first, else the day of the last commit in its committer's time zone. */
function lastReviewDay(inputs: ReviewInputs): { day: string; source: ReviewDateSource } | undefined {
  if (inputs.lastReviewed !== undefined && dayToUtc(inputs.lastReviewed) !== undefined) {
    return { day: inputs.lastReviewed.slice(0, 10), source: 'front-matter' };
  }
  if (inputs.lastCommitDate !== undefined && dayToUtc(inputs.lastCommitDate) !== undefined) {
    return { day: inputs.lastCommitDate.slice(0, 10), source: 'git' };
  }
  return undefined;
}

/**
 * Review state of one runbook on `now`'s local day. `review_every` overrides `defaultInterval` (the
 * setting) and applies to a date from git too. With no date at all, or no usable interval, the state is
 * `unknown`.
 */
export function reviewState(inputs: ReviewInputs, defaultInterval: string | ReviewInterval, now: Date): ReviewState {
  const last = lastReviewDay(inputs);
  if (!last) return { state: 'unknown', source: 'none' };
  const fallback = typeof defaultInterval === 'string' ? parseReviewInterval(defaultInterval) : defaultInterval;
  const interval = (inputs.reviewEvery !== undefined ? parseReviewInterval(inputs.reviewEvery) : undefined) ?? fallback;
  if (!interval) return { state: 'unknown', source: last.source, reviewedOn: last.day };
  const dueOn = addReviewInterval(last.day, interval);
  const daysUntilDue = Math.round((dayToUtc(dueOn)! - dayToUtc(localDay(now))!) / DAY_MS);
  const state: ReviewStatus = daysUntilDue < 0 ? 'overdue' : daysUntilDue <= DUE_SOON_DAYS ? 'due-soon' : 'ok';
  return { state, source: last.source, reviewedOn: last.day, dueOn, daysUntilDue };
}
