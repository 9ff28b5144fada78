import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { decodeFileText } from '../core/text/fileText';
import { listRepositoryFiles } from '../fs/repositoryFiles';
import { planRepositorySetup, type PlannedFile, type SetupPlan } from '../core/check/repositorySetup';
import { writeFileAtomic } from '../fs/atomicWrite';
import { realPathInsideRepository } from '../fs/repositoryPath';
import { NotAGitRepositoryError } from './gitProcess';
import { installMergeDriver, mergeDriverCommand, readMergeDriverCommand, type MergeDriverProgram } from './mergeDriverInstall';
import { findWorkTreeRoot } from './workTree';

/**
 * Reads what `init` plans from (the repository's files, the merge driver in git config) and carries
 * a plan out, for the CLI and the extension alike. The plan itself is core's (src/core/repositorySetup.ts).
 */

export interface SetupContext {
  /** The runbook repository (where `.runbook-ops.yaml` is). */
  root: string;
  /** Its git work tree's root (where `.github/` is). */
  gitRoot: string;
  program: MergeDriverProgram;
  plan: SetupPlan;
}

/** A file changed between the plan being shown and being carried out: nothing more is written. */
export class SetupChangedError extends Error {}

function readText(file: string): string | undefined {
  try {
    return decodeFileText(readFileSync(file)).text;
  } catch {
    return undefined;
  }
}

/** The plan for `root`; throws NotAGitRepositoryError outside a git work tree. */
export async function readSetupPlan(root: string, program: MergeDriverProgram): Promise<SetupContext> {
  const gitRoot = findWorkTreeRoot(root);
  if (gitRoot === undefined) throw new NotAGitRepositoryError(root);
  const prefix = relative(gitRoot, resolve(root)).split(sep).join('/');
  const plan = planRepositorySetup({
    paths: listRepositoryFiles(root),
    prefix,
    read: (path) => readText(join(gitRoot, path)),
    driverCommand: mergeDriverCommand(program),
    currentDriverCommand: await readMergeDriverCommand(root),
  });
  return { root: resolve(root), gitRoot, program, plan };
}

export interface SetupOutcome {
  /** Files written, relative to the git root. */
  written: string[];
  /** Files a person wrote that were left as they are (no `force`). */
  kept: PlannedFile[];
  /** Whether the merge driver's git config was set. */
  mergeDriverSet: boolean;
}

/**
 * Writes what the plan says: new and init's own files, files a person wrote only with `force`.
 * Each file is checked to be as it was when planned and written atomically, inside the repository.
 */
export async function applySetupPlan(context: SetupContext, options: { force: boolean }): Promise<SetupOutcome> {
  const { plan, gitRoot } = context;
  const attributes = plan.files.find((f) => f.path.split('/').pop() === '.gitattributes');
  const writable = plan.files.filter((f) => f !== attributes && (f.action === 'create' || f.action === 'update' || (f.action === 'conflict' && options.force)));
  for (const file of [...writable, ...(attributes ? [attributes] : [])]) {
    if (readText(join(gitRoot, file.path)) !== file.previous) throw new SetupChangedError(`${file.path} changed since the plan was made; nothing more was written. Run init again to see the new plan.`);
  }
  const written: string[] = [];
  for (const file of writable) {
    const real = await realPathInsideRepository(gitRoot, file.path);
    await mkdir(dirname(real), { recursive: true });
    await writeFileAtomic(real, file.content);
    written.push(file.path);
  }
  // .gitattributes and git config together, as install-merge-driver does (the same lines as planned).
  let mergeDriverSet = false;
  if ((attributes && attributes.action !== 'unchanged') || plan.mergeDriver.action === 'set') {
    const installed = await installMergeDriver(context.root, { incidentGlobs: plan.layout.incidentInclude, program: context.program });
    if (installed.addedLines.length && attributes) written.push(attributes.path);
    mergeDriverSet = plan.mergeDriver.action === 'set';
  }
  return { written, kept: plan.files.filter((f) => f.action === 'conflict' && !options.force), mergeDriverSet };
}
