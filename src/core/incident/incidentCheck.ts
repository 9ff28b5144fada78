/**
 * What `runbook-ops check` needs of one incident record (README, Reviewing in pull requests): its problems under the cross-file
 * context when the file is reported, and otherwise only the facts the cross-file rules read (id,
 * services, duplicate_of). One function for the worker threads and the in-process fallback, so both
 * give the same answer.
 */
import { decodeFileText } from '../text/fileText';
import { trailingCommentStart } from './incidentYamlText';
import { loadPlain } from '../text/incidentSource';
import { validateIncident, type IncidentIdLocation, type IncidentProblem, type IncidentValidationContext } from './incidentValidation';

/** Where a top-level `key:`'s value is written. */
export interface TopLevelValueLocation {
  line: number;
  column: number;
  endColumn: number;
}

export interface IncidentCheckFacts {
  path: string;
  /** The file's problems were checked (it is reported); false: only the facts below were read. */
  checked: boolean;
  /** The file could not be read (reported files only; the problem says why). */
  unreadable?: boolean;
  id?: IncidentIdLocation;
  /** `services` as written (codeowners routing). */
  services?: unknown;
  /** `duplicate_of` as written, when the field is present. */
  duplicateOf?: unknown;
  duplicateOfAt?: TopLevelValueLocation;
  problems: IncidentProblem[];
}

/** Line (1-based) and column of a top-level `key:`'s value in YAML text, for problems found outside the validator. */
export function topLevelValueLocation(text: string, key: string): TopLevelValueLocation {
  const lines = text.split(/\r?\n/);
  const prefix = new RegExp(`^${key}:[ \\t]*`);
  for (let i = 0; i < lines.length; i++) {
    const m = prefix.exec(lines[i]);
    if (!m) continue;
    const rest = lines[i].slice(m[0].length);
    const comment = trailingCommentStart(rest);
    const value = (comment === -1 ? rest : rest.slice(0, comment)).trimEnd();
    return { line: i + 1, column: m[0].length + 1, endColumn: m[0].length + 1 + value.length };
  }
  return { line: 1, column: 1, endColumn: 1 };
}

export interface IncidentCheckOptions {
  /** Validate and report this file; otherwise read only its cross-file facts. */
  report: boolean;
  /** Ids of records deleted on the branch: a record that is a duplicate_of one of them is reported too. */
  deletedIds?: ReadonlySet<string>;
}

function withDuplicateOf(facts: IncidentCheckFacts, record: Record<string, unknown> | undefined, text: string): IncidentCheckFacts {
  if (record && record.duplicate_of !== undefined && record.duplicate_of !== null) {
    facts.duplicateOf = record.duplicate_of;
    facts.duplicateOfAt = topLevelValueLocation(text, 'duplicate_of');
  }
  return facts;
}

/** The check's view of one incident record's bytes. */
export function checkIncidentFile(path: string, content: Uint8Array | string, context: IncidentValidationContext, options: IncidentCheckOptions): IncidentCheckFacts {
  const text = decodeFileText(content).text;
  if (!options.report) {
    // Unchanged records count for the cross-file rules only: their id, services and duplicate_of.
    let loaded: unknown;
    try {
      loaded = loadPlain(text);
    } catch {
      loaded = undefined;
    }
    const plain = loaded !== null && typeof loaded === 'object' && !Array.isArray(loaded) ? (loaded as Record<string, unknown>) : undefined;
    // A record marked as a duplicate of one deleted on this branch is broken by the deletion.
    const duplicateOfDeleted = typeof plain?.duplicate_of === 'string' && options.deletedIds?.has(plain.duplicate_of.trim()) === true;
    if (!duplicateOfDeleted) {
      const id = plain && (typeof plain.id === 'string' || typeof plain.id === 'number') ? String(plain.id) : undefined;
      const facts: IncidentCheckFacts = { path, checked: false, services: plain?.services, problems: [] };
      if (id !== undefined) facts.id = { value: id, ...topLevelValueLocation(text, 'id') };
      // Kept so a later run can tell, without reading the file, whether a deletion breaks it (checkFactsCache.ts).
      if (plain?.duplicate_of !== undefined) facts.duplicateOf = plain.duplicate_of;
      return facts;
    }
  }
  const validation = validateIncident(path, content, context);
  const record = validation.record as Record<string, unknown> | undefined;
  const facts: IncidentCheckFacts = { path, checked: true, services: record?.services, problems: validation.problems };
  if (validation.id) facts.id = validation.id;
  return withDuplicateOf(facts, record, text);
}
