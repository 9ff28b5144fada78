import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { BoardSeverity, IncidentDetail } from '../../src/core/board/protocol';
import { el, icon, safeColour, setChildren } from './dom';
import { formatInstant } from './format';
import type { HostConnection } from './hostConnection';
import { paragraphs, timelineItem } from './timelineView';

interface ValueElement extends HTMLElement {
  value: string;
}

/**
 * The detail drawer: the record's summary, roles, timestamps, timeline (newest first) and action
 * items, with forms to add a note and add or complete an action item. The forms are built once so a
 * live update of the record never wipes what the user is typing.
 */
export class DetailDrawer {
  readonly element = el('aside', { class: 'drawer', 'aria-label': 'Incident details', hidden: '' });
  private readonly heading = el('h2', { class: 'drawer-title', id: 'drawer-title' });
  private readonly body = el('div', { class: 'drawer-body' });
  private readonly message = el('div', { class: 'drawer-message', role: 'status' });
  private readonly noteText = el('vscode-textarea', { rows: '3', placeholder: 'What happened, what you found, what you decided…', 'aria-label': 'Note text', class: 'note-text' }) as ValueElement;
  private readonly itemTitle = el('vscode-textfield', { placeholder: 'Action item', 'aria-label': 'Action item title', class: 'item-title' }) as ValueElement;
  private readonly itemOwner = el('vscode-textfield', { placeholder: 'Owner', 'aria-label': 'Action item owner', class: 'item-owner' }) as ValueElement;
  private readonly itemDue = el('vscode-textfield', { placeholder: 'Due YYYY-MM-DD', 'aria-label': 'Action item due date', class: 'item-due' }) as ValueElement;
  private current: IncidentDetail | undefined;
  key: string | undefined;

