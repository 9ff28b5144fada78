import { readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Problem } from '../core/fileText';
import { findDuplicateIncidentIds, validateIncident, type IncidentValidation } from '../core/incidentValidation';
import { PathClassifier } from '../core/paths';
import { layoutFromConfig, REPO_CONFIG_FILE } from '../core/repoConfig';
import { parseRunbook } from '../core/runbook';
import { optionValue, readRepoConfig, UsageError, type ParsedArgs } from './commandLine';
import { listRepositoryFiles } from './repositoryFiles';

export const CHECK_VALUE_OPTIONS: ReadonlySet<string> = new Set(['format']);

type FileKind = 'runbook' | 'incident' | 'config';

interface CheckedFile {
  /** Relative to the checked folder. */
  path: string;
  kind: FileKind;
  problems: Problem[];
}

function readProblem(err: unknown): Problem {
  return { line: 1, severity: 'error', message: `Could not read this file: ${(err as Error).message}` };
}

function byPosition(a: Problem, b: Problem): number {
  return a.line - b.line || (a.column ?? 0) - (b.column ?? 0);
}

/** Validates every runbook and incident record under a folder, with the cross-file rules (DESIGN §2, §4). */
export function checkRepository(root: string): { files: CheckedFile[]; runbooks: number; incidents: number } {
  const { config, problems: configProblems } = readRepoConfig(root);
  const classifier = new PathClassifier(layoutFromConfig(config));
  const files: CheckedFile[] = [];
  if (configProblems.length) files.push({ path: REPO_CONFIG_FILE, kind: 'config', problems: configProblems });

  const paths = listRepositoryFiles(root);
  const runbookPaths = paths.filter((p) => classifier.classify(p) === 'runbook');
  const incidentPaths = paths.filter((p) => classifier.classify(p) === 'incident');
  const stepIds = new Map<string, ReadonlySet<string>>();
  for (const path of runbookPaths) {
    let problems: Problem[];
    try {
      const runbook = parseRunbook(path, readFileSync(join(root, path)));
      stepIds.set(path, new Set(runbook.steps.map((s) => s.id)));
      problems = runbook.problems;
    } catch (err) {
      problems = [readProblem(err)];
    }
    files.push({ path, kind: 'runbook', problems });
  }
  const known = new Set(runbookPaths);
  const validations: IncidentValidation[] = [];
  for (const path of incidentPaths) {
    let validation: IncidentValidation;
    try {
      validation = validateIncident(path, readFileSync(join(root, path)), { config, runbookPaths: known, runbookStepIds: stepIds });
    } catch (err) {
      validation = { path, problems: [{ ...readProblem(err), code: 'not-text' }] };
    }
    validations.push(validation);
  }
  const duplicates = findDuplicateIncidentIds(validations);
  for (const validation of validations) {
    const problems: Problem[] = [...validation.problems, ...(duplicates.get(validation.path) ?? [])].map(({ line, column, endLine, endColumn, severity, message }) => {
      const problem: Problem = { line, severity, message };
      if (column !== undefined) problem.column = column;
      if (endLine !== undefined) problem.endLine = endLine;
      if (endColumn !== undefined) problem.endColumn = endColumn;
      return problem;
    });
    files.push({ path: validation.path, kind: 'incident', problems: problems.sort(byPosition) });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, runbooks: runbookPaths.length, incidents: incidentPaths.length };
}

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

export async function checkCommand(args: ParsedArgs, out: (text: string) => void): Promise<number> {
  const format = optionValue(args, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'github') throw new UsageError(`--format must be text, json or github, not ${format}.`);
  if (args.positional.length > 1) throw new UsageError('check takes one folder.');
  const root = resolve(args.positional[0] ?? '.');
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${root} is not a directory. Pass the root of a runbook repository.`);
  const { files, runbooks, incidents } = checkRepository(root);
  // Paths as the caller can open them: relative to where the command runs (GitHub wants them from the checkout root).
  const shown = (path: string): string => relative(process.cwd(), join(root, path)).split(sep).join('/') || path;
  const all = files.flatMap((f) => f.problems.map((p) => ({ file: f, problem: p })));
  const errors = all.filter((x) => x.problem.severity === 'error').length;
  const warnings = all.filter((x) => x.problem.severity === 'warning').length;
  const summary = `Checked ${plural(runbooks, 'runbook')} and ${plural(incidents, 'incident')}: ${errors + warnings === 0 ? 'no problems' : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`}.`;

  if (format === 'json') {
    out(JSON.stringify({
      root,
      runbooks,
      incidents,
      errors,
      warnings,
      files: files.filter((f) => f.problems.length > 0).map((f) => ({ path: f.path, file: shown(f.path), kind: f.kind, problems: f.problems })),
    }, null, 2));
  } else if (format === 'github') {
    for (const { file, problem } of all) {
      const command = problem.severity === 'error' ? 'error' : problem.severity === 'warning' ? 'warning' : 'notice';
      const where = [`file=${escapeProperty(shown(file.path))}`, `line=${problem.line}`];
      if (problem.column !== undefined) where.push(`col=${problem.column}`);
      out(`::${command} ${where.join(',')}::${escapeData(problem.message)}`);
    }
    out(summary);
  } else {
    for (const { file, problem } of all) {
      out(`${shown(file.path)}:${problem.line}${problem.column !== undefined ? `:${problem.column}` : ''}: ${problem.severity}: ${problem.message}`);
    }
    out(summary);
  }
  return errors > 0 ? 1 : 0;
}
