/**
 * The parse budget (issue 14): no one file may stall the index. Index workers get a time limit per
 * file; a worker over it is terminated and replaced, and the file is indexed with only a problem on
 * line 1. Parsing is synchronous, so a thread cannot be bounded from inside itself: the budget holds
 * only for parses on worker threads, and the calling thread (the extension host, the CLI's main thread)
 * must not parse a file a worker gave up on — {@link GivenUpFiles} remembers them until their text changes.
 */
import type { Problem } from '../text/fileText';
import { parseRunbook, type Runbook } from '../runbook/runbook';

/** The default time one file may take to read and parse on an index worker. */
export const DEFAULT_PARSE_BUDGET_MS = 5_000;

/**
 * Extra time per megabyte of the file, so a file that is merely large is not taken for a stuck one: a
 * 50 MB runbook parses in about 4 s alone on a 2-core machine, and slower beside other workers.
 */
export const PARSE_BUDGET_MS_PER_MB = 500;

/** The time a file of `bytes` may take under a budget of `budgetMs` (the base, plus the allowance for its size). */
export function fileBudgetMs(budgetMs: number, bytes: number): number {
  return budgetMs + Math.ceil((bytes / (1024 * 1024)) * PARSE_BUDGET_MS_PER_MB);
}

/**
 * TEST ONLY: an index worker (never the calling thread) spins forever before parsing a file whose
 * repository-relative path contains this text, so tests can exercise the budget. An environment
 * variable of the process, so repository content cannot reach it.
 */
export const TEST_SPIN_ENV = 'RUNBOOK_OPS_TEST_SPIN_ON';

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** The line-1 problem of a file a worker gave up on after `budgetMs`. */
export function overBudgetProblem(budgetMs: number): Problem {
  return {
    line: 1,
    severity: 'error',
    message: `Runbook Ops gave up reading this file after ${seconds(budgetMs)}: parsing it took longer than that, so its steps and metadata are not indexed. The rest of the repository was indexed. Please report this file (or the part of it that is slow to parse) to the Runbook Ops maintainers.`,
  };
}

/** The line-1 problem of a file whose worker thread stopped while reading it (out of memory, a crash). */
export function workerStoppedProblem(reason: string): Problem {
  return {
    line: 1,
    severity: 'error',
    message: `Runbook Ops could not read this file: the worker thread reading it stopped (${reason}). The rest of the repository was indexed. Please report this file to the Runbook Ops maintainers.`,
  };
}

/** What the calling thread shows for a runbook a worker gave up on: no steps, and the problem that says why. */
export function givenUpRunbook(path: string, problem: Problem): Runbook {
  // The empty text, never the file's: only the shape of a runbook without content.
  return { ...parseRunbook(path, ''), title: path.split('/').pop() ?? path, titleLine: 1, problems: [problem] };
}

/** What the calling thread may do with a file's current text. */
export type ParseGate =
  /** Parse it here: no worker gave up on this file, or a worker parsed this very text in time. */
  | 'parse'
  /** Do not parse it: a worker gave up on this text (or a check of it is in flight). */
  | 'given-up'
  /** Do not parse it yet: the text changed since a worker gave up; send this text to a worker first. */
  | 'vet';

interface GivenUpEntry {
  problem: Problem;
  /** Texts (by their hash, src/fs/contentHash.ts) a worker gave up on, newest last. */
  givenUp: Set<string>;
  /** Texts a worker parsed within the budget since, newest last. */
  parsed: Set<string>;
  /** The text a worker is trying now: one at a time, so typing in a slow file queues no pile of tries. */
  pending?: string;
}

/** Texts remembered per file: the last few versions of an editor buffer are enough. */
const REMEMBERED_TEXTS = 8;

function remember(set: Set<string>, hash: string): void {
  set.delete(hash);
  set.add(hash);
  if (set.size > REMEMBERED_TEXTS) set.delete(set.values().next().value as string);
}

/**
 * Files, by key (a URI), that a worker gave up on, with the text it gave up on: the calling thread
 * must not parse them until their text changes and a worker has parsed the new text within the budget.
 */
export class GivenUpFiles {
  private readonly entries = new Map<string, GivenUpEntry>();

  get size(): number {
    return this.entries.size;
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Records that a worker gave up on `key` with this text. */
  giveUp(key: string, hash: string, problem: Problem): void {
    const entry = this.entries.get(key);
    if (!entry) {
      this.entries.set(key, { problem, givenUp: new Set([hash]), parsed: new Set() });
      return;
    }
    entry.problem = problem;
    entry.parsed.delete(hash);
    remember(entry.givenUp, hash);
  }

  /** A worker parsed the file's current text within the budget: it is an ordinary file again. */
  clear(key: string): boolean {
    return this.entries.delete(key);
  }

  /** The problem to show for `key` while it is given up. */
  problem(key: string): Problem | undefined {
    return this.entries.get(key)?.problem;
  }

  /** Whether a worker gave up on exactly this text of `key` (an unchanged file need not be tried again). */
  gaveUpOn(key: string, hash: string): boolean {
    return this.entries.get(key)?.givenUp.has(hash) === true;
  }

  /**
   * Whether the calling thread may parse `key` with the text of this hash (see {@link ParseGate}).
   * `vet` hands the caller the one try in flight for the file: it must report it with {@link tried}.
   */
  gate(key: string, hash: string | (() => string)): ParseGate {
    const entry = this.entries.get(key);
    if (!entry) return 'parse';
    const h = typeof hash === 'string' ? hash : hash();
    if (entry.givenUp.has(h)) return 'given-up';
    if (entry.parsed.has(h)) return 'parse';
    if (entry.pending !== undefined) return 'given-up';
    entry.pending = h;
    return 'vet';
  }

  /** The outcome of the worker's try of a text that {@link gate} answered `vet` for. */
  tried(key: string, hash: string, outcome: { parsed: true } | { parsed: false; problem: Problem }): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    if (entry.pending === hash) entry.pending = undefined;
    if (outcome.parsed) remember(entry.parsed, hash);
    else this.giveUp(key, hash, outcome.problem);
  }
}
