/**
 * Postmortem drafts (issue 19, item 5): `postmortems/<id>.md` from the repository's
 * `templates/postmortem.md` or the built-in template (the sections of the common public templates:
 * summary, impact, root causes, trigger, resolution, detection, what went well and wrong, lessons),
 * with the facts of the record in one generated block: roles, key times and the durations between
 * them, the timeline as a table, action items and the runbooks used. Regenerating replaces only that
 * block, between its two marker lines, so what people wrote around it is never touched; the block is
 * a function of the record alone (no "generated at"), so regenerating an unchanged record changes
 * nothing.
 */
import { incidentDetail } from '../board/boardModel';
import type { IncidentDetail } from '../board/protocol';
import { summarizeIncident } from '../incident/incidentSummary';
import { validateIncident } from '../incident/incidentValidation';
import { formatDuration } from '../metrics/durationText';
import { METRIC_SPANS, type IncidentMetric } from '../metrics/metrics';
import { parseTimestamp } from '../incident/incident';
import { markdownCell } from '../text/textOutput';

export const GENERATED_START = '<!-- runbook-ops:generated:start (Draft Postmortem rewrites this block from the record; write outside it) -->';
export const GENERATED_END = '<!-- runbook-ops:generated:end -->';
const START_PREFIX = '<!-- runbook-ops:generated:start';

/** Where a repository keeps its own template. */
export const POSTMORTEM_TEMPLATE_PATH = 'templates/postmortem.md';

/** Refused: the draft cannot be regenerated without touching what people wrote. */
export class PostmortemDraftError extends Error {}

/** The built-in template; `{{generated}}` is where the facts go. */
export const BUILT_IN_POSTMORTEM_TEMPLATE = `---
services: {{services_list}}
tags: [postmortem]
---
# Postmortem: {{id}} {{title}}

**Status:** draft · **Severity:** {{severity}} · **Incident:** [{{id}}]({{record_link}})

## Summary

_What happened, in two or three sentences a newcomer understands._

## Impact

_Who was affected, how, and for how long. Numbers where you have them._

## Facts from the record

{{generated}}

## Root causes

_Why it was possible; keep asking why past the first answer._

## Trigger

_What set it off._

## Resolution

_What ended it, and why that worked._

## Detection

_How we found out, and how we could have found out sooner._

## What went well

-

## What went wrong

-

## Where we got lucky

-

## Lessons learned

-
`;

export interface PostmortemContext {
  detail: IncidentDetail;
  /** The record's repository path (`incidents/INC-0042.yaml`). */
  recordPath: string;
  /** The draft's repository path (`postmortems/INC-0042.md`). */
  postmortemPath: string;
  /** Titles of the runbooks the record links, by repository path. */
  runbookTitle(path: string): string | undefined;
}

/** `postmortems/INC-0042.md` for `INC-0042` in a folder ending in `/`. */
export function postmortemPathFor(folder: string, id: string): string {
  return `${folder}${id}.md`;
}

/** The relative link from the folder of `from` to `to` (both repository paths, `/`-separated). */
export function relativeLink(from: string, to: string): string {
  const base = from.split('/').slice(0, -1);
  const target = to.split('/');
  let shared = 0;
  while (shared < base.length && shared < target.length - 1 && base[shared] === target[shared]) shared++;
  return [...base.slice(shared).map(() => '..'), ...target.slice(shared)].join('/');
}

/** Text in a table cell: HTML shown as text, line breaks kept as `<br>`, the rest as `report`'s cells (markdownCell). */
function cell(text: string): string {
  return markdownCell(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, '<br>'));
}

/** A code span that holds any text: a run of backticks longer than any inside it. */
function code(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const padded = text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text;
  // HTML inside a code span is shown as written, and entities would be too: only the table's own syntax is escaped.
  return `${fence}${markdownCell(padded)}${fence}`;
}

