import picomatch from 'picomatch';

/** Which files of a repository are runbooks and which are incident records (README: Runbook format, Incident records). */
export interface WorkspaceLayout {
  runbookInclude: readonly string[];
  runbookExclude: readonly string[];
  incidentInclude: readonly string[];
}

export const DEFAULT_LAYOUT: WorkspaceLayout = {
  runbookInclude: ['**/*.md'],
  // Markdown under an incident folder (a postmortem, a runbook kept beside the records) is still a
  // runbook: only the YAML there is an incident record.
  runbookExclude: ['**/node_modules/**', '**/.git/**', 'README.md'],
  incidentInclude: ['**/incidents/**/*.{yaml,yml}'],
};

/** `text` without leading and trailing `/` (a loop: a `/+$` regex retries from every slash of a long run). */
export function trimSlashes(text: string, { leading = true }: { leading?: boolean } = {}): string {
  let start = 0;
  if (leading) while (start < text.length && text.charCodeAt(start) === 0x2f) start++;
  let end = text.length;
  while (end > start && text.charCodeAt(end - 1) === 0x2f) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Folders never worth walking into when listing a repository. */
export const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['.git', 'node_modules']);

export type FileKind = 'runbook' | 'incident';

export class PathClassifier {
  private readonly isRunbook: (path: string) => boolean;
  private readonly isExcluded: (path: string) => boolean;
  private readonly isIncident: (path: string) => boolean;

  constructor(readonly layout: WorkspaceLayout = DEFAULT_LAYOUT) {
    const options = { dot: false };
    this.isRunbook = picomatch([...layout.runbookInclude], options);
    this.isExcluded = layout.runbookExclude.length ? picomatch([...layout.runbookExclude], { dot: true }) : () => false;
    this.isIncident = picomatch([...layout.incidentInclude], options);
  }

  /** `path` is relative to the repository root, with `/` separators. */
  classify(path: string): FileKind | undefined {
    if (this.isIncident(path)) return 'incident';
    if (this.isRunbook(path) && !this.isExcluded(path)) return 'runbook';
    return undefined;
  }
}

/** A record's file name without `.yaml` / `.yml`: the id it should have. */
export function fileStem(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return /\.ya?ml$/i.test(name) ? name.slice(0, name.lastIndexOf('.')) : name;
}
