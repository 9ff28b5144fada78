import { readFileSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { mergeIncidentTexts } from '../core/incidentMerge';
import { GitNotFoundError } from '../git/gitProcess';
import { installMergeDriver, uninstallMergeDriver } from '../git/mergeDriverInstall';
import { mergeFileTextually } from '../git/textualMerge';
import { writeFileAtomic } from '../fs/atomicWrite';
import { readRepoConfig, UsageError, type ParsedArgs } from './commandLine';

export const MERGE_DRIVER_VALUE_OPTIONS: ReadonlySet<string> = new Set(['marker-size']);
export const INSTALL_MERGE_DRIVER_FLAG_OPTIONS: ReadonlySet<string> = new Set(['undo']);

const LABELS = { ours: 'ours', base: 'base', theirs: 'theirs' };

/** Conflict of the whole file, for when not even git can merge the lines: both sides kept in full. */
function wholeFileConflict(ours: string, theirs: string, size: number): string {
  const end = (text: string): string => (text === '' || text.endsWith('\n') ? text : `${text}\n`);
  return `${'<'.repeat(size)} ${LABELS.ours}\n${end(ours)}${'='.repeat(size)}\n${end(theirs)}${'>'.repeat(size)} ${LABELS.theirs}\n`;
}

/**
 * `runbook-ops merge-driver %O %A %B %P`: git's merge driver for incident records. Exit 0 with the
 * merged record in %A; exit 1 with conflict markers in %A (around the conflicting fields, or a
 * line-by-line merge when a side is not valid YAML); exit 2 when the files cannot be read or written.
 */
export async function mergeDriverCommand(args: ParsedArgs, err: (text: string) => void = (t) => process.stderr.write(`${t}\n`)): Promise<number> {
  const [basePath, oursPath, theirsPath, shownPath] = args.positional;
  if (theirsPath === undefined || args.positional.length > 4) throw new UsageError('merge-driver takes the files git passes: %O %A %B and optionally %P.');
  const sizeText = args.options.get('marker-size');
  const markerSize = typeof sizeText === 'string' ? Number(sizeText) : 7;
  if (!Number.isInteger(markerSize) || markerSize < 7) throw new UsageError('--marker-size must be a whole number, 7 or more.');
  const name = shownPath ?? oursPath;
  const [base, ours, theirs] = [basePath, oursPath, theirsPath].map((file) => readFileSync(file, 'utf8'));

  let outcome: ReturnType<typeof mergeIncidentTexts>;
  try {
    outcome = mergeIncidentTexts(base, ours, theirs, { markerSize });
  } catch (error) {
    outcome = { kind: 'unparsable', side: 'ours', message: `Runbook Ops could not merge it field by field (${(error as Error).message}).` };
  }
  if (outcome.kind === 'merged') {
    // Atomically: a crash or a full disk mid-write must not leave git a cut-off %A to commit.
    await writeFileAtomic(oursPath, outcome.text);
    for (const note of outcome.notes) err(`runbook-ops: ${name}: ${note}`);
    if (outcome.conflicts.length === 0) return 0;
    const fields = outcome.conflicts.map((c) => `${c.field} (ours ${JSON.stringify(c.ours ?? null)}, theirs ${JSON.stringify(c.theirs ?? null)})`);
    err(`runbook-ops: ${name}: both sides changed ${fields.join('; ')}. The rest merged; resolve the marked lines, then git add the file.`);
    return 1;
  }
  // Not YAML we can read: git's own line merge, so nothing either side wrote is lost.
  err(`runbook-ops: ${name}: ${outcome.message} Merged it line by line instead; fix the YAML and resolve any conflict, then run runbook-ops check.`);
  try {
    await mergeFileTextually(oursPath, basePath, theirsPath, LABELS, { markerSize });
  } catch (error) {
    if (!(error instanceof GitNotFoundError)) throw error;
    await writeFileAtomic(oursPath, wholeFileConflict(ours, theirs, markerSize));
  }
  return 1;
}

/** The CLI as git should start it: this Node and this script (resolved through npx's symlink). */
function ownProgram(): { nodePath: string; cliPath: string } {
  const script = process.argv[1] ? resolve(process.argv[1]) : __filename;
  let cliPath = script;
  try {
    cliPath = realpathSync(script);
  } catch {
    // Keep the path as given.
  }
  return { nodePath: process.execPath, cliPath };
}

/** `runbook-ops install-merge-driver [dir] [--undo]`. */
export async function installMergeDriverCommand(args: ParsedArgs, out: (text: string) => void): Promise<number> {
  if (args.positional.length > 1) throw new UsageError('install-merge-driver takes one folder.');
  const dir = resolve(args.positional[0] ?? '.');
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${dir} is not a directory. Pass the root of a runbook repository.`);
  if (args.options.get('undo') === true) {
    const undone = await uninstallMergeDriver(dir);
    out(`${undone.hadConfig ? 'Removed' : 'No'} git config merge.runbook-ops${undone.hadConfig ? '' : ' to remove'}; ${undone.removedLines.length ? `removed ${undone.removedLines.length} line(s) from ${undone.attributesFile}` : `no driver lines in ${undone.attributesFile}`}.`);
    return 0;
  }
  const { config } = readRepoConfig(dir);
  const installed = await installMergeDriver(dir, { incidentGlobs: config.incidentInclude, program: ownProgram() });
  out(installed.addedLines.length
    ? `Added to ${installed.attributesFile}:\n${installed.addedLines.map((l) => `  ${l}`).join('\n')}`
    : `${installed.attributesFile} already sends incident records to the driver.`);
  out(`Set git config merge.runbook-ops.driver = ${installed.driverCommand}`);
  out('Commit .gitattributes so the team shares it; each clone runs install-merge-driver once (the driver command stays in .git/config).');
  out(`To undo:\n${installed.undo.map((l) => `  ${l}`).join('\n')}`);
  return 0;
}
