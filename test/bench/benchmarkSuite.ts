// The measurements behind `npm run bench` (README, Performance): every row side by side in one run on one
// corpus, each the median of several runs after a warm-up, so drift between machines and runs cancels
// out of the ratios. run.ts prints them; test/unit/benchHarness.test.ts runs them on a tiny corpus.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import MarkdownIt from 'markdown-it';
import { parse as parseYaml } from 'yaml';
import { listRepositoryFiles, repositoryReader } from '../../src/fs/repositoryFiles';
import { WorkspaceIndex, type FileReader } from '../../src/core/index/workspaceIndex';
import { buildIndexInParallel, IndexWorkerPool } from '../../src/fs/parallelIndex';
import { TEST_SPIN_ENV } from '../../src/core/index/parseBudget';
import { DEFAULT_LAYOUT } from '../../src/core/config/paths';
import { DEFAULT_REPO_CONFIG } from '../../src/core/config/repoConfig';
import { buildIndexWithCache, summaryCacheKey, type SummaryCacheReport } from '../../src/fs/summaryCache';
import { ScanFloorPool } from './scanFloor';
import { measureActivation } from './activationBench';
import { ensureCorpus, seededRandom, type Corpus, type CorpusSize } from './corpusGenerator';
import { ensureGitCorpus } from './gitCorpus';
import type { MemoryProbeResult } from './indexMemoryProbe';
import { measureReviewDates, type ReviewDatesBenchOptions } from './reviewDates.bench';

export interface BenchRow {
  /** Stable key for bench-results.json. */
  id: string;
  name: string;
  unit: 's' | 'ms' | 'MB' | 'x';
  median?: number;
  min?: number;
  max?: number;
  /** 95th percentile, for per-update latencies. */
  p95?: number;
  /**
   * Median CPU seconds of the process (every thread: main and workers) per run, for rows measured in
   * this process. Unlike wall time it hardly moves when other jobs share the cores.
   */
  cpu?: number;
  runs?: number;
  /** The README's Performance target, in words. */
  target?: string;
  /** Whether the target holds (undefined: no target, or not measured). */
  pass?: boolean;
  note?: string;
}

export interface BenchChecks {
  /** The parallel build's snapshot and lookups equal the sequential build's. */
  parallelEqualsSequential: boolean;
  /** After the random updates, the small index equals one rebuilt from the files' final contents. */
  incrementalEqualsRebuild: boolean;
}

export interface BenchResults {
  startedAt: string;
  seconds: number;
  machine: { cpus: number; cpuModel: string; memoryGB: number; node: string; platform: string; loadAverageAtStart: number; loadAverageAtEnd: number };
  corpus: Corpus['stats'] & { root: string; seed: number };
  rows: BenchRow[];
  checks: BenchChecks;
}

export interface BenchOptions {
  size: CorpusSize;
  /** Size of the second index the incremental update is measured in (to show it is flat). */
  smallSize: CorpusSize;
  seed?: number;
  /** Timed runs per row (after one warm-up run). */
  runs: number;
  /** Random updates per incremental row. */
  incrementalUpdates: number;
  /** False skips the review-dates rows (they need git). */
  reviewDates: ReviewDatesBenchOptions | false;
  /** The built CLI for the `check` row (dist/cli.js); undefined skips it. */
  cliPath?: string;
  /** The bundled worker (dist/indexWorker.js), so the parallel rows time what ships. */
  workerScript?: string;
  /** Sessions of code-server + Chromium for the activation rows; 0 skips them (they need the browser route of TESTING.md). */
  activationRuns?: number;
  /** Files the branch of the `--changed-since` row changes (default 6); 0 skips the row (it needs git). */
  changedSinceFiles?: number;
  /** The transpiled rawReadProbe.js, the whole-process raw read; undefined (or no cliPath) skips the whole-process index rows. */
  rawReadProbeScript?: string;
  /** The transpiled indexMemoryProbe.js, run in a fresh `node --expose-gc`; undefined skips the memory rows. */
  memoryProbeScript?: string;
  /** Where generated corpora are cached (default os.tmpdir()). */
  cacheDir?: string;
  log?: (line: string) => void;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function stats(values: readonly number[]): Pick<BenchRow, 'median' | 'min' | 'max' | 'runs'> {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length };
}

interface Timing {
  /** Wall seconds. */
  wall: number;
  /** CPU seconds of the process, every thread. */
  cpu: number;
}

/**
 * Collects garbage before a timed run when the process allows it (`npm run bench` runs node with
 * --expose-gc): otherwise a run pays for the garbage the one before left (the naive pipeline leaves
 * gigabytes), which made the raw read that followed it look slower than it is.
 */
const collectGarbage = (globalThis as { gc?: () => void }).gc;

async function timeOnce(run: () => unknown): Promise<Timing> {
  collectGarbage?.();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await run();
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpuBefore);
  return { wall, cpu: (used.user + used.system) / 1e6 };
}

