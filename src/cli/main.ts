import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { WorkspaceIndex, type RunbookSummary } from '../core/index';
import { listRepositoryFiles, repositoryReader } from './repositoryFiles';

const USAGE = `Usage: runbook-ops <command> [options]

Commands:
  index [dir] [--format text|json]   Print every runbook in dir (default: .) with its steps and problems.

Options:
  -h, --help                         Show this help.
  -v, --version                      Print the version.
`;

/** Exit codes: 0 success, 1 problems found, 2 usage or I/O error. */
class UsageError extends Error {}

interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

function parseArgs(argv: readonly string[], valueOptions: ReadonlySet<string>): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq === -1 ? arg : arg.slice(0, eq)).replace(/^--?/, '');
    if (valueOptions.has(name)) {
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value.`);
      options.set(name, value);
    } else {
      options.set(name, true);
    }
  }
  return { positional, options };
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

async function indexCommand(args: ParsedArgs, out: (text: string) => void): Promise<number> {
  const format = args.options.get('format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not ${String(format)}.`);
  const root = resolve(args.positional[0] ?? '.');
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${root} is not a directory. Pass the root of a runbook repository.`);
  const index = new WorkspaceIndex();
  await index.build(listRepositoryFiles(root), repositoryReader(root));
  const snapshot = index.snapshot();
  if (format === 'json') out(JSON.stringify({ root, ...snapshot }, null, 2));
  else {
    out(snapshot.runbooks.map(formatRunbookText).join('\n\n'));
    const steps = snapshot.runbooks.reduce((n, r) => n + r.steps.length, 0);
    out(`\n${snapshot.runbooks.length} runbooks, ${steps} steps`);
  }
  return 0;
}

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
    if (command === 'index') return await indexCommand(parseArgs(rest, new Set(['format'])), out);
    throw new UsageError(`Unknown command "${command}".`);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`runbook-ops: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`runbook-ops: ${(err as Error).message}\n`);
    return 2;
  }
}

declare const VERSION: string;

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
