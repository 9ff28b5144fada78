import { BOARD_STATUSES, type BoardCard, type BoardSeverity } from '../../src/core/board/protocol';
import type { SavedState, ScrollPositions } from './boardState';
import { cardAge, fillCard } from './cardView';
import { el, icon } from './dom';
import { DragAndDrop } from './dragAndDrop';
import { parseInstant } from './format';

/**
 * Cards rendered per column at first; scrolling to the end of a column (or "Show more") renders the
 * next page. A filter change then touches a few dozen cards, not thousands.
 */
const PAGE_SIZE = 20;
const NEXT_PAGE = 40;
/** Card elements kept beyond those on screen (see render). */
const CARD_ELEMENT_CACHE = 1000;
/** Cards whose status is not a known one still show, in their own column, so nothing disappears. */
export const UNKNOWN_COLUMN = '?';

export interface ColumnsContext {
  readonly cards: ReadonlyMap<string, BoardCard>;
  readonly state: SavedState;
  label(status: string): string;
  severity(name: string): BoardSeverity | undefined;
  /** A refusal shown on the card, and whether a move of it is under way. */
  cardStatus(key: string): { error: string | undefined; pending: boolean };
  /** Renders the whole board again (after a fold or "Show more"). */
  render(): void;
  move(key: string, status: string): Promise<void>;
  onCardClick(key: string, event: MouseEvent): void;
}

interface ColumnView {
  status: string;
  section: HTMLElement;
  count: HTMLElement;
  list: HTMLElement;
  /** The last item of the list while cards are left to show; scrolling it into view loads the next page. */
  more: HTMLElement;
  moreButton: HTMLButtonElement;
  fold: HTMLButtonElement;
}

export function columnOf(card: BoardCard): string {
  return (BOARD_STATUSES as readonly string[]).includes(card.status) ? card.status : UNKNOWN_COLUMN;
}

/** The columns and their cards: folding, paging, sorting, and card elements reused across renders. */
export class ColumnsView implements ScrollPositions {
  readonly element = el('div', { class: 'columns', role: 'region', 'aria-label': 'Incidents by status' });
  private readonly columns = new Map<string, ColumnView>();
  private readonly cardElements = new Map<string, { card: BoardCard; state: string; element: HTMLElement }>();
  /** Severity rank and declared time per card, computed once per card version (sorting 5,000 cards parses no dates). */
  private readonly sortKeys = new WeakMap<BoardCard, { rank: number; declared: number }>();
  private readonly dragAndDrop: DragAndDrop;
  now = Date.now();

  constructor(private readonly context: ColumnsContext) {
    this.dragAndDrop = new DragAndDrop(
      { get cards() { return context.cards; }, columnSections: () => this.sections(), move: (key, status) => context.move(key, status) },
      this.element,
    );
  }

  sections(): Iterable<[string, HTMLElement]> {
    return [...this.columns].map(([status, view]) => [status, view.section] as [string, HTMLElement]);
  }

  renderedStatuses(): string[] {
    return [...this.columns.keys()];
  }

  firstCard(status: string): HTMLElement | undefined {
    return (this.columns.get(status)?.list.firstElementChild as HTMLElement | null) ?? undefined;
  }

  cardElement(key: string): HTMLElement | undefined {
    return this.cardElements.get(key)?.element;
  }

  focusCard(key: string): void {
    this.cardElements.get(key)?.element.focus({ preventScroll: false });
  }

  capture(state: SavedState): void {
    state.scrollLeft = this.element.scrollLeft;
    for (const [status, column] of this.columns) state.columnScroll[status] = column.list.scrollTop;
  }

  restore(state: SavedState): void {
    this.element.scrollLeft = state.scrollLeft;
    for (const [status, top] of Object.entries(state.columnScroll)) {
      const column = this.columns.get(status);
      if (column) column.list.scrollTop = top;
    }
  }

  private columnStatuses(): string[] {
    const known = new Set<string>(BOARD_STATUSES);
    const hasUnknown = [...this.context.cards.values()].some((card) => !known.has(card.status));
    return hasUnknown ? [...BOARD_STATUSES, UNKNOWN_COLUMN] : [...BOARD_STATUSES];
  }

