import { plainProblem, type Problem } from '../text/fileText';
import { normalizeRunbookReference, summarizeIncident, type IncidentSummary } from '../incident/incidentSummary';
import { validateIncident } from '../incident/incidentValidation';
import { PathClassifier, trimSlashes, type FileKind } from '../config/paths';
import { DEFAULT_REPO_CONFIG, type RepoConfig } from '../config/repoConfig';
import type { BlockShape } from '../runbook/shellTranscript';
import { parseRunbook, type Runbook, type RunbookHeading } from '../runbook/runbook';

/** What views and queries need of a step; commands and block text stay in the file. */
export interface StepSummary {
  id: string;
  title: string;
  section: string;
  language: string;
  startLine: number;
  endLine: number;
  shape: BlockShape;
  runnable: boolean;
  languageGuessed: boolean;
  confirm: boolean;
  placeholders: string[];
  reason?: string;
}

/** One runbook as the index keeps it: metadata, outline and steps, never the file text. */
export interface RunbookSummary {
  path: string;
  title: string;
  titleLine: number;
  services: string[];
  owner?: string;
  tags: string[];
  alerts: string[];
  /** Alert-like names mentioned in the text but not listed in `alerts`; searched, not indexed by alert. */
  alertMentions?: string[];
  lastReviewed?: string;
  reviewEvery?: string;
  variables: string[];
  headings: RunbookHeading[];
  steps: StepSummary[];
  problems: Problem[];
}

export function summarizeRunbook(runbook: Runbook): RunbookSummary {
  const summary: RunbookSummary = {
    path: runbook.path,
    title: runbook.title,
    titleLine: runbook.titleLine,
    services: runbook.services,
    tags: runbook.tags,
    alerts: runbook.alerts,
    variables: Object.keys(runbook.variables),
    headings: runbook.headings,
    steps: runbook.steps.map((s) => {
      const step: StepSummary = {
        id: s.id,
        title: s.title,
        section: s.section,
        language: s.language,
        startLine: s.startLine,
        endLine: s.endLine,
        shape: s.shape,
        runnable: s.runnable,
        languageGuessed: s.languageGuessed,
        confirm: s.confirm,
        placeholders: s.placeholders.map((p) => p.name),
      };
      if (s.reason !== undefined) step.reason = s.reason;
      return step;
    }),
    // Only the fields a problem has, so a summary survives a JSON round trip (worker → index) unchanged.
    problems: runbook.problems.map(plainProblem),
  };
  if (runbook.owner !== undefined) summary.owner = runbook.owner;
  if (runbook.lastReviewed !== undefined) summary.lastReviewed = runbook.lastReviewed;
  if (runbook.reviewEvery !== undefined) summary.reviewEvery = runbook.reviewEvery;
  if (runbook.alertMentions !== undefined) summary.alertMentions = runbook.alertMentions;
  return summary;
}


/** The index entry for a file's content: the one summary both the in-process and the worker builds make. */
export function summarizeFileContent(kind: FileKind, path: string, content: Uint8Array | string, config: RepoConfig): RunbookSummary | IncidentSummary {
  return kind === 'runbook' ? summarizeRunbook(parseRunbook(path, content)) : summarizeIncident(validateIncident(path, content, { config }));
}

/** The index entry for a file that exists but cannot be read. */
export function unreadableFileSummary(kind: FileKind, path: string, err: unknown): RunbookSummary | IncidentSummary {
  return problemOnlySummary(kind, path, { line: 1, severity: 'error', message: `Could not read this file: ${(err as Error).message}` }, 'not-text');
}

/** The index entry for a file known only by one problem: unreadable, or a worker gave up on it (parseBudget.ts). */
export function problemOnlySummary(kind: FileKind, path: string, problem: Problem, code: 'not-text' | 'gave-up' = 'gave-up'): RunbookSummary | IncidentSummary {
  if (kind === 'incident') return summarizeIncident({ path, problems: [{ ...problem, code }] });
  return {
    path,
    title: path.split('/').pop() ?? path,
    titleLine: 1,
    services: [],
    tags: [],
    alerts: [],
    variables: [],
    headings: [],
    steps: [],
    problems: [problem],
  };
}

