// The parse budget (issue 14, item 2): a worker stuck on one file is replaced, the build goes on, and
// the file is indexed with a line-1 problem; the CLI says so; the host's gate never lets a given-up
// text be parsed in its thread. Real worker threads, real files, and the test-only spin hook
// (RUNBOOK_OPS_TEST_SPIN_ON, read only by index workers). No test asserts a duration: they wait for
// the build (or the process) to finish, under generous mocha and process deadlines.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { WorkspaceIndex, type RunbookSummary } from '../../src/core/index/workspaceIndex';
import type { IncidentCheckFacts } from '../../src/core/incident/incidentCheck';
import { IndexWorkerPool } from '../../src/fs/parallelIndex';
import { GivenUpFiles, overBudgetProblem, TEST_SPIN_ENV } from '../../src/core/index/parseBudget';
import { contentHash } from '../../src/fs/contentHash';
import { DEFAULT_REPO_CONFIG } from '../../src/core/config/repoConfig';
import { listRepositoryFiles } from '../../src/fs/repositoryFiles';

const repoRoot = resolve(__dirname, '../../..');
const cli = join(repoRoot, 'dist/cli.js');
/** Short, so the tests do not idle; the CLI runs with its default. */
const BUDGET_MS = 1_000;
/** No process the tests start may outlive this. */
const PROCESS_DEADLINE_MS = 60_000;

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

function runbook(title: string, step: string): string {
  return `# ${title}\n\n## ${step}\n\n\`\`\`sh\necho ${step.toLowerCase().replace(/\W+/g, '-')}\n\`\`\`\n`;
}

/** A repository of `count` runbooks db/rb-<n>.md (one of them named `slow`), and an incident that names the slow one. */
function makeRepository(count: number, slowAt: number): { root: string; slow: string; others: string[] } {
  const root = mkdtempSync(join(tmpdir(), 'rbo-budget-'));
  const others: string[] = [];
  let slow = '';
  for (let n = 0; n < count; n++) {
    const path = n === slowAt ? `db/rb-${n}-slow.md` : `db/rb-${n}.md`;
    write(root, path, runbook(`Runbook ${n}`, `Step ${n}`));
    if (n === slowAt) slow = path;
    else others.push(path);
  }
  write(root, 'incidents/INC-0001.yaml', [
    'id: INC-0001',
    'title: Slow runbook used',
    'status: triage',
    'severity: SEV3',
    'mode: standard',
    'services: [db]',
    'declared_at: 2026-09-08T03:16:00Z',
    `runbooks: [${slow}]`,
    'timeline:',
    '  - at: 2026-09-08T03:16:00Z',
    '    by: alice',
    '    kind: action',
    `    text: Ran a step of ${slow}`,
    `    step: ${slow}#step-${slowAt}`,
    '',
  ].join('\n'));
  return { root, slow, others };
}

/** Runs `fn` with the spin hook set for the workers started meanwhile (they copy the environment when they start). */
async function withSpinOn<T>(text: string, fn: () => Promise<T>): Promise<T> {
  const before = process.env[TEST_SPIN_ENV];
  process.env[TEST_SPIN_ENV] = text;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env[TEST_SPIN_ENV];
    else process.env[TEST_SPIN_ENV] = before;
  }
}

function assertGivenUp(summary: RunbookSummary | undefined, path: string): void {
  assert.ok(summary, `${path} is indexed`);
  assert.deepEqual(summary.steps, [], `${path} has no steps`);
  assert.equal(summary.problems.length, 1);
  assert.equal(summary.problems[0].line, 1);
  assert.equal(summary.problems[0].severity, 'error');
  assert.match(summary.problems[0].message, /^Runbook Ops gave up reading this file after 1 s: .*The rest of the repository was indexed\. Please report this file/);
}

