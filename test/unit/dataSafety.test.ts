// Issue 15: incident records are never lost or cut short, tried the way a hostile user would — kill -9
// mid-write, a full disk, a writer paused while it holds the lock, a lock that cannot be removed, an
// edit that would make the record invalid, symbolic links out of the repository. Real processes
// (the built CLI), real files, temporary folders; every wait polls for a state with a deadline.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { parseLockOwner } from '../../src/fs/incidentFileLock';

const repoRoot = resolve(__dirname, '../../..');
const cli = join(repoRoot, 'dist/cli.js');
const HOLD_ENV = 'RUNBOOK_OPS_TEST_HOLD_LOCK_UNTIL';

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
}

function startCli(args: string[], options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}): Run {
  const child = spawn(process.execPath, [cli, ...args], { cwd: repoRoot, env: { ...process.env, ...options.env }, uid: options.uid, gid: options.gid });
  const run: Run = { child, stdout: '', stderr: '', exited: undefined as never };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (run.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (run.stderr += d));
  run.exited = new Promise((done) => child.on('close', (status, signal) => done({ status, signal })));
  return run;
}

async function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const run = startCli(args, options);
  const { status } = await run.exited;
  return { status, stdout: run.stdout, stderr: run.stderr };
}

/** Polls `condition` (each turn of the event loop, or every `everyMs`) until it holds; fails with `what` at the deadline. */
async function waitFor(what: string, condition: () => boolean, deadlineMs = 60_000, everyMs = 0): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => (everyMs > 0 ? setTimeout(r, everyMs) : setImmediate(r)));
  }
}

/** A valid record in `investigating` with `entries` timeline notes (20,000: about 3.3 MB). */
function bigRecord(id: string, entries: number): string {
  const lines = [
    `id: ${id}`, 'title: Checkout API 5xx in eu-west-1', 'status: investigating', 'severity: SEV2', 'mode: standard',
    'services: [checkout-api]', 'commander: alice', 'declared_at: 2026-01-01T00:00:00Z', 'acknowledged_at: 2026-01-01T00:01:00Z',
    'summary: |', '  Error rate above 5% after the config push; the end of this summary must survive every failed write.', 'timeline:',
  ];
  const start = Date.parse('2026-01-01T00:02:00Z');
  for (let i = 0; i < entries; i++) {
    lines.push(`  - at: ${new Date(start + i * 1000).toISOString().replace('.000Z', 'Z')}`, '    by: alice', '    kind: note', `    text: Checked the dashboards again and the error rate is still elevated, entry ${i} of the big record`);
  }
  return `${lines.join('\n')}\n`;
}

function makeRepo(parent: string, records: Record<string, string>): string {
  const repo = join(parent, 'repo');
  mkdirSync(join(repo, 'incidents'), { recursive: true });
  for (const [name, text] of Object.entries(records)) writeFileSync(join(repo, 'incidents', name), text);
  return repo;
}

/** Anything in the folder that is not a record: temporary files, locks, break locks. */
function strays(folder: string): string[] {
  return readdirSync(folder).filter((n) => !/^INC-\d+\.yaml$/.test(n));
}

const NOTE = ['--by', 'tester', '--at', '2026-02-01T00:00:00Z'];

