/**
 * Turning a parsed step into the exact text a shell runs: placeholders filled and shell-quoted for the
 * quoting context they sit in, secrets passed as environment variables and masked in what is shown and
 * recorded, dangerous commands found.
 */
import { assignedShellNames, ENVIRONMENT_NAMES, type Placeholder, type VariableSpec } from './placeholders';
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

/**
 * Where a character sits for the shell: bare, in '…' or "…", or in the body of a here-document
 * (`<<EOF` expands `$NAME`, `<<'EOF'` keeps everything literal).
 */
type QuoteContext = 'none' | 'single' | 'double' | 'heredoc' | 'quoted-heredoc';

interface PendingHeredoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
}

/** The here-document a `<<` at `at` opens (`<<EOF`, `<<-'EOF'`, `<< "EOF"`), or undefined for `<<<` and a bare `<<`. */
function heredocAt(command: string, at: number): PendingHeredoc | undefined {
  let i = at + 2;
  if (command[i] === '<') return undefined;
  const stripTabs = command[i] === '-';
  if (stripTabs) i++;
  while (command[i] === ' ' || command[i] === '\t') i++;
  let word = '';
  while (i < command.length && !/[\s;&|<>()]/.test(command[i])) word += command[i++];
  // `$((1<<2))` shifts; a numeric delimiter is as good as never a here-document.
  if (word === '' || /^\d+$/.test(word)) return undefined;
  const quoted = /['"\\]/.test(word);
  return { delimiter: word.replace(/['"\\]/g, ''), quoted, stripTabs };
}

/** The quoting context at each offset of a command, so a value can be escaped for where it lands. */
function quoteContexts(command: string): QuoteContext[] {
  const contexts: QuoteContext[] = new Array(command.length);
  let state: QuoteContext = 'none';
  const pending: PendingHeredoc[] = [];
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
    else if (c === '<' && command[i + 1] === '<' && command[i - 1] !== '<') {
      const heredoc = heredocAt(command, i);
      if (heredoc) pending.push(heredoc);
    } else if (c === '\n' && pending.length > 0) {
      // The bodies start on the next line, one after the other, each up to its delimiter line.
      let lineStart = i + 1;
      for (const heredoc of pending.splice(0)) {
        const body: QuoteContext = heredoc.quoted ? 'quoted-heredoc' : 'heredoc';
        while (lineStart < command.length) {
          const newline = command.indexOf('\n', lineStart);
          const lineEnd = newline === -1 ? command.length : newline;
          const line = command.slice(lineStart, lineEnd);
          const closes = (heredoc.stripTabs ? line.replace(/^\t+/, '') : line) === heredoc.delimiter;
          for (let j = lineStart; j <= lineEnd && j < command.length; j++) contexts[j] = closes ? 'none' : body;
          lineStart = lineEnd + 1;
          if (closes) break;
        }
      }
      i = lineStart - 1;
    }
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
    case 'heredoc':
      return value.replace(/[\\$`]/g, '\\$&');
    case 'quoted-heredoc':
      // Nothing is special there (a value has no line breaks, so it cannot end the document).
      return value;
    default:
      return shellQuote(value);
  }
}

/** A reference to environment variable `name` that expands to exactly its value where it lands. */
function secretReference(name: string, context: QuoteContext): string {
  switch (context) {
    case 'single':
      // Close the single quotes, expand in double quotes, reopen: 'a'"${NAME}"'b'.
      return `'"\${${name}}"'`;
    case 'double':
    case 'heredoc':
      return `\${${name}}`;
    default:
      return `"$${name}"`;
  }
}

export interface FilledCommand {
  /** What the shell runs. Values of `secret: true` variables are references to {@link env}, never the values. */
  text: string;
  /** What is shown and recorded: the same, with values of `secret: true` variables as `****`. */
  display: string;
  /** The environment `text` needs: each secret value under the name `text` refers to it by. */
  env: Record<string, string>;
}

export const SECRET_MASK = '****';

/** Names a secret must not take: changing them would change how the shell or every program in it behaves. */
const SHELL_NAMES: ReadonlySet<string> = new Set([
  ...ENVIRONMENT_NAMES, '_', 'ENV', 'CDPATH', 'PROMPT_COMMAND', 'SHELLOPTS', 'POSIXLY_CORRECT', 'OPTARG', 'OPTIND',
  'MAIL', 'MAILPATH', 'COLUMNS', 'LINES', 'TZ', 'FPATH', 'ZDOTDIR', 'NODE_OPTIONS', 'PYTHONPATH', 'PERL5LIB',
]);
const SHELL_PREFIXES = /^(?:BASH|ZSH|LD_|DYLD_|LC_|VSCODE_|HIST|PS\d)/;

const REFERENCE = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g;

function isSecret(placeholder: Placeholder, variables: Readonly<Record<string, VariableSpec>>): boolean {
  return placeholder.variable !== undefined && variables[placeholder.variable]?.secret === true;
}

/**
 * The environment variable each `secret: true` variable is passed in: its name upper-cased with every
 * other character made `_` (`pg-password` → `PG_PASSWORD`), `SECRET_` in front when that is not a valid
 * name or is one the shell or common tools read (`path` → `SECRET_PATH`), and `_2`, `_3`… after it when
 * another secret has it or the commands use or assign that name themselves. Give it every command of
 * the runbook so all its steps agree on the names.
 */
export function secretEnvironmentNames(
  commands: readonly string[],
  placeholders: readonly Placeholder[],
  variables: Readonly<Record<string, VariableSpec>>,
): Map<string, string> {
  const secretTokens = new Set(placeholders.filter((p) => isSecret(p, variables)).flatMap((p) => p.tokens));
  const used = new Set<string>();
  for (const command of commands) {
    // The secret's own tokens are replaced, so a `$PG_PASSWORD` bound to the secret does not count.
    let text = command;
    for (const token of secretTokens) text = text.split(token).join(' ');
    for (const m of text.matchAll(REFERENCE)) used.add(m[1]);
    for (const name of assignedShellNames(text)) used.add(name);
  }
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const [variable, spec] of Object.entries(variables)) {
    if (spec.secret !== true) continue;
    let base = variable.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    if (!/^[A-Z_]/.test(base) || !/[A-Z0-9]/.test(base) || SHELL_NAMES.has(base) || SHELL_PREFIXES.test(base)) base = `SECRET_${base}`;
    let name = base;
    for (let n = 2; used.has(name) || taken.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    names.set(variable, name);
  }
  return names;
}

/**
 * Substitutes every placeholder token in `command`. Throws when a value is missing or unusable, so a
 * step can never run with an unfilled placeholder. A `secret: true` value is never put in the text: the
 * text refers to an environment variable (named by `secretNames`) that {@link FilledCommand.env} carries.
 */
export function fillCommand(
  command: string,
  placeholders: readonly Placeholder[],
  values: PlaceholderValues,
  variables: Readonly<Record<string, VariableSpec>>,
  secretNames: ReadonlyMap<string, string> = secretEnvironmentNames([command], placeholders, variables),
): FilledCommand {
  const contexts = quoteContexts(command);
  const hits: { start: number; end: number; placeholder: Placeholder }[] = [];
  for (const placeholder of placeholders) {
    for (const token of placeholder.tokens) {
      for (let at = command.indexOf(token); at !== -1; at = command.indexOf(token, at + token.length)) {
        // `$NS` must not match the start of `$NSX`.
        if (placeholder.syntax === 'dollar' && !token.endsWith('}') && /[A-Za-z0-9_]/.test(command[at + token.length] ?? '')) continue;
        // A `$NS` the shell keeps literal ('$NS', <<'EOF') is text, not a use of the placeholder.
        if (placeholder.syntax === 'dollar' && (contexts[at] === 'single' || contexts[at] === 'quoted-heredoc')) continue;
        if (hits.some((h) => at < h.end && at + token.length > h.start)) continue;
        hits.push({ start: at, end: at + token.length, placeholder });
      }
    }
  }
  hits.sort((a, b) => a.start - b.start);
  let text = '';
  let display = '';
  const env: Record<string, string> = {};
  let last = 0;
  for (const { start, end, placeholder } of hits) {
    const key = placeholderKey(placeholder);
    if (!values.has(key)) throw new Error(`No value for ${placeholder.tokens[0]}.`);
    const value = values.get(key);
    text += command.slice(last, start);
    display += command.slice(last, start);
    last = end;
    if (value === undefined) {
      if (placeholder.syntax !== 'dollar') throw new Error(`No value for ${placeholder.tokens[0]}.`);
      text += command.slice(start, end);
      display += command.slice(start, end);
      continue;
    }
    const problem = checkPlaceholderValue(value);
    if (problem) throw new Error(`${placeholder.tokens[0]}: ${problem}`);
    if (placeholder.syntax === 'export') {
      // The whole `export NAME=value` line is the token: it becomes `export NAME=<the value, quoted>`.
      const line = `export ${placeholder.name}=${value === '' ? "''" : shellQuote(value)}`;
      text += line;
      display += line;
      continue;
    }
    if (!isSecret(placeholder, variables)) {
      text += quoteFor(value, contexts[start]);
      display += quoteFor(value, contexts[start]);
      continue;
    }
    const name = secretNames.get(placeholder.variable!);
    if (name === undefined) throw new Error(`No environment variable name for the secret ${placeholder.tokens[0]}.`);
    if (contexts[start] === 'quoted-heredoc') {
      throw new Error(`${placeholder.tokens[0]} is a secret inside a quoted here-document (<<'EOF'), where the shell expands nothing: it would have to be typed into the terminal. Use an unquoted delimiter (<<EOF).`);
    }
    env[name] = value;
    text += secretReference(name, contexts[start]);
    display += SECRET_MASK;
  }
  text += command.slice(last);
  display += command.slice(last);
  return { text, display, env };
}

/**
 * Commands that need a typed confirmation even when the step is not marked `confirm` (case-insensitive,
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
  return findDestructiveMatch(command, patterns)?.pattern;
}

/**
 * {@link findDestructivePattern}, with the words it matched (`helm -n payments rollback`), so a
 * confirmation can say in plain words what is destructive.
 */
export function findDestructiveMatch(command: string, patterns: readonly string[] = DEFAULT_DESTRUCTIVE_PATTERNS): { pattern: string; words?: string } | undefined {
  const texts = [guardText(command), ...(commandWordLines(command) ?? [])];
  for (const pattern of patterns) {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern, 'i');
    } catch {
      continue;
    }
    for (const text of texts) {
      const match = regex.exec(text);
      if (match) return { pattern, words: match[0].trim() || undefined };
    }
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
