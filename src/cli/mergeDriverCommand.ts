import { readFileSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { decodeStrictUtf8 } from '../core/text/fileText';
import { mergeIncidentTexts } from '../core/incident/incidentMerge';
import { GitCommandError, GitNotFoundError } from '../git/gitProcess';
import { installMergeDriver, uninstallMergeDriver } from '../git/mergeDriverInstall';
import { mergeFileTextually } from '../git/textualMerge';
import { writeFileAtomic } from '../fs/atomicWrite';
import { flagGiven, optionValue, readRepoConfig, UsageError, type CommandOptions, type ParsedArgs } from './commandLine';

export const MERGE_DRIVER_OPTIONS: CommandOptions = { 'marker-size': { type: 'string' } };
export const INSTALL_MERGE_DRIVER_OPTIONS: CommandOptions = { undo: { type: 'boolean' } };

const LABELS = { ours: 'ours', base: 'base', theirs: 'theirs' };

/** Conflict of the whole file, for when not even git can merge the lines: both sides kept in full, byte for byte. */
function wholeFileConflict(ours: Buffer, theirs: Buffer, size: number): Buffer {
  const end = (bytes: Buffer): Buffer[] => (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a ? [bytes] : [bytes, Buffer.from('\n')]);
  return Buffer.concat([
    Buffer.from(`${'<'.repeat(size)} ${LABELS.ours}\n`), ...end(ours),
    Buffer.from(`${'='.repeat(size)}\n`), ...end(theirs),
    Buffer.from(`${'>'.repeat(size)} ${LABELS.theirs}\n`),
  ]);
}

const SIDE_NAMES = ['The common ancestor', 'Our side', 'Their side'] as const;

/**
 * `runbook-ops merge-driver %O %A %B %P`: git's merge driver for incident records. Exit 0 with the
 * merged record in %A; exit 1 with conflict markers in %A (around the conflicting fields, or a
 * line-by-line merge when a side is not valid YAML); exit 2 when the files cannot be read or written.
 */
export async function mergeDriverCommand(args: ParsedArgs, err: (text: string) => void = (t) => process.stderr.write(`${t}\n`)): Promise<number> {
  const [basePath, oursPath, theirsPath, shownPath] = args.positional;
  if (theirsPath === undefined || args.positional.length > 4) throw new UsageError('merge-driver takes the files git passes: %O %A %B and optionally %P.');
  const sizeText = optionValue(args, 'marker-size');
  const markerSize = sizeText !== undefined ? Number(sizeText) : 7;
  if (!Number.isInteger(markerSize) || markerSize < 7) throw new UsageError('--marker-size must be a whole number, 7 or more.');
  const name = shownPath ?? oursPath;
  const bytes = [basePath, oursPath, theirsPath].map((file) => readFileSync(file));
  const [baseBytes, oursBytes, theirsBytes] = bytes;
  // One side changed, or both the same way: the result is known without reading the record.
  if (oursBytes.equals(theirsBytes) || baseBytes.equals(theirsBytes)) return 0;
  if (baseBytes.equals(oursBytes)) {
    await writeFileAtomic(oursPath, theirsBytes);
    return 0;
  }
  const texts = bytes.map(decodeStrictUtf8);
  const undecodable = texts.findIndex((text) => text === undefined);

  let outcome: ReturnType<typeof mergeIncidentTexts>;
  if (undecodable !== -1) outcome = { kind: 'unparsable', side: 'ours', message: `${SIDE_NAMES[undecodable]} is not UTF-8 text.` };
  else {
    try {
      outcome = mergeIncidentTexts(texts[0]!, texts[1]!, texts[2]!, { markerSize });
    } catch (error) {
      outcome = { kind: 'unparsable', side: 'ours', message: `Runbook Ops could not merge it field by field (${(error as Error).message}).` };
    }
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
  // Not a record we can read: what git itself would do, on the bytes as they are. A clean line merge
  // is a clean merge; otherwise the conflicts are marked, and where git cannot merge lines at all
  // (binary, UTF-16) both sides are kept whole between markers, never one side alone.
  let conflicts: number;
  try {
    conflicts = await mergeFileTextually(oursPath, basePath, theirsPath, LABELS, { markerSize });
  } catch (error) {
    if (!(error instanceof GitNotFoundError) && !(error instanceof GitCommandError)) throw error;
    await writeFileAtomic(oursPath, wholeFileConflict(oursBytes, theirsBytes, markerSize));
    err(`runbook-ops: ${name}: ${outcome.message} Lines could not be merged either, so both sides are kept whole between conflict markers: keep the right one, then git add the file.`);
    return 1;
  }
  if (conflicts === 0) {
    err(`runbook-ops: ${name}: ${outcome.message} Merged it line by line, as git would, without conflicts; run runbook-ops check.`);
    return 0;
  }
  err(`runbook-ops: ${name}: ${outcome.message} Merged it line by line instead; fix the YAML and resolve the ${conflicts} marked conflict(s), then run runbook-ops check.`);
  return 1;
}

/** The CLI as git should start it: this Node and this script (resolved through npx's symlink). */
export function ownProgram(): { nodePath: string; cliPath: string } {
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
  if (flagGiven(args, 'undo')) {
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
