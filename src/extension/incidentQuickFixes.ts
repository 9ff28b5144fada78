import * as vscode from 'vscode';
import { formatTimestamp, TIMESTAMP_FIELDS } from '../core/incident/incident';
import { sortTimeline } from '../core/incident/incidentEdit';
import { trailingCommentStart } from '../core/incident/incidentYamlText';
import type { IncidentProblem } from '../core/incident/incidentValidation';
import type { RulebookDiagnostics } from './rulebookDiagnostics';

/**
 * Quick fixes for the problems of incident records the Problems panel shows (rulebookDiagnostics.ts):
 * a misspelled value or key, a `#` that cuts a text, a missing status timestamp, an unsorted timeline.
 */
export class IncidentQuickFixes implements vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diagnostics: RulebookDiagnostics) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      const problem = this.diagnostics.problemOf(diagnostic) as IncidentProblem | undefined;
      if (!problem?.code) continue;
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
}
