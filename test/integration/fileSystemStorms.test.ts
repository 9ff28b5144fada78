// File-system storms in a real VS Code (issue #8, item 3): a `git checkout` changing 5,000 files, a
// `git pull` adding 1,000 incident records, a folder deleted and restored. After each, the extension's
// index must equal a fresh build of the files on disk, the views must have refreshed a handful of
// times (not once per file), and the extension host must have stayed responsive. The figures are
// printed so they can be reported.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { WorkspaceIndex, type IndexSnapshot } from '../../src/core/index/workspaceIndex';
import { SKIPPED_FOLDERS } from '../../src/core/config/paths';
import type { RunbookOpsApi } from '../../src/extension/extension';
import { runbookOpsApi as api } from './extensionApi';

const run = promisify(execFile);

/**
 * The responsiveness target of issue #8: no single block of the extension host's thread longer than
 * this. Reported, not asserted: a time bound is not a test on a shared 2-core machine (the same build
 * measured 30–95 ms quiet and 254 ms under a load of 7). What the test asserts cannot depend on load:
 * the index equals a rebuild and the views refreshed a handful of times, not once per file.
 */
const TARGET_BLOCK_MS = 100;
/** Index changes (each one refresh of every view) a storm may cause: debounced, so a handful. */
const MAX_INDEX_CHANGES = 12;
/** No index change for this long (and nothing pending) means the storm has settled. */
const QUIET_MS = 2_000;

const RUNBOOKS = 5_000;
const PULLED_INCIDENTS = 1_000;
const SERVICES = 50;


const workspaceFolder = (): vscode.WorkspaceFolder => vscode.workspace.workspaceFolders![0];

async function git(cwd: string, ...args: string[]): Promise<void> {
  await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
}

function write(root: string, relative: string, text: string): void {
  const file = join(root, relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function runbookPath(n: number): string {
  return `services/svc-${String(n % SERVICES).padStart(2, '0')}/runbook-${String(n).padStart(4, '0')}.md`;
}

function runbookText(n: number, revision: string): string {
  return `---\ntitle: Runbook ${n} (${revision})\nservices: [svc-${n % SERVICES}]\ntags: [storm]\n---\n# Runbook ${n}\n\n## Check\n\`\`\`sh\nkubectl get pods -n ns-${n} # ${revision}\n\`\`\`\n\n## Fix\n1. Restart it:\n   \`\`\`sh\n   kubectl rollout restart deploy/app-${n}\n   \`\`\`\n`;
}

function incidentText(id: string, n: number): string {
  return `id: ${id}\ntitle: Storm incident ${n}\nstatus: ${n % 2 ? 'resolved' : 'triage'}\nseverity: SEV${1 + (n % 4)}\nservices: [svc-${n % SERVICES}]\ndeclared_at: 2026-11-01T10:00:00Z\n${n % 2 ? 'commander: alice\nacknowledged_at: 2026-11-01T10:05:00Z\nmitigated_at: 2026-11-01T10:30:00Z\nresolved_at: 2026-11-01T11:00:00Z\n' : ''}timeline:\n  - at: 2026-11-01T10:00:00Z\n    by: alertmanager\n    kind: detection\n    text: Alert ${n} fired\n`;
}

/**
 * The origin repository, in a temp dir outside the workspace: branch `base` with 5,000 runbooks;
 * `next` changes 4,000 of them, deletes 500 and adds 500 (5,000 paths changed); `main` is `next`
 * plus 1,000 incident records.
 */
async function createOrigin(): Promise<string> {
  const origin = realpathSync(mkdtempSync(join(tmpdir(), 'runbook-ops-storm-origin-')));
  await git(origin, 'init', '--quiet', '--initial-branch=base');
  await git(origin, 'config', 'user.name', 'Storm');
  await git(origin, 'config', 'user.email', 'storm@runbook-ops.invalid');
  await git(origin, 'config', 'commit.gpgsign', 'false');
  for (let n = 0; n < RUNBOOKS; n++) write(origin, runbookPath(n), runbookText(n, 'v1'));
  for (let n = 0; n < 20; n++) write(origin, `incidents/INC-${String(5000 + n)}.yaml`, incidentText(`INC-${5000 + n}`, n));
  await git(origin, 'add', '--all');
  await git(origin, 'commit', '--quiet', '-m', 'base');
  await git(origin, 'checkout', '--quiet', '-b', 'next');
  for (let n = 0; n < 4_000; n++) write(origin, runbookPath(n), runbookText(n, 'v2'));
  for (let n = 4_000; n < 4_500; n++) rmSync(join(origin, runbookPath(n)));
  for (let n = RUNBOOKS; n < RUNBOOKS + 500; n++) write(origin, runbookPath(n), runbookText(n, 'v2'));
  await git(origin, 'add', '--all');
  await git(origin, 'commit', '--quiet', '-m', 'next');
  await git(origin, 'checkout', '--quiet', '-b', 'main');
  for (let n = 0; n < PULLED_INCIDENTS; n++) write(origin, `incidents/2026/INC-${10_000 + n}.yaml`, incidentText(`INC-${10_000 + n}`, n));
  await git(origin, 'add', '--all');
  await git(origin, 'commit', '--quiet', '-m', 'incidents');
  return origin;
}

/** Every file of the workspace folder on disk, as the index's full build would list it. */
function filesOnDisk(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      } else if (entry.isFile()) found.push(`${prefix}${entry.name}`);
    }
  };
  walk(root, '');
  return found;
}

