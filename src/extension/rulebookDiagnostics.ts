import * as vscode from 'vscode';
import { decodeFileText } from '../core/text/fileText';
import { checkIncidentFile, type IncidentCheckFacts } from '../core/incident/incidentCheck';
import type { IncidentValidationContext } from '../core/incident/incidentValidation';
import type { IncidentSummary, RunbookSummary } from '../core/index/workspaceIndex';
import { listRepositoryFilesAsync } from '../fs/repositoryFiles';
import { localDay } from '../core/runbook/reviewState';
import { RepositoryFileSet, Rulebook, type CheckProblem } from '../core/check/rulebook';
import { runbookTextFacts, type RunbookTextFacts } from '../core/check/runbookLinks';
import { detectSites } from '../core/config/siteLinks';
import type { ReviewDateService } from './reviewDateService';
import type { LocatedIncident, LocatedRunbook, RunbookIndexService } from './runbookIndexService';
import { Disposable } from './dispose';

/** Index, history and file-list changes come in bursts (a checkout); recompute once they settle. */
const DEBOUNCE_MS = 200;
/** Typing in an open record: re-validated once the typing pauses. */
const TYPING_DEBOUNCE_MS = 300;
/** Files read and checked between two yields to the extension host's other work. */
const YIELD_EVERY = 50;

const SEVERITY: Record<CheckProblem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function toRange(problem: CheckProblem, document?: vscode.TextDocument): vscode.Range {
  const line = Math.max(0, problem.line - 1);
  const start = new vscode.Position(line, Math.max(0, (problem.column ?? 1) - 1));
  const endLine = Math.max(line, (problem.endLine ?? problem.line) - 1);
  let end: vscode.Position;
  if (problem.endColumn !== undefined) end = new vscode.Position(endLine, Math.max(0, problem.endColumn - 1));
  else if (document && endLine < document.lineCount) end = document.lineAt(endLine).range.end;
  else end = new vscode.Position(endLine, Number.MAX_SAFE_INTEGER);
  return new vscode.Range(start, end.isBefore(start) ? start : end);
}

/** What one workspace folder's last refresh built: the rules, and the context open records are validated in. */
interface FolderRules {
  rulebook: Rulebook;
  context: IncidentValidationContext;
}

/** A record's check under one validation context (the runbooks' paths and steps, the day). */
interface CheckedRecord {
  stamp: string;
  facts: IncidentCheckFacts;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Whether the paths or step ids of the runbooks differ between two index listings (same order when unchanged). */
function runbookContextChanged(before: readonly RunbookSummary[], after: readonly RunbookSummary[]): boolean {
  if (before.length !== after.length) return true;
  for (let i = 0; i < after.length; i++) {
    const [a, b] = [before[i], after[i]];
    if (a === b) continue;
    if (a.path !== b.path || a.steps.length !== b.steps.length || a.steps.some((step, n) => step.id !== b.steps[n].id)) return true;
  }
  return false;
}

/**
 * The Problems panel: every problem `runbook-ops check` reports, from the same rulebook
 * (src/core/rulebook.ts) with the same severity and wording — the index's per-file problems, records
 * validated with the repository's runbooks and steps, links and anchors, owners, overdue reviews,
 * duplicate ids and `duplicate_of`. Fed from the index as it changes; open records are re-validated
 * from their editor text as you type. What a file's rules need of its text (links, the front matter)
 * and a record's check are kept per indexed version of the file, so an edit re-reads that file only.
 */
export class RulebookDiagnostics extends Disposable {
  private readonly collection = this.register(vscode.languages.createDiagnosticCollection('runbook-ops'));
  private readonly problemsOf = new WeakMap<vscode.Diagnostic, CheckProblem>();
  /** Each file with diagnostics, and what they say (its problems as JSON), as last published. */
  private readonly published = new Map<string, { uri: vscode.Uri; said: string }>();
  private readonly textFacts = new WeakMap<RunbookSummary, RunbookTextFacts>();
  private readonly records = new WeakMap<IncidentSummary, CheckedRecord>();
  /** Each folder's files ("does this link's target exist"), listed again when files are created or deleted. */
  private readonly fileLists = new Map<string, Promise<string[]>>();
  private readonly rules = new Map<string, FolderRules>();
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Only the newest computation may publish: file reads make an older one finish later. */
  private generation = 0;
  /** Bumped when the runbooks (paths or steps) change: records are validated against them. */
  private runbooksVersion = 0;
  private lastRunbooks: readonly RunbookSummary[] = [];

