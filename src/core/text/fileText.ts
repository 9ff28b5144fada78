/** Turning a file's bytes into text without ever throwing, and saying what was wrong with them. */

export interface Problem {
  /** 1-based line the problem is on. */
  line: number;
  /** 1-based column, when known. */
  column?: number;
  /** 1-based last line of the range, when it spans several lines. */
  endLine?: number;
  /** 1-based column just after the range's last character on `endLine` (exclusive), when known. */
  endColumn?: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

/**
 * Just the Problem fields, the absent ones left out: validators attach extra fields (code, field,
 * suggestion) that the index, the worker transfer and `check --format json` must not carry.
 */
export function plainProblem({ line, column, endLine, endColumn, severity, message }: Problem): Problem {
  const problem: Problem = { line, severity, message };
  if (column !== undefined) problem.column = column;
  if (endLine !== undefined) problem.endLine = endLine;
  if (endColumn !== undefined) problem.endColumn = endColumn;
  return problem;
}

export interface DecodedText {
  /** The text with line endings normalised to `\n` (line numbers stay the same). */
  text: string;
  /** Set when the bytes are not text at all; `text` is then empty. */
  binary: boolean;
  problems: Problem[];
}

const BINARY_SNIFF_BYTES = 8000;
/** One strict decoder for every file: `decode` without streaming keeps no state between calls. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The text of `bytes` when they are valid UTF-8, else undefined (never U+FFFD in place of a byte). */
export function decodeStrictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The 1-based line of `offset` in `text`. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Normalises CRLF and lone CR to LF so that every consumer counts lines the same way markdown-it does. */
export function normalizeNewlines(text: string): string {
  return text.indexOf('\r') === -1 ? text : text.replace(/\r\n?/g, '\n');
}

export function decodeFileText(content: string | Uint8Array): DecodedText {
  if (typeof content === 'string') {
    const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
    return { text: normalizeNewlines(text), binary: false, problems: [] };
  }
  const bytes = content;
  // UTF-16 with a byte-order mark: decode it rather than calling it binary.
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    const text = new TextDecoder(encoding).decode(bytes.subarray(2));
    return { text: normalizeNewlines(text), binary: false, problems: [] };
  }
  const sniffEnd = Math.min(bytes.length, BINARY_SNIFF_BYTES);
  // Native search for a NUL byte in the sniffed prefix.
  if (bytes.subarray(0, sniffEnd).indexOf(0) !== -1) {
    return {
      text: '',
      binary: true,
      problems: [{ line: 1, severity: 'error', message: 'This file contains NUL bytes, so it is binary, not Markdown or YAML text; it was skipped. Rename it or exclude it from the runbook globs.' }],
    };
  }
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  const strict = decodeStrictUtf8(body);
  if (strict !== undefined) return { text: normalizeNewlines(strict), binary: false, problems: [] };
  const text = normalizeNewlines(new TextDecoder('utf-8').decode(body));
  const bad = text.indexOf('\ufffd');
  return {
    text,
    binary: false,
    problems: [{
      line: lineOf(text, Math.max(bad, 0)),
      severity: 'warning',
      message: 'This file is not valid UTF-8; the invalid bytes are shown as \ufffd. Re-save the file as UTF-8.',
    }],
  };
}
