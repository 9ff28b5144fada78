import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import {
  CODEOWNERS_LOCATIONS,
  codeownersBlockDifferences,
  findCodeownersBlock,
  planCodeowners,
  ownedIncidents,
  ownedRunbooks,
  renderCodeownersBlock,
  type OwnershipMetadata,
} from '../core/check/codeowners';
import { decodeFileText, plainProblem, type Problem } from '../core/text/fileText';
import { parseFrontMatter } from '../core/runbook/frontMatter';
import type { IncidentRecord } from '../core/incident/incident';
import type { IncidentCheckFacts } from '../core/incident/incidentCheck';
import type { IncidentValidation } from '../core/incident/incidentValidation';
import type { RunbookSummary } from '../core/index/workspaceIndex';
import { IndexWorkerPool } from '../fs/parallelIndex';
import { fileStem, PathClassifier } from '../core/config/paths';
import { layoutFromConfig, REPO_CONFIG_FILE } from '../core/config/repoConfig';
import { ChangedFilesError, listChangedFiles, type ChangedFiles } from '../git/changedFiles';
import { NotAGitRepositoryError } from '../git/gitProcess';
import { findWorkTreeRoot } from '../git/workTree';
import { flagGiven, optionValue, readRepoConfig, UsageError, type CommandOptions, type ParsedArgs } from './commandLine';
import { listRepositoryFiles } from '../fs/repositoryFiles';
import { baselineOptions, baselineSentence, filterByBaseline, writeBaseline, type BaselineSummary } from './checkBaselineFile';
import { runbookTextFacts, type RunbookTextFacts } from '../core/check/runbookLinks';
import { codeownersProblem, RepositoryFileSet, Rulebook } from '../core/check/rulebook';
import { detectSites } from '../core/config/siteLinks';
import { loadRunbookReviews } from './runbookReviews';
import { oneLine } from '../core/text/textOutput';
import { CheckFactsCache, checkFactsKey, defaultCheckFactsFile } from '../fs/checkFactsCache';
import { cleanTrackedBlobs } from '../git/trackedBlobs';

export const CHECK_OPTIONS: CommandOptions = {
  format: { type: 'string' },
  'changed-since': { type: 'string' },
  now: { type: 'string' },
  strict: { type: 'boolean' },
  baseline: { type: 'string' },
  'write-baseline': { type: 'string' },
  'no-cache': { type: 'boolean' },
};

type FileKind = 'runbook' | 'incident' | 'config' | 'codeowners';

interface CheckedFile {
  /** Relative to the checked folder (`../.github/CODEOWNERS` for a file above it). */
  path: string;
  kind: FileKind;
  problems: Problem[];
}

export interface CheckOptions {
  /** "Today" for review dates and future timestamps (default: the clock). */
  now?: Date;
  /** Report only files changed since the merge base of this ref and HEAD. */
  changedSince?: string;
  /** Runbooks overdue for review are errors, not warnings. */
  strict?: boolean;
  /** Worker threads kept by the caller (tests, the bench); without one, a pool is made for this check. */
  pool?: IndexWorkerPool;
  /**
   * With `changedSince`: the cross-file facts of unchanged files come from this cache when their content
   * is known to it (src/fs/checkFactsCache.ts), and what is read is stored in it. Without it every
   * unchanged file is read.
   */
  factsCache?: { file: string; key: string };
}

export interface CheckResult {
  /** The files reported, with their problems (every file, or the changed ones with --changed-since). */
  files: CheckedFile[];
  runbooks: number;
  incidents: number;
  /** Things worth saying that are not problems of a file (review dates unknown in a shallow clone…). */
  notes: string[];
  /** With --changed-since: what git said changed. */
  changes?: ChangedFiles;
}

function readProblem(err: unknown): Problem {
  return { line: 1, severity: 'error', message: `Could not read this file: ${(err as Error).message}` };
}

function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}


/**
 * Validates the runbooks and incident records under a folder with the cross-file rules (README: Incident records, Reviewing in pull requests;
 * issue 6): unique ids, referenced runbooks and `duplicate_of` targets exist, links resolve, review
 * dates, owners and the CODEOWNERS block. The whole repository is always read for those rules; with
 * `changedSince` only the changed files (and files a deletion breaks) are parsed in full and reported.
 * Files are parsed and validated on worker threads (the index build's pool), runbooks first, so their
 * step ids are known when the records that name them are checked.
 */
export async function checkRepository(root: string, options: CheckOptions = {}): Promise<CheckResult> {
  const pool = options.pool ?? new IndexWorkerPool();
  try {
    return await checkWithPool(root, options, pool);
  } finally {
    if (!options.pool) await pool.dispose();
  }
}

