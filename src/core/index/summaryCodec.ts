/**
 * The compact wire form of index summaries, for the parallel build's worker → main thread messages
 * (README, Performance). As plain JSON objects the 20,000 summaries of the bench corpus are 43 MB, most of it the
 * same eleven keys on each of 100,000 steps and the same few "why it cannot run" sentences; the main
 * thread's JSON.parse of that competed with the workers for the two cores. Here a summary is a JSON
 * array of its values in a fixed order, steps are flattened into one array per runbook, a step's
 * section is its heading's index, headings leave out their slug (made again from the text) and the
 * stock reasons are small numbers: well under a third of the text, fewer strings for the main thread
 * to allocate, and the main thread builds each object with one literal (same key order as
 * summarizeRunbook / summarizeIncident, so snapshots print the same). Runbooks' headings and steps are
 * decoded only when first read (see {@link EncodedFiles}).
 * `decodeIndexedFiles(encodeIndexedFiles(x))` deep-equals `x` for every summary the parsers make
 * (test/unit/indexEquivalence.test.ts).
 */
import type { Problem } from '../text/fileText';
import { TIMESTAMP_FIELDS, type TimestampField } from '../incident/incident';
import type { IncidentCheckFacts } from '../incident/incidentCheck';
import type { IncidentSummary } from '../incident/incidentSummary';
import type { RunbookSummary, StepSummary } from './workspaceIndex';
import type { FileKind } from '../config/paths';
import type { RunbookHeading } from '../runbook/runbook';
import { notShellReason, slugify, STEP_REASONS } from '../runbook/runbook';
import type { BlockShape } from '../runbook/shellTranscript';

/** One file's outcome, as an index worker sends it: its summary, the check's facts, or the path alone when it no longer exists. */
export type IndexedFile =
  /**
   * `unreadable`: the summary only says the file could not be read (`check` job); `givenUp`: it only
   * says a worker gave up on the file (parse budget; set by the pool, never by a worker); `encoded`: the
   * summary's compact text as the worker sent it (only when the build asked for it: the summary cache).
   */
  | { kind: FileKind; summary: RunbookSummary | IncidentSummary; unreadable?: boolean; givenUp?: boolean; encoded?: EncodedFile }
  | { kind: 'incident'; checked: IncidentCheckFacts }
  | { kind: FileKind; missing: string };

const RUNBOOK = 0;
const INCIDENT = 1;
const MISSING = 2;

const SHAPES: readonly BlockShape[] = ['script', 'transcript', 'foreign-transcript', 'empty'];
/** Reason codes: 0 none, 1–4 the stock sentences, 5 "`<language>` blocks are not shell commands"; else the text. */
const REASONS: readonly string[] = ['', STEP_REASONS.foreignTranscript, STEP_REASONS.empty, STEP_REASONS.noLanguage, STEP_REASONS.unclosed];
const NOT_SHELL = 5;
/** Values per step in the flattened steps array. */
const STEP_FIELDS = 10;
const RUNNABLE = 1;
const LANGUAGE_GUESSED = 2;
const CONFIRM = 4;
/** An optional string that is absent (JSON has no undefined). */
const ABSENT = 0;
/** A step whose section is the runbook's title (no heading before it). */
const SECTION_IS_TITLE = -1;
/** An empty list of placeholders (most steps have none). */
const NONE = 0;

function encodeReason(step: StepSummary): number | string {
  const { reason } = step;
  if (reason === undefined) return 0;
  const code = REASONS.indexOf(reason);
  if (code > 0) return code;
  return reason === notShellReason(step.language) ? NOT_SHELL : reason;
}

/** The index of a heading with this text, looking back from `from` and then forward; the text itself when none has it. */
function headingWithText(headings: readonly RunbookHeading[], text: string, from: number): number | string {
  for (let k = Math.min(from, headings.length - 1); k >= 0; k--) if (headings[k].text === text) return k;
  for (let k = Math.max(from + 1, 0); k < headings.length; k++) if (headings[k].text === text) return k;
  return text;
}

