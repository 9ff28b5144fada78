// One file on purpose (~830 lines): every rule of one record runs over one parsed source tree in one
// pass, so positions are computed once; the model, summary, edits and merge are separate files.
import { LineCounter, parseDocument, Scalar, type Document } from 'yaml';
import { decodeFileText, type Problem } from '../text/fileText';
import { escapeRegExp } from '../text/regExpSource';
import {
  ACTION_ITEM_FIELDS,
  ACTION_ITEM_STATUSES,
  INCIDENT_FIELDS,
  INCIDENT_MODES,
  INCIDENT_STATUSES,
  isCalendarDate,
  LINK_FIELDS,
  parseTimestamp,
  REQUIRED_INCIDENT_FIELDS,
  STATUS_TIMESTAMPS,
  TIMELINE_ENTRY_FIELDS,
  TIMELINE_KINDS,
  TIMESTAMP_FIELDS,
  workflowIndex,
  type IncidentRecord,
  type TimestampField,
} from './incident';
import { closestKnownName } from '../text/nameDistance';
import { isEmptyNode, loadPlain, pairOf, sourceFromDocument, sourceFromPlain, type SourceNode } from '../text/incidentSource';
import { findMergeConflicts } from '../text/mergeConflicts';
import { fileStem } from '../config/paths';
import { DEFAULT_REPO_CONFIG, type RepoConfig } from '../config/repoConfig';
import { renderScalar } from './incidentYamlText';
import { linePosition, readYamlSubset } from '../text/yamlSubset';

/** Why a problem was reported, so editors can offer the matching quick fix. */
export type IncidentProblemCode =
  | 'not-text'
  /** An index worker gave up reading the file (parse budget, issue 14). */
  | 'gave-up'
  | 'yaml-syntax'
  | 'duplicate-key'
  | 'alias-limit'
  | 'merge-conflict'
  | 'not-a-mapping'
  | 'large-file'
  | 'missing-field'
  | 'wrong-type'
  | 'misspelled-field'
  | 'unknown-status'
  | 'unknown-severity'
  | 'unknown-mode'
  | 'unknown-kind'
  | 'unknown-action-item-status'
  | 'bad-timestamp'
  | 'future-timestamp'
  | 'missing-status-timestamp'
  | 'timestamp-after-status'
  | 'timestamp-order'
  | 'missing-commander'
  | 'id-file-name'
  | 'duplicate-id'
  | 'duplicate-action-item'
  | 'duplicate-entry'
  | 'missing-runbook'
  | 'path-outside-repository'
  | 'missing-step'
  | 'unsorted-timeline'
  /** A free-text value followed by ` #…` on its line: YAML cut the text there (the quick fix quotes it whole). */
  | 'comment-in-text';

export interface IncidentProblem extends Problem {
  code: IncidentProblemCode;
  /** The field the problem is about (`mitigated_at`, `status`, `timeline`…). */
  field?: string;
  /** The likely intended value or key name, for "did you mean" fixes. */
  suggestion?: string;
}

export interface IncidentValidationContext {
  config?: RepoConfig;
  /** Repository-relative paths of the runbooks that exist; without it, runbook references are not checked. */
  runbookPaths?: ReadonlySet<string>;
  /** Step ids by runbook path, to check `step: path#id` in action entries (optional). */
  runbookStepIds?: ReadonlyMap<string, ReadonlySet<string>>;
  /** "Now", for future-timestamp warnings (default: the clock). */
  now?: Date;
  /** Always parse with the `yaml` package, skipping the js-yaml pre-check (tests compare both paths). */
  skipQuickCheck?: boolean;
}

export interface IncidentIdLocation {
  value: string;
  line: number;
  column: number;
  endColumn: number;
}

export interface IncidentValidation {
  path: string;
  /** The record's id and where it is written, when it has one (for cross-file duplicate checks). */
  id?: IncidentIdLocation;
  /** The record's data, when the file is a YAML mapping. */
  record?: IncidentRecord;
  problems: IncidentProblem[];
}

/** Incident records are a few KB; past this, say so (validation still runs). */
export const LARGE_RECORD_BYTES = 1_000_000;
/** Longest implicit key YAML 1.2 (and the `yaml` package) allows. */
const MAX_IMPLICIT_KEY_CHARS = 1024;
/** A long line with no `:` in its first 1,024 characters (past indentation and a `- `). */
const SHORT_KEY = /^[ \t]*(?:- )?[^:]{0,1024}:/;

function mayHaveOverlongKey(line: string): boolean {
  return line.length > MAX_IMPLICIT_KEY_CHARS && !SHORT_KEY.test(line);
}

/** The `yaml` package's own default, kept explicit: expanding more aliases than this is refused. */
const MAX_ALIAS_COUNT = 100;
/** Clocks differ a little between the people writing a record; later than this is "in the future". */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const TIMESTAMP_EXAMPLE = '2026-11-23T09:06:00Z';

type Report = (node: SourceNode | undefined, severity: Problem['severity'], code: IncidentProblemCode, message: string, extra?: { field?: string; suggestion?: string }) => void;

/** Stops the js-yaml pass at the first finding: the `yaml` pass then reports everything with positions. */
class FoundProblem extends Error {}

function list(values: readonly string[]): string {
  return values.join(', ');
}

function describeKind(node: SourceNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  if (node.value === null) return 'empty';
  return typeof node.value === 'string' ? 'text' : `${typeof node.value} ${node.text}`;
}

function isText(node: SourceNode | undefined): node is SourceNode {
  return node !== undefined && node.kind === 'scalar' && typeof node.value === 'string';
}

