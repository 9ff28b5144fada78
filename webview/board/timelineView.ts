import type { BoardTimelineEntry } from '../../src/core/board/protocol';
import { el, icon } from './dom';
import { formatDuration, formatInstant } from './format';

const KIND_ICONS: Record<string, string> = {
  detection: 'pulse',
  note: 'comment',
  status: 'arrow-right',
  severity: 'flame',
  role: 'person',
  action: 'terminal',
  comms: 'megaphone',
};

/** YAML block scalars keep the writer's line wrapping: blank lines separate paragraphs, single breaks are spaces. */
export function paragraphs(text: string): HTMLElement[] {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.split('\n').map((line) => line.trim()).filter(Boolean).join(' '))
    .filter(Boolean)
    .map((paragraph) => el('p', { class: 'prose' }, paragraph));
}

export function timelineItem(entry: BoardTimelineEntry): HTMLElement {
  const kind = KIND_ICONS[entry.kind] ? entry.kind : 'note';
  const text = entry.text ?? (entry.from !== undefined || entry.to !== undefined ? `${entry.from ?? '?'} → ${entry.to ?? '?'}` : '');
  const action =
    entry.kind === 'action' && (entry.command !== undefined || entry.exitCode !== undefined)
      ? el(
          'div',
          { class: 'action-run' },
          entry.command !== undefined ? el('code', {}, entry.command) : null,
          el(
            'span',
            { class: `exit-code ${entry.exitCode === 0 ? 'ok' : entry.exitCode === null || entry.exitCode === undefined ? 'unknown' : 'failed'}` },
            entry.exitCode === null || entry.exitCode === undefined ? 'exit status unknown' : `exit ${entry.exitCode}`,
          ),
          entry.durationMs !== undefined ? el('span', { class: 'muted' }, formatDuration(entry.durationMs)) : null,
        )
      : null;
  // What the step printed, as printed: kept in a closed <details> so a long output does not push the timeline away.
  const output =
    entry.kind === 'action' && entry.output !== undefined && entry.output !== ''
      ? el('details', { class: 'action-output' }, el('summary', {}, `Output (${entry.output.replace(/\n$/, '').split('\n').length} lines)`), el('pre', {}, entry.output))
      : null;
  return el(
    'li',
    { class: `entry kind-${kind}` },
    el('span', { class: 'entry-icon', title: entry.kind }, icon(KIND_ICONS[kind])),
    el(
      'div',
      { class: 'entry-body' },
      el('div', { class: 'entry-head' }, el('time', { datetime: entry.at, title: entry.at }, formatInstant(entry.at)), entry.by ? el('span', { class: 'entry-by' }, entry.by) : null, el('span', { class: 'entry-kind' }, entry.kind)),
      text ? el('div', { class: 'entry-text' }, text) : null,
      action,
      output,
    ),
  );
}
