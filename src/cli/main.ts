import { existsSync, statSync } from 'node:fs';
import { dirname, join, parse, resolve } from 'node:path';
import type { IncidentSummary, RunbookSummary } from '../core/index/workspaceIndex';
import { ALERT_OPTIONS, alertCommand } from './alertCommand';
import { CHECK_OPTIONS, checkCommand } from './checkCommand';
import { CODEOWNERS_OPTIONS, codeownersCommand } from './codeownersCommand';
import { flagGiven, optionValue, parseCommandLine, readRepoConfig, UsageError, type CommandOptions, type ParsedArgs } from './commandLine';
import { INIT_OPTIONS, initCommand } from './initCommand';
import { INSTALL_MERGE_DRIVER_OPTIONS, installMergeDriverCommand, MERGE_DRIVER_OPTIONS, mergeDriverCommand } from './mergeDriverCommand';
import { NEW_INCIDENT_OPTIONS, newIncidentCommand } from './newIncidentCommand';
import { POSTMORTEM_OPTIONS, postmortemCommand } from './postmortemCommand';
import { REPORT_OPTIONS, reportCommand } from './reportCommand';
import { buildRepositoryIndex } from './repositoryIndex';
import { stepsCommand } from './stepsCommand';
import { UPDATE_OPTIONS, updateCommand } from './updateCommand';

/** Each command's lines of the usage text: `runbook-ops <command> --help` prints its own. */
const COMMAND_USAGE: readonly (readonly [string, string])[] = [
  ['init', `  init [dir] [--dry-run] [--force]   Set the repository up: .runbook-ops.yaml with the layout found, the CI workflow
                                     (.github/workflows/runbooks.yml), the merge driver and, when runbooks name owners,
                                     the CODEOWNERS block. Prints the plan first (--dry-run: with each file's content or
                                     changed lines, and writes nothing). A file a person wrote is never replaced
                                     without --force (exit 1, nothing written). Running it again changes nothing.`],
  ['index', `  index [dir] [--format text|json] [--no-cache]
                                     Print every runbook and incident in dir (default: .) with steps and problems.
                                     Unchanged files come from the summary cache (.git/runbook-ops/index-cache);
                                     --no-cache reads every file and leaves the cache alone.`],
  ['check', `  check [dir] [--format text|json|github] [--changed-since <ref>] [--strict] [--now <date>]
        [--baseline <file> | --write-baseline <file>] [--no-cache]
                                     Validate every runbook and incident record; exit 1 when there are errors.
                                     --changed-since reports only files changed since the merge base with <ref>
                                     (unchanged files' ids and owners come from .git/runbook-ops/check-facts,
                                     by git blob id; --no-cache reads them all);
                                     --strict fails on runbooks overdue for review (otherwise warnings);
                                     --write-baseline records every problem found (exit 0), and --baseline
                                     then reports only problems not in that file (known debt does not fail).`],
  ['alert', `  alert <AlertName | -> [--dir <repo>] [--format text|json] [--no-cache]
                                     The runbooks for an alert, best first: its runbook_url annotation, front-matter
                                     alerts, file names, headings, mentions. - reads an alert as Alertmanager sends it
                                     (a webhook payload or one alert) from standard input; the alert's labels that
                                     name a runbook's placeholders are listed as the values they fill.
                                     Exit 1 when an alert has no runbook.`],
  ['report', `  report [dir] [--since 30d|90d|<date>] [--format md|json] [--now <date>]
                                     Incident metrics (MTTA/MTTR by severity and service), action items,
                                     runbooks used most and runbooks overdue for review, as Markdown or JSON.`],
  ['codeowners', `  codeowners [dir] [--write]         Print (or write into .github/CODEOWNERS) the block routing reviews to owners.`],
  ['install-merge-driver', `  install-merge-driver [dir] [--undo]
                                     Merge incident records field by field: .gitattributes + git config.`],
  ['merge-driver', `  merge-driver %O %A %B [%P]         The merge driver git runs (exit 1 leaves conflict markers in %A).`],
  ['new', `  new incident --title <text> --severity <name> [--service <name>]... [--commander <name>] [--dir <repo>]
                                     Write a new incident record in triage with the next free id.`],
  ['postmortem', `  postmortem <id> [--dir <repo>] [--lock-timeout <seconds>]
                                     Write the incident's postmortem draft (postmortems/<id>.md, from
                                     templates/postmortem.md or the built-in template) and link it from the
                                     record; run again, it rewrites only the block of facts from the record.`],
  ['steps', `  steps <file> [--format text|json]  Print one runbook's steps as the runner sees them: commands, placeholders, confirmation.`],
  ['update', `  update <id> [--status <status>] [--note <text> | --note-file <path|->] [--severity <name>]
         [--commander <name>] [--dir <repo>] [--lock-timeout <seconds>]
                                     Update an incident record (a note with --status is that change's text;
                                     --note-file reads it from a file, - for standard input). The id is
                                     matched without regard to case. --status investigating on a mitigated,
                                     resolved, closed or cancelled incident reopens it and needs --note (why).
                                     Refused (exit 1) when the result would not pass check. Waits up to
                                     --lock-timeout (default 30) for another writer of the same record.`],
];

