import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderSetupPlan, setupChangesAnything } from '../core/check/repositorySetup';
import { NotAGitRepositoryError } from '../git/gitProcess';
import { applySetupPlan, readSetupPlan } from '../git/repositorySetup';
import { flagGiven, UsageError, type CommandOptions, type ParsedArgs } from './commandLine';
import { ownProgram } from './mergeDriverCommand';

export const INIT_OPTIONS: CommandOptions = { 'dry-run': { type: 'boolean' }, force: { type: 'boolean' } };

/**
 * `runbook-ops init [dir] [--dry-run] [--force]`: sets a repository up (.runbook-ops.yaml, the CI
 * workflow, the merge driver, the CODEOWNERS block) after printing the plan. Exit 1 when a file a
 * person wrote would be replaced and --force was not given: then nothing is written.
 */
export async function initCommand(args: ParsedArgs, out: (text: string) => void): Promise<number> {
  if (args.positional.length > 1) throw new UsageError('init takes one folder.');
  const root = resolve(args.positional[0] ?? '.');
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${root} is not a directory. Pass the root of a runbook repository.`);
  let context;
  try {
    context = await readSetupPlan(root, ownProgram());
  } catch (err) {
    if (err instanceof NotAGitRepositoryError) throw new Error(`${root} is not in a git repository; init sets up a repository's CI, merge driver and CODEOWNERS. Run "git init" first.`);
    throw err;
  }
  const { plan } = context;
  const dryRun = flagGiven(args, 'dry-run');
  const force = flagGiven(args, 'force');
  const conflicts = plan.files.filter((f) => f.action === 'conflict');
  out(`Runbook Ops set-up of ${root}${context.gitRoot !== root ? ` (git repository ${context.gitRoot})` : ''}: ${plan.layout.runbooks} runbooks, ${plan.layout.incidents} incident records.`);
  if (!setupChangesAnything(plan)) {
    out(renderSetupPlan(plan, false));
    out('Already set up: nothing to change.');
    return 0;
  }
  out(renderSetupPlan(plan, dryRun || (conflicts.length > 0 && !force)));
  if (dryRun) {
    out(`\nDry run: nothing was written. Run init without --dry-run to write it${conflicts.length ? ' (with --force to replace the files marked conflict)' : ''}.`);
    return 0;
  }
  if (conflicts.length > 0 && !force) {
    out(`\nNothing was written: ${conflicts.map((f) => f.path).join(', ')} ${conflicts.length === 1 ? 'was' : 'were'} not written by init (or ${conflicts.length === 1 ? 'was' : 'were'} edited since), and init does not replace a file a person wrote. Copy the lines above you want into ${conflicts.length === 1 ? 'it' : 'them'}, or run init --force to replace ${conflicts.length === 1 ? 'it' : 'them'} with what is shown.`);
    return 1;
  }
  const outcome = await applySetupPlan(context, { force });
  out(`\nWrote ${outcome.written.length ? outcome.written.join(', ') : 'no files'}${outcome.mergeDriverSet ? '; set the merge driver in this clone\'s git config' : ''}.`);
  out('Commit the files so the team shares them (each clone runs `runbook-ops install-merge-driver` once), then run `runbook-ops check`.');
  return 0;
}
