// The summary cache (issue 17, item 1) may only save work, never change an answer: an index built
// through the cache must equal a fresh build after any sequence of edits, same-size edits with mtime
// set back, renames, deletes, `git checkout`s and config changes; a damaged or foreign cache file is
// an empty cache. Random sequences are seeded, so a failure reproduces.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { WorkspaceIndex } from '../../src/core/index/workspaceIndex';
import { buildIndexInParallel, IndexWorkerPool } from '../../src/fs/parallelIndex';
import { TEST_SPIN_ENV } from '../../src/core/index/parseBudget';
import { PathClassifier } from '../../src/core/config/paths';
import { layoutFromConfig, parseRepoConfig, REPO_CONFIG_FILE, type RepoConfig } from '../../src/core/config/repoConfig';
import { listRepositoryFiles } from '../../src/fs/repositoryFiles';
import { buildIndexWithCache, defaultCliCacheFile, readCacheFile, summaryCacheKey, type SummaryCacheReport } from '../../src/fs/summaryCache';
import { seededRandom } from '../bench/corpusGenerator';

/** Small enough that files settle within a test; far above the kernel's timestamp tick the rule guards against. */
const TEST_RACY_WINDOW_MS = 50;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Everything the index answers, with lookups whose order follows indexing order sorted. */
function views(index: WorkspaceIndex): unknown {
  const services = [...index.services()].sort();
  return {
    snapshot: JSON.parse(JSON.stringify(index.snapshot())) as unknown,
    services,
    byService: services.map(([name]) => index.byService(name).map((r) => r.path)),
    duplicates: [...index.duplicateIncidentIds()].sort(),
  };
}

function readConfig(root: string): RepoConfig {
  const file = join(root, REPO_CONFIG_FILE);
  return parseRepoConfig(existsSync(file) ? readFileSync(file) : undefined).config;
}

function newIndex(config: RepoConfig): WorkspaceIndex {
  return new WorkspaceIndex(new PathClassifier(layoutFromConfig(config)), { config });
}

async function cachedBuild(root: string, cacheFile: string, pool: IndexWorkerPool, version = 'test'): Promise<{ index: WorkspaceIndex; cache: SummaryCacheReport }> {
  const config = readConfig(root);
  const index = newIndex(config);
  const { cache } = await buildIndexWithCache(index, root, listRepositoryFiles(root), {
    file: cacheFile,
    key: summaryCacheKey(version, config, layoutFromConfig(config)),
    pool,
    racyWindowMs: TEST_RACY_WINDOW_MS,
  });
  return { index, cache };
}

async function freshBuild(root: string, pool: IndexWorkerPool): Promise<WorkspaceIndex> {
  const index = newIndex(readConfig(root));
  await buildIndexInParallel(index, root, listRepositoryFiles(root), { pool });
  return index;
}

/** Waits until every file under `root` changed longer ago than the racy window (waiting for a state, not timing anything). */
async function settle(root: string): Promise<void> {
  let newest = 0;
  for (const path of listRepositoryFiles(root)) {
    const s = statSync(join(root, path));
    newest = Math.max(newest, s.mtimeMs, s.ctimeMs);
  }
  while (Date.now() - newest <= TEST_RACY_WINDOW_MS) await new Promise((resolve) => setTimeout(resolve, 10));
}

const SERVICES = ['api', 'db', 'queue', 'dns', 'auth'];

function runbookText(rand: () => number): string {
  const service = SERVICES[Math.floor(rand() * SERVICES.length)];
  const n = Math.floor(rand() * 1000);
  const steps = 1 + Math.floor(rand() * 3);
  const lines = ['---', `services: [${service}]`, `tags: [t${n % 7}]`, '---', `# Runbook ${n}`, ''];
  for (let s = 0; s < steps; s++) {
    lines.push(`## Step ${s} for ${service}`, '', '```sh', `kubectl rollout restart deploy/${service}-${n + s}`, rand() < 0.3 ? 'rm -rf /tmp/{{DIR}}' : 'echo ok', '```', '');
  }
  if (rand() < 0.3) lines.push('See [other](../a/missing.md).');
  return lines.join('\n');
}