const OPTIONS_USAGE = `Options:
  --by <name>                        Author of new and updated records (default: git config user.name).
  --at <timestamp>                   When it happened, RFC 3339 (default: now).
  -h, --help                         Show this help.
  -v, --version                      Print the version.`;

const EXIT_CODES = `Exit codes: 0 success, 1 problems found (or update refused, or steps could not parse the file within the
parse budget of 5 s + 0.5 s per MB), 2 usage or I/O error.`;

const USAGE = `Usage: runbook-ops <command> [options]

Commands:
${COMMAND_USAGE.map(([, text]) => text).join('\n')}

${OPTIONS_USAGE}

${EXIT_CODES}
`;

/** `runbook-ops <command> --help`: that command's lines and the shared options. */
function commandUsage(command: string): string | undefined {
  const entry = COMMAND_USAGE.find(([name]) => name === command);
  return entry && `Usage: runbook-ops ${entry[1].trim()}\n\n${OPTIONS_USAGE}\n\n${EXIT_CODES}\n`;
}

function formatRunbookText(runbook: RunbookSummary): string {
  const runnable = runbook.steps.filter((s) => s.runnable).length;
  const lines = [`${runbook.path}  "${runbook.title}"${runbook.services.length ? `  [${runbook.services.join(', ')}]` : ''}  ${runbook.steps.length} steps (${runnable} runnable)`];
  for (const step of runbook.steps) {
    const what = step.runnable ? (step.languageGuessed ? 'run?' : 'run') : 'copy';
    const holes = step.placeholders.length ? `  needs ${step.placeholders.join(', ')}` : '';
    lines.push(`  L${step.startLine}\t${what}\t${step.language || '-'}\t${step.id}\t${step.title}${holes}`);
  }
  for (const problem of runbook.problems) lines.push(`  ! ${runbook.path}:${problem.line}: ${problem.severity}: ${problem.message}`);
  return lines.join('\n');
}

function formatIncidentText(incident: IncidentSummary): string {
  const open = incident.actionItems.open ? `  ${incident.actionItems.open}/${incident.actionItems.total} action items open` : '';
  const lines = [`${incident.path}  ${incident.id}  ${incident.status || '?'}  ${incident.severity || '?'}  "${incident.title}"${incident.services.length ? `  [${incident.services.join(', ')}]` : ''}${open}`];
  for (const problem of incident.problems) lines.push(`  ! ${incident.path}:${problem.line}: ${problem.severity}: ${problem.message}`);
  return lines.join('\n');
}

