/**
 * `runbook-ops init` and *Set Up This Repository* (issue 21): what setting a repository up would
 * write, computed from its file list and the files' contents. Pure: the caller lists the files, gives
 * their contents, says where the CLI is and what git config says now; it writes nothing. The plan names
 * each file with what would happen to it (create, update, unchanged, or — for a file a person wrote —
 * a conflict that only an explicit `--force` or a confirmation may overwrite).
 */
import { CODEOWNERS_LOCATIONS, codeownersBlockDifferences, ownerHandles, planCodeowners, readOwnership, renderCodeownersBlock, replaceCodeownersBlock } from './codeowners';
import { fileStem } from '../config/paths';
import { attributesWithDriverLines, MERGE_DRIVER_NAME, mergeDriverAttributeLines } from './mergeDriverAttributes';
import { DEFAULT_LAYOUT, PathClassifier } from '../config/paths';
import { DEFAULT_REPO_CONFIG, layoutFromConfig, parseRepoConfig, REPO_CONFIG_FILE, type RepoConfig } from '../config/repoConfig';
import { detectSites, type SiteConfig } from '../config/siteLinks';
import { textFingerprint } from './textFingerprint';
import { oneLine } from '../text/textOutput';

export const SETUP_WORKFLOW_FILE = '.github/workflows/runbooks.yml';
/** The baseline file `init`'s workflow passes to `check --baseline` when the repository has one. */
export const SETUP_BASELINE_FILE = '.runbook-ops-baseline.txt';
const MARKER_PREFIX = '# Written by runbook-ops init';

export type SetupAction = 'create' | 'update' | 'unchanged' | 'conflict';

export interface PlannedFile {
  /** Relative to the git work tree's root. */
  path: string;
  action: SetupAction;
  /** What would be written (for a conflict: what `--force` writes). */
  content: string;
  /** The file as it is now; undefined when it does not exist. */
  previous?: string;
  /** One line: what the file is for and what changes. */
  summary: string;
}

export interface PlannedGitConfig {
  key: string;
  value: string;
  current?: string;
  action: 'set' | 'unchanged';
}

export interface SetupPlan {
  files: PlannedFile[];
  /** The merge driver in this clone's git config (not a file: never committed). */
  mergeDriver: PlannedGitConfig;
  /** The layout the plan describes (the existing config's, for a config a person wrote). */
  layout: { runbooks: number; incidents: number; runbookInclude: string[]; incidentInclude: string[]; incidentFolder: string; idFormat: string; sites: SiteConfig[] };
  /** Things to do by hand, or worth knowing, that are not a file written. */
  notes: string[];
}

export interface SetupInput {
  /** Files of the runbook repository, relative to its root (where `.runbook-ops.yaml` goes). */
  paths: readonly string[];
  /** The runbook repository's folder inside the git work tree, `/`-separated, '' at its root. */
  prefix: string;
  /** Contents of a file by path relative to the git root; undefined when it does not exist or cannot be read. */
  read: (path: string) => string | undefined;
  /** The merge driver command this CLI (or the extension) would configure. */
  driverCommand: string;
  /** `merge.runbook-ops.driver` now, if set. */
  currentDriverCommand?: string;
}

/** The file's text with init's first line: its fingerprint tells later runs whether a person edited the file since. */
function withMarker(body: string): string {
  return `${MARKER_PREFIX} (fingerprint ${textFingerprint(body)}); init rewrites it only while it is as written. Edit freely: then init leaves it alone.\n${body}`;
}

/** Whether `text` is a file init wrote and nobody has changed since. */
export function isUntouchedSetupFile(text: string): boolean {
  const newline = text.indexOf('\n');
  const first = newline === -1 ? text : text.slice(0, newline);
  const recorded = /^# Written by runbook-ops init \(fingerprint ([0-9a-f]{16})\)/.exec(first)?.[1];
  return recorded !== undefined && recorded === textFingerprint(text.slice(newline + 1));
}

/** Picomatch metacharacters in a folder name escaped, so `ops (old)` matches itself. */
function globLiteral(name: string): string {
  return name.replace(/[*?[\]{}()!+@\\]/g, '\\$&');
}

/** Repository documents at the root that are Markdown but not runbooks. */
const ROOT_DOCUMENTS = ['CHANGELOG.md', 'CONTRIBUTING.md', 'CODE_OF_CONDUCT.md', 'SECURITY.md', 'LICENSE.md'];

/**
 * The id format the records follow: `INC-2026-7` → `INC-{yyyy}-{seq}`, `INC-0042` → `INC-{seq:4}`,
 * the most common shape winning; the default when there are no records.
 */
