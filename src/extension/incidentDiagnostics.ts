import * as vscode from 'vscode';
import type { Problem } from '../core/fileText';
import { formatTimestamp, TIMESTAMP_FIELDS } from '../core/incident';
import { sortTimeline } from '../core/incidentEdit';
import { trailingCommentStart } from '../core/incidentYamlText';
import { validateIncident, type IncidentProblem } from '../core/incidentValidation';
import type { IncidentSummary, RunbookSummary } from '../core/index';
import type { RunbookIndexService } from './runbookIndexService';
import { Disposable } from './dispose';

const DEBOUNCE_MS = 300;

function toRange(problem: Problem, document?: vscode.TextDocument): vscode.Range {
  const line = Math.max(0, problem.line - 1);
  const start = new vscode.Position(line, Math.max(0, (problem.column ?? 1) - 1));
  const endLine = Math.max(line, (problem.endLine ?? problem.line) - 1);
  let end: vscode.Position;
  if (problem.endColumn !== undefined) end = new vscode.Position(endLine, Math.max(0, problem.endColumn - 1));
  else if (document && endLine < document.lineCount) end = document.lineAt(endLine).range.end;
  else end = new vscode.Position(endLine, Number.MAX_SAFE_INTEGER);
  return new vscode.Range(start, end.isBefore(start) ? start : end);
}

const SEVERITY: Record<Problem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * Problems of incident records and runbooks in the Problems panel: from the index for files on disk,
 * re-validated as you type (debounced) for open incident records, with quick fixes where obvious.
 */
