/**
 * The one duration formatter (issue 16 item 9): the board's metrics, cards and drawer and
 * `runbook-ops report` show the same text for the same duration. Imported by the webview too (the
 * lint allows this module besides the protocol): no imports of its own.
 */

/** `45s`, `12m`, `12m 05s`, `3h 04m`, `2d 5h`; `—` for a duration that is not one (negative, not finite). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const seconds = Math.round(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m ${pad(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}
