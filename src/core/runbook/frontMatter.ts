import * as jsYaml from 'js-yaml';
import { readYamlSubset } from '../text/yamlSubset';
import type { Problem } from '../text/fileText';
import type { VariableSpec } from './placeholders';

/** The runbook fields front matter may set; everything else in it is kept out of the index. */
export interface RunbookMetadata {
  title?: string;
  services: string[];
  owner?: string;
  tags: string[];
  alerts: string[];
  lastReviewed?: string;
  reviewEvery?: string;
  variables: Record<string, VariableSpec>;
}

export interface FrontMatter {
  metadata: RunbookMetadata;
  /** Number of lines the front matter block takes, fences included (0 when there is none). */
  lineCount: number;
  /**
   * A Runme notebook: the front matter has Runme's `runme:` key (a notebook Runme saved) or its
   * document-level `shell:`; its code blocks are cells.
   */
  runmeNotebook?: boolean;
  /** Runme's document-level settings: the program shell cells run in (`shell: dagger shell`) and their folder (`cwd: ..`). */
  notebook?: { shell?: string; cwd?: string };
  problems: Problem[];
}

const FENCE = /^---[ \t]*$/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*$/;

function emptyMetadata(): RunbookMetadata {
  return { services: [], tags: [], alerts: [], variables: {} };
}

/** Line (1-based) of `key:` at the top level of the front matter, for precise problems. */
function keyLine(lines: readonly string[], key: string): number {
  const i = lines.findIndex((l) => l.startsWith(`${key}:`));
  return i === -1 ? 1 : i + 2;
}

function scalarString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return undefined;
}

function stringList(value: unknown, key: string, lines: readonly string[], problems: Problem[]): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value) {
      const s = scalarString(item);
      if (s === undefined) {
        problems.push({ line: keyLine(lines, key), severity: 'warning', message: `Front matter \`${key}\` should be a list of names; an item that is not text was ignored.` });
      } else out.push(s);
    }
    return out;
  }
  problems.push({ line: keyLine(lines, key), severity: 'warning', message: `Front matter \`${key}\` should be a list such as [a, b]; it was ignored.` });
  return [];
}

function parseVariables(value: unknown, lines: readonly string[], problems: Problem[]): Record<string, VariableSpec> {
  const variables: Record<string, VariableSpec> = {};
  if (value === undefined || value === null) return variables;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ line: keyLine(lines, 'variables'), severity: 'warning', message: 'Front matter `variables` should be a mapping of name to { description, default, choices }; it was ignored.' });
    return variables;
  }
  for (const [name, spec] of Object.entries(value as Record<string, unknown>)) {
    const shorthand = scalarString(spec);
    if (shorthand !== undefined) {
      variables[name] = { default: shorthand };
      continue;
    }
    if (spec === null || spec === undefined) {
      variables[name] = {};
      continue;
    }
    if (typeof spec !== 'object' || Array.isArray(spec)) {
      problems.push({ line: keyLine(lines, 'variables'), severity: 'warning', message: `Variable \`${name}\` should be a mapping such as { description: …, default: … }.` });
      continue;
    }
    const raw = spec as Record<string, unknown>;
    const out: VariableSpec = {};
    const description = scalarString(raw.description);
    if (description !== undefined) out.description = description;
    const def = scalarString(raw.default);
    if (def !== undefined) out.default = def;
    if (Array.isArray(raw.choices)) out.choices = raw.choices.map(scalarString).filter((c): c is string => c !== undefined);
    if (raw.secret === true) out.secret = true;
    variables[name] = out;
  }
  return variables;
}

/**
 * js-yaml's reading of front matter. A key set twice is a warning, not an error: the site generators
 * (Ruby's Psych for Middleman and Jekyll, Python's PyYAML for MkDocs) keep the last value, so we do too.
 */