async function checkWithPool(root: string, options: CheckOptions, pool: IndexWorkerPool): Promise<CheckResult> {
  const now = options.now ?? new Date();
  // A worker loads its code while this thread reads the config, lists the files and asks git.
  pool.prestart(1);
  const { config, problems: configProblems } = readRepoConfig(root);
  const classifier = new PathClassifier(layoutFromConfig(config));
  const paths = listRepositoryFiles(root);
  // Links in the pages of a documentation site name pages, not files: configured, or found from the generators' files.
  const sites = config.sites ?? detectSites(paths);
  const runbookPaths = paths.filter((p) => classifier.classify(p) === 'runbook');
  const incidentPaths = paths.filter((p) => classifier.classify(p) === 'incident');
  const notes: string[] = [];

  let changes: ChangedFiles | undefined;
  let facts: CheckFactsCache | undefined;
  if (options.changedSince !== undefined) {
    const factsCache = options.factsCache;
    // Blob ids are asked for while git diffs; a repository git cannot list only goes without the cache.
    const opening = factsCache && cleanTrackedBlobs(root).then((blobs) => CheckFactsCache.open(factsCache.file, factsCache.key, blobs), () => undefined);
    try {
      changes = await listChangedFiles(root, options.changedSince);
      facts = await opening;
    } catch (err) {
      if (err instanceof NotAGitRepositoryError) throw new Error(`--changed-since needs a git repository, and ${root} is not in one.`);
      if (err instanceof ChangedFilesError) throw new Error(`--changed-since ${options.changedSince}: ${err.message}`);
      throw err;
    }
  }
  const changed = new Set(changes?.changed ?? []);
  const deleted = changes?.deleted ?? [];
  // A config change (severities, globs) can invalidate any file: then everything is reported.
  const everything = changes === undefined || changed.has(REPO_CONFIG_FILE) || deleted.includes(REPO_CONFIG_FILE);
  const deletedNames = deleted.filter((p) => classifier.classify(p) !== undefined).map(baseName);
  const reported = new Set<string>();
  const read = (path: string): Buffer | Error => {
    try {
      return readFileSync(join(root, path));
    } catch (err) {
      return err as Error;
    }
  };
  // A file that mentions a deleted runbook or record by name may be broken by the deletion: report it too.
  const affected = (path: string): boolean => {
    if (everything || changed.has(path)) return true;
    if (deletedNames.length === 0) return false;
    const content = read(path);
    return !(content instanceof Error) && deletedNames.some((name) => content.includes(name));
  };

  const files: CheckedFile[] = [];
  if (everything && configProblems.length) files.push({ path: REPO_CONFIG_FILE, kind: 'config', problems: configProblems });

  // Runbooks: the reported ones parsed on the workers (the same summaries the index holds).
  const reportedRunbooks = runbookPaths.filter(affected);
  const parsed = new Map<string, RunbookSummary>();
  const stepIds: [string, string[]][] = [];
  const runbookResults = await pool.checkFiles(root, config, reportedRunbooks.map((path) => ({ path, kind: 'runbook' as const, reported: true })));
  const checkedRunbooks: { path: string; runbook: RunbookSummary; text: RunbookTextFacts }[] = [];
  // Runbooks a worker gave up on (parse budget): reported with that problem, and read no further here.
  const givenUp = new Set<string>();
  for (let i = 0; i < reportedRunbooks.length; i++) {
    const path = reportedRunbooks[i];
    const result = runbookResults[i];
    reported.add(path);
    if ('summary' in result && result.givenUp) {
      givenUp.add(path);
      files.push({ path, kind: 'runbook', problems: result.summary.problems.map(plainProblem) });
      continue;
    }
    const content = read(path);
    if (!('summary' in result) || result.unreadable || content instanceof Error) {
      files.push({ path, kind: 'runbook', problems: [readProblem(content instanceof Error ? content : new Error('the file changed while it was read'))] });
      continue;
    }
    const runbook = result.summary as RunbookSummary;
    parsed.set(path, runbook);
    stepIds.push([path, runbook.steps.map((s) => s.id)]);
    checkedRunbooks.push({ path, runbook, text: runbookTextFacts(decodeFileText(content).text) });
  }
  const metadata = (path: string): OwnershipMetadata | undefined => {
    const runbook = parsed.get(path);
    if (runbook || givenUp.has(path)) return runbook;
    const cached = facts?.runbook(path);
    if (cached) return cached;
    const content = read(path);
    if (content instanceof Error) return undefined;
    // Front matter alone is enough for owners and services: no Markdown parse for unchanged files.
    const { owner, services } = parseFrontMatter(decodeFileText(content).text.split('\n', 400)).metadata;
    const found: OwnershipMetadata = owner === undefined ? { services } : { owner, services };
    facts?.storeRunbook(path, found);
    return found;
  };
  const ownershipAdopted = runbookPaths.some((p) => metadata(p)?.owner !== undefined);
  // Under --changed-since a runbook without `last_reviewed` was changed on this branch, so its last commit is recent.
  const reviews = await loadRunbookReviews(root, checkedRunbooks.map((r) => r.runbook), config.reviewInterval, now, { git: changes === undefined });
  if (changes === undefined && reviews.unknownReason) notes.push(`Review dates of ${reviews.unknown} runbook${reviews.unknown === 1 ? '' : 's'} without \`last_reviewed\` are unknown: ${reviews.unknownReason}.`);
  // Incidents: every record read on the workers, the reported ones validated with the cross-file context.
  const deletedIds = deleted.filter((p) => classifier.classify(p) === 'incident').map(fileStem);
  const deletedIdSet = new Set(deletedIds);
  const known = new Map<string, IncidentCheckFacts>();
  const incidentFiles = incidentPaths
    .map((path) => ({ path, kind: 'incident' as const, reported: affected(path) }))
    .filter(({ path, reported }) => {
      const cached = reported ? undefined : facts?.incident(path);
      // A record marked as a duplicate of one deleted on this branch is broken by the deletion: read and reported.
      if (!cached || (typeof cached.duplicateOf === 'string' && deletedIdSet.has(cached.duplicateOf.trim()))) return true;
      known.set(path, { path, checked: false, problems: [], ...cached });
      return false;
    });
  const incidentResults = await pool.checkFiles(root, config, incidentFiles, { runbookPaths, stepIds, nowMs: now.getTime(), deletedIds, givenUp: [...givenUp] });
  for (const result of incidentResults) {
    if (!('checked' in result)) continue; // unreadable and not reported: out of the cross-file rules
    const read = result.checked;
    if (read.checked) reported.add(read.path);
    else facts?.storeIncident(read.path, read);
    known.set(read.path, read);
  }
  // In the repository's order, as a read of every file gives them.
  const records = incidentPaths.map((path) => known.get(path)).filter((r): r is IncidentCheckFacts => r !== undefined);
  const validations: IncidentValidation[] = records.map((r) => ({
    path: r.path,
    id: r.id,
    record: r.unreadable ? undefined : ({ services: r.services, duplicate_of: r.duplicateOf } as unknown as IncidentRecord),
    problems: r.problems,
  }));

  // The rulebook (src/core/rulebook.ts): the cross-file rules, as the Problems panel applies them.
  const rulebook = new Rulebook({
    files: new RepositoryFileSet(paths),
    sites,
    runbookOf: (path) => parsed.get(path),
    ownershipAdopted,
    incidents: records,
    postmortemFolder: config.postmortemFolder,
  }, { strict: options.strict === true });
  for (const { path, runbook, text } of checkedRunbooks) {
    files.push({ path, kind: 'runbook', problems: rulebook.runbookProblems({ summary: runbook, text, review: reviews.states.get(path) }).map(plainProblem) });
  }
  for (const facts of records) {
    if (reported.has(facts.path)) files.push({ path: facts.path, kind: 'incident', problems: rulebook.incidentProblems(facts).map(plainProblem) });
  }

  // CODEOWNERS: only a block that exists is kept up to date (a team opts in by writing it once).
  const touchedOwnership = everything || [...changed, ...deleted].some((p) => classifier.classify(p) !== undefined);
  const codeowners = touchedOwnership ? checkCodeowners(root, runbookPaths, metadata, validations) : undefined;
  if (codeowners) files.push(codeowners);

  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  await facts?.save();
  return { files, runbooks: runbookPaths.length, incidents: incidentPaths.length, notes, changes };
}