describe('Nothing lost: writes of incident records (dist/cli.js, issue 15)', function () {
  this.timeout(600_000);
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rbo-data-safety-'));
  });
  afterEach(() => {
    for (const child of children.splice(0)) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 at every phase of an update of a 3 MB record leaves the old or the new bytes, always YAML', async () => {
    const repo = makeRepo(dir, { 'INC-0001.yaml': bigRecord('INC-0001', 20_000) });
    const incidents = join(repo, 'incidents');
    const record = join(incidents, 'INC-0001.yaml');
    const oldBytes = readFileSync(record);
    const args = ['update', 'INC-0001', '--dir', repo, '--note', 'kill loop note', ...NOTE];
    // The bytes a completed update writes (the same each time: --at and --by are fixed).
    const first = await runCli(args);
    assert.equal(first.status, 0, first.stderr);
    const newBytes = readFileSync(record);
    assert.notDeepEqual(newBytes, oldBytes);

    // Only what this try's process made counts: earlier killed tries leave their own lock and temp files.
    const tempSize = (pid: number): number => {
      const temp = readdirSync(incidents).find((n) => n.startsWith(`INC-0001.yaml.${pid}.`) && n.endsWith('.tmp'));
      return temp ? (statSync(join(incidents, temp), { throwIfNoEntry: false })?.size ?? -1) : -1;
    };
    const lockOwner = (): number | undefined => {
      try {
        return parseLockOwner(readFileSync(`${record}.lock`, 'utf8'))?.pid;
      } catch {
        return undefined;
      }
    };
    // When to kill: while it edits (lock held), as the temporary file appears, half written, and just
    // after the rename (before the folder fsync and the lock's release).
    const phases: Record<string, (pid: number, ino: number) => boolean> = {
      'lock taken': (pid) => lockOwner() === pid,
      'temp file created': (pid) => tempSize(pid) >= 0,
      'temp file half written': (pid) => tempSize(pid) >= oldBytes.length / 2,
      'record renamed': (_pid, ino) => statSync(record, { throwIfNoEntry: false })?.ino !== ino,
    };
    const tally: Record<string, { tries: number; killed: number; old: number; new: number; leftovers: number }> = {};
    // Two rounds in `npm test` (each try is a full 3 MB edit); RUNBOOK_OPS_KILL_ROUNDS=<n> for a longer run.
    const rounds = Number(process.env.RUNBOOK_OPS_KILL_ROUNDS) || 2;
    for (let round = 0; round < rounds; round++) {
      for (const [phase, reached] of Object.entries(phases)) {
        writeFileSync(record, oldBytes);
        const ino = statSync(record).ino;
        const run = startCli(args);
        children.push(run.child);
        let done = false;
        void run.exited.then(() => (done = true));
        await waitFor(`${phase} or the end of the update`, () => done || reached(run.child.pid!, ino), 120_000, 1);
        const killed = !done && run.child.kill('SIGKILL');
        const exit = await run.exited;
        const after = readFileSync(record);
        const outcome = after.equals(oldBytes) ? 'old' : after.equals(newBytes) ? 'new' : 'neither';
        assert.notEqual(outcome, 'neither', `after a kill at "${phase}" the record is ${after.length} bytes, neither the old ${oldBytes.length} nor the new ${newBytes.length} (exit ${exit.status} ${exit.signal})`);
        const parsed = parse(after.toString('utf8')) as { timeline: unknown[] };
        assert.equal(parsed.timeline.length, outcome === 'old' ? 20_000 : 20_001);
        const t = (tally[phase] ??= { tries: 0, killed: 0, old: 0, new: 0, leftovers: 0 });
        t.tries++;
        if (killed) t.killed++;
        t[outcome as 'old' | 'new']++;
        if (strays(incidents).length > 0) t.leftovers++;
      }
    }
    // The next write cleans what killed writers left (their temporary files and their stale lock).
    writeFileSync(record, oldBytes);
    const last = await runCli(args);
    assert.equal(last.status, 0, last.stderr);
    assert.deepEqual(readFileSync(record), newBytes);
    assert.deepEqual(strays(incidents), [], 'no temporary file or lock is left after the next write');
    for (const [phase, t] of Object.entries(tally)) {
      console.log(`      kill at "${phase}": ${t.tries} tries, ${t.killed} killed mid-run, ${t.old} old bytes, ${t.new} new bytes, ${t.leftovers} left a temp file or lock for the next write`);
    }
    assert.ok(Object.values(tally).reduce((n, t) => n + t.killed, 0) >= rounds * 3, 'most tries were killed mid-run, not after the update had finished');
  });

  it('a writer paused (SIGSTOP) past the old 10 s stale bound keeps its lock: the other writer waits or says who holds it, never overwrites', async () => {
    const repo = makeRepo(dir, { 'INC-0001.yaml': bigRecord('INC-0001', 3) });
    const record = join(repo, 'incidents', 'INC-0001.yaml');
    const lock = `${record}.lock`;
    const release = join(dir, 'release-A');
    const a = startCli(['update', 'INC-0001', '--dir', repo, '--note', 'note from A', ...NOTE], { env: { [HOLD_ENV]: release } });
    children.push(a.child);
    await waitFor('A to hold the lock', () => existsSync(lock) && parseLockOwner(readFileSync(lock, 'utf8'))?.pid === a.child.pid);
    a.child.kill('SIGSTOP');
    const before = readFileSync(record);

    // A writer that will not wait long ends with the holder's name and a non-zero exit.
    const impatient = await runCli(['update', 'INC-0001', '--dir', repo, '--note', 'note from B', '--lock-timeout', '1', ...NOTE]);
    assert.equal(impatient.status, 2, impatient.stderr);
    assert.match(impatient.stderr, new RegExp(`is held by pid ${a.child.pid} on host ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} since .*\\(runbook-ops update\\), which is still running; waited \\d+ s and nothing was written\\. Try again when it has finished\\. If that process is stuck, end it \\(kill ${a.child.pid}\\)\\.`));
    assert.deepEqual(readFileSync(record), before);

    // A patient one waits, says so after a few seconds, and still waits once the lock is older than
    // the 10 s after which the old lock was broken.
    const b = startCli(['update', 'INC-0001', '--dir', repo, '--note', 'note from B', '--lock-timeout', '300', ...NOTE]);
    children.push(b.child);
    let bDone = false;
    void b.exited.then(() => (bDone = true));
    const since = Date.parse(parseLockOwner(readFileSync(lock, 'utf8'))!.since);
    await waitFor('B to report the wait', () => /waiting for .*INC-0001\.yaml\.lock, held by pid \d+ on host .* \(runbook-ops update\); giving up in \d+ s/.test(b.stderr) || bDone, 60_000, 50);
    await waitFor('the lock to be older than the old stale bound', () => Date.now() - since > 10_500 || bDone, 60_000, 100);
    assert.equal(bDone, false, `B must still be waiting: ${b.stderr}`);
    assert.match(b.stderr, new RegExp(`held by pid ${a.child.pid} `));
    assert.deepEqual(readFileSync(record), before, 'nothing was written while A holds the lock');

    writeFileSync(release, '');
    a.child.kill('SIGCONT');
    const [exitA, exitB] = await Promise.all([a.exited, b.exited]);
    assert.equal(exitA.status, 0, a.stderr);
    assert.equal(exitB.status, 0, b.stderr);
    const text = readFileSync(record, 'utf8');
    assert.match(text, /text: note from A\n/);
    assert.match(text, /text: note from B\n/);
    assert.equal((parse(text) as { timeline: unknown[] }).timeline.length, 5);
    assert.deepEqual(strays(join(repo, 'incidents')), []);
  });

  it('a lock that cannot be removed (a folder named INC-0001.yaml.lock) ends update at once with how to fix it', async () => {
    const repo = makeRepo(dir, { 'INC-0001.yaml': bigRecord('INC-0001', 3) });
    const record = join(repo, 'incidents', 'INC-0001.yaml');
    const before = readFileSync(record);
    mkdirSync(`${record}.lock`);
    const result = await runCli(['update', 'INC-0001', '--dir', repo, '--note', 'blocked', '--lock-timeout', '20', ...NOTE]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /INC-0001\.yaml\.lock is a folder, not a Runbook Ops lock file, so the record cannot be locked; nothing was written\. Remove it \(rmdir ".*INC-0001\.yaml\.lock"\) and try again\./);
    assert.deepEqual(readFileSync(record), before);
  });

  it("a stale lock of another user's in a sticky folder ends update at once, naming the owner (root only)", async function () {
    if (process.getuid?.() !== 0) {
      console.log('      skipped: needs root to run the CLI as another user');
      this.skip();
    }
    const nobody = 65534;
    // The CLI must be readable by that user, and the temporary folder reachable.
    chmodSync(dir, 0o755);
    const repo = makeRepo(dir, { 'INC-0001.yaml': bigRecord('INC-0001', 3) });
    const incidents = join(repo, 'incidents');
    chmodSync(incidents, 0o1777);
    const record = join(incidents, 'INC-0001.yaml');
    chownSync(record, nobody, nobody);
    const before = readFileSync(record);
    // Left by a process that is gone, owned by root: nobody may not delete it in a sticky folder.
    const gone = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    writeFileSync(`${record}.lock`, `${JSON.stringify({ host: hostname(), pid: gone, since: new Date().toISOString(), nonce: 'root' })}\n`);
    const result = await runCli(['update', 'INC-0001', '--dir', repo, '--note', 'blocked', '--lock-timeout', '20', ...NOTE], { uid: nobody, gid: nobody, env: { HOME: dir } });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`INC-0001\\.yaml\\.lock left by pid ${gone} on host .* is stale \\(process ${gone} is gone\\) but cannot be removed \\((EACCES|EPERM); the file belongs to uid 0\\); nothing was written\\. Ask its owner or an administrator to delete it`));
    assert.deepEqual(readFileSync(record), before);
    assert.deepEqual(strays(incidents), ['INC-0001.yaml.lock'], 'no temporary file or break lock left');
  });

  it('update refuses an edit that would add a validation error (mitigated before acknowledged), exit 1, file unchanged', async () => {
    const repo = makeRepo(dir, { 'INC-0001.yaml': bigRecord('INC-0001', 3) });
    const record = join(repo, 'incidents', 'INC-0001.yaml');
    const before = readFileSync(record);
    const result = await runCli(['update', 'INC-0001', '--dir', repo, '--status', 'mitigated', '--by', 'tester', '--at', '2025-12-31T23:00:00Z']);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /^runbook-ops: INC-0001: This change would make the record invalid, so nothing was written: `mitigated_at` \(2025-12-31T23:00:00Z\) is before `acknowledged_at` \(2026-01-01T00:01:00Z\)\./);
    assert.deepEqual(readFileSync(record), before);
    assert.deepEqual(strays(join(repo, 'incidents')), []);
    // The same change at a time in order goes through, and check agrees.
    const ok = await runCli(['update', 'INC-0001', '--dir', repo, '--status', 'mitigated', ...NOTE]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal((await runCli(['check', repo])).status, 0);
  });

  it('new incident and update refuse to write through a symbolic link out of the repository', async () => {
    const outside = join(dir, 'elsewhere');
    mkdirSync(outside);
    writeFileSync(join(outside, 'INC-0001.yaml'), bigRecord('INC-0001', 3));
    const outsideBefore = readFileSync(join(outside, 'INC-0001.yaml'));
    const repo = join(dir, 'repo');
    mkdirSync(repo);
    symlinkSync(outside, join(repo, 'incidents'));

    const declared = await runCli(['new', 'incident', '--dir', repo, '--title', 'Escaping', '--severity', 'SEV2', '--by', 'tester']);
    assert.equal(declared.status, 2, declared.stdout + declared.stderr);
    assert.match(declared.stderr, /Refused to write incidents: incidents is a symbolic link to .*elsewhere, outside the repository .*repo\. Runbook Ops writes only inside the repository; replace the link with a real folder \(move what it points to into the repository\) and try again\./);
    assert.deepEqual(readdirSync(outside), ['INC-0001.yaml'], 'nothing was created outside');

    const updated = await runCli(['update', 'INC-0001', '--dir', repo, '--note', 'escaping', ...NOTE]);
    assert.equal(updated.status, 2, updated.stderr);
    assert.match(updated.stderr, /Refused to write incidents\/INC-0001\.yaml: incidents is a symbolic link to .*elsewhere, outside the repository/);
    assert.deepEqual(readFileSync(join(outside, 'INC-0001.yaml')), outsideBefore);

    // A record that is itself a link out of the repository, in a real incidents folder.
    rmSync(join(repo, 'incidents'));
    mkdirSync(join(repo, 'incidents'));
    symlinkSync(join(outside, 'INC-0001.yaml'), join(repo, 'incidents', 'INC-0002.yaml'));
    const linked = await runCli(['update', 'INC-0002', '--dir', repo, '--note', 'escaping', ...NOTE]);
    assert.equal(linked.status, 2, linked.stderr);
    assert.match(linked.stderr, /Refused to write incidents\/INC-0002\.yaml: incidents\/INC-0002\.yaml is a symbolic link to .*elsewhere\/INC-0001\.yaml, outside the repository .*; replace the link with a real file/);
    assert.deepEqual(readFileSync(join(outside, 'INC-0001.yaml')), outsideBefore);
    assert.ok(lstatSync(join(repo, 'incidents', 'INC-0002.yaml')).isSymbolicLink(), 'the link is left as it was');
  });

  it('a link that stays inside the repository is followed, and the real file is written', async () => {
    const repo = makeRepo(dir, {});
    mkdirSync(join(repo, 'records'));
    writeFileSync(join(repo, 'records', 'INC-0001.yaml'), bigRecord('INC-0001', 3));
    symlinkSync(join(repo, 'records', 'INC-0001.yaml'), join(repo, 'incidents', 'INC-0001.yaml'));
    const result = await runCli(['update', 'INC-0001', '--dir', repo, '--note', 'through an inside link', ...NOTE]);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(lstatSync(join(repo, 'incidents', 'INC-0001.yaml')).isSymbolicLink(), 'still a link');
    assert.match(readFileSync(join(repo, 'records', 'INC-0001.yaml'), 'utf8'), /text: through an inside link\n/);
  });

  it('update keeps the mode of the record', async function () {
    if (process.platform === 'win32') this.skip();
    const repo = makeRepo(dir, { 'INC-0001.yaml': bigRecord('INC-0001', 3) });
    const record = join(repo, 'incidents', 'INC-0001.yaml');
    chmodSync(record, 0o640);
    const result = await runCli(['update', 'INC-0001', '--dir', repo, '--note', 'mode', ...NOTE]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(statSync(record).mode & 0o777, 0o640);
  });
});