describe('parse budget: a file that stalls a worker (issue 14, item 2)', function () {
  this.timeout(120_000);

  it('replaces the worker stuck on one file, indexes every other file, and gives that file its line-1 problem', async () => {
    // Batches of 3 on 2 workers: the slow file sits mid-batch, so the files before it are sent again.
    const { root, slow, others } = makeRepository(12, 4);
    const pool = new IndexWorkerPool({ workers: 2, parseBudgetMs: BUDGET_MS });
    try {
      const index = new WorkspaceIndex();
      const report = await withSpinOn('-slow', () => pool.build(index, root, listRepositoryFiles(root), { batchSize: 3 }));
      assert.equal(report.workers, 2, 'built on the workers');
      assert.deepEqual(report.givenUp.map((f) => [f.path, f.kind, f.problem.line]), [[slow, 'runbook', 1]]);
      assertGivenUp(index.getRunbook(slow), slow);
      for (const path of others) {
        const n = /rb-(\d+)/.exec(path)![1];
        const summary = index.getRunbook(path);
        assert.equal(summary?.title, `Runbook ${n}`, path);
        assert.deepEqual(summary.steps.map((s) => [s.id, s.runnable]), [[`step-${n}`, true]], path);
        assert.deepEqual(summary.problems, [], path);
      }
      assert.equal(index.incidentCount, 1, 'the record is indexed too');
      assert.equal(pool.running, 2, 'the stuck worker was replaced');

      // A warm pool with a replaced worker does it again, and without the hook every file parses.
      const again = new WorkspaceIndex();
      const second = await withSpinOn('-slow', () => pool.build(again, root, listRepositoryFiles(root), { batchSize: 3 }));
      assert.deepEqual(second.givenUp.map((f) => f.path), [slow]);
      assert.deepEqual(again.snapshot(), index.snapshot());
      await pool.dispose();
      const fresh = new WorkspaceIndex();
      assert.deepEqual((await pool.build(fresh, root, listRepositoryFiles(root), { batchSize: 3 })).givenUp, []);
      assert.equal(fresh.getRunbook(slow)?.title, 'Runbook 4');
    } finally {
      await pool.dispose();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('gives up a one-file build on its worker too (there is no unbounded in-process shortcut)', async () => {
    const { root, slow } = makeRepository(1, 0);
    const pool = new IndexWorkerPool({ workers: 2, parseBudgetMs: BUDGET_MS });
    try {
      const index = new WorkspaceIndex();
      const report = await withSpinOn('-slow', () => pool.build(index, root, [slow]));
      assert.equal(report.workers, 1);
      assert.deepEqual(report.givenUp.map((f) => f.path), [slow]);
      assertGivenUp(index.getRunbook(slow), slow);
    } finally {
      await pool.dispose();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('check job: a given-up record is reported with a `gave-up` problem, the other files are checked', async () => {
    const { root } = makeRepository(3, 1);
    write(root, 'incidents/INC-0002.yaml', 'id: INC-0002\ntitle: Other\nstatus: triage\nseverity: SEV3\nmode: standard\ndeclared_at: 2026-09-08T03:16:00Z\n');
    const pool = new IndexWorkerPool({ workers: 2, parseBudgetMs: BUDGET_MS });
    try {
      const files = ['incidents/INC-0001.yaml', 'incidents/INC-0002.yaml'].map((path) => ({ path, kind: 'incident' as const, reported: true }));
      const context = { runbookPaths: ['db/rb-0.md', 'db/rb-1-slow.md', 'db/rb-2.md'], stepIds: [], nowMs: Date.parse('2026-09-09T00:00:00Z'), deletedIds: [], givenUp: ['db/rb-1-slow.md'] };
      const results = await withSpinOn('INC-0001', () => pool.checkFiles(root, DEFAULT_REPO_CONFIG, files, context, { batchSize: 1 }));
      const facts = results.map((r) => ('checked' in r ? r.checked : undefined)) as IncidentCheckFacts[];
      assert.equal(facts[0].path, 'incidents/INC-0001.yaml');
      assert.equal(facts[0].unreadable, true);
      assert.deepEqual(facts[0].problems.map((p) => [p.line, p.severity, p.code]), [[1, 'error', 'gave-up']]);
      assert.equal(facts[1].path, 'incidents/INC-0002.yaml');
      assert.equal(facts[1].id?.value, 'INC-0002');
      assert.deepEqual(facts[1].problems.filter((p) => p.severity === 'error'), []);
    } finally {
      await pool.dispose();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('texts from the caller (editor buffers) are parsed on a worker under the same budget', async () => {
    const pool = new IndexWorkerPool({ workers: 1, parseBudgetMs: BUDGET_MS });
    try {
      const results = await withSpinOn('-slow', () => pool.summarizeTexts(DEFAULT_REPO_CONFIG, [
        { path: 'db/a-slow.md', kind: 'runbook', content: runbook('Edited', 'Step A') },
        { path: 'db/b.md', kind: 'runbook', content: runbook('Buffer', 'Step B') },
      ]));
      assert.ok('summary' in results[0] && results[0].givenUp);
      assertGivenUp(results[0].summary as RunbookSummary, 'db/a-slow.md');
      assert.ok('summary' in results[1] && !results[1].givenUp);
      assert.equal((results[1].summary as RunbookSummary).title, 'Buffer');
    } finally {
      await pool.dispose();
    }
  });

  it('`runbook-ops check` exits 1 naming the file; `steps` on it answers with the problem (dist/cli.js)', () => {
    const { root, slow, others } = makeRepository(3, 1);
    try {
      const env = { ...process.env, [TEST_SPIN_ENV]: '-slow' };
      const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, env, encoding: 'utf8', timeout: PROCESS_DEADLINE_MS });

      const check = run(['check', '.']);
      assert.equal(check.error, undefined, 'check finished');
      assert.equal(check.status, 1, check.stderr);
      assert.match(check.stdout, new RegExp(`^${slow}:1: error: Runbook Ops gave up reading this file after 5 s: `, 'm'));
      // Only the slow runbook: the record naming it (and a step of it) is not blamed.
      assert.match(check.stdout, /^Checked 3 runbooks and 1 incident: 1 error, 0 warnings\.$/m);

      const steps = run(['steps', slow, '--format', 'json']);
      assert.equal(steps.error, undefined, 'steps finished');
      assert.equal(steps.status, 1, steps.stderr);
      const printed = JSON.parse(steps.stdout) as { path: string; steps: unknown[]; problems: { line: number; message: string }[] };
      assert.equal(printed.path, slow);
      assert.deepEqual(printed.steps, []);
      assert.equal(printed.problems[0].line, 1);
      assert.match(printed.problems[0].message, /^Runbook Ops gave up reading this file after 5 s/);

      // The other runbooks still answer `steps` (on a worker as well).
      const fine = run(['steps', others[0], '--format', 'json']);
      assert.equal(fine.status, 0, fine.stderr);
      assert.equal((JSON.parse(fine.stdout) as { steps: unknown[] }).steps.length, 1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('parse budget: what the calling thread may parse (GivenUpFiles)', () => {
  const key = 'file:///repo/db/slow.md';
  const slowText = runbook('Slow', 'Step');
  const problem = overBudgetProblem(5_000);

  it('a given-up text is never parsed here; an unchanged file on disk is not tried again', () => {
    const files = new GivenUpFiles();
    assert.equal(files.gate(key, contentHash(slowText)), 'parse', 'no worker gave up on it yet');
    files.giveUp(key, contentHash(Buffer.from(slowText)), problem);
    // The editor buffer (a string, CRLF or BOM or not) and the bytes on disk hash alike.
    assert.equal(files.gate(key, contentHash(slowText)), 'given-up');
    assert.equal(files.gate(key, contentHash(`\ufeff${slowText.replace(/\n/g, '\r\n')}`)), 'given-up');
    assert.equal(files.gaveUpOn(key, contentHash(Buffer.from(slowText))), true);
    assert.deepEqual(files.problem(key), problem);
  });

  it('changed text goes to a worker first, one try at a time, and is parsed here only after a worker parsed it in time', () => {
    const files = new GivenUpFiles();
    files.giveUp(key, contentHash(slowText), problem);
    const edited = contentHash(`${slowText}\nmore`);
    assert.equal(files.gate(key, edited), 'vet', 'the new text is tried on a worker');
    assert.equal(files.gate(key, edited), 'given-up', 'while the try runs, it is not parsed here');
    assert.equal(files.gate(key, contentHash(`${slowText}\nmore and more`)), 'given-up', 'one try in flight per file');
    files.tried(key, edited, { parsed: true });
    assert.equal(files.gate(key, edited), 'parse', 'a worker parsed this text within the budget');
    assert.equal(files.gate(key, contentHash(slowText)), 'given-up', 'the old text is still given up');

    const worse = contentHash(`${slowText}\nworse`);
    assert.equal(files.gate(key, worse), 'vet');
    files.tried(key, worse, { parsed: false, problem });
    assert.equal(files.gate(key, worse), 'given-up', 'a worker gave up on this text too');
    assert.ok(files.clear(key));
    assert.equal(files.gate(key, worse), 'parse', 'cleared once the file on disk parsed in time');
  });
});
