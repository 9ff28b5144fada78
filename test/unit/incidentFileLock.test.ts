import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { IncidentFileLockTimeout, withIncidentFileLock } from '../../src/core/incidentFileLock';

const repoRoot = resolve(__dirname, '../../..');
const cli = join(repoRoot, 'dist/cli.js');

function runCli(args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (status) => done({ status, output }));
  });
}

describe('Concurrent writers of one incident record', function () {
  this.timeout(60_000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runbook-ops-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('serializes read → edit → write, so two slow writers both keep their change', async () => {
    const file = join(dir, 'record.txt');
    writeFileSync(file, 'start\n');
    const append = (line: string) => withIncidentFileLock(file, async () => {
      const text = await readFile(file, 'utf8');
      // Long enough for the other writer to read the same text, were it not waiting for the lock.
      await new Promise((r) => setTimeout(r, 50));
      await writeFile(file, `${text}${line}\n`);
    });
    await Promise.all([append('a'), append('b')]);
    assert.deepEqual(readFileSync(file, 'utf8').split('\n').sort(), ['', 'a', 'b', 'start']);
    assert.ok(!existsSync(`${file}.lock`), 'the lock is released');
  });

  it('releases the lock when the write throws, breaks a stale lock and times out on a live one', async () => {
    const file = join(dir, 'record.txt');
    await assert.rejects(withIncidentFileLock(file, () => Promise.reject(new Error('boom'))), /boom/);
    assert.ok(!existsSync(`${file}.lock`));

    writeFileSync(`${file}.lock`, '12345\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    assert.equal(await withIncidentFileLock(file, async () => 'written'), 'written');

    writeFileSync(`${file}.lock`, '12345\n');
    await assert.rejects(withIncidentFileLock(file, async () => 'never', { timeoutMs: 200 }), IncidentFileLockTimeout);
    assert.ok(existsSync(`${file}.lock`), 'a live lock is left alone');
  });

  it('runbook-ops update from six terminals at once: every note is in the record', async () => {
    cpSync(join(repoRoot, 'runbooks'), join(dir, 'repo'), { recursive: true });
    const repo = join(dir, 'repo');
    const record = join(repo, 'incidents', 'INC-0010.yaml');
    const notes = Array.from({ length: 6 }, (_, i) => `terminal ${i} checked the queue`);
    const results = await Promise.all(notes.map((note) => runCli(['update', 'INC-0010', '--note', note, '--by', 'tester', '--dir', repo])));
    for (const r of results) assert.equal(r.status, 0, r.output);
    const after = readFileSync(record, 'utf8');
    for (const note of notes) assert.ok(after.includes(`text: ${note}\n`), `${note} is missing:\n${after}`);
    assert.ok(!existsSync(`${record}.lock`));
  });
});
