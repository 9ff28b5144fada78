import type { BoardCard } from '../../src/core/board/protocol';

const CARD_TYPE = 'application/x-runbook-ops-card';

export interface DragAndDropContext {
  readonly cards: ReadonlyMap<string, BoardCard>;
  /** Each column's section element, by status. */
  columnSections(): Iterable<[string, HTMLElement]>;
  move(key: string, status: string): Promise<void>;
}

/**
 * Cards drag onto columns. While a card is dragged, only the columns it may move to accept it and
 * the others are dimmed (the workflow's allowed moves come with each card).
 */
export class DragAndDrop {
  /** The card being dragged: drop targets are the statuses it may move to. */
  private dragging: string | undefined;

  constructor(
    private readonly context: DragAndDropContext,
    private readonly columnsElement: HTMLElement,
  ) {}

  attachColumn(section: HTMLElement, status: string): void {
    section.addEventListener('dragover', (event) => {
      if (!event.dataTransfer?.types.includes(CARD_TYPE)) return;
      // Not a drop target for a move the workflow does not allow (the column is dimmed while dragging).
      const dragged = this.dragging ? this.context.cards.get(this.dragging) : undefined;
      if (dragged && !dragged.moves.includes(status)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
      section.classList.add('drop-target');
    });
    section.addEventListener('dragleave', (event) => {
      if (!section.contains(event.relatedTarget as Node)) section.classList.remove('drop-target');
    });
    section.addEventListener('drop', (event) => {
      section.classList.remove('drop-target');
      const key = event.dataTransfer?.getData(CARD_TYPE);
      if (!key) return;
      event.preventDefault();
      const card = this.context.cards.get(key);
      if (card && card.moves.includes(status)) void this.context.move(key, status);
    });
  }

  attachCard(element: HTMLElement, key: string): void {
    element.addEventListener('dragstart', (event) => {
      event.dataTransfer?.setData(CARD_TYPE, key);
      event.dataTransfer?.setData('text/plain', this.context.cards.get(key)?.id ?? '');
      if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
      element.classList.add('dragging');
      this.dragging = key;
      const moves = this.context.cards.get(key)?.moves ?? [];
      for (const [status, section] of this.context.columnSections()) section.classList.toggle('drop-allowed', moves.includes(status));
      this.columnsElement.classList.add('dragging-card');
    });
    element.addEventListener('dragend', () => {
      element.classList.remove('dragging');
      this.dragging = undefined;
      this.columnsElement.classList.remove('dragging-card');
    });
  }
}
