// Review dates: one `git log` pass against one `git log -1 -- <file>` per file, side by side on the
// same synthetic repository (500 runbooks, 1,000 commits with merges). Also exports that repository's
// generator for the unit tests.
//   node esbuild.mjs --tests && node out/test/bench/reviewDates.bench.js [runs=3]
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLastCommitMap } from '../../src/git/reviewDates';
import { seededRandom } from './corpusGenerator';
import { fixtureGitEnv } from '../harness/fixtureGit';

/** git for the history fixture (see fixtureGitEnv), as the fixture bot. */
export function fixtureGitEnvironment(): NodeJS.ProcessEnv {
  return fixtureGitEnv({ name: 'Fixture Bot', email: 'bot@example.com' }, { LC_ALL: 'C' });
}

/** Runs git in `cwd` and returns stdout; throws with git's message when it fails. */
export function git(cwd: string, args: readonly string[], input?: string | Buffer): string {
  const result: SpawnSyncReturns<Buffer> = spawnSync('git', args, { cwd, input, env: fixtureGitEnvironment(), maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return result.stdout.toString('utf8');
}

export interface HistoryFixtureOptions {
  files?: number;
  commits?: number;
  seed?: number;
  /** The last commits are all on main with no merge, so a shallow clone of that depth has a known cut-off. */
  linearTail?: number;
}

export interface HistoryFixture {
  root: string;
  /** Files at HEAD. */
  files: string[];
  /** Names that need care: spaces, unicode, quotes, a newline, glob characters. */
  unusualPaths: string[];
  /** Changed on both sides of a merge: the merge commit itself is their last change. */
  mergedOnBothSides: string[];
  /** Changed on a side branch only, then merged. */
  changedOnSideBranch: string[];
  /** New names of renamed files. */
  renamed: string[];
  commitCount: number;
  mergeCount: number;
}

const UNUSUAL_PATHS = [
  'databases/Fail over the primary.md',
  'Überwachung/Prüfung der Last.md',
  'ダッシュボード/再起動する.md',
  'alerts/[draft] high *latency*?.md',
  'odd/quote"in name.md',
  'odd/new\nline.md',
  'odd/tab\tand emoji 🚨.md',
  ' leading and trailing .md',
];

const AUTHORS = ['Ada Ops <ada@example.com>', 'Zoë Müller <zoe@example.com>', '李雷 <li@example.com>', 'Bob "Pager" Smith <bob@example.com>'];
const TIME_ZONES = ['+0000', '+0200', '-0500', '+0530', '-0930'];

/** A path as fast-import reads it: C-style quoted, so quotes, tabs and newlines survive. */
function fastImportPath(path: string): string {
  return `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

function dataBlock(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`;
}

/**
 * Creates a repository in `root` with `files` runbooks and `commits` commits (side branches merged with
 * real merge commits, renames, deletions, several authors and time zones), written by one `git fast-import`.
 */
export function createHistoryRepository(root: string, options: HistoryFixtureOptions = {}): HistoryFixture {
  const fileCount = options.files ?? 500;
  const commitTarget = options.commits ?? 1000;
  const linearTail = options.linearTail ?? 40;
  const random = seededRandom(options.seed ?? 20260601);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

  const initial = Array.from({ length: fileCount }, (_, i) => `services/svc-${String(i % 40).padStart(2, '0')}/runbook-${String(i).padStart(3, '0')}.md`);
  UNUSUAL_PATHS.forEach((path, i) => (initial[i * 7 + 3] = path));

  const main = new Map<string, string>(initial.map((path) => [path, `# ${path}\n\nrevision 0\n`]));
  let time = Date.UTC(2024, 0, 1) / 1000;
  let mark = 0;
  let commitCount = 0;
  let mergeCount = 0;
  let revision = 0;
  const stream: string[] = [];
  const mergedOnBothSides = new Set<string>();
  const changedOnSideBranch = new Set<string>();
  const renamed = new Set<string>();

  const header = (ref: string, message: string, from?: number, merge?: number): number => {
    time += 600 + Math.floor(random() * 6600);
    const who = `${pick(AUTHORS)} ${time} ${pick(TIME_ZONES)}`;
    mark++;
    commitCount++;
    stream.push(`commit ${ref}\nmark :${mark}\nauthor ${who}\ncommitter ${who}\n${dataBlock(message)}`);
    if (from !== undefined) stream.push(`from :${from}\n`);
    if (merge !== undefined) stream.push(`merge :${merge}\n`);
    return mark;
  };
  const modify = (files: Map<string, string>, path: string, content = `# ${path}\n\nrevision ${++revision}\n`): void => {
    files.set(path, content);
    stream.push(`M 100644 inline ${fastImportPath(path)}\n${dataBlock(content)}`);
  };
  const remove = (files: Map<string, string>, path: string): void => {
    files.delete(path);
    stream.push(`D ${fastImportPath(path)}\n`);
  };
  const changeSome = (files: Map<string, string>, changed?: Set<string>): void => {
    const paths = [...files.keys()];
    const count = 1 + Math.floor(random() * 3);
    for (let i = 0; i < count; i++) {
      const path = pick(paths);
      modify(files, path);
      changed?.add(path);
    }
  };

  let mainTip = header('refs/heads/main', 'Add runbooks');
  for (const path of initial) modify(main, path, main.get(path));

  let sideBranches = 0;
  while (commitCount < commitTarget) {
    const left = commitTarget - commitCount;
    // A side branch: 3-8 commits interleaved in time with main's, then a merge commit on main.
    if (left > linearTail + 20 && random() < 0.05) {
      const ref = `refs/heads/side-${++sideBranches}`;
      const side = new Map(main);
      const sideChanged = new Set<string>();
      const mainChanged = new Set<string>();
      const branchPoint = mainTip;
      let sideTip: number | undefined;
      let sideCommits = 3 + Math.floor(random() * 6);
      while (sideCommits > 0 && commitTarget - commitCount > linearTail + 2) {
        if (random() < 0.6) {
          sideTip = header(ref, `Side change ${sideCommits}`, sideTip === undefined ? branchPoint : undefined);
          changeSome(side, sideChanged);
          sideCommits--;
        } else {
          mainTip = header('refs/heads/main', 'Main change during side branch');
          // Now and then edit a file the side branch also edits, so some merges combine both sides.
          if (sideChanged.size > 0 && random() < 0.5) {
            const path = pick([...sideChanged]);
            modify(main, path);
            mainChanged.add(path);
          } else changeSome(main, mainChanged);
        }
      }
      if (sideTip === undefined) continue;
      mainTip = header('refs/heads/main', `Merge side-${sideBranches}`, undefined, sideTip);
      mergeCount++;
      // fast-import takes the first parent's tree: bring the side's changes in, combining both sides' edits.
      for (const path of sideChanged) {
        if (mainChanged.has(path)) {
          modify(main, path, `${main.get(path)}${side.get(path)}merged\n`);
          mergedOnBothSides.add(path);
          changedOnSideBranch.delete(path);
        } else {
          modify(main, path, side.get(path));
          if (!mergedOnBothSides.has(path)) changedOnSideBranch.add(path);
        }
      }
      continue;
    }
    mainTip = header('refs/heads/main', `Change ${commitCount}`);
    const roll = random();
    const paths = [...main.keys()];
    if (roll < 0.01 && left > 2) {
      remove(main, pick(paths));
    } else if (roll < 0.02) {
      const from = pick(paths);
      const to = from.replace(/\.md$/, '-renamed.md');
      const content = main.get(from)!;
      remove(main, from);
      modify(main, to, content);
      renamed.add(to);
    } else if (roll < 0.04) {
      modify(main, `services/new/runbook-${commitCount}.md`);
    } else {
      changeSome(main);
    }
  }

  mkdirSync(root, { recursive: true });
  git(root, ['init', '-q', '--initial-branch=main']);
  git(root, ['fast-import', '--quiet'], stream.join(''));
  git(root, ['checkout', '-q', '-f', 'main']);
  const files = git(root, ['ls-tree', '-r', '-z', '--name-only', 'HEAD']).split('\0').filter(Boolean);
  const atHead = new Set(files);
  const present = (paths: Set<string>): string[] => [...paths].filter((p) => atHead.has(p)).sort();
  return {
    root,
    files,
    unusualPaths: UNUSUAL_PATHS.filter((p) => atHead.has(p)),
    mergedOnBothSides: present(mergedOnBothSides),
    changedOnSideBranch: present(changedOnSideBranch),
    renamed: present(renamed),
    commitCount,
    mergeCount,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** What a naive implementation does: one `git log -1 -- <file>` process per file, run one after another. */
async function perFileLastCommits(root: string, files: readonly string[]): Promise<number> {
  let found = 0;
  for (const file of files) {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('git', ['--literal-pathspecs', 'log', '-1', '--format=%H%x00%cI%x00%aN', '--', file], { cwd: root });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      child.once('error', reject);
      child.once('close', () => resolve(text));
    });
    if (out) found++;
  }
  return found;
}

async function timeIt(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

export interface ReviewDatesBenchOptions {
  files?: number;
  commits?: number;
  /** Files timed with one `git log -1` each; the per-file row extrapolates from them to every file. */
  perFileSample?: number;
  runs?: number;
}

export interface ReviewDatesMeasurement {
  files: number;
  commits: number;
  merges: number;
  setupSeconds: number;
  /** One `git log` pass over the whole history (buildLastCommitMap), seconds per run. */
  onePass: number[];
  perFileSample: number;
  /** `git log -1` for each file of the sample, one process after another, seconds per run. */
  perFile: number[];
}

/** Builds a history repository and times both ways of finding every file's last change, side by side. */
export async function measureReviewDates(options: ReviewDatesBenchOptions = {}): Promise<ReviewDatesMeasurement> {
  const runs = Math.max(1, options.runs ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'rbo-bench-review-'));
  try {
    const setupStarted = performance.now();
    const fixture = createHistoryRepository(dir, { files: options.files, commits: options.commits });
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    const sample = fixture.files.slice(0, Math.min(fixture.files.length, options.perFileSample ?? fixture.files.length));
    await buildLastCommitMap(dir); // warm-up: page cache and git's object store
    await perFileLastCommits(dir, sample.slice(0, 20));
    const onePass: number[] = [];
    const perFile: number[] = [];
    for (let i = 0; i < runs; i++) {
      onePass.push(await timeIt(() => buildLastCommitMap(dir)));
      perFile.push(await timeIt(() => perFileLastCommits(dir, sample)));
    }
    return { files: fixture.files.length, commits: fixture.commitCount, merges: fixture.mergeCount, setupSeconds, onePass, perFileSample: sample.length, perFile };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const runs = Math.max(1, Number(process.argv[2] ?? 3));
  const result = await measureReviewDates({ runs });
  process.stdout.write(`repository: ${result.files} files, ${result.commits} commits (${result.merges} merges), created in ${result.setupSeconds.toFixed(2)} s\n`);
  const row = (name: string, times: number[]): string =>
    `${name.padEnd(42)} ${median(times).toFixed(3).padStart(8)} s   (min ${Math.min(...times).toFixed(3)}, max ${Math.max(...times).toFixed(3)})\n`;
  process.stdout.write(`median of ${runs} runs, side by side:\n`);
  process.stdout.write(row('one-pass git log (buildLastCommitMap)', result.onePass));
  process.stdout.write(row(`git log -1 per file (${result.perFileSample} processes)`, result.perFile));
  process.stdout.write(`per-file / one-pass: ${(median(result.perFile) / median(result.onePass)).toFixed(0)}x\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
