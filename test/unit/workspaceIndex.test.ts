import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { repoRoot } from '../harness/paths';
import { WorkspaceIndex, type FileReader } from '../../src/core/index/workspaceIndex';
import { PathClassifier } from '../../src/core/config/paths';
import { seededRandom } from '../bench/corpusGenerator';

const SERVICES = ['checkout-api', 'postgres', 'orders-queue', 'edge-dns', 'Checkout-API'];
const TAGS = ['deploy', 'database', 'network', 'rollback'];
const ALERTS = ['HighLatency', 'DiskFull', 'ConsumerLag'];

function randomRunbook(rand: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  const some = <T>(items: readonly T[]): T[] => items.filter(() => rand() < 0.3);
  const parts: string[] = [];
  if (rand() < 0.5) {
    parts.push('---', `title: Runbook ${Math.floor(rand() * 1000)}`, `services: [${some(SERVICES).join(', ')}]`, `tags: [${some(TAGS).join(', ')}]`, `alerts: [${some(ALERTS).join(', ')}]`, '---');
  }
  if (rand() < 0.7) parts.push(`# ${pick(['Fail over', 'Drain node', 'Rotate cert', 'Purge DLQ'])}`);
  const sections = 1 + Math.floor(rand() * 4);
  for (let s = 0; s < sections; s++) {
    parts.push('', `## ${pick(['Diagnosis', 'Mitigation', 'Verify', 'Roll back'])}`, '');
    const blocks = Math.floor(rand() * 3);
    for (let b = 0; b < blocks; b++) {
      const inList = rand() < 0.4;
      const indent = inList ? '   ' : '';
      if (inList) parts.push(`${b + 1}. ${pick(['Check the pods', 'Restart', 'Look at the logs'])}:`);
      const lang = pick(['sh', 'bash', 'console', 'yaml', '']);
      parts.push(`${indent}\`\`\`${lang}`);
      if (lang === 'console') parts.push(`${indent}$ kubectl get pods -n <namespace>`, `${indent}NAME READY`);
      else parts.push(`${indent}echo ${pick(['$POD', '{{ns}}', '<node>', 'ok'])}`);
      if (rand() > 0.05) parts.push(`${indent}\`\`\``);
    }
  }
  return parts.join('\n') + '\n';
}

function memoryReader(files: Map<string, string>): FileReader {
  return async (path) => {
    const content = files.get(path);
    if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return content;
  };
}

async function fullBuild(files: Map<string, string>): Promise<WorkspaceIndex> {
  const index = new WorkspaceIndex();
  await index.build([...files.keys()], memoryReader(files));
  return index;
}

function queryViews(index: WorkspaceIndex): unknown {
  return {
    services: [...index.services()].sort(),
    byService: SERVICES.map((s) => index.byService(s).map((r) => r.path)),
    byTag: TAGS.map((t) => index.byTag(t).map((r) => r.path)),
    byAlert: ALERTS.map((a) => index.byAlert(a).map((r) => r.path)),
    search: index.search('roll').map((r) => r.path),
  };
}