/** A runbook's core entry, and the JSON text of its headings and steps (decoded only when read). */
function encodeRunbook(r: RunbookSummary): [unknown[], string] {
  const headings: unknown[] = [];
  // A heading's slug is slugify(text) (runbook.ts): the main thread makes it again when it decodes.
  for (const h of r.headings) headings.push(h.level, h.text, h.line);
  const steps: unknown[] = [];
  let before = 0;
  for (const s of r.steps) {
    const flags = (s.runnable ? RUNNABLE : 0) | (s.languageGuessed ? LANGUAGE_GUESSED : 0) | (s.confirm ? CONFIRM : 0);
    // A step's section is a heading's text (or the runbook's title): its index (or -1) says so without
    // repeating it, and the main thread then shares one string. Its title is usually the section: 0.
    // The section is nearly always the last heading before the step, so the search starts there.
    while (before < r.headings.length && r.headings[before].line < s.startLine) before++;
    const section = s.section === r.title ? SECTION_IS_TITLE : headingWithText(r.headings, s.section, before - 1);
    const placeholders = s.placeholders.length === 0 ? NONE : s.placeholders;
    steps.push(s.id, s.title === s.section ? ABSENT : s.title, section, s.language, s.startLine, s.endLine, SHAPES.indexOf(s.shape), flags, placeholders, encodeReason(s));
  }
  const detail = JSON.stringify([headings, steps]);
  const core = [
    RUNBOOK, r.path, r.title, r.titleLine, r.services, r.tags, r.alerts, r.variables, detail.length, r.problems,
    r.owner ?? ABSENT, r.lastReviewed ?? ABSENT, r.reviewEvery ?? ABSENT, r.alertMentions ?? ABSENT,
  ];
  return [core, detail];
}

function encodeIncident(i: IncidentSummary): unknown[] {
  const timestamps: unknown[] = [];
  for (const field of TIMESTAMP_FIELDS) timestamps.push(i.timestamps[field] ?? ABSENT);
  return [
    INCIDENT, i.path, i.id, i.title, i.status, i.severity, i.mode, i.services, timestamps, i.timelineEntries, i.actionItems.open, i.actionItems.total,
    i.runbooks, i.problems, i.commander ?? ABSENT, i.summaryExcerpt ?? ABSENT,
  ];
}

/**
 * An `index` job's results in compact form. `core` is the JSON text of every summary but the runbooks'
 * headings and steps; those are in `details`, each runbook's JSON text one after another (its length in
 * its core entry), and the main thread decodes them only when they are read: most runbooks of a big
 * repository are never expanded in a session, and building their step objects was most of the main
 * thread's share of a build (time the two worker threads then did not get on two cores).
 */
export interface EncodedFiles {
  core: string;
  details: string;
  /** Length of each entry's text in `core`, so a caller can keep one file's entry (the summary cache). */
  coreLengths?: number[];
}

/** One file's entry of {@link EncodedFiles}: its core JSON text and (a runbook's) detail text. */
export interface EncodedFile {
  core: string;
  detail: string;
}

/** Only summaries and missing files: `check` results (facts, unreadable flags) travel as plain JSON. */
export function encodeIndexedFiles(files: readonly IndexedFile[]): EncodedFiles {
  // Each entry stringified alone (the same text as one JSON.stringify of the array), so its length is known.
  const out: string[] = [];
  const details: string[] = [];
  for (const file of files) {
    if ('missing' in file) out.push(JSON.stringify([MISSING, file.kind, file.missing]));
    else if ('summary' in file && file.unreadable === undefined) {
      if (file.kind === 'runbook') {
        const [core, detail] = encodeRunbook(file.summary as RunbookSummary);
        out.push(JSON.stringify(core));
        details.push(detail);
      } else out.push(JSON.stringify(encodeIncident(file.summary as IncidentSummary)));
    } else throw new Error('Only index summaries have a compact form.');
  }
  return { core: `[${out.join(',')}]`, details: details.join(''), coreLengths: out.map((t) => t.length) };
}

/** One "`<language>` blocks are not shell commands" sentence per language, shared by every step that has it. */
const notShellReasons = new Map<string, string>();

function notShellReasonFor(language: string): string {
  let reason = notShellReasons.get(language);
  if (reason === undefined) {
    reason = notShellReason(language);
    if (notShellReasons.size < 256) notShellReasons.set(language, reason);
  }
  return reason;
}

function decodeHeadings(flatHeadings: readonly (number | string)[]): RunbookHeading[] {
  const headings: RunbookHeading[] = [];
  for (let k = 0; k < flatHeadings.length; k += 3) {
    const text = flatHeadings[k + 1] as string;
    headings.push({ level: flatHeadings[k] as number, text, line: flatHeadings[k + 2] as number, slug: slugify(text) });
  }
  return headings;
}

function decodeSteps(flatSteps: readonly unknown[], headings: readonly RunbookHeading[], runbookTitle: string): StepSummary[] {
  const steps: StepSummary[] = [];
  for (let k = 0; k < flatSteps.length; k += STEP_FIELDS) {
    const encodedSection = flatSteps[k + 2] as string | number;
    const section = typeof encodedSection === 'string' ? encodedSection : encodedSection === SECTION_IS_TITLE ? runbookTitle : headings[encodedSection].text;
    const encodedPlaceholders = flatSteps[k + 8] as string[] | typeof NONE;
    const title = flatSteps[k + 1];
    const language = flatSteps[k + 3] as string;
    const flags = flatSteps[k + 7] as number;
    const step: StepSummary = {
      id: flatSteps[k] as string,
      title: title === ABSENT ? section : (title as string),
      section,
      language,
      startLine: flatSteps[k + 4] as number,
      endLine: flatSteps[k + 5] as number,
      shape: SHAPES[flatSteps[k + 6] as number],
      runnable: (flags & RUNNABLE) !== 0,
      languageGuessed: (flags & LANGUAGE_GUESSED) !== 0,
      confirm: (flags & CONFIRM) !== 0,
      placeholders: encodedPlaceholders === NONE ? [] : encodedPlaceholders,
    };
    const reason = flatSteps[k + 9] as number | string;
    if (typeof reason === 'string') step.reason = reason;
    else if (reason === NOT_SHELL) step.reason = notShellReasonFor(language);
    else if (reason !== 0) step.reason = REASONS[reason];
    steps.push(step);
  }
  return steps;
}

