import { readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAlertInput, type Alert } from '../core/alert/alertInput';
import { placeholderValuesFromLabels } from '../core/alert/alertLabels';
import { describeAlertMatch, findRunbooksForAlert, lineMentioning, type AlertMatch } from '../core/alert/alertMatch';
import { placeholderLabel } from '../core/runbook/placeholders';
import { parseRunbook } from '../core/runbook/runbook';
import { decodeFileText } from '../core/text/fileText';
import { flagGiven, optionValue, readRepoConfig, UsageError, type CommandOptions, type ParsedArgs } from './commandLine';
import { buildRepositoryIndex } from './repositoryIndex';

export const ALERT_OPTIONS: CommandOptions = { dir: { type: 'string' }, format: { type: 'string' }, 'no-cache': { type: 'boolean' } };

interface MatchOutput {
  path: string;
  title: string;
  reason: AlertMatch['reason'];
  why: string;
  line: number;
  heading?: string;
  retired: boolean;
  /** The placeholders the alert's labels fill, as the runner would offer them. */
  fills: { placeholder: string; label: string; value: string }[];
}

/** A match with its opening line (a mention's line is found in the text) and the values the labels fill. */
function describeMatch(root: string, alert: Alert, match: AlertMatch): MatchOutput {
  const text = readFileSync(join(root, match.path));
  const runbook = parseRunbook(match.path, text);
  const line = match.reason === 'mention' ? (lineMentioning(decodeFileText(text).text, alert.name) ?? match.line) : match.line;
  const { filled } = placeholderValuesFromLabels(runbook.steps.flatMap((s) => s.placeholders), alert.labels);
  return {
    path: match.path,
    title: match.title,
    reason: match.reason,
    why: describeAlertMatch(match, alert),
    line,
    ...(match.heading !== undefined ? { heading: match.heading } : {}),
    retired: match.retired,
    fills: filled.map((f) => ({ placeholder: placeholderLabel(f.placeholder), label: f.label, value: f.value })),
  };
}

/**
 * `runbook-ops alert <AlertName | ->`: the runbooks for an alert, best first (src/core/alert/alertMatch.ts),
 * with the placeholder values its labels fill. `-` reads the alert from standard input, as Alertmanager
 * sends it. Exit 1 when an alert has no runbook.
 */
export async function alertCommand(args: ParsedArgs, out: (text: string) => void, build: { parserVersion: string }): Promise<number> {
  const format = optionValue(args, 'format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not ${format}.`);
  if (args.positional.length !== 1) throw new UsageError('alert takes one alert name, or - to read an alert payload from standard input.');
  const root = resolve(optionValue(args, 'dir') ?? '.');
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${root} is not a directory. Pass the root of a runbook repository with --dir.`);
  const input = args.positional[0] === '-' ? readFileSync(0, 'utf8') : args.positional[0];
  const alerts = parseAlertInput(input);
  const { config } = readRepoConfig(root);
  const index = await buildRepositoryIndex(root, config, { noCache: flagGiven(args, 'no-cache'), parserVersion: build.parserVersion });
  const runbooks = index.runbooks();
  const results = alerts.map((alert) => ({ alert, matches: findRunbooksForAlert(alert, runbooks).map((m) => describeMatch(root, alert, m)) }));

  if (format === 'json') {
    out(JSON.stringify({ root, alerts: results.map(({ alert, matches }) => ({ ...alert, matches })) }, null, 2));
  } else {
    const shown = (path: string): string => relative(process.cwd(), join(root, path)) || path;
    const blocks = results.map(({ alert, matches }) => {
      const since = alert.startsAt ? ` (firing since ${alert.startsAt})` : '';
      if (matches.length === 0) {
        return `${alert.name}${since}: no runbook found among ${runbooks.length}. Looked at the runbook_url annotation, front-matter alerts, file names, headings and mentions; add "alerts: [${alert.name}]" to its runbook's front matter.`;
      }
      const lines = [`${alert.name}${since}: ${matches.length} runbook${matches.length === 1 ? '' : 's'}`];
      matches.forEach((m, i) => {
        lines.push(`  ${i + 1}. ${shown(m.path)}:${m.line}  "${m.title}" (${m.why}${m.retired ? '; in a retired folder' : ''})`);
        for (const fill of m.fills) lines.push(`       ${fill.placeholder} = ${fill.value} (label ${fill.label})`);
      });
      return lines.join('\n');
    });
    out(blocks.join('\n\n'));
  }
  return results.some((r) => r.matches.length === 0) ? 1 : 0;
}
