/**
 * Turning a parsed step into the exact text a shell runs: placeholders filled and shell-quoted for the
 * quoting context they sit in, secrets masked in what is shown and recorded, dangerous commands found.
 */
import type { Placeholder, VariableSpec } from './placeholders';
import { readShell } from './shellSyntax';

/** A value the user gave for a placeholder; `undefined` leaves a `$NAME` to the shell. */
export type PlaceholderValues = ReadonlyMap<string, string | undefined>;

/** Key a placeholder's value is remembered under: `$NAMESPACE`, `<namespace>` and `{{namespace}}` differ unless bound to one variable. */
export function placeholderKey(placeholder: Placeholder): string {
  return placeholder.variable !== undefined ? `var:${placeholder.variable}` : `${placeholder.syntax}:${placeholder.name}`;
}

/** Why a value cannot be used, or undefined when it can. */
export function checkPlaceholderValue(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return 'A value cannot contain line breaks: it would run as a second command.';
  if (value.includes('\0')) return 'A value cannot contain NUL characters.';
  return undefined;
}

const SAFE_WORD = /^[A-Za-z0-9_./:=@%+,-]+$/;

/** POSIX shell quoting: the value becomes exactly one literal word. */
export function shellQuote(value: string): string {
  if (SAFE_WORD.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

type QuoteContext = 'none' | 'single' | 'double';

/** The quoting context at each offset of a command, so a value can be escaped for where it lands. */
function quoteContexts(command: string): QuoteContext[] {
  const contexts: QuoteContext[] = new Array(command.length);
  let state: QuoteContext = 'none';
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    contexts[i] = state;
    if (state === 'single') {
      if (c === "'") state = 'none';
    } else if (c === '\\') {
      if (i + 1 < command.length) contexts[++i] = state;
    } else if (state === 'double') {
      if (c === '"') state = 'none';
    } else if (c === "'") state = 'single';
    else if (c === '"') state = 'double';
  }
  return contexts;
}

function quoteFor(value: string, context: QuoteContext): string {
  switch (context) {
    case 'single':
      // Close the quote, add the value as its own quoted word piece, reopen: 'a'\''b'.
      return value.replace(/'/g, `'\\''`);
    case 'double':
      return value.replace(/[\\"$`]/g, '\\$&');
    default:
      return shellQuote(value);
  }
}

export interface FilledCommand {
  /** What the shell runs. */
  text: string;
  /** What is shown and recorded: the same, with values of `secret: true` variables as `****`. */
  display: string;
}

export const SECRET_MASK = '****';

/**
 * Substitutes every placeholder token in `command`. Throws when a value is missing or unusable, so a
 * step can never run with an unfilled placeholder.
 */
export function fillCommand(
  command: string,
  placeholders: readonly Placeholder[],
  values: PlaceholderValues,
  variables: Readonly<Record<string, VariableSpec>>,
): FilledCommand {
  const contexts = quoteContexts(command);
  const hits: { start: number; end: number; placeholder: Placeholder }[] = [];
  for (const placeholder of placeholders) {
    for (const token of placeholder.tokens) {
      for (let at = command.indexOf(token); at !== -1; at = command.indexOf(token, at + token.length)) {
        // `$NS` must not match the start of `$NSX`.
        if (placeholder.syntax === 'dollar' && !token.endsWith('}') && /[A-Za-z0-9_]/.test(command[at + token.length] ?? '')) continue;
        if (hits.some((h) => at < h.end && at + token.length > h.start)) continue;
        hits.push({ start: at, end: at + token.length, placeholder });
      }
    }
  }
  hits.sort((a, b) => a.start - b.start);
  let text = '';
  let display = '';
  let last = 0;
  for (const { start, end, placeholder } of hits) {
    const key = placeholderKey(placeholder);
    if (!values.has(key)) throw new Error(`No value for ${placeholder.tokens[0]}.`);
    const value = values.get(key);
    text += command.slice(last, start);
    display += command.slice(last, start);
    if (value === undefined) {
      if (placeholder.syntax !== 'dollar') throw new Error(`No value for ${placeholder.tokens[0]}.`);
      text += command.slice(start, end);
      display += command.slice(start, end);
    } else {
      const problem = checkPlaceholderValue(value);
      if (problem) throw new Error(`${placeholder.tokens[0]}: ${problem}`);
      const secret = placeholder.variable !== undefined && variables[placeholder.variable]?.secret === true;
      text += quoteFor(value, contexts[start]);
      display += secret ? SECRET_MASK : quoteFor(value, contexts[start]);
    }
    last = end;
  }
  text += command.slice(last);
  display += command.slice(last);
  return { text, display };
}

