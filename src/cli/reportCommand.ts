import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateIncident } from '../core/incident/incidentValidation';
import { PathClassifier } from '../core/config/paths';
import { layoutFromConfig } from '../core/config/repoConfig';
import { buildOpsReport, parseReportSince, renderOpsReportMarkdown, reportIncidentFromRecord, type ReportIncident, type ReportRunbook } from '../core/metrics/report';
import { parseRunbook } from '../core/runbook/runbook';
import { nowOption } from './checkCommand';
import { optionValue, readRepoConfig, UsageError, type CommandOptions, type ParsedArgs } from './commandLine';
import { listRepositoryFiles } from '../fs/repositoryFiles';
import { loadRunbookReviews } from './runbookReviews';

export const REPORT_OPTIONS: CommandOptions = { since: { type: 'string' }, format: { type: 'string' }, now: { type: 'string' } };

/** `runbook-ops report [--since 30d|90d|<date>] [--format md|json] [dir]`: the metrics table for a PR or a wiki. */
export async function reportCommand(args: ParsedArgs, out: (text: string) => void, err: (text: string) => void = (t) => process.stderr.write(`${t}\n`)): Promise<number> {
  const format = optionValue(args, 'format') ?? 'md';
  if (format !== 'md' && format !== 'json') throw new UsageError(`--format must be md or json, not ${format}.`);
  if (args.positional.length > 1) throw new UsageError('report takes one folder.');
  const now = nowOption(args);
  const sinceText = optionValue(args, 'since') ?? '90d';
  const since = parseReportSince(sinceText, now);
  if (!since) throw new UsageError(`--since ${sinceText} is not a period (30d, 12w, 6m, 1y) or a date (YYYY-MM-DD).`);
  if (since.getTime() >= now.getTime()) throw new UsageError(`--since ${sinceText} is not before now.`);
  const root = resolve(args.positional[0] ?? '.');
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${root} is not a directory. Pass the root of a runbook repository.`);

  const { config } = readRepoConfig(root);
  const classifier = new PathClassifier(layoutFromConfig(config));
  const paths = listRepositoryFiles(root);
  const incidents: ReportIncident[] = [];
  let unreadable = 0;
  for (const path of paths.filter((p) => classifier.classify(p) === 'incident')) {
    let content: Buffer;
    try {
      content = readFileSync(join(root, path));
    } catch {
      unreadable++;
      continue;
    }
    const validation = validateIncident(path, content, { config, now });
    if (validation.record) incidents.push(reportIncidentFromRecord(path, validation.record));
    else unreadable++;
  }
  const runbooks = paths.filter((p) => classifier.classify(p) === 'runbook').flatMap((path) => {
    try {
      return [parseRunbook(path, readFileSync(join(root, path)))];
    } catch {
      return [];
    }
  });
  const reviews = await loadRunbookReviews(root, runbooks, config.reviewInterval, now);
  const reviewed: ReportRunbook[] = runbooks.map((r) => {
    const entry: ReportRunbook = { path: r.path, title: r.title, review: reviews.states.get(r.path)! };
    if (r.owner !== undefined) entry.owner = r.owner;
    return entry;
  });
  const report = buildOpsReport(incidents, reviewed, { since, now, severityOrder: config.severities.map((s) => s.name) });
  if (unreadable > 0) err(`${unreadable} incident record${unreadable === 1 ? ' is' : 's are'} not readable YAML and left out; run runbook-ops check.`);
  if (reviews.unknownReason) err(`Review dates of ${reviews.unknown} runbook${reviews.unknown === 1 ? '' : 's'} are unknown: ${reviews.unknownReason}.`);
  out(format === 'json' ? JSON.stringify(report, null, 2) : renderOpsReportMarkdown(report).replace(/\n$/, ''));
  return 0;
}