function checkCodeowners(
  root: string,
  runbookPaths: readonly string[],
  metadata: (path: string) => OwnershipMetadata | undefined,
  validations: readonly IncidentValidation[],
): CheckedFile | undefined {
  const gitRoot = findWorkTreeRoot(root) ?? root;
  const location = CODEOWNERS_LOCATIONS.map((l) => join(gitRoot, l)).find((file) => existsSync(file));
  if (!location) return undefined;
  const text = readFileSync(location, 'utf8');
  const block = findCodeownersBlock(text);
  if (!block) return undefined;
  const plan = planCodeowners(ownedRunbooks(runbookPaths, metadata), ownedIncidents(validations), relative(gitRoot, root).split(sep).join('/'));
  const { missing, extra } = codeownersBlockDifferences(block.lines, renderCodeownersBlock(plan));
  const problem = codeownersProblem(block.start + 1, missing, extra);
  return problem && { path: relative(root, location).split(sep).join('/'), kind: 'codeowners', problems: [plainProblem(problem)] };
}

// Kept importable from here for the callers that already do; they live in core with the other ownership rules.
export { ownedIncidents, ownedRunbooks };

/** GitHub workflow commands need `%`, CR and LF escaped in messages, and also `:` and `,` in properties. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `--now` as a date (`2026-11-25`, local midnight) or an RFC 3339 instant. */
export function nowOption(args: ParsedArgs): Date {
  const value = optionValue(args, 'now');
  if (value === undefined) return new Date();
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const at = day ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]), 12) : new Date(value);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw new UsageError(`--now ${value} is not a date (YYYY-MM-DD) or an RFC 3339 timestamp.`);
  return at;
}

