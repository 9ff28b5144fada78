import { el, icon, setChildren } from './dom';

/**
 * Says which columns are scrolled out of sight, at the edge where they are: "2 more columns →
 * Closed, Cancelled". Clicking it scrolls the nearest hidden column into view. Folded columns are
 * narrow strips and open ones shrink to a minimum, so this shows only in a narrow window or beside the drawer.
 */
export class ColumnOverflow {
  private readonly before = el('button', { type: 'button', class: 'column-overflow before', hidden: '' });
  private readonly after = el('button', { type: 'button', class: 'column-overflow after', hidden: '' });
  private queued = false;

  constructor(
    private readonly columnsElement: HTMLElement,
    private readonly label: (status: string) => string,
  ) {
    this.before.addEventListener('click', () => this.reveal('before'));
    this.after.addEventListener('click', () => this.reveal('after'));
    columnsElement.addEventListener('scroll', () => this.update(), { passive: true });
    new ResizeObserver(() => this.update()).observe(columnsElement);
  }

  /** Both hints; the parent positions them over the columns' edges. */
  get elements(): HTMLElement[] {
    return [this.before, this.after];
  }

  /** Recomputed at most once a frame, after the layout the change caused. */
  update(): void {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => {
      this.queued = false;
      const { before, after } = this.hidden();
      show(this.before, before.map((s) => this.label(s)), 'before');
      show(this.after, after.map((s) => this.label(s)), 'after');
    });
  }

  /** Columns whose header is not wholly inside the scrolled viewport, on each side. */
  private hidden(): { before: string[]; after: string[] } {
    const view = this.columnsElement.getBoundingClientRect();
    const before: string[] = [];
    const after: string[] = [];
    for (const section of this.columnsElement.querySelectorAll<HTMLElement>(':scope > .column')) {
      const box = section.getBoundingClientRect();
      const status = section.dataset.status ?? '';
      // One pixel of slack: sub-pixel layout should not flash the hint.
      if (box.left < view.left - 1) before.push(status);
      else if (box.right > view.right + 1) after.push(status);
    }
    return { before, after };
  }

  private reveal(side: 'before' | 'after'): void {
    const { before, after } = this.hidden();
    const status = side === 'before' ? before[before.length - 1] : after[0];
    const section = status === undefined ? undefined : this.columnsElement.querySelector<HTMLElement>(`:scope > .column[data-status="${CSS.escape(status)}"]`);
    section?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }
}

function show(hint: HTMLElement, labels: string[], side: 'before' | 'after'): void {
  hint.hidden = labels.length === 0;
  if (hint.hidden) return;
  const count = labels.length === 1 ? '1 more column' : `${labels.length} more columns`;
  const names = labels.join(', ');
  hint.title = `Scroll to ${names}`;
  hint.setAttribute('aria-label', `${count} ${side === 'before' ? 'to the left' : 'to the right'}: ${names}`);
  setChildren(
    hint,
    side === 'before' ? icon('arrow-left') : null,
    el('span', { class: 'column-overflow-count' }, count),
    el('span', { class: 'column-overflow-names' }, names),
    side === 'after' ? icon('arrow-right') : null,
  );
}
