/** The board shows durations as `report` does: one formatter for both. */
export { formatDuration } from '../../src/core/metrics/durationText';

export function parseInstant(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `2026-11-23T09:05:10Z` → `2026-11-23 09:05 UTC` (records are written in UTC or with an offset). */
export function formatInstant(text: string): string {
  const ms = parseInstant(text);
  if (ms === undefined) return text;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
