// One file on purpose (~460 lines): one reader for every key of `.runbook-ops.yaml`, each with its own
// message and fallback, so a key is added in one place.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { SiteConfig } from './siteLinks';
import { DEFAULT_DESTRUCTIVE_PATTERNS } from '../runbook/stepCommand';
import { escapeRegExp } from '../text/regExpSource';
import { decodeFileText, type Problem } from '../text/fileText';
import { INCIDENT_STATUSES, type IncidentStatus } from './incidentStatuses';
import { closestKnownName } from '../text/nameDistance';
import { DEFAULT_LAYOUT, trimSlashes, type WorkspaceLayout } from './paths';

/**
 * `.runbook-ops.yaml` at the repository root (README, Incident records): what the whole team shares. Personal
 * preferences live in VS Code settings instead.
 */

export const REPO_CONFIG_FILE = '.runbook-ops.yaml';

export interface SeverityLevel {
  /** What records write in `severity:` (SEV2). */
  name: string;
  /** 1 is the worst. */
  rank: number;
  /** CSS colour for badges (#rrggbb). */
  colour: string;
  /** Human-readable name (Major). */
  label: string;
}

export interface RepoConfig {
  /** Sorted by rank, worst first. */
  severities: SeverityLevel[];
  /** `INC-{seq:4}` or `INC-{yyyy}-{seq}`: literal text with `{seq}`, `{seq:N}` (zero-padded) and `{yyyy}`. */
  idFormat: string;
  /** Where new records are written, relative to the repository root, ending in `/`. */
  incidentFolder: string;
  /** Where postmortem drafts are written (`postmortems/<id>.md`), relative to the repository root, ending in `/`. */
  postmortemFolder: string;
  /** Display names of the statuses. */
  statusLabels: Record<IncidentStatus, string>;
  /** Default review interval of runbooks without `review_every` (90d, 12w, 6m, 1y). */
  reviewInterval: string;
  /** Regular expression sources (case-insensitive) of commands that need a confirmation. */
  destructivePatterns: string[];
  runbookInclude: string[];
  runbookExclude: string[];
  incidentInclude: string[];
  /** Documentation sites whose pages are runbooks; undefined: detected from the generators' files. */
  sites?: SiteConfig[];
  /** `alert_severities`: an alert's `severity` label (lower-cased) → a severity name, for Declare from Alert. */
  alertSeverities: Record<string, string>;
}

export interface RepoConfigParse {
  config: RepoConfig;
  /** Problems in `.runbook-ops.yaml`; each bad value falls back to its default. */
  problems: Problem[];
}

export const DEFAULT_SEVERITIES: readonly SeverityLevel[] = [
  { name: 'SEV1', rank: 1, colour: '#d73a49', label: 'Critical' },
  { name: 'SEV2', rank: 2, colour: '#e36209', label: 'Major' },
  { name: 'SEV3', rank: 3, colour: '#dbab09', label: 'Minor' },
  { name: 'SEV4', rank: 4, colour: '#0366d6', label: 'Low' },
];

const DEFAULT_STATUS_LABELS: Record<IncidentStatus, string> = {
  triage: 'Triage',
  acknowledged: 'Acknowledged',
  investigating: 'Investigating',
  mitigated: 'Mitigated',
  resolved: 'Resolved',
  closed: 'Closed',
  cancelled: 'Cancelled',
};

const DEFAULT_INCIDENT_FOLDER = 'incidents/';

export const DEFAULT_REPO_CONFIG: RepoConfig = {
  severities: DEFAULT_SEVERITIES.map((s) => ({ ...s })),
  idFormat: 'INC-{seq:4}',
  incidentFolder: DEFAULT_INCIDENT_FOLDER,
  postmortemFolder: 'postmortems/',
  statusLabels: { ...DEFAULT_STATUS_LABELS },
  reviewInterval: '90d',
  destructivePatterns: [...DEFAULT_DESTRUCTIVE_PATTERNS],
  runbookInclude: [...DEFAULT_LAYOUT.runbookInclude],
  runbookExclude: [...DEFAULT_LAYOUT.runbookExclude],
  incidentInclude: [...DEFAULT_LAYOUT.incidentInclude],
  alertSeverities: {},
};

