/**
 * Record text printed where lines mean something: `check`'s `path:line:col: error:` lines (read by
 * problem matchers) and `report`'s Markdown tables (a job summary). A value with a line break or a
 * control character could otherwise end the line early and forge one: a fake error, a heading.
 */

// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/g;

function visible(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** One line, whatever `text` holds: CR, LF, tab and every other control character (C0, DEL, C1, U+2028/9) shown as an escape (`\n`, `\u0007`). */
export function oneLine(text: string): string {
  return text.replace(CONTROL, visible);
}

/** A Markdown table cell: line breaks become spaces (as a reader wrote them), other control characters escapes, `|` is escaped. */
export function markdownCell(text: string): string {
  return text
    .replace(/\r\n|[\r\n\u2028\u2029\x85\v\f]/g, ' ')
    .replace(CONTROL, visible)
    .replace(/\|/g, '\\|');
}