/** Scalars that are not collections: numbers and booleans read fine as text for names and descriptions. */
function isScalarValue(node: SourceNode | undefined): node is SourceNode {
  return node !== undefined && node.kind === 'scalar' && node.value !== null;
}

/** Where the top-level `id:` is written, for records checked by the fast path (which has no positions). */
function locateId(lines: readonly string[], id: string): IncidentIdLocation {
  for (let i = 0; i < lines.length; i++) {
    const m = /^id:[ \t]*(["']?)/.exec(lines[i]);
    if (!m) continue;
    // Like the `yaml` node range: from the opening quote, if any, to just after the closing one.
    const column = m[0].length - m[1].length + 1;
    return { value: id, line: i + 1, column, endColumn: column + id.length + 2 * m[1].length };
  }
  return { value: id, line: 1, column: 1, endColumn: 1 };
}

function yamlErrorCode(code: string): IncidentProblemCode {
  return code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax';
}

function yamlErrorMessage(code: string, message: string): string {
  const base = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '').replace(/\.$/, '');
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'This key appears twice in the same mapping; YAML keeps only one of them. Merge the two entries or delete one.';
    case 'MULTIPLE_DOCS':
      return 'This file holds more than one YAML document (a line with ---); an incident record is one document. Remove the --- line or split the file.';
    case 'RESOURCE_EXHAUSTION':
      return `This value is nested too deeply for the YAML parser (${base}). Incident records need a few levels at most: flatten it.`;
    case 'TAB_AS_INDENT':
      return 'Tabs cannot indent YAML. Replace the tab with spaces.';
    default:
      return `YAML syntax error: ${base}. Fix the YAML here; the record cannot be checked further until it parses.`;
  }
}

/**
 * Validates one incident record against every rule of the record format (README, Incident records; incident.schema.json). Never throws: unreadable, broken
 * or hostile input (binary, merge conflicts, YAML errors, alias bombs, a list instead of a mapping)
 * becomes a problem with its position. Cross-file rules (duplicate ids) are in
 * {@link findDuplicateIncidentIds}.
 */
export function validateIncident(path: string, content: string | Uint8Array, context: IncidentValidationContext = {}): IncidentValidation {
  const result: IncidentValidation = { path, problems: [] };
  try {
    fillValidation(result, content, context);
  } catch (err) {
    result.problems.push({ line: 1, severity: 'error', code: 'yaml-syntax', message: `Runbook Ops could not check this file: ${(err as Error).message}` });
  }
  result.problems.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
  return result;
}

function fillValidation(result: IncidentValidation, content: string | Uint8Array, context: IncidentValidationContext): void {
  const decoded = decodeFileText(content);
  for (const p of decoded.problems) result.problems.push({ ...p, code: 'not-text' });
  if (decoded.binary) return;
  const text = decoded.text;
  const lines = text.split('\n');
  if (text.length > LARGE_RECORD_BYTES) {
    result.problems.push({
      line: 1,
      severity: 'warning',
      code: 'large-file',
      message: `This record is ${(text.length / 1_000_000).toFixed(1)} MB; incident records are normally a few KB, and large ones make every edit and review slow. Move logs and command output to a linked file.`,
    });
  }
  const conflicts = findMergeConflicts(lines).map((p): IncidentProblem => ({ ...p, code: 'merge-conflict' }));
  if (conflicts.length > 0) {
    result.problems.push(...conflicts);
    return;
  }
  const config = context.config ?? DEFAULT_REPO_CONFIG;
  const nowMs = (context.now ?? new Date()).getTime();

  // js-yaml and the subset reader accept implicit keys of any length; `yaml` (which every edit uses)
  // refuses keys over 1,024 characters. Records with lines that long go to the `yaml` pass so the
  // validator never passes a record that no edit can open.
  if (!context.skipQuickCheck && !lines.some(mayHaveOverlongKey)) {
    // Records in the plain subset of YAML (nearly all) are read with the `yaml` package's node ranges,
    // so every problem gets its exact position without that parser (the same result, README, Performance).
    const subset = readYamlSubset(text, lines);
    if (subset) {
      const position: Position = (offset) => linePosition(lines, offset);
      checkRecord(subset.node, { path: result.path, config, nowMs, context, report: rangeReporter(result, position), source: text });
      result.record = subset.value as IncidentRecord;
      const id = pairOf(subset.node, 'id')?.value;
      if (isScalarValue(id)) result.id = idLocation(id, position);
      return;
    }
    let quickRoot: SourceNode | undefined;
    let plain: unknown;
    try {
      // js-yaml gives no positions, so a text cut by a comment could not be seen there: such records take the `yaml` pass.
      if (!FREE_TEXT_BEFORE_COMMENT.test(text)) {
        plain = loadPlain(text);
        quickRoot = sourceFromPlain(plain);
      }
    } catch {
      // js-yaml refused it, or it uses aliases: the `yaml` pass below says exactly what is wrong.
      quickRoot = undefined;
    }
    if (quickRoot) {
      // js-yaml gives no positions: it only says whether the record is clean; the `yaml` pass below reports.
      const quick = quickRoot;
      const report: Report = () => {
        throw new FoundProblem();
      };
      try {
        checkRecord(quick, { path: result.path, config, nowMs, context, report });
        result.record = plain as IncidentRecord;
        const id = pairOf(quick, 'id')?.value;
        if (isScalarValue(id)) result.id = locateId(lines, id.text);
        return;
      } catch (err) {
        if (!(err instanceof FoundProblem)) throw err;
      }
    }
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, keepSourceTokens: false });
  const position = (offset: number): { line: number; col: number } => lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
  const report = rangeReporter(result, position);
  for (const error of doc.errors) {
    const start = position(error.pos[0]);
    const end = position(error.pos[1]);
    result.problems.push({ line: start.line, column: start.col, endLine: end.line, endColumn: end.col, severity: 'error', code: yamlErrorCode(error.code), message: yamlErrorMessage(error.code, error.message) });
  }
  for (const warning of doc.warnings) {
    const start = position(warning.pos[0]);
    result.problems.push({ line: start.line, column: start.col, severity: 'warning', code: 'yaml-syntax', message: `${warning.message.split('\n')[0]}.` });
  }
  // Syntax errors other than duplicate keys make the structure a guess: report them alone.
  if (doc.errors.some((e) => e.code !== 'DUPLICATE_KEY')) return;
  if (!boundedAliases(doc, text, position, result)) return;
  const root = sourceFromDocument(doc);
  checkRecord(root, { path: result.path, config, nowMs, context, report, source: text });
  if (root.kind === 'map') {
    result.record = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as IncidentRecord;
    const idNode = pairOf(root, 'id')?.value;
    if (isScalarValue(idNode) && idNode.range) result.id = idLocation(idNode, position);
  }
}