/** One untimed warm-up run, then `runs` timed ones; wall seconds each (and CPU seconds into `cpu`, when given). */
async function timeRuns(runs: number, run: () => unknown, cpu?: number[]): Promise<number[]> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const timing = await timeOnce(run);
    times.push(timing.wall);
    cpu?.push(timing.cpu);
  }
  return times;
}

/**
 * The runs of several measurements taken in rounds, one of each per round, after one untimed round:
 * a slow drift of a shared machine (another job starting, the host's turbo ending) then hits all of
 * them alike, and the ratio of two measurements taken within each round is steadier than the ratio of
 * medians taken minutes apart.
 */
async function timeInRounds<K extends string>(runs: number, measurements: Record<K, () => unknown>): Promise<Record<K, Timing[]>> {
  const keys = Object.keys(measurements) as K[];
  const out = Object.fromEntries(keys.map((k) => [k, [] as Timing[]])) as Record<K, Timing[]>;
  for (let round = 0; round <= runs; round++) {
    for (const key of keys) {
      const timing = await timeOnce(measurements[key]);
      if (round > 0) out[key].push(timing);
    }
  }
  return out;
}

/** Median over the rounds of `f(round)`. */
function medianOfRounds(rounds: number, f: (round: number) => number): number {
  return median(Array.from({ length: rounds }, (_, i) => f(i)));
}

function cpuNote(cpu: readonly number[]): Pick<BenchRow, 'cpu' | 'note'> {
  const seconds = median(cpu);
  return { cpu: seconds, note: `CPU ${seconds.toFixed(2)} s, all threads` };
}

function readEveryFile(root: string): number {
  let bytes = 0;
  for (const path of listRepositoryFiles(root)) bytes += readFileSync(join(root, path)).length;
  return bytes;
}

/** `rg` printing every heading and fence line of the corpus (its output read and dropped); undefined without rg. */
function ripgrepAvailable(): boolean {
  return spawnSync('rg', ['--version'], { stdio: 'ignore' }).status === 0;
}

function ripgrepScan(root: string): Promise<number> {
  return new Promise((resolve, reject) => {
    // Output goes to a pipe, not /dev/null: rg stops at the first match when it sees /dev/null.
    const child = spawn('rg', ['-n', '^(#|```|~~~)', root], { stdio: ['ignore', 'pipe', 'ignore'] });
    let bytes = 0;
    child.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    child.once('error', reject);
    child.once('close', () => resolve(bytes));
  });
}

/** What a straightforward implementation does: full markdown-it and the `yaml` package, one file after another. */
function naivePipeline(root: string, paths: readonly string[]): number {
  const markdown = new MarkdownIt();
  let tokens = 0;
  for (const path of paths) {
    const text = readFileSync(join(root, path), 'utf8');
    if (path.endsWith('.md')) tokens += markdown.parse(text, {}).length;
    else {
      try {
        parseYaml(text);
      } catch {
        // A broken record is reported, not fatal, in a real pipeline too.
      }
      tokens++;
    }
  }
  return tokens;
}

async function sequentialIndex(root: string): Promise<WorkspaceIndex> {
  const index = new WorkspaceIndex();
  await index.build(listRepositoryFiles(root), repositoryReader(root));
  return index;
}

async function parallelIndex(root: string, workerScript: string | undefined, pool?: IndexWorkerPool): Promise<WorkspaceIndex> {
  const index = new WorkspaceIndex();
  await buildIndexInParallel(index, root, listRepositoryFiles(root), { workerScript, pool });
  return index;
}

/** The parse budget of the stalled-file row: short, so the row shows what a stalled file adds beyond its budget. */
const STALLED_FILE_BUDGET_MS = 1_000;

/**
 * A build with fresh workers in which one file never finishes parsing (the test-only spin hook): the
 * worker on it is replaced after the budget and the build goes on. Returns how many files were given up.
 */
async function stalledFileBuild(root: string, stalled: string, workerScript: string | undefined): Promise<number> {
  const before = process.env[TEST_SPIN_ENV];
  // Workers copy the environment when they start, and this pool starts its own.
  process.env[TEST_SPIN_ENV] = stalled;
  const pool = new IndexWorkerPool({ workerScript, parseBudgetMs: STALLED_FILE_BUDGET_MS });
  try {
    return (await buildIndexInParallel(new WorkspaceIndex(), root, listRepositoryFiles(root), { pool })).givenUp.length;
  } finally {
    if (before === undefined) delete process.env[TEST_SPIN_ENV];
    else process.env[TEST_SPIN_ENV] = before;
    await pool.dispose();
  }
}

