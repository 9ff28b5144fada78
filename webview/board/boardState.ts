import { BOARD_PERIODS, type BoardPeriodDays } from '../../src/core/board/protocol';
import { NO_FILTERS, type BoardFilters } from './filters';
import type { HostConnection } from './hostConnection';

const FOLDED_BY_DEFAULT = ['closed', 'cancelled'];

/** What the board remembers across a hide, a reload or a window restart (VS Code's webview state). */
export interface SavedState {
  version: 1;
  filters: BoardFilters;
  period: BoardPeriodDays;
  /** Columns the user folded or unfolded (overriding FOLDED_BY_DEFAULT). */
  folded: string[];
  limits: Record<string, number>;
  scrollLeft: number;
  columnScroll: Record<string, number>;
  drawer?: string;
}

/** Scroll positions live in the DOM; the columns view reads them when saving and puts them back on restore. */
export interface ScrollPositions {
  capture(state: SavedState): void;
  restore(state: SavedState): void;
}

export function readState(raw: unknown): SavedState {
  const fallback: SavedState = { version: 1, filters: { ...NO_FILTERS }, period: 30, folded: [...FOLDED_BY_DEFAULT], limits: {}, scrollLeft: 0, columnScroll: {} };
  if (!raw || typeof raw !== 'object' || (raw as SavedState).version !== 1) return fallback;
  const saved = raw as SavedState;
  return {
    ...fallback,
    ...saved,
    filters: { ...NO_FILTERS, ...saved.filters },
    period: (BOARD_PERIODS as readonly number[]).includes(saved.period) ? saved.period : 30,
  };
}

/** Keeps the board's state in the webview's saved state, at most once per frame. */
export class StatePersistence {
  readonly state: SavedState;
  private restored = false;
  private saveQueued = false;

  constructor(
    private readonly host: HostConnection,
    private readonly scroll: ScrollPositions,
  ) {
    this.state = readState(host.state);
  }

  get hasRestored(): boolean {
    return this.restored;
  }

  /** First render after load or reload: scroll positions come back as they were. */
  restore(): void {
    this.restored = true;
    this.scroll.restore(this.state);
  }

  save(): void {
    if (this.saveQueued) return;
    this.saveQueued = true;
    requestAnimationFrame(() => {
      this.saveQueued = false;
      // Before the first restore the DOM's scroll positions are not the saved ones yet.
      if (this.restored) this.scroll.capture(this.state);
      this.host.state = this.state;
    });
  }
}
