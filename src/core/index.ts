import type { Problem } from './fileText';
import { PathClassifier } from './paths';
import type { BlockShape } from './shellTranscript';
import { parseRunbook, type Runbook, type RunbookHeading } from './runbook';

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
    problems: runbook.problems,
  };
  if (runbook.owner !== undefined) summary.owner = runbook.owner;
  if (runbook.lastReviewed !== undefined) summary.lastReviewed = runbook.lastReviewed;
  if (runbook.reviewEvery !== undefined) summary.reviewEvery = runbook.reviewEvery;
  return summary;
}

/** Reads a file by its repository-relative path; rejects (e.g. ENOENT) when it cannot. */
export type FileReader = (path: string) => Promise<Uint8Array | string>;

export interface IndexSnapshot {
  runbooks: RunbookSummary[];
}

export interface BuildOptions {
  /** Reads in flight at once: enough to hide I/O latency without holding thousands of buffers. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

function isMissingFile(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'FileNotFound' || code === 'EntryNotFound';
}

/**
 * The workspace index: every runbook's summary by path, plus lookups by service, tag and alert kept
 * up to date per file so an update costs the same in a 20-file and a 20,000-file repository.
 */
export class WorkspaceIndex {
  private readonly runbooksByPath = new Map<string, RunbookSummary>();
  private readonly byServiceKey = new Map<string, Set<string>>();
  private readonly byTagKey = new Map<string, Set<string>>();
  private readonly byAlertKey = new Map<string, Set<string>>();

  constructor(readonly classifier: PathClassifier = new PathClassifier()) {}

  get runbookCount(): number {
    return this.runbooksByPath.size;
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
    if (this.classifier.classify(path) === undefined) return false;
    let content: Uint8Array | string;
    try {
      content = await read(path);
    } catch (err) {
      if (isMissingFile(err)) return this.deleteFile(path);
      this.setRunbook({
        path,
        title: path.split('/').pop() ?? path,
        titleLine: 1,
        services: [],
        tags: [],
        alerts: [],
        variables: [],
        headings: [],
        steps: [],
        problems: [{ line: 1, severity: 'error', message: `Could not read this file: ${(err as Error).message}` }],
      });
      return true;
    }
    return this.setFileContent(path, content);
  }

  /** Indexes a file from content already in hand (e.g. an unsaved editor buffer). */
  setFileContent(path: string, content: Uint8Array | string): boolean {
    if (this.classifier.classify(path) !== 'runbook') return false;
    this.setRunbook(summarizeRunbook(parseRunbook(path, content)));
    return true;
  }

  deleteFile(path: string): boolean {
    const old = this.runbooksByPath.get(path);
    if (!old) return false;
    this.unlink(old);
    this.runbooksByPath.delete(path);
    return true;
  }

  /** Drops every file under `folder` (a folder deleted in one go). */
  deleteFolder(folder: string): number {
    const prefix = folder.endsWith('/') ? folder : `${folder}/`;
    let removed = 0;
    for (const path of [...this.runbooksByPath.keys()]) {
      if (path.startsWith(prefix) && this.deleteFile(path)) removed++;
    }
    return removed;
  }

  clear(): void {
    this.runbooksByPath.clear();
    this.byServiceKey.clear();
    this.byTagKey.clear();
    this.byAlertKey.clear();
  }

  getRunbook(path: string): RunbookSummary | undefined {
    return this.runbooksByPath.get(path);
  }

  /** Every runbook, sorted by path. */
  runbooks(): RunbookSummary[] {
    return [...this.runbooksByPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
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
   * Runbooks matching every word of `query` (case-insensitive) in their title, path, services, tags,
   * alerts or headings.
   */
  search(query: string): RunbookSummary[] {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return this.runbooks();
    return this.runbooks().filter((r) => {
      const haystack = [r.title, r.path, r.owner ?? '', ...r.services, ...r.tags, ...r.alerts, ...r.headings.map((h) => h.text)]
        .join('\n')
        .toLowerCase();
      return words.every((w) => haystack.includes(w));
    });
  }

  /** A deterministic plain-data copy (sorted by path): what the CLI prints and tests compare. */
  snapshot(): IndexSnapshot {
    return { runbooks: this.runbooks() };
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
    link(this.byServiceKey, summary.services, summary.path);
    link(this.byTagKey, summary.tags, summary.path);
    link(this.byAlertKey, summary.alerts, summary.path);
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
