import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { editIncident, IncidentEditError, type IncidentEditOperation } from '../core/incidentEdit';
import { withIncidentFileLock } from '../core/incidentFileLock';
import { PathClassifier } from '../core/paths';
import { layoutFromConfig } from '../core/repoConfig';
import { authorOption, optionValue, readRepoConfig, timeOption, UsageError, type ParsedArgs } from './commandLine';
import { listRepositoryFiles } from '../core/repositoryFiles';
import { fileStem } from '../core/incidentSummary';

export const UPDATE_VALUE_OPTIONS: ReadonlySet<string> = new Set(['status', 'note', 'severity', 'commander', 'by', 'at', 'dir']);

/** `runbook-ops update INC-0042 --status mitigated [--note …]`: the same edits the extension makes. */
export async function updateCommand(args: ParsedArgs, out: (text: string) => void): Promise<number> {
  const [id, ...extra] = args.positional;
  if (!id || extra.length > 0) throw new UsageError('Use "runbook-ops update <id> --status <status> [--note …]".');
  const status = optionValue(args, 'status');
  const note = optionValue(args, 'note');
  const severity = optionValue(args, 'severity');
  const commander = optionValue(args, 'commander');
  if (status === undefined && note === undefined && severity === undefined && commander === undefined) {
    throw new UsageError('update needs at least one of --status, --note, --severity or --commander.');
  }
  const root = resolve(optionValue(args, 'dir') ?? '.');
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${root} is not a directory. Pass the root of a runbook repository with --dir.`);
  const { config } = readRepoConfig(root);
  const classifier = new PathClassifier(layoutFromConfig(config));
  const matches = listRepositoryFiles(root).filter((p) => classifier.classify(p) === 'incident' && (p === id || fileStem(p) === id));
  if (matches.length === 0) throw new Error(`No incident record ${id} under ${root}.`);
  if (matches.length > 1) throw new Error(`More than one record is named ${id}: ${matches.join(', ')}. Pass the path instead.`);
  const path = matches[0];

  // A note given with a status change becomes that change's text, as people write status entries.
  const operations: IncidentEditOperation[] = [];
  if (severity !== undefined) operations.push({ op: 'setSeverity', severity });
  if (commander !== undefined) operations.push({ op: 'assignCommander', commander });
  if (status !== undefined) operations.push({ op: 'setStatus', status, text: note });
  else if (note !== undefined) operations.push({ op: 'addNote', text: note });

  const now = timeOption(args);
  const author = authorOption(args, root);
  const file = join(root, path);
  // Read, edit and write under the record's lock: the extension (or another terminal) may be updating
  // the same record right now, and reading before it writes would drop its change.
  const outcome = await withIncidentFileLock(file, async () => {
    const original = readFileSync(file, 'utf8');
    let text = original;
    const descriptions: string[] = [];
    try {
      for (const operation of operations) {
        const result = editIncident(text, operation, now, author, config);
        text = result.text;
        descriptions.push(result.description);
      }
    } catch (err) {
      if (!(err instanceof IncidentEditError)) throw err;
      return { refused: err.message };
    }
    if (text !== original) writeFileSync(file, text);
    return { descriptions };
  });
  if ('refused' in outcome) {
    process.stderr.write(`runbook-ops: ${id}: ${outcome.refused}\n`);
    return 1;
  }
  const done = outcome.descriptions;
  out(`${id}: ${done.join(', ')}`);
  return 0;
}
