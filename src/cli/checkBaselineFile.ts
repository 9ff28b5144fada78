import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { applyBaseline, BaselineFormatError, parseBaseline, renderBaseline, type BaselineEntry } from '../core/check/checkBaseline';
import type { Problem } from '../core/text/fileText';
import { writeFileAtomic } from '../fs/atomicWrite';
import { optionValue, UsageError, type ParsedArgs } from './commandLine';

/**
 * `check --baseline <file>` and `check --write-baseline <file>`: reading and writing the baseline file
 * and filtering the final problem list of `check` by it. The fingerprints are core's (src/core/checkBaseline.ts).
 */

interface FileProblems {
  path: string;
  problems: Problem[];
}

export interface BaselineRequest {
  /** `--baseline`: report only problems not in this file. */
  read?: string;
  /** `--write-baseline`: write every problem found to this file. */
  write?: string;
}

export interface BaselineSummary {
  file: string;
  suppressed: number;
  stale: BaselineEntry[];
}

export function baselineOptions(args: ParsedArgs, changedSince: string | undefined): BaselineRequest {
  const read = optionValue(args, 'baseline');
  const write = optionValue(args, 'write-baseline');
  if (read === '' || write === '') throw new UsageError('--baseline and --write-baseline need the path of a file, such as .runbook-ops-baseline.txt.');
  if (read !== undefined && write !== undefined) throw new UsageError('Give --baseline (report new problems) or --write-baseline (record the current ones), not both.');
  if (write !== undefined && changedSince !== undefined) throw new UsageError('--write-baseline records the problems of every file; run it without --changed-since.');
  return { read, write };
}

/**
 * Drops the problems the baseline lists from `files` (in place) and says how many it dropped and
 * which entries matched nothing. `everyFile`: the whole repository was checked, so entries of files
 * not in `files` (deleted, renamed) are stale too.
 */
export function filterByBaseline(files: FileProblems[], baselineFile: string, everyFile: boolean): BaselineSummary {
  const file = resolve(baselineFile);
  let entries: BaselineEntry[];
  try {
    entries = parseBaseline(readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof BaselineFormatError) throw new Error(`${baselineFile}: ${err.message}`);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${baselineFile} does not exist. Write it first: runbook-ops check --write-baseline ${baselineFile}.`);
    throw new Error(`Could not read the baseline ${baselineFile}: ${(err as Error).message}.`);
  }
  const all = files.flatMap((f) => f.problems.map((problem) => ({ file: f.path, severity: problem.severity, message: problem.message, problem })));
  const outcome = applyBaseline(all, entries, everyFile ? undefined : files.map((f) => f.path));
  const kept = new Set(outcome.fresh.map((p) => p.problem));
  for (const f of files) f.problems = f.problems.filter((p) => kept.has(p));
  return { file: baselineFile, suppressed: outcome.suppressed, stale: outcome.stale };
}

/** Writes every problem of `files` to the baseline, atomically; returns how many. */
export async function writeBaseline(files: readonly FileProblems[], baselineFile: string): Promise<number> {
  const problems = files.flatMap((f) => f.problems.map((p) => ({ file: f.path, severity: p.severity, message: p.message })));
  await writeFileAtomic(resolve(baselineFile), renderBaseline(problems));
  return problems.length;
}

/** The summary's sentence about the baseline. */
export function baselineSentence(summary: BaselineSummary): string {
  const known = `${summary.suppressed} known problem${summary.suppressed === 1 ? '' : 's'} in ${summary.file} not shown`;
  const n = summary.stale.length;
  const fixed = n === 0 ? '' : `; ${n} of its entries ${n === 1 ? 'is' : 'are'} fixed (run --write-baseline ${summary.file} to drop ${n === 1 ? 'it' : 'them'})`;
  return `Baseline: ${known}${fixed}.`;
}
