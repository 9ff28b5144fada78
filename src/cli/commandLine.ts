import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseTimestamp } from '../core/incident/incident';
import { parseRepoConfig, REPO_CONFIG_FILE, type RepoConfigParse } from '../core/config/repoConfig';
import { gitUserName } from '../git/incidentGit';

/**
 * What the CLI commands share: their arguments, the repository's config, who is writing and when.
 * Exit codes: 0 success, 1 problems found, 2 usage or I/O error.
 */

/** Wrong arguments: main prints the message with the usage text and exits 2. */
export class UsageError extends Error {}

/** A command's options as `util.parseArgs` declares them (`{ format: { type: 'string' } }`). */
export type CommandOptions = Readonly<Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>>;

/** `--by` and `--at`, for the commands that write records. */
export const AUTHOR_OPTIONS: CommandOptions = { by: { type: 'string' }, at: { type: 'string' } };

export interface ParsedArgs {
  positional: string[];
  /** Each option given: a string (the last one given), `true` for a flag, every value of a `multiple` option. */
  values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  /** `-h` or `--help` was given as an option (not as an option's value, not after `--`). */
  help: boolean;
}

/**
 * Splits a command's argv with Node's `util.parseArgs`, then refuses unknown options, options that
 * need a value and have none, and values given to flags, each in one sentence. The check is ours
 * rather than parseArgs' `strict` because strict refuses values that start with a dash, and
 * `--note --help` is a note (POSIX lets an option's value start with one). `-h`/`--help` are always
 * known, so `runbook-ops <command> --help` answers even next to a mistyped option.
 */
export function parseCommandLine(argv: readonly string[], options: CommandOptions): ParsedArgs {
  const known = { ...options, help: { type: 'boolean', short: 'h' } } as const;
  const { values, positionals, tokens } = parseArgs({ args: [...argv], options: known, strict: false, allowPositionals: true, tokens: true });
  const optionTokens = tokens.filter((t) => t.kind === 'option');
  const help = optionTokens.some((t) => t.name === 'help');
  if (!help) {
    for (const token of optionTokens) {
      const option = options[token.name];
      if (option === undefined) throw new UsageError(`Unknown option ${token.rawName.startsWith('--') ? token.rawName : `--${token.name}`}.`);
      if (option.type === 'string' && token.value === undefined) throw new UsageError(`--${token.name} needs a value.`);
      if (option.type === 'boolean' && token.value !== undefined) throw new UsageError(`--${token.name} takes no value.`);
    }
  }
  return { positional: positionals, values, help };
}

/** The value of a value option (the last one given), or undefined. */
export function optionValue(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  const last = Array.isArray(value) ? value.at(-1) : value;
  return typeof last === 'string' ? last : undefined;
}

/** Every value of an option that may be given more than once (`--service a --service b`). */
export function optionValues(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** Whether a flag was given. */
export function flagGiven(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** `.runbook-ops.yaml` at `root`, or the defaults when there is none. */
export function readRepoConfig(root: string): RepoConfigParse {
  const file = join(root, REPO_CONFIG_FILE);
  return parseRepoConfig(existsSync(file) ? readFileSync(file) : undefined);
}

/** `--by`, else `git config user.name` in `root` (what the extension uses too), else the login name. */
export async function authorOption(args: ParsedArgs, root: string): Promise<string> {
  const given = optionValue(args, 'by')?.trim();
  if (given) return given;
  const name = await gitUserName(root);
  if (name) return name;
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** `--at` (an RFC 3339 timestamp, for records written after the fact), else now. */
export function timeOption(args: ParsedArgs): Date {
  const at = optionValue(args, 'at');
  if (at === undefined) return new Date();
  const parsed = parseTimestamp(at);
  if (!parsed.ok) throw new UsageError(`--at ${at} is not an RFC 3339 timestamp with a time zone, such as 2026-11-23T09:06:00Z.`);
  return new Date(parsed.epochMs);
}