export class IncidentDiagnostics extends Disposable implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection('runbook-ops'));
  private readonly problemsOf = new WeakMap<vscode.Diagnostic, IncidentProblem>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly index: RunbookIndexService) {
    super();
    this.register(index.onDidChange(() => this.refreshAll()));
    this.register(vscode.workspace.onDidOpenTextDocument((d) => this.validateDocument(d)));
    this.register(vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)));
    this.register(vscode.workspace.onDidCloseTextDocument(() => this.refreshAll()));
    this.register(index.onDidChangeGivenUp(() => this.refreshAll()));
  }

  private diagnostic(problem: Problem, document?: vscode.TextDocument): vscode.Diagnostic {
    const diagnostic = new vscode.Diagnostic(toRange(problem, document), problem.message, SEVERITY[problem.severity]);
    diagnostic.source = 'Runbook Ops';
    const code = (problem as IncidentProblem).code;
    if (code) {
      diagnostic.code = code;
      this.problemsOf.set(diagnostic, problem as IncidentProblem);
    }
    return diagnostic;
  }

  /**
   * Files on disk from the index; open incident records are validated from their editor text instead.
   * Runs after every index change, so it touches only files with problems and the few open documents:
   * a pass that made a URI for each of 20,000 files blocked the extension host for about 110 ms.
   */
  refreshAll(): void {
    const openRunbooks = new Map<RunbookSummary, vscode.TextDocument>();
    const openIncidents = new Map<IncidentSummary, vscode.TextDocument>();
    for (const document of vscode.workspace.textDocuments) {
      const incident = this.index.incidentAt(document.uri);
      if (incident) openIncidents.set(incident.incident, document);
      const runbook = incident ? undefined : this.index.runbookAt(document.uri);
      if (runbook) openRunbooks.set(runbook.runbook, document);
    }
    // One message to the window for all of them, not one per file.
    const found: [vscode.Uri, vscode.Diagnostic[]][] = [];
    for (const entry of this.index.runbooks()) {
      const { problems } = entry.runbook;
      if (problems.length) found.push([entry.uri, problems.map((p) => this.diagnostic(p, openRunbooks.get(entry.runbook)))]);
    }
    for (const entry of this.index.incidents()) {
      if (!openIncidents.has(entry.incident) && entry.incident.problems.length) found.push([entry.uri, entry.incident.problems.map((p) => this.diagnostic(p))]);
    }
    this.collection.clear();
    this.collection.set(found);
    for (const document of openIncidents.values()) this.validateDocument(document);
  }

  private schedule(document: vscode.TextDocument): void {
    if (this.index.classify(document.uri) !== 'incident') return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.validateDocument(document);
    }, DEBOUNCE_MS));
  }

  private validateDocument(document: vscode.TextDocument): void {
    if (this.index.classify(document.uri) !== 'incident' || document.isClosed) return;
    // A text an index worker gave up on is not validated here (issue 14): its index problem says why.
    if (!this.index.mayParse(document.uri, document.getText())) {
      const problem = this.index.givenUpProblem(document.uri);
      this.collection.set(document.uri, problem ? [this.diagnostic(problem, document)] : []);
      return;
    }
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    const relative = vscode.workspace.asRelativePath(document.uri, false);
    const validation = validateIncident(relative, document.getText(), {
      config: this.index.configFor(document.uri),
      runbookPaths: folder ? this.index.runbookPaths(folder) : undefined,
    });
    const problems: Problem[] = [...validation.problems];
    // Another file with the same id (cross-file rule) comes from the index.
    const sameId = validation.id ? this.index.incidents().filter((e) => e.incident.id === validation.id!.value && e.uri.toString() !== document.uri.toString()) : [];
    if (validation.id && sameId.length) {
      problems.push({
        line: validation.id.line,
        column: validation.id.column,
        endColumn: validation.id.endColumn,
        severity: 'error',
        message: `Incident id ${validation.id.value} is also used by ${sameId.map((e) => vscode.workspace.asRelativePath(e.uri)).join(', ')}. Ids must be unique: rename this record with the next free id.`,
      });
    }
    this.collection.set(document.uri, problems.map((p) => this.diagnostic(p, document)));
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      const problem = this.problemsOf.get(diagnostic);
      if (!problem) continue;
      const action = this.fixFor(document, diagnostic, problem);
      if (action) {
        action.diagnostics = [diagnostic];
        action.isPreferred = true;
        actions.push(action);
      }
    }
    return actions;
  }

  private fixFor(document: vscode.TextDocument, diagnostic: vscode.Diagnostic, problem: IncidentProblem): vscode.CodeAction | undefined {
    switch (problem.code) {
      case 'unknown-status':
      case 'unknown-severity':
      case 'misspelled-field': {
        if (!problem.suggestion) return undefined;
        const action = new vscode.CodeAction(vscode.l10n.t('Change to “{0}”', problem.suggestion), vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(document.uri, diagnostic.range, problem.suggestion);
        return action;
      }
      case 'comment-in-text': {
        if (!problem.suggestion) return undefined;
        // The range runs from the value to the end of the comment: the whole line's text becomes the value.
        const action = new vscode.CodeAction(vscode.l10n.t('Quote the whole value, # included'), vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(document.uri, diagnostic.range, problem.suggestion);
        return action;
      }
      case 'missing-status-timestamp': {
        const field = problem.field;
        if (!field) return undefined;
        const value = formatTimestamp(new Date());
        const action = new vscode.CodeAction(vscode.l10n.t('Add {0}: {1} (now)', field, value), vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        const lines = document.getText().split(/\r?\n/);
        const existing = lines.findIndex((l) => l.startsWith(`${field}:`));
        if (existing !== -1) {
          // `resolved_at: null` or an empty value: fill it in, keeping any trailing comment.
          const line = lines[existing];
          const commentStart = trailingCommentStart(line);
          const comment = commentStart === -1 ? '' : line.slice(commentStart);
          action.edit.replace(document.uri, new vscode.Range(existing, 0, existing, line.length), `${field}: ${value}${comment}`);
        } else {
          const earlier = TIMESTAMP_FIELDS.slice(0, TIMESTAMP_FIELDS.indexOf(field as (typeof TIMESTAMP_FIELDS)[number]));
          let after = -1;
          lines.forEach((l, i) => {
            if (earlier.some((f) => l.startsWith(`${f}:`))) after = i;
          });
          const at = after === -1 ? Math.max(0, problem.line) : after + 1;
          action.edit.insert(document.uri, new vscode.Position(at, 0), `${field}: ${value}${document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n'}`);
        }
        return action;
      }
      case 'unsorted-timeline': {
        let sorted: string;
        try {
          const result = sortTimeline(document.getText());
          if (!result.changed) return undefined;
          sorted = result.text;
        } catch {
          return undefined;
        }
        const action = new vscode.CodeAction(vscode.l10n.t('Sort the timeline by time'), vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), sorted);
        return action;
      }
      default:
        return undefined;
    }
  }

  override dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    super.dispose();
  }
}