export function detectIdFormat(ids: readonly string[]): string {
  // Ids grouped by shape (prefix, with or without a year); a group is zero-padded when any id in it is.
  const groups = new Map<string, { count: number; width: number }>();
  for (const id of ids) {
    const match = /^(\D*?)(?:((?:19|20)\d\d)-)?(\d+)$/.exec(id);
    if (!match || match[1] === '' || /[/\\\s{}]/.test(match[1])) continue;
    const key = `${match[1]}${match[2] ? '{yyyy}-' : ''}`;
    const group = groups.get(key) ?? { count: 0, width: 0 };
    group.count++;
    if (match[3].startsWith('0')) group.width = Math.max(group.width, match[3].length);
    groups.set(key, group);
  }
  let best: [string, { count: number; width: number }] | undefined;
  for (const group of groups) if (!best || group[1].count > best[1].count) best = group;
  return best ? `${best[0]}${best[1].width ? `{seq:${best[1].width}}` : '{seq}'}` : DEFAULT_REPO_CONFIG.idFormat;
}

interface DetectedLayout {
  runbookInclude: string[];
  runbookExclude: string[];
  incidentFolder: string;
  idFormat: string;
  sites: SiteConfig[];
}

/** The layout the files show: the folders runbooks are in, the incident folder, the id format, the sites. */
export function detectLayout(paths: readonly string[]): DetectedLayout {
  const defaults = new PathClassifier(DEFAULT_LAYOUT);
  const rootDocuments = ROOT_DOCUMENTS.filter((name) => paths.includes(name));
  const runbookExclude = [...DEFAULT_LAYOUT.runbookExclude, ...rootDocuments];
  const classifier = new PathClassifier({ ...DEFAULT_LAYOUT, runbookExclude });
  const runbooks = paths.filter((p) => classifier.classify(p) === 'runbook');
  const tops = new Set(runbooks.map((p) => (p.includes('/') ? `${globLiteral(p.slice(0, p.indexOf('/')))}/**/*.md` : '*.md')));
  const runbookInclude = tops.size === 0 ? [...DEFAULT_LAYOUT.runbookInclude] : [...tops].sort();
  const incidents = paths.filter((p) => defaults.classify(p) === 'incident');
  const folders = new Map<string, number>();
  for (const path of incidents) {
    const parts = path.split('/');
    const at = parts.lastIndexOf('incidents', parts.length - 2);
    const folder = `${parts.slice(0, at + 1).join('/')}/`;
    folders.set(folder, (folders.get(folder) ?? 0) + 1);
  }
  let incidentFolder = DEFAULT_REPO_CONFIG.incidentFolder;
  let most = 0;
  for (const [folder, count] of folders) if (count > most) [incidentFolder, most] = [folder, count];
  return { runbookInclude, runbookExclude, incidentFolder, idFormat: detectIdFormat(incidents.map(fileStem)), sites: detectSites(paths) };
}

const quote = (text: string): string => JSON.stringify(text);

