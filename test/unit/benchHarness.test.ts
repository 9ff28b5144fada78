// CI smoke for `npm run bench`: the whole harness once on a tiny corpus. It checks that every row is
// there and well-formed and that the indexes it measures equal rebuilt ones — never how fast anything
// was (timings on shared CI machines mean nothing).
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatBenchTable, runBenchmarks, type BenchResults } from '../bench/benchmarkSuite';
import { benchIncidentBoard } from '../bench/boardBench';

const repoRoot = resolve(__dirname, '../../..');

describe('bench harness', function () {
  this.timeout(180_000);
  let results: BenchResults;
  let cacheDir: string;

  before(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'rbo-bench-smoke-'));
    const cliPath = join(repoRoot, 'dist', 'cli.js');
    results = await runBenchmarks({
      size: { runbooks: 50, incidents: 50 },
      smallSize: { runbooks: 30, incidents: 30 },
      runs: 1,
      incrementalUpdates: 20,
      reviewDates: { files: 60, commits: 80, perFileSample: 5 },
      cliPath: existsSync(cliPath) ? cliPath : undefined,
      memoryProbeScript: join(__dirname, '..', 'bench', 'indexMemoryProbe.js'),
      rawReadProbeScript: join(__dirname, '..', 'bench', 'rawReadProbe.js'),
      cacheDir,
    });
  });

  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('measures every row of the README Performance targets, with numbers or a reason', () => {
    const ids = results.rows.map((r) => r.id);
    for (const id of [
      'raw-read', 'scan-floor', 'ratio-floor', 'rg-scan', 'naive', 'index-sequential', 'index-parallel-fresh', 'index-parallel', 'index-parallel-read-steps', 'ratio-raw', 'ratio-naive',
      'cold-process', 'peak-rss', 'retained-heap', 'retained-heap-read', 'retained-heap-sequential', 'incremental-runbook-full', 'incremental-runbook-small', 'incremental-incident-full',
      'incremental-incident-small', 'review-one-pass', 'review-per-file-sample', 'review-per-file-extrapolated', 'check', 'check-changed-since', 'activate',
      'cache-cold', 'cache-size', 'cache-warm', 'ratio-cache-warm-raw', 'cache-after-change', 'ratio-cache-change-raw', 'check-changed-since-warm',
      'process-raw-read', 'process-index-cold', 'ratio-process-index-cold', 'process-index-warm', 'ratio-process-index-warm',
      'process-raw-read-foreign', 'process-index-foreign', 'ratio-process-index-foreign',
    ]) {
      assert.ok(ids.includes(id), `row ${id} is missing`);
    }
    assert.equal(new Set(ids).size, ids.length, 'row ids are unique');
    for (const row of results.rows) {
      if (row.median === undefined) {
        assert.match(row.note ?? '', /^not measured/, `${row.id} has neither a number nor a reason`);
        continue;
      }
      for (const value of [row.median, row.min, row.max, row.p95]) if (value !== undefined) assert.ok(Number.isFinite(value) && value >= 0, `${row.id}: ${value}`);
      if (row.min !== undefined) assert.ok(row.min <= row.median && row.median <= row.max!, `${row.id}: min ≤ median ≤ max`);
      if (row.target !== undefined && row.id !== 'incremental-runbook-small' && row.id !== 'incremental-incident-small') assert.equal(typeof row.pass, 'boolean', `${row.id} says whether its target holds`);
    }
    const incremental = results.rows.find((r) => r.id === 'incremental-runbook-full')!;
    assert.equal(incremental.runs, 20);
    assert.equal(results.corpus.runbooks, 50);
    assert.equal(results.corpus.incidents, 50);
  });

  it('indexes what it times correctly: the parallel build equals the sequential one, updates equal a rebuild', () => {
    assert.deepEqual(results.checks, { parallelEqualsSequential: true, incrementalEqualsRebuild: true });
  });

  it('prints one table with every row', () => {
    const table = formatBenchTable(results);
    const lines = table.split('\n');
    assert.equal(lines.length, results.rows.length + 2);
    for (const row of results.rows) assert.ok(table.includes(row.name.replace(/\|/g, '\\|')), row.name);
    // Seven columns on every line: no cell text (rg's pattern has `|` in it) may split a row.
    for (const line of lines) assert.equal(line.replace(/\\\|/g, '').split('|').length, 9, line);
  });
});

describe('board bench harness (small)', function () {
  this.timeout(120_000);

  it('renders the generated incidents in Chromium and times paint, typing and filters', async () => {
    const lines: string[] = [];
    const rows = await benchIncidentBoard({ incidents: 300, runs: 1, bundleDir: join(repoRoot, 'dist', 'webview'), log: (line) => lines.push(line) });
    assert.deepEqual(rows.map((r) => r.id), ['boardFirstPaint', 'boardTyping', 'boardFilter']);
    for (const row of rows) assert.ok(Number.isFinite(row.median) && row.median! > 0 && row.min! <= row.median! && row.median! <= row.max!, `${row.id}: ${JSON.stringify(row)}`);
    // 11 search texts and two clicks per severity chip (on, off) per run.
    assert.equal(rows[1].runs, 11);
    assert.equal(rows[2].runs, 8);
    assert.ok(lines.some((line) => /warm-up done \([1-9]\d* cards rendered of 300\)/.test(line)), lines.join('\n'));
  });
});
