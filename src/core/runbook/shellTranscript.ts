/**
 * Telling commands from output in a code block. Real runbooks put `$ ` prompts and output in `bash`
 * blocks as often as in `console` blocks, so the language tag decides only whether `# ` is a root prompt.
 */

export type BlockShape =
  /** No prompt lines: the whole block is one script. */
  | 'script'
  /** Shell prompt lines: only those lines (and their continuations) are commands. */
  | 'transcript'
  /** Prompts of another program (psql, redis-cli, python): nothing to run in a shell. */
  | 'foreign-transcript'
  /** Nothing but output or blank lines. */
  | 'empty';

export interface ShellCommand {
  /** The command text, prompt stripped; continuation and heredoc lines joined with `\n`. */
  text: string;
  /** 0-based index of the command's first line within the block content. */
  line: number;
}

export interface BlockCommands {
  shape: BlockShape;
  commands: ShellCommand[];
}

/** Languages whose blocks are transcripts by definition, where `# ` is a root prompt rather than a comment. */
export const TRANSCRIPT_LANGUAGES: ReadonlySet<string> = new Set(['console', 'shell-session', 'shellsession', 'terminal']);

const SHELL_PROMPTS: readonly RegExp[] = [
  /^\s*\$\s+(\S.*)$/,
  /^\s*[\w.-]+@[\w.-]+(?::[^\s$#]*)?\s?[$#]\s+(\S.*)$/, // user@host$ , user@host:~/dir$ , root@host:~#
  /^\s*\[[^\]]+\]\s?[$#]\s+(\S.*)$/, // [root@host ~]#
  /^\s*(?:sh|bash|zsh|ksh|dash)-\d+(?:\.\d+)*[$#]\s+(\S.*)$/, // sh-4.4$
  /^\s*%\s+(\S.*)$/,
  /^\s*❯\s+(\S.*)$/,
  /^\s*PS(?:\s[^>]*)?>\s+(\S.*)$/, // PowerShell
];
const ROOT_PROMPT = /^\s*#\s+(\S.*)$/;

/** Prompts of interactive programs other than a shell: psql, mysql, redis-cli, python, mongo. */
const FOREIGN_PROMPTS: readonly RegExp[] = [
  /^\s*[\w-]+=?[#>]\s/,
  // redis-cli: cache.internal:6379>, 10.0.0.5:6379[2]>
  /^\s*[\w.-]+:\d+(?:\[\d+\])?>\s/,
  /^\s*\d{1,3}(?:\.\d{1,3}){3}(?:\[\d+\])?>\s/,
  /^\s*(?:>>>|\.\.\.)\s/,
  // irb(main):001:0>, pry(main)>, and other name(…)> prompts
  /^\s*[\w-]+\([\w:]*\)(?::\d+)*[#>*]\s/,
];

/** Every prompt above ends in one of these followed by whitespace; most output lines hold none and skip the regexes. */
const PROMPT_CHARACTER = /[$#%❯>]/;
/** Likewise for foreign prompts. */
const FOREIGN_PROMPT_CHARACTER = /[#>]|\.\.\./;

/** The command on a shell prompt line, or undefined when the line carries no shell prompt. */
export function stripShellPrompt(line: string, rootPrompt: boolean): string | undefined {
  if (!PROMPT_CHARACTER.test(line)) return undefined;
  for (const prompt of SHELL_PROMPTS) {
    const m = prompt.exec(line);
    if (m) return m[1].trimEnd();
  }
  if (rootPrompt) {
    const m = ROOT_PROMPT.exec(line);
    if (m) return m[1].trimEnd();
  }
  return undefined;
}

export function hasForeignPrompt(line: string): boolean {
  return FOREIGN_PROMPT_CHARACTER.test(line) && FOREIGN_PROMPTS.some((p) => p.test(line));
}

const HEREDOC = /<<(-?)\s*(['"]?)([A-Za-z_][\w.-]*)\2/g;
const PS2 = /^\s*> ?/;

/** Heredoc delimiters a command line opens, in order, with whether leading tabs are stripped (`<<-`). */
export function heredocDelimiters(commandLine: string): { word: string; stripTabs: boolean }[] {
  const found: { word: string; stripTabs: boolean }[] = [];
  HEREDOC.lastIndex = 0;
  for (let m = HEREDOC.exec(commandLine); m; m = HEREDOC.exec(commandLine)) {
    // `<<<` is a here-string, not a heredoc.
    if (commandLine[m.index + 2] === '<' || (m.index > 0 && commandLine[m.index - 1] === '<')) continue;
    found.push({ word: m[3], stripTabs: m[1] === '-' });
  }
  return found;
}

function endsWithContinuation(line: string): boolean {
  let backslashes = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

/**
 * Collects one command starting at `lines[start]` (whose prompt is already stripped into `first`):
 * `\` continuations and heredoc bodies belong to it. In a transcript, continuation lines may carry
 * the `> ` secondary prompt, which is removed.
 */
function collectCommand(lines: readonly string[], start: number, first: string, transcript: boolean): { text: string; next: number } {
  const parts = [first];
  let i = start + 1;
  let current = first;
  for (;;) {
    const pending = heredocDelimiters(current);
    for (const doc of pending) {
      while (i < lines.length) {
        const raw = transcript ? lines[i].replace(PS2, '') : lines[i];
        parts.push(raw);
        i++;
        const candidate = doc.stripTabs ? raw.replace(/^\t+/, '') : raw;
        if (candidate.trim() === doc.word) break;
      }
    }
    if (endsWithContinuation(current) && i < lines.length) {
      current = transcript ? lines[i].replace(PS2, '') : lines[i];
      parts.push(current);
      i++;
      continue;
    }
    break;
  }
  return { text: parts.join('\n'), next: i };
}

/**
 * Splits a code block's content into the commands a shell would run. `contentLines`, when the caller
 * has them, are the content's lines without its final newline (what this would split it into).
 */
export function extractShellCommands(content: string, language: string, contentLines?: readonly string[]): BlockCommands {
  const lines = contentLines !== undefined && contentLines.length > 0 ? contentLines : (content.charCodeAt(content.length - 1) === 0x0a ? content.slice(0, -1) : content).split('\n');
  const rootPrompt = TRANSCRIPT_LANGUAGES.has(language);
  // Most blocks are scripts or output with no prompt at all: find the first prompt line before keeping any per-line array.
  let firstPrompt = 0;
  let prompt: string | undefined;
  // A line without a prompt character is no prompt line; a block without one skips the per-line tests.
  if (!PROMPT_CHARACTER.test(content)) firstPrompt = lines.length;
  for (; firstPrompt < lines.length; firstPrompt++) {
    prompt = stripShellPrompt(lines[firstPrompt], rootPrompt);
    if (prompt !== undefined) break;
  }
  if (prompt !== undefined) {
    const commands: ShellCommand[] = [];
    for (let i = firstPrompt; i < lines.length;) {
      const command = i === firstPrompt ? prompt : stripShellPrompt(lines[i], rootPrompt);
      if (command === undefined) {
        i++;
        continue;
      }
      const { text, next } = collectCommand(lines, i, command, true);
      commands.push({ text, line: i });
      i = next;
    }
    return { shape: 'transcript', commands };
  }
  if (FOREIGN_PROMPT_CHARACTER.test(content)) for (const line of lines) if (hasForeignPrompt(line)) return { shape: 'foreign-transcript', commands: [] };
  if (rootPrompt || lines.every((l) => l.trim() === '')) return { shape: 'empty', commands: [] };
  let first = 0;
  while (first < lines.length && lines[first].trim() === '') first++;
  let last = lines.length - 1;
  while (last > first && lines[last].trim() === '') last--;
  // lines[first..last] joined with \n is this slice of the content: no rebuilding of the script.
  let start = 0;
  for (let i = 0; i < first; i++) start += lines[i].length + 1;
  let end = start;
  for (let i = first; i <= last; i++) end += lines[i].length + (i < last ? 1 : 0);
  return { shape: 'script', commands: [{ text: content.slice(start, end), line: first }] };
}