async function freshBuild(ops: RunbookOpsApi): Promise<IndexSnapshot> {
  const folder = workspaceFolder();
  const settings = ops.index.indexSettings(folder)!;
  const index = new WorkspaceIndex(settings.classifier, { config: settings.config });
  await index.build(filesOnDisk(folder.uri.fsPath), async (relative) => readFileSync(join(folder.uri.fsPath, relative)));
  return index.snapshot();
}

/** Asserts the extension's index equals a fresh build, naming the first paths that differ (not a 5,000-entry diff). */
async function assertIndexEqualsFreshBuild(ops: RunbookOpsApi, what: string): Promise<void> {
  const expected = await freshBuild(ops);
  const actual = ops.index.snapshot(workspaceFolder())!;
  const differences: string[] = [];
  for (const kind of ['runbooks', 'incidents'] as const) {
    const want = new Map(expected[kind].map((e) => [e.path, JSON.stringify(e)]));
    const have = new Map(actual[kind].map((e) => [e.path, JSON.stringify(e)]));
    for (const [path, json] of want) {
      if (have.get(path) === json) continue;
      differences.push(`${kind}: ${path} ${have.has(path) ? 'differs' : 'missing'}`);
      if (differences.length <= 2) console.log(`    ${path}\n      on disk: ${json.slice(0, 300)}\n      indexed: ${have.get(path)?.slice(0, 300)}\n      events: ${JSON.stringify(eventLog.get(path))}`);
    }
    for (const path of have.keys()) if (!want.has(path)) differences.push(`${kind}: ${path} is indexed but not on disk`);
  }
  assert.deepEqual(differences.slice(0, 10), [], `${what}: the index differs from a fresh build in ${differences.length} files`);
  assert.equal(actual.runbooks.length, expected.runbooks.length);
  assert.equal(actual.incidents.length, expected.incidents.length);
}

interface StormFigures {
  storm: string;
  watcherEvents: number;
  indexChanges: number;
  treeRefreshes: number;
  longestBlockMs: number;
  settleMs: number;
}

const figures: StormFigures[] = [];
const eventLog = new Map<string, string[]>();

/**
 * Runs `action` (which makes the storm) and waits until it settles, counting file events, index changes
 * and tree refreshes, and recording the longest event-loop block in this (the extension host's) thread.
 */