async function stepsCommandLine(args: ParsedArgs, out: (text: string) => void): Promise<number> {
  const format = optionValue(args, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not ${format}.`);
  if (args.positional.length !== 1) throw new UsageError('steps takes the path of one runbook.');
  const file = resolve(args.positional[0]);
  return await stepsCommand(file, format, out, readRepoConfig(repositoryRootOf(dirname(file))).config.destructivePatterns);
}

async function indexCommand(args: ParsedArgs, out: (text: string) => void): Promise<number> {
  const format = optionValue(args, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not ${format}.`);
  const root = resolve(args.positional[0] ?? '.');
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${root} is not a directory. Pass the root of a runbook repository.`);
  const { config } = readRepoConfig(root);
  const index = await buildRepositoryIndex(root, config, { noCache: flagGiven(args, 'no-cache'), parserVersion: BUILD_FINGERPRINT });
  const snapshot = index.snapshot();
  if (format === 'json') out(JSON.stringify({ root, ...snapshot }, null, 2));
  else {
    out(snapshot.runbooks.map(formatRunbookText).join('\n\n'));
    const steps = snapshot.runbooks.reduce((n, r) => n + r.steps.length, 0);
    out(`\n${snapshot.runbooks.length} runbooks, ${steps} steps`);
    if (snapshot.incidents.length) {
      out(`\n${snapshot.incidents.map(formatIncidentText).join('\n')}`);
      out(`\n${snapshot.incidents.length} incidents`);
    }
  }
  return 0;
}

/** Each command: its options (for `util.parseArgs`) and what runs it. */
const COMMANDS: Readonly<Record<string, { options: CommandOptions; run: (args: ParsedArgs, out: (text: string) => void) => Promise<number> }>> = {
  init: { options: INIT_OPTIONS, run: initCommand },
  alert: { options: ALERT_OPTIONS, run: (args, out) => alertCommand(args, out, { parserVersion: BUILD_FINGERPRINT }) },
  index: { options: { format: { type: 'string' }, 'no-cache': { type: 'boolean' } }, run: indexCommand },
  check: { options: CHECK_OPTIONS, run: (args, out) => checkCommand(args, out, { parserVersion: BUILD_FINGERPRINT }) },
  report: { options: REPORT_OPTIONS, run: (args, out) => reportCommand(args, out) },
  codeowners: { options: CODEOWNERS_OPTIONS, run: (args, out) => codeownersCommand(args, out) },
  'merge-driver': { options: MERGE_DRIVER_OPTIONS, run: (args) => mergeDriverCommand(args) },
  'install-merge-driver': { options: INSTALL_MERGE_DRIVER_OPTIONS, run: installMergeDriverCommand },
  new: { options: NEW_INCIDENT_OPTIONS, run: newIncidentCommand },
  postmortem: { options: POSTMORTEM_OPTIONS, run: (args, out) => postmortemCommand(args, out) },
  steps: { options: { format: { type: 'string' } }, run: stepsCommandLine },
  update: { options: UPDATE_OPTIONS, run: (args, out) => updateCommand(args, out) },
};

export async function main(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(`${t}\n`)): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      out(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === '-v' || command === '--version') {
      out(VERSION);
      return 0;
    }
    if (!Object.hasOwn(COMMANDS, command)) throw new UsageError(`Unknown command "${command}".`);
    const entry = COMMANDS[command];
    const args = parseCommandLine(rest, entry.options);
    if (args.help) {
      out(commandUsage(command) ?? USAGE);
      return 0;
    }
    return await entry.run(args, out);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`runbook-ops: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`runbook-ops: ${(err as Error).message}\n`);
    return 2;
  }
}

/** The nearest folder at or above `dir` with a `.runbook-ops.yaml` or `.git`, else `dir` itself. */
function repositoryRootOf(dir: string): string {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, '.runbook-ops.yaml')) || existsSync(join(current, '.git'))) return current;
    if (current === parse(current).root) return dir;
  }
}

declare const VERSION: string;
/** The version and a hash of the sources (esbuild.mjs): the summary cache's parser version. */
declare const BUILD_FINGERPRINT: string;

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
