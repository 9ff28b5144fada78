import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { BoardCard, BoardConfig } from '../../src/core/board/protocol';
import { el } from './dom';
import type { BoardFilters } from './filters';

interface ValueElement extends HTMLElement {
  value: string;
}

type SelectField = 'severity' | 'service' | 'commander' | 'mode';

export interface FilterBarContext {
  /** The current filters (the object is replaced when they are cleared). */
  filters(): BoardFilters;
  setFilter(field: keyof BoardFilters, value: string): void;
  /** Every filter back to empty. */
  clear(): void;
}

/** The search box, the filter dropdowns and Clear. */
export class FilterBar {
  readonly element: HTMLElement;
  private readonly search = el('vscode-textfield', { placeholder: 'Search id, title, summary', 'aria-label': 'Search incidents', class: 'search' }) as ValueElement;
  private readonly selects: Record<SelectField, ValueElement>;
  private optionsVersion = -1;

  constructor(private readonly context: FilterBarContext) {
    this.selects = {
      severity: this.filterSelect('severity', 'All severities'),
      service: this.filterSelect('service', 'All services'),
      commander: this.filterSelect('commander', 'All commanders'),
      mode: this.filterSelect('mode', 'All modes'),
    };
    this.search.value = context.filters().text;
    this.search.addEventListener('input', () => context.setFilter('text', this.search.value));
    const clear = el('vscode-button', { secondary: '', class: 'clear-filters', title: 'Clear all filters' }, 'Clear');
    clear.addEventListener('click', () => {
      this.search.value = '';
      context.clear();
    });
    this.element = el('div', { class: 'filters', role: 'search' }, this.search, ...Object.values(this.selects), clear);
  }

  private filterSelect(field: SelectField, allLabel: string): ValueElement {
    const select = el('vscode-single-select', { 'aria-label': allLabel, title: allLabel, class: `filter filter-${field}`, 'data-filter': field }) as ValueElement;
    select.dataset.allLabel = allLabel;
    select.addEventListener('change', () => this.context.setFilter(field, select.value));
    return select;
  }

  /** Filter choices come from the data; rebuilt only when they change so an open dropdown is not disturbed. */
  update(cards: ReadonlyMap<string, BoardCard>, cardsVersion: number, config: BoardConfig): void {
    const filters = this.context.filters();
    if (this.optionsVersion === cardsVersion) {
      for (const field of Object.keys(this.selects) as SelectField[]) {
        if (this.selects[field].value !== filters[field]) this.selects[field].value = filters[field];
      }
      return;
    }
    this.optionsVersion = cardsVersion;
    const values = {
      severity: config.severities.map((s) => [s.name, `${s.name} ${s.label}`] as [string, string]),
      service: [...new Set([...cards.values()].flatMap((c) => c.services))].sort().map((s) => [s, s] as [string, string]),
      commander: [...new Set([...cards.values()].map((c) => c.commander).filter((c): c is string => !!c))].sort().map((c) => [c, c] as [string, string]),
      mode: [...new Set(['standard', ...[...cards.values()].map((c) => c.mode)])].sort().map((m) => [m, m] as [string, string]),
    };
    for (const field of Object.keys(values) as SelectField[]) {
      const select = this.selects[field];
      const options: [string, string][] = [['', select.dataset.allLabel ?? ''], ...values[field]];
      const current = filters[field];
      if (current && !options.some(([value]) => value === current)) options.push([current, current]);
      const signature = JSON.stringify(options);
      if (select.dataset.options !== signature) {
        select.dataset.options = signature;
        select.replaceChildren(...options.map(([value, label]) => el('vscode-option', { value }, label)));
      }
      if (select.value !== current) select.value = current;
    }
  }
}
