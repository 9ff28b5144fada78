/**
 * Reading fields of a parsed incident record, whatever shape it has: a value of the wrong kind reads
 * as absent (or empty), so summaries, reports and the board never throw on a malformed record.
 */

export type PlainRecord = Record<string, unknown>;

/** A scalar as trimmed text; empty text, maps, lists and null read as absent. */
export function fieldText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A list's items; anything else reads as an empty list. */
export function fieldList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A mapping; anything else reads as an empty one. */
export function fieldMap(value: unknown): PlainRecord {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as PlainRecord) : {};
}
