import { editIncident, IncidentEditError, type IncidentEditOperation } from './incidentEdit';
import { validateIncident, type IncidentProblem } from './incidentValidation';
import type { RepoConfig } from '../config/repoConfig';

/**
 * Error-level problems an edit would introduce: present in the record after the edit but not before
 * (compared by code and field, since line numbers shift). An edit is refused when there are any, so no
 * surface writes a record `runbook-ops check` would then reject; problems the record already had are
 * not the edit's fault and do not block it.
 */
export function problemsIntroducedByEdit(path: string, before: string, after: string, config: RepoConfig, now: Date): IncidentProblem[] {
  const signature = (p: IncidentProblem): string => `${p.code}\u0000${p.field ?? ''}`;
  const errors = (text: string): IncidentProblem[] => validateIncident(path, text, { config, now }).problems.filter((p) => p.severity === 'error');
  const introduced = errors(after);
  // Most edits leave a valid record: then the record before need not be validated at all (3 MB: ~0.3 s).
  if (introduced.length === 0) return [];
  const existing = new Set(errors(before).map(signature));
  return introduced.filter((p) => !existing.has(signature(p)));
}

/** An edit refused because the record would no longer be valid; `problems` are the errors it would add. */
export class IncidentEditRefused extends IncidentEditError {
  constructor(readonly problems: IncidentProblem[]) {
    super(`This change would make the record invalid, so nothing was written: ${problems.map((p) => p.message).join(' ')}`);
  }
}

export interface CheckedEdit {
  text: string;
  /** One per operation: `investigating → mitigated`, `note added`. */
  descriptions: string[];
  changed: boolean;
}

/**
 * The one edit path every surface uses (`runbook-ops update`, the sidebar, the board, the step
 * runner): applies `operations` in order to `text` — the exact text about to be written, read under
 * the record's lock — and refuses with {@link IncidentEditRefused} when the result has a validation
 * error the original did not. `path` is the record's repository-relative path (its file name is
 * checked against the id).
 */
export function editIncidentChecked(path: string, text: string, operations: readonly IncidentEditOperation[], now: Date, author: string, config: RepoConfig): CheckedEdit {
  let after = text;
  const descriptions: string[] = [];
  let changed = false;
  for (const operation of operations) {
    const result = editIncident(after, operation, now, author, config);
    after = result.text;
    descriptions.push(result.description);
    changed ||= result.changed;
  }
  if (!changed) return { text, descriptions, changed };
  const introduced = problemsIntroducedByEdit(path, text, after, config, now);
  if (introduced.length > 0) throw new IncidentEditRefused(introduced);
  return { text: after, descriptions, changed };
}