function loadFrontMatterYaml(yaml: string, body: readonly string[], problems: Problem[]): unknown {
  try {
    return jsYaml.load(yaml, { schema: jsYaml.CORE_SCHEMA });
  } catch (err) {
    const e = err as { mark?: { line: number }; reason?: string };
    if (e.reason !== 'duplicated mapping key' || e.mark === undefined) throw err;
    const data = jsYaml.load(yaml, { schema: jsYaml.CORE_SCHEMA, json: true });
    // Indent and key of a `key:` line, so the first setting is found at the same depth.
    const keyOf = (line: string): [string, string] | undefined => {
      const m = /^(\s*)([^\s:#][^:#]*):(?:\s|$)/.exec(line);
      return m ? [m[1], m[2].trimEnd()] : undefined;
    };
    const key = keyOf(body[e.mark.line] ?? '');
    const first = key ? body.findIndex((line) => keyOf(line)?.join('\0') === key.join('\0')) : -1;
    problems.push({
      line: e.mark.line + 2,
      severity: 'warning',
      message: key
        ? `Front matter sets \`${key[1]}\` twice${first !== -1 && first !== e.mark.line ? ` (lines ${first + 2} and ${e.mark.line + 2})` : ''}; the last value is the one used. Remove the line you did not mean.`
        : `Front matter sets a key twice; the last value is the one used. Remove the line you did not mean.`,
    });
    return data;
  }
}

/**
 * Reads the YAML front matter at the top of a runbook. js-yaml is used here because it is an order of
 * magnitude faster than the `yaml` package (README, Performance) and front matter is never edited in place.
 */
export function parseFrontMatter(lines: readonly string[]): FrontMatter {
  if (lines.length === 0 || !FENCE.test(lines[0])) return { metadata: emptyMetadata(), lineCount: 0, problems: [] };
  let close = -1;
  for (let i = 1; i < lines.length; i++) {
    if (CLOSE.test(lines[i])) {
      close = i;
      break;
    }
  }
  if (close === -1) {
    return {
      metadata: emptyMetadata(),
      lineCount: 0,
      problems: [{ line: 1, severity: 'error', message: 'Front matter opened with `---` on line 1 is never closed, so it was ignored. Add a line with `---` after the last front-matter field.' }],
    };
  }
  const body = lines.slice(1, close);
  const problems: Problem[] = [];
  const metadata = emptyMetadata();
  let data: unknown;
  try {
    const yaml = body.join('\n');
    // Front matter is nearly always plain YAML the subset reader gives js-yaml's exact value for, several times faster.
    data = readYamlSubset(yaml, body)?.value ?? loadFrontMatterYaml(yaml, body, problems);
  } catch (err) {
    const e = err as { mark?: { line: number; column: number }; reason?: string; message: string };
    problems.push({
      line: (e.mark?.line ?? 0) + 2,
      column: e.mark ? e.mark.column + 1 : undefined,
      severity: 'error',
      message: `Front matter is not valid YAML: ${e.reason ?? e.message}. The rest of the runbook is still read.`,
    });
    return { metadata, lineCount: close + 1, problems };
  }
  if (data === null || data === undefined) return { metadata, lineCount: close + 1, problems };
  if (typeof data !== 'object' || Array.isArray(data)) {
    problems.push({ line: 2, severity: 'error', message: 'Front matter should be a YAML mapping (key: value lines); it was ignored.' });
    return { metadata, lineCount: close + 1, problems };
  }
  const fm = data as Record<string, unknown>;
  const title = scalarString(fm.title);
  if (title !== undefined && title.trim()) metadata.title = title.trim();
  metadata.services = stringList(fm.services ?? fm.service, fm.services !== undefined ? 'services' : 'service', body, problems);
  const owner = scalarString(fm.owner);
  if (owner !== undefined) metadata.owner = owner;
  metadata.tags = stringList(fm.tags, 'tags', body, problems);
  metadata.alerts = stringList(fm.alerts, 'alerts', body, problems);
  const lastReviewed = scalarString(fm.last_reviewed);
  if (lastReviewed !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}/.test(lastReviewed) || Number.isNaN(Date.parse(lastReviewed))) {
      problems.push({ line: keyLine(body, 'last_reviewed'), severity: 'warning', message: `\`last_reviewed: ${lastReviewed}\` is not a date; write it as YYYY-MM-DD.` });
    } else metadata.lastReviewed = lastReviewed.slice(0, 10);
  }
  const reviewEvery = scalarString(fm.review_every);
  if (reviewEvery !== undefined) {
    if (!/^\d+[dwmy]$/.test(reviewEvery)) {
      problems.push({ line: keyLine(body, 'review_every'), severity: 'warning', message: `\`review_every: ${reviewEvery}\` is not an interval; write it like 90d, 12w, 6m or 1y.` });
    } else metadata.reviewEvery = reviewEvery;
  }
  metadata.variables = parseVariables(fm.variables, body, problems);
  const shell = scalarString(fm.shell)?.trim();
  const cwd = scalarString(fm.cwd)?.trim();
  const notebook = { ...(shell ? { shell } : {}), ...(cwd ? { cwd } : {}) };
  return {
    metadata,
    lineCount: close + 1,
    problems,
    ...(fm.runme !== undefined || shell ? { runmeNotebook: true } : {}),
    ...(shell || cwd ? { notebook } : {}),
  };
}