  constructor(
    private readonly host: HostConnection,
    private readonly severityOf: (name: string) => BoardSeverity | undefined,
    private readonly onClose: () => void,
  ) {
    this.element.setAttribute('aria-labelledby', 'drawer-title');
    const close = el('button', { class: 'icon-button drawer-close', type: 'button', title: 'Close (Escape)', 'aria-label': 'Close details' }, icon('close'));
    close.addEventListener('click', () => this.close());
    const openRecord = el('vscode-button', { secondary: '', class: 'open-record' }, 'Open YAML');
    openRecord.addEventListener('click', () => this.key && this.host.notify({ type: 'openRecord', key: this.key }));
    const addNote = el('vscode-button', { class: 'add-note' }, 'Add note');
    addNote.addEventListener('click', () => void this.addNote());
    const addItem = el('vscode-button', { secondary: '', class: 'add-item' }, 'Add action item');
    addItem.addEventListener('click', () => void this.addActionItem());
    this.noteText.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void this.addNote();
    });
    this.element.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        this.close();
      }
    });
    this.element.append(
      el('header', { class: 'drawer-header' }, this.heading, openRecord, close),
      this.message,
      this.body,
      el('section', { class: 'drawer-form', 'aria-label': 'Add a note' }, el('h3', {}, 'Add a note'), this.noteText, el('div', { class: 'form-row' }, addNote, el('span', { class: 'hint' }, 'Ctrl+Enter'))),
      el('section', { class: 'drawer-form', 'aria-label': 'Add an action item' }, el('h3', {}, 'Add an action item'), this.itemTitle, el('div', { class: 'form-row' }, this.itemOwner, this.itemDue, addItem)),
    );
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  async open(key: string): Promise<void> {
    const switching = this.key !== key;
    this.key = key;
    this.element.hidden = false;
    if (switching) {
      this.current = undefined;
      this.heading.textContent = 'Loading…';
      this.body.replaceChildren();
      this.say('');
    }
    await this.refresh();
    if (switching) this.heading.focus();
  }

  close(): void {
    this.element.hidden = true;
    this.key = undefined;
    this.current = undefined;
    this.onClose();
  }

  /** Re-reads the record (after a live change); keeps the forms and the body's scroll position. */
  async refresh(): Promise<void> {
    const key = this.key;
    if (!key) return;
    const reply = await this.host.request({ type: 'getDetail', key });
    if (this.key !== key) return;
    if (!reply.ok) {
      this.say(reply.error, true);
      return;
    }
    if (!reply.detail) return;
    // A success message describes the record as that action left it; a later change (a move, a
    // terminal's write) makes it stale, so it goes.
    if (this.sayingSuccessFor !== undefined && this.sayingSuccessFor !== JSON.stringify(reply.detail)) this.say('');
    this.show(reply.detail);
  }

  /** The detail (as JSON) the shown success message was said of, while one is shown. */
  private sayingSuccessFor: string | undefined;

  private say(text: string, isError = false): void {
    this.sayingSuccessFor = undefined;
    this.message.textContent = text;
    this.message.className = `drawer-message${isError ? ' error' : ''}`;
  }

  private show(detail: IncidentDetail): void {
    this.current = detail;
    const scroll = this.element.scrollTop;
    const severity = this.severityOf(detail.severity);
    this.heading.replaceChildren(el('span', { class: 'card-id' }, detail.id), ' ', detail.title);
    this.heading.tabIndex = -1;
    const badge = el('span', { class: 'severity-badge' }, severity ? `${severity.name} ${severity.label}` : detail.severity);
    const colour = safeColour(severity?.colour);
    if (colour) this.element.style.setProperty('--severity', colour);
    const facts = el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'Status'),
      el('dd', { class: 'detail-status' }, detail.status),
      el('dt', {}, 'Severity'),
      el('dd', {}, badge),
      detail.mode !== 'standard' ? el('dt', {}, 'Mode') : null,
      detail.mode !== 'standard' ? el('dd', {}, detail.mode) : null,
      el('dt', {}, 'Commander'),
      el('dd', {}, detail.commander ?? '—'),
      ...Object.entries(detail.roles).flatMap(([role, person]) => [el('dt', {}, role), el('dd', {}, person)]),
      detail.services.length ? el('dt', {}, 'Services') : null,
      detail.services.length ? el('dd', {}, detail.services.join(', ')) : null,
    );
    setChildren(this.body, 
      detail.problems.length
        ? el('section', { class: 'problems', 'aria-label': 'Problems' }, el('h3', {}, icon('warning'), ' Problems'), el('ul', {}, ...detail.problems.map((p) => el('li', {}, p))))
        : null,
      facts,
      detail.summary ? el('section', {}, el('h3', {}, 'Summary'), ...paragraphs(detail.summary)) : null,
      detail.impact ? el('section', {}, el('h3', {}, 'Impact'), ...paragraphs(detail.impact)) : null,
      el('section', {}, el('h3', {}, 'Timestamps'), el('dl', { class: 'facts timestamps' }, ...detail.timestamps.flatMap(([field, value]) => [el('dt', {}, field.replace(/_at$/, '')), el('dd', { title: value }, formatInstant(value))]))),
      this.actionItems(detail),
      el('section', {}, el('h3', {}, `Timeline (${detail.timeline.length})`), el('ol', { class: 'timeline', reversed: '' }, ...detail.timeline.map((entry) => timelineItem(entry)))),
      this.references(detail),
      this.postmortem(detail),
    );
    this.element.scrollTop = scroll;
  }

  private actionItems(detail: IncidentDetail): HTMLElement {
    const list = el('ul', { class: 'action-item-list' });
    for (const item of detail.actionItems) {
      const done = item.status === 'done';
      const checkbox = el('vscode-checkbox', { 'aria-label': `${item.id} done`, class: 'item-done', ...(done ? { checked: '' } : {}) });
      checkbox.addEventListener('change', () => void this.setItemStatus(item.id, (checkbox as unknown as { checked: boolean }).checked ? 'done' : 'open'));
      list.appendChild(
        el(
          'li',
          { class: `action-item status-${item.status}`, 'data-item': item.id },
          checkbox,
          el(
            'div',
            { class: 'item-body' },
            el('div', {}, el('span', { class: 'item-id' }, item.id), ' ', el('span', { class: 'item-title-text' }, item.title)),
            el('div', { class: 'item-meta' }, [item.owner, item.due && `due ${item.due}`, item.status !== 'open' && item.status !== 'done' ? item.status : ''].filter(Boolean).join(' · ')),
          ),
        ),
      );
    }
    const open = detail.actionItems.filter((i) => i.status !== 'done' && i.status !== 'wont_do').length;
    return el('section', {}, el('h3', {}, `Action items (${open} open of ${detail.actionItems.length})`), detail.actionItems.length ? list : el('p', { class: 'muted' }, 'None yet.'));
  }

  private references(detail: IncidentDetail): HTMLElement | null {
    if (!detail.runbooks.length && !detail.links.length) return null;
    const items: HTMLElement[] = [];
    for (const runbook of detail.runbooks) {
      const link = el('a', { href: '#', class: 'runbook-link' }, icon('book'), runbook);
      link.addEventListener('click', (event) => {
        event.preventDefault();
        if (this.key) this.host.notify({ type: 'openRunbook', key: this.key, path: runbook });
      });
      items.push(el('li', {}, link));
    }
    for (const { title, url } of detail.links) {
      const link = el('a', { href: '#', title: url }, icon('link-external'), title);
      link.addEventListener('click', (event) => {
        event.preventDefault();
        this.host.notify({ type: 'openLink', url });
      });
      items.push(el('li', {}, link));
    }
    return items.length ? el('section', {}, el('h3', {}, 'Runbooks and links'), el('ul', { class: 'references' }, ...items)) : null;
  }

  /** The record's postmortem and Draft postmortem (the host writes and opens it; again, it rewrites only the facts). */
  private postmortem(detail: IncidentDetail): HTMLElement {
    const draft = el(
      'vscode-button',
      { secondary: '', class: 'draft-postmortem', title: 'Write the postmortem draft from the record; run again, it rewrites only its block of facts' },
      detail.postmortem ? 'Regenerate facts' : 'Draft postmortem',
    );
    draft.addEventListener('click', () => this.key && this.host.notify({ type: 'draftPostmortem', key: this.key }));
    return el('section', {}, el('h3', {}, 'Postmortem'), el('div', { class: 'form-row' }, detail.postmortem ? el('span', { class: 'postmortem-path' }, icon('note'), detail.postmortem) : el('span', { class: 'muted' }, 'None yet.'), draft));
  }

  private async run(body: Parameters<HostConnection['request']>[0], success: string): Promise<boolean> {
    this.say('Saving…');
    const reply = await this.host.request(body);
    if (!reply.ok) {
      this.say(reply.error, true);
      return false;
    }
    this.say(success);
    if (reply.detail && reply.detail.key === this.key) {
      this.sayingSuccessFor = JSON.stringify(reply.detail);
      this.show(reply.detail);
    }
    return true;
  }

  private async addNote(): Promise<void> {
    const text = this.noteText.value.trim();
    if (!this.key) return;
    if (!text) {
      this.say('Write the note first.', true);
      this.noteText.focus();
      return;
    }
    if (await this.run({ type: 'addNote', key: this.key, text }, 'Note added.')) this.noteText.value = '';
  }

  private async addActionItem(): Promise<void> {
    const title = this.itemTitle.value.trim();
    if (!this.key) return;
    if (!title) {
      this.say('Give the action item a title.', true);
      this.itemTitle.focus();
      return;
    }
    const body = { type: 'addActionItem' as const, key: this.key, title, owner: this.itemOwner.value.trim() || undefined, due: this.itemDue.value.trim() || undefined };
    if (await this.run(body, 'Action item added.')) {
      this.itemTitle.value = '';
      this.itemOwner.value = '';
      this.itemDue.value = '';
    }
  }

  private async setItemStatus(itemId: string, status: string): Promise<void> {
    if (!this.key) return;
    if (!(await this.run({ type: 'setActionItemStatus', key: this.key, itemId, status }, `${itemId} is ${status}.`)) && this.current) this.show(this.current);
  }
}