/** Query results; maps sorted, since their iteration order follows the order files were indexed in. */
function lookups(index: WorkspaceIndex): unknown {
  return {
    services: [...index.services()].sort(),
    duplicates: [...index.duplicateIncidentIds()].sort(),
    byService: [...index.services().keys()].sort().slice(0, 20).map((s) => index.byService(s).map((r) => r.path)),
  };
}

function sameIndex(a: WorkspaceIndex, b: WorkspaceIndex): boolean {
  return isDeepStrictEqual(a.snapshot(), b.snapshot()) && isDeepStrictEqual(lookups(a), lookups(b));
}

/** An edit that keeps the file's kind valid: a paragraph appended to a runbook, a changed incident title. */
function editedContent(path: string, original: string, edit: number): string {
  if (path.endsWith('.md')) return `${original}\nEdited in update ${edit}.\n`;
  return original.replace(/^title: /m, `title: Edited ${edit} `);
}

interface UpdateTimes {
  runbook: number[];
  incident: number[];
  /** The index after the updates equals a rebuild from the edited files (checked when asked). */
  equalsRebuild?: boolean;
}

/**
 * `updates` random re-indexes of one runbook and of one incident in `index`, each reading the edited file
 * (what the file watcher does after a save); milliseconds each.
 */
async function timeUpdates(index: WorkspaceIndex, root: string, updates: number, seed: number, verify: boolean): Promise<UpdateTimes> {
  const random = seededRandom(seed);
  const runbooks = index.runbooks().map((r) => r.path);
  const incidents = index.incidents().map((i) => i.path);
  const edited = new Map<string, string>();
  const read: FileReader = async (path) => edited.get(path) ?? readFile(join(root, path));
  const times: UpdateTimes = { runbook: [], incident: [] };
  const warmup = Math.min(50, updates);
  for (const [paths, into] of [[runbooks, times.runbook], [incidents, times.incident]] as const) {
    if (paths.length === 0) continue;
    for (let i = 0; i < warmup + updates; i++) {
      const path = paths[Math.floor(random() * paths.length)];
      edited.set(path, editedContent(path, readFileSync(join(root, path), 'utf8'), i));
      const started = performance.now();
      await index.updateFile(path, read);
      if (i >= warmup) into.push(performance.now() - started);
    }
  }
  if (verify) {
    const rebuilt = new WorkspaceIndex();
    await rebuilt.build(listRepositoryFiles(root), read);
    times.equalsRebuild = sameIndex(index, rebuilt);
  }
  return times;
}

