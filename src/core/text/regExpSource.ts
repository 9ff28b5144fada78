/** `text` as a regular expression that matches exactly it (an alert name, an id format's literal text). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
