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

export type PlaceholderSyntax = 'angle' | 'dollar' | 'mustache';

export interface Placeholder {
  /** The name as written: `namespace`, `cluster ID`, `NAMESPACE`. */
  name: string;
  syntax: PlaceholderSyntax;
  /** The exact text in the command that a value replaces, e.g. `<namespace>`, `${NS}`, `{{ namespace }}`. */
  tokens: string[];
  /** The front-matter variable this placeholder is bound to, when one is declared. */
  variable?: string;
}

const ANGLE = /<([A-Za-z][A-Za-z0-9_.\- ]*[A-Za-z0-9_]|[A-Za-z])>/g;
const MUSTACHE = /\{\{\s*([A-Za-z_][\w-]*)\s*\}\}/g;
const DOLLAR = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Variables every shell or CI environment already has; never asked for. */
const ENVIRONMENT_NAMES: ReadonlySet<string> = new Set([
  'HOME', 'PATH', 'USER', 'LOGNAME', 'PWD', 'OLDPWD', 'SHELL', 'TERM', 'LANG', 'LC_ALL', 'HOSTNAME', 'HOST',
  'UID', 'EUID', 'PPID', 'RANDOM', 'SECONDS', 'LINENO', 'IFS', 'TMPDIR', 'EDITOR', 'VISUAL', 'PAGER', 'DISPLAY',
  'KUBECONFIG', 'BASH', 'BASH_SOURCE', 'BASH_VERSION', 'ZSH_VERSION', 'PS1', 'PS2', 'PIPESTATUS', 'OSTYPE',
  'HOSTTYPE', 'MACHTYPE', 'XDG_CONFIG_HOME', 'XDG_RUNTIME_DIR', 'SSH_AUTH_SOCK', 'GOPATH', 'JAVA_HOME', 'CI',
]);

/**
 * Names a shell snippet assigns: `NAME=`, `export NAME=`, `for NAME in`, `read NAME`, `local NAME`.
 * Over-matching is harmless (one prompt fewer); under-matching would ask for a value the script sets itself.
 */
export function assignedShellNames(script: string): Set<string> {
  const names = new Set<string>();
  const assignment = /(?:^|[\s;&|(`])(?:(?:export|local|readonly|declare|typeset)\s+(?:-\w+\s+)*)?([A-Za-z_][A-Za-z0-9_]*)\+?=/g;
  for (let m = assignment.exec(script); m; m = assignment.exec(script)) names.add(m[1]);
  const loop = /\b(?:for|select)\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b/g;
  for (let m = loop.exec(script); m; m = loop.exec(script)) names.add(m[1]);
  const read = /\bread\s+((?:-[a-zA-Z]+\s+(?:\S+\s+)?)*)([A-Za-z_][A-Za-z0-9_ ]*)/g;
  for (let m = read.exec(script); m; m = read.exec(script)) for (const n of m[2].trim().split(/\s+/)) names.add(n);
  const exported = /\b(?:export|local|readonly|declare|typeset)\s+((?:[A-Za-z_][A-Za-z0-9_]*\s*)+)(?:$|[;&|\n])/gm;
  for (let m = exported.exec(script); m; m = exported.exec(script)) for (const n of m[1].trim().split(/\s+/)) names.add(n);
  return names;
}

/**
 * Marks which characters of a command are inside single quotes (where `$NAME` is literal) or in a
 * whole-line comment (where nothing needs a value).
 */
function literalMask(command: string): Uint8Array {
  const mask = new Uint8Array(command.length);
  let inSingle = false;
  let inDouble = false;
  let lineStart = true;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (lineStart && !inSingle && !inDouble) {
      let j = i;
      while (j < command.length && (command[j] === ' ' || command[j] === '\t')) j++;
      if (command[j] === '#') {
        while (i < command.length && command[i] !== '\n') mask[i++] = 1;
        lineStart = true;
        continue;
      }
    }
    lineStart = c === '\n';
    if (inSingle) {
      mask[i] = 1;
      if (c === "'") inSingle = false;
      continue;
    }
    if (c === '\\' && !inSingle) {
      mask[i] = 1;
      if (i + 1 < command.length) mask[++i] = 1;
      continue;
    }
    if (c === "'" && !inDouble) {
      inSingle = true;
      mask[i] = 1;
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
  const found = new Map<string, Placeholder>();
  const assigned = new Set(assignedBefore);
  for (const command of commands) {
    const mask = literalMask(command);
    for (const line of command.split('\n')) {
      if (/^\s*#/.test(line)) continue;
      ANGLE.lastIndex = 0;
      for (let m = ANGLE.exec(line); m; m = ANGLE.exec(line)) {
        // `<<EOF`, `<(cmd)` and `<file >out` redirections never match: the name must follow `<` directly.
        if (m.index > 0 && line[m.index - 1] === '<') continue;
        add(found, m[1], 'angle', m[0], lookupVariable(m[1], variables));
      }
      MUSTACHE.lastIndex = 0;
      for (let m = MUSTACHE.exec(line); m; m = MUSTACHE.exec(line)) {
        // Go templates (`{{ .status }}`, `{{range …}}`) are never placeholders; only declared names are.
        const variable = lookupVariable(m[1], variables);
        if (variable !== undefined && variable === m[1]) add(found, m[1], 'mustache', m[0], variable);
      }
    }
    // Walk the command in order so `NS=x; echo $NS` does not ask for NS.
    DOLLAR.lastIndex = 0;
    const localAssigned = assignedShellNames(command);
    for (let m = DOLLAR.exec(command); m; m = DOLLAR.exec(command)) {
      if (mask[m.index]) continue;
      const name = m[1] ?? m[2];
      const variable = lookupVariable(name, variables);
      if (variable === undefined || variable !== name) {
        if (assigned.has(name) || ENVIRONMENT_NAMES.has(name) || !/^[A-Z][A-Z0-9_]+$/.test(name)) continue;
        if (localAssigned.has(name) && assignedBeforeOffset(command, name, m.index)) continue;
      }
      add(found, name, 'dollar', m[0], variable === name ? variable : undefined);
    }
    for (const name of localAssigned) assigned.add(name);
  }
  return [...found.values()];
}

function assignedBeforeOffset(command: string, name: string, offset: number): boolean {
  return assignedShellNames(command.slice(0, offset)).has(name);
}