function incidentText(rand: () => number, runbooks: string[]): string {
  const id = `INC-${String(1 + Math.floor(rand() * 6)).padStart(4, '0')}`;
  const severity = rand() < 0.2 ? 'SEVX' : `SEV${1 + Math.floor(rand() * 3)}`;
  const runbook = runbooks.length > 0 && rand() < 0.7 ? runbooks[Math.floor(rand() * runbooks.length)] : 'nowhere/missing.md';
  return [
    `id: ${id}`,
    `title: Incident ${Math.floor(rand() * 1000)}`,
    `status: ${rand() < 0.5 ? 'triage' : 'resolved'}`,
    `severity: ${severity}`,
    'mode: standard',
    `services: [${SERVICES[Math.floor(rand() * SERVICES.length)]}]`,
    'started_at: 2026-09-08T03:12:00Z',
    `runbooks: [${runbook}]`,
    rand() < 0.2 ? 'unknwon_key: 1' : 'commander: dmitri',
    '',
  ].join('\n');
}

/** The same text with one digit changed: same size, different content (the clock-skew case). */
function sameSizeEdit(text: string, rand: () => number): string {
  const digits = [...text.matchAll(/\d/g)].map((m) => m.index!);
  if (digits.length === 0) return text;
  const at = digits[Math.floor(rand() * digits.length)];
  const next = String((Number(text[at]) + 1 + Math.floor(rand() * 8)) % 10);
  return text.slice(0, at) + next + text.slice(at + 1);
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function indexedFiles(root: string): string[] {
  return listRepositoryFiles(root).filter((p) => /\.(md|ya?ml)$/.test(p) && !p.startsWith('.'));
}

const CONFIGS = [
  undefined,
  'severities:\n  - name: SEV1\n    rank: 1\n  - name: SEVX\n    rank: 2\n',
  'runbook_include: ["a/**/*.md"]\n',
  'incident_include: ["**/records/**/*.yaml", "**/incidents/**/*.yaml"]\n',
];

describe('summary cache', function () {
  this.timeout(120_000);
  let pool: IndexWorkerPool;
  let dir: string;

  before(() => {
    pool = new IndexWorkerPool({ workers: 2 });
  });
  after(async () => {
    await pool.dispose();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'summary-cache-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const seed of [1, 2, 3]) {
    it(`equals a fresh build over random edits, renames, deletes, checkouts, config changes and clock skew (seed ${seed})`, async () => {
      const rand = seededRandom(seed);
      const root = join(dir, 'repo');
      mkdirSync(root);
      git(root, 'init', '-q', '-b', 'main');
      git(root, 'config', 'user.email', 't@example.com');
      git(root, 'config', 'user.name', 'T');
      git(root, 'config', 'commit.gpgsign', 'false');
      for (let i = 0; i < 8; i++) write(root, `${rand() < 0.5 ? 'a' : 'b'}/r${i}.md`, runbookText(rand));
      const runbooksNow = (): string[] => indexedFiles(root).filter((p) => p.endsWith('.md'));
      for (let i = 0; i < 6; i++) write(root, `incidents/INC-${i}.yaml`, incidentText(rand, runbooksNow()));
      git(root, 'add', '-A');
      git(root, 'commit', '-q', '-m', 'start');
      git(root, 'branch', 'other');
      const cacheFile = defaultCliCacheFile(root);
      assert.equal(cacheFile, join(root, '.git', 'runbook-ops', 'index-cache'));
      const done = new Map<string, number>();
      let hits = 0;
      for (let step = 0; step < 30; step++) {
        const files = indexedFiles(root);
        const pick = (): string => files[Math.floor(rand() * files.length)];
        const r = rand();
        let op: string;
        if (r < 0.15 && files.length > 0) {
          op = 'edit';
          const path = pick();
          write(root, path, path.endsWith('.md') ? runbookText(rand) : incidentText(rand, runbooksNow()));
        } else if (r < 0.35 && files.length > 0) {
          // Clock skew: equal size, mtime put back exactly. Only ctime (or the content) tells.
          op = 'same-size edit, mtime set back';
          const path = pick();
          const full = join(root, path);
          // A whole second, so utimes can put back exactly the mtime the cache holds.
          const mtime = Math.floor(Date.now() / 1000) - 3600;
          utimesSync(full, mtime, mtime);
          // The file must be in the cache for the skew to matter: let it age past the racy window and build.
          await settle(root);
          const warm = await cachedBuild(root, cacheFile, pool);
          hits += warm.cache.hits;
          writeFileSync(full, sameSizeEdit(readFileSync(full, 'utf8'), rand));
          utimesSync(full, mtime, mtime);
        } else if (r < 0.45 && files.length > 0) {
          op = 'rename';
          const path = pick();
          const to = path.endsWith('.md') ? `${rand() < 0.5 ? 'a' : 'b'}/m${step}.md` : `incidents/MOVED-${step}.yaml`;
          mkdirSync(dirname(join(root, to)), { recursive: true });
          renameSync(join(root, path), join(root, to));
        } else if (r < 0.53 && files.length > 2) {
          op = 'delete';
          unlinkSync(join(root, pick()));
        } else if (r < 0.63) {
          op = 'add';
          if (rand() < 0.5) write(root, `b/new${step}.md`, runbookText(rand));
          else write(root, `incidents/NEW-${step}.yaml`, incidentText(rand, runbooksNow()));
        } else if (r < 0.78) {
          op = 'git checkout';
          git(root, 'add', '-A');
          git(root, 'commit', '-q', '--allow-empty', '-m', `step ${step}`);
          const branch = git(root, 'branch', '--show-current').trim();
          git(root, 'checkout', '-q', branch === 'main' ? 'other' : 'main');
        } else if (r < 0.88) {
          op = 'config change';
          const config = CONFIGS[Math.floor(rand() * CONFIGS.length)];
          if (config === undefined) rmSync(join(root, REPO_CONFIG_FILE), { force: true });
          else write(root, REPO_CONFIG_FILE, config);
        } else {
          op = 'nothing';
          // Sometimes let the files age past the racy window, so unchanged ones come from the cache.
          await settle(root);
        }
        done.set(op, (done.get(op) ?? 0) + 1);
        const { index, cache } = await cachedBuild(root, cacheFile, pool);
        hits += cache.hits;
        assert.deepEqual(views(index), views(await freshBuild(root, pool)), `step ${step} (${op}): the cached build differs from a fresh one`);
      }
      // The sequence exercised the cache rather than missing it every time.
      assert.ok(hits > 0, `no summary came from the cache (${[...done].join(', ')})`);
    });
  }

  it('reads nothing again when nothing changed, and does not rewrite the cache', async () => {
    const root = join(dir, 'repo');
    for (let i = 0; i < 5; i++) write(root, `a/r${i}.md`, runbookText(seededRandom(i)));
    write(root, 'incidents/INC-1.yaml', incidentText(seededRandom(9), ['a/r0.md']));
    const cacheFile = join(dir, 'cache');
    await settle(root);
    const first = await cachedBuild(root, cacheFile, pool);
    assert.deepEqual([first.cache.outcome, first.cache.hits, first.cache.misses, first.cache.written], ['absent', 0, 6, true]);
    const second = await cachedBuild(root, cacheFile, pool);
    assert.deepEqual([second.cache.outcome, second.cache.hits, second.cache.misses, second.cache.written], ['loaded', 6, 0, false]);
    assert.deepEqual(views(second.index), views(first.index));
    // The steps of a cached runbook decode like those of a parsed one.
    assert.deepEqual(JSON.parse(JSON.stringify(second.index.getRunbook('a/r1.md')!.steps)), JSON.parse(JSON.stringify(first.index.getRunbook('a/r1.md')!.steps)));
  });

  it('does not store files changed within the racy window of the build', async () => {
    const root = join(dir, 'repo');
    write(root, 'a/old.md', runbookText(seededRandom(1)));
    await settle(root);
    write(root, 'a/new.md', runbookText(seededRandom(2)));
    const cacheFile = join(dir, 'cache');
    // Built at once: a/new.md changed just now, so a change in the same timestamp tick could go unseen.
    await cachedBuild(root, cacheFile, pool);
    const stored = [...(await readCacheFile(cacheFile, summaryCacheKey('test', readConfig(root), layoutFromConfig(readConfig(root))))).entries.keys()];
    assert.ok(stored.includes('a/old.md'));
    if (stored.includes('a/new.md')) {
      // Only when the build itself started later than the window after the write (a slow machine).
      const s = statSync(join(root, 'a/new.md'));
      assert.ok(Date.now() - Math.max(s.mtimeMs, s.ctimeMs) > TEST_RACY_WINDOW_MS);
    }
  });

  it('treats a truncated, corrupt, foreign or other-version cache as absent, and writes a good one', async () => {
    const root = join(dir, 'repo');
    for (let i = 0; i < 4; i++) write(root, `a/r${i}.md`, runbookText(seededRandom(i)));
    write(root, 'incidents/INC-1.yaml', incidentText(seededRandom(5), []));
    await settle(root);
    const cacheFile = join(dir, 'cache');
    const good = await cachedBuild(root, cacheFile, pool);
    const bytes = readFileSync(cacheFile);
    const damage: [string, () => void, string][] = [
      ['truncated', () => truncateSync(cacheFile, Math.floor(bytes.length * 0.7)), 'corrupt'],
      ['one byte changed', () => {
        const copy = Buffer.from(bytes);
        copy[copy.length - 20] ^= 0x01;
        writeFileSync(cacheFile, copy);
      }, 'corrupt'],
      ['empty', () => writeFileSync(cacheFile, ''), 'foreign'],
      ['not a cache', () => writeFileSync(cacheFile, 'PK\u0003\u0004 some zip file\n{}\n'), 'foreign'],
      ['a header claiming the body', () => {
        const text = bytes.toString('utf8');
        const headerEnd = text.indexOf('\n', text.indexOf('\n') + 1);
        writeFileSync(cacheFile, `${text.slice(0, headerEnd + 1)}[["a/r0.md","runbook",1,1,1,1,2,0]]\n[]`);
      }, 'corrupt'],
    ];
    for (const [what, spoil, outcome] of damage) {
      spoil();
      const { index, cache } = await cachedBuild(root, cacheFile, pool);
      assert.deepEqual([cache.outcome, cache.hits, cache.written], [outcome, 0, true], what);
      assert.deepEqual(views(index), views(good.index), what);
      // The rewritten cache is whole again.
      assert.equal((await cachedBuild(root, cacheFile, pool)).cache.hits, 5, what);
    }
    // Another parser version (or config, or layout): the key differs, so nothing is used.
    const other = await cachedBuild(root, cacheFile, pool, 'another version');
    assert.deepEqual([other.cache.outcome, other.cache.hits], ['foreign', 0]);
    assert.deepEqual(views(other.index), views(good.index));
    assert.ok(readdirSync(dir).every((name) => !name.includes('.tmp')), 'no temporary file is left beside the cache');
  });

  it('does not store a file a worker gave up on: the next build tries it on a worker again', async () => {
    const root = join(dir, 'repo');
    write(root, 'a/stalls.md', runbookText(seededRandom(1)));
    write(root, 'a/fine.md', runbookText(seededRandom(2)));
    await settle(root);
    const cacheFile = join(dir, 'cache');
    const before = process.env[TEST_SPIN_ENV];
    // Workers copy the environment when they start: this pool's workers spin on a/stalls.md.
    process.env[TEST_SPIN_ENV] = 'stalls';
    const stalling = new IndexWorkerPool({ workers: 1, parseBudgetMs: 200 });
    try {
      const config = readConfig(root);
      const key = summaryCacheKey('test', config, layoutFromConfig(config));
      const build = (): ReturnType<typeof buildIndexWithCache> => buildIndexWithCache(newIndex(config), root, listRepositoryFiles(root), { file: cacheFile, key, pool: stalling, racyWindowMs: TEST_RACY_WINDOW_MS });
      const first = await build();
      assert.deepEqual(first.givenUp.map((f) => f.path), ['a/stalls.md']);
      assert.deepEqual([...(await readCacheFile(cacheFile, key)).entries.keys()], ['a/fine.md']);
      const second = await build();
      assert.deepEqual([second.cache.hits, second.cache.misses, second.givenUp.map((f) => f.path)], [1, 1, ['a/stalls.md']]);
    } finally {
      if (before === undefined) delete process.env[TEST_SPIN_ENV];
      else process.env[TEST_SPIN_ENV] = before;
      await stalling.dispose();
    }
    // Without the stall it parses, and is stored.
    const third = await cachedBuild(root, cacheFile, pool);
    assert.deepEqual([third.cache.hits, third.cache.misses], [1, 1]);
    assert.equal((await cachedBuild(root, cacheFile, pool)).cache.hits, 2);
  });

  it('runbook-ops index prints the same from the cache, from a damaged cache and with --no-cache', async () => {
    const cli = resolve(__dirname, '../../../dist/cli.js');
    const root = join(dir, 'repo');
    mkdirSync(root);
    git(root, 'init', '-q');
    for (let i = 0; i < 4; i++) write(root, `a/r${i}.md`, runbookText(seededRandom(i)));
    write(root, 'incidents/INC-1.yaml', incidentText(seededRandom(7), ['a/r0.md']));
    await settle(root);
    const run = (...args: string[]): string => {
      const result = spawnSync(process.execPath, [cli, 'index', root, '--format', 'json', ...args], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      return result.stdout;
    };
    const cacheFile = join(root, '.git', 'runbook-ops', 'index-cache');
    const uncached = run('--no-cache');
    assert.equal(existsSync(cacheFile), false, '--no-cache leaves no cache');
    assert.equal(run(), uncached);
    assert.ok(existsSync(cacheFile));
    assert.equal(run(), uncached);
    truncateSync(cacheFile, 100);
    assert.equal(run(), uncached);
    // The config is part of the key: a changed severity scale is seen at once.
    write(root, REPO_CONFIG_FILE, 'severities:\n  - name: SEV9\n    rank: 1\n');
    const changed = run();
    assert.notEqual(changed, uncached);
    assert.equal(changed, run('--no-cache'));
  });
});
