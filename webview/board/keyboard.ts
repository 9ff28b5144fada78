import type { BoardCard } from '../../src/core/board/protocol';
import { neighbourStatus, type MoveContext, type MoveMenu } from './moveMenu';

export interface KeyboardContext extends MoveContext {
  openDrawer(key: string): Promise<void>;
  /** Says on the card why it did not move. */
  refuse(key: string, message: string): void;
  /** The statuses of the columns on the board, in board order, and the first card rendered in one. */
  renderedStatuses(): string[];
  columnOf(card: BoardCard): string;
  firstCard(status: string): HTMLElement | undefined;
}

/** Keyboard path: arrows move focus, Shift+arrows move the card, M opens "Move to…", Enter opens details. */
export class BoardKeyboard {
  constructor(
    private readonly context: KeyboardContext,
    private readonly menu: MoveMenu,
    root: HTMLElement,
  ) {
    root.addEventListener('keydown', (event) => this.onKey(event));
  }

  /** Shift+arrow with nowhere to go: say why on the card, like a refusal. */
  private noMove(card: BoardCard, step: 1 | -1): void {
    const here = this.context.label(card.status);
    const message = step === -1
      ? (card.moves.length === 0 ? `${here} is not a status the board knows; correct it in the record.` : `${here} cannot move back: only a mitigated, resolved, closed or cancelled incident can be reopened.`)
      : `${here} cannot move forward${card.moves.length > 0 ? `; it can be reopened (${card.moves.map((s) => this.context.label(s)).join(', ')})` : ''}.`;
    this.context.refuse(card.key, message);
  }

  private onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (!target.classList.contains('card')) return;
    const key = target.dataset.key!;
    const card = this.context.cards.get(key);
    if (!card) return;
    if (event.shiftKey && (event.key === 'ArrowRight' || event.key === 'ArrowLeft')) {
      event.preventDefault();
      const step = event.key === 'ArrowRight' ? 1 : -1;
      const status = neighbourStatus(card, step);
      if (status) void this.context.move(key, status);
      else this.noMove(card, step);
      return;
    }
    switch (event.key) {
      case 'Enter':
      case ' ':
        event.preventDefault();
        void this.context.openDrawer(key);
        return;
      case 'm':
      case 'M':
      case 'ContextMenu':
        event.preventDefault();
        this.menu.open(key);
        return;
      case 'ArrowDown':
      case 'ArrowUp': {
        event.preventDefault();
        const sibling = event.key === 'ArrowDown' ? target.nextElementSibling : target.previousElementSibling;
        // Past the last rendered card: render the next page and keep going.
        if (sibling?.classList.contains('show-more-item')) sibling.querySelector('button')?.click();
        ((event.key === 'ArrowDown' ? target.nextElementSibling : sibling) as HTMLElement | null)?.focus();
        return;
      }
      case 'ArrowLeft':
      case 'ArrowRight': {
        event.preventDefault();
        const statuses = this.context.renderedStatuses();
        let index = statuses.indexOf(this.context.columnOf(card));
        for (;;) {
          index += event.key === 'ArrowRight' ? 1 : -1;
          if (index < 0 || index >= statuses.length) return;
          const first = this.context.firstCard(statuses[index]);
          if (first) {
            first.focus();
            return;
          }
        }
      }
    }
  }
}
