// check --changed-since's facts cache (issue 17, item 4) may only save reading, never change an answer:
// after any seeded sequence of commits, working-tree edits, renames, deletes, duplicate ids,
// duplicate_of targets deleted on the branch and merges, a check through the cache reports exactly what
// a check that reads every file reports. Entries are keyed by git blob id, so a cache carried to another
// clone is used there, and a damaged one is an empty cache.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkRepository, type CheckOptions } from '../../src/cli/checkCommand';
import { checkFactsKey, defaultCheckFactsFile } from '../../src/fs/checkFactsCache';
import { IndexWorkerPool } from '../../src/fs/parallelIndex';
import { cleanTrackedBlobs } from '../../src/git/trackedBlobs';
import { seededRandom } from '../bench/corpusGenerator';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=T', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

const TEAMS = ['@org/payments', '@org/platform', '@org/data'];
const SERVICES = ['api', 'db', 'queue'];
const NOW = new Date('2026-12-01T12:00:00Z');

function runbookText(rand: () => number): string {
  const owner = rand() < 0.7 ? `owner: "${TEAMS[Math.floor(rand() * TEAMS.length)]}"\n` : '';
  return `---\n${owner}services: [${SERVICES[Math.floor(rand() * SERVICES.length)]}]\nlast_reviewed: 2026-11-01\n---\n# Runbook ${Math.floor(rand() * 1000)}\n\n## Restart\n\n\`\`\`sh\necho ok\n\`\`\`\n`;
}

function incidentText(rand: () => number, id: number): string {
  const written = rand() < 0.4 ? 1 + Math.floor(rand() * 12) : id; // often someone else's id: duplicates
  const lines = [
    rand() < 0.9 ? `id: INC-${String(written).padStart(4, '0')}` : '',
    `title: Incident ${Math.floor(rand() * 1000)}`,
    `status: ${rand() < 0.5 ? 'investigating' : 'resolved'}`,
    'severity: SEV2',
    `services: [${SERVICES[Math.floor(rand() * SERVICES.length)]}]`,
    'started_at: 2026-09-08T03:12:00Z',
  ];
  if (rand() < 0.3) lines.push(`duplicate_of: INC-${String(1 + Math.floor(rand() * 12)).padStart(4, '0')}`);
  return `${lines.filter(Boolean).join('\n')}\n`;
}

function files(root: string, under: string): string[] {
  return git(root, 'ls-files', under).split('\n').filter(Boolean);
}