function configBody(layout: DetectedLayout, counts: { runbooks: number; incidents: number }): string {
  const lines = [
    '# Runbook Ops repository config, shared by the team (personal preferences are VS Code settings).',
    `# Found by init: ${counts.runbooks} runbook${counts.runbooks === 1 ? '' : 's'}, ${counts.incidents} incident record${counts.incidents === 1 ? '' : 's'}${layout.sites.length ? `, ${layout.sites.length} documentation site${layout.sites.length === 1 ? '' : 's'}` : ''}.`,
    '',
    '# Markdown files that are runbooks (globs relative to this file), and files that are not.',
    'runbook_include:',
    ...layout.runbookInclude.map((g) => `  - ${quote(g)}`),
    'runbook_exclude:',
    ...layout.runbookExclude.map((g) => `  - ${quote(g)}`),
    '',
    '# Where new incident records are written, one YAML file per incident named after its id.',
    `incident_folder: ${quote(layout.incidentFolder)}`,
    '',
    '# How new incident ids are made: {seq:4} is a zero-padded sequence number (INC-0012), {yyyy} the year.',
    `id_format: ${quote(layout.idFormat)}`,
  ];
  if (layout.sites.length) {
    lines.push(
      '',
      '# Documentation sites whose pages are runbooks: links name pages (/x.html is built from x.html.md).',
      '# unchecked: site paths the generator makes without a source file (such as "/repos/**"), never checked.',
      'sites:',
      ...layout.sites.flatMap((s) => [`  - pages: ${quote(s.pages)}`, ...(s.generator ? [`    generator: ${s.generator}`] : []), `    unchecked: [${s.unchecked.map(quote).join(', ')}]`]),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A config a person wrote, with only what would change the repository's meaning and is missing:
 * the incident folder and id format the records show. Their settings are never changed.
 */
function mergedConfig(existing: string, config: RepoConfig, detected: DetectedLayout, present: (key: string) => boolean): string {
  const additions: string[] = [];
  if (!present('incident_folder') && detected.incidentFolder !== config.incidentFolder) {
    additions.push('# Where the incident records are (found by runbook-ops init).', `incident_folder: ${quote(detected.incidentFolder)}`);
  }
  if (!present('id_format') && detected.idFormat !== config.idFormat) {
    additions.push('# The id format the existing records follow (found by runbook-ops init).', `id_format: ${quote(detected.idFormat)}`);
  }
  if (additions.length === 0) return existing;
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  return `${existing}${existing === '' || existing.endsWith('\n') ? '' : eol}${eol}${additions.join(eol)}${eol}`;
}

function workflowBody(prefix: string, withBaseline: boolean): string {
  const dir = prefix ? ` ${quote(prefix)}` : '';
  const baseline = withBaseline ? ` --baseline ${quote(`${prefix ? `${prefix}/` : ''}${SETUP_BASELINE_FILE}`)}` : '';
  return `name: Runbooks
on:
  pull_request:
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          # The whole history: --changed-since needs the merge base with the base branch, and review
          # dates of runbooks without \`last_reviewed\` come from their last commit.
          fetch-depth: 0
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      # runbook-ops is a dev dependency of this repository (package.json).
      - run: npm ci
      # Annotates the pull request's changed runbooks and incident records; exit 1 fails the job.
      - run: npx runbook-ops check${dir} --format github --changed-since "origin/\${{ github.base_ref }}"${baseline}
      # The metrics table on the run's summary page (MTTA/MTTR, action items, stale runbooks).
      - run: npx runbook-ops report${dir} --since 30d >> "$GITHUB_STEP_SUMMARY"
`;
}

function plannedFile(path: string, previous: string | undefined, content: string, ours: boolean, summary: string): PlannedFile {
  const action: SetupAction = previous === undefined ? 'create' : previous === content ? 'unchanged' : ours ? 'update' : 'conflict';
  return { path, action, content, previous, summary };
}

/** The plan: each file init would write and what happens to it, and the merge driver's git config. */
export function planRepositorySetup(input: SetupInput): SetupPlan {
  const at = (path: string): string => (input.prefix ? `${input.prefix}/${path}` : path);
  const detected = detectLayout(input.paths);
  const files: PlannedFile[] = [];
  const notes: string[] = [];

  // .runbook-ops.yaml: init's own (and untouched) is rewritten from what the files show; one a person wrote gets only missing keys.
  const configPath = at(REPO_CONFIG_FILE);
  const existingConfig = input.read(configPath);
  const handWritten = existingConfig !== undefined && !isUntouchedSetupFile(existingConfig);
  const existingParse = existingConfig !== undefined ? parseRepoConfig(existingConfig) : undefined;
  const existingKeys = new Set((existingConfig ?? '').split(/\r?\n/).map((l) => /^([A-Za-z_]+)\s*:/.exec(l)?.[1]).filter((k): k is string => k !== undefined));
  const provisional = new PathClassifier(handWritten && existingParse ? layoutFromConfig(existingParse.config) : { ...DEFAULT_LAYOUT, runbookExclude: detected.runbookExclude });
  const counts = { runbooks: input.paths.filter((p) => provisional.classify(p) === 'runbook').length, incidents: input.paths.filter((p) => provisional.classify(p) === 'incident').length };
  const configText = handWritten && existingParse
    ? mergedConfig(existingConfig, existingParse.config, detected, (key) => existingKeys.has(key))
    : withMarker(configBody(detected, counts));
  const configFile = plannedFile(configPath, existingConfig, configText, !handWritten, handWritten
    ? 'your config is kept; init adds only an incident folder or id format it lacks'
    : `the layout found: ${counts.runbooks} runbooks in ${detected.runbookInclude.join(', ')}, incidents in ${detected.incidentFolder} (${detected.idFormat})${detected.sites.length ? `, sites: ${detected.sites.map((s) => `${s.pages || '.'}/ (${s.generator ?? 'site'})`).join(', ')}` : ''}`);
  files.push(configFile);

  // Everything below follows the config as it will be.
  const { config } = parseRepoConfig(configText);
  const classifier = new PathClassifier(layoutFromConfig(config));
  const runbookPaths = input.paths.filter((p) => classifier.classify(p) === 'runbook');
  const incidentPaths = input.paths.filter((p) => classifier.classify(p) === 'incident');

  // The CI workflow, at the root of the git work tree.
  const withBaseline = input.read(at(SETUP_BASELINE_FILE)) !== undefined;
  const workflowPrevious = input.read(SETUP_WORKFLOW_FILE);
  files.push(plannedFile(SETUP_WORKFLOW_FILE, workflowPrevious, withMarker(workflowBody(input.prefix, withBaseline)), workflowPrevious === undefined || isUntouchedSetupFile(workflowPrevious),
    `on pull requests: check --format github --changed-since the base branch${withBaseline ? ` --baseline ${SETUP_BASELINE_FILE}` : ''}, and report`));
  const packageJson = input.read('package.json');
  if (packageJson === undefined || !packageJson.includes('"runbook-ops"')) {
    notes.push('The workflow runs `npm ci` and `npx runbook-ops`: add runbook-ops as a dev dependency (npm install --save-dev <path or git URL of runbook-ops>) and commit package.json and package-lock.json.');
  }

  // .gitattributes beside the config (its globs are relative to it): only the driver lines are added.
  const attributesPath = at('.gitattributes');
  const attributesPrevious = input.read(attributesPath);
  const attributes = attributesWithDriverLines(attributesPrevious, mergeDriverAttributeLines(config.incidentInclude));
  files.push(plannedFile(attributesPath, attributesPrevious, attributes.text, true,
    attributes.addedLines.length ? `${attributes.addedLines.length} line${attributes.addedLines.length === 1 ? '' : 's'} sending incident records to the merge driver` : 'incident records already go to the merge driver'));
  const mergeDriver: PlannedGitConfig = {
    key: `merge.${MERGE_DRIVER_NAME}.driver`,
    value: input.driverCommand,
    current: input.currentDriverCommand,
    action: input.currentDriverCommand === input.driverCommand ? 'unchanged' : 'set',
  };

  // CODEOWNERS, when runbooks name owners: only the marked block is written.
  const { runbooks, incidents } = readOwnership(runbookPaths, incidentPaths, (path) => input.read(at(path)));
  if (runbooks.some((r) => ownerHandles(r.owner).routable.length > 0)) {
    const location = CODEOWNERS_LOCATIONS.find((l) => input.read(l) !== undefined) ?? CODEOWNERS_LOCATIONS[0];
    const previous = input.read(location);
    const plan = planCodeowners(runbooks, incidents, input.prefix);
    const content = replaceCodeownersBlock(previous, renderCodeownersBlock(plan));
    files.push(plannedFile(location, previous, content, true, `the runbook-ops block: ${plan.rules.length} rule${plan.rules.length === 1 ? '' : 's'} routing reviews to runbook owners`));
    const unowned = runbooks.filter((r) => ownerHandles(r.owner).routable.length === 0).length;
    if (unowned) notes.push(`${unowned} runbook${unowned === 1 ? ' has' : 's have'} no owner CODEOWNERS can route to (an @user, @org/team or e-mail in \`owner:\`).`);
  } else if (runbooks.length) {
    notes.push('No runbook names an `owner` in its front matter, so there is no CODEOWNERS block to write; add owners and run init again.');
  }
  return {
    files,
    mergeDriver,
    layout: { runbooks: runbookPaths.length, incidents: incidentPaths.length, runbookInclude: config.runbookInclude, incidentInclude: config.incidentInclude, incidentFolder: config.incidentFolder, idFormat: config.idFormat, sites: config.sites ?? detectSites(input.paths) },
    notes,
  };
}

/** Whether carrying the plan out would change anything (files or git config). */
export function setupChangesAnything(plan: SetupPlan): boolean {
  return plan.mergeDriver.action === 'set' || plan.files.some((f) => f.action !== 'unchanged');
}

/**
 * The plan as text: one line per file (action, path, what), then with `details` each file's content
 * (new files) or the lines that change (others), then the notes.
 */
export function renderSetupPlan(plan: SetupPlan, details: boolean): string {
  const width = Math.max(...plan.files.map((f) => f.path.length), 'git config'.length);
  const lines = plan.files.map((f) => `  ${f.action.padEnd(9)} ${f.path.padEnd(width)}  ${oneLine(f.summary)}`);
  lines.push(`  ${(plan.mergeDriver.action === 'set' ? 'set' : 'unchanged').padEnd(9)} ${'git config'.padEnd(width)}  ${plan.mergeDriver.key} = ${oneLine(plan.mergeDriver.value)} (this clone only)`);
  if (details) {
    for (const file of plan.files) {
      if (file.action === 'unchanged') continue;
      lines.push('', `--- ${file.path} (${file.action})`);
      if (file.previous === undefined) lines.push(...file.content.replace(/\n$/, '').split('\n').map((l) => `+ ${oneLine(l)}`));
      else {
        // The lines that come and go (the files init edits change whole lines or blocks).
        const { missing, extra } = codeownersBlockDifferences(file.previous.split(/\r?\n/), file.content.split(/\r?\n/));
        lines.push(...extra.filter((l) => l !== '').map((l) => `- ${oneLine(l)}`), ...missing.filter((l) => l !== '').map((l) => `+ ${oneLine(l)}`));
      }
    }
  }
  if (plan.notes.length) lines.push('', ...plan.notes.map((n) => `Note: ${n}`));
  return lines.join('\n');
}
