import * as vscode from 'vscode';
import type { RunbookSummary } from '../core/index';
import type { RepoConfig } from '../core/repoConfig';
import { localDay } from '../core/reviewState';
import { reviewHeadline, reviewSource, type ReviewDateService } from './reviewDateService';
import type { LocatedRunbook, RunbookIndexService } from './runbookIndexService';
import { Disposable } from './dispose';

/** A runbook's published problem, or undefined when its review is not overdue, and what it was computed for. */
interface ComputedReview {
  /** The local day and the histories' version. */
  stamp: string;
  config: RepoConfig;
  found: [vscode.Uri, vscode.Diagnostic[]] | undefined;
}

/** Index and history changes come in bursts (a checkout); recompute once they settle. */
const DEBOUNCE_MS = 200;
/** Changed entries from which the collection is replaced in one message rather than entry by entry. */
const BULK_PUBLISH_FROM = 50;

/**
 * Information-level problems on runbooks whose review is overdue (DESIGN §1), on the front matter's
 * `last_reviewed` line when there is one, else on line 1. A collection of its own, so the incident and
 * runbook validation problems are untouched when only dates change.
 */
export class ReviewDiagnostics extends Disposable {
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection('runbook-ops-review'));
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Only the newest computation may publish: file reads make an older one finish later. */
  private generation = 0;
  /**
   * The `last_reviewed` line per indexed version of a runbook: the index replaces a summary when its
   * file changes, so an edit of one file re-reads that file only, not every overdue runbook.
   */
  private readonly lines = new WeakMap<RunbookSummary, number>();
  /**
   * Each indexed version of a runbook's result, reused while the day, the histories and its folder's
   * config stay the same: an edit of one file recomputes that file, not all 10,000.
   */
  private readonly computed = new WeakMap<RunbookSummary, ComputedReview>();
  private historyVersion = 0;
  /** The entries in the collection now (the same objects as in `computed`). */
  private published = new Set<[vscode.Uri, vscode.Diagnostic[]]>();

  constructor(private readonly index: RunbookIndexService, private readonly reviews: ReviewDateService) {
    super();
    this.register(index.onDidChange(() => this.schedule()));
    this.register(reviews.onDidChange(() => {
      this.historyVersion++;
      this.schedule();
    }));
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, DEBOUNCE_MS);
  }

  /** Recomputes every runbook's diagnostic now; resolves when they are published. */
  async refresh(now = new Date()): Promise<void> {
    const generation = ++this.generation;
    const stamp = `${localDay(now)} ${this.historyVersion}`;
    const found: [vscode.Uri, vscode.Diagnostic[]][] = [];
    for (const entry of this.index.runbooks()) {
      let computed = this.computed.get(entry.runbook);
      if (computed?.stamp !== stamp || computed.config !== entry.config) {
        computed = { stamp, config: entry.config, found: await this.overdue(entry, now) };
        this.computed.set(entry.runbook, computed);
      }
      if (computed.found) found.push(computed.found);
    }
    if (generation !== this.generation) return;
    this.publish(found);
  }

  /**
   * Sends the window what changed since the last refresh: an edit changes one runbook's entry, and
   * sending every overdue runbook's problem again (thousands in a big repository) cost more than the rest.
   */
  private publish(found: [vscode.Uri, vscode.Diagnostic[]][]): void {
    const next = new Set(found);
    const removed = [...this.published].filter((entry) => !next.has(entry));
    const added = found.filter((entry) => !this.published.has(entry));
    this.published = next;
    if (removed.length + added.length > BULK_PUBLISH_FROM) {
      this.collection.clear();
      this.collection.set(found);
      return;
    }
    // Deletions first: an edited runbook's old entry and its new one share a URI.
    for (const [uri] of removed) this.collection.delete(uri);
    for (const [uri, diagnostics] of added) this.collection.set(uri, diagnostics);
  }

  private async overdue(entry: LocatedRunbook, now: Date): Promise<[vscode.Uri, vscode.Diagnostic[]] | undefined> {
    const review = this.reviews.review(entry, now);
    if (review.state !== 'overdue') return undefined;
    let line = 0;
    if (review.source === 'front-matter') {
      line = this.lines.get(entry.runbook) ?? (await lastReviewedLine(entry.uri));
      this.lines.set(entry.runbook, line);
    }
    const text = [reviewHeadline(review), reviewSource(review), vscode.l10n.t('Check that the steps still work, then set `last_reviewed:` to today’s date.')].filter(Boolean).join(' ');
    const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), text, vscode.DiagnosticSeverity.Information);
    diagnostic.source = 'Runbook Ops';
    diagnostic.code = 'review-overdue';
    return [entry.uri, [diagnostic]];
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    super.dispose();
  }
}

/** 0-based line of `last_reviewed:` inside the leading front matter (the editor's text when open), else 0. */
async function lastReviewedLine(uri: vscode.Uri): Promise<number> {
  let text: string;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  try {
    text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return 0;
  }
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== '---') return 0;
  for (let i = 1; i < lines.length; i++) {
    if (/^(---|\.\.\.)\s*$/.test(lines[i])) break;
    if (/^last_reviewed\s*:/.test(lines[i])) return i;
  }
  return 0;
}
