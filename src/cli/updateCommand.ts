import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IncidentEditOperation } from '../core/incident/incidentEdit';
import { fileStem, PathClassifier } from '../core/config/paths';
import { layoutFromConfig } from '../core/config/repoConfig';
import { AUTHOR_OPTIONS, authorOption, optionValue, readRepoConfig, timeOption, UsageError, type CommandOptions, type ParsedArgs } from './commandLine';
import { applyRecordEdit, findRecord, lockTimeoutMs } from './recordEdit';

export const UPDATE_OPTIONS: CommandOptions = {
  status: { type: 'string' },
  note: { type: 'string' },
  'note-file': { type: 'string' },
  severity: { type: 'string' },
  commander: { type: 'string' },
  dir: { type: 'string' },
  'lock-timeout': { type: 'string' },
  ...AUTHOR_OPTIONS,
};

/**
 * TEST ONLY: when this variable names a file, `update` waits after taking the record's lock until that
 * file exists, so a test can pause a writer while it holds the lock (and SIGSTOP it there). Never set
 * it outside tests: the command would wait for nothing.
 */
export const TEST_HOLD_LOCK_ENV = 'RUNBOOK_OPS_TEST_HOLD_LOCK_UNTIL';

async function holdLockForTest(): Promise<void> {
  const until = process.env[TEST_HOLD_LOCK_ENV];
  if (!until) return;
  while (!existsSync(until)) await new Promise((r) => setTimeout(r, 20));
}

/**
 * `--note <text>`, or `--note-file <path>` (`-`: standard input) for a note too long for the command
 * line (argv is limited to ~128 KB a value) or one with line breaks; one final line break is dropped,
 * as editors and `echo` add it.
 */
function noteOption(args: ParsedArgs): string | undefined {
  const inline = optionValue(args, 'note');
  const file = optionValue(args, 'note-file');
  if (file === undefined) return inline;
  if (inline !== undefined) throw new UsageError('Give the note with --note or with --note-file, not both.');
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new Error(`Could not read the note from ${file === '-' ? 'standard input' : file}: ${(error as Error).message}. Nothing was written.`);
  }
  return text.replace(/\r?\n$/, '');
}

/** `runbook-ops update INC-0042 --status mitigated [--note …]`: the same edits the extension makes. */
export async function updateCommand(args: ParsedArgs, out: (text: string) => void, err: (text: string) => void = (t) => process.stderr.write(`${t}\n`)): Promise<number> {
  const [id, ...extra] = args.positional;
  if (!id || extra.length > 0) throw new UsageError('Use "runbook-ops update <id> --status <status> [--note …]".');
  const status = optionValue(args, 'status');
  const note = noteOption(args);
  const severity = optionValue(args, 'severity');
  const commander = optionValue(args, 'commander');
  if (status === undefined && note === undefined && severity === undefined && commander === undefined) {
    throw new UsageError('update needs at least one of --status, --note (or --note-file), --severity or --commander.');
  }
  const timeoutMs = lockTimeoutMs(args);
  const root = resolve(optionValue(args, 'dir') ?? '.');
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${root} is not a directory. Pass the root of a runbook repository with --dir.`);
  const { config } = readRepoConfig(root);
  const classifier = new PathClassifier(layoutFromConfig(config));
  const path = await findRecord(root, id, classifier, config.incidentFolder);

  // A note given with a status change becomes that change's text, as people write status entries.
  const operations: IncidentEditOperation[] = [];
  if (severity !== undefined) operations.push({ op: 'setSeverity', severity });
  if (commander !== undefined) operations.push({ op: 'assignCommander', commander });
  if (status !== undefined) operations.push({ op: 'setStatus', status, text: note });
  else if (note !== undefined) operations.push({ op: 'addNote', text: note });

  const now = timeOption(args);
  const author = await authorOption(args, root);
  // Leaving triage without --commander names the author; from git config that may be a team's name, so say so.
  const commanderFromGit = commander === undefined && status !== undefined && optionValue(args, 'by') === undefined;
  const outcome = await applyRecordEdit(root, path, operations, { now, author, config, timeoutMs, holder: 'runbook-ops update', err, label: id, beforeEdit: holdLockForTest });
  if ('refused' in outcome) {
    err(`runbook-ops: ${id}: ${outcome.refused}`);
    return 1;
  }
  const setCommander = outcome.descriptions.some((d) => d.endsWith(`, commander ${author}`));
  if (commanderFromGit && setCommander) {
    err(`runbook-ops: ${fileStem(path)}: the commander is ${author}, the author (git config user.name, else the login name). If someone else runs the incident, name them: runbook-ops update ${fileStem(path)} --commander <name>.`);
  }
  out(`${fileStem(path)}: ${outcome.descriptions.join(', ')}`);
  return 0;
}
