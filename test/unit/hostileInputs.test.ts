// Issue 8, item 1: the hostile-input corpus (test/fixtures/hostile/generate.ts) through the parser and
// validator, the in-process and the parallel index builds, and `runbook-ops check` / `index`. Each
// input must give its specific problem (or index as the valid file it is), nothing may throw or hang,
// and the sample repository around the hostile files must index exactly as it does alone.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { WorkspaceIndex, type IncidentSummary, type RunbookSummary } from '../../src/core/index/workspaceIndex';
import type { Problem } from '../../src/core/text/fileText';
import { buildIndexInParallel } from '../../src/fs/parallelIndex';
import { listRepositoryFiles, repositoryReader } from '../../src/fs/repositoryFiles';
import { generateHostileCorpus, type HostileCorpus, type HostileExpectation, type HostileInput } from '../fixtures/hostile/generate';
import type { ProbeResult, SurfaceOutcome } from '../fixtures/hostile/probe';
import { repoRoot, sampleRunbooksDir } from '../harness/paths';

const cli = join(repoRoot, 'dist/cli.js');
const probeScript = join(repoRoot, 'out/test/fixtures/hostile/probe.js');
/** Per input and surface; the slowest (a 50 MB runbook) takes about 4 s on the 2-core CI machine. */
const INPUT_TIMEOUT_MS = 60_000;
const CLI_TIMEOUT_MS = 180_000;

type Verdict = { ok: true; how: 'problem' | 'indexed' | 'not listed' } | { ok: false; why: string };

function judge(expect: HostileExpectation, outcome: { title?: string; problems: readonly Problem[] } | undefined): Verdict {
  if (!outcome) return { ok: false, why: 'not in the result' };
  if ('problem' in expect) {
    const { line, severity, message } = expect.problem;
    if (outcome.problems.some((p) => p.line === line && p.severity === severity && message.test(p.message))) return { ok: true, how: 'problem' };
    const seen = outcome.problems.slice(0, 3).map((p) => `${p.line}:${p.severity}: ${p.message.slice(0, 120)}`).join(' | ') || 'no problems';
    return { ok: false, why: `expected a ${severity} on line ${line} matching ${message}, got: ${seen}` };
  }
  const errors = outcome.problems.filter((p) => p.severity === 'error');
  if (outcome.title !== expect.indexed.title) return { ok: false, why: `title ${JSON.stringify(outcome.title?.slice(0, 60))}, expected ${JSON.stringify(expect.indexed.title.slice(0, 60))}` };
  if (errors.length) return { ok: false, why: `unexpected error: ${errors[0].message.slice(0, 160)}` };
  return { ok: true, how: 'indexed' };
}

/** Runs one input in a worker thread; a worker that does not answer in time is stopped. */
async function probeBounded(root: string, input: HostileInput): Promise<ProbeResult | 'timeout' | Error> {
  const worker = new Worker(probeScript);
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), INPUT_TIMEOUT_MS);
      worker.once('message', (result: ProbeResult) => {
        clearTimeout(timer);
        resolve(result);
      });
      worker.once('error', (err) => {
        clearTimeout(timer);
        resolve(err);
      });
      worker.postMessage({ root, path: input.path, kind: input.kind });
    });
  } finally {
    await worker.terminate();
  }
}

function runCli(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string; ms: number; error?: Error } {
  const started = performance.now();
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: CLI_TIMEOUT_MS, maxBuffer: 1024 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, ms: performance.now() - started, error: result.error };
}

interface Row {
  input: HostileInput;
  /** Surface → verdict and time. */
  cells: Map<string, { verdict: Verdict; ms?: number }>;
}

interface CheckJson {
  files: { path: string; problems: Problem[] }[];
}

interface IndexJson {
  runbooks: RunbookSummary[];
  incidents: IncidentSummary[];
}

function surfaceVerdict(outcome: SurfaceOutcome | undefined, expect: HostileExpectation): Verdict {
  if (outcome?.thrown) return { ok: false, why: `threw: ${outcome.thrown.split('\n')[0]}` };
  return judge(expect, outcome);
}