/** Reads a file by its repository-relative path; rejects (e.g. ENOENT) when it cannot. */
export type FileReader = (path: string) => Promise<Uint8Array | string>;

export interface IndexSnapshot {
  runbooks: RunbookSummary[];
  incidents: IncidentSummary[];
}

export interface WorkspaceIndexOptions {
  /** Severities and the rest of the repo config, for checking incident records (default: SEV1..SEV4). */
  config?: RepoConfig;
}

/** A runbook an incident references, and its index entry when the runbook exists. */
export interface RunbookReference {
  path: string;
  runbook?: RunbookSummary;
}

export type { IncidentSummary };

export interface BuildOptions {
  /** Reads in flight at once: enough to hide I/O latency without holding thousands of buffers. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export function isMissingFile(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'FileNotFound' || code === 'EntryNotFound';
}

/**
 * The workspace index: every runbook's and incident's summary by path, plus lookups by service, tag,
 * alert, incident id and runbook ↔ incident links, kept up to date per file so an update costs the
 * same in a 20-file and a 20,000-file repository.
 */
export class WorkspaceIndex {
  private readonly runbooksByPath = new Map<string, RunbookSummary>();
  private readonly byServiceKey = new Map<string, Set<string>>();
  private readonly byTagKey = new Map<string, Set<string>>();
  private readonly byAlertKey = new Map<string, Set<string>>();
  private readonly incidentsByPath = new Map<string, IncidentSummary>();
  private readonly incidentsById = new Map<string, Set<string>>();
  /** Runbook path → incidents that reference it (the runbook need not exist). */
  private readonly incidentsByRunbook = new Map<string, Set<string>>();
  private readonly config: RepoConfig;
  /** runbooks() and incidents() in path order until the next change: views and diagnostics ask several times per change. */
  private sortedRunbooks: RunbookSummary[] | undefined;
  private sortedIncidents: IncidentSummary[] | undefined;

  constructor(readonly classifier: PathClassifier = new PathClassifier(), options: WorkspaceIndexOptions = {}) {
    this.config = options.config ?? DEFAULT_REPO_CONFIG;
  }

  get runbookCount(): number {
    return this.runbooksByPath.size;
  }

  get incidentCount(): number {
    return this.incidentsByPath.size;
  }

