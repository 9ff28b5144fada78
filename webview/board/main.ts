import type { BoardCard, BoardConfig, BoardMetrics, BoardSeverity, HostMessage } from '../../src/core/board/protocol';
import { StatePersistence, type SavedState } from './boardState';
import { ColumnOverflow } from './columnOverflow';
import { columnOf, ColumnsView, UNKNOWN_COLUMN, type ColumnsContext } from './columnsView';
import { el, icon } from './dom';
import { DetailDrawer } from './drawer';
import { FilterBar } from './filterBar';
import { isFiltered, matchesFilters, NO_FILTERS, searchWords, type BoardFilters } from './filters';
import { HostConnection } from './hostConnection';
import { BoardKeyboard, type KeyboardContext } from './keyboard';
import { MetricsHeader } from './metricsHeader';
import { MoveMenu } from './moveMenu';

/**
 * The board app: holds the cards, the refusals and the saved state, sends moves to the host, and
 * composes the parts (filter bar, metrics header, columns with drag and drop, keyboard and
 * "Move to…", detail drawer), each of which reaches the app through the context it declares.
 */
class BoardApp implements ColumnsContext, KeyboardContext {
  private readonly host: HostConnection;
  private readonly persistence: StatePersistence;
  cards = new Map<string, BoardCard>();
  private config: BoardConfig = { severities: [], statusLabels: {} as BoardConfig['statusLabels'] };
  private metrics: BoardMetrics | undefined;
  /** Bumped when the set of cards changes: the filter choices are recomputed only then. */
  private cardsVersion = 0;
  private metricsSignature: unknown[] = [];
  /** Refusals shown on cards; one object per refusal, so the next action clears exactly the ones shown before it. */
  private readonly errors = new Map<string, { message: string }>();
  private readonly pending = new Set<string>();
  private readonly summary = el('span', { class: 'board-summary', role: 'status', 'aria-live': 'polite' }, 'Loading incidents…');
  private readonly columns = new ColumnsView(this);
  private readonly moveMenu: MoveMenu;
  private readonly overflow = new ColumnOverflow(this.columns.element, (status) => this.label(status));
  private readonly filterBar: FilterBar;
  private readonly metricsHeader: MetricsHeader;
  private readonly drawer: DetailDrawer;

  constructor(root: HTMLElement) {
    this.host = new HostConnection((message) => this.receive(message));
    this.persistence = new StatePersistence(this.host, this.columns);
    this.moveMenu = new MoveMenu(this, root);
    new BoardKeyboard(this, this.moveMenu, root);
    this.filterBar = new FilterBar({
      filters: () => this.state.filters,
      setFilter: (field, value) => this.setFilter(field, value),
      clear: () => {
        this.state.filters = { ...NO_FILTERS };
        this.render();
      },
    });
    this.metricsHeader = new MetricsHeader({
      onPeriod: (days) => {
        this.state.period = days;
        this.renderMetrics();
        this.persistence.save();
      },
      onSeverity: (severity) => this.setFilter('severity', severity),
    });
    this.drawer = new DetailDrawer(this.host, (name) => this.severity(name), () => {
      const key = this.state.drawer;
      this.state.drawer = undefined;
      this.render();
      if (key) this.focusCard(key);
    });
    root.append(
      el('header', { class: 'toolbar' }, el('h1', {}, icon('flame'), ' Incidents'), this.summary, this.filterBar.element),
      this.metricsHeader.element,
      el('div', { class: 'board-area' }, el('div', { class: 'columns-frame' }, this.columns.element, ...this.overflow.elements), this.drawer.element),
    );
    root.addEventListener(
      'scroll',
      () => {
        this.moveMenu.close();
        this.persistence.save();
      },
      { capture: true, passive: true },
    );
    // A refusal stays until the next thing the user does (a key, a click), not for minutes.
    for (const type of ['keydown', 'click'] as const) document.addEventListener(type, () => this.clearShownErrors(), { capture: true });
    // Ages ("open 3h 12m") advance without any file changing.
    setInterval(() => {
      this.columns.now = Date.now();
      this.columns.refreshAges();
    }, 60_000);
    this.host.notify({ type: 'ready' });
  }

  get state(): SavedState {
    return this.persistence.state;
  }

  private setFilter(field: keyof BoardFilters, value: string): void {
    if (this.state.filters[field] === value) return;
    this.state.filters[field] = value;
    this.state.limits = {};
    this.render();
  }

  severity(name: string): BoardSeverity | undefined {
    return this.config.severities.find((s) => s.name === name);
  }