/**
 * A runbook summary whose headings and steps are decoded from `detail` when first read (plain data
 * properties otherwise, in summarizeRunbook's key order, so it compares and prints like any summary).
 */
function decodeRunbook(a: unknown[], detail: string): RunbookSummary {
  const title = a[2] as string;
  let pending: string | undefined = detail;
  let headings: RunbookHeading[] = [];
  let steps: StepSummary[] = [];
  const materialize = (): void => {
    const [flatHeadings, flatSteps] = JSON.parse(pending!) as [(number | string)[], unknown[]];
    pending = undefined;
    headings = decodeHeadings(flatHeadings);
    steps = decodeSteps(flatSteps, headings, title);
  };
  const summary: RunbookSummary = {
    path: a[1] as string,
    title,
    titleLine: a[3] as number,
    services: a[4] as string[],
    tags: a[5] as string[],
    alerts: a[6] as string[],
    variables: a[7] as string[],
    get headings(): RunbookHeading[] {
      if (pending !== undefined) materialize();
      return headings;
    },
    get steps(): StepSummary[] {
      if (pending !== undefined) materialize();
      return steps;
    },
    problems: a[9] as Problem[],
  };
  if (a[10] !== ABSENT) summary.owner = a[10] as string;
  if (a[11] !== ABSENT) summary.lastReviewed = a[11] as string;
  if (a[12] !== ABSENT) summary.reviewEvery = a[12] as string;
  if (a[13] !== undefined && a[13] !== ABSENT) summary.alertMentions = a[13] as string[];
  return summary;
}

function decodeIncident(a: unknown[]): IncidentSummary {
  const timestamps: Partial<Record<TimestampField, string>> = {};
  const written = a[8] as (string | 0)[];
  for (let k = 0; k < TIMESTAMP_FIELDS.length; k++) if (written[k] !== ABSENT) timestamps[TIMESTAMP_FIELDS[k]] = written[k] as string;
  const summary: IncidentSummary = {
    path: a[1] as string,
    id: a[2] as string,
    title: a[3] as string,
    status: a[4] as string,
    severity: a[5] as string,
    mode: a[6] as string,
    services: a[7] as string[],
    timestamps,
    timelineEntries: a[9] as number,
    actionItems: { open: a[10] as number, total: a[11] as number },
    runbooks: a[12] as string[],
    problems: a[13] as Problem[],
  };
  if (a[14] !== ABSENT) summary.commander = a[14] as string;
  if (a[15] !== ABSENT) summary.summaryExcerpt = a[15] as string;
  return summary;
}

/**
 * The results {@link encodeIndexedFiles} encoded, in order. With `keepText` (and `coreLengths`), each
 * summary's entry also carries its encoded text, `encoded`, for the summary cache to store as it came.
 */
export function decodeIndexedFiles({ core, details, coreLengths }: EncodedFiles, keepText = false): IndexedFile[] {
  const encoded = JSON.parse(core) as unknown[][];
  const out: IndexedFile[] = [];
  const lengths = keepText && coreLengths?.length === encoded.length ? coreLengths : undefined;
  let detailAt = 0;
  let coreAt = 1;
  for (let k = 0; k < encoded.length; k++) {
    const a = encoded[k];
    const text = lengths && core.slice(coreAt, coreAt + lengths[k]);
    if (lengths) coreAt += lengths[k] + 1;
    if (a[0] === RUNBOOK) {
      const detailEnd = detailAt + (a[8] as number);
      const detail = details.slice(detailAt, detailEnd);
      out.push(text === undefined ? { kind: 'runbook', summary: decodeRunbook(a, detail) } : { kind: 'runbook', summary: decodeRunbook(a, detail), encoded: { core: text, detail } });
      detailAt = detailEnd;
    } else if (a[0] === INCIDENT) out.push(text === undefined ? { kind: 'incident', summary: decodeIncident(a) } : { kind: 'incident', summary: decodeIncident(a), encoded: { core: text, detail: '' } });
    else out.push({ kind: a[1] as FileKind, missing: a[2] as string });
  }
  return out;
}