function utc(at: string): string {
  const parsed = parseTimestamp(at);
  if (!parsed.ok) return at;
  return new Date(parsed.epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

const TIME_LABELS: Record<string, string> = {
  started_at: 'Impact started',
  detected_at: 'Detected',
  declared_at: 'Declared',
  acknowledged_at: 'Acknowledged',
  mitigated_at: 'Mitigated',
  resolved_at: 'Resolved',
  closed_at: 'Closed',
};

const DURATIONS: readonly [IncidentMetric, string][] = [
  ['timeToDetect', 'Time to detect (impact started → detected)'],
  ['mtta', 'Time to acknowledge (declared → acknowledged)'],
  ['timeToMitigate', 'Time to mitigate (declared → mitigated)'],
  ['mttr', 'Time to resolve (declared → resolved)'],
];

function paragraphsOrNone(text: string | undefined, none: string): string {
  return text?.trim() ? text.trim() : `_${none}_`;
}

/** The generated block, markers included. */
export function renderGeneratedBlock(context: PostmortemContext): string {
  const { detail } = context;
  const lines: string[] = [GENERATED_START, ''];
  const roles = [['commander', detail.commander], ...Object.entries(detail.roles).map(([role, who]) => [role.toLowerCase(), who])]
    .filter((pair): pair is [string, string] => typeof pair[1] === 'string' && pair[1] !== '');
  lines.push(
    `From [${detail.id}](${relativeLink(context.postmortemPath, context.recordPath)}): **${detail.severity ?? 'no severity'}**, ${detail.status}${detail.mode !== 'standard' ? ` (${detail.mode})` : ''}; services: ${detail.services.length ? detail.services.join(', ') : 'none named'}${roles.length ? `; ${roles.map(([r, w]) => `${r} ${w}`).join(', ')}` : ''}.`,
    '',
    '### Summary (from the record)',
    '',
    paragraphsOrNone(detail.summary, 'The record has no summary yet.'),
    '',
    '### Impact (from the record)',
    '',
    paragraphsOrNone(detail.impact, 'The record says nothing about impact yet.'),
    '',
    '### Key times (UTC)',
    '',
  );
  const times = new Map(detail.timestamps);
  const declared = parseTimestamp(times.get('declared_at') ?? '');
  if (detail.timestamps.length === 0) lines.push('_No times in the record._');
  else {
    lines.push('| Event | Time (UTC) | From declared |', '|---|---|---|');
    for (const [field, at] of detail.timestamps) {
      const parsed = parseTimestamp(at);
      const offset = parsed.ok && declared.ok ? parsed.epochMs - declared.epochMs : undefined;
      const since = offset === undefined ? '' : offset === 0 ? '—' : offset < 0 ? `${formatDuration(-offset)} before` : `+${formatDuration(offset)}`;
      lines.push(`| ${TIME_LABELS[field] ?? field} | ${utc(at)} | ${since} |`);
    }
  }
  const spans = DURATIONS.flatMap(([metric, label]) => {
    const [from, to] = METRIC_SPANS[metric];
    const a = parseTimestamp(times.get(from) ?? '');
    const b = parseTimestamp(times.get(to) ?? '');
    return a.ok && b.ok && b.epochMs >= a.epochMs ? [`| ${label} | ${formatDuration(b.epochMs - a.epochMs)} |`] : [];
  });
  if (spans.length > 0) lines.push('', '| Duration | |', '|---|---|', ...spans);

  lines.push('', '### Timeline (UTC)', '');
  // The drawer's order is newest first; a postmortem reads forward.
  const timeline = [...detail.timeline].reverse();
  if (timeline.length === 0) lines.push('_The record has no timeline entries._');
  else {
    lines.push('| Time | Who | Kind | What |', '|---|---|---|---|');
    for (const entry of timeline) {
      const what: string[] = [];
      const text = entry.text ?? (entry.from !== undefined || entry.to !== undefined ? `${entry.from ?? '?'} → ${entry.to ?? '?'}` : '');
      if (text) what.push(cell(text));
      if (entry.kind === 'action' && entry.command !== undefined) {
        const exit = entry.exitCode === undefined || entry.exitCode === null ? 'exit status unknown' : `exit ${entry.exitCode}`;
        what.push(`${code(entry.command)} → ${exit}${entry.durationMs !== undefined ? `, ${formatDuration(entry.durationMs)}` : ''}`);
      }
      lines.push(`| ${cell(utc(entry.at))} | ${cell(entry.by ?? '')} | ${cell(entry.kind)} | ${what.join('<br>')} |`);
    }
  }

  lines.push('', '### Action items', '');
  if (detail.actionItems.length === 0) lines.push('_No action items in the record yet: add them on the incident, then regenerate._');
  else {
    lines.push('| Id | Action | Owner | Status | Due |', '|---|---|---|---|---|');
    for (const item of detail.actionItems) lines.push(`| ${cell(item.id)} | ${cell(item.title)} | ${cell(item.owner ?? '—')} | ${cell(item.status)} | ${cell(item.due ?? '')} |`);
  }

  lines.push('', '### Runbooks used', '');
  if (detail.runbooks.length === 0) lines.push('_The record links no runbook._');
  else {
    for (const path of detail.runbooks) {
      const title = context.runbookTitle(path) ?? path;
      lines.push(`- [${title.replace(/[[\]\\]/g, '\\$&')}](${relativeLink(context.postmortemPath, path).replace(/ /g, '%20')})`);
    }
  }
  lines.push('', GENERATED_END);
  return lines.join('\n');
}

function yamlFlowList(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
}

/** A new draft: `template` with its fields filled and the generated block at `{{generated}}` (appended when the template has none). */
export function renderNewPostmortem(template: string, context: PostmortemContext): string {
  const { detail } = context;
  const fields: Record<string, string> = {
    id: detail.id,
    title: detail.title,
    severity: detail.severity ?? '',
    status: detail.status,
    services: detail.services.join(', '),
    services_list: yamlFlowList(detail.services),
    commander: detail.commander ?? '',
    record_link: relativeLink(context.postmortemPath, context.recordPath),
  };
  const block = renderGeneratedBlock(context);
  let placed = false;
  // One pass over the template: a value that itself reads `{{generated}}` is not expanded again.
  const filled = template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) => {
    if (name === 'generated') {
      if (placed) return whole;
      placed = true;
      return block;
    }
    return Object.hasOwn(fields, name) ? fields[name] : whole;
  });
  const text = placed ? filled : `${filled.trimEnd()}\n\n## Facts from the record\n\n${block}\n`;
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** The draft with its generated block replaced; refused when the block's markers are missing or repeated. */
export function regeneratePostmortem(existing: string, context: PostmortemContext, path: string): string {
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  const lines = existing.split(/\r?\n/);
  const starts = lines.flatMap((line, i) => (line.trim().startsWith(START_PREFIX) ? [i] : []));
  const ends = lines.flatMap((line, i) => (line.trim() === GENERATED_END ? [i] : []));
  if (starts.length !== 1 || ends.length !== 1 || ends[0] < starts[0]) {
    const found = starts.length === 0 && ends.length === 0 ? 'has no generated block' : 'has its generated block markers out of place';
    throw new PostmortemDraftError(
      `${path} ${found} (one line starting "${START_PREFIX}", then one "${GENERATED_END}"), so regenerating it would overwrite what was written; nothing was changed. Put the two marker lines back around the facts, or move the file away to draft a new one.`,
    );
  }
  const block = renderGeneratedBlock(context).split('\n');
  return [...lines.slice(0, starts[0]), ...block, ...lines.slice(ends[0] + 1)].join(eol);
}

export type PostmortemDraftOutcome = 'created' | 'regenerated' | 'unchanged';

/** The draft to write: a new one from `template` when there is none, else the existing one with its block regenerated. */
export function draftPostmortem(existing: string | undefined, template: string, context: PostmortemContext): { text: string; outcome: PostmortemDraftOutcome } {
  if (existing === undefined) return { text: renderNewPostmortem(template, context), outcome: 'created' };
  const text = regeneratePostmortem(existing, context, context.postmortemPath);
  return { text, outcome: text === existing ? 'unchanged' : 'regenerated' };
}

/**
 * The record as the draft reads it (the board drawer's view of it) and where its draft lives, for the
 * CLI and the extension alike; refused when the text is not a record.
 */
export function postmortemSubject(recordPath: string, recordText: string | Uint8Array, folder: string): { detail: IncidentDetail; postmortemPath: string } {
  const validation = validateIncident(recordPath, recordText);
  if (validation.record === undefined) {
    throw new PostmortemDraftError(`${recordPath} cannot be read as a record (${validation.problems[0]?.message ?? 'no fields'}); fix it first (runbook-ops check shows why).`);
  }
  const detail = incidentDetail(summarizeIncident(validation), validation.record, recordPath);
  return { detail, postmortemPath: postmortemPathOf(detail, folder) };
}

/** Where a record's draft lives: its `postmortem:` when that is a Markdown path in the repository, else `<folder><id>.md`. */
export function postmortemPathOf(detail: Pick<IncidentDetail, 'id' | 'postmortem'>, folder: string): string {
  const linked = detail.postmortem?.trim().replace(/^\.\//, '');
  if (linked && /\.(?:md|markdown)$/i.test(linked) && !/^[a-z][a-z0-9+.-]*:/i.test(linked) && !linked.startsWith('/') && !linked.split('/').includes('..')) return linked;
  return postmortemPathFor(folder, detail.id);
}
