import { BOARD_STATUSES, type BoardCard } from '../../src/core/board/protocol';
import { el } from './dom';

export interface MoveContext {
  readonly cards: ReadonlyMap<string, BoardCard>;
  label(status: string): string;
  move(key: string, status: string): Promise<void>;
  focusCard(key: string): void;
  cardElement(key: string): HTMLElement | undefined;
}

/** The nearest status the card may move to, after (1) or before (-1) its own in board order. */
export function neighbourStatus(card: BoardCard, step: 1 | -1): string | undefined {
  const statuses = BOARD_STATUSES as readonly string[];
  const index = statuses.indexOf(card.status);
  if (index === -1) return undefined;
  const candidates = card.moves.filter((s) => (statuses.indexOf(s) - index) * step > 0);
  return step === 1 ? candidates[0] : candidates[candidates.length - 1];
}

/** The "Move to…" menu of a card (its button, or M on the keyboard). */
export class MoveMenu {
  private menu: HTMLElement | undefined;

  constructor(
    private readonly context: MoveContext,
    private readonly root: HTMLElement,
  ) {
    document.addEventListener('click', (event) => {
      if (this.menu && !this.menu.contains(event.target as Node)) this.close();
    });
  }

  private moveLabel(card: BoardCard, status: string): string {
    const reopen = (BOARD_STATUSES as readonly string[]).indexOf(status) < (BOARD_STATUSES as readonly string[]).indexOf(card.status);
    return reopen ? `${this.context.label(status)} (reopen)` : this.context.label(status);
  }

  open(key: string): void {
    const card = this.context.cards.get(key);
    const element = this.context.cardElement(key);
    if (!card || !element) return;
    this.close();
    // Only the moves the workflow allows: offering the others only to refuse them wastes the responder's time.
    const options = card.moves;
    const menu = el('div', { class: 'move-menu', role: 'menu', 'aria-label': `Move ${card.id} to` });
    if (options.length === 0) menu.appendChild(el('div', { class: 'move-none', role: 'none' }, `No moves: ${this.context.label(card.status)} is not a status the board knows.`));
    for (const status of options) {
      const item = el('button', { type: 'button', role: 'menuitem', class: 'move-option', 'data-status': status, tabindex: '-1' }, this.moveLabel(card, status));
      item.addEventListener('click', (event) => {
        event.stopPropagation();
        this.close();
        this.context.focusCard(key);
        void this.context.move(key, status);
      });
      menu.appendChild(item);
    }
    menu.addEventListener('keydown', (event) => {
      const items = [...menu.querySelectorAll<HTMLElement>('.move-option')];
      const at = items.indexOf(document.activeElement as HTMLElement);
      if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && items.length > 0) {
        event.preventDefault();
        items[(at + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length].focus();
      } else if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        this.close();
        this.context.focusCard(key);
      }
      event.stopPropagation();
    });
    // Outside the card: cards use paint containment (content-visibility), which would clip the menu.
    const rect = element.getBoundingClientRect();
    menu.style.top = `${Math.min(rect.top + 24, window.innerHeight - 260)}px`;
    menu.style.left = `${Math.max(4, Math.min(rect.right - 160, window.innerWidth - 170))}px`;
    this.root.appendChild(menu);
    this.menu = menu;
    const first = neighbourStatus(card, 1) ?? options[0];
    (menu.querySelector<HTMLElement>(first ? `[data-status="${first}"]` : '.move-option') ?? menu.querySelector<HTMLElement>('.move-option') ?? menu).focus();
  }

  close(): void {
    this.menu?.remove();
    this.menu = undefined;
  }
}
