/**
 * Finding the values a command needs before it can run, in the three forms real runbooks use:
 * `<name>` tokens, `$NAME` / `${NAME}` shell variables nobody set, and `{{name}}` declared variables.
 */

export interface VariableSpec {
  description?: string;
  default?: string;
  choices?: string[];
  secret?: boolean;
}

/** `export` is a Runme cell's `export NAME=value` line, whose value Runme asks for (its `promptEnv`). */
export type PlaceholderSyntax = 'angle' | 'dollar' | 'mustache' | 'export';

export interface Placeholder {
  /** The name as written: `namespace`, `cluster ID`, `NAMESPACE`. */
  name: string;
  syntax: PlaceholderSyntax;
  /** The exact text in the command that a value replaces, e.g. `<namespace>`, `${NS}`, `{{ namespace }}`. */
  tokens: string[];
  /** The front-matter variable this placeholder is bound to, when one is declared. */
  variable?: string;
  /** For an `export` placeholder: what the line offers, by Runme's rules. */
  exported?: ExportPrompt;
}

/**
 * How Runme asks for an exported value: a quoted value (`export ZONE="us-central1-c"`) is offered for
 * confirmation, an unquoted one (`export PROJECT=[Enter your project id]`) is the question itself.
 */
export interface ExportPrompt {
  /** The quoted value, offered pre-filled. */
  default?: string;
  /** The unquoted value, shown as the prompt. */
  message?: string;
  /** `promptEnv=yes`: asked on every run, even when a value is remembered. */
  always: boolean;
}

/** How a placeholder is named to the user: its token as written, an exported value by its variable. */
export function placeholderLabel(placeholder: Placeholder): string {
  return placeholder.syntax === 'export' ? `${placeholder.name} (export)` : placeholder.tokens[0];
}

/** Runme's `promptEnv` attribute: `auto` (its default) asks once, `yes` every run, `no` never. */
export type PromptEnvMode = 'auto' | 'yes' | 'no';

/** Reads a `promptEnv` attribute value as Runme does, including its older `true`/`false` spellings. */
export function promptEnvMode(value: string | boolean | undefined): PromptEnvMode {
  const text = String(value ?? '').trim().toLowerCase();
  if (text === 'no' || text === 'false' || text === '0' || text === 'never') return 'no';
  if (text === 'yes' || text === 'true' || text === '1' || text === 'always') return 'yes';
  return 'auto';
}

// One whole line `export NAME=value`; the value is everything after `=`, trimmed.
const EXPORT_LINE = /^[ \t]*(export[ \t]+([A-Za-z_][A-Za-z0-9_]*)=(.*\S)?)[ \t]*$/gm;

/**
 * The `export NAME=value` lines of a Runme cell whose value Runme prompts for. A value the shell
 * computes (`$(…)`, `$VAR`, backquotes) or that holds a second command (`;`, `&`, `|`) is left to the
 * shell, as Runme leaves it; so is a line inside a here-document or a continuation (only lines a
 * command starts on are read).
 */