const CONFIG_KEYS = [
  'severities', 'id_format', 'incident_folder', 'postmortem_folder', 'status_labels', 'review_interval', 'destructive_patterns',
  'destructive_patterns_replace_defaults',
  'runbook_include', 'runbook_exclude', 'incident_include', 'sites', 'alert_severities',
] as const;

const FALLBACK_COLOURS = ['#d73a49', '#e36209', '#dbab09', '#0366d6', '#6f42c1', '#6a737d'];

function freshDefaults(): RepoConfig {
  return {
    ...DEFAULT_REPO_CONFIG,
    severities: DEFAULT_SEVERITIES.map((s) => ({ ...s })),
    statusLabels: { ...DEFAULT_STATUS_LABELS },
    destructivePatterns: [...DEFAULT_DESTRUCTIVE_PATTERNS],
    runbookInclude: [...DEFAULT_REPO_CONFIG.runbookInclude],
    runbookExclude: [...DEFAULT_REPO_CONFIG.runbookExclude],
    incidentInclude: [...DEFAULT_REPO_CONFIG.incidentInclude],
    alertSeverities: {},
  };
}

/**
 * An id format split into literal text and `{…}` placeholders, in order. A loop: `/\{[^}]*\}/g`
 * scans to the end from every `{` of a format that never closes one.
 */
function idFormatParts(format: string): { text: string; placeholder: boolean }[] {
  const parts: { text: string; placeholder: boolean }[] = [];
  let literal = 0;
  for (let open = format.indexOf('{'); open !== -1;) {
    const close = format.indexOf('}', open + 1);
    if (close === -1) break;
    if (open > literal) parts.push({ text: format.slice(literal, open), placeholder: false });
    parts.push({ text: format.slice(open, close + 1), placeholder: true });
    literal = close + 1;
    open = format.indexOf('{', literal);
  }
  if (literal < format.length) parts.push({ text: format.slice(literal), placeholder: false });
  return parts;
}

/** Checks an id format; returns why it is unusable, or undefined when it is fine. */
export function idFormatProblem(format: string): string | undefined {
  const parts = idFormatParts(format);
  const tokens = parts.filter((p) => p.placeholder).map((p) => p.text);
  const unknown = tokens.find((t) => !/^\{(seq(:\d{1,2})?|yyyy)\}$/.test(t));
  if (unknown) return `\`${unknown}\` is not a placeholder Runbook Ops knows; use {seq}, {seq:4} or {yyyy}.`;
  const seqs = tokens.filter((t) => t.startsWith('{seq')).length;
  if (seqs !== 1) return 'An id format needs exactly one {seq} or {seq:N} (the sequence number), e.g. INC-{seq:4}.';
  if (parts.some((p) => !p.placeholder && /[/\\\s]/.test(p.text))) return 'An id becomes a file name, so it cannot contain spaces or slashes.';
  return undefined;
}

/**
 * Reads `.runbook-ops.yaml`. Never throws: a missing file gives the defaults, and every bad value is a
 * problem (with its line) and falls back to its default, so one typo never stops the extension.
 */