async function measureStorm(ops: RunbookOpsApi, storm: string, action: () => Promise<void>): Promise<StormFigures> {
  let watcherEvents = 0;
  let indexChanges = 0;
  let treeRefreshes = 0;
  let lastChangeAt = 0;
  const watcher = vscode.workspace.createFileSystemWatcher('**/*');
  const counted = (kind: string) => (uri: vscode.Uri): void => {
    watcherEvents++;
    const key = vscode.workspace.asRelativePath(uri, false);
    eventLog.set(key, [...(eventLog.get(key) ?? []), `${storm.slice(0, 12)}:${kind}@${Math.round(performance.now() - started)}`]);
  };
  const subscriptions = [
    watcher,
    watcher.onDidCreate(counted('create')),
    watcher.onDidChange(counted('change')),
    watcher.onDidDelete(counted('delete')),
    ops.index.onDidChange(() => {
      indexChanges++;
      lastChangeAt = performance.now();
    }),
    ops.runbooksTree.onDidChangeTreeData(() => treeRefreshes++),
    ops.incidentsTree.onDidChangeTreeData(() => treeRefreshes++),
  ];
  // Timer-based: a block of the thread shows as a late timer; 10 ms resolution is enough for a 100 ms target.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const started = performance.now();
  const profiler = process.env.RUNBOOK_OPS_STORM_PROFILE ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await new Promise((r) => profiler.post('Profiler.enable', r));
    await new Promise((r) => profiler.post('Profiler.start', r));
  }
  delay.enable();
  try {
    await action();
    // Settled: nothing pending in the index service and no change for QUIET_MS (longer than the watcher's latency).
    for (let quietSince = performance.now(); performance.now() - Math.max(quietSince, lastChangeAt) < QUIET_MS; await sleep(100)) {
      if (ops.index.hasPendingChanges) quietSince = performance.now();
      if (performance.now() - started > 120_000) throw new Error(`${storm}: still changing after 120 s`);
    }
  } finally {
    delay.disable();
    if (profiler) {
      const profile = await new Promise<{ nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number }[]; samples: number[]; timeDeltas: number[] }>((resolve) =>
        profiler.post('Profiler.stop', (_e, r) => resolve((r as unknown as { profile: never }).profile)),
      );
      const self = new Map<number, number>();
      profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
      const byName = new Map<string, number>();
      for (const node of profile.nodes) {
        const key = `${node.callFrame.functionName || '(anon)'} ${node.callFrame.url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber}`;
        byName.set(key, (byName.get(key) ?? 0) + (self.get(node.id) ?? 0) / 1000);
      }
      console.log([...byName].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `      ${v.toFixed(0)} ms ${k}`).join('\n'));
      // The longest stretch of consecutive busy samples, and what ran in it (by stack).
      const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
      const parent = new Map<number, number>();
      for (const n of profile.nodes as { id: number; children?: number[] }[]) for (const c of n.children ?? []) parent.set(c, n.id);
      const name = (id: number): string => { const f = nodes.get(id)!.callFrame; return `${f.functionName || '(anon)'}:${f.lineNumber}`; };
      let best = { start: 0, end: 0, ms: 0 };
      for (let i = 0, start = 0, ms = 0; i < profile.samples.length; i++) {
        // The profiler's own start call is not the storm's.
        const idle = ['(idle)', '(program)', '(root)', 'post'].includes(nodes.get(profile.samples[i])!.callFrame.functionName);
        if (idle) { start = i + 1; ms = 0; continue; }
        ms += (profile.timeDeltas[i] ?? 0) / 1000;
        if (ms > best.ms) best = { start, end: i, ms };
      }
      const stacks = new Map<string, number>();
      for (let i = best.start; i <= best.end; i++) {
        const chain: string[] = [];
        for (let id: number | undefined = profile.samples[i]; id !== undefined && chain.length < 14; id = parent.get(id)) chain.push(name(id));
        const key = chain.join(' < ');
        stacks.set(key, (stacks.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      }
      console.log(`      longest busy stretch ${best.ms.toFixed(0)} ms:\n${[...stacks].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `        ${v.toFixed(0)} ms ${k}`).join('\n')}`);
      profiler.disconnect();
    }
    for (const s of subscriptions) s.dispose();
  }
  const result: StormFigures = {
    storm,
    watcherEvents,
    indexChanges,
    treeRefreshes,
    longestBlockMs: Math.round(delay.max / 1e6),
    settleMs: Math.round((lastChangeAt || performance.now()) - started),
  };
  figures.push(result);
  console.log(`    storm figures: ${JSON.stringify(result)}`);
  return result;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function assertBounded(result: StormFigures): void {
  assert.ok(result.indexChanges >= 1, `${result.storm}: the index never changed`);
  assert.ok(result.indexChanges <= MAX_INDEX_CHANGES, `${result.storm}: ${result.indexChanges} index changes (views refreshed that often); expected at most ${MAX_INDEX_CHANGES}`);
  // Two trees, each refreshed once per index change (plus review-date updates for the runbooks tree).
  assert.ok(result.treeRefreshes <= 3 * MAX_INDEX_CHANGES, `${result.storm}: ${result.treeRefreshes} tree refreshes`);
  if (result.longestBlockMs >= TARGET_BLOCK_MS) console.log(`    ${result.storm}: longest block ${result.longestBlockMs} ms misses the ${TARGET_BLOCK_MS} ms target`);
}