export async function checkCommand(
  args: ParsedArgs,
  out: (text: string) => void,
  { parserVersion, err = (t) => process.stderr.write(`${t}\n`) }: { parserVersion: string; err?: (text: string) => void },
): Promise<number> {
  const format = optionValue(args, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'github') throw new UsageError(`--format must be text, json or github, not ${format}.`);
  if (args.positional.length > 1) throw new UsageError('check takes one folder.');
  const changedSince = optionValue(args, 'changed-since');
  if (changedSince === '') throw new UsageError('--changed-since needs a git ref, such as origin/main.');
  const baseline = baselineOptions(args, changedSince);
  const now = nowOption(args);
  const root = resolve(args.positional[0] ?? '.');
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${root} is not a directory. Pass the root of a runbook repository.`);
  const { files, runbooks, incidents, notes, changes } = await checkRepository(root, {
    now,
    changedSince,
    strict: flagGiven(args, 'strict'),
    factsCache: flagGiven(args, 'no-cache') ? undefined : { file: defaultCheckFactsFile(root), key: checkFactsKey(parserVersion) },
  });
  const written = baseline.write !== undefined ? await writeBaseline(files, baseline.write) : undefined;
  const known: BaselineSummary | undefined = baseline.read !== undefined ? filterByBaseline(files, baseline.read, changes === undefined) : undefined;
  // Paths as the caller can open them: relative to where the command runs (GitHub wants them from the checkout root).
  const shown = (path: string): string => relative(process.cwd(), join(root, path)).split(sep).join('/') || path;
  const all = files.flatMap((f) => f.problems.map((p) => ({ file: f, problem: p })));
  const errors = all.filter((x) => x.problem.severity === 'error').length;
  const warnings = all.filter((x) => x.problem.severity === 'warning').length;
  const what = changes
    ? `${plural(files.filter((f) => f.kind !== 'config' && f.kind !== 'codeowners').length, 'file')} changed since ${changedSince} (of ${plural(runbooks, 'runbook')} and ${plural(incidents, 'incident')})`
    : `${plural(runbooks, 'runbook')} and ${plural(incidents, 'incident')}`;
  const summary = [
    `Checked ${what}: ${errors + warnings === 0 ? `no ${known ? 'new ' : ''}problems` : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}${known ? ' not in the baseline' : ''}`}.`,
    ...(known ? [baselineSentence(known)] : []),
    ...(written !== undefined ? [`Wrote ${plural(written, 'problem')} to the baseline ${baseline.write}; check --baseline ${baseline.write} reports only problems not in it.`] : []),
  ].join('\n');

  if (format === 'json') {
    out(JSON.stringify({
      root,
      runbooks,
      incidents,
      errors,
      warnings,
      ...(changes ? { changedSince, changed: changes.changed, deleted: changes.deleted } : {}),
      ...(known ? { baseline: { file: known.file, suppressed: known.suppressed, fixed: known.stale } } : {}),
      ...(written !== undefined ? { baselineWritten: { file: baseline.write, problems: written } } : {}),
      notes,
      files: files.filter((f) => f.problems.length > 0).map((f) => ({ path: f.path, file: shown(f.path), kind: f.kind, problems: f.problems })),
    }, null, 2));
  } else if (format === 'github') {
    for (const { file, problem } of all) {
      const command = problem.severity === 'error' ? 'error' : problem.severity === 'warning' ? 'warning' : 'notice';
      const where = [`file=${escapeProperty(shown(file.path))}`, `line=${problem.line}`];
      if (problem.column !== undefined) where.push(`col=${problem.column}`);
      out(`::${command} ${where.join(',')}::${escapeData(problem.message)}`);
    }
    for (const note of notes) err(note);
    out(summary);
  } else {
    for (const { file, problem } of all) {
      // One problem, one line: a line break in a value (or a file name) must not forge a `path:line: error:` line for a problem matcher.
      out(`${oneLine(shown(file.path))}:${problem.line}${problem.column !== undefined ? `:${problem.column}` : ''}: ${problem.severity}: ${oneLine(problem.message)}`);
    }
    for (const note of notes) err(note);
    out(summary);
  }
  // Writing a baseline accepts what is there: the run that records the debt does not fail on it.
  return errors > 0 && written === undefined ? 1 : 0;
}