/**
 * Commands that need a confirmation even when the step is not marked `confirm` (case-insensitive,
 * matched by {@link findDestructivePattern} against the filled command's words and text). A repository's `destructive_patterns` add
 * to these. Most start at a word boundary (`\b`), so a failed match costs one short scan per occurrence.
 */
export const DEFAULT_DESTRUCTIVE_PATTERNS: readonly string[] = [
  '\\brm\\s+(?:-\\S*\\s+)*(?:-[a-z]*[rf][a-z]*|--recursive|--force)(?:\\s|$)',
  '\\bkubectl\\s+(?:.*\\s)?(?:delete|drain)\\b',
  '\\bdrop\\s+(?:table|database|schema)\\b',
  '\\btruncate\\s+table\\b',
  '\\btruncate\\s+(?:.*\\s)?(?:-s\\s*0|--size[=\\s]0)(?:\\s|$)',
  '\\bdelete\\s+from\\b',
  '\\bflush(?:all|db)\\b',
  '\\bterraform\\s+(?:destroy|apply\\s+.*-auto-approve)',
  '\\bhelm\\s+(?:.*\\s)?(?:uninstall|delete|del|rollback)\\b',
  '\\baws\\s+s3\\s+(?:rm\\s+.*--recursive|rb\\b)',
  '\\bfind\\s+.*\\s-delete\\b',
  '\\bshred\\b',
  '--force\\b',
  '\\bgit\\s+push\\s+.*(?:-f\\b|--force)',
  '\\bmkfs\\b',
  '\\bdd\\s+.*\\bof=',
  '\\b(?:shutdown|reboot)\\b',
  // Overwriting a system file: `> /etc/hosts`, `>| /boot/…` (appends and `2>/dev/null` are not caught).
  '(?:^|[^<>&0-9])>\\|?\\s*/(?:etc|boot|usr|bin|sbin|lib|lib64|var/lib)/',
];

/**
 * The command as the guard reads it: `\` line continuations joined and runs of blanks made one
 * space, so `kubectl -n payments \⏎ delete …` and `rm \⏎ -rf` read as the shell runs them.
 */
export function guardText(command: string): string {
  let out = '';
  let blank = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c === '\\' && command[i + 1] === '\n') {
      i++;
      blank = true;
      continue;
    }
    if (c === ' ' || c === '\t') {
      blank = true;
      continue;
    }
    if (blank && out !== '' && c !== '\n') out += ' ';
    blank = false;
    out += c;
  }
  return out;
}

/**
 * Commands that run the command after them, with the options that take a value (so the value is not
 * read as the command): `sudo -u app rm -rf x` is `rm -rf x` to the guard.
 */
