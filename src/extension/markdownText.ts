/** Record and runbook text inside Markdown tooltips: escaped so a title cannot become a link, image or HTML. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, '\\$&');
}

/**
 * `text` as a Markdown code span. Backslash escapes are not read inside code spans (they would show),
 * so the span is fenced with more backticks than any run in the text instead; nothing inside a span is
 * a link, image or HTML.
 */
export function markdownCodeSpan(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  // A span that starts or ends with a backtick needs a space between it and the fence (stripped when shown).
  const padding = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${padding}${text}${padding}${fence}`;
}

/**
 * `text` for a quick input's prompt or validation message, which shows `$(name)` as an icon and
 * `[label](https://…)` as a link, and folds line breaks into spaces: a command must show as written,
 * so icons are escaped (`\$(name)` shows `$(name)`), links broken by a zero-width space, and each line
 * break shown as ` ⏎ `.
 */
export function quickInputText(text: string): string {
  return text
    .replace(/\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\)/g, '\\$&')
    .replace(/\](?=\((?:https?:\/\/|command:|file:))/gi, ']\u200b')
    .replace(/\r?\n/g, ' ⏎ ');
}
