/**
 * The last lines a step printed, as text a record can keep (issue 19, item 4). Terminal data is raw:
 * colours and cursor moves (CSI), titles and VS Code's shell-integration marks (OSC 633), progress bars
 * redrawn with `\r`, backspaces. This reads it the way a terminal would show it, one character at a
 * time with its state carried across chunks (a sequence may be split between two), and keeps only the
 * tail: a bounded number of lines, each bounded in length, so a step that prints gigabytes costs
 * nothing but the scan.
 */

export interface OutputLimits {
  /** Lines kept, the last ones. */
  lines: number;
  /** UTF-8 bytes of the text kept, the end of it. */
  bytes: number;
}

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = { lines: 40, bytes: 4096 };

/** A line longer than this is cut (with `…`): nobody reads a 1 MB line in a timeline. */
const LINE_LIMIT = 1000;

const enum State {
  Text,
  /** After ESC. */
  Escape,
  /** ESC [ … final byte. */
  Csi,
  /** ESC ] … BEL or ESC \ (OSC), and DCS/SOS/PM/APC, which end the same way. */
  String,
  /** ESC inside a string: `\` ends it. */
  StringEscape,
  /** ESC ( B and the other charset designations: one more character. */
  Charset,
}

/** Accumulates terminal data and gives its last lines as plain text. */
export class TerminalOutputTail {
  private readonly done: string[] = [];
  private line = '';
  /** A `\r` not yet followed by `\n`: the next character starts the line again (a redrawn progress bar). */
  private returned = false;
  private cut = false;
  private state = State.Text;
  /** Whether any line was dropped off the front. */
  private dropped = false;

  private readonly secrets: string[];
  private readonly longestSecret: number;

  /** `secrets`: values shown as `****` wherever they appear (longest first, so one inside another is masked whole). */
  constructor(secrets: readonly string[] = [], private readonly limits: OutputLimits = DEFAULT_OUTPUT_LIMITS) {
    this.secrets = [...new Set(secrets.filter((s) => s !== ''))].sort((a, b) => b.length - a.length);
    this.longestSecret = this.secrets[0]?.length ?? 0;
  }

  /** A finished line as kept: secrets masked; a cut line loses what could be the start of a secret, then gets `…`. */
  private finished(line: string, cut: boolean): string {
    const masked = this.secrets.reduce((text, secret) => text.split(secret).join('****'), line);
    if (!cut) return masked;
    return `${this.longestSecret > 1 ? masked.slice(0, Math.max(0, masked.length - (this.longestSecret - 1))) : masked}…`;
  }

  push(data: string): void {
    for (let i = 0; i < data.length; i++) {
      const c = data.charCodeAt(i);
      switch (this.state) {
        case State.Escape:
          if (c === 0x5b) this.state = State.Csi; // [
          else if (c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f) this.state = State.String; // ] P X ^ _
          else if (c >= 0x28 && c <= 0x2b) this.state = State.Charset; // ( ) * +
          else this.state = State.Text; // a two-character sequence (ESC =, ESC 7…)
          continue;
        case State.Csi:
          if (c >= 0x40 && c <= 0x7e) this.state = State.Text;
          continue;
        case State.String:
          if (c === 0x07) this.state = State.Text;
          else if (c === 0x1b) this.state = State.StringEscape;
          continue;
        case State.StringEscape:
          this.state = c === 0x5c ? State.Text : State.String;
          continue;
        case State.Charset:
          this.state = State.Text;
          continue;
        case State.Text:
          break;
      }
      if (c === 0x1b) {
        this.state = State.Escape;
      } else if (c === 0x0a) {
        this.returned = false;
        this.endLine();
      } else if (c === 0x0d) {
        this.returned = true;
      } else if (c === 0x08) {
        this.line = this.line.slice(0, -1);
      } else if (c === 0x09 || c >= 0x20) {
        if (c === 0x7f || (c >= 0x80 && c < 0xa0)) continue; // DEL and C1 controls
        if (this.returned) {
          this.returned = false;
          this.line = '';
          this.cut = false;
        }
        if (this.line.length < LINE_LIMIT) this.line += data[i];
        else this.cut = true;
      }
    }
  }

  private endLine(): void {
    this.done.push(this.finished(this.line, this.cut));
    this.line = '';
    this.cut = false;
    // Keep a few lines more than asked: trailing blank lines are dropped before the limit applies.
    if (this.done.length > this.limits.lines * 2) {
      this.done.splice(0, this.done.length - this.limits.lines);
      this.dropped = true;
    }
  }

  /** The last lines, trailing spaces and blank lines at either end dropped, cut to the limits. */
  text(): { text: string; truncated: boolean } {
    let lines = [...this.done, ...(this.line !== '' ? [this.finished(this.line, this.cut)] : [])].map((l) => l.trimEnd());
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    let start = 0;
    while (start < lines.length && lines[start] === '') start++;
    lines = lines.slice(start);
    let truncated = this.dropped;
    if (lines.length > this.limits.lines) {
      lines = lines.slice(-this.limits.lines);
      truncated = true;
    }
    const encoder = new TextEncoder();
    let bytes = lines.reduce((n, l) => n + encoder.encode(l).length + 1, 0);
    while (lines.length > 1 && bytes > this.limits.bytes) {
      bytes -= encoder.encode(lines[0]).length + 1;
      lines.shift();
      truncated = true;
    }
    return { text: lines.join('\n'), truncated };
  }
}