const WRAPPER_OPTIONS_WITH_VALUE: ReadonlyMap<string, ReadonlySet<string>> = new Map<string, ReadonlySet<string>>([
  ['sudo', new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T', '--user', '--group', '--host', '--prompt', '--chdir', '--close-from', '--role', '--type', '--other-user', '--command-timeout'])],
  ['doas', new Set(['-u', '-C'])],
  ['env', new Set(['-u', '-C', '-S', '--unset', '--chdir', '--split-string'])],
  ['nohup', new Set()],
  ['time', new Set(['-f', '-o', '--format', '--output'])],
  ['command', new Set()],
  ['builtin', new Set()],
  ['exec', new Set(['-a'])],
  ['nice', new Set(['-n', '--adjustment'])],
  ['ionice', new Set(['-c', '-n', '-p', '--class', '--classdata'])],
  ['timeout', new Set(['-s', '-k', '--signal', '--kill-after'])],
  ['xargs', new Set(['-a', '-d', '-E', '-I', '-L', '-n', '-P', '-s', '--arg-file', '--delimiter', '--max-args', '--max-procs', '--replace'])],
  ['watch', new Set(['-n', '-d', '--interval'])],
  ['stdbuf', new Set(['-i', '-o', '-e'])],
]);

/** Wrappers whose first plain word is their own argument, not the command (`timeout 30s rm …`). */
const WRAPPERS_WITH_ARGUMENT: ReadonlySet<string> = new Set(['timeout']);
const SHELLS: ReadonlySet<string> = new Set(['sh', 'bash', 'zsh', 'ksh', 'dash', 'mksh']);
const ASSIGNMENT_WORD = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The words a wrapper runs: `sudo -u app env A=1 rm -rf x` → `rm -rf x`. */
function unwrap(words: readonly string[]): string[] {
  let i = 0;
  while (i < words.length) {
    if (ASSIGNMENT_WORD.test(words[i])) {
      i++;
      continue;
    }
    const name = words[i].split('/').pop() ?? '';
    const withValue = WRAPPER_OPTIONS_WITH_VALUE.get(name);
    if (withValue === undefined) break;
    i++;
    while (i < words.length && words[i].startsWith('-') && words[i] !== '--') i += withValue.has(words[i]) ? 2 : 1;
    if (words[i] === '--') i++;
    if (WRAPPERS_WITH_ARGUMENT.has(name)) i++;
  }
  return words.slice(i);
}

/**
 * Each simple command in `command` as the shell will run it, one line of words with quoting removed
 * and wrappers (`sudo`, `env`, `nohup`, `timeout`…) dropped; `sh -c '…'` scripts are read too.
 * Undefined when the shell parser rejects the text.
 */
export function commandWordLines(command: string, depth = 0): string[] | undefined {
  const reading = readShell(command);
  if (!reading.ok) return undefined;
  const lines: string[] = [];
  for (const call of reading.calls) {
    const words = unwrap(call.words);
    if (words.length === 0) continue;
    lines.push(words.join(' '));
    const script = SHELLS.has(words[0].split('/').pop() ?? '') ? words.indexOf('-c') : -1;
    if (script !== -1 && script + 1 < words.length && depth < 3) lines.push(...(commandWordLines(words[script + 1], depth + 1) ?? [words[script + 1]]));
  }
  return lines;
}

/**
 * The first destructive pattern `command` matches (case-insensitive), or undefined. Patterns are tried
 * on the command's parsed words ({@link commandWordLines}: quoting, `sudo` and `env` cannot hide a
 * command) and on its text ({@link guardText}: redirections, and text the parser rejects). Invalid
 * patterns are skipped.
 */
export function findDestructivePattern(command: string, patterns: readonly string[] = DEFAULT_DESTRUCTIVE_PATTERNS): string | undefined {
  const texts = [guardText(command), ...(commandWordLines(command) ?? [])];
  for (const pattern of patterns) {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern, 'i');
    } catch {
      continue;
    }
    if (texts.some((text) => regex.test(text))) return pattern;
  }
  return undefined;
}

/** Shells whose `$'…'` quoting lets a multi-line script travel on one line. */
const ANSI_C_QUOTING_SHELLS: ReadonlySet<string> = new Set(['bash', 'zsh', 'ksh', 'mksh']);

/** Bash/zsh ANSI-C quoting (`$'…'`): every character survives, newlines included. */
export function ansiCQuote(text: string): string {
  // Control characters are exactly what must be escaped here.
  // eslint-disable-next-line no-control-regex
  const body = text.replace(/[\\'\x00-\x1f\x7f]/g, (c) => {
    switch (c) {
      case '\\': return '\\\\';
      case "'": return "\\'";
      case '\n': return '\\n';
      case '\t': return '\\t';
      case '\r': return '\\r';
      default: return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
    }
  });
  return `$'${body}'`;
}

/**
 * The text to type into the terminal so a step runs as ONE command line: shell integration reports one
 * exit code per line, and a multi-line paste would run (and report) each line separately. Continuation
 * lines are joined; other multi-line scripts (heredocs, several commands) go through `eval $'…'` in
 * bash and zsh, which runs them in the terminal's own shell so `cd` and `export` persist. Other shells
 * get the text as it is.
 */
export function toSingleCommandLine(text: string, shell: string): string {
  if (!text.includes('\n')) return text;
  const lines = text.split('\n');
  const continued = lines.slice(0, -1).every((line) => /(^|[^\\])(\\\\)*\\$/.test(line));
  if (continued) {
    return lines
      .map((line, i) => {
        const piece = i > 0 ? line.trimStart() : line;
        return i < lines.length - 1 ? piece.slice(0, -1).trimEnd() : piece;
      })
      .join(' ');
  }
  const name = shell.split(/[\\/]/).pop()?.replace(/\.exe$/i, '') ?? '';
  return ANSI_C_QUOTING_SHELLS.has(name) ? `eval ${ansiCQuote(text)}` : text;
}