  private column(status: string): ColumnView {
    const existing = this.columns.get(status);
    if (existing) return existing;
    const state = this.context.state;
    const label = (status: string): string => this.context.label(status);
    const count = el('span', { class: 'column-count' });
    const fold = el('button', { class: 'icon-button column-fold', type: 'button' });
    fold.addEventListener('click', () => {
      const folded = new Set(state.folded);
      if (folded.has(status)) folded.delete(status);
      else folded.add(status);
      state.folded = [...folded];
      this.context.render();
    });
    const list = el('ol', { class: 'column-cards', role: 'list', 'aria-label': label(status) });
    const moreButton = el('button', { class: 'show-more', type: 'button' });
    const more = el('li', { class: 'show-more-item' }, moreButton);
    const showMore = (): void => {
      state.limits[status] = (state.limits[status] ?? PAGE_SIZE) + NEXT_PAGE;
      this.context.render();
    };
    moreButton.addEventListener('click', showMore);
    new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && more.isConnected) showMore();
    }, { root: list, rootMargin: '0px 0px 200px 0px' }).observe(more);
    const header = el('header', { class: 'column-header' }, fold, el('h2', {}, label(status)), count);
    // A folded strip unfolds from anywhere on it, not only from its small button.
    header.addEventListener('click', (event) => {
      if (state.folded.includes(status) && !(event.target as Element).closest('.column-fold')) fold.click();
    });
    const section = el('section', { class: 'column', 'data-status': status }, header, list);
    this.dragAndDrop.attachColumn(section, status);
    const view: ColumnView = { status, section, count, list, more, moreButton, fold };
    this.columns.set(status, view);
    return view;
  }

  private sortKey(card: BoardCard): { rank: number; declared: number } {
    let key = this.sortKeys.get(card);
    if (!key) {
      key = { rank: this.context.severity(card.severity)?.rank ?? Number.MAX_SAFE_INTEGER, declared: parseInstant(card.declaredAt) ?? 0 };
      this.sortKeys.set(card, key);
    }
    return key;
  }

  /** Worst severity first, then the most recently declared. */
  private sortCards(cards: BoardCard[]): BoardCard[] {
    return cards.sort((a, b) => {
      const ka = this.sortKey(a);
      const kb = this.sortKey(b);
      return ka.rank - kb.rank || kb.declared - ka.declared || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
  }

  /** Puts `matching` (the cards the filters let through) in their columns. */
  render(matching: BoardCard[]): void {
    const state = this.context.state;
    const label = (status: string): string => this.context.label(status);
    const byColumn = new Map<string, BoardCard[]>();
    for (const card of matching) {
      const column = columnOf(card);
      const list = byColumn.get(column);
      if (list) list.push(card);
      else byColumn.set(column, [card]);
    }
    const statuses = this.columnStatuses();
    reconcile(this.element, statuses.map((status) => this.column(status).section));
    const keep = new Set<string>();
    for (const status of statuses) {
      const view = this.column(status);
      const folded = state.folded.includes(status);
      // A folded column shows only its count: no need to sort what is not drawn.
      const cards = folded ? (byColumn.get(status) ?? []) : this.sortCards(byColumn.get(status) ?? []);
      view.section.classList.toggle('folded', folded);
      view.fold.replaceChildren(icon(folded ? 'chevron-right' : 'chevron-down'));
      view.fold.setAttribute('aria-expanded', folded ? 'false' : 'true');
      view.fold.setAttribute('aria-label', `${folded ? 'Show' : 'Hide'} ${label(status)} incidents`);
      view.fold.title = folded ? 'Show cards' : 'Hide cards';
      view.count.textContent = String(cards.length);
      const limit = folded ? 0 : (state.limits[status] ?? PAGE_SIZE);
      const visible = cards.slice(0, limit);
      const elements = visible.map((card) => {
        keep.add(card.key);
        return this.cardElementFor(card);
      });
      const hidden = cards.length - visible.length;
      if (hidden > 0) {
        view.moreButton.textContent = `Show ${Math.min(hidden, NEXT_PAGE)} more (${hidden} not shown)`;
        elements.push(view.more);
      }
      reconcile(view.list, elements);
    }
    // Cards filtered out keep their elements for a while (most recently shown last), so clearing a
    // filter or switching back reuses them instead of building hundreds of cards again.
    for (const key of keep) {
      const entry = this.cardElements.get(key);
      if (entry) {
        this.cardElements.delete(key);
        this.cardElements.set(key, entry);
      }
    }
    for (const key of this.cardElements.keys()) {
      if (this.cardElements.size <= CARD_ELEMENT_CACHE) break;
      if (!keep.has(key)) this.cardElements.delete(key);
    }
  }

  refreshAges(): void {
    for (const [key, { element }] of this.cardElements) {
      const card = this.context.cards.get(key);
      const age = element.querySelector('.age');
      if (card && age) age.lastChild!.textContent = cardAge(card, this.now);
    }
  }

  private cardElementFor(card: BoardCard): HTMLElement {
    // Card objects are replaced, never mutated, when the host sends a change: identity says "changed".
    const { error, pending } = this.context.cardStatus(card.key);
    const state = `${error ?? ''}|${pending}`;
    const existing = this.cardElements.get(card.key);
    let element = existing?.element;
    if (!element || existing!.card !== card || existing!.state !== state) {
      element ??= this.newCardElement(card.key);
      fillCard(element, card, { severity: this.context.severity(card.severity), now: this.now, error, pending });
      this.cardElements.set(card.key, { card, state, element });
    }
    element.classList.toggle('selected', card.key === this.context.state.drawer);
    return element;
  }

  private newCardElement(key: string): HTMLElement {
    const element = el('li', { class: 'card', tabindex: '0', draggable: 'true', 'data-key': key, role: 'listitem', 'aria-keyshortcuts': 'Enter Shift+ArrowLeft Shift+ArrowRight M' });
    this.dragAndDrop.attachCard(element, key);
    element.addEventListener('click', (event) => this.context.onCardClick(key, event));
    return element;
  }
}

/** Makes `list`'s children exactly `elements`, moving only what is out of place (focus and scroll survive). */
function reconcile(list: HTMLElement, elements: HTMLElement[]): void {
  let cursor = list.firstElementChild;
  for (const element of elements) {
    if (element === cursor) {
      cursor = cursor.nextElementSibling;
      continue;
    }
    list.insertBefore(element, cursor);
  }
  while (cursor) {
    const next = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
}