function runMemoryProbe(script: string, root: string, mode: 'parallel' | 'sequential', workerScript: string | undefined): MemoryProbeResult {
  const args = ['--expose-gc', script, root, mode];
  if (workerScript) args.push(workerScript);
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`memory probe failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as MemoryProbeResult;
}

function runCheck(cliPath: string, root: string, extraArgs: readonly string[] = []): Promise<number> {
  return new Promise((resolve, reject) => {
    // Run from the root, as CI runs it (`--changed-since` asks git about the current checkout).
    const child = spawn(process.execPath, [cliPath, 'check', root, '--format', 'json', ...extraArgs], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject);
    // Exit 1 is expected: the corpus holds records with errors on purpose.
    child.once('close', (code) => (code === 0 || code === 1 ? resolve(code) : reject(new Error(`check exited with ${code}`))));
  });
}

const MB = 1024 * 1024;

/** `node <script> ...args` to completion, its output read and dropped (a pipe, as a user's `| less` is); rejects on another exit code than `ok`. */
function runProcess(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; ok?: readonly number[] } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => ((options.ok ?? [0]).includes(code ?? -1) ? resolve(code ?? 0) : reject(new Error(`node ${args.join(' ')} exited with ${code}: ${stderr.slice(0, 500)}`))));
  });
}

/**
 * Whole processes, as a user runs them (issue 17): a fresh `node` reading every file (rawReadProbe.js)
 * against `runbook-ops index` with an empty cache, with a warm cache, and `--no-cache` on the
 * foreign-schema corpus (about 755,000 problems printed), each timed in rounds beside the raw read of
 * the same corpus. The CLI's cache for a folder outside git is under $XDG_CACHE_HOME, here a temporary folder.
 */
async function wholeProcessRows(root: string, cliPath: string, probe: string, options: BenchOptions, add: (row: BenchRow) => BenchRow): Promise<void> {
  const runs = Math.max(1, options.runs);
  const cacheHome = join(options.cacheDir ?? tmpdir(), `runbook-ops-bench-xdg-${process.pid}`);
  const env = { ...process.env, XDG_CACHE_HOME: cacheHome };
  const raw = (dir: string) => () => runProcess([probe, dir]);
  const index = (dir: string, ...extra: string[]) => () => runProcess([cliPath, 'index', dir, ...extra], { env });
  try {
    const cold = await timeInRounds(runs, {
      raw: raw(root),
      cold: async () => {
        rmSync(cacheHome, { recursive: true, force: true });
        await index(root)();
      },
    });
    const warm = await timeInRounds(runs, { raw: raw(root), warm: index(root) });
    const wall = (t: Timing[]): Pick<BenchRow, 'median' | 'min' | 'max' | 'runs'> => stats(t.map((x) => x.wall));
    add({ id: 'process-raw-read', name: 'Whole process: node listing and reading every file (rawReadProbe.js, wall)', unit: 's', ...wall(cold.raw) });
    add({ id: 'process-index-cold', name: 'Whole process: runbook-ops index, empty summary cache (fresh process, workers started, cache written, output piped)', unit: 's', ...wall(cold.cold) });
    const coldRatio = medianOfRounds(runs, (i) => cold.cold[i].wall / cold.raw[i].wall);
    add({ id: 'ratio-process-index-cold', name: 'Ratio: runbook-ops index, empty cache / the raw-read process, median of the rounds', unit: 'x', median: coldRatio, target: '≤ 4×', pass: coldRatio <= 4 });
    add({ id: 'process-index-warm', name: 'Whole process: runbook-ops index, nothing changed (second CLI run)', unit: 's', ...wall(warm.warm) });
    const warmRatio = medianOfRounds(runs, (i) => warm.warm[i].wall / warm.raw[i].wall);
    add({ id: 'ratio-process-index-warm', name: 'Ratio: second runbook-ops index / the raw-read process, median of the rounds', unit: 'x', median: warmRatio, target: '≤ 1×', pass: warmRatio <= 1 });
    const foreign = ensureCorpus(options.size, options.seed, options.cacheDir, 'foreign');
    const foreignRounds = await timeInRounds(runs, { raw: raw(foreign.root), index: index(foreign.root, '--no-cache') });
    add({ id: 'process-raw-read-foreign', name: 'Whole process: raw read of the foreign-schema corpus (same sizes, records in another schema)', unit: 's', ...wall(foreignRounds.raw) });
    add({ id: 'process-index-foreign', name: 'Whole process: runbook-ops index --no-cache, foreign-schema corpus (most keys unknown, ~75 problems a record, all printed)', unit: 's', ...wall(foreignRounds.index) });
    const foreignRatio = medianOfRounds(runs, (i) => foreignRounds.index[i].wall / foreignRounds.raw[i].wall);
    add({ id: 'ratio-process-index-foreign', name: 'Ratio: foreign-schema runbook-ops index / its raw-read process, median of the rounds', unit: 'x', median: foreignRatio, target: '≤ 6×', pass: foreignRatio <= 6 });
  } finally {
    rmSync(cacheHome, { recursive: true, force: true });
  }
}

/** Files the "after a pull" row changes. */
const CACHE_CHANGED_FILES = 100;

/**
 * The summary cache rows (issue 17, item 1): a build with an empty cache, a second build with nothing
 * changed (side by side with the raw read, in rounds), one after 100 files changed, and the cache's size.
 * "Changed" is a new ctime with the same content (utimes): to the cache that is a changed file, read
 * and parsed again, and the shared corpus stays as generated.
 */
async function summaryCacheRows(root: string, paths: readonly string[], pool: IndexWorkerPool, options: BenchOptions, add: (row: BenchRow) => BenchRow, rows: readonly BenchRow[]): Promise<void> {
  const cacheDir = join(options.cacheDir ?? tmpdir(), `runbook-ops-bench-cache-${process.pid}`);
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, 'index-cache');
  const key = summaryCacheKey('bench', DEFAULT_REPO_CONFIG, DEFAULT_LAYOUT);
  const runs = Math.max(1, options.runs);
  let last: SummaryCacheReport | undefined;
  const cached = async (): Promise<WorkspaceIndex> => {
    const index = new WorkspaceIndex();
    last = (await buildIndexWithCache(index, root, listRepositoryFiles(root), { file, key, pool })).cache;
    return index;
  };
  try {
    const cold: Timing[] = [];
    for (let i = 0; i <= runs; i++) {
      rmSync(file, { force: true });
      const timing = await timeOnce(cached);
      if (i > 0) cold.push(timing);
    }
    const coldReport = last!;
    const coldRow = add({ id: 'cache-cold', name: 'Summary cache empty: pool build + stat every file + write the cache', unit: 's', ...stats(cold.map((t) => t.wall)), ...cpuNote(cold.map((t) => t.cpu)), target: '≤ 3× the raw read row' });
    const rawRow = rows.find((r) => r.id === 'raw-read');
    if (rawRow?.median !== undefined) coldRow.pass = coldRow.median! <= 3 * rawRow.median;
    const size = statSync(file).size / MB;
    const sizeRow = add({ id: 'cache-size', name: `Summary cache on disk, ${coldReport.misses} files`, unit: 'MB', median: size, target: '< 30 MB at 20k files' });
    sizeRow.pass = size < (30 * coldReport.misses) / 20_000;
    const rounds = await timeInRounds(runs, { raw: () => readEveryFile(root), warm: cached });
    const warmReport = last!;
    add({
      id: 'cache-warm',
      name: 'Summary cache, nothing changed: second build (read + check the cache, stat every file, decode)',
      unit: 's',
      ...stats(rounds.warm.map((t) => t.wall)),
      ...cpuNote(rounds.warm.map((t) => t.cpu)),
    });
    const warmOverRaw = medianOfRounds(runs, (i) => rounds.warm[i].wall / rounds.raw[i].wall);
    add({ id: 'ratio-cache-warm-raw', name: 'Ratio: second build from the cache / raw read, median of the rounds', unit: 'x', median: warmOverRaw, target: '≤ 1×', pass: warmOverRaw <= 1, note: `${warmReport.hits} from the cache, ${warmReport.misses} read` });
    const changed = paths.filter((p) => new WorkspaceIndex().classifier.classify(p) !== undefined).filter((_, i, all) => i % Math.max(1, Math.floor(all.length / CACHE_CHANGED_FILES)) === 0).slice(0, CACHE_CHANGED_FILES);
    const afterPull: Timing[] = [];
    const rawTimes: Timing[] = [];
    for (let i = 0; i <= runs; i++) {
      // The cache holds every file again, then the changed files get a new ctime (the content is kept).
      await cached();
      for (const path of changed) {
        const s = statSync(join(root, path));
        utimesSync(join(root, path), s.atime, s.mtime);
      }
      const timing = await timeOnce(cached);
      const raw = await timeOnce(() => readEveryFile(root));
      if (i > 0) {
        afterPull.push(timing);
        rawTimes.push(raw);
      }
    }
    const pullReport = last!;
    add({
      id: 'cache-after-change',
      name: `Summary cache, ${changed.length} files changed: build (those read and parsed on the pool, the rest from the cache)`,
      unit: 's',
      ...stats(afterPull.map((t) => t.wall)),
      ...cpuNote(afterPull.map((t) => t.cpu)),
      note: `${pullReport.hits} from the cache, ${pullReport.misses} read`,
    });
    const pullOverRaw = medianOfRounds(runs, (i) => afterPull[i].wall / rawTimes[i].wall);
    add({ id: 'ratio-cache-change-raw', name: `Ratio: build after ${changed.length} files changed / raw read`, unit: 'x', median: pullOverRaw, target: '≤ 1× + the changed files', pass: pullOverRaw <= 1 });
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

export async function runBenchmarks(options: BenchOptions): Promise<BenchResults> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? 20260701;
  const runs = Math.max(1, options.runs);
  const rows: BenchRow[] = [];
  const add = (row: BenchRow): BenchRow => {
    rows.push(row);
    log(`${row.name}: ${row.median !== undefined ? `${row.median.toFixed(3)} ${row.unit}` : row.note ?? ''}`);
    return row;
  };

  log(`corpus ${options.size.runbooks} runbooks + ${options.size.incidents} incidents…`);
  const corpus = ensureCorpus(options.size, seed, options.cacheDir);
  const root = corpus.root;
  const paths = listRepositoryFiles(root);

  const loadAverageAtStart = loadavg()[0];
  const pool = new IndexWorkerPool({ workerScript: options.workerScript });
  const workers = `${pool.size} worker threads`;
  // The measurements the ratios compare (the floor included), side by side in rounds (the pool's workers are
  // warmed by the untimed first round, like every other row's warm-up run).
  const floorPool = new ScanFloorPool(pool.size);
  const rounds = await timeInRounds(runs, {
    raw: () => readEveryFile(root),
    floor: () => floorPool.scan(root, listRepositoryFiles(root)),
    naive: () => naivePipeline(root, paths),
    parallel: () => parallelIndex(root, options.workerScript, pool),
  });
  await floorPool.dispose();
  const timed = (key: keyof typeof rounds): Pick<BenchRow, 'median' | 'min' | 'max' | 'runs' | 'cpu' | 'note'> => ({
    ...stats(rounds[key].map((t) => t.wall)),
    ...cpuNote(rounds[key].map((t) => t.cpu)),
  });
  add({ id: 'raw-read', name: 'Raw read (list + readFileSync every file)', unit: 's', ...timed('raw') });
  add({ id: 'scan-floor', name: `Floor: ${workers} list, read and decode every file and look at each character once, nothing else`, unit: 's', ...timed('floor') });
  if (ripgrepAvailable()) {
    add({ id: 'rg-scan', name: "rg -n '^(#|```|~~~)' (native scan, wall)", unit: 's', ...stats(await timeRuns(runs, () => ripgrepScan(root))) });
  } else add({ id: 'rg-scan', name: "rg -n '^(#|```|~~~)'", unit: 's', note: 'not measured here: rg is not installed' });
  const naive = add({ id: 'naive', name: 'Naive: full markdown-it + yaml.parse, sequential', unit: 's', ...timed('naive') });

  const sequentialCpu: number[] = [];
  const sequential = add({
    id: 'index-sequential',
    name: 'Our index, in-process WorkspaceIndex.build (folders read through VS Code, and the fallback without workers)',
    unit: 's',
    ...stats(await timeRuns(runs, () => sequentialIndex(root), sequentialCpu)),
    ...cpuNote(sequentialCpu),
  });
  add({
    id: 'index-parallel-fresh',
    name: `Our index, buildIndexInParallel, ${workers} started for each build`,
    unit: 's',
    ...stats(await timeRuns(runs, () => parallelIndex(root, options.workerScript))),
  });
  add({ id: 'index-parallel', name: `Our index, buildIndexInParallel, ${workers} kept in a pool (what the ratios use)`, unit: 's', ...timed('parallel') });
  // The parse budget (issue 14): a file that never finishes costs its budget and a new worker, not the build.
  const classifier = new WorkspaceIndex().classifier;
  const stalled = paths.find((p) => classifier.classify(p) === 'runbook')!;
  let givenUp = 0;
  add({
    id: 'index-parallel-stalled-file',
    name: `Our index, ${workers} started for the build, one file never finishes parsing (${STALLED_FILE_BUDGET_MS / 1000} s parse budget; compare the "started for each build" row)`,
    unit: 's',
    ...stats(await timeRuns(runs, async () => (givenUp = await stalledFileBuild(root, stalled, options.workerScript)))),
    note: `${givenUp} file given up per build`,
  });
  // Runbooks' headings and steps from workers are decoded when first read (summaryCodec.ts): the time
  // that takes for all of them, which a view or query reading every runbook's steps pays once.
  const readAll: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const index = await parallelIndex(root, options.workerScript, pool);
    const started = performance.now();
    let read = 0;
    for (const runbook of index.runbooks()) read += runbook.steps.length + runbook.headings.length;
    if (i > 0 && read > 0) readAll.push((performance.now() - started) / 1000);
  }
  add({ id: 'index-parallel-read-steps', name: "After a pool build: reading every runbook's headings and steps (decoded on first read)", unit: 's', ...stats(readAll) });
  // Each ratio is the median of the rounds' ratios (raw read, naive and the pool build were timed side by side).
  const { raw: rawRounds, floor: floorRounds, naive: naiveRounds, parallel: poolRounds } = rounds;
  const oursOverRaw = medianOfRounds(runs, (i) => poolRounds[i].wall / rawRounds[i].wall);
  const naiveOverOurs = medianOfRounds(runs, (i) => naiveRounds[i].wall / poolRounds[i].wall);
  add({ id: 'ratio-raw', name: 'Ratio: ours (pool) / raw read, median of the rounds', unit: 'x', median: oursOverRaw, target: '≤ 3×', pass: oursOverRaw <= 3 });
  add({ id: 'ratio-naive', name: 'Ratio: naive / ours (pool), median of the rounds', unit: 'x', median: naiveOverOurs, target: '≥ 10×', pass: naiveOverOurs >= 10 });
  add({ id: 'ratio-floor', name: 'Ratio: floor (one pass over the text on the workers) / raw read, median of the rounds', unit: 'x', median: medianOfRounds(runs, (i) => floorRounds[i].wall / rawRounds[i].wall) });
  add({ id: 'ratio-naive-sequential', name: 'Ratio: naive / ours (in-process build)', unit: 'x', median: naive.median! / sequential.median! });
  // The same two ratios from CPU time, which other jobs on shared cores hardly move: the pool's CPU over
  // the cores it may use is the wall time it would take on idle cores.
  const cores = Math.max(1, Math.min(cpus().length, pool.size || 1));
  add({ id: 'ratio-raw-cpu', name: `Ratio: ours (pool) CPU / ${cores} cores / raw read CPU (wall on idle cores)`, unit: 'x', median: medianOfRounds(runs, (i) => poolRounds[i].cpu / cores / rawRounds[i].cpu) });
  add({ id: 'ratio-naive-cpu', name: 'Ratio: naive CPU / ours (pool) CPU / cores (wall on idle cores)', unit: 'x', median: medianOfRounds(runs, (i) => naiveRounds[i].cpu / (poolRounds[i].cpu / cores)) });

  await summaryCacheRows(root, paths, pool, options, add, rows);

  const checks: BenchChecks = { parallelEqualsSequential: false, incrementalEqualsRebuild: false };
  const full = await parallelIndex(root, options.workerScript, pool);
  checks.parallelEqualsSequential = sameIndex(full, await sequentialIndex(root));

  if (options.memoryProbeScript) {
    const probes: MemoryProbeResult[] = [];
    for (let i = 0; i < runs; i++) probes.push(runMemoryProbe(options.memoryProbeScript, root, 'parallel', options.workerScript));
    add({ id: 'cold-process', name: 'Our index, parallel, first build in a fresh process (cold JIT, incl. worker start)', unit: 's', ...stats(probes.map((p) => p.buildSeconds)) });
    add({ id: 'peak-rss', name: 'Peak RSS of that process (main + workers)', unit: 'MB', ...stats(probes.map((p) => p.peakRssBytes / MB)) });
    const heap = add({ id: 'retained-heap', name: `Index retained heap (gc before/after build, ${corpus.stats.runbooks + corpus.stats.incidents} files)`, unit: 'MB', ...stats(probes.map((p) => p.retainedHeapBytes / MB)), target: '< 100 MB at 20k files' });
    heap.pass = heap.median! < 100;
    const read = add({ id: 'retained-heap-read', name: "Index retained heap once every runbook's steps have been read", unit: 'MB', ...stats(probes.map((p) => p.retainedHeapAfterReadBytes / MB)), target: '< 100 MB at 20k files' });
    read.pass = read.median! < 100;
    // The in-process build is what incremental updates and folders on other file systems use.
    const inProcess: MemoryProbeResult[] = [];
    for (let i = 0; i < Math.min(runs, 3); i++) inProcess.push(runMemoryProbe(options.memoryProbeScript, root, 'sequential', undefined));
    const sequentialHeap = add({ id: 'retained-heap-sequential', name: 'Index retained heap, in-process build (every summary made in this thread)', unit: 'MB', ...stats(inProcess.map((p) => p.retainedHeapAfterReadBytes / MB)), target: '< 100 MB at 20k files' });
    sequentialHeap.pass = sequentialHeap.median! < 100;
  } else add({ id: 'retained-heap', name: 'Index retained heap', unit: 'MB', note: 'not measured: no memory probe script' });

  const fullUpdates = await timeUpdates(full, root, options.incrementalUpdates, seed + 1, false);
  const smallCorpus = ensureCorpus(options.smallSize, seed, options.cacheDir);
  const small = await parallelIndex(smallCorpus.root, options.workerScript, pool);
  await pool.dispose();
  const smallUpdates = await timeUpdates(small, smallCorpus.root, options.incrementalUpdates, seed + 2, true);
  checks.incrementalEqualsRebuild = smallUpdates.equalsRebuild === true;
  const files = (c: CorpusSize): string => `${((c.runbooks + c.incidents) / 1000).toFixed(c.runbooks + c.incidents < 1000 ? 2 : 0)}k`;
  for (const kind of ['runbook', 'incident'] as const) {
    const big = fullUpdates[kind];
    const little = smallUpdates[kind];
    const bigRow = add({
      id: `incremental-${kind}-full`,
      name: `Incremental update of one ${kind}, ${files(options.size)}-file index (read + parse + relink)`,
      unit: 'ms',
      ...stats(big),
      p95: percentile(big, 95),
      target: '< 5 ms median',
      pass: median(big) < 5,
    });
    add({
      id: `incremental-${kind}-small`,
      name: `Incremental update of one ${kind}, ${files(options.smallSize)}-file index`,
      unit: 'ms',
      ...stats(little),
      p95: percentile(little, 95),
      target: 'full within 2× of this',
      pass: bigRow.median! <= 2 * median(little),
    });
  }

  if (options.reviewDates) {
    const review = await measureReviewDates({ ...options.reviewDates, runs });
    const onePass = add({
      id: 'review-one-pass',
      name: `Review dates: one git log pass, ${review.files} files, ${review.commits} commits`,
      unit: 's',
      ...stats(review.onePass),
      target: '< 1 s for 2,000 commits',
      pass: median(review.onePass) < 1,
    });
    const perFile = add({ id: 'review-per-file-sample', name: `Review dates: git log -1 per file, ${review.perFileSample}-file sample`, unit: 's', ...stats(review.perFile) });
    const scale = review.files / review.perFileSample;
    add({
      id: 'review-per-file-extrapolated',
      name: `Review dates: git log -1 per file, extrapolated to ${review.files} files`,
      unit: 's',
      median: perFile.median! * scale,
      min: perFile.min! * scale,
      max: perFile.max! * scale,
      runs: perFile.runs,
      note: `${(perFile.median! * scale / onePass.median!).toFixed(0)}× the one-pass time`,
    });
  } else add({ id: 'review-one-pass', name: 'Review dates', unit: 's', note: 'not measured: skipped' });

  if (options.cliPath) {
    const check = add({ id: 'check', name: 'runbook-ops check of the corpus (node dist/cli.js, wall)', unit: 's', ...stats(await timeRuns(runs, () => runCheck(options.cliPath!, root))), target: '< 5 s' });
    check.pass = check.median! < 5;
    const changedFiles = options.changedSinceFiles ?? 6;
    if (changedFiles > 0) {
      log(`git repository of the corpus with ${changedFiles} changed files…`);
      const repo = ensureGitCorpus(corpus, changedFiles);
      const changedSince = add({
        id: 'check-changed-since',
        name: `runbook-ops check --changed-since ${repo.base}, ${repo.changed.length} files changed on the branch (wall)`,
        unit: 's',
        ...stats(await timeRuns(runs, () => runCheck(options.cliPath!, repo.root, ['--changed-since', repo.base, '--no-cache']))),
        target: '≤ ½ the full check (proportional to the changed files)',
        note: '--no-cache: every unchanged record is read for the cross-file rules (ids, services, duplicate_of)',
      });
      changedSince.pass = changedSince.median! <= check.median! / 2;
      // The same with the facts cache warm (.git/runbook-ops/check-facts, filled by timeRuns' untimed first run): what a
      // second local run, or CI with the cache kept between runs, pays.
      const warmChangedSince = add({
        id: 'check-changed-since-warm',
        name: `runbook-ops check --changed-since ${repo.base}, ${repo.changed.length} files changed, facts cache warm (wall)`,
        unit: 's',
        ...stats(await timeRuns(runs, () => runCheck(options.cliPath!, repo.root, ['--changed-since', repo.base]))),
        target: '≤ 0.3 s',
      });
      warmChangedSince.pass = warmChangedSince.median! <= 0.3;
    }
    if (options.rawReadProbeScript) await wholeProcessRows(root, options.cliPath, options.rawReadProbeScript, options, add);
  } else add({ id: 'check', name: 'runbook-ops check', unit: 's', note: 'not measured: no CLI bundle' });

  if (options.activationRuns) {
    log(`extension in code-server on the corpus, ${options.activationRuns} sessions…`);
    const sessions = await measureActivation(root, options.activationRuns);
    const activation = add({ id: 'activate', name: 'Extension activate() in code-server, corpus workspace', unit: 'ms', ...stats(sessions.map((m) => m.activationMs)), target: '< 50 ms' });
    activation.pass = activation.median! < 50;
    add({ id: 'vscode-indexed', name: 'activate() → first index build done (worker threads, in code-server)', unit: 's', ...stats(sessions.map((m) => m.indexedMs / 1000)) });
    add({ id: 'vscode-first-view', name: 'activate() → first row of the Runbooks view in Chromium', unit: 's', ...stats(sessions.map((m) => m.populatedViewMs / 1000)) });
    const latencies = sessions.flatMap((m) => m.changeLatencyMs);
    const busy = sessions.flatMap((m) => m.changeBusyMs);
    add({ id: 'vscode-change-latency', name: 'One runbook rewritten on disk → index change event in VS Code (file watcher + 150 ms debounce)', unit: 'ms', ...stats(latencies), p95: percentile(latencies, 95) });
    add({ id: 'vscode-change-busy', name: "One runbook rewritten on disk → extension host busy in the next second (index, views, diagnostics)", unit: 'ms', ...stats(busy), p95: percentile(busy, 95) });
  } else {
    add({ id: 'activate', name: 'Extension activate() and first populated Runbooks view (code-server)', unit: 'ms', target: '< 50 ms', note: 'not measured here: run without --no-vscode (needs code-server and Chromium, see TESTING.md)' });
  }
  return {
    startedAt: new Date().toISOString(),
    seconds: (performance.now() - started) / 1000,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGB: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg()[0],
    },
    corpus: { ...corpus.stats, root, seed },
    rows,
    checks,
  };
}

