import { statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { createIncident, IncidentEditError } from '../core/incident/incidentEdit';
import { fileStem, PathClassifier } from '../core/config/paths';
import { allocateIncidentId, layoutFromConfig } from '../core/config/repoConfig';
import { AUTHOR_OPTIONS, authorOption, optionValue, optionValues, readRepoConfig, timeOption, UsageError, type CommandOptions, type ParsedArgs } from './commandLine';
import { listRepositoryFiles } from '../fs/repositoryFiles';
import { createFileAtomic } from '../fs/atomicWrite';
import { realPathInsideRepository } from '../fs/repositoryPath';

export const NEW_INCIDENT_OPTIONS: CommandOptions = {
  title: { type: 'string' },
  severity: { type: 'string' },
  service: { type: 'string', multiple: true },
  commander: { type: 'string' },
  runbook: { type: 'string', multiple: true },
  dir: { type: 'string' },
  ...AUTHOR_OPTIONS,
};

/** How many ids `new incident` tries when other writers keep taking the one it picked. */
export const MAX_ID_ATTEMPTS = 100;

/** Ids taken in the repository: incident file names (a record's file is named after its id). */
export function existingIncidentIds(root: string, classifier: PathClassifier): string[] {
  return listRepositoryFiles(root)
    .filter((p) => classifier.classify(p) === 'incident')
    .map(fileStem);
}

/** `runbook-ops new incident --title … --severity …`: writes a new record in triage with the next free id. */
export async function newIncidentCommand(args: ParsedArgs, out: (text: string) => void): Promise<number> {
  if (args.positional[0] !== 'incident' || args.positional.length > 1) throw new UsageError('Use "runbook-ops new incident --title … --severity …".');
  const title = optionValue(args, 'title')?.trim();
  if (!title) throw new UsageError('new incident needs --title "what is broken".');
  const root = resolve(optionValue(args, 'dir') ?? '.');
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${root} is not a directory. Pass the root of a runbook repository with --dir.`);
  const { config, problems } = readRepoConfig(root);
  const severity = optionValue(args, 'severity')?.trim();
  if (!severity) throw new UsageError(`new incident needs --severity (${config.severities.map((s) => s.name).join(', ')}).`);
  if (problems.some((p) => p.severity === 'error')) {
    process.stderr.write(`runbook-ops: warning: .runbook-ops.yaml has problems; defaults are used for the bad values (run "runbook-ops check").\n`);
  }
  const now = timeOption(args);
  const author = await authorOption(args, root);
  const taken = existingIncidentIds(root, new PathClassifier(layoutFromConfig(config)));
  // The real folder, refused when a symbolic link takes it out of the repository.
  const folder = await realPathInsideRepository(root, config.incidentFolder);
  await mkdir(folder, { recursive: true });
  const recordFor = (id: string): string => {
    try {
      return createIncident(config, {
        id,
        title,
        severity,
        services: optionValues(args, 'service').flatMap((s) => s.split(',')),
        commander: optionValue(args, 'commander'),
        runbooks: optionValues(args, 'runbook'),
        now,
        author,
      });
    } catch (err) {
      if (err instanceof IncidentEditError) throw new UsageError(err.message);
      throw err;
    }
  };
  // Other writers (parallel `new incident` runs, the extension) may take the id between the listing and
  // the create: the exclusive create never overwrites their record, and a taken id moves on to the
  // next free one. The record appears complete or not at all (no empty file on a full disk or a crash).
  for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
    const id = allocateIncidentId(config, taken, now);
    const file = join(folder, `${id}.yaml`);
    if (await createFileAtomic(file, recordFor(id))) {
      out(`Created ${relative(process.cwd(), join(root, config.incidentFolder, `${id}.yaml`)).split(sep).join('/')} (${id})`);
      return 0;
    }
    taken.push(id);
  }
  throw new Error(`Could not find a free incident id in ${folder}: the next ${MAX_ID_ATTEMPTS} ids were taken by other writers while this one tried. Run the command again.`);
}