describe('File-system storms', function () {
  this.timeout(300_000);
  let origin: string;
  let clone: string;

  before(async function () {
    const ops = await api();
    // The views are visible, as for a user watching the sidebar: their rendering is part of the cost.
    await vscode.commands.executeCommand('runbookOps.runbooks.focus');
    await vscode.commands.executeCommand('runbookOps.incidents.focus');
    origin = await createOrigin();
    clone = join(workspaceFolder().uri.fsPath, 'storm');
    // The clone itself is a 5,000-file storm; it is the starting point, measured but not the subject.
    await measureStorm(ops, 'git clone (5,020 files appear)', () => git(workspaceFolder().uri.fsPath, 'clone', '--quiet', '--no-local', '--branch', 'base', origin, 'storm'));
    await assertIndexEqualsFreshBuild(ops, 'after the clone');
  });

  after(async function () {
    const ops = await api();
    if (clone) await measureStorm(ops, 'clean-up (the clone deleted)', () => rm(clone, { recursive: true, force: true }));
    if (origin) rmSync(origin, { recursive: true, force: true });
    console.log('    storm figures (events = file watcher events; changes = index updates, each one refresh of the views):');
    console.table(figures);
    await assertIndexEqualsFreshBuild(ops, 'after the clean-up');
  });

  it('a git checkout that changes 5,000 files ends with the index equal to a full rebuild', async () => {
    const ops = await api();
    const result = await measureStorm(ops, 'git checkout (5,000 paths changed)', () => git(clone, 'checkout', '--quiet', 'next'));
    await assertIndexEqualsFreshBuild(ops, 'after the checkout');
    assert.equal(ops.index.runbookAt(vscode.Uri.file(join(clone, runbookPath(0))))?.runbook.title, 'Runbook 0 (v2)');
    assert.equal(ops.index.runbookAt(vscode.Uri.file(join(clone, runbookPath(4_000)))), undefined, 'deleted by the checkout');
    assertBounded(result);
  });

  it('a git pull adding 1,000 incident records ends with the index equal to a full rebuild', async () => {
    const ops = await api();
    const before = ops.index.incidents().length;
    const result = await measureStorm(ops, 'git pull (1,000 incidents added)', () => git(clone, 'pull', '--quiet', '--ff-only', 'origin', 'main'));
    await assertIndexEqualsFreshBuild(ops, 'after the pull');
    assert.equal(ops.index.incidents().length, before + PULLED_INCIDENTS);
    assertBounded(result);
  });

  it('a folder deleted and restored by git ends with the index equal to a full rebuild', async () => {
    const ops = await api();
    const before = ops.index.incidents().length;
    const deleted = await measureStorm(ops, 'rm -rf incidents/ (1,020 files)', () => rm(join(clone, 'incidents'), { recursive: true }));
    await assertIndexEqualsFreshBuild(ops, 'after deleting the folder');
    assert.equal(ops.index.incidents().length, before - PULLED_INCIDENTS - 20);
    assertBounded(deleted);
    const restored = await measureStorm(ops, 'git checkout -- incidents/ (restored)', () => git(clone, 'checkout', '--', 'incidents'));
    await assertIndexEqualsFreshBuild(ops, 'after restoring the folder');
    assert.equal(ops.index.incidents().length, before);
    assertBounded(restored);
  });

  it('a folder moved out and back (as a restore from the trash does) ends with the index equal to a full rebuild', async () => {
    const ops = await api();
    const before = ops.index.runbookCount();
    const aside = join(dirname(origin), `${origin.split('/').pop()}-aside`);
    const movedOut = await measureStorm(ops, 'mv services/ out of the workspace', () => rename(join(clone, 'services'), aside));
    await assertIndexEqualsFreshBuild(ops, 'after moving the folder out');
    assert.ok(ops.index.runbookCount() < before - 4_000);
    assertBounded(movedOut);
    const movedBack = await measureStorm(ops, 'mv services/ back', () => rename(aside, join(clone, 'services')));
    await assertIndexEqualsFreshBuild(ops, 'after moving the folder back');
    assert.equal(ops.index.runbookCount(), before);
    assertBounded(movedBack);
  });
});