export function findExportPrompts(commands: readonly string[], mode: PromptEnvMode): Placeholder[] {
  if (mode === 'no') return [];
  const found = new Map<string, Placeholder>();
  for (const command of commands) {
    if (command.indexOf('export') === -1) continue;
    // Lines after one ending in `\` or inside a here-document are not commands of their own.
    const startsCommand = commandStartLines(command);
    EXPORT_LINE.lastIndex = 0;
    for (let m = EXPORT_LINE.exec(command); m; m = EXPORT_LINE.exec(command)) {
      if (!startsCommand.has(m.index)) continue;
      const [, token, name] = m;
      const value = m[3] ?? '';
      if (/[$`;&|<>]/.test(value) || ENVIRONMENT_NAMES.has(name) || found.has(name)) continue;
      const quote = value[0];
      const quoted = value.length >= 2 && (quote === '"' || quote === "'") && value[value.length - 1] === quote;
      if (!quoted && /["']/.test(value)) continue;
      const inner = quoted ? value.slice(1, -1) : value;
      const exported: ExportPrompt = quoted ? { default: inner, always: mode === 'yes' } : { ...(inner !== '' ? { message: inner } : {}), always: mode === 'yes' };
      found.set(name, { name, syntax: 'export', tokens: [token], exported });
    }
  }
  return [...found.values()];
}

/** Offsets of the lines in `command` a new command starts on: not after a `\` continuation, not in a here-document body. */
function commandStartLines(command: string): Set<number> {
  const starts = new Set<number>();
  let heredocEnd: string | undefined;
  let continued = false;
  for (let offset = 0; offset <= command.length;) {
    const newline = command.indexOf('\n', offset);
    const end = newline === -1 ? command.length : newline;
    const line = command.slice(offset, end);
    if (heredocEnd !== undefined) {
      if (line.replace(/^\t+/, '') === heredocEnd) heredocEnd = undefined;
    } else {
      if (!continued) starts.add(offset);
      const heredoc = /<<-?[ \t]*(['"]?)([A-Za-z_][\w-]*)\1/.exec(line);
      if (heredoc) heredocEnd = heredoc[2];
      continued = line.endsWith('\\');
    }
    if (newline === -1) break;
    offset = newline + 1;
  }
  return starts;
}

const ANGLE = /<([A-Za-z][A-Za-z0-9_.\- ]*[A-Za-z0-9_]|[A-Za-z])>/g;
const MUSTACHE = /\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g;
const DOLLAR = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Variables every shell or CI environment already has; never asked for. */
export const ENVIRONMENT_NAMES: ReadonlySet<string> = new Set([
  'HOME', 'PATH', 'USER', 'LOGNAME', 'PWD', 'OLDPWD', 'SHELL', 'TERM', 'LANG', 'LC_ALL', 'HOSTNAME', 'HOST',
  'UID', 'EUID', 'PPID', 'RANDOM', 'SECONDS', 'LINENO', 'IFS', 'TMPDIR', 'EDITOR', 'VISUAL', 'PAGER', 'DISPLAY',
  'KUBECONFIG', 'BASH', 'BASH_SOURCE', 'BASH_VERSION', 'ZSH_VERSION', 'PS1', 'PS2', 'PIPESTATUS', 'OSTYPE',
  'HOSTTYPE', 'MACHTYPE', 'XDG_CONFIG_HOME', 'XDG_RUNTIME_DIR', 'SSH_AUTH_SOCK', 'GOPATH', 'JAVA_HOME', 'CI',
]);

const UPPER_NAME = /^[A-Z][A-Z0-9_]+$/;

const DECLARING_WORD = /export|local|readonly|declare|typeset/;

/**
 * Names a shell snippet assigns: `NAME=`, `export NAME=`, `for NAME in`, `read NAME`, `local NAME`.
 * Over-matching is harmless (one prompt fewer); under-matching would ask for a value the script sets itself.
 */
export function assignedShellNames(script: string): Set<string> {
  const names = new Set<string>();
  // Each pattern needs a word or character most commands lack; checking for it first skips the regex.
  if (script.includes('=')) {
    const assignment = /(?:^|[\s;&|(`])(?:(?:export|local|readonly|declare|typeset)\s+(?:-\w+\s+)*)?([A-Za-z_][A-Za-z0-9_]*)\+?=/g;
    for (let m = assignment.exec(script); m; m = assignment.exec(script)) names.add(m[1]);
  }
  if (script.includes('for') || script.includes('select')) {
    const loop = /\b(?:for|select)\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b/g;
    for (let m = loop.exec(script); m; m = loop.exec(script)) names.add(m[1]);
  }
  if (script.includes('read')) {
    const read = /\bread\s+((?:-[a-zA-Z]+\s+(?:\S+\s+)?)*)([A-Za-z_][A-Za-z0-9_ ]*)/g;
    for (let m = read.exec(script); m; m = read.exec(script)) for (const n of m[2].trim().split(/\s+/)) names.add(n);
  }
  if (DECLARING_WORD.test(script)) {
    // Names are separated by blanks, never by nothing: `(?:NAME\s*)+` could split one long name in
    // 2^n ways, and `export A_LONG_NAME=x` (no terminator after the name) tried them all (issue 14).
    const exported = /\b(?:export|local|readonly|declare|typeset)\s+([A-Za-z_]\w*(?:[ \t]+[A-Za-z_]\w*)*)[ \t]*(?:$|[;&|\n])/gm;
    for (let m = exported.exec(script); m; m = exported.exec(script)) for (const n of m[1].trim().split(/\s+/)) names.add(n);
  }
  return names;
}


const QUOTED = 1;
const COMMENT = 2;

/** Whether the line starting at `start` is a whole-line comment (`#` after spaces and tabs). */
function isCommentLineAt(command: string, start: number): boolean {
  let i = start;
  // The original test looked at most 200 characters ahead; a comment past that much indentation stays code.
  const limit = Math.min(command.length, start + 200);
  while (i < limit && (command.charCodeAt(i) === 0x20 || command.charCodeAt(i) === 0x09)) i++;
  return i < limit && command.charCodeAt(i) === 0x23;
}

let maskScratch = new Uint8Array(1024);

/**
 * Marks the characters of a command that are single-quoted or escaped (where `$NAME` is literal) and
 * those in whole-line comments (where nothing needs a value). The mask is valid until the next call.
 */
function literalMask(command: string): Uint8Array {
  // One scratch buffer, cleared per command: allocating a typed array per command showed in profiles.
  if (maskScratch.length < command.length) maskScratch = new Uint8Array(Math.max(command.length, 2 * maskScratch.length));
  const mask = maskScratch;
  mask.fill(0, 0, command.length);
  let inSingle = false;
  let inDouble = false;
  let lineStart = true;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (lineStart && !inSingle && !inDouble && isCommentLineAt(command, i)) {
      while (i < command.length && command[i] !== '\n') mask[i++] = COMMENT;
      continue;
    }
    lineStart = c === '\n';
    if (inSingle) {
      mask[i] = QUOTED;
      if (c === "'") inSingle = false;
    } else if (c === '\\') {
      mask[i] = QUOTED;
      if (i + 1 < command.length) mask[++i] = QUOTED;
    } else if (c === "'" && !inDouble) {
      inSingle = true;
      mask[i] = QUOTED;
    } else if (c === '"') {
      inDouble = !inDouble;
    }
  }
  return mask;
}

