import type { BoardCard } from '../../src/core/board/protocol';

export interface BoardFilters {
  severity: string;
  service: string;
  commander: string;
  mode: string;
  text: string;
}

export const NO_FILTERS: BoardFilters = { severity: '', service: '', commander: '', mode: '', text: '' };

/** Lower-cased words of the free-text box: a card matches when every word is in its id, title or summary. */
export function searchWords(text: string): string[] {
  return text.toLowerCase().split(/\s+/).filter(Boolean);
}

/** Lower-cased search text per card object (cards are replaced, not mutated, when they change). */
const haystacks = new WeakMap<BoardCard, string>();

export function matchesFilters(card: BoardCard, filters: BoardFilters, words: readonly string[]): boolean {
  if (filters.severity && card.severity !== filters.severity) return false;
  if (filters.service && !card.services.includes(filters.service)) return false;
  if (filters.commander && (card.commander ?? '') !== filters.commander) return false;
  if (filters.mode && card.mode !== filters.mode) return false;
  if (words.length === 0) return true;
  let haystack = haystacks.get(card);
  if (haystack === undefined) {
    haystack = `${card.id}\n${card.title}\n${card.summary}`.toLowerCase();
    haystacks.set(card, haystack);
  }
  return words.every((word) => haystack.includes(word));
}

export function isFiltered(filters: BoardFilters): boolean {
  return Object.values(filters).some((value) => value !== '');
}
