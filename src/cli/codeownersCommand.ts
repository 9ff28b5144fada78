import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { CODEOWNERS_LOCATIONS, ownerHandles, planCodeowners, readOwnership, renderCodeownersBlock, replaceCodeownersBlock } from '../core/check/codeowners';
import { PathClassifier } from '../core/config/paths';
import { layoutFromConfig } from '../core/config/repoConfig';
import { findWorkTreeRoot } from '../git/workTree';
import { flagGiven, readRepoConfig, UsageError, type CommandOptions, type ParsedArgs } from './commandLine';
import { listRepositoryFiles } from '../fs/repositoryFiles';
import { writeFileAtomic } from '../fs/atomicWrite';
import { realPathInsideRepository } from '../fs/repositoryPath';

export const CODEOWNERS_OPTIONS: CommandOptions = { write: { type: 'boolean' } };

/**
 * `runbook-ops codeowners [dir] [--write]`: the CODEOWNERS block routing reviews of runbooks to their
 * `owner` and of incidents to their services' owners; printed, or written into the marked block.
 */
export async function codeownersCommand(args: ParsedArgs, out: (text: string) => void, err: (text: string) => void = (t) => process.stderr.write(`${t}\n`)): Promise<number> {
  if (args.positional.length > 1) throw new UsageError('codeowners takes one folder.');
  const root = resolve(args.positional[0] ?? '.');
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${root} is not a directory. Pass the root of a runbook repository.`);
  const { config } = readRepoConfig(root);
  const classifier = new PathClassifier(layoutFromConfig(config));
  const paths = listRepositoryFiles(root);
  const read = (path: string): Buffer | undefined => {
    try {
      return readFileSync(join(root, path));
    } catch {
      return undefined;
    }
  };
  const { runbooks, incidents } = readOwnership(paths.filter((p) => classifier.classify(p) === 'runbook'), paths.filter((p) => classifier.classify(p) === 'incident'), read);
  // CODEOWNERS paths are relative to the git repository, which may hold the runbooks in a subfolder.
  const gitRoot = findWorkTreeRoot(root) ?? root;
  const plan = planCodeowners(runbooks, incidents, relative(gitRoot, root).split(sep).join('/'));
  const block = renderCodeownersBlock(plan);
  for (const { path, owner } of plan.unroutable) err(`${path}: owner "${owner}" is not a GitHub @user, @org/team or e-mail, so CODEOWNERS cannot route reviews to it.`);
  const unowned = runbooks.filter((r) => ownerHandles(r.owner).routable.length === 0).length;
  if (unowned > 0) err(`${unowned} runbook${unowned === 1 ? ' has' : 's have'} no usable owner and ${unowned === 1 ? 'is' : 'are'} left out.`);

  if (!flagGiven(args, 'write')) {
    out(block.join('\n'));
    return 0;
  }
  const file = CODEOWNERS_LOCATIONS.map((l) => join(gitRoot, l)).find((f) => existsSync(f)) ?? join(gitRoot, CODEOWNERS_LOCATIONS[0]);
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const updated = replaceCodeownersBlock(existing, block);
  const shown = relative(process.cwd(), file).split(sep).join('/') || file;
  if (updated === existing) {
    out(`${shown} is up to date (${plan.rules.length} rules).`);
    return 0;
  }
  // Inside the git repository, however .github or CODEOWNERS is linked; replaced atomically.
  const real = await realPathInsideRepository(gitRoot, file);
  await mkdir(dirname(real), { recursive: true });
  await writeFileAtomic(real, updated);
  out(`${existing === undefined ? 'Wrote' : 'Updated'} ${shown}: ${plan.rules.filter((r) => r.kind === 'runbook').length} runbook and ${plan.rules.filter((r) => r.kind === 'incident').length} incident rules between "# BEGIN runbook-ops" and "# END runbook-ops".`);
  return 0;
}
