import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createIncident, IncidentEditError } from '../core/incidentEdit';
import { PathClassifier } from '../core/paths';
import { allocateIncidentId, layoutFromConfig } from '../core/repoConfig';
import { authorOption, optionValue, readRepoConfig, timeOption, UsageError, type ParsedArgs } from './commandLine';
import { listRepositoryFiles } from '../core/repositoryFiles';
import { fileStem } from '../core/incidentSummary';

export const NEW_INCIDENT_VALUE_OPTIONS: ReadonlySet<string> = new Set(['title', 'severity', 'service', 'commander', 'runbook', 'by', 'at', 'dir']);

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
  const id = allocateIncidentId(config, existingIncidentIds(root, new PathClassifier(layoutFromConfig(config))), now);
  let text: string;
  try {
    text = createIncident(config, {
      id,
      title,
      severity,
      services: (args.repeated.get('service') ?? []).flatMap((s) => s.split(',')),
      commander: optionValue(args, 'commander'),
      runbooks: args.repeated.get('runbook') ?? [],
      now,
      author: authorOption(args, root),
    });
  } catch (err) {
    if (err instanceof IncidentEditError) throw new UsageError(err.message);
    throw err;
  }
  const file = join(root, config.incidentFolder, `${id}.yaml`);
  mkdirSync(dirname(file), { recursive: true });
  // `wx`: never overwrite a record someone wrote in the meantime.
  writeFileSync(file, text, { flag: 'wx' });
  out(`Created ${relative(process.cwd(), file).split(sep).join('/')} (${id})`);
  return 0;
}
