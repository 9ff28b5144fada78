import { closeSync, fsyncSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { createIncident, IncidentEditError } from '../core/incidentEdit';
import { PathClassifier } from '../core/paths';
import { allocateIncidentId, layoutFromConfig } from '../core/repoConfig';
import { authorOption, optionValue, readRepoConfig, timeOption, UsageError, type ParsedArgs } from './commandLine';
import { listRepositoryFiles } from '../core/repositoryFiles';
import { fileStem } from '../core/incidentSummary';

export const NEW_INCIDENT_VALUE_OPTIONS: ReadonlySet<string> = new Set(['title', 'severity', 'service', 'commander', 'runbook', 'by', 'at', 'dir']);

/** How many ids `new incident` tries when other writers keep taking the one it picked. */
export const MAX_ID_ATTEMPTS = 100;

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as NodeJS.ErrnoException).code : undefined;
}

/**
 * Creates `file` exclusively (`wx`) and writes all of `text` into it, fsynced. Returns false, touching
 * nothing, when the file already exists. When the write fails after the create (ENOSPC, EIO…), the file
 * it created is removed so no empty or half-written record remains, and the error names the file.
 */
export function createFileExclusive(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return false;
    throw err;
  }
  const data = Buffer.from(text, 'utf8');
  let failure: unknown;
  try {
    for (let written = 0; written < data.length; ) written += writeSync(fd, data, written, data.length - written);
    fsyncSync(fd);
  } catch (err) {
    failure = err;
  }
  try {
    closeSync(fd);
  } catch (err) {
    // A failed write is the error to report; a failed close alone is one too.
    failure ??= err;
  }
  if (failure !== undefined) {
    removeCreated(file);
    throw new Error(`Could not write ${file}: ${(failure as Error).message}. The incomplete record was removed.`);
  }
  return true;
}

function removeCreated(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') process.stderr.write(`runbook-ops: warning: could not remove the incomplete ${file}: ${(err as Error).message}\n`);
  }
}

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
  const taken = existingIncidentIds(root, new PathClassifier(layoutFromConfig(config)));
  const folder = join(root, config.incidentFolder);
  mkdirSync(folder, { recursive: true });
  const recordFor = (id: string): string => {
    try {
      return createIncident(config, {
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
  };
  // Other writers (parallel `new incident` runs, the extension) may take the id between the listing and
  // the create: `wx` never overwrites their record, and a taken id moves on to the next free one.
  for (let attempt = 0; attempt < MAX_ID_ATTEMPTS; attempt++) {
    const id = allocateIncidentId(config, taken, now);
    const file = join(folder, `${id}.yaml`);
    if (createFileExclusive(file, recordFor(id))) {
      out(`Created ${relative(process.cwd(), file).split(sep).join('/')} (${id})`);
      return 0;
    }
    taken.push(id);
  }
  throw new Error(`Could not find a free incident id in ${folder}: the next ${MAX_ID_ATTEMPTS} ids were taken by other writers while this one tried. Run the command again.`);
}