describe('Nothing lost on a full disk (tmpfs, root only)', function () {
  this.timeout(300_000);
  let mount: string | undefined;
  let reason = '';

  before(function () {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) reason = 'needs root on Linux to mount a small tmpfs';
    else {
      const point = mkdtempSync(join(tmpdir(), 'rbo-enospc-'));
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', point], { encoding: 'utf8' });
      if (mounted.status === 0) mount = point;
      else {
        rmSync(point, { recursive: true, force: true });
        reason = `mount -t tmpfs failed: ${(mounted.stderr || mounted.error?.message || '').trim()}`;
      }
    }
    if (!mount) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });
  after(() => {
    if (!mount) return;
    spawnSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  it('an update that does not fit leaves the record byte-identical and no stray file; new incident on a full disk leaves no empty record and no lock', async () => {
    const repo = makeRepo(mount!, { 'INC-0001.yaml': bigRecord('INC-0001', 7_000) });
    const incidents = join(repo, 'incidents');
    const record = join(incidents, 'INC-0001.yaml');
    const before = readFileSync(record);
    assert.ok(before.length > 1_100_000, `${before.length} bytes: more than the space left on the 2 MB tmpfs`);
    const update = await runCli(['update', 'INC-0001', '--dir', repo, '--note', 'does not fit', ...NOTE]);
    assert.equal(update.status, 2, update.stderr);
    assert.match(update.stderr, /Could not write .*INC-0001\.yaml: the disk is full\. The file is unchanged\. Free some space and try again\./);
    assert.deepEqual(readFileSync(record), before, 'byte-identical');
    assert.deepEqual(strays(incidents), [], 'no temporary file and no lock');

    // Fill the disk completely, then declare.
    const filler = openSync(join(mount!, 'filler'), 'w');
    const block = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(filler, block);
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      closeSync(filler);
    }
    const declared = await runCli(['new', 'incident', '--dir', repo, '--title', 'Disk full', '--severity', 'SEV2', '--by', 'tester']);
    assert.equal(declared.status, 2, declared.stdout + declared.stderr);
    assert.match(declared.stderr, /Could not write .*INC-0002\.yaml: the disk is full\. Nothing was created\./);
    assert.deepEqual(readdirSync(incidents), ['INC-0001.yaml'], 'no 0-byte record, no temporary file, no lock');
    assert.deepEqual(readFileSync(record), before);
  });
});
