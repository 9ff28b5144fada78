import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GitNotFoundError, NotAGitRepositoryError, gitEnvironment, spawnGit, type GitSpawner } from '../../src/git/gitProcess';
import { buildLastCommitMap, updateLastCommitMap, type LastCommit, type LastCommitMap } from '../../src/git/reviewDates';
import { createHistoryRepository, git, type HistoryFixture } from '../bench/reviewDates.bench';

/** A spawner that records the arguments of every git process it starts. */
function recordingSpawner(): { spawner: GitSpawner; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    spawner: (args, cwd) => {
      calls.push([...args]);
      return spawnGit(args, cwd);
    },
  };
}

const subcommands = (calls: string[][]): string[] => calls.map((args) => args[0]);

/** What git itself says about one file: the reference the one-pass map must equal. */
function lastCommitByGit(root: string, path: string): LastCommit | undefined {
  const out = git(root, ['--literal-pathspecs', 'log', '-1', '--format=%H%x00%cI%x00%aN', '--', path]).replace(/\n$/, '');
  if (out === '') return undefined;
  const [hash, date, author] = out.split('\0');
  return { hash, date, author };
}

function byPath<T>(entries: Iterable<[string, T]>): [string, T][] {
  return [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Everything a map holds, in a form deepEqual can compare. */
function contents(map: LastCommitMap): { head?: string; history: string; entries: [string, LastCommit][]; unknown: string[] } {
  return {
    head: map.head,
    history: map.history,
    entries: byPath([...map].map(([path, entry]): [string, LastCommit] => [path, { ...entry }])),
    unknown: [...map.unknownDates].sort(),
  };
}

/** 25 files: every awkward name, files last changed by merges and side branches, renames, then a spread of the rest. */
function sampleFiles(fixture: HistoryFixture): string[] {
  const chosen = new Set<string>([
    ...fixture.unusualPaths,
    ...fixture.mergedOnBothSides.slice(0, 4),
    ...fixture.changedOnSideBranch.slice(0, 4),
    ...fixture.renamed.slice(0, 3),
  ]);
  const step = Math.floor(fixture.files.length / 25);
  for (let i = 0; chosen.size < 25; i += step) chosen.add(fixture.files[i % fixture.files.length]);
  return [...chosen].slice(0, 25);
}

describe('review dates from git (src/git/reviewDates)', function () {
  this.timeout(60_000);
  let scratch: string;
  let fixture: HistoryFixture;
  let full: LastCommitMap;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'rbo-review-dates-'));
    fixture = createHistoryRepository(join(scratch, 'repo'), { files: 500, commits: 1000 });
    full = await buildLastCommitMap(fixture.root);
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  function freshDir(name: string): string {
    return mkdtempSync(join(scratch, `${name}-`));
  }

  it('builds the fixture: 500+ runbooks, 1,000 commits with merges', () => {
    assert.equal(fixture.commitCount, 1000);
    assert.ok(fixture.files.length >= 500, `${fixture.files.length} files`);
    assert.ok(fixture.mergeCount >= 10, `${fixture.mergeCount} merges`);
    assert.ok(fixture.mergedOnBothSides.length >= 4, 'some files were changed on both sides of a merge');
    assert.equal(fixture.unusualPaths.length >= 6, true);
  });

  it('matches `git log -1 -- <file>` (hash, date, author) for a sample of 25 files, and has every file at HEAD', () => {
    assert.equal(full.history, 'full');
    assert.equal(full.head, git(fixture.root, ['rev-parse', 'HEAD']).trim());
    for (const path of fixture.files) assert.ok(full.has(path), `no entry for ${JSON.stringify(path)}`);
    const sample = sampleFiles(fixture);
    assert.equal(sample.length, 25);
    for (const path of sample) assert.deepEqual({ ...full.get(path) }, lastCommitByGit(fixture.root, path), JSON.stringify(path));
  });

  it('credits a merge commit when it changed a file relative to both parents', () => {
    const merges = new Set(git(fixture.root, ['rev-list', '--merges', 'HEAD']).split('\n').filter(Boolean));
    const creditedToMerges = fixture.files.filter((path) => merges.has(full.get(path)!.hash));
    assert.ok(creditedToMerges.length > 0, 'some file was last changed by a merge');
    for (const path of creditedToMerges.slice(0, 3)) assert.deepEqual({ ...full.get(path) }, lastCommitByGit(fixture.root, path));
  });

  it('keeps paths with spaces, quotes, tabs, newlines and unicode exactly as git stores them', () => {
    for (const path of fixture.unusualPaths) {
      assert.ok(full.has(path), `no entry for ${JSON.stringify(path)}`);
      assert.deepEqual({ ...full.get(path) }, lastCommitByGit(fixture.root, path), JSON.stringify(path));
    }
    assert.ok([...full.values()].some((e) => e.author === '李雷'), 'unicode author names survive');
  });

  it('spawns exactly one git log process for the full build (counted by the injected spawner)', async () => {
    const { spawner, calls } = recordingSpawner();
    const map = await buildLastCommitMap(fixture.root, { spawner });
    assert.deepEqual(subcommands(calls), ['rev-parse', 'log']);
    assert.deepEqual(contents(map), contents(full));
  });

  it('spawns exactly one git log process for the full build (counted by git trace2, whoever starts git)', async () => {
    const trace = join(freshDir('trace'), 'events.json');
    const previous = process.env.GIT_TRACE2_EVENT;
    process.env.GIT_TRACE2_EVENT = trace;
    try {
      await buildLastCommitMap(fixture.root);
    } finally {
      if (previous === undefined) delete process.env.GIT_TRACE2_EVENT;
      else process.env.GIT_TRACE2_EVENT = previous;
    }
    const starts = readFileSync(trace, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { event: string; argv?: string[] })
      .filter((event) => event.event === 'start');
    assert.equal(starts.filter((event) => event.argv?.[1] === 'log').length, 1);
    assert.equal(starts.length, 2, JSON.stringify(starts.map((event) => event.argv?.slice(0, 2))));
  });

  it('answers for a folder inside the repository with paths relative to that folder', async () => {
    const folder = 'services/svc-03/';
    const map = await buildLastCommitMap(join(fixture.root, folder));
    const expected = [...full].filter(([path]) => path.startsWith(folder)).map(([path, entry]): [string, LastCommit] => [path.slice(folder.length), entry]);
    assert.ok(expected.length > 5);
    assert.deepEqual(byPath(map), byPath(expected));
  });

  it('reports a depth-1 shallow clone as shallow with every date unknown, without throwing', async () => {
    const clone = join(freshDir('shallow1'), 'clone');
    git(scratch, ['clone', '-q', '--depth', '1', `file://${fixture.root}`, clone]);
    const map = await buildLastCommitMap(clone);
    assert.equal(map.history, 'shallow');
    assert.equal(map.head, full.head);
    assert.equal(map.size, 0);
    assert.deepEqual([...map.unknownDates].sort(), [...fixture.files].sort());
  });

  it('keeps exact dates for files changed inside a deeper shallow clone, then catches up after --unshallow', async () => {
    const clone = join(freshDir('shallow5'), 'clone');
    git(scratch, ['clone', '-q', '--depth', '5', `file://${fixture.root}`, clone]);
    const map = await buildLastCommitMap(clone);
    assert.equal(map.history, 'shallow');
    // The fixture's last commits are linear: HEAD~4 is the cut-off, HEAD..HEAD~3 are complete.
    const complete = new Set(git(fixture.root, ['rev-list', '-4', 'HEAD']).split('\n').filter(Boolean));
    const expected = [...full].filter(([, entry]) => complete.has(entry.hash));
    assert.ok(expected.length > 0 && map.unknownDates.size > 0);
    assert.deepEqual(byPath(map), byPath(expected));
    for (const path of fixture.files) assert.ok(map.has(path) !== map.unknownDates.has(path), JSON.stringify(path));

    git(clone, ['fetch', '-q', '--unshallow']);
    const update = await updateLastCommitMap(map, clone);
    assert.equal(update.rebuilt, true);
    assert.deepEqual(contents(map), contents(full));
  });

  it('updates incrementally after 3 new commits (one a merge) to exactly what a full rebuild gives', async () => {
    const clone = join(freshDir('incremental'), 'clone');
    git(scratch, ['clone', '-q', fixture.root, clone]);
    const map = await buildLastCommitMap(clone);
    const before = map.head!;

    const edited = fixture.unusualPaths[0];
    const added = 'new runbooks/Neue Übung 🚒.md';
    const deleted = fixture.files.find((p) => p.startsWith('services/svc-07/'))!;
    const onSide = fixture.files.find((p) => p.startsWith('services/svc-09/'))!;
    writeFileSync(join(clone, edited), '# edited\n');
    mkdirSync(join(clone, 'new runbooks'));
    writeFileSync(join(clone, added), '# added\n');
    git(clone, ['add', '--', edited, added]);
    git(clone, ['rm', '-q', '--', deleted]);
    git(clone, ['commit', '-q', '-m', 'Edit, add and delete']);
    git(clone, ['checkout', '-q', '-b', 'side']);
    writeFileSync(join(clone, onSide), '# side\n');
    git(clone, ['commit', '-q', '-am', 'Side change']);
    git(clone, ['checkout', '-q', 'main']);
    git(clone, ['merge', '-q', '--no-ff', '-m', 'Merge side', 'side']);
    assert.equal(git(clone, ['rev-list', '--count', `${before}..HEAD`]).trim(), '3');

    const { spawner, calls } = recordingSpawner();
    const update = await updateLastCommitMap(map, clone, before, { spawner });
    assert.deepEqual(subcommands(calls), ['rev-parse', 'log'], 'one rev-parse and one git log over the new commits only');
    assert.ok(calls[1].includes(`^${before}`));
    assert.equal(update.rebuilt, false);
    assert.deepEqual(update.changed, [added, edited, onSide].sort());
    assert.deepEqual(contents(map), contents(await buildLastCommitMap(clone)));
    assert.deepEqual({ ...map.get(onSide) }, lastCommitByGit(clone, onSide));

    // History rewritten: the merge is dropped and a new commit made; the map is rebuilt, not patched.
    git(clone, ['reset', '-q', '--hard', 'HEAD~1']);
    writeFileSync(join(clone, edited), '# edited again\n');
    git(clone, ['commit', '-q', '-am', 'After reset']);
    const rewritten = await updateLastCommitMap(map, clone);
    assert.equal(rewritten.rebuilt, true);
    assert.ok(rewritten.changed.includes(onSide) && rewritten.changed.includes(edited));
    assert.deepEqual(contents(map), contents(await buildLastCommitMap(clone)));

    const unchanged = await updateLastCommitMap(map, clone);
    assert.deepEqual(unchanged, { changed: [], rebuilt: false });
  });

  it('handles a repository with no commits yet, then its first commit', async () => {
    const repo = freshDir('empty');
    git(repo, ['init', '-q']);
    const { spawner, calls } = recordingSpawner();
    const map = await buildLastCommitMap(repo, { spawner });
    assert.deepEqual(subcommands(calls), ['rev-parse'], 'no git log without a commit');
    assert.equal(map.history, 'none');
    assert.equal(map.head, undefined);
    assert.equal(map.size, 0);

    writeFileSync(join(repo, 'first runbook.md'), '# First\n');
    git(repo, ['add', '.']);
    git(repo, ['commit', '-q', '-m', 'First']);
    const update = await updateLastCommitMap(map, repo);
    assert.deepEqual(update.changed, ['first runbook.md']);
    assert.equal(map.history, 'full');
    assert.equal(map.get('first runbook.md')?.hash, git(repo, ['rev-parse', 'HEAD']).trim());
  });

  it('rejects with NotAGitRepositoryError outside a repository and for a missing folder', async () => {
    const outside = freshDir('outside');
    // Stop git's search at the temp folder, whatever repository might enclose it.
    const spawner: GitSpawner = (args, cwd) =>
      spawn('git', [...args], { cwd, env: { ...gitEnvironment(), GIT_CEILING_DIRECTORIES: dirname(outside) }, stdio: ['ignore', 'pipe', 'pipe'] });
    await assert.rejects(buildLastCommitMap(outside, { spawner }), (error: unknown) => {
      assert.ok(error instanceof NotAGitRepositoryError);
      assert.equal(error.directory, outside);
      assert.match(error.message, /is not inside a git repository/);
      return true;
    });
    await assert.rejects(buildLastCommitMap(join(outside, 'missing')), (error: unknown) => error instanceof NotAGitRepositoryError && /does not exist/.test(error.message));
  });

  it('rejects with GitNotFoundError when git cannot be started, and honours an aborted signal', async () => {
    const missingGit: GitSpawner = (args, cwd) => spawn('git-that-is-not-installed', [...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    await assert.rejects(buildLastCommitMap(fixture.root, { spawner: missingGit }), GitNotFoundError);
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    await assert.rejects(buildLastCommitMap(fixture.root, { signal: controller.signal }), /stopped/);
  });
});
