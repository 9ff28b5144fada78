import { validateIncident, type IncidentProblem } from './incidentValidation';
import type { RepoConfig } from './repoConfig';

/**
 * Error-level problems an edit would introduce: present in the record after the edit but not before
 * (compared by code and field, since line numbers shift). The board refuses such a move and shows the
 * reason on the card rather than writing a record `runbook-ops check` would then reject.
 */
export function problemsIntroducedByEdit(path: string, before: string, after: string, config: RepoConfig, now: Date): IncidentProblem[] {
  const signature = (p: IncidentProblem): string => `${p.code}\u0000${p.field ?? ''}`;
  const errors = (text: string): IncidentProblem[] => validateIncident(path, text, { config, now }).problems.filter((p) => p.severity === 'error');
  const existing = new Set(errors(before).map(signature));
  return errors(after).filter((p) => !existing.has(signature(p)));
}