  label(status: string): string {
    if (status === UNKNOWN_COLUMN) return 'Unknown status';
    return (this.config.statusLabels as Record<string, string>)[status] ?? status;
  }

  private receive(message: Exclude<HostMessage, { type: 'reply' }>): void {
    switch (message.type) {
      case 'snapshot':
        this.config = message.config;
        this.cards = new Map(message.cards.map((card) => [card.key, card]));
        this.cardsVersion++;
        this.metrics = message.metrics;
        this.columns.now = Date.parse(message.now) || Date.now();
        this.render();
        if (!this.persistence.hasRestored) {
          this.persistence.restore();
          if (this.state.drawer && this.cards.has(this.state.drawer)) void this.openDrawer(this.state.drawer);
        }
        break;
      case 'cardsChanged': {
        for (const key of message.removed) this.cards.delete(key);
        for (const card of message.upserted) this.cards.set(card.key, card);
        this.cardsVersion++;
        this.metrics = message.metrics;
        this.columns.now = Date.parse(message.now) || Date.now();
        this.render();
        const open = this.drawer.key;
        if (open && message.upserted.some((c) => c.key === open)) void this.drawer.refresh();
        if (open && message.removed.includes(open)) this.drawer.close();
        break;
      }
      case 'reveal':
        void this.openDrawer(message.key);
        break;
      case 'detailChanged':
        if (this.drawer.key === message.key) void this.drawer.refresh();
        break;
    }
  }

  render(): void {
    const focusedKey = (document.activeElement as HTMLElement | null)?.closest?.('.card')?.getAttribute('data-key') ?? undefined;
    this.filterBar.update(this.cards, this.cardsVersion, this.config);
    const words = searchWords(this.state.filters.text);
    const matching = [...this.cards.values()].filter((card) => matchesFilters(card, this.state.filters, words));
    this.columns.render(matching);
    this.overflow.update();
    const total = this.cards.size;
    this.summary.textContent = isFiltered(this.state.filters) ? `${matching.length} of ${total} incidents` : `${total} incidents`;
    this.renderMetrics();
    if (focusedKey && document.activeElement?.closest?.('.card')?.getAttribute('data-key') !== focusedKey) this.focusCard(focusedKey);
    this.persistence.save();
  }

  private renderMetrics(): void {
    const signature = [this.metrics, this.config, this.state.period, this.state.filters.severity];
    if (!this.metrics || signature.every((value, i) => value === this.metricsSignature[i])) return;
    this.metricsSignature = signature;
    this.metricsHeader.render(this.metrics, this.config, this.state.period, this.state.filters.severity);
  }

  cardStatus(key: string): { error: string | undefined; pending: boolean } {
    return { error: this.errors.get(key)?.message, pending: this.pending.has(key) };
  }

  onCardClick(key: string, event: MouseEvent): void {
    if ((event.target as HTMLElement).closest('.move-button')) {
      event.stopPropagation();
      this.moveMenu.open(key);
      return;
    }
    void this.openDrawer(key);
  }

  async openDrawer(key: string): Promise<void> {
    if (!this.cards.has(key)) return;
    this.state.drawer = key;
    this.render();
    await this.drawer.open(key);
  }

  focusCard(key: string): void {
    this.columns.focusCard(key);
  }

  cardElement(key: string): HTMLElement | undefined {
    return this.columns.cardElement(key);
  }

  renderedStatuses(): string[] {
    return this.columns.renderedStatuses();
  }

  columnOf(card: BoardCard): string {
    return columnOf(card);
  }

  firstCard(status: string): HTMLElement | undefined {
    return this.columns.firstCard(status);
  }

  async move(key: string, status: string): Promise<void> {
    if (!this.cards.has(key)) return;
    this.errors.delete(key);
    this.pending.add(key);
    this.render();
    const reply = await this.host.request({ type: 'moveIncident', key, status });
    this.pending.delete(key);
    if (!reply.ok) this.errors.set(key, { message: `Not moved to ${this.label(status)}: ${reply.error}` });
    this.render();
  }

  refuse(key: string, message: string): void {
    this.errors.set(key, { message });
    this.render();
  }

  /**
   * Clears the refusals on screen when the user acts, after that action's own handlers ran (a click
   * on a refused card's button still reaches it; a refusal the action itself caused stays).
   */
  private clearShownErrors(): void {
    if (this.errors.size === 0) return;
    const shown = new Map(this.errors);
    setTimeout(() => {
      let cleared = false;
      for (const [key, error] of shown) {
        if (this.errors.get(key) !== error) continue;
        this.errors.delete(key);
        cleared = true;
      }
      if (cleared) this.render();
    }, 0);
  }
}

new BoardApp(document.getElementById('board-root')!);