type Position = (offset: number) => { line: number; col: number };

/** Reports problems into `result` at their nodes' ranges. */
function rangeReporter(result: IncidentValidation, position: Position): Report {
  return (node, severity, code, message, extra) => {
    const problem: IncidentProblem = { line: 1, severity, code, message, ...extra };
    if (node?.range) {
      const start = position(node.range[0]);
      const end = position(Math.max(node.range[1], node.range[0]));
      problem.line = start.line;
      problem.column = start.col;
      problem.endLine = end.line;
      problem.endColumn = end.col;
    }
    result.problems.push(problem);
  };
}

function idLocation(idNode: SourceNode, position: Position): IncidentIdLocation {
  const start = position(idNode.range![0]);
  const end = position(idNode.range![1]);
  return { value: idNode.text, line: start.line, column: start.col, endColumn: end.line === start.line ? end.col : start.col + idNode.text.length };
}

/** Refuses documents whose aliases would expand past the limit (a "billion laughs" alias bomb). */
function boundedAliases(doc: Document, text: string, position: (offset: number) => { line: number; col: number }, result: IncidentValidation): boolean {
  if (!/[*&]/.test(text)) return true;
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return true;
  } catch (err) {
    // `yaml` throws a ReferenceError for an alias whose anchor is not defined before it: no bomb, a typo.
    const unresolved = err instanceof ReferenceError ? /: (\S+)$/.exec(err.message)?.[1] : undefined;
    if (unresolved !== undefined) {
      const at = new RegExp(`(^|[\\s[{,:-])\\*${escapeRegExp(unresolved)}(?=$|[\\s,\\]}])`, 'm').exec(text);
      const pos = position(at ? at.index + at[1].length : 0);
      result.problems.push({
        line: pos.line,
        column: pos.col,
        severity: 'error',
        code: 'yaml-syntax',
        message: `The alias *${unresolved} refers to no anchor: no value before it is marked &${unresolved}. Write the value out instead (incident records never need aliases).`,
      });
      return false;
    }
    const firstAlias = /(^|[\s[{,:-])\*[^\s,[\]{}]/m.exec(text);
    const pos = position(firstAlias ? firstAlias.index + firstAlias[1].length : 0);
    result.problems.push({
      line: pos.line,
      column: pos.col,
      severity: 'error',
      code: 'alias-limit',
      message: `This file's YAML aliases (*name) expand to too much data (${(err as Error).message.toLowerCase()}); it looks like an alias bomb. Incident records never need aliases: write the values out.`,
    });
    return false;
  }
}

interface CheckContext {
  path: string;
  config: RepoConfig;
  nowMs: number;
  context: IncidentValidationContext;
  report: Report;
  /** The record's text, when the nodes have ranges into it (for rules about how a value is written). */
  source?: string;
}

/** A line that may hold a free-text value (`text`, `title`, `summary`, `impact`) followed by a comment (a cheap test before the exact one). */
const FREE_TEXT_BEFORE_COMMENT = /^[ \t]*(?:-[ \t]+)?(?:text|title|summary|impact)[ \t]*:[ \t]+[^\s"'|>#][^\n]*?[ \t]#/m;

/**
 * Warns when a plain free-text value is followed by a comment on its line: `text: Posted to #edge-alerts`
 * reads as "Posted to", silently. The suggestion is the whole line's text, quoted, as the author meant it.
 */
function checkCutByComment(node: SourceNode | undefined, field: string, ctx: CheckContext): void {
  const source = ctx.source;
  if (source === undefined || !isText(node) || !node.range) return;
  const [start, end] = node.range;
  const first = source[start];
  // Quoted and block scalars end where their author said; a comment after them is deliberate.
  if (first === '"' || first === "'" || first === '|' || first === '>') return;
  const newline = source.indexOf('\n', end);
  const rest = source.slice(end, newline === -1 ? source.length : newline).replace(/\r$/, '').trimEnd();
  if (!/^[ \t]+#/.test(rest)) return;
  const meant = node.text + rest;
  const comment = rest.trimStart();
  ctx.report({ ...node, range: [start, end + rest.length] }, 'warning', 'comment-in-text',
    `\`${field}\` stops before “${comment}”: in YAML a # after a space starts a comment, so the value is only “${node.text}”. If the # belongs to the text, quote the whole value: ${renderScalar(meant, Scalar.QUOTE_DOUBLE)}; if it is a comment, put it on a line of its own.`,
    { field, suggestion: renderScalar(meant, Scalar.QUOTE_DOUBLE) });
}

/** The field lists as sets, built once: every map of every record is checked against one of them. */
const KNOWN_FIELD_SETS = new WeakMap<readonly string[], ReadonlySet<string>>();

function knownFieldSet(known: readonly string[]): ReadonlySet<string> {
  let set = KNOWN_FIELD_SETS.get(known);
  if (!set) KNOWN_FIELD_SETS.set(known, (set = new Set(known)));
  return set;
}

function checkUnknownKeys(node: SourceNode, known: readonly string[], where: string, report: Report): void {
  const knownSet = knownFieldSet(known);
  let present: Set<string> | undefined;
  for (const pair of node.pairs) {
    if (pair.keyNode.kind !== 'scalar') {
      report(pair.keyNode, 'error', 'wrong-type', `Keys ${where} must be plain names, not ${describeKind(pair.keyNode)}.`);
      continue;
    }
    if (knownSet.has(pair.key)) continue;
    const guess = closestKnownName(pair.key, known);
    present ??= new Set(node.pairs.map((p) => p.key));
    // Unknown fields are the author's business; only likely typos are worth a word.
    if (guess !== undefined && !present.has(guess)) {
      report(pair.keyNode, 'warning', 'misspelled-field', `Unknown field \`${pair.key}\` ${where}: did you mean \`${guess}\`? It is kept as written, but Runbook Ops ignores it.`, { field: pair.key, suggestion: guess });
    }
  }
}

function checkRecord(root: SourceNode, ctx: CheckContext): void {
  const { report, config } = ctx;
  if (root.kind !== 'map') {
    const what = root.kind === 'seq' ? 'a list' : root.value === null ? 'empty' : 'a single value';
    report(root.kind === 'scalar' && root.value === null ? undefined : root, 'error', 'not-a-mapping',
      `An incident record must be a YAML mapping of fields (id: …, title: …, status: …), but this file is ${what}. Start from a record made by "runbook-ops new incident".`);
    return;
  }
  checkUnknownKeys(root, INCIDENT_FIELDS, 'in an incident record', report);
  const field = (name: string): SourceNode | undefined => pairOf(root, name)?.value;
  const firstKey = root.pairs[0]?.keyNode;

  for (const name of REQUIRED_INCIDENT_FIELDS) {
    const pair = pairOf(root, name);
    if (pair && !isEmptyNode(pair.value)) continue;
    const typo = root.pairs.find((p) => closestKnownName(p.key, [name]) === name && p.key !== name);
    const hint = requiredHint(name, config);
    if (pair) report(pair.keyNode, 'error', 'missing-field', `\`${name}\` is empty. ${hint}`, { field: name });
    else report(typo?.keyNode ?? firstKey, 'error', 'missing-field', `Missing required field \`${name}\`${typo ? ` (\`${typo.key}\` looks like a misspelling of it)` : ''}. ${hint}`, { field: name, suggestion: typo ? name : undefined });
  }

  const id = field('id');
  if (id && !isEmptyNode(id)) {
    if (!isScalarValue(id)) report(id, 'error', 'wrong-type', `\`id\` should be text such as INC-0042, not ${describeKind(id)}.`, { field: 'id' });
    else {
      const stem = fileStem(ctx.path);
      if (id.text !== stem) {
        report(id, 'error', 'id-file-name', `The id ${id.text} does not match the file name ${ctx.path.split('/').pop()}: a record's file is named after its id. Rename the file to ${id.text}.yaml or set \`id: ${stem}\`.`, { field: 'id', suggestion: stem });
      }
    }
  }
  const title = field('title');
  if (title && !isEmptyNode(title) && !isScalarValue(title)) report(title, 'error', 'wrong-type', `\`title\` should be one line of text, not ${describeKind(title)}.`, { field: 'title' });
  for (const name of ['title', 'summary', 'impact']) checkCutByComment(field(name), name, ctx);

  const status = field('status');
  let statusValue: string | undefined;
  if (status && !isEmptyNode(status)) {
    if (!isText(status) || !(INCIDENT_STATUSES as readonly string[]).includes(status.text)) {
      const guess = isScalarValue(status) ? closestKnownName(status.text, INCIDENT_STATUSES) : undefined;
      report(status, 'error', 'unknown-status', `Unknown status \`${status.text || describeKind(status)}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} Use one of: ${list(INCIDENT_STATUSES)}.`, { field: 'status', suggestion: guess });
    } else statusValue = status.text;
  }

  const severity = field('severity');
  if (severity && !isEmptyNode(severity)) {
    const names = config.severities.map((s) => s.name);
    if (!isScalarValue(severity) || !names.includes(severity.text)) {
      const guess = isScalarValue(severity) ? closestKnownName(severity.text, names) : undefined;
      report(severity, 'error', 'unknown-severity', `Unknown severity \`${severity.text || describeKind(severity)}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} Severities in this repository: ${list(names)} (set in .runbook-ops.yaml).`, { field: 'severity', suggestion: guess });
    }
  }

  const mode = field('mode');
  if (mode && !isEmptyNode(mode) && !(isText(mode) && (INCIDENT_MODES as readonly string[]).includes(mode.text))) {
    const guess = isScalarValue(mode) ? closestKnownName(mode.text, INCIDENT_MODES) : undefined;
    report(mode, 'error', 'unknown-mode', `Unknown mode \`${mode.text || describeKind(mode)}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} Use one of: ${list(INCIDENT_MODES)} (only standard incidents count in metrics).`, { field: 'mode', suggestion: guess });
  }

  checkNameList(field('services'), 'services', 'service names, e.g. [checkout-api]', report);

  const commander = field('commander');
  if (commander && !isEmptyNode(commander) && !isScalarValue(commander)) report(commander, 'error', 'wrong-type', `\`commander\` should be one person's name, not ${describeKind(commander)}.`, { field: 'commander' });
  if (statusValue !== undefined && statusValue !== 'triage' && statusValue !== 'cancelled' && isEmptyNode(commander)) {
    report(commander ? pairOf(root, 'commander')!.keyNode : status, 'error', 'missing-commander', `Status is \`${statusValue}\` but no \`commander\` is set. Add \`commander: <name>\`: once an incident is out of triage, someone must be running it.`, { field: 'commander' });
  }

  const roles = field('roles');
  if (roles && !isEmptyNode(roles)) {
    if (roles.kind !== 'map') report(roles, 'error', 'wrong-type', '`roles` should be a mapping of role to person, such as { scribe: bob, comms: carol }.', { field: 'roles' });
    else for (const pair of roles.pairs) if (!isEmptyNode(pair.value) && !isScalarValue(pair.value)) report(pair.value, 'error', 'wrong-type', `Role \`${pair.key}\` should name one person.`, { field: 'roles' });
  }

  const times = checkTimestamps(root, ctx);
  if (statusValue !== undefined) checkStatusTimestamps(root, status!, statusValue, times, report);

  for (const name of ['summary', 'impact', 'postmortem'] as const) {
    const node = field(name);
    if (node && !isEmptyNode(node) && !isScalarValue(node)) report(node, 'error', 'wrong-type', `\`${name}\` should be text, not ${describeKind(node)}.`, { field: name });
  }
  const postmortem = field('postmortem');
  // A URL is fine; a path must stay in the repository.
  // A URL (`https://…`) is fine; a `file:` URL is a path on the reader's machine, and is checked like one.
  const postmortemUrl = postmortem && isText(postmortem) && /^[a-z][a-z0-9+.-]*:\/\//i.test(postmortem.text.trim()) && !/^file:/i.test(postmortem.text.trim());
  if (postmortem && isText(postmortem) && !postmortemUrl && escapesRepository(postmortem.text)) {
    reportOutside(postmortem, 'postmortem', `The postmortem ${postmortem.text.trim()}`, ctx);
  }

  checkRunbooks(field('runbooks'), ctx);
  checkTimeline(field('timeline'), ctx);
  checkActionItems(field('action_items'), ctx);
  checkLinks(field('links'), ctx);
}

function requiredHint(name: string, config: RepoConfig): string {
  switch (name) {
    case 'id':
      return 'Add `id:` with the file name without .yaml (e.g. INC-0042).';
    case 'title':
      return 'Add `title:` with a one-line description of what is broken.';
    case 'status':
      return `Add \`status: triage\` (or one of ${list(INCIDENT_STATUSES)}).`;
    case 'severity':
      return `Add \`severity:\` with one of ${list(config.severities.map((s) => s.name))}.`;
    default:
      return `Add \`declared_at:\` with when the incident was declared, in RFC 3339 with a time zone (e.g. ${TIMESTAMP_EXAMPLE}).`;
  }
}

function checkNameList(node: SourceNode | undefined, name: string, what: string, report: Report): void {
  if (!node || isEmptyNode(node)) return;
  if (node.kind === 'scalar') {
    report(node, 'warning', 'wrong-type', `\`${name}\` should be a list of ${what}; write [${node.text}].`, { field: name, suggestion: `[${node.text}]` });
    return;
  }
  if (node.kind !== 'seq') {
    report(node, 'error', 'wrong-type', `\`${name}\` should be a list of ${what}, not ${describeKind(node)}.`, { field: name });
    return;
  }
  for (const item of node.items) if (!isScalarValue(item)) report(item, 'error', 'wrong-type', `Each entry of \`${name}\` should be a name, not ${describeKind(item)}.`, { field: name });
}

/** Reads and checks one timestamp; returns its instant when it is valid. */
function readTimestamp(node: SourceNode, name: string, ctx: CheckContext): number | undefined {
  if (isEmptyNode(node)) return undefined;
  if (!isScalarValue(node)) {
    ctx.report(node, 'error', 'bad-timestamp', `\`${name}\` should be a timestamp such as ${TIMESTAMP_EXAMPLE}, not ${describeKind(node)}.`, { field: name });
    return undefined;
  }
  const parsed = parseTimestamp(node.text);
  if (!parsed.ok) {
    const why = parsed.reason === 'no-time-zone'
      ? `has no time zone, so the instant is ambiguous. Add Z for UTC (${node.text.replace(' ', 'T')}${/:\d{2}:\d{2}/.test(node.text) ? '' : ':00'}Z) or an offset such as +01:00.`
      : parsed.reason === 'date-only'
        ? `is a date without a time. Write the time too, e.g. ${node.text}T09:00:00Z.`
        : `is not an RFC 3339 timestamp. Write it like ${TIMESTAMP_EXAMPLE} (UTC) or 2026-11-23T10:06:00+01:00.`;
    const suggestion = parsed.reason === 'no-time-zone' ? `${node.text.replace(' ', 'T')}${/:\d{2}:\d{2}/.test(node.text) ? '' : ':00'}Z` : undefined;
    ctx.report(node, 'error', 'bad-timestamp', `\`${name}: ${node.text}\` ${why}`, { field: name, suggestion });
    return undefined;
  }
  if (parsed.epochMs > ctx.nowMs + FUTURE_TOLERANCE_MS) {
    ctx.report(node, 'warning', 'future-timestamp', `\`${name}: ${node.text}\` is in the future. Check the date and the time zone (Z means UTC).`, { field: name });
  }
  return parsed.epochMs;
}

interface KnownTime {
  field: TimestampField;
  node: SourceNode;
  ms: number;
}

function checkTimestamps(root: SourceNode, ctx: CheckContext): Map<TimestampField, KnownTime> {
  const times = new Map<TimestampField, KnownTime>();
  let previous: KnownTime | undefined;
  for (const name of TIMESTAMP_FIELDS) {
    const node = pairOf(root, name)?.value;
    if (!node) continue;
    const ms = readTimestamp(node, name, ctx);
    if (ms === undefined) continue;
    const known = { field: name, node, ms };
    times.set(name, known);
    if (previous && ms < previous.ms) {
      ctx.report(node, 'error', 'timestamp-order', `\`${name}\` (${node.text}) is before \`${previous.field}\` (${previous.node.text}). Timestamps must be in order: started ≤ detected ≤ declared ≤ acknowledged ≤ mitigated ≤ resolved ≤ closed. Correct whichever one is wrong.`, { field: name });
    }
    previous = known;
  }
  return times;
}

const STATUS_TIMESTAMP_ENTRIES = Object.entries(STATUS_TIMESTAMPS) as [string, TimestampField][];

function checkStatusTimestamps(root: SourceNode, status: SourceNode, value: string, times: Map<TimestampField, KnownTime>, report: Report): void {
  if (value === 'cancelled') return;
  const reached = workflowIndex(value);
  for (const [state, field] of STATUS_TIMESTAMP_ENTRIES) {
    const needed = workflowIndex(state) <= reached;
    const node = pairOf(root, field)?.value;
    const present = node !== undefined && !isEmptyNode(node);
    if (needed && !present) {
      const why = state === value ? '' : ` (the record is ${value}, so it went through ${state})`;
      report(status, 'error', 'missing-status-timestamp', `Status is \`${value}\` but \`${field}\` is not set${why}. Add \`${field}:\` with when it was ${state}, e.g. ${TIMESTAMP_EXAMPLE}.`, { field });
    } else if (!needed && present && times.has(field)) {
      report(node, 'warning', 'timestamp-after-status', `\`${field}\` is set but the status is still \`${value}\`. Set \`status: ${state}\` (or later), or remove \`${field}\` if it was set by mistake.`, { field });
    }
  }
}

function normalizeRunbookPath(path: string): string {
  return path.trim().replace(/^\.\//, '');
}

/**
 * True for paths that leave the repository (`../x`, `/etc/x`, `C:\\x`, `file:///x`): records are content from pull
 * requests, and nothing that follows one of their paths (opening, linking, tools) may leave the repo.
 */
export function escapesRepository(path: string): boolean {
  const text = path.trim();
  // A drive letter, and any `file:` URL (`file:///etc/shadow`): it names a file on the reader's machine.
  if (text.startsWith('/') || text.startsWith('\\') || /^[A-Za-z]:/.test(text) || text.startsWith('~') || /^file:/i.test(text)) return true;
  // Only a `..` segment can climb out (most paths have none: no split needed).
  if (text.indexOf('..') === -1) return false;
  let depth = 0;
  for (const segment of text.replace(/\\/g, '/').split('/')) {
    if (segment === '..') depth--;
    else if (segment !== '' && segment !== '.') depth++;
    if (depth < 0) return true;
  }
  return false;
}

function reportOutside(node: SourceNode, field: string, what: string, ctx: CheckContext): void {
  ctx.report(node, 'error', 'path-outside-repository', `${what} points outside the repository; use a path relative to the repository root without \`..\`.`, { field });
}

function checkRunbooks(node: SourceNode | undefined, ctx: CheckContext): void {
  checkNameList(node, 'runbooks', 'runbook paths relative to the repository root', ctx.report);
  const known = ctx.context.runbookPaths;
  if (!node || node.kind !== 'seq') return;
  const seen = new Set<string>();
  for (const item of node.items) {
    if (!isScalarValue(item)) continue;
    const path = normalizeRunbookPath(item.text);
    if (escapesRepository(path)) {
      reportOutside(item, 'runbooks', `Runbook ${path}`, ctx);
      continue;
    }
    if (seen.has(path)) ctx.report(item, 'warning', 'duplicate-entry', `Runbook ${path} is listed twice in \`runbooks\`; remove one.`, { field: 'runbooks' });
    seen.add(path);
    if (known && !known.has(path)) {
      const guess = closestPath(path, known);
      ctx.report(item, 'error', 'missing-runbook', `Runbook ${path} does not exist.${guess ? ` Did you mean ${guess}?` : ''} Paths are relative to the repository root; fix the path or remove the entry.`, { field: 'runbooks', suggestion: guess });
    }
  }
}

/** The known paths as a list and by file name, made once per set (it holds every runbook of the repository). */
const pathLookups = new WeakMap<ReadonlySet<string>, { list: string[]; byName: Map<string, string[]> }>();

/** A likely intended path: same file name elsewhere, or a near spelling. */
function closestPath(path: string, known: ReadonlySet<string>): string | undefined {
  let lookup = pathLookups.get(known);
  if (lookup === undefined) {
    const byName = new Map<string, string[]>();
    for (const k of known) {
      const name = k.split('/').pop() ?? k;
      const same = byName.get(name);
      if (same) same.push(k);
      else byName.set(name, [k]);
    }
    pathLookups.set(known, (lookup = { list: [...known], byName }));
  }
  const sameName = lookup.byName.get(path.split('/').pop() ?? path) ?? [];
  if (sameName.length === 1) return sameName[0];
  return closestKnownName(path, lookup.list);
}

function checkTimeline(node: SourceNode | undefined, ctx: CheckContext): void {
  const { report } = ctx;
  if (!node || isEmptyNode(node)) return;
  if (node.kind !== 'seq') {
    report(node, 'error', 'wrong-type', '`timeline` should be a list of entries (- at: …, by: …, kind: …, text: …).', { field: 'timeline' });
    return;
  }
  let previous: { ms: number; node: SourceNode } | undefined;
  for (const entry of node.items) {
    if (entry.kind !== 'map') {
      report(entry, 'error', 'wrong-type', `Each timeline entry should be a mapping (at:, by:, kind:, text:), not ${describeKind(entry)}.`, { field: 'timeline' });
      continue;
    }
    checkUnknownKeys(entry, TIMELINE_ENTRY_FIELDS, 'in a timeline entry', report);
    const get = (name: string): SourceNode | undefined => pairOf(entry, name)?.value;
    const at = get('at');
    let ms: number | undefined;
    if (!at || isEmptyNode(at)) report(entry, 'error', 'missing-field', `This timeline entry has no \`at\`. Add \`at:\` with when it happened, e.g. ${TIMESTAMP_EXAMPLE}.`, { field: 'at' });
    else ms = readTimestamp(at, 'at', ctx);
    const kind = get('kind');
    let kindValue: string | undefined;
    if (!kind || isEmptyNode(kind)) report(entry, 'error', 'missing-field', `This timeline entry has no \`kind\`. Add \`kind:\` with one of ${list(TIMELINE_KINDS)}.`, { field: 'kind' });
    else if (!isText(kind) || !(TIMELINE_KINDS as readonly string[]).includes(kind.text)) {
      const guess = isScalarValue(kind) ? closestKnownName(kind.text, TIMELINE_KINDS) : undefined;
      report(kind, 'error', 'unknown-kind', `Unknown timeline kind \`${kind.text || describeKind(kind)}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} Use one of: ${list(TIMELINE_KINDS)}.`, { field: 'kind', suggestion: guess });
    } else kindValue = kind.text;
    const by = get('by');
    if (!by || isEmptyNode(by)) report(entry, 'warning', 'missing-field', 'This timeline entry has no `by`. Add `by:` with who did it (a person, or the tool that posted it).', { field: 'by' });
    const text = get('text');
    checkCutByComment(text, 'text', ctx);
    if ((!text || isEmptyNode(text)) && kindValue !== 'status' && kindValue !== 'action') {
      report(entry, 'warning', 'missing-field', 'This timeline entry has no `text`. Add `text:` saying what happened.', { field: 'text' });
    }
    for (const side of ['from', 'to'] as const) {
      const value = get(side);
      if (kindValue === 'status' && value && !isEmptyNode(value) && !(isText(value) && (INCIDENT_STATUSES as readonly string[]).includes(value.text))) {
        const guess = isScalarValue(value) ? closestKnownName(value.text, INCIDENT_STATUSES) : undefined;
        report(value, 'error', 'unknown-status', `Unknown status \`${value.text}\` in \`${side}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} Use one of: ${list(INCIDENT_STATUSES)}.`, { field: side, suggestion: guess });
      }
    }
    for (const name of ['exit_code', 'duration_ms'] as const) {
      const value = get(name);
      if (value && !isEmptyNode(value) && !(typeof value.value === 'number' && Number.isInteger(value.value) && (name === 'exit_code' || value.value >= 0))) {
        report(value, 'error', 'wrong-type', `\`${name}\` should be a whole number${name === 'duration_ms' ? ' of milliseconds' : ''}, not ${describeKind(value)}.`, { field: name });
      }
    }
    const output = get('output');
    if (output && !isEmptyNode(output) && !isText(output)) {
      report(output, 'error', 'wrong-type', `\`output\` should be text (the lines a step printed, as \`output: |\` and the lines indented below it), not ${describeKind(output)}.`, { field: 'output' });
    }
    checkStepReference(get('step'), ctx);
    if (ms !== undefined) {
      if (previous && ms < previous.ms) {
        report(at, 'error', 'unsorted-timeline', `This entry (${at!.text}) is earlier than the entry before it (${previous.node.text}). Keep the timeline in time order: move this entry up.`, { field: 'timeline' });
      }
      if (!previous || ms >= previous.ms) previous = { ms, node: at! };
    }
  }
}

function checkStepReference(step: SourceNode | undefined, ctx: CheckContext): void {
  if (!step || isEmptyNode(step)) return;
  if (!isText(step) || !/^[^#\s][^#]*#[^#\s]+$/.test(step.text.trim())) {
    ctx.report(step, 'error', 'wrong-type', '`step` should name a runbook step as path#step-id, e.g. kubernetes/checkout-api-rollback.md#rollback.', { field: 'step' });
    return;
  }
  const [rawPath, stepId] = step.text.trim().split('#');
  const path = normalizeRunbookPath(rawPath);
  if (escapesRepository(path)) {
    reportOutside(step, 'step', `The runbook of step ${step.text.trim()}`, ctx);
    return;
  }
  const known = ctx.context.runbookPaths;
  // A step that ran is history: a runbook renamed since is worth a warning, not a failed check.
  if (known && !known.has(path)) {
    const guess = closestPath(path, known);
    ctx.report(step, 'warning', 'missing-runbook', `Runbook ${path} of this step does not exist (renamed or deleted since?).${guess ? ` Did you mean ${guess}?` : ''}`, { field: 'step', suggestion: guess ? `${guess}#${stepId}` : undefined });
    return;
  }
  const ids = ctx.context.runbookStepIds?.get(path);
  if (ids && !ids.has(stepId)) {
    const guess = closestKnownName(stepId, [...ids]);
    ctx.report(step, 'warning', 'missing-step', `Runbook ${path} has no step \`${stepId}\` (renamed since?).${guess ? ` Did you mean \`${guess}\`?` : ''}`, { field: 'step', suggestion: guess ? `${path}#${guess}` : undefined });
  }
}

function checkActionItems(node: SourceNode | undefined, ctx: CheckContext): void {
  const { report } = ctx;
  if (!node || isEmptyNode(node)) return;
  if (node.kind !== 'seq') {
    report(node, 'error', 'wrong-type', '`action_items` should be a list of items (- id: AI-1, title: …, owner: …, status: open).', { field: 'action_items' });
    return;
  }
  const ids = new Map<string, SourceNode>();
  for (const item of node.items) {
    if (item.kind !== 'map') {
      report(item, 'error', 'wrong-type', `Each action item should be a mapping (id:, title:, owner:, status:, due:), not ${describeKind(item)}.`, { field: 'action_items' });
      continue;
    }
    checkUnknownKeys(item, ACTION_ITEM_FIELDS, 'in an action item', report);
    const get = (name: string): SourceNode | undefined => pairOf(item, name)?.value;
    const id = get('id');
    if (!isScalarValue(id)) report(id ?? item, 'error', 'missing-field', 'This action item has no `id`. Add `id: AI-<n>` with the next free number.', { field: 'id' });
    else if (ids.has(id.text)) report(id, 'error', 'duplicate-action-item', `Action item id ${id.text} is used twice in this record; give this one the next free number.`, { field: 'id' });
    else ids.set(id.text, id);
    const title = get('title');
    checkCutByComment(title, 'title', ctx);
    if (!isScalarValue(title)) report(title ?? item, 'error', 'missing-field', 'This action item has no `title`. Add `title:` saying what will be done.', { field: 'title' });
    const status = get('status');
    if (status && !isEmptyNode(status) && !(isText(status) && (ACTION_ITEM_STATUSES as readonly string[]).includes(status.text))) {
      const guess = isScalarValue(status) ? closestKnownName(status.text, ACTION_ITEM_STATUSES) : undefined;
      report(status, 'error', 'unknown-action-item-status', `Unknown action item status \`${status.text}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} Use one of: ${list(ACTION_ITEM_STATUSES)}.`, { field: 'status', suggestion: guess });
    }
    const due = get('due');
    if (due && !isEmptyNode(due) && !(isScalarValue(due) && (isCalendarDate(due.text) || parseTimestamp(due.text).ok))) {
      report(due, 'error', 'bad-timestamp', `\`due: ${due.text}\` is not a date. Write it as YYYY-MM-DD, e.g. 2026-12-01.`, { field: 'due' });
    }
  }
}

function checkLinks(node: SourceNode | undefined, ctx: CheckContext): void {
  const { report } = ctx;
  if (!node || isEmptyNode(node)) return;
  if (node.kind !== 'seq') {
    report(node, 'error', 'wrong-type', '`links` should be a list of { title: …, url: … }.', { field: 'links' });
    return;
  }
  for (const link of node.items) {
    if (link.kind !== 'map') {
      report(link, 'error', 'wrong-type', 'Each link should be a mapping such as { title: Dashboard, url: https://… }.', { field: 'links' });
      continue;
    }
    checkUnknownKeys(link, LINK_FIELDS, 'in a link', report);
    checkCutByComment(pairOf(link, 'title')?.value, 'title', ctx);
    const url = pairOf(link, 'url')?.value;
    if (!isScalarValue(url)) report(url ?? link, 'error', 'missing-field', 'This link has no `url`. Add `url:` with the address.', { field: 'url' });
  }
}

/**
 * Ids used by more than one record, reported on every file involved (ids are unique).
 * Returns the problems by path; files without duplicates are absent.
 */
export function findDuplicateIncidentIds(records: Iterable<Pick<IncidentValidation, 'path' | 'id'>>): Map<string, IncidentProblem[]> {
  const byId = new Map<string, { path: string; id: IncidentIdLocation }[]>();
  for (const record of records) {
    if (!record.id) continue;
    const holders = byId.get(record.id.value) ?? [];
    holders.push({ path: record.path, id: record.id });
    byId.set(record.id.value, holders);
  }
  const out = new Map<string, IncidentProblem[]>();
  for (const [id, holders] of byId) {
    if (holders.length < 2) continue;
    for (const holder of holders) {
      const others = holders.filter((h) => h !== holder).map((h) => h.path).sort();
      const problems = out.get(holder.path) ?? [];
      problems.push({
        line: holder.id.line,
        column: holder.id.column,
        endLine: holder.id.line,
        endColumn: holder.id.endColumn,
        severity: 'error',
        code: 'duplicate-id',
        field: 'id',
        message: `Incident id ${id} is also used by ${others.join(', ')}. Ids must be unique: give one of them the next free id (and rename its file to match).`,
      });
      out.set(holder.path, problems);
    }
  }
  return out;
}