export function parseRepoConfig(content: string | Uint8Array | undefined): RepoConfigParse {
  const config = freshDefaults();
  const problems: Problem[] = [];
  if (content === undefined) return { config, problems };
  const decoded = decodeFileText(content);
  problems.push(...decoded.problems);
  if (decoded.binary) return { config, problems };
  const lineCounter = new LineCounter();
  const doc = parseDocument(decoded.text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (node: YamlNode | null | undefined, severity: Problem['severity'], message: string): void => {
    const range = node?.range;
    if (!range) {
      problems.push({ line: 1, severity, message });
      return;
    }
    const start = lineCounter.linePos(range[0]);
    const end = lineCounter.linePos(range[1]);
    problems.push({ line: start.line, column: start.col, endLine: end.line, endColumn: end.col, severity, message });
  };
  for (const error of doc.errors) {
    const pos = lineCounter.linePos(error.pos[0]);
    problems.push({ line: pos.line, column: pos.col, severity: 'error', message: `${REPO_CONFIG_FILE} is not valid YAML: ${error.message}. The defaults are used until it is fixed.` });
  }
  if (doc.errors.length > 0) return { config, problems };
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { config, problems };
  if (!isMap(root)) {
    at(root, 'error', `${REPO_CONFIG_FILE} should be a mapping of settings (severities:, id_format:, …); the defaults are used.`);
    return { config, problems };
  }

  // A repository's destructive patterns add to the defaults, unless it says they replace them: a list
  // written for one team's tools must not silently stop `rm -fr` or `mkfs` being confirmed.
  const repoPatterns: string[] = [];
  let replaceDefaultPatterns = false;
  let alertSeverities: YamlNode | undefined;
  for (const pair of root.items) {
    const keyNode = pair.key as YamlNode | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const value = pair.value as YamlNode | null;
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      const guess = closestKnownName(key, CONFIG_KEYS);
      at(keyNode, 'warning', `Unknown setting \`${key}\` is ignored.${guess ? ` Did you mean \`${guess}\`?` : ` Known settings: ${CONFIG_KEYS.join(', ')}.`}`);
      continue;
    }
    if (value === null || (isScalar(value) && value.value === null)) continue;
    switch (key) {
      case 'severities':
        readSeverities(value, config, at);
        break;
      case 'id_format': {
        const format = isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
        const why = format === undefined ? 'id_format should be text such as "INC-{seq:4}".' : idFormatProblem(format);
        if (why) at(value, 'error', `${why} The default INC-{seq:4} is used.`);
        else config.idFormat = format!;
        break;
      }
      case 'incident_folder':
      case 'postmortem_folder': {
        const folder = isScalar(value) && typeof value.value === 'string' ? value.value.trim().replace(/^\.\//, '') : '';
        const fallback = key === 'incident_folder' ? DEFAULT_INCIDENT_FOLDER : DEFAULT_REPO_CONFIG.postmortemFolder;
        if (!folder || folder.startsWith('/') || folder.split('/').includes('..')) {
          at(value, 'error', `${key} should be a folder inside the repository, such as ${fallback}. The default ${fallback} is used.`);
        } else {
          const withSlash = folder.endsWith('/') ? folder : `${folder}/`;
          if (key === 'incident_folder') config.incidentFolder = withSlash;
          else config.postmortemFolder = withSlash;
        }
        break;
      }
      case 'status_labels':
        readStatusLabels(value, config, at);
        break;
      case 'alert_severities':
        alertSeverities = value; // read once the severities are known, wherever they are in the file
        break;
      case 'review_interval': {
        const interval = isScalar(value) ? String(value.value) : '';
        if (!/^\d+[dwmy]$/.test(interval)) at(value, 'error', 'review_interval should be a number and a unit, like 90d, 12w, 6m or 1y. The default 90d is used.');
        else config.reviewInterval = interval;
        break;
      }
      case 'destructive_patterns_replace_defaults':
        if (!isScalar(value) || typeof value.value !== 'boolean') at(value, 'error', 'destructive_patterns_replace_defaults should be true or false. The repository\'s patterns are added to the defaults.');
        else replaceDefaultPatterns = value.value;
        break;
      case 'destructive_patterns': {
        const patterns = stringList(value, key, at);
        if (!patterns) break;
        for (const { text, node } of patterns) {
          try {
            new RegExp(text, 'i');
            if (!repoPatterns.includes(text)) repoPatterns.push(text);
          } catch (err) {
            at(node, 'error', `This pattern is not a valid regular expression (${(err as Error).message}); it is ignored. Quote it with single quotes so backslashes stay as written.`);
          }
        }
        break;
      }
      case 'sites':
        config.sites = readSites(value, at);
        break;
      case 'runbook_include':
      case 'runbook_exclude':
      case 'incident_include': {
        const globs = stringList(value, key, at);
        if (!globs) break;
        const list = globs.map((g) => g.text);
        if (key === 'runbook_include') config.runbookInclude = list;
        else if (key === 'runbook_exclude') config.runbookExclude = list;
        else config.incidentInclude = list;
        break;
      }
    }
  }
  if (alertSeverities) readAlertSeverities(alertSeverities, config, at);
  config.destructivePatterns = replaceDefaultPatterns
    ? repoPatterns
    : [...DEFAULT_DESTRUCTIVE_PATTERNS, ...repoPatterns.filter((pattern) => !DEFAULT_DESTRUCTIVE_PATTERNS.includes(pattern))];
  // New records must be found again: a custom folder joins the incident globs unless they were set.
  const hasIncidentGlobs = root.items.some((p) => isScalar(p.key) && p.key.value === 'incident_include');
  if (!hasIncidentGlobs && config.incidentFolder !== DEFAULT_INCIDENT_FOLDER) {
    config.incidentInclude = [...config.incidentInclude, `${config.incidentFolder}**/*.{yaml,yml}`];
  }
  problems.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
  return { config, problems };
}

type ProblemAt = (node: YamlNode | null | undefined, severity: Problem['severity'], message: string) => void;

/** `sites: [{ pages: source, unchecked: [/api/**] }]`: where a documentation site's pages live. */
function readSites(value: YamlNode, at: ProblemAt): SiteConfig[] | undefined {
  if (!isSeq(value)) {
    at(value, 'error', 'sites should be a list of { pages: <folder>, unchecked: [<site paths>] }; sites are detected instead.');
    return undefined;
  }
  const sites: SiteConfig[] = [];
  for (const item of value.items as YamlNode[]) {
    const pagesNode = isMap(item) ? (item.get('pages', true) as YamlNode | undefined) : item;
    const pages = isScalar(pagesNode) && typeof pagesNode.value === 'string' ? pagesNode.value.trim().replace(/^\.\/?/, '') : undefined;
    if (pages === undefined || pages.startsWith('/') || pages.split('/').includes('..')) {
      at(pagesNode ?? item, 'error', 'Each site needs `pages:`, the folder inside the repository its pages live in (such as source or docs); this one is ignored.');
      continue;
    }
    const site: SiteConfig = { pages: trimSlashes(pages, { leading: false }), unchecked: [] };
    if (isMap(item)) {
      for (const pair of item.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        if (!['pages', 'unchecked', 'generator'].includes(key)) at(pair.key as YamlNode, 'warning', `Unknown site setting \`${key}\` is ignored; a site has pages, unchecked and generator.`);
      }
      const unchecked = item.get('unchecked', true) as YamlNode | undefined;
      if (unchecked !== undefined && unchecked !== null) site.unchecked = stringList(unchecked, 'unchecked', at)?.map((u) => u.text) ?? [];
      const generator = item.get('generator');
      if (typeof generator === 'string') site.generator = generator;
    }
    sites.push(site);
  }
  return sites;
}

function stringList(value: YamlNode, key: string, at: ProblemAt): { text: string; node: YamlNode }[] | undefined {
  if (!isSeq(value)) {
    at(value, 'error', `${key} should be a list (one "- item" per line); the default is used.`);
    return undefined;
  }
  const out: { text: string; node: YamlNode }[] = [];
  for (const item of value.items as YamlNode[]) {
    if (isScalar(item) && (typeof item.value === 'string' || typeof item.value === 'number')) out.push({ text: String(item.value), node: item });
    else at(item, 'error', `Each entry of ${key} should be text; this one is ignored.`);
  }
  return out;
}

function readSeverities(value: YamlNode, config: RepoConfig, at: ProblemAt): void {
  if (!isSeq(value)) {
    at(value, 'error', 'severities should be a list of { name, rank, colour, label }; the default SEV1..SEV4 is used.');
    return;
  }
  const levels: SeverityLevel[] = [];
  const names = new Set<string>();
  const ranks = new Set<number>();
  for (const item of value.items as YamlNode[]) {
    if (isScalar(item) && typeof item.value === 'string' && item.value.trim()) {
      // Shorthand: a bare name, ranked by position.
      levels.push({ name: item.value.trim(), rank: levels.length + 1, colour: FALLBACK_COLOURS[Math.min(levels.length, FALLBACK_COLOURS.length - 1)], label: item.value.trim() });
      continue;
    }
    if (!isMap(item)) {
      at(item, 'error', 'Each severity should be a mapping such as { name: SEV1, rank: 1, colour: "#d73a49", label: Critical }; this one is ignored.');
      continue;
    }
    const field = (name: string): YamlNode | undefined => item.get(name, true) as YamlNode | undefined;
    for (const pair of item.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!['name', 'rank', 'colour', 'color', 'label'].includes(k)) {
        const guess = closestKnownName(k, ['name', 'rank', 'colour', 'label']);
        at(pair.key as YamlNode, 'warning', `Unknown severity field \`${k}\` is ignored.${guess ? ` Did you mean \`${guess}\`?` : ''}`);
      }
    }
    const nameNode = field('name');
    const name = isScalar(nameNode) && nameNode.value !== null ? String(nameNode.value).trim() : '';
    if (!name) {
      at(item, 'error', 'This severity has no `name` (what records write, e.g. SEV1); it is ignored.');
      continue;
    }
    if (names.has(name)) {
      at(nameNode, 'error', `Severity ${name} is listed twice; the second one is ignored.`);
      continue;
    }
    const rankNode = field('rank');
    let rank = levels.length + 1;
    if (rankNode !== undefined) {
      const raw = isScalar(rankNode) ? rankNode.value : undefined;
      if (typeof raw === 'number' && Number.isInteger(raw) && raw > 0) rank = raw;
      else at(rankNode, 'error', `The rank of ${name} should be a whole number from 1 (worst); its position (${rank}) is used.`);
    }
    if (ranks.has(rank)) at(rankNode ?? nameNode, 'warning', `Another severity already has rank ${rank}; ranks order severities, so give each its own.`);
    const colourNode = field('colour') ?? field('color');
    let colour = FALLBACK_COLOURS[Math.min(levels.length, FALLBACK_COLOURS.length - 1)];
    if (colourNode !== undefined) {
      const raw = isScalar(colourNode) ? String(colourNode.value) : '';
      if (/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(raw)) colour = raw;
      else at(colourNode, 'warning', `The colour of ${name} should be a hex colour in quotes, such as "#d73a49" (unquoted, # starts a comment).`);
    }
    const labelNode = field('label');
    const label = isScalar(labelNode) && labelNode.value !== null ? String(labelNode.value) : name;
    names.add(name);
    ranks.add(rank);
    levels.push({ name, rank, colour, label });
  }
  if (levels.length === 0) {
    at(value, 'error', 'severities lists no usable severity; the default SEV1..SEV4 is used.');
    return;
  }
  config.severities = levels.sort((a, b) => a.rank - b.rank);
}

/** `alert_severities: { critical: SEV1, warning: SEV3 }`: which severity an alert's `severity` label declares. */
function readAlertSeverities(value: YamlNode, config: RepoConfig, at: ProblemAt): void {
  if (!isMap(value)) {
    at(value, 'error', 'alert_severities should be a mapping from an alert\'s severity label to a severity, such as { critical: SEV1, warning: SEV3 }; it is ignored.');
    return;
  }
  const names = config.severities.map((s) => s.name);
  for (const pair of value.items) {
    const label = isScalar(pair.key) ? String(pair.key.value).trim().toLowerCase() : '';
    const severity = isScalar(pair.value) && pair.value.value !== null ? String(pair.value.value).trim() : '';
    if (!label) continue;
    if (!names.includes(severity)) {
      const guess = closestKnownName(severity, names);
      at((pair.value ?? pair.key) as YamlNode, 'error', `\`${severity}\` is not a severity of this repository, so alerts labelled ${label} are not mapped.${guess ? ` Did you mean \`${guess}\`?` : ''} Severities: ${names.join(', ')}.`);
    } else config.alertSeverities[label] = severity;
  }
}

function readStatusLabels(value: YamlNode, config: RepoConfig, at: ProblemAt): void {
  if (!isMap(value)) {
    at(value, 'error', 'status_labels should be a mapping such as { triage: New, mitigated: Stable }; the defaults are used.');
    return;
  }
  for (const pair of value.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const label = isScalar(pair.value) && pair.value.value !== null ? String(pair.value.value) : '';
    if (!(INCIDENT_STATUSES as readonly string[]).includes(key)) {
      const guess = closestKnownName(key, INCIDENT_STATUSES);
      at(pair.key as YamlNode, 'warning', `\`${key}\` is not a status, so its label is ignored.${guess ? ` Did you mean \`${guess}\`?` : ` Statuses: ${INCIDENT_STATUSES.join(', ')}.`}`);
    } else if (!label) {
      at((pair.value ?? pair.key) as YamlNode, 'warning', `The label of ${key} is empty; the default is used.`);
    } else config.statusLabels[key as IncidentStatus] = label;
  }
}

/** The file layout the config describes, for {@link PathClassifier}. */
export function layoutFromConfig(config: RepoConfig): WorkspaceLayout {
  return { runbookInclude: config.runbookInclude, runbookExclude: config.runbookExclude, incidentInclude: config.incidentInclude };
}

export function severityLevel(config: RepoConfig, name: string): SeverityLevel | undefined {
  return config.severities.find((s) => s.name === name);
}

/**
 * The next free id: one more than the highest sequence number among `existingIds` that follow the
 * format (for `{yyyy}` formats, among this year's ids: the sequence restarts every year, in UTC).
 * Ids in another format are ignored, so a repository can switch formats.
 */
export function allocateIncidentId(config: Pick<RepoConfig, 'idFormat'>, existingIds: Iterable<string>, now: Date): string {
  const format = idFormatProblem(config.idFormat) === undefined ? config.idFormat : DEFAULT_REPO_CONFIG.idFormat;
  const year = String(now.getUTCFullYear()).padStart(4, '0');
  const parts = idFormatParts(format).map((p) => p.text);
  let width = 0;
  const pattern = parts
    .map((part) => {
      if (part === '{yyyy}') return escapeRegExp(year);
      const seq = /^\{seq(?::(\d+))?\}$/.exec(part);
      if (seq) {
        width = seq[1] === undefined ? 0 : Number(seq[1]);
        return '(\\d+)';
      }
      return escapeRegExp(part);
    })
    .join('');
  const matcher = new RegExp(`^${pattern}$`);
  const taken = new Set<string>();
  let highest = 0;
  for (const id of existingIds) {
    taken.add(id);
    const m = matcher.exec(id);
    if (m) highest = Math.max(highest, Number(m[1]));
  }
  const render = (seq: number): string =>
    parts.map((part) => (part === '{yyyy}' ? year : part.startsWith('{seq') ? String(seq).padStart(width, '0') : part)).join('');
  let next = highest + 1;
  while (taken.has(render(next))) next++;
  return render(next);
}