describe('check --changed-since facts cache', function () {
  this.timeout(240_000);
  const pool = new IndexWorkerPool();
  const made: string[] = [];
  after(async () => {
    await pool.dispose();
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  function newRepository(rand: () => number): string {
    const root = mkdtempSync(join(tmpdir(), 'rbo-facts-'));
    made.push(root);
    git(root, 'init', '-q', '-b', 'main');
    for (let i = 0; i < 10; i++) write(root, `runbooks/r${i}.md`, runbookText(rand));
    for (let i = 1; i <= 12; i++) write(root, `incidents/INC-${String(i).padStart(4, '0')}.yaml`, incidentText(rand, i));
    // A CODEOWNERS block, so the ownership rules read every runbook's owner and every record's services.
    write(root, '.github/CODEOWNERS', '# BEGIN runbook-ops\n/runbooks/r0.md @org/payments\n# END runbook-ops\n');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'start');
    git(root, 'checkout', '-q', '-b', 'change');
    return root;
  }

  const check = (root: string, cached: boolean): ReturnType<typeof checkRepository> => {
    const options: CheckOptions = { now: NOW, changedSince: 'main', pool };
    if (cached) options.factsCache = { file: defaultCheckFactsFile(root), key: checkFactsKey('test') };
    return checkRepository(root, options);
  };

  for (const seed of [3, 17, 2026]) {
    it(`reports what a full read reports over random commits, edits, renames, deletes and merges (seed ${seed})`, async () => {
      const rand = seededRandom(seed);
      const root = newRepository(rand);
      let nextId = 13;
      for (let step = 0; step < 14; step++) {
        const action = rand();
        const records = files(root, 'incidents');
        const runbooks = files(root, 'runbooks');
        const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)];
        if (action < 0.25 && records.length > 0) {
          write(root, pick(records), incidentText(rand, nextId++));
        } else if (action < 0.4 && runbooks.length > 0) {
          write(root, pick(runbooks), runbookText(rand));
        } else if (action < 0.5 && records.length > 2) {
          git(root, 'rm', '-q', pick(records)); // a record others may name in duplicate_of
        } else if (action < 0.6 && runbooks.length > 1) {
          git(root, 'mv', pick(runbooks), `runbooks/moved-${step}.md`);
        } else if (action < 0.7) {
          write(root, `incidents/INC-${String(nextId).padStart(4, '0')}.yaml`, incidentText(rand, nextId));
          nextId++;
        } else if (action < 0.8) {
          // main moves on (a record edited there), and the branch merges it: the merge base moves.
          git(root, 'add', '-A');
          git(root, 'commit', '-q', '--allow-empty', '-m', `before merge ${step}`);
          git(root, 'checkout', '-q', 'main');
          const onMain = files(root, 'incidents');
          if (onMain.length > 0) write(root, pick(onMain), incidentText(rand, nextId++));
          git(root, 'commit', '-q', '-a', '--allow-empty', '-m', `main ${step}`);
          git(root, 'checkout', '-q', 'change');
          git(root, 'merge', '-q', '-X', 'theirs', '--no-edit', 'main');
        }
        // Half the steps are committed on the branch, half stay in the working tree (uncommitted edits count too).
        if (rand() < 0.5) {
          git(root, 'add', '-A');
          git(root, 'commit', '-q', '--allow-empty', '-m', `step ${step}`);
        }
        const fresh = await check(root, false);
        const throughCache = await check(root, true);
        assert.deepEqual(throughCache, fresh, `step ${step}: the cached check differs from a full read`);
        // The second run reads the facts the first one stored.
        assert.deepEqual(await check(root, true), fresh, `step ${step}: a warm cached check differs from a full read`);
      }
    });
  }

  it('reads nothing again when nothing changed, and the cache carries to another clone', async () => {
    const root = newRepository(seededRandom(5));
    write(root, 'incidents/INC-0001.yaml', 'id: INC-0001\ntitle: Edited\nstatus: investigating\nseverity: SEV2\nservices: [api]\nstarted_at: 2026-09-08T03:12:00Z\n');
    git(root, 'commit', '-q', '-a', '-m', 'edit');
    const fresh = await check(root, false);
    assert.deepEqual(await check(root, true), fresh);
    const file = defaultCheckFactsFile(root);
    const first = statSync(file);
    assert.deepEqual(await check(root, true), fresh);
    // Written by an atomic rename: a rewrite would be a new inode.
    assert.equal(statSync(file).ino, first.ino, 'a run that found every fact in the cache rewrote it');

    const clone = mkdtempSync(join(tmpdir(), 'rbo-facts-clone-'));
    made.push(clone);
    execFileSync('git', ['clone', '-q', '--branch', 'change', root, clone], { stdio: 'ignore' });
    git(clone, 'branch', 'main', 'origin/main');
    mkdirSync(dirname(defaultCheckFactsFile(clone)), { recursive: true });
    cpSync(file, defaultCheckFactsFile(clone));
    const cloneFile = statSync(defaultCheckFactsFile(clone));
    const inClone = await check(clone, true);
    assert.deepEqual(inClone.files, fresh.files);
    assert.equal(statSync(defaultCheckFactsFile(clone)).ino, cloneFile.ino, 'the clone read its files again: the cache is not keyed by content');
  });

  it('names a record whose duplicate_of target was deleted on the branch, though its facts are cached', async () => {
    const root = newRepository(seededRandom(9));
    write(root, 'incidents/INC-0020.yaml', 'id: INC-0020\ntitle: Twin\nstatus: resolved\nseverity: SEV2\nservices: [api]\nstarted_at: 2026-09-08T03:12:00Z\nduplicate_of: INC-0021\n');
    write(root, 'incidents/INC-0021.yaml', 'id: INC-0021\ntitle: Original\nstatus: resolved\nseverity: SEV2\nservices: [api]\nstarted_at: 2026-09-08T03:12:00Z\n');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'two records');
    git(root, 'branch', '-f', 'main', 'HEAD');
    write(root, 'runbooks/r1.md', runbookText(seededRandom(1)));
    git(root, 'commit', '-q', '-a', '-m', 'warm');
    await check(root, true); // INC-0020's facts are now cached
    git(root, 'rm', '-q', 'incidents/INC-0021.yaml');
    git(root, 'commit', '-q', '-m', 'drop the original');
    const fresh = await check(root, false);
    const cached = await check(root, true);
    assert.deepEqual(cached, fresh);
    const twin = cached.files.find((f) => f.path === 'incidents/INC-0020.yaml');
    assert.ok(twin?.problems.some((p) => p.message.includes('INC-0021')), `INC-0020 is not reported for its deleted duplicate_of target: ${JSON.stringify(cached.files.map((f) => f.path))}`);
  });

  it('treats a truncated, corrupt or other-version cache as empty, and a file edited in the working tree as unknown', async () => {
    const root = newRepository(seededRandom(11));
    write(root, 'incidents/INC-0002.yaml', 'id: INC-0003\ntitle: Clash\nstatus: investigating\nseverity: SEV2\nservices: [db]\nstarted_at: 2026-09-08T03:12:00Z\n');
    git(root, 'commit', '-q', '-a', '-m', 'clash');
    const fresh = await check(root, false);
    await check(root, true);
    const file = defaultCheckFactsFile(root);
    const good = readFileSync(file);
    for (const damaged of [good.subarray(0, good.length - 7), Buffer.from(good.toString('utf8').replace(/"INC-0003"/g, '"INC-0009"')), Buffer.from('not a cache\n')]) {
      writeFileSync(file, damaged);
      assert.deepEqual(await check(root, true), fresh);
    }
    const options: CheckOptions = { now: NOW, changedSince: 'main', pool, factsCache: { file, key: checkFactsKey('another parser') } };
    assert.deepEqual(await checkRepository(root, options), fresh);
    // A record edited but not staged: its blob id in git's index no longer describes it, so it is not looked up.
    const blobs = await cleanTrackedBlobs(root);
    assert.ok(blobs.has('incidents/INC-0005.yaml'));
    write(root, 'incidents/INC-0005.yaml', `${readFileSync(join(root, 'incidents/INC-0005.yaml'), 'utf8')}# note\n`);
    assert.ok(!(await cleanTrackedBlobs(root)).has('incidents/INC-0005.yaml'));
  });
});