  constructor(private readonly index: RunbookIndexService, private readonly reviews: ReviewDateService) {
    super();
    // The file list link checks read is re-listed when the index changes. Not from a second `**/*`
    // watcher: with one, the index lost restored records in the storm tests (a folder deleted and
    // restored by git). A new non-Markdown file a link names is seen at the next index change.
    this.register(index.onDidChange(() => this.fileLists.clear()));
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.fileLists.clear()));
    this.register(index.onDidChange(() => this.schedule()));
    this.register(index.onDidChangeGivenUp(() => this.schedule()));
    this.register(reviews.onDidChange(() => this.schedule()));
    this.register(vscode.workspace.onDidOpenTextDocument((d) => this.validateOpenRecord(d)));
    this.register(vscode.workspace.onDidChangeTextDocument((e) => this.scheduleOpenRecord(e.document)));
    // A record closed with unsaved edits shows its file's problems again.
    this.register(vscode.workspace.onDidCloseTextDocument(() => this.schedule()));
  }

  /** The problem a diagnostic shows (its code, field and suggestion for quick fixes). */
  problemOf(diagnostic: vscode.Diagnostic): CheckProblem | undefined {
    return this.problemsOf.get(diagnostic);
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, DEBOUNCE_MS);
  }

  private diagnostic(problem: CheckProblem, document?: vscode.TextDocument): vscode.Diagnostic {
    const diagnostic = new vscode.Diagnostic(toRange(problem, document), problem.message, SEVERITY[problem.severity]);
    diagnostic.source = 'Runbook Ops';
    if (problem.code) diagnostic.code = problem.code;
    this.problemsOf.set(diagnostic, problem);
    return diagnostic;
  }

  /** Recomputes every file's problems for `now` (default: the clock); resolves when they are published. */
  async refresh(now = new Date()): Promise<void> {
    const generation = ++this.generation;
    const runbooks = this.index.runbooks();
    const incidents = this.index.incidents();
    const summaries = runbooks.map((r) => r.runbook);
    // Records are checked against the runbooks' paths and step ids only, so an edit that keeps them
    // (nearly every edit of a runbook) keeps every record's check: re-checking 10,000 records after
    // each keystroke-save cost the extension host over half a second.
    if (runbookContextChanged(this.lastRunbooks, summaries)) this.runbooksVersion++;
    this.lastRunbooks = summaries;
    const openDocuments = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.toString(), d]));
    const found = new Map<string, { uri: vscode.Uri; problems: readonly CheckProblem[]; document?: vscode.TextDocument }>();
    const add = (uri: vscode.Uri, problems: readonly CheckProblem[]): void => {
      const key = uri.toString();
      found.set(key, { uri, problems, document: openDocuments.get(key) });
    };
    const rules = new Map<string, FolderRules>();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const key = folder.uri.toString();
      const folderRunbooks = runbooks.filter((r) => r.folder.uri.toString() === key);
      const folderIncidents = incidents.filter((i) => i.folder.uri.toString() === key);
      const config = this.index.configFor(folder.uri);
      const paths = await this.filesOf(folder, folderRunbooks, folderIncidents);
      const context: IncidentValidationContext = {
        config,
        runbookPaths: new Set(folderRunbooks.map((r) => r.runbook.path)),
        runbookStepIds: new Map(folderRunbooks.map((r) => [r.runbook.path, new Set(r.runbook.steps.map((s) => s.id))])),
        now,
      };
      const stamp = `${this.runbooksVersion} ${localDay(now)}`;
      const records: { entry: LocatedIncident; facts: IncidentCheckFacts }[] = [];
      for (const [n, entry] of folderIncidents.entries()) {
        if (n % YIELD_EVERY === YIELD_EVERY - 1) await nextTurn();
        const open = openDocuments.get(entry.uri.toString());
        const facts = open ? this.checkText(entry, open.getText(), context) : await this.checkRecord(entry, context, stamp);
        records.push({ entry, facts });
      }
      const texts: (RunbookTextFacts | undefined)[] = [];
      for (const [n, entry] of folderRunbooks.entries()) {
        if (n % YIELD_EVERY === YIELD_EVERY - 1) await nextTurn();
        texts.push(await this.runbookFacts(entry));
      }
      const byPath = new Map(folderRunbooks.map((r) => [r.runbook.path, r.runbook]));
      const rulebook = new Rulebook({
        files: new RepositoryFileSet(paths),
        sites: config.sites ?? detectSites(paths),
        runbookOf: (path) => byPath.get(path),
        ownershipAdopted: folderRunbooks.some((r) => r.runbook.owner !== undefined),
        incidents: records.map((r) => r.facts),
        postmortemFolder: config.postmortemFolder,
      });
      rules.set(key, { rulebook, context });
      folderRunbooks.forEach((entry, i) => {
        const text = texts[i];
        // A runbook a worker gave up on, or one that cannot be read, has only its index problem (as in `check`).
        const problems = text === undefined ? entry.runbook.problems : rulebook.runbookProblems({ summary: entry.runbook, text, review: this.reviews.review(entry, now) });
        if (problems.length) add(entry.uri, problems);
      });
      for (const { entry, facts } of records) {
        const problems = rulebook.incidentProblems(facts);
        if (problems.length) add(entry.uri, problems);
      }
    }
    if (generation !== this.generation) return;
    this.rules.clear();
    for (const [key, value] of rules) this.rules.set(key, value);
    this.publish(found);
  }

  /**
   * Sets the diagnostics of the files whose problems changed since they were last published, and
   * removes those of files that have none now. Sending every file's diagnostics to the window again
   * after each change cost the extension host most of a second on a 20,000-file repository.
   */
  private publish(found: ReadonlyMap<string, { uri: vscode.Uri; problems: readonly CheckProblem[]; document?: vscode.TextDocument }>): void {
    const changed: [vscode.Uri, vscode.Diagnostic[]][] = [];
    for (const [key, { uri, problems, document }] of found) {
      // An open document's ranges come from its text, so its version is part of what was said.
      const said = `${document ? `${document.version}:` : ''}${JSON.stringify(problems)}`;
      if (this.published.get(key)?.said === said) continue;
      changed.push([uri, problems.map((p) => this.diagnostic(p, document))]);
      this.published.set(key, { uri, said });
    }
    for (const [key, { uri }] of this.published) {
      if (found.has(key)) continue;
      this.collection.delete(uri);
      this.published.delete(key);
    }
    // One message to the window for all of them, not one per file.
    if (changed.length > 0) this.collection.set(changed);
  }

  /** A folder's files: listed from disk for a local folder (links name scripts and images too), else the indexed ones. */
  private filesOf(folder: vscode.WorkspaceFolder, runbooks: readonly LocatedRunbook[], incidents: readonly LocatedIncident[]): Promise<string[]> {
    if (folder.uri.scheme !== 'file') return Promise.resolve([...runbooks.map((r) => r.runbook.path), ...incidents.map((i) => i.incident.path)]);
    const key = folder.uri.toString();
    let list = this.fileLists.get(key);
    if (!list) this.fileLists.set(key, (list = listRepositoryFilesAsync(folder.uri.fsPath)));
    return list;
  }

  private async readText(uri: vscode.Uri): Promise<Uint8Array | undefined> {
    try {
      return await vscode.workspace.fs.readFile(uri);
    } catch {
      return undefined;
    }
  }

  /** What the rules read of a runbook's text on disk, per indexed version; undefined when given up on or unreadable. */
  private async runbookFacts(entry: LocatedRunbook): Promise<RunbookTextFacts | undefined> {
    if (this.index.givenUpProblem(entry.uri) !== undefined) return undefined;
    let facts = this.textFacts.get(entry.runbook);
    if (!facts) {
      const bytes = await this.readText(entry.uri);
      if (bytes === undefined) return undefined;
      facts = runbookTextFacts(decodeFileText(bytes).text);
      this.textFacts.set(entry.runbook, facts);
    }
    return facts;
  }

  /** A record on disk checked in the repository's context, once per indexed version and context. */
  private async checkRecord(entry: LocatedIncident, context: IncidentValidationContext, stamp: string): Promise<IncidentCheckFacts> {
    const kept = this.records.get(entry.incident);
    if (kept?.stamp === stamp) return kept.facts;
    const given = this.index.givenUpProblem(entry.uri);
    const bytes = given === undefined ? await this.readText(entry.uri) : undefined;
    // Given up on by a worker (issue 14: never parsed in this thread) or unreadable: the index's problem only.
    const facts: IncidentCheckFacts = bytes === undefined
      ? { path: entry.incident.path, checked: true, problems: entry.incident.problems.map((p) => ({ ...p, code: 'gave-up' as const })) }
      : checkIncidentFile(entry.incident.path, bytes, context, { report: true });
    this.records.set(entry.incident, { stamp, facts });
    return facts;
  }

  /** An open record's editor text, unless a worker gave up on that text. */
  private checkText(entry: LocatedIncident, text: string, context: IncidentValidationContext): IncidentCheckFacts {
    if (!this.index.mayParse(entry.uri, text)) {
      const problem = this.index.givenUpProblem(entry.uri);
      return { path: entry.incident.path, checked: true, problems: problem ? [{ ...problem, code: 'gave-up' }] : [] };
    }
    return checkIncidentFile(entry.incident.path, text, context, { report: true });
  }

  private scheduleOpenRecord(document: vscode.TextDocument): void {
    if (this.index.classify(document.uri) !== 'incident') return;
    const key = document.uri.toString();
    clearTimeout(this.typingTimers.get(key));
    this.typingTimers.set(key, setTimeout(() => {
      this.typingTimers.delete(key);
      this.validateOpenRecord(document);
    }, TYPING_DEBOUNCE_MS));
  }

  /**
   * An open record's problems from its editor text, with the folder's rules of the last refresh (other
   * records' ids for duplicates and `duplicate_of`); the next refresh recomputes them with the rest.
   */
  private validateOpenRecord(document: vscode.TextDocument): void {
    if (document.isClosed || this.index.classify(document.uri) !== 'incident') return;
    const entry = this.index.incidentAt(document.uri);
    const rules = entry && this.rules.get(entry.folder.uri.toString());
    if (!entry || !rules) {
      this.schedule();
      return;
    }
    const facts = this.checkText(entry, document.getText(), { ...rules.context, now: new Date() });
    this.collection.set(document.uri, rules.rulebook.incidentProblems(facts).map((p) => this.diagnostic(p, document)));
    // Not what a refresh said: the next one sets (or removes) this file's diagnostics again.
    this.published.set(document.uri.toString(), { uri: document.uri, said: '' });
  }

  override dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
    super.dispose();
  }
}
