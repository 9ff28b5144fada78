import type { BoardCard, BoardSeverity } from '../../src/core/board/protocol';
import { el, icon, safeColour, setChildren } from './dom';
import { formatDuration, parseInstant } from './format';

export interface CardContext {
  severity: BoardSeverity | undefined;
  now: number;
  error: string | undefined;
  pending: boolean;
}

/** "open 3h 12m" for open incidents, "resolved in 39m" once resolved. */
export function cardAge(card: BoardCard, now: number): string {
  const declared = parseInstant(card.declaredAt);
  if (declared === undefined) return '';
  const resolved = parseInstant(card.resolvedAt);
  if (resolved !== undefined) return `resolved in ${formatDuration(resolved - declared)}`;
  if (card.status === 'closed' || card.status === 'cancelled') return '';
  return `open ${formatDuration(now - declared)}`;
}

/** One card's DOM, rebuilt when its data changes (the element itself is kept so focus survives). */
export function fillCard(element: HTMLElement, card: BoardCard, context: CardContext): void {
  const severity = context.severity;
  const colour = safeColour(severity?.colour);
  if (colour) element.style.setProperty('--severity', colour);
  else element.style.removeProperty('--severity');
  element.className = `card${context.pending ? ' pending' : ''}${context.error ? ' refused' : ''}`;
  element.setAttribute('aria-label', `${card.id} ${card.title}, ${severity?.label ?? card.severity}, ${card.status}`);
  const age = cardAge(card, context.now);
  const items = card.actionItems.total > 0 ? `${card.actionItems.open}/${card.actionItems.total}` : '';
  setChildren(element, 
    el(
      'div',
      { class: 'card-top' },
      el('span', { class: 'severity-badge', title: severity ? `${severity.name} — ${severity.label}` : `Unknown severity ${card.severity}` }, severity ? `${severity.name} ${severity.label}` : card.severity || '?'),
      el('span', { class: 'card-id' }, card.id),
      card.mode !== 'standard' ? el('span', { class: 'mode-badge', title: `${card.mode}: not counted in metrics` }, card.mode) : null,
      card.errors > 0 ? el('span', { class: 'problem-badge', title: `${card.errors} problem(s) in the record — open it to see them` }, icon('warning')) : null,
      el('button', { class: 'move-button icon-button', type: 'button', title: 'Move to… (M)', 'aria-label': `Move ${card.id} to another status`, tabindex: '-1' }, icon('arrow-swap')),
    ),
    el('div', { class: 'card-title' }, card.title),
    card.services.length > 0 ? el('div', { class: 'card-services' }, ...card.services.map((s) => el('span', { class: 'service' }, s))) : null,
    el(
      'div',
      { class: 'card-meta' },
      el('span', { class: 'commander', title: 'Commander' }, icon('person'), card.commander ?? 'no commander'),
      age ? el('span', { class: 'age', title: card.declaredAt ? `Declared ${card.declaredAt}` : undefined }, icon('clock'), age) : null,
      items ? el('span', { class: 'action-items', title: `${card.actionItems.open} of ${card.actionItems.total} action items open` }, icon('checklist'), items) : null,
    ),
    context.error ? el('div', { class: 'card-error', role: 'alert' }, icon('error'), context.error) : null,
  );
}
