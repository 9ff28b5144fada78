import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomicWrite';
import { realPathInsideRepository } from '../fs/repositoryPath';
import { ATTRIBUTES_COMMENT, attributesWithDriverLines, MERGE_DRIVER_NAME, mergeDriverAttributeLines } from '../core/check/mergeDriverAttributes';
import { GitCommandError, NotAGitRepositoryError, runGit, type GitSpawner } from './gitProcess';

export { expandBraces, MERGE_DRIVER_NAME, mergeDriverAttributeLines } from '../core/check/mergeDriverAttributes';

/**
 * Installs the incident merge driver in a repository (issue 6): a `merge=runbook-ops` line per
 * incident glob in `.gitattributes` (committed, shared by the team) and the driver command in the
 * repository's own git config (per clone: it names programs on this machine).
 */

const DRIVER_DESCRIPTION = 'Runbook Ops incident records (field-by-field merge)';

/** How git starts the driver: `<node> <cli.js> merge-driver %O %A %B %P`. */
export interface MergeDriverProgram {
  /** The Node (or Electron, with `ELECTRON_RUN_AS_NODE=1` in `env`) that runs the CLI. */
  nodePath: string;
  /** Absolute path of `dist/cli.js`. */
  cliPath: string;
  /** Variables set for the driver, e.g. `{ ELECTRON_RUN_AS_NODE: '1' }` when nodePath is VS Code's own binary. */
  env?: Readonly<Record<string, string>>;
}

export interface MergeDriverInstallOptions {
  /** Incident globs of the repo config, relative to `dir` (picomatch syntax; braces are expanded). */
  incidentGlobs: readonly string[];
  program: MergeDriverProgram;
  spawner?: GitSpawner;
}

export interface MergeDriverInstallation {
  /** The `.gitattributes` written (in `dir`, since the globs are relative to it). */
  attributesFile: string;
  /** Lines added this time; empty when they were all there already. */
  addedLines: string[];
  /** Every driver line the file holds for the incident globs. */
  attributeLines: string[];
  /** The `merge.runbook-ops.driver` value now configured. */
  driverCommand: string;
  /** Shell commands that undo the installation. */
  undo: string[];
}

/** Quotes a word for `sh -c` (git runs the driver through the shell). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function mergeDriverCommand(program: MergeDriverProgram): string {
  const env = Object.entries(program.env ?? {}).map(([name, value]) => `${name}=${shellQuote(value)} `).join('');
  return `${env}${shellQuote(program.nodePath)} ${shellQuote(program.cliPath)} merge-driver %O %A %B %P`;
}

async function gitOrFail(dir: string, args: string[], spawner: GitSpawner | undefined, allowed: readonly number[] = [0]): Promise<string> {
  const result = await runGit(args, { cwd: dir, spawner });
  if (result.exitCode === 128 && /not a git repository/i.test(result.stderr)) throw new NotAGitRepositoryError(dir);
  if (result.exitCode === null || !allowed.includes(result.exitCode)) throw new GitCommandError(args, result.exitCode, result.stderr);
  return result.stdout;
}

function undoCommands(dir: string): string[] {
  return [
    `runbook-ops install-merge-driver --undo ${shellQuote(dir)}`,
    `# or by hand: git config --remove-section merge.${MERGE_DRIVER_NAME}, and delete the merge=${MERGE_DRIVER_NAME} lines from ${shellQuote(join(dir, '.gitattributes'))}`,
  ];
}

/** Writes the attributes (idempotent) and the driver config of the repository `dir` is in. */
export async function installMergeDriver(dir: string, options: MergeDriverInstallOptions): Promise<MergeDriverInstallation> {
  await gitOrFail(dir, ['rev-parse', '--show-toplevel'], options.spawner);
  const driverCommand = mergeDriverCommand(options.program);
  await gitOrFail(dir, ['config', `merge.${MERGE_DRIVER_NAME}.name`, DRIVER_DESCRIPTION], options.spawner);
  await gitOrFail(dir, ['config', `merge.${MERGE_DRIVER_NAME}.driver`, driverCommand], options.spawner);

  const attributesFile = join(dir, '.gitattributes');
  const attributeLines = mergeDriverAttributeLines(options.incidentGlobs);
  const existing = existsSync(attributesFile) ? readFileSync(attributesFile, 'utf8') : undefined;
  const { text, addedLines } = attributesWithDriverLines(existing, attributeLines);
  // A hostile clone's .gitattributes may be a link to a file elsewhere (a shell profile): never written through.
  if (addedLines.length > 0) await writeFileAtomic(await realPathInsideRepository(dir, attributesFile), text);
  return { attributesFile, addedLines, attributeLines, driverCommand, undo: undoCommands(dir) };
}

/** What the driver config says now, to tell whether an installation points at a CLI that still exists. */
export async function readMergeDriverCommand(dir: string, spawner?: GitSpawner): Promise<string | undefined> {
  const out = await gitOrFail(dir, ['config', '--get', `merge.${MERGE_DRIVER_NAME}.driver`], spawner, [0, 1]);
  return out.trim() || undefined;
}

/** Removes the driver config and the driver's `.gitattributes` lines; returns the lines removed. */
export async function uninstallMergeDriver(dir: string, spawner?: GitSpawner): Promise<{ attributesFile: string; removedLines: string[]; hadConfig: boolean }> {
  await gitOrFail(dir, ['rev-parse', '--show-toplevel'], spawner);
  const hadConfig = (await readMergeDriverCommand(dir, spawner)) !== undefined;
  // Exit 128: there was no such section; nothing to remove.
  await gitOrFail(dir, ['config', '--remove-section', `merge.${MERGE_DRIVER_NAME}`], spawner, [0, 128]);
  const attributesFile = join(dir, '.gitattributes');
  const removedLines: string[] = [];
  if (existsSync(attributesFile)) {
    const text = readFileSync(attributesFile, 'utf8');
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const driverLine = new RegExp(`^\\S+\\s+merge=${MERGE_DRIVER_NAME}\\s*$`);
    const kept = text.split(/\r?\n/).filter((line) => {
      const drop = line.trim() === ATTRIBUTES_COMMENT || driverLine.test(line.trim());
      if (drop) removedLines.push(line);
      return !drop;
    });
    await writeFileAtomic(await realPathInsideRepository(dir, attributesFile), kept.join(eol));
  }
  return { attributesFile, removedLines, hadConfig };
}
