import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const repoRoot = resolve(__dirname, '../../..');
const cli = join(repoRoot, 'dist/cli.js');
const validRepo = join(repoRoot, 'test/unit/fixtures/incidents/valid-repo');

interface Exit {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI and resolves when the process has exited (no sleeps). */
function runCliAsync(args: string[]): Promise<Exit> {
  return new Promise((resolveExit, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolveExit({ status, stdout, stderr }));
  });
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort();
}

describe('runbook-ops new incident under contention (dist/cli.js)', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rbo-new-incident-race-'));
    cpSync(validRepo, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('50 parallel new incident processes all succeed with distinct, complete records', async () => {
    const incidents = join(dir, 'incidents');
    const before = new Set(yamlFiles(incidents));
    const count = 50;
    const started = Date.now();
    const exits = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        runCliAsync(['new', 'incident', '--dir', dir, '--title', `Parallel incident ${i}`, '--severity', 'P2', '--by', 'racer', '--at', '2026-11-25T20:00:00Z']),
      ),
    );
    const elapsed = Date.now() - started;
    const failed = exits.filter((e) => e.status !== 0);
    assert.deepEqual(failed, [], `${failed.length}/${count} failed`);

    const created = yamlFiles(incidents).filter((name) => !before.has(name));
    assert.equal(created.length, count);
    const reported = exits.map((e) => /\((INC-[^)]+)\)/.exec(e.stdout)?.[1]).sort();
    assert.equal(new Set(reported).size, count, 'each process reports its own id');
    assert.deepEqual(reported, created.map((name) => name.replace(/\.yaml$/, '')).sort());
    const titles = new Set<string>();
    for (const name of created) {
      const text = readFileSync(join(incidents, name), 'utf8');
      assert.ok(text.length > 0, `${name} is empty`);
      const record = parse(text) as { id: string; title: string; status: string };
      assert.equal(record.id, name.replace(/\.yaml$/, ''));
      assert.equal(record.status, 'triage');
      titles.add(record.title);
    }
    assert.equal(titles.size, count, 'every title written exactly once');

    const check = spawnSync(process.execPath, [cli, 'check', dir], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.doesNotMatch(check.stdout, /error/i, check.stdout);
    // The fixture's records (two in incidents/, one in incidents/2026/) plus the new ones are all checked.
    assert.match(check.stdout, new RegExp(`and ${before.size + count + 1} incidents`));
    console.log(`      ${count}/${count} distinct valid records in ${elapsed} ms`);
  });

  it('a record that cannot be written (EFBIG) leaves no empty or partial file, no temporary file, and exits non-zero', function () {
    if (process.platform === 'win32') this.skip();
    const incidents = join(dir, 'incidents');
    const before = yamlFiles(incidents);
    // A file size limit of 0 makes the write itself fail (EFBIG) once the (temporary) file is created.
    const quoted = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    const result = spawnSync('sh', ['-c', `ulimit -f 0 && exec ${quoted(process.execPath)} ${quoted(cli)} new incident --dir ${quoted(dir)} --title Full --severity P2 --by racer`], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(result.status, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /Could not write .*INC-2026-4\.yaml: EFBIG.*Nothing was created\./);
    assert.deepEqual(yamlFiles(incidents), before, 'no record (empty or partial) remains');
    assert.deepEqual(readdirSync(incidents).filter((n) => n.endsWith('.lock') || n.endsWith('.tmp')), [], 'no lock and no temporary file');
  });
});