describe('WorkspaceIndex', () => {
  it('after 200 random add/change/delete operations equals a full rebuild (seed 42)', async () => {
    const rand = seededRandom(42);
    const files = new Map<string, string>();
    const index = new WorkspaceIndex();
    const read = memoryReader(files);
    const folders = ['db', 'k8s', 'k8s/nodes', 'queue', 'dns', 'incidents'];
    let checks = 0;
    for (let op = 1; op <= 200; op++) {
      const existing = [...files.keys()];
      const roll = rand();
      if (roll < 0.45 || existing.length === 0) {
        const folder = folders[Math.floor(rand() * folders.length)];
        const path = `${folder}/rb-${op}.${rand() < 0.9 ? 'md' : 'txt'}`;
        files.set(path, randomRunbook(rand));
        await index.updateFile(path, read);
      } else if (roll < 0.8) {
        const path = existing[Math.floor(rand() * existing.length)];
        files.set(path, randomRunbook(rand));
        await index.updateFile(path, read);
      } else if (roll < 0.97) {
        const path = existing[Math.floor(rand() * existing.length)];
        files.delete(path);
        // The watcher reports a delete; re-reading a deleted file must also remove it.
        if (rand() < 0.5) index.deleteFile(path);
        else await index.updateFile(path, read);
      } else {
        const folder = folders[Math.floor(rand() * folders.length)];
        for (const path of existing) if (path.startsWith(`${folder}/`)) files.delete(path);
        index.deleteFolder(folder);
      }
      if (op % 25 === 0) {
        const rebuilt = await fullBuild(files);
        assert.deepEqual(index.snapshot(), rebuilt.snapshot(), `index differs from a rebuild after operation ${op}`);
        assert.deepEqual(queryViews(index), queryViews(rebuilt), `lookups differ from a rebuild after operation ${op}`);
        checks++;
      }
    }
    assert.equal(checks, 8);
    assert.ok(index.runbookCount > 10, `the sequence should leave a sizeable index, got ${index.runbookCount}`);
  });

  it('answers lookups by service, tag, alert and text, case-insensitively', async () => {
    const files = new Map<string, string>([
      ['db/failover.md', '---\nservices: [Postgres]\ntags: [database]\nalerts: [PostgresDown]\n---\n# Fail over Postgres\n## Promote the replica\n```sh\npatronictl failover\n```\n'],
      ['k8s/rollback.md', '---\nservices: [checkout-api]\n---\n# Roll back checkout\n'],
      ['README.md', '# Not a runbook\n'],
      ['incidents/notes.md', '# Postmortem notes: Markdown under an incident folder is a runbook\n'],
      ['docs/README.md', '# A nested README is a runbook\n'],
    ]);
    const index = await fullBuild(files);
    assert.deepEqual(index.runbooks().map((r) => r.path), ['db/failover.md', 'docs/README.md', 'incidents/notes.md', 'k8s/rollback.md']);
    assert.deepEqual(index.byService('postgres').map((r) => r.path), ['db/failover.md']);
    assert.deepEqual(index.byTag('DATABASE').map((r) => r.path), ['db/failover.md']);
    assert.deepEqual(index.byAlert('postgresdown').map((r) => r.path), ['db/failover.md']);
    assert.deepEqual(index.search('promote replica').map((r) => r.path), ['db/failover.md'], 'headings are searched');
    assert.deepEqual(index.search('CHECKOUT roll').map((r) => r.path), ['k8s/rollback.md']);
    assert.deepEqual([...index.services()], [['Postgres', 1], ['checkout-api', 1]]);
    assert.equal(index.getRunbook('db/failover.md')?.steps[0].id, 'promote-the-replica');
  });

  it('Filter Runbooks text: matches inside words and alert names mentioned only in the body', async () => {
    const files = new Map<string, string>([
      ['kafka/lag.md', '# Consumers behind\nWhen KafkaConsumerLag fires, check the group.\n'],
      ['db/disk.md', '---\nalerts: [PostgresDiskFull]\n---\n# Disk\n'],
    ]);
    const index = await fullBuild(files);
    assert.deepEqual(index.search('KafkaConsumerLag').map((r) => r.path), ['kafka/lag.md']);
    assert.deepEqual(index.search('consumerlag').map((r) => r.path), ['kafka/lag.md'], 'inside a word, any case');
    assert.deepEqual(index.search('DiskFull').map((r) => r.path), ['db/disk.md']);
    assert.deepEqual(index.getRunbook('db/disk.md')?.alertMentions, undefined, 'a declared alert is not a mention too');
  });

  it('finds each real runbook by every alert name its text mentions', async function () {
    const root = resolve(repoRoot, '../shared/real-runbooks');
    if (!existsSync(root)) this.skip();
    const files = new Map<string, string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.md')) files.set(relative(root, path), readFileSync(path, 'utf8'));
      }
    };
    walk(root);
    const index = await fullBuild(files);
    let checked = 0;
    for (const runbook of index.runbooks()) {
      // The expected names come from the text itself, not from the parser.
      const text = files.get(runbook.path)!;
      for (const name of new Set(text.match(/\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\b/g) ?? [])) {
        if (checked > 2000) break;
        if (name.length > 80) continue;
        assert.ok(index.search(name).some((r) => r.path === runbook.path), `${runbook.path} is found by ${name}`);
        checked++;
      }
    }
    assert.ok(checked > 100, `${checked} names checked`);
  });

  it('keeps no file text or commands in the index', async () => {
    const files = new Map([['a.md', '# A\n```sh\necho secret-command-text\n```\n']]);
    const index = await fullBuild(files);
    assert.ok(!JSON.stringify(index.snapshot()).includes('secret-command-text'));
  });

  it('records a read failure other than a missing file as a problem on that file', async () => {
    const index = new WorkspaceIndex();
    await index.build(['locked.md'], async () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    });
    const entry = index.getRunbook('locked.md');
    assert.match(entry?.problems[0].message ?? '', /Could not read this file: EACCES/);
  });

  it('honours custom globs', async () => {
    const index = new WorkspaceIndex(new PathClassifier({ runbookInclude: ['ops/**/*.md'], runbookExclude: ['ops/drafts/**'], incidentInclude: ['incidents/*.yaml'] }));
    const files = new Map([['ops/a.md', '# A\n'], ['ops/drafts/b.md', '# B\n'], ['other/c.md', '# C\n']]);
    await index.build([...files.keys()], memoryReader(files));
    assert.deepEqual(index.runbooks().map((r) => r.path), ['ops/a.md']);
  });
});
