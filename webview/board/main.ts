import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { BOARD_PERIODS, BOARD_STATUSES, type BoardCard, type BoardConfig, type BoardMetrics, type BoardPeriodDays, type BoardSeverity, type HostMessage } from '../../src/core/protocol';
import { cardAge, fillCard } from './cardView';
import { el, icon } from './dom';
import { DetailDrawer } from './drawer';
import { isFiltered, matchesFilters, NO_FILTERS, searchWords, type BoardFilters } from './filters';
import { parseInstant } from './format';
import { HostConnection } from './hostConnection';
import { MetricsHeader } from './metricsHeader';

/**
 * Cards rendered per column at first; scrolling to the end of a column (or "Show more") renders the
 * next page. A filter change then touches a few dozen cards, not thousands.
 */
const PAGE_SIZE = 20;
const NEXT_PAGE = 40;
/** Card elements kept beyond those on screen (see render). */
const CARD_ELEMENT_CACHE = 1000;
const FOLDED_BY_DEFAULT = ['closed', 'cancelled'];
/** Cards whose status is not a known one still show, in their own column, so nothing disappears. */
const UNKNOWN_COLUMN = '?';

interface SavedState {
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

interface ValueElement extends HTMLElement {
  value: string;
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

function readState(raw: unknown): SavedState {
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

class BoardApp {
  private readonly host: HostConnection;
  private state: SavedState;
  private cards = new Map<string, BoardCard>();
  private config: BoardConfig = { severities: [], statusLabels: {} as BoardConfig['statusLabels'] };
  private metrics: BoardMetrics | undefined;
  private now = Date.now();
  private readonly cardElements = new Map<string, { card: BoardCard; state: string; element: HTMLElement }>();
  /** Severity rank and declared time per card, computed once per card version (sorting 5,000 cards parses no dates). */
  private readonly sortKeys = new WeakMap<BoardCard, { rank: number; declared: number }>();
  /** Bumped when the set of cards changes: the filter choices are recomputed only then. */
  private cardsVersion = 0;
  private optionsVersion = -1;
  private metricsSignature: unknown[] = [];
  /** Refusals shown on cards; one object per refusal, so the next action clears exactly the ones shown before it. */
  private readonly errors = new Map<string, { message: string }>();
  /** The card being dragged: drop targets are the statuses it may move to. */
  private dragging: string | undefined;
  private readonly pending = new Set<string>();
  private readonly columns = new Map<string, ColumnView>();
  private readonly columnsElement = el('div', { class: 'columns', role: 'region', 'aria-label': 'Incidents by status' });
  private readonly summary = el('span', { class: 'board-summary', role: 'status', 'aria-live': 'polite' }, 'Loading incidents…');
  private readonly search = el('vscode-textfield', { placeholder: 'Search id, title, summary', 'aria-label': 'Search incidents', class: 'search' }) as ValueElement;
  private readonly selects: Record<'severity' | 'service' | 'commander' | 'mode', ValueElement>;
  private readonly metricsHeader: MetricsHeader;
  private readonly drawer: DetailDrawer;
  private moveMenu: HTMLElement | undefined;
  private rendered = false;
  private saveQueued = false;

  constructor(private readonly root: HTMLElement) {
    this.host = new HostConnection((message) => this.receive(message));
    this.state = readState(this.host.state);
    this.metricsHeader = new MetricsHeader({
      onPeriod: (days) => {
        this.state.period = days;
        this.renderMetrics();
        this.save();
      },
      onSeverity: (severity) => this.setFilter('severity', severity),
    });
    this.drawer = new DetailDrawer(this.host, (name) => this.severity(name), () => {
      const key = this.state.drawer;
      this.state.drawer = undefined;
      this.render();
      if (key) this.focusCard(key);
    });
    this.selects = {
      severity: this.filterSelect('severity', 'All severities'),
      service: this.filterSelect('service', 'All services'),
      commander: this.filterSelect('commander', 'All commanders'),
      mode: this.filterSelect('mode', 'All modes'),
    };
    this.search.value = this.state.filters.text;
    this.search.addEventListener('input', () => this.setFilter('text', this.search.value));
    const clear = el('vscode-button', { secondary: '', class: 'clear-filters', title: 'Clear all filters' }, 'Clear');
    clear.addEventListener('click', () => {
      this.state.filters = { ...NO_FILTERS };
      this.search.value = '';
      this.render();
    });
    root.append(
      el('header', { class: 'toolbar' }, el('h1', {}, icon('flame'), ' Incidents'), this.summary, el('div', { class: 'filters', role: 'search' }, this.search, ...Object.values(this.selects), clear)),
      this.metricsHeader.element,
      el('div', { class: 'board-area' }, this.columnsElement, this.drawer.element),
    );
    root.addEventListener(
      'scroll',
      () => {
        this.closeMoveMenu();
        this.save();
      },
      { capture: true, passive: true },
    );
    root.addEventListener('keydown', (event) => this.onKey(event));
    // A refusal stays until the next thing the user does (a key, a click), not for minutes.
    for (const type of ['keydown', 'click'] as const) document.addEventListener(type, () => this.clearShownErrors(), { capture: true });
    document.addEventListener('click', (event) => {
      if (this.moveMenu && !this.moveMenu.contains(event.target as Node)) this.closeMoveMenu();
    });
    // Ages ("open 3h 12m") advance without any file changing.
    setInterval(() => {
      this.now = Date.now();
      this.refreshAges();
    }, 60_000);
    this.host.notify({ type: 'ready' });
  }

  private filterSelect(field: 'severity' | 'service' | 'commander' | 'mode', allLabel: string): ValueElement {
    const select = el('vscode-single-select', { 'aria-label': allLabel, title: allLabel, class: `filter filter-${field}`, 'data-filter': field }) as ValueElement;
    select.dataset.allLabel = allLabel;
    select.addEventListener('change', () => this.setFilter(field, select.value));
    return select;
  }

  private setFilter(field: keyof BoardFilters, value: string): void {
    if (this.state.filters[field] === value) return;
    this.state.filters[field] = value;
    this.state.limits = {};
    this.render();
  }

  private severity(name: string): BoardSeverity | undefined {
    return this.config.severities.find((s) => s.name === name);
  }

  private receive(message: Exclude<HostMessage, { type: 'reply' }>): void {
    switch (message.type) {
      case 'snapshot':
        this.config = message.config;
        this.cards = new Map(message.cards.map((card) => [card.key, card]));
        this.cardsVersion++;
        this.metrics = message.metrics;
        this.now = Date.parse(message.now) || Date.now();
        this.render();
        if (!this.rendered) this.restore();
        break;
      case 'cardsChanged': {
        for (const key of message.removed) this.cards.delete(key);
        for (const card of message.upserted) this.cards.set(card.key, card);
        this.cardsVersion++;
        this.metrics = message.metrics;
        this.now = Date.parse(message.now) || Date.now();
        this.render();
        const open = this.drawer.key;
        if (open && message.upserted.some((c) => c.key === open)) void this.drawer.refresh();
        if (open && message.removed.includes(open)) this.drawer.close();
        break;
      }
      case 'reveal':
        void this.openDrawer(message.key);
        break;
    }
  }

  /** First render after load or reload: scroll positions and the drawer come back as they were. */
  private restore(): void {
    this.rendered = true;
    this.columnsElement.scrollLeft = this.state.scrollLeft;
    for (const [status, top] of Object.entries(this.state.columnScroll)) {
      const column = this.columns.get(status);
      if (column) column.list.scrollTop = top;
    }
    if (this.state.drawer && this.cards.has(this.state.drawer)) void this.openDrawer(this.state.drawer);
  }

  private save(): void {
    if (this.saveQueued) return;
    this.saveQueued = true;
    requestAnimationFrame(() => {
      this.saveQueued = false;
      if (this.rendered) {
        this.state.scrollLeft = this.columnsElement.scrollLeft;
        for (const [status, column] of this.columns) this.state.columnScroll[status] = column.list.scrollTop;
      }
      this.host.state = this.state;
    });
  }

  private columnStatuses(): string[] {
    const known = new Set<string>(BOARD_STATUSES);
    const hasUnknown = [...this.cards.values()].some((card) => !known.has(card.status));
    return hasUnknown ? [...BOARD_STATUSES, UNKNOWN_COLUMN] : [...BOARD_STATUSES];
  }

  private columnOf(card: BoardCard): string {
    return (BOARD_STATUSES as readonly string[]).includes(card.status) ? card.status : UNKNOWN_COLUMN;
  }

  private label(status: string): string {
    if (status === UNKNOWN_COLUMN) return 'Unknown status';
    return (this.config.statusLabels as Record<string, string>)[status] ?? status;
  }

  private column(status: string): ColumnView {
    const existing = this.columns.get(status);
    if (existing) return existing;
    const count = el('span', { class: 'column-count' });
    const fold = el('button', { class: 'icon-button column-fold', type: 'button' });
    fold.addEventListener('click', () => {
      const folded = new Set(this.state.folded);
      if (folded.has(status)) folded.delete(status);
      else folded.add(status);
      this.state.folded = [...folded];
      this.render();
    });
    const list = el('ol', { class: 'column-cards', role: 'list', 'aria-label': this.label(status) });
    const moreButton = el('button', { class: 'show-more', type: 'button' });
    const more = el('li', { class: 'show-more-item' }, moreButton);
    const showMore = (): void => {
      this.state.limits[status] = (this.state.limits[status] ?? PAGE_SIZE) + NEXT_PAGE;
      this.render();
    };
    moreButton.addEventListener('click', showMore);
    new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && more.isConnected) showMore();
    }, { root: list, rootMargin: '0px 0px 200px 0px' }).observe(more);
    const section = el('section', { class: 'column', 'data-status': status }, el('header', { class: 'column-header' }, fold, el('h2', {}, this.label(status)), count), list);
    section.addEventListener('dragover', (event) => {
      if (!event.dataTransfer?.types.includes('application/x-runbook-ops-card')) return;
      // Not a drop target for a move the workflow does not allow (the column is dimmed while dragging).
      const dragged = this.dragging ? this.cards.get(this.dragging) : undefined;
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
      const key = event.dataTransfer?.getData('application/x-runbook-ops-card');
      if (!key) return;
      event.preventDefault();
      const card = this.cards.get(key);
      if (card && card.moves.includes(status)) void this.move(key, status);
    });
    const view: ColumnView = { status, section, count, list, more, moreButton, fold };
    this.columns.set(status, view);
    return view;
  }

