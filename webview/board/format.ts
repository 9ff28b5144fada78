/** Durations and ages as an on-call engineer reads them: `45m`, `3h 12m`, `2d 4h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))}s`;
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days}d ${hours % 24}h` : `${days}d`;
}

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