function lookupVariable(name: string, variables: Readonly<Record<string, VariableSpec>>): string | undefined {
  if (Object.prototype.hasOwnProperty.call(variables, name)) return name;
  const normalized = name.toLowerCase().replace(/[\s-]+/g, '_');
  for (const key of Object.keys(variables)) {
    if (key.toLowerCase().replace(/[\s-]+/g, '_') === normalized) return key;
  }
  return undefined;
}

function add(found: Map<string, Placeholder>, name: string, syntax: PlaceholderSyntax, token: string, variable: string | undefined): void {
  const key = `${syntax}\0${name}`;
  const existing = found.get(key);
  if (existing) {
    if (!existing.tokens.includes(token)) existing.tokens.push(token);
    return;
  }
  found.set(key, variable === undefined ? { name, syntax, tokens: [token] } : { name, syntax, tokens: [token], variable });
}

/**
 * The placeholders in one step's commands. `assignedBefore` holds the shell names earlier steps of the
 * runbook assign; names the step itself assigns before using them are not placeholders either.
 */
export function findPlaceholders(
  commands: readonly string[],
  variables: Readonly<Record<string, VariableSpec>>,
  assignedBefore: ReadonlySet<string>,
): Placeholder[] {
  return findPlaceholdersAndAssignments(commands, variables, new Set(assignedBefore));
}

/**
 * {@link findPlaceholders} for a runbook read step by step: `assigned` holds the names earlier steps
 * assign and receives the names these commands assign, so each command is scanned for assignments once.
 */
export function findPlaceholdersAndAssignments(
  commands: readonly string[],
  variables: Readonly<Record<string, VariableSpec>>,
  assigned: Set<string>,
): Placeholder[] {
  const found = new Map<string, Placeholder>();
  for (const command of commands) {
    const assignedHere = assignedShellNames(command);
    // Every placeholder form needs one of these characters; most commands have none and skip the scan.
    if (command.indexOf('$') !== -1 || command.indexOf('<') !== -1 || command.indexOf('{') !== -1) {
      collectPlaceholders(command, variables, assigned, assignedHere, found);
    }
    for (const name of assignedHere) assigned.add(name);
  }
  return [...found.values()];
}

function collectPlaceholders(
  command: string,
  variables: Readonly<Record<string, VariableSpec>>,
  assigned: ReadonlySet<string>,
  assignedHere: ReadonlySet<string>,
  found: Map<string, Placeholder>,
): void {
  // The mask is only read where a pattern matched; most commands never need it built.
  let mask: Uint8Array | undefined;
  const maskAt = (offset: number): number => (mask ??= literalMask(command))[offset];
  const hits: { offset: number; name: string; syntax: PlaceholderSyntax; token: string; variable?: string }[] = [];
  ANGLE.lastIndex = 0;
  for (let m = ANGLE.exec(command); m; m = ANGLE.exec(command)) {
    // `<<EOF`, `<(cmd)` and `<file >out` never match: the name must follow `<` directly and not end in a space.
    if (maskAt(m.index) === COMMENT || (m.index > 0 && command[m.index - 1] === '<')) continue;
    hits.push({ offset: m.index, name: m[1], syntax: 'angle', token: m[0], variable: lookupVariable(m[1], variables) });
  }
  MUSTACHE.lastIndex = 0;
  for (let m = MUSTACHE.exec(command); m; m = MUSTACHE.exec(command)) {
    // Go templates (`{{ .status }}`, `{{range …}}`) are never placeholders; only declared names are.
    if (!Object.prototype.hasOwnProperty.call(variables, m[1]) || maskAt(m.index) === COMMENT) continue;
    hits.push({ offset: m.index, name: m[1], syntax: 'mustache', token: m[0], variable: m[1] });
  }
  DOLLAR.lastIndex = 0;
  for (let m = DOLLAR.exec(command); m; m = DOLLAR.exec(command)) {
    const name = m[1] ?? m[2];
    const declared = Object.prototype.hasOwnProperty.call(variables, name);
    // Alert-label style variables: upper case, not a well-known environment variable, never set before use.
    // (Checked before the quoting mask, which most `$name`s then never need.)
    if (!declared && (assigned.has(name) || ENVIRONMENT_NAMES.has(name) || !UPPER_NAME.test(name))) continue;
    if (maskAt(m.index) !== 0) continue;
    if (declared) {
      hits.push({ offset: m.index, name, syntax: 'dollar', token: m[0], variable: name });
      continue;
    }
    if (assignedHere.has(name) && assignedShellNames(command.slice(0, m.index)).has(name)) continue;
    hits.push({ offset: m.index, name, syntax: 'dollar', token: m[0] });
  }
  hits.sort((a, b) => a.offset - b.offset);
  for (const hit of hits) add(found, hit.name, hit.syntax, hit.token, hit.variable);
}