  /** Indexes `paths` (those the classifier accepts), reading them through `read`. */
  async build(paths: readonly string[], read: FileReader, options: BuildOptions = {}): Promise<void> {
    const wanted = paths.filter((p) => this.classifier.classify(p) !== undefined);
    const concurrency = Math.max(1, options.concurrency ?? 32);
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < wanted.length) {
        const path = wanted[next++];
        await this.updateFile(path, read);
        done++;
        options.onProgress?.(done, wanted.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, wanted.length) }, worker));
  }

  /** Re-reads one file; a file that no longer exists is removed. Returns whether the index changed. */
  async updateFile(path: string, read: FileReader): Promise<boolean> {
    const kind = this.classifier.classify(path);
    if (kind === undefined) return false;
    let content: Uint8Array | string;
    try {
      content = await read(path);
    } catch (err) {
      if (isMissingFile(err)) return this.deleteFile(path);
      this.setSummary(kind, unreadableFileSummary(kind, path, err));
      return true;
    }
    return this.setFileContent(path, content);
  }

  /** Indexes a file from content already in hand (e.g. an unsaved editor buffer). */
  setFileContent(path: string, content: Uint8Array | string): boolean {
    const kind = this.classifier.classify(path);
    if (kind === undefined) return false;
    // A copy: the summary's strings are slices of the file's text (a title, a timestamp), and V8 keeps
    // the whole text alive for each of them; an index of 20,000 files held 166 MB, copied 80 MB.
    // (Summaries from the worker threads arrive as fresh strings.)
    this.setSummary(kind, structuredClone(summarizeFileContent(kind, path, content, this.config)));
    return true;
  }

  /** Puts a summary made elsewhere (a worker thread of the parallel build) into the index. */
  setSummary(kind: FileKind, summary: RunbookSummary | IncidentSummary): void {
    if (kind === 'runbook') this.setRunbook(summary as RunbookSummary);
    else this.setIncident(summary as IncidentSummary);
  }

  /** The repository config incidents are checked against (the parallel build hands it to its workers). */
  get repoConfig(): RepoConfig {
    return this.config;
  }

  deleteFile(path: string): boolean {
    const incident = this.incidentsByPath.get(path);
    if (incident) {
      this.unlinkIncident(incident);
      this.incidentsByPath.delete(path);
      this.sortedIncidents = undefined;
      return true;
    }
    const old = this.runbooksByPath.get(path);
    if (!old) return false;
    this.unlink(old);
    this.runbooksByPath.delete(path);
    this.sortedRunbooks = undefined;
    return true;
  }

  /** Drops every file under `folder` (a folder deleted in one go). */
  deleteFolder(folder: string): number {
    return this.deleteUnder([folder]);
  }

  /**
   * Drops every file under any of `folders` in one pass over the index (a storm can delete many
   * folders at once; a pass per folder would be quadratic). Returns how many files were dropped.
   */
  deleteUnder(folders: Iterable<string>): number {
    const prefixes = new Set<string>();
    for (const folder of folders) prefixes.add(trimSlashes(folder, { leading: false }));
    if (prefixes.size === 0) return 0;
    let removed = 0;
    for (const path of [...this.runbooksByPath.keys(), ...this.incidentsByPath.keys()]) {
      // Every ancestor folder of the path, nearest first.
      for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
        if (!prefixes.has(path.slice(0, slash))) continue;
        if (this.deleteFile(path)) removed++;
        break;
      }
    }
    return removed;
  }

  clear(): void {
    this.runbooksByPath.clear();
    this.byServiceKey.clear();
    this.byTagKey.clear();
    this.byAlertKey.clear();
    this.incidentsByPath.clear();
    this.incidentsById.clear();
    this.incidentsByRunbook.clear();
    this.sortedRunbooks = undefined;
    this.sortedIncidents = undefined;
  }

  getRunbook(path: string): RunbookSummary | undefined {
    return this.runbooksByPath.get(path);
  }

  /** Every runbook, sorted by path. */
  runbooks(): RunbookSummary[] {
    this.sortedRunbooks ??= [...this.runbooksByPath.values()].sort(byPath);
    // A copy: callers may sort or filter what they get.
    return this.sortedRunbooks.slice();
  }

  /** Service names as written with how many runbooks name them. */
  services(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, paths] of this.byServiceKey) {
      // The spelling of the first runbook by path, so the name does not depend on indexing order.
      let first = '';
      for (const p of paths) if (first === '' || p < first) first = p;
      const holder = this.runbooksByPath.get(first);
      out.set(holder?.services.find((s) => s.toLowerCase() === key) ?? key, paths.size);
    }
    return out;
  }

  byService(service: string): RunbookSummary[] {
    return this.lookup(this.byServiceKey, service);
  }

  byTag(tag: string): RunbookSummary[] {
    return this.lookup(this.byTagKey, tag);
  }

  byAlert(alert: string): RunbookSummary[] {
    return this.lookup(this.byAlertKey, alert);
  }

  /**
   * Runbooks matching every word of `query` (case-insensitive, anywhere in a word) in their title,
   * path, owner, services, tags, alerts, headings or the alert names their text mentions.
   */
  search(query: string): RunbookSummary[] {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return this.runbooks();
    return this.runbooks().filter((r) => {
      const haystack = [r.title, r.path, r.owner ?? '', ...r.services, ...r.tags, ...r.alerts, ...(r.alertMentions ?? []), ...r.headings.map((h) => h.text)]
        .join('\n')
        .toLowerCase();
      return words.every((w) => haystack.includes(w));
    });
  }

  getIncident(path: string): IncidentSummary | undefined {
    return this.incidentsByPath.get(path);
  }

  /** Every incident, sorted by path. */
  incidents(): IncidentSummary[] {
    this.sortedIncidents ??= [...this.incidentsByPath.values()].sort(byPath);
    return this.sortedIncidents.slice();
  }

  /** Incidents with this id: one normally, more when ids collide. */
  incidentsWithId(id: string): IncidentSummary[] {
    return [...(this.incidentsById.get(id) ?? [])].sort().map((p) => this.incidentsByPath.get(p)!);
  }

  /** Ids used by more than one incident file, with those files' paths. */
  duplicateIncidentIds(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [id, paths] of this.incidentsById) if (paths.size > 1) out.set(id, [...paths].sort());
    return out;
  }

  /** Incidents that used a runbook: listed in `runbooks:` or ran one of its steps. */
  incidentsForRunbook(runbookPath: string): IncidentSummary[] {
    const paths = this.incidentsByRunbook.get(normalizeRunbookReference(runbookPath));
    return paths ? [...paths].sort().map((p) => this.incidentsByPath.get(p)!) : [];
  }

  /** The runbooks an incident references, each with its index entry when it exists. */
  runbooksForIncident(incidentPath: string): RunbookReference[] {
    const incident = this.incidentsByPath.get(incidentPath);
    if (!incident) return [];
    return incident.runbooks.map((path) => {
      const runbook = this.runbooksByPath.get(path);
      return runbook ? { path, runbook } : { path };
    });
  }

  /** A deterministic plain-data copy (sorted by path): what the CLI prints and tests compare. */
  snapshot(): IndexSnapshot {
    return { runbooks: this.runbooks(), incidents: this.incidents() };
  }

  private lookup(map: Map<string, Set<string>>, key: string): RunbookSummary[] {
    const paths = map.get(key.toLowerCase());
    if (!paths) return [];
    return [...paths].sort().map((p) => this.runbooksByPath.get(p)!);
  }

  private setRunbook(summary: RunbookSummary): void {
    const old = this.runbooksByPath.get(summary.path);
    if (old) this.unlink(old);
    this.runbooksByPath.set(summary.path, summary);
    this.sortedRunbooks = undefined;
    link(this.byServiceKey, summary.services, summary.path);
    link(this.byTagKey, summary.tags, summary.path);
    link(this.byAlertKey, summary.alerts, summary.path);
  }

  private setIncident(summary: IncidentSummary): void {
    const old = this.incidentsByPath.get(summary.path);
    if (old) this.unlinkIncident(old);
    this.incidentsByPath.set(summary.path, summary);
    this.sortedIncidents = undefined;
    linkExact(this.incidentsById, [summary.id], summary.path);
    linkExact(this.incidentsByRunbook, summary.runbooks, summary.path);
  }

  private unlinkIncident(summary: IncidentSummary): void {
    unlinkExact(this.incidentsById, [summary.id], summary.path);
    unlinkExact(this.incidentsByRunbook, summary.runbooks, summary.path);
  }

  private unlink(summary: RunbookSummary): void {
    unlink(this.byServiceKey, summary.services, summary.path);
    unlink(this.byTagKey, summary.tags, summary.path);
    unlink(this.byAlertKey, summary.alerts, summary.path);
  }
}

function link(map: Map<string, Set<string>>, keys: readonly string[], path: string): void {
  for (const key of keys) {
    const k = key.toLowerCase();
    let set = map.get(k);
    if (!set) map.set(k, (set = new Set()));
    set.add(path);
  }
}

function unlink(map: Map<string, Set<string>>, keys: readonly string[], path: string): void {
  for (const key of keys) {
    const k = key.toLowerCase();
    const set = map.get(k);
    if (!set) continue;
    set.delete(path);
    if (set.size === 0) map.delete(k);
  }
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Like {@link link} but case-sensitive: ids and paths are exact. */
function linkExact(map: Map<string, Set<string>>, keys: readonly string[], path: string): void {
  for (const key of keys) {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(path);
  }
}

function unlinkExact(map: Map<string, Set<string>>, keys: readonly string[], path: string): void {
  for (const key of keys) {
    const set = map.get(key);
    if (!set) continue;
    set.delete(path);
    if (set.size === 0) map.delete(key);
  }
}