function formatValue(value: number | undefined, unit: BenchRow['unit']): string {
  if (value === undefined) return '';
  if (unit === 'x') return `${value.toFixed(1)}×`;
  if (unit === 'MB') return `${value.toFixed(0)} MB`;
  if (unit === 'ms') return `${value.toFixed(2)} ms`;
  return `${value.toFixed(3)} s`;
}

/** A table cell: `|` would end it early. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The results as one Markdown table (what run.ts prints and the README shows). */
export function formatBenchTable(results: BenchResults): string {
  const lines = ['| Measurement | Median | Min–max | p95 | Runs | Target | Holds |', '|---|---|---|---|---|---|---|'];
  for (const row of results.rows) {
    const range = row.min !== undefined && row.max !== undefined && row.unit !== 'x' ? `${formatValue(row.min, row.unit)} – ${formatValue(row.max, row.unit)}` : '';
    const value = row.median !== undefined ? formatValue(row.median, row.unit) : row.note ?? '';
    const holds = row.pass === undefined ? '' : row.pass ? 'yes' : 'NO';
    const note = row.median !== undefined && row.note ? ` (${row.note})` : '';
    const cells = [`${row.name}${note}`, value, range, formatValue(row.p95, row.unit), String(row.runs ?? ''), row.target ?? '', holds];
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}