describe('Hostile inputs: parser, validator, index and CLI', function () {
  this.timeout(15 * 60_000);
  let base: string;
  let corpus: HostileCorpus;
  let samplePaths: string[];
  const rows: Row[] = [];
  const cell = (input: HostileInput, surface: string, verdict: Verdict, ms?: number): void => {
    let row = rows.find((r) => r.input === input);
    if (!row) rows.push((row = { input, cells: new Map() }));
    row.cells.set(surface, { verdict, ms });
  };
  const tried = (): HostileInput[] => corpus.inputs.filter((i) => !i.skipped);
  const failuresOf = (surface: string): string[] =>
    rows.flatMap((r) => {
      const c = r.cells.get(surface);
      return c && !c.verdict.ok ? [`${r.input.name} (${JSON.stringify(r.input.path)}): ${c.verdict.why}`] : [];
    });

  before(function () {
    base = mkdtempSync(join(tmpdir(), 'rbo-hostile-'));
    const root = join(base, 'repo');
    cpSync(sampleRunbooksDir, root, { recursive: true });
    samplePaths = listRepositoryFiles(root);
    corpus = generateHostileCorpus(root, join(base, 'outside'));
  });

  after(function () {
    if (base) rmSync(base, { recursive: true, force: true });
    if (rows.length === 0) return;
    printTable(rows, corpus);
  });

  it('each input alone: parseRunbook / validateIncident and WorkspaceIndex.build report it, in bounded time', async function () {
    for (const input of tried()) {
      const result = await probeBounded(corpus.root, input);
      if (result === 'timeout' || result instanceof Error) {
        const verdict: Verdict = { ok: false, why: result === 'timeout' ? `no answer within ${INPUT_TIMEOUT_MS / 1000} s (hang)` : `worker crashed: ${result.message}` };
        cell(input, 'content', verdict);
        cell(input, 'index', verdict);
        continue;
      }
      // A link that cannot be read has no content to parse; the index reports the read error.
      if (result.content) cell(input, 'content', surfaceVerdict(result.content, input.expect), result.content.ms);
      cell(input, 'index', surfaceVerdict(result.index, input.expect), result.index.ms);
    }
    assert.deepEqual([...failuresOf('content'), ...failuresOf('index')], []);
  });

  it('the whole corpus: the in-process and the parallel builds index every input, and the sample exactly as alone', async function () {
    const hostilePaths = tried().map((i) => i.path);
    const paths = [...new Set([...listRepositoryFiles(corpus.root), ...hostilePaths])];
    const inProcess = new WorkspaceIndex();
    await inProcess.build(paths, repositoryReader(corpus.root));
    const parallel = new WorkspaceIndex();
    const report = await Promise.race([
      buildIndexInParallel(parallel, corpus.root, paths, { workers: 2, batchSize: 8, workerScript: join(repoRoot, 'dist/indexWorker.js') }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the parallel build did not finish in time')), CLI_TIMEOUT_MS).unref()),
    ]);
    assert.equal(report.workers, 2, 'built on worker threads');
    for (const input of tried()) {
      const get = (index: WorkspaceIndex) => (input.kind === 'runbook' ? index.getRunbook(input.path) : index.getIncident(input.path));
      cell(input, 'parallel', judge(input.expect, get(parallel)));
      if (!input.stackDependent) assert.deepEqual(get(parallel), get(inProcess), `${input.name}: the parallel build equals the in-process one`);
    }
    assert.deepEqual(failuresOf('parallel'), []);

    // The rest of the workspace: every sample file indexes exactly as in a build of the sample alone.
    const alone = new WorkspaceIndex();
    await alone.build(listRepositoryFiles(sampleRunbooksDir), repositoryReader(sampleRunbooksDir));
    for (const runbook of alone.runbooks()) assert.deepEqual(parallel.getRunbook(runbook.path), runbook, runbook.path);
    for (const incident of alone.incidents()) assert.deepEqual(parallel.getIncident(incident.path), incident, incident.path);
    assert.ok(alone.runbookCount >= 12 && alone.incidentCount >= 12);
    assert.ok(samplePaths.length > 0);
  });

  it('runbook-ops check and index: exit codes, a problem per input, the sample unaffected; links are never followed', function () {
    const check = runCli(['check', '.', '--format', 'json', '--now', '2026-12-01'], corpus.root);
    assert.equal(check.error, undefined, `check ran: ${check.error?.message}`);
    assert.equal(check.status, 1, `check exits 1 (errors found): ${check.stderr}`);
    assert.equal(check.stderr.replace(/^Review dates of .*\n/m, ''), '', 'nothing on stderr but the review-date note');
    const checked = JSON.parse(check.stdout) as CheckJson;
    const index = runCli(['index', '.', '--format', 'json'], corpus.root);
    assert.equal(index.error, undefined, `index ran: ${index.error?.message}`);
    assert.equal(index.status, 0, index.stderr);
    const indexed = JSON.parse(index.stdout) as IndexJson;

    for (const input of tried()) {
      const file = checked.files.find((f) => f.path === input.path);
      const entry = input.kind === 'runbook' ? indexed.runbooks.find((r) => r.path === input.path) : indexed.incidents.find((r) => r.path === input.path);
      if (input.symlink) {
        // The CLI lists regular files only: a link, inside or out of the repository, is not read.
        const verdict: Verdict = file || entry ? { ok: false, why: 'a symbolic link was followed' } : { ok: true, how: 'not listed' };
        cell(input, 'check', verdict, check.ms);
        cell(input, 'cli index', verdict, index.ms);
        continue;
      }
      // check's JSON lists the files with problems; its "title" is the index's.
      cell(input, 'check', judge(input.expect, { title: entry?.title, problems: file?.problems ?? [] }), check.ms);
      cell(input, 'cli index', judge(input.expect, entry), index.ms);
    }
    assert.deepEqual([...failuresOf('check'), ...failuresOf('cli index')], []);

    // The sample's own files report exactly what they report without the hostile files around them.
    const alone = runCli(['check', '.', '--format', 'json', '--now', '2026-12-01'], sampleRunbooksDir);
    for (const file of (JSON.parse(alone.stdout) as CheckJson).files) {
      assert.deepEqual(checked.files.find((f) => f.path === file.path)?.problems, file.problems, file.path);
    }
    const aloneIndex = JSON.parse(runCli(['index', '.', '--format', 'json'], sampleRunbooksDir).stdout) as IndexJson;
    for (const runbook of aloneIndex.runbooks) assert.deepEqual(indexed.runbooks.find((r) => r.path === runbook.path), runbook);
    for (const incident of aloneIndex.incidents) assert.deepEqual(indexed.incidents.find((r) => r.path === incident.path), incident);
  });

  it('unreadable files (chmod 000) are reported as unreadable', async function () {
    const unreadable = corpus.inputs.filter((i) => i.name.includes('chmod 000'));
    assert.equal(unreadable.length, 2);
    const skipped = unreadable.find((i) => i.skipped);
    // Root reads through permission bits, so the input cannot be made here: say so rather than pass.
    if (skipped) this.skip();
    for (const input of unreadable) {
      const result = await probeBounded(corpus.root, input);
      assert.ok(result !== 'timeout' && !(result instanceof Error));
      const verdict = surfaceVerdict(result.index, input.expect);
      cell(input, 'index', verdict, result.index.ms);
      assert.ok(verdict.ok, `${input.name}: ${verdict.ok ? '' : verdict.why}`);
    }
  });
});

const SURFACES = ['content', 'index', 'parallel', 'check', 'cli index'] as const;

function printTable(rows: readonly Row[], corpus: HostileCorpus): void {
  const mark = (c: { verdict: Verdict; ms?: number } | undefined): string => {
    if (!c) return '-';
    if (!c.verdict.ok) return 'FAIL';
    const how = c.verdict.how === 'problem' ? 'problem' : c.verdict.how === 'indexed' ? 'valid' : 'skipped';
    return c.ms !== undefined ? `${how} ${Math.round(c.ms)}ms` : how;
  };
  const lines = [`${'input'.padEnd(36)} ${'kind'.padEnd(8)} ${SURFACES.map((s) => s.padEnd(16)).join(' ')}`];
  let maxMs = 0;
  let slowest = '';
  for (const row of rows) {
    const cells = SURFACES.map((s) => {
      const c = row.cells.get(s);
      // check and cli index time the whole corpus in one run: shown once, below.
      const shown = s === 'check' || s === 'cli index' ? (c ? { ...c, ms: undefined } : c) : c;
      if (shown?.ms !== undefined && shown.ms > maxMs) {
        maxMs = shown.ms;
        slowest = `${row.input.name}, ${s}`;
      }
      return mark(shown).padEnd(16);
    });
    lines.push(`${row.input.name.slice(0, 36).padEnd(36)} ${row.input.kind.padEnd(8)} ${cells.join(' ')}`);
  }
  for (const input of corpus.inputs.filter((i) => i.skipped)) lines.push(`${input.name.slice(0, 36).padEnd(36)} ${input.kind.padEnd(8)} skipped: ${input.skipped}`);
  const crashes = rows.filter((r) => [...r.cells.values()].some((c) => !c.verdict.ok && /threw|crashed|hang/.test(c.verdict.why))).length;
  const failed = rows.filter((r) => [...r.cells.values()].some((c) => !c.verdict.ok)).length;
  const problems = rows.filter((r) => [...r.cells.values()].every((c) => c.verdict.ok) && 'problem' in r.input.expect).length;
  const valid = rows.filter((r) => [...r.cells.values()].every((c) => c.verdict.ok) && 'indexed' in r.input.expect).length;
  const cliMs = (surface: string): number => Math.max(0, ...rows.map((r) => r.cells.get(surface)?.ms ?? 0));
  lines.push(
    '',
    `Hostile inputs: ${rows.length} tried (${corpus.inputs.length - rows.length} skipped), ${problems} handled with a clear error, ${valid} indexed correctly as valid files, ${failed - crashes} wrong, ${crashes} crashes (exception or hang).`,
    `Max time per input: ${Math.round(maxMs)} ms (${slowest}). runbook-ops check of the whole corpus: ${(cliMs('check') / 1000).toFixed(1)} s, index: ${(cliMs('cli index') / 1000).toFixed(1)} s.`,
  );
  console.log(`\n${lines.join('\n')}\n`);
}
