import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { IncidentFileLockError, IncidentFileLockTimeout, parseLockOwner, withIncidentFileLock, type LockOwner, type LockWait } from '../../src/fs/incidentFileLock';

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

/** The pid of a process that has exited (so certainly not running now, barring reuse within the test). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function lockText(owner: Partial<LockOwner>): string {
  return `${JSON.stringify({ host: hostname(), pid: process.pid, since: new Date().toISOString(), nonce: 'test', ...owner })}\n`;
}

describe('Concurrent writers of one incident record', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let lock: string;
  const children: ChildProcess[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runbook-ops-lock-'));
    file = join(dir, 'record.txt');
    lock = `${file}.lock`;
    writeFileSync(file, 'start\n');
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** A live process on this machine that is not us: the holder of a lock we did not take. */
  function liveProcess(): number {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(child);
    return child.pid!;
  }

  it('serializes read → edit → write, so two slow writers both keep their change', async () => {
    const append = (line: string) => withIncidentFileLock(file, async () => {
      const text = await readFile(file, 'utf8');
      // Long enough for the other writer to read the same text, were it not waiting for the lock.
      await new Promise((r) => setTimeout(r, 50));
      await writeFile(file, `${text}${line}\n`);
    });
    await Promise.all([append('a'), append('b')]);
    assert.deepEqual(readFileSync(file, 'utf8').split('\n').sort(), ['', 'a', 'b', 'start']);
    assert.ok(!existsSync(lock), 'the lock is released');
  });

  it('records host, pid and start time in the lock, and never leaves it behind after a failed write', async () => {
    let seen: LockOwner | undefined;
    await assert.rejects(withIncidentFileLock(file, async () => {
      seen = parseLockOwner(readFileSync(lock, 'utf8'));
      throw new Error('boom');
    }, { holder: 'unit test' }), /boom/);
    assert.equal(seen?.host, hostname());
    assert.equal(seen?.pid, process.pid);
    assert.equal(seen?.holder, 'unit test');
    assert.ok(!Number.isNaN(Date.parse(seen?.since ?? '')));
    assert.ok(!existsSync(lock));
    assert.deepEqual(readdirSync(dir).sort(), ['record.txt'], 'no temporary file either');
  });

  it('breaks the lock of a process that is gone, however young the lock is', async () => {
    writeFileSync(lock, lockText({ pid: deadPid() }));
    assert.equal(await withIncidentFileLock(file, async () => 'written', { timeoutMs: 1_000 }), 'written');
    assert.ok(!existsSync(lock));
  });

  it('waits for a live holder however old its lock is, says who holds it, and gives up at the deadline', async () => {
    const holder = liveProcess();
    writeFileSync(lock, lockText({ pid: holder, holder: 'runbook-ops update' }));
    // Far older than the 10 s mtime bound that used to break a paused writer's lock.
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(lock, old, old);
    const waits: LockWait[] = [];
    const error = await withIncidentFileLock(file, async () => 'never', { timeoutMs: 400, noticeAfterMs: 100, onWait: (w) => waits.push(w) }).catch((e: unknown) => e);
    assert.ok(error instanceof IncidentFileLockTimeout, String(error));
    assert.match(error.message, new RegExp(`is held by pid ${holder} on host ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} since .* \\(runbook-ops update\\), which is still running; waited \\d+ s and nothing was written\\. .*kill ${holder}.*Delete .*record\\.txt\\.lock only if no Runbook Ops writer is running`));
    assert.equal(waits.length, 1, 'told once');
    assert.equal(waits[0].owner?.pid, holder);
    assert.ok(existsSync(lock), 'a live lock is left alone');
  });

  it('takes the lock once the live holder lets go', async () => {
    writeFileSync(lock, lockText({ pid: liveProcess() }));
    const result = await withIncidentFileLock(file, async () => 'written', { timeoutMs: 10_000, noticeAfterMs: 0, onWait: () => unlinkSync(lock) });
    assert.equal(result, 'written');
  });

  it('breaks a lock whose pid now belongs to another process, or from before a restart', async function () {
    if (!existsSync('/proc/self/stat')) this.skip();
    writeFileSync(lock, lockText({ pid: liveProcess(), processStart: '1' }));
    assert.equal(await withIncidentFileLock(file, async () => 'reused pid', { timeoutMs: 1_000 }), 'reused pid');
    writeFileSync(lock, lockText({ pid: liveProcess(), boot: '00000000-0000-0000-0000-000000000000' }));
    assert.equal(await withIncidentFileLock(file, async () => 'rebooted', { timeoutMs: 1_000 }), 'rebooted');
  });

  it('trusts a lock from another host until the generous bound, then breaks it', async () => {
    writeFileSync(lock, lockText({ host: 'elsewhere.example', pid: 1 }));
    await assert.rejects(withIncidentFileLock(file, async () => 'never', { timeoutMs: 200 }), /held by pid 1 on host elsewhere\.example/);
    writeFileSync(lock, lockText({ host: 'elsewhere.example', pid: 1, since: new Date(Date.now() - 11 * 60_000).toISOString() }));
    assert.equal(await withIncidentFileLock(file, async () => 'written', { timeoutMs: 1_000 }), 'written');
  });

  it('treats an unreadable lock (empty, or a bare pid from an older version) as stale only once it is 30 s old', async () => {
    writeFileSync(lock, '');
    await assert.rejects(withIncidentFileLock(file, async () => 'never', { timeoutMs: 200 }), /has no readable owner/);
    const old = new Date(Date.now() - 31_000);
    utimesSync(lock, old, old);
    assert.equal(await withIncidentFileLock(file, async () => 'written', { timeoutMs: 1_000 }), 'written');
    writeFileSync(lock, '12345\n');
    utimesSync(lock, old, old);
    assert.equal(await withIncidentFileLock(file, async () => 'written again', { timeoutMs: 1_000 }), 'written again');
  });

  it('reports a lock that cannot be a lock (a folder of that name) at once, with how to remove it', async () => {
    mkdirSync(lock);
    const started = Date.now();
    await assert.rejects(withIncidentFileLock(file, async () => 'never', { timeoutMs: 20_000 }), (err: unknown) => {
      assert.ok(err instanceof IncidentFileLockError);
      assert.match(err.message, /record\.txt\.lock is a folder, not a Runbook Ops lock file, so the record cannot be locked; nothing was written\. Remove it \(rmdir ".*record\.txt\.lock"\)/);
      return true;
    });
    assert.ok(Date.now() - started < 20_000, 'long before the deadline');
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