  private sortKey(card: BoardCard): { rank: number; declared: number } {
    let key = this.sortKeys.get(card);
    if (!key) {
      key = { rank: this.severity(card.severity)?.rank ?? Number.MAX_SAFE_INTEGER, declared: parseInstant(card.declaredAt) ?? 0 };
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

  private render(): void {
    const focusedKey = (document.activeElement as HTMLElement | null)?.closest?.('.card')?.getAttribute('data-key') ?? undefined;
    this.updateSelectOptions();
    const words = searchWords(this.state.filters.text);
    const byColumn = new Map<string, BoardCard[]>();
    let shown = 0;
    for (const card of this.cards.values()) {
      if (!matchesFilters(card, this.state.filters, words)) continue;
      shown++;
      const column = this.columnOf(card);
      const list = byColumn.get(column);
      if (list) list.push(card);
      else byColumn.set(column, [card]);
    }
    const statuses = this.columnStatuses();
    reconcile(this.columnsElement, statuses.map((status) => this.column(status).section));
    const keep = new Set<string>();
    for (const status of statuses) {
      const view = this.column(status);
      const folded = this.state.folded.includes(status);
      // A folded column shows only its count: no need to sort what is not drawn.
      const cards = folded ? (byColumn.get(status) ?? []) : this.sortCards(byColumn.get(status) ?? []);
      view.section.classList.toggle('folded', folded);
      view.fold.replaceChildren(icon(folded ? 'chevron-right' : 'chevron-down'));
      view.fold.setAttribute('aria-expanded', folded ? 'false' : 'true');
      view.fold.setAttribute('aria-label', `${folded ? 'Show' : 'Hide'} ${this.label(status)} incidents`);
      view.fold.title = folded ? 'Show cards' : 'Hide cards';
      view.count.textContent = String(cards.length);
      const limit = folded ? 0 : (this.state.limits[status] ?? PAGE_SIZE);
      const visible = cards.slice(0, limit);
      const elements = visible.map((card) => {
        keep.add(card.key);
        return this.cardElement(card);
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
    const total = this.cards.size;
    this.summary.textContent = isFiltered(this.state.filters) ? `${shown} of ${total} incidents` : `${total} incidents`;
    this.renderMetrics();
    if (focusedKey && document.activeElement?.closest?.('.card')?.getAttribute('data-key') !== focusedKey) this.focusCard(focusedKey);
    this.save();
  }

  private renderMetrics(): void {
    const signature = [this.metrics, this.config, this.state.period, this.state.filters.severity];
    if (!this.metrics || signature.every((value, i) => value === this.metricsSignature[i])) return;
    this.metricsSignature = signature;
    this.metricsHeader.render(this.metrics, this.config, this.state.period, this.state.filters.severity);
  }

  private refreshAges(): void {
    for (const [key, { element }] of this.cardElements) {
      const card = this.cards.get(key);
      const age = element.querySelector('.age');
      if (card && age) age.lastChild!.textContent = cardAge(card, this.now);
    }
  }

  /** Filter choices come from the data; rebuilt only when they change so an open dropdown is not disturbed. */
  private updateSelectOptions(): void {
    if (this.optionsVersion === this.cardsVersion) {
      for (const field of Object.keys(this.selects) as (keyof typeof this.selects)[]) {
        if (this.selects[field].value !== this.state.filters[field]) this.selects[field].value = this.state.filters[field];
      }
      return;
    }
    this.optionsVersion = this.cardsVersion;
    const values = {
      severity: this.config.severities.map((s) => [s.name, `${s.name} ${s.label}`] as [string, string]),
      service: [...new Set([...this.cards.values()].flatMap((c) => c.services))].sort().map((s) => [s, s] as [string, string]),
      commander: [...new Set([...this.cards.values()].map((c) => c.commander).filter((c): c is string => !!c))].sort().map((c) => [c, c] as [string, string]),
      mode: [...new Set(['standard', ...[...this.cards.values()].map((c) => c.mode)])].sort().map((m) => [m, m] as [string, string]),
    };
    for (const field of Object.keys(values) as (keyof typeof values)[]) {
      const select = this.selects[field];
      const options: [string, string][] = [['', select.dataset.allLabel ?? ''], ...values[field]];
      const current = this.state.filters[field];
      if (current && !options.some(([value]) => value === current)) options.push([current, current]);
      const signature = JSON.stringify(options);
      if (select.dataset.options !== signature) {
        select.dataset.options = signature;
        select.replaceChildren(...options.map(([value, label]) => el('vscode-option', { value }, label)));
      }
      if (select.value !== current) select.value = current;
    }
  }

  private cardElement(card: BoardCard): HTMLElement {
    // Card objects are replaced, never mutated, when the host sends a change: identity says "changed".
    const error = this.errors.get(card.key)?.message;
    const state = `${error ?? ''}|${this.pending.has(card.key)}`;
    const existing = this.cardElements.get(card.key);
    let element = existing?.element;
    if (!element || existing!.card !== card || existing!.state !== state) {
      element ??= this.newCardElement(card.key);
      fillCard(element, card, { severity: this.severity(card.severity), now: this.now, error, pending: this.pending.has(card.key) });
      this.cardElements.set(card.key, { card, state, element });
    }
    element.classList.toggle('selected', card.key === this.state.drawer);
    return element;
  }

  private newCardElement(key: string): HTMLElement {
    const element = el('li', { class: 'card', tabindex: '0', draggable: 'true', 'data-key': key, role: 'listitem', 'aria-keyshortcuts': 'Enter Shift+ArrowLeft Shift+ArrowRight M' });
    element.addEventListener('dragstart', (event) => {
      event.dataTransfer?.setData('application/x-runbook-ops-card', key);
      event.dataTransfer?.setData('text/plain', this.cards.get(key)?.id ?? '');
      if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
      element.classList.add('dragging');
      this.dragging = key;
      const moves = this.cards.get(key)?.moves ?? [];
      for (const [status, column] of this.columns) column.section.classList.toggle('drop-allowed', moves.includes(status));
      this.columnsElement.classList.add('dragging-card');
    });
    element.addEventListener('dragend', () => {
      element.classList.remove('dragging');
      this.dragging = undefined;
      this.columnsElement.classList.remove('dragging-card');
    });
    element.addEventListener('click', (event) => {
      if ((event.target as HTMLElement).closest('.move-button')) {
        event.stopPropagation();
        this.openMoveMenu(key);
        return;
      }
      void this.openDrawer(key);
    });
    return element;
  }

  private async openDrawer(key: string): Promise<void> {
    if (!this.cards.has(key)) return;
    this.state.drawer = key;
    this.render();
    await this.drawer.open(key);
  }

  private focusCard(key: string): void {
    this.cardElements.get(key)?.element.focus({ preventScroll: false });
  }

  private async move(key: string, status: string): Promise<void> {
    const card = this.cards.get(key);
    if (!card) return;
    this.errors.delete(key);
    this.pending.add(key);
    this.render();
    const reply = await this.host.request({ type: 'moveIncident', key, status });
    this.pending.delete(key);
    if (!reply.ok) this.errors.set(key, { message: `Not moved to ${this.label(status)}: ${reply.error}` });
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

  /** The nearest status the card may move to, after (1) or before (-1) its own in board order. */
  private neighbourStatus(card: BoardCard, step: 1 | -1): string | undefined {
    const statuses = BOARD_STATUSES as readonly string[];
    const index = statuses.indexOf(card.status);
    if (index === -1) return undefined;
    const candidates = card.moves.filter((s) => (statuses.indexOf(s) - index) * step > 0);
    return step === 1 ? candidates[0] : candidates[candidates.length - 1];
  }

  private moveLabel(card: BoardCard, status: string): string {
    const reopen = (BOARD_STATUSES as readonly string[]).indexOf(status) < (BOARD_STATUSES as readonly string[]).indexOf(card.status);
    return reopen ? `${this.label(status)} (reopen)` : this.label(status);
  }

  /** Shift+arrow with nowhere to go: say why on the card, like a refusal. */
  private noMove(card: BoardCard, step: 1 | -1): void {
    const here = this.label(card.status);
    const message = step === -1
      ? (card.moves.length === 0 ? `${here} is not a status the board knows; correct it in the record.` : `${here} cannot move back: only a mitigated, resolved, closed or cancelled incident can be reopened.`)
      : `${here} cannot move forward${card.moves.length > 0 ? `; it can be reopened (${card.moves.map((s) => this.label(s)).join(', ')})` : ''}.`;
    this.errors.set(card.key, { message });
    this.render();
  }

  private openMoveMenu(key: string): void {
    const card = this.cards.get(key);
    const element = this.cardElements.get(key)?.element;
    if (!card || !element) return;
    this.closeMoveMenu();
    // Only the moves the workflow allows: offering the others only to refuse them wastes the responder's time.
    const options = card.moves;
    const menu = el('div', { class: 'move-menu', role: 'menu', 'aria-label': `Move ${card.id} to` });
    if (options.length === 0) menu.appendChild(el('div', { class: 'move-none', role: 'none' }, `No moves: ${this.label(card.status)} is not a status the board knows.`));
    for (const status of options) {
      const item = el('button', { type: 'button', role: 'menuitem', class: 'move-option', 'data-status': status, tabindex: '-1' }, this.moveLabel(card, status));
      item.addEventListener('click', (event) => {
        event.stopPropagation();
        this.closeMoveMenu();
        this.focusCard(key);
        void this.move(key, status);
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
        this.closeMoveMenu();
        this.focusCard(key);
      }
      event.stopPropagation();
    });
    // Outside the card: cards use paint containment (content-visibility), which would clip the menu.
    const rect = element.getBoundingClientRect();
    menu.style.top = `${Math.min(rect.top + 24, window.innerHeight - 260)}px`;
    menu.style.left = `${Math.max(4, Math.min(rect.right - 160, window.innerWidth - 170))}px`;
    this.root.appendChild(menu);
    this.moveMenu = menu;
    const next = this.neighbourStatus(card, 1);
    const first = next ?? options[0];
    (menu.querySelector<HTMLElement>(first ? `[data-status="${first}"]` : '.move-option') ?? menu.querySelector<HTMLElement>('.move-option') ?? menu).focus();
  }

  private closeMoveMenu(): void {
    this.moveMenu?.remove();
    this.moveMenu = undefined;
  }

  /** Keyboard path: arrows move focus, Shift+arrows move the card, M opens "Move to…", Enter opens details. */
  private onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (!target.classList.contains('card')) return;
    const key = target.dataset.key!;
    const card = this.cards.get(key);
    if (!card) return;
    if (event.shiftKey && (event.key === 'ArrowRight' || event.key === 'ArrowLeft')) {
      event.preventDefault();
      const step = event.key === 'ArrowRight' ? 1 : -1;
      const status = this.neighbourStatus(card, step);
      if (status) void this.move(key, status);
      else this.noMove(card, step);
      return;
    }
    switch (event.key) {
      case 'Enter':
      case ' ':
        event.preventDefault();
        void this.openDrawer(key);
        return;
      case 'm':
      case 'M':
      case 'ContextMenu':
        event.preventDefault();
        this.openMoveMenu(key);
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
        const statuses = [...this.columns.keys()];
        let index = statuses.indexOf(this.columnOf(card));
        for (;;) {
          index += event.key === 'ArrowRight' ? 1 : -1;
          if (index < 0 || index >= statuses.length) return;
          const first = this.columns.get(statuses[index])?.list.firstElementChild as HTMLElement | null;
          if (first) {
            first.focus();
            return;
          }
        }
      }
    }
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

new BoardApp(document.getElementById('board-root')!);
