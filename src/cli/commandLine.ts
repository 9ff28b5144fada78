import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseTimestamp } from '../core/incident';
import { parseRepoConfig, REPO_CONFIG_FILE, type RepoConfigParse } from '../core/repoConfig';
import { gitUserName } from '../git/incidentGit';

/**
 * What the CLI commands share: their arguments, the repository's config, who is writing and when.
 * Exit codes: 0 success, 1 problems found, 2 usage or I/O error.
 */

/** Wrong arguments: main prints the message with the usage text and exits 2. */
export class UsageError extends Error {}

export interface ParsedArgs {
  positional: string[];
  /** Last value of each option (`true` for flags). */
  options: Map<string, string | true>;
  /** Every value of options given more than once (`--service a --service b`). */
  repeated: Map<string, string[]>;
}

/**
 * Splits argv into positionals and options. `valueOptions` take a value (`--format json` or
 * `--format=json`); with `flagOptions` given, any other option is refused as unknown.
 */
export function parseArgs(argv: readonly string[], valueOptions: ReadonlySet<string>, flagOptions?: ReadonlySet<string>): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  const repeated = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const eq = arg.indexOf('=');
    const name = (eq === -1 ? arg : arg.slice(0, eq)).replace(/^--?/, '');
    if (valueOptions.has(name)) {
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value.`);
      options.set(name, value);
      repeated.set(name, [...(repeated.get(name) ?? []), value]);
    } else if (flagOptions && !flagOptions.has(name)) {
      throw new UsageError(`Unknown option --${name}.`);
    } else {
      options.set(name, true);
    }
  }
  return { positional, options, repeated };
}

/** The value of a value option, or undefined. */
export function optionValue(args: ParsedArgs, name: string): string | undefined {
  const value = args.options.get(name);
  return typeof value === 'string' ? value : undefined;
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
