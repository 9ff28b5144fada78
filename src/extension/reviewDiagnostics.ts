import * as vscode from 'vscode';
import type { RunbookSummary } from '../core/index';
import { reviewHeadline, reviewSource, type ReviewDateService } from './reviewDateService';
import type { RunbookIndexService } from './runbookIndexService';

/** Index and history changes come in bursts (a checkout); recompute once they settle. */
const DEBOUNCE_MS = 200;

/**
 * Information-level problems on runbooks whose review is overdue (DESIGN §1), on the front matter's
 * `last_reviewed` line when there is one, else on line 1. A collection of its own, so the incident and
 * runbook validation problems are untouched when only dates change.
 */
export class ReviewDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('runbook-ops-review');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Only the newest computation may publish: file reads make an older one finish later. */
  private generation = 0;
  /**
   * The `last_reviewed` line per indexed version of a runbook: the index replaces a summary when its
   * file changes, so an edit of one file re-reads that file only, not every overdue runbook.
   */
  private readonly lines = new WeakMap<RunbookSummary, number>();

  constructor(private readonly index: RunbookIndexService, private readonly reviews: ReviewDateService) {
    this.disposables.push(index.onDidChange(() => this.schedule()), reviews.onDidChange(() => this.schedule()));
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
    const found: [vscode.Uri, vscode.Diagnostic[]][] = [];
    for (const entry of this.index.runbooks()) {
      const review = this.reviews.review(entry, now);
      if (review.state !== 'overdue') continue;
      let line = 0;
      if (review.source === 'front-matter') {
        line = this.lines.get(entry.runbook) ?? (await lastReviewedLine(entry.uri));
        this.lines.set(entry.runbook, line);
      }
      const text = [reviewHeadline(review), reviewSource(review), vscode.l10n.t('Check that the steps still work, then set `last_reviewed:` to today’s date.')].filter(Boolean).join(' ');
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), text, vscode.DiagnosticSeverity.Information);
      diagnostic.source = 'Runbook Ops';
      diagnostic.code = 'review-overdue';
      found.push([entry.uri, [diagnostic]]);
    }
    if (generation !== this.generation) return;
    this.collection.clear();
    this.collection.set(found);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
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
