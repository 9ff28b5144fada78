// The fast paths must not change a single answer (README, Performance): the parallel build against the
// sequential one, the outline scanner against markdown-it, the YAML subset reader against js-yaml, and
// the shortcut date and spelling checks against the code they replaced. Generated documents are
// seeded, so a failure reproduces.
import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as jsYaml from 'js-yaml';
import { checkRepository } from '../../src/cli/checkCommand';
import { listRepositoryFiles, repositoryReader } from '../../src/fs/repositoryFiles';
import { isCalendarDate, parseTimestamp } from '../../src/core/incident/incident';
import { closestKnownName, editDistance } from '../../src/core/text/nameDistance';
import { parseDocument } from 'yaml';
import { sourceFromDocument } from '../../src/core/text/incidentSource';
import { WorkspaceIndex } from '../../src/core/index/workspaceIndex';
import { scanMarkdownOutline } from '../../src/core/runbook/markdownOutline';
import { buildIndexInParallel, IndexWorkerPool } from '../../src/fs/parallelIndex';
import { PathClassifier } from '../../src/core/config/paths';
import { layoutFromConfig, parseRepoConfig } from '../../src/core/config/repoConfig';
import { listItemTitle, parseRunbook, plainText, slugify } from '../../src/core/runbook/runbook';
import { decodeIndexedFiles, encodeIndexedFiles, type IndexedFile } from '../../src/core/index/summaryCodec';
import { readYamlSubset } from '../../src/core/text/yamlSubset';
import { validateIncident } from '../../src/core/incident/incidentValidation';
import { ensureCorpus, seededRandom, SMALL_CORPUS } from '../bench/corpusGenerator';

const sampleRepo = resolve(__dirname, '../../../runbooks');
const fixtures = resolve(__dirname, '../../../test/unit/fixtures');
const realRunbooks = resolve(__dirname, '../../../../shared/real-runbooks');

function filesUnder(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full, pattern));
    else if (pattern.test(name)) out.push(full);
  }
  return out.sort();
}

/** Lookups whose Map order follows indexing order are compared sorted. */
function views(index: WorkspaceIndex): unknown {
  const services = [...index.services()].sort();
  return {
    snapshot: index.snapshot(),
    services,
    byService: services.map(([name]) => index.byService(name).map((r) => r.path)),
    duplicates: [...index.duplicateIncidentIds()].sort(),
    search: index.search('pods').map((r) => r.path),
  };
}

async function bothBuilds(root: string, classifier: () => WorkspaceIndex): Promise<[unknown, unknown, number]> {
  const sequential = classifier();
  await sequential.build(listRepositoryFiles(root), repositoryReader(root));
  const parallel = classifier();
  // Small batches, so results arrive out of order and the in-order application is exercised.
  const pool = new IndexWorkerPool({ workers: 2 });
  try {
    const report = await buildIndexInParallel(parallel, root, listRepositoryFiles(root), { pool, batchSize: 7 });
    return [views(parallel), views(sequential), report.workers];
  } finally {
    await pool.dispose();
  }
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** Markdown made of the pieces runbooks are written with, in random order and nesting. */
function randomMarkdown(random: () => number): string {
  const lines: string[] = [];
  const blocks = 1 + Math.floor(random() * 8);
  for (let b = 0; b < blocks; b++) {
    const roll = random();
    if (roll < 0.15) lines.push(pick(random, ['# T', '## Diagnosis', '### Step `x`', 'Setext', '## A #', '#NoSpace', '  ## indented']));
    else if (roll < 0.6) {
      const marker = pick(random, ['1.', '2.', '1)', '-', '*', '+', '10.']);
      const gap = pick(random, [1, 1, 1, 2, 3, 4, 5]);
      lines.push(`${pick(random, ['', '', '', ' ', '  '])}${marker}${' '.repeat(gap)}${pick(random, ['Check the pods:', 'Restart *it*.', '[link](x) then', '# heading item', 'Run `cmd`: now', '[ref]: x'])}`);
      const indent = marker.length + gap;
      for (let k = Math.floor(random() * 4); k > 0; k--) {
        const pad = ' '.repeat(Math.max(0, indent + pick(random, [0, 0, 0, -1, 1, 2, -3, 4])));
        const kind = random();
        if (kind < 0.3) lines.push(pad + pick(random, ['more text', 'lazy *text*', '---', '===', '<b>x</b>', '<!-- c -->', '> q', '- sub', '\ttab', '***']));
        else if (kind < 0.5) lines.push('');
        else {
          const fence = pick(random, ['```', '```', '~~~', '````']);
          lines.push(pad + fence + pick(random, ['sh', 'console', '', 'yaml {name=a}', 'kubectl get pods']));
          for (let c = 1 + Math.floor(random() * 3); c > 0; c--) lines.push(pad + pick(random, ['$ kubectl get pods -n <ns>', 'echo $FOO', 'NAME', '', '  indented', '```sh']));
          if (random() < 0.95) lines.push(' '.repeat(Math.max(0, pad.length + pick(random, [0, 0, 0, -1, 1, -3]))) + fence);
        }
      }
    } else if (roll < 0.75) lines.push(pick(random, ['Paragraph.', 'Para with `code`', '| t | a |', '[Dashboard](http://x) here']), pick(random, ['continues', '1. item', '2. item', '- item', '', '    code?', '> q', '---', '<div>']));
    else if (roll < 0.85) lines.push(pick(random, ['```sh', '~~~', '   ```bash']), 'echo hi', pick(random, ['```', '~~~', '   ```']));
    else if (roll < 0.93) lines.push(pick(random, ['> note', '> **Warning:** x', '<!-- c -->', '---', '* * *', '    $ indented', '<details>', '</details>', '\u00a0nbsp']));
    // Raw HTML blocks (comments, <pre>, <script>, <?, <!X, CDATA) run to their end marker, blank lines and fences included.
    else lines.push(...pick(random, [['<!--', '```sh', 'echo hidden', '', '## Hidden'], ['<!-- x', '```sh'], ['<pre>', '```sh', '', 'x', '</pre>'], ['<script>', '```', '</script> after'], ['<?php', '```sh', '?>'], ['<!DOCTYPE x', '```sh', '>'], ['<![CDATA[', '```', ']]>']]), pick(random, ['-->', '', 'text -->', '```']));
    if (random() < 0.6) lines.push('');
  }
  if (random() < 0.2) lines.unshift('---', 'title: T', 'services: [a]', '---');
  return lines.join('\n') + (random() < 0.9 ? '\n' : '');
}

/** YAML shaped like incident records, with the constructs the subset reader must refuse mixed in. */
function randomYaml(random: () => number): string {
  const scalars = [
    'foo', 'foo bar', '42', '-7', '0x1F', '1e3', '.inf', '~', 'null', 'Null', 'true', 'False', '2026-11-23T09:06:00Z', '"quoted \\" x"', "'single ''q'''",
    'a #comment', 'a#b', 'http://x:80/a?b=c', '12:30', '1:2:3', '-1:00', '.5:1', 'true:x', '-x', '?x', '[a, b]', '[]', '{}', '{ a: 1, b: "x" }', '|', '|-', '>', '>-', '00', '+12', '3.14', 'é',
    '"a\\tb"', '"\\u0041"', 'x: y', '- x', '&a x', '*a', '!tag x', '"unterminated', '[a, [b]]', '[a,, b]', '|+', '|2', '@x', '"a"x', '[a]x', 'a:', '',
  ];
  const keys = ['id', 'title', 'status', 'a', 'b_c', 'x-y', 'k.1', 'at', 'by', 'text', 'true', '__proto__', 'key with space', 'id'];
  const value = (depth: number, indent: number): string => {
    const roll = random();
    if (depth < 3 && roll < 0.2) return `\n${mapping(depth + 1, indent + pick(random, [2, 2, 4, 1, 0]))}`;
    if (depth < 3 && roll < 0.35) return `\n${sequence(depth + 1, indent + pick(random, [2, 0, 4]))}`;
    const scalar = pick(random, scalars);
    if (scalar.startsWith('|') || scalar.startsWith('>')) {
      const bodyIndent = indent + pick(random, [2, 2, 1, 0, 4]);
      const body: string[] = [];
      for (let i = 1 + Math.floor(random() * 4); i > 0; i--) {
        body.push(random() < 0.15 ? '' : random() < 0.1 ? `${' '.repeat(bodyIndent + 2)}more` : `${' '.repeat(bodyIndent)}${pick(random, ['line one', 'x  y', '# not a comment', 'a: b'])}`);
      }
      return ` ${scalar}\n${body.join('\n')}`;
    }
    return `${random() < 0.1 ? '  ' : ' '}${scalar}${random() < 0.1 ? '   ' : ''}${random() < 0.05 ? ' # trailing' : ''}`;
  };
  const mapping = (depth: number, indent: number): string => {
    const out: string[] = [];
    for (let i = 1 + Math.floor(random() * 4); i > 0; i--) {
      if (random() < 0.1) out.push(`${' '.repeat(Math.floor(random() * 6))}# comment`);
      out.push(`${' '.repeat(indent)}${pick(random, keys)}:${value(depth, indent)}`);
    }
    return out.join('\n');
  };
  const sequence = (depth: number, indent: number): string => {
    const out: string[] = [];
    for (let i = 1 + Math.floor(random() * 3); i > 0; i--) {
      if (random() < 0.5) out.push(`${' '.repeat(indent)}- ${mapping(depth + 1, indent + 2).trimStart()}`);
      else out.push(`${' '.repeat(indent)}-${value(depth + 1, indent)}`);
    }
    return out.join('\n');
  };
  return `${mapping(0, 0)}${random() < 0.9 ? '\n' : ''}`;
}

/**
 * The subset reader either declines or agrees with js-yaml (the value) and with the `yaml` package (the
 * validator tree: kinds, scalar text and node ranges, which give problems their positions); returns
 * whether it read the text.
 */
function assertSubsetAgrees(text: string, label: string): boolean {
  const subset = readYamlSubset(text, text.split('\n'));
  if (!subset) return false;
  let loaded: unknown;
  try {
    loaded = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
  } catch (err) {
    assert.fail(`${label}: the subset reader read a document js-yaml refuses (${(err as Error).message.split('\n')[0]}):\n${text}`);
  }
  assert.deepStrictEqual(subset.value, loaded, `${label}: value differs from js-yaml:\n${text}`);
  assert.deepStrictEqual(subset.node, sourceFromDocument(parseDocument(text)), `${label}: validator tree differs from yaml's:\n${text}`);
  return true;
}

describe('index fast paths give the same answers', function () {
  this.timeout(120_000);

  it('the parallel build equals the sequential build on the sample repository', async () => {
    const config = parseRepoConfig(readFileSync(join(sampleRepo, '.runbook-ops.yaml'), 'utf8')).config;
    const [parallel, sequential, workers] = await bothBuilds(sampleRepo, () => new WorkspaceIndex(new PathClassifier(layoutFromConfig(config)), { config }));
    assert.equal(workers, 2, 'the worker threads ran');
    assert.deepStrictEqual(parallel, sequential);
  });

  it('the parallel build equals the sequential build on the generated small corpus (1k runbooks + 1k incidents)', async () => {
    const corpus = ensureCorpus(SMALL_CORPUS);
    const [parallel, sequential, workers] = await bothBuilds(corpus.root, () => new WorkspaceIndex());
    assert.equal(workers, 2);
    assert.equal((sequential as { snapshot: { runbooks: unknown[] } }).snapshot.runbooks.length, 1000);
    assert.deepStrictEqual(parallel, sequential);
  });

  it('runbook-ops check gives the same answer on worker threads as in the calling thread (sample repository and small corpus)', async () => {
    const corpus = ensureCorpus(SMALL_CORPUS);
    const now = new Date('2026-11-25T12:00:00Z');
    let problems = 0;
    for (const root of [sampleRepo, corpus.root]) {
      const workers = new IndexWorkerPool({ workers: 2 });
      const inProcess = new IndexWorkerPool({ workers: 0 });
      try {
        const parallel = await checkRepository(root, { now, pool: workers });
        const sequential = await checkRepository(root, { now, pool: inProcess });
        problems += parallel.files.reduce((n, f) => n + f.problems.length, 0);
        assert.deepStrictEqual(parallel, sequential, root);
      } finally {
        await workers.dispose();
        await inProcess.dispose();
      }
    }
    assert.ok(problems > 0, 'the checks found problems to compare');
  });

  it('the compact form workers send summaries in decodes to the same summaries, key order included', async () => {
    const corpus = ensureCorpus(SMALL_CORPUS);
    for (const root of [sampleRepo, corpus.root]) {
      const index = new WorkspaceIndex();
      await index.build(listRepositoryFiles(root), repositoryReader(root));
      const files: IndexedFile[] = [
        ...index.runbooks().map((summary): IndexedFile => ({ kind: 'runbook', summary })),
        ...index.incidents().map((summary): IndexedFile => ({ kind: 'incident', summary })),
        { kind: 'runbook', missing: 'gone.md' },
      ];
      // Odd values the encoding must not confuse with its markers: empty strings, a title equal to the section, a custom reason.
      const first = index.runbooks().find((r) => r.steps.length > 0)!;
      // Optional fields in the order a summary has them: owner before the alert mentions.
      const { alertMentions, ...rest } = first;
      files.push({ kind: 'runbook', summary: { ...rest, path: 'odd.md', title: '', owner: '', steps: [{ ...first.steps[0], title: '', section: '', reason: 'custom' }], ...(alertMentions ? { alertMentions } : {}) } });
      const decoded = decodeIndexedFiles(encodeIndexedFiles(files));
      assert.deepStrictEqual(decoded, files, root);
      assert.equal(JSON.stringify(decoded), JSON.stringify(files), `${root}: key order`);
    }
  });

  it('a build whose workers die finishes in the calling thread with the same index', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rbo-dying-worker-'));
    const script = join(dir, 'indexWorker.js');
    writeFileSync(script, 'process.exit(3);\n');
    const corpus = ensureCorpus(SMALL_CORPUS);
    try {
      const parallel = new WorkspaceIndex();
      const report = await buildIndexInParallel(parallel, corpus.root, listRepositoryFiles(corpus.root), { workerScript: script, workers: 2, batchSize: 50 });
      assert.equal(report.workers, 0, 'reported as built in the calling thread');
      const sequential = new WorkspaceIndex();
      await sequential.build(listRepositoryFiles(corpus.root), repositoryReader(corpus.root));
      assert.deepStrictEqual(views(parallel), views(sequential));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a pool keeps its workers between builds, stops them once idle, and starts them again for the next build', async () => {
    const corpus = ensureCorpus(SMALL_CORPUS);
    const paths = listRepositoryFiles(corpus.root);
    const pool = new IndexWorkerPool({ workers: 2, idleStopMs: 400 });
    try {
      const first = new WorkspaceIndex();
      assert.equal((await pool.build(first, corpus.root, paths)).workers, 2);
      assert.equal(pool.running, 2, 'the workers outlive the build');
      await new Promise((r) => setTimeout(r, 150));
      const second = new WorkspaceIndex();
      await pool.build(second, corpus.root, paths);
      // A build inside the idle time restarts it: 150 + 300 ms after the first build they still run.
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(pool.running, 2, 'a build put off the idle stop');
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(pool.running, 0, 'stopped once idle');
      const third = new WorkspaceIndex();
      assert.equal((await pool.build(third, corpus.root, paths)).workers, 2, 'a build after the stop starts workers again');
      assert.deepStrictEqual(views(second), views(first));
      assert.deepStrictEqual(views(third), views(first));
    } finally {
      await pool.dispose();
    }
    assert.equal(pool.running, 0);
  });

  it('changed files re-read on the workers leave an existing index equal to a fresh build', async () => {
    const corpus = ensureCorpus(SMALL_CORPUS);
    const root = mkdtempSync(join(tmpdir(), 'rbo-pool-update-'));
    const pool = new IndexWorkerPool({ workers: 2 });
    try {
      cpSync(corpus.root, root, { recursive: true });
      const index = new WorkspaceIndex();
      await pool.build(index, root, listRepositoryFiles(root));
      const runbooks = index.runbooks().map((r) => r.path);
      const incidents = index.incidents().map((i) => i.path);
      const changed: string[] = [];
      // What a checkout does: files edited, deleted and added, all in one batch of events.
      for (const path of runbooks.slice(0, 120)) {
        writeFileSync(join(root, path), readFileSync(join(root, path), 'utf8').replace(/^# .*$/m, `# Changed ${path}`));
        changed.push(path);
      }
      for (const path of incidents.slice(0, 40)) {
        writeFileSync(join(root, path), readFileSync(join(root, path), 'utf8').replace(/^status: .*$/m, 'status: resolved'));
        changed.push(path);
      }
      for (const path of [...runbooks.slice(200, 220), ...incidents.slice(200, 220)]) {
        unlinkSync(join(root, path));
        changed.push(path);
      }
      const folder = runbooks[0].slice(0, runbooks[0].lastIndexOf('/'));
      for (let n = 0; n < 30; n++) {
        writeFileSync(join(root, `${folder}/new-${n}.md`), `# New ${n}\n\n## Check\n\n\`\`\`sh\nkubectl get pods -n ns-${n}\n\`\`\`\n`);
        changed.push(`${folder}/new-${n}.md`);
      }
      const report = await pool.build(index, root, changed, { batchSize: 50 });
      assert.equal(report.workers, 2);
      const fresh = new WorkspaceIndex();
      await fresh.build(listRepositoryFiles(root), repositoryReader(root));
      assert.equal(index.runbookCount, fresh.runbookCount);
      assert.ok(index.runbooks().some((r) => r.title === `Changed ${runbooks[0]}`), 'an edited runbook was re-read');
      assert.equal(index.runbooks().some((r) => r.path === runbooks[200]), false, 'a deleted runbook is gone');
      // Entries keep their first-indexed place in a Map, so compare in path order.
      const byPath = <T extends { path: string }>(items: T[]): T[] => [...items].sort((a, b) => a.path.localeCompare(b.path));
      assert.deepStrictEqual(byPath(index.runbooks()), byPath(fresh.runbooks()));
      assert.deepStrictEqual(byPath(index.incidents()), byPath(fresh.incidents()));
      assert.deepStrictEqual([...index.duplicateIncidentIds()].sort(), [...fresh.duplicateIncidentIds()].sort());
    } finally {
      await pool.dispose();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the outline scanner gives markdown-it\'s runbooks on the sample, the real runbooks, the corpus and 4,000 generated documents', () => {
    const corpus = ensureCorpus(SMALL_CORPUS);
    const documents: [string, string][] = [
      ...filesUnder(sampleRepo, /\.md$/).map((f): [string, string] => [f, readFileSync(f, 'utf8')]),
      ...corpus.files.filter((p) => p.endsWith('.md')).map((p): [string, string] => [p, readFileSync(join(corpus.root, p), 'utf8')]),
      ...(existsSync(realRunbooks) ? filesUnder(realRunbooks, /\.md$/) : []).map((f): [string, string] => [f, readFileSync(f, 'utf8')]),
    ];
    const random = seededRandom(7);
    for (let i = 0; i < 4000; i++) documents.push([`generated-${i}.md`, randomMarkdown(random)]);
    let generatedScanned = 0;
    let corpusScanned = 0;
    for (const [path, text] of documents) {
      assert.deepStrictEqual(parseRunbook(path, text), parseRunbook(path, text, { fullParse: true }), `${path} parses differently:\n${text}`);
      const lines = text.split('\n');
      const from = lines[0] === '---' ? lines.indexOf('---', 1) + 1 : 0;
      if (scanMarkdownOutline(lines, from, lines.length)) {
        if (path.startsWith('generated-')) generatedScanned++;
        else if (!path.startsWith(realRunbooks)) corpusScanned++;
      }
    }
    // Not a vacuous pass: the scanner read most corpus runbooks and a good share of the generated ones itself.
    // (Real runbooks use more constructs it leaves to markdown-it; for them the point is the equality above.)
    const corpusCount = documents.filter(([p]) => !p.startsWith('generated-') && !p.startsWith(realRunbooks)).length;
    assert.ok(corpusScanned >= 0.95 * corpusCount, `scanner read ${corpusScanned} of ${corpusCount} corpus runbooks`);
    assert.ok(generatedScanned >= 600, `scanner read ${generatedScanned} of 4000 generated documents`);
  });

  it('the YAML subset reader gives js-yaml\'s value on the sample, the fixtures, the corpus and 20,000 generated documents', () => {
    const corpus = ensureCorpus(SMALL_CORPUS);
    let read = 0;
    const records = corpus.files.filter((p) => p.endsWith('.yaml'));
    for (const path of records) if (assertSubsetAgrees(readFileSync(join(corpus.root, path), 'utf8'), path)) read++;
    assert.ok(read >= 0.98 * records.length, `subset read ${read} of ${records.length} corpus records`);
    for (const file of [...filesUnder(join(sampleRepo, 'incidents'), /\.ya?ml$/), ...filesUnder(fixtures, /\.ya?ml$/)]) assertSubsetAgrees(readFileSync(file, 'utf8'), file);
    const random = seededRandom(11);
    let generated = 0;
    for (let i = 0; i < 20_000; i++) if (assertSubsetAgrees(randomYaml(random), `generated ${i}`)) generated++;
    assert.ok(generated >= 1000, `subset read ${generated} of 20,000 generated documents`);
  });

  it('incident validation through the subset reader equals the `yaml` pass, positions included (corpus, sample, fixtures, 5,000 generated documents)', () => {
    const corpus = ensureCorpus(SMALL_CORPUS);
    const documents: [string, string][] = [
      ...corpus.files.filter((p) => p.endsWith('.yaml')).map((p): [string, string] => [p, readFileSync(join(corpus.root, p), 'utf8')]),
      ...[...filesUnder(join(sampleRepo, 'incidents'), /\.ya?ml$/), ...filesUnder(fixtures, /\.ya?ml$/)].map((f): [string, string] => [`incidents/${f.split('/').pop()}`, readFileSync(f, 'utf8')]),
    ];
    const random = seededRandom(13);
    for (let i = 0; i < 5000; i++) documents.push([`incidents/INC-${i}.yaml`, randomYaml(random)]);
    const context = { now: new Date('2026-11-25T12:00:00Z'), runbookPaths: new Set(['kubernetes/a.md']) };
    let withProblems = 0;
    for (const [path, text] of documents) {
      const fast = validateIncident(path, text, context);
      const full = validateIncident(path, text, { ...context, skipQuickCheck: true });
      assert.deepStrictEqual(fast, full, `${path} validates differently:\n${text}`);
      if (fast.problems.length > 0 && readYamlSubset(text, text.split('\n'))) withProblems++;
    }
    // Not vacuous: many records with problems were read by the subset reader, not by `yaml`.
    assert.ok(withProblems >= 1000, `${withProblems} records with problems read by the subset reader`);
  });

  it('list item titles read from the first sentence alone equal those read from the whole paragraph', () => {
    const random = seededRandom(17);
    const parts = ['Check', ' the', ' pods', '.', ':', ';', '!', '?', ' ', '  ', '\n', '\t', '`x`', '**b**', '*e*', '_u_', '[l](http://a.b/c.d)', '<br>', 'é', '\u00a0', '...', 'e.g.', 'v1.2', '3:00'];
    const reference = (inline: string): string => {
      const text = plainText(inline);
      const sentence = /^(.+?)[.:;!?](\s|$)/.exec(text)?.[1] ?? text;
      return sentence.length > 80 ? `${sentence.slice(0, 79).trimEnd()}…` : sentence;
    };
    for (let i = 0; i < 50_000; i++) {
      let inline = '';
      for (let k = 1 + Math.floor(random() * 30); k > 0; k--) inline += pick(random, parts);
      if (random() < 0.05) inline = `${'word '.repeat(220)}. Next.`;
      assert.equal(listItemTitle(inline), reference(inline), JSON.stringify(inline));
    }
  });

  it('slugs of ASCII text equal the general Unicode reading', () => {
    const random = seededRandom(19);
    const parts = ['Check', ' the', ' Pods', '-', '--', ' ', '!', 'x9', '_', 'ABC', '.', '\t', '(v2)', '&'];
    const general = (text: string): string => text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');
    for (let i = 0; i < 50_000; i++) {
      let text = '';
      for (let k = Math.floor(random() * 12); k > 0; k--) text += pick(random, parts);
      assert.equal(slugify(text), general(text), JSON.stringify(text));
    }
  });

  it('timestamps, calendar dates and misspelling guesses read as before', () => {
    const random = seededRandom(3);
    const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
    const realDate = (y: number, m: number, d: number): boolean => {
      const check = new Date(Date.UTC(y, m - 1, d));
      return check.getUTCMonth() === m - 1 && check.getUTCDate() === d;
    };
    const two = (n: number): string => String(n).padStart(2, '0');
    for (let i = 0; i < 50_000; i++) {
      const [y, m, d] = [Math.floor(random() * 10_000), Math.floor(random() * 14), Math.floor(random() * 33)];
      const date = `${String(y).padStart(4, '0')}-${two(m)}-${two(d)}`;
      assert.equal(isCalendarDate(date), realDate(y, m, d), date);
      const text = `${date}T${two(Math.floor(random() * 26))}:${two(Math.floor(random() * 62))}:${two(Math.floor(random() * 62))}${pick(random, ['Z', 'z', '+01:00', '.5Z'])}`;
      const m3339 = rfc3339.exec(text)!;
      const [hour, minute, second] = [Number(m3339[4]), Number(m3339[5]), Number(m3339[6])];
      const expected = realDate(y, m, d) && hour <= 23 && minute <= 59 && second <= 60 ? Date.parse(text.replace(/^(.{10})t/, '$1T').replace(/z$/, 'Z')) : NaN;
      const parsed = parseTimestamp(text);
      assert.equal(parsed.ok ? parsed.epochMs : NaN, expected, text);
    }
    const words = ['status', 'severity', 'mitigated_at', 'kubernetes/checkout-api-rollback.md', 'queue/dead-letter-queue.md', 'a', 'ab'];
    const mutate = (word: string): string => {
      let out = word;
      for (let k = Math.floor(random() * 4); k > 0; k--) {
        const at = Math.floor(random() * (out.length + 1));
        const roll = random();
        out = roll < 0.3 ? out.slice(0, at) + 'x' + out.slice(at) : roll < 0.6 ? out.slice(0, at) + out.slice(at + 1) : out.slice(0, at) + out.slice(at + 1, at + 2) + out.slice(at, at + 1) + out.slice(at + 2);
      }
      return out;
    };
    // The original closestKnownName: the full distance table for every candidate.
    const reference = (word: string, known: readonly string[]): string | undefined => {
      const folded = word.toLowerCase().replace(/[-\s]/g, '_');
      const same = known.find((k) => k.toLowerCase() === folded);
      if (same !== undefined) return same;
      let best: string | undefined;
      let bestDistance = Infinity;
      for (const candidate of known) {
        const limit = Math.min(candidate.length, folded.length) >= 6 ? 2 : 1;
        if (Math.abs(candidate.length - folded.length) > limit) continue;
        const distance = editDistance(folded, candidate.toLowerCase());
        if (distance <= limit && distance < bestDistance) [best, bestDistance] = [candidate, distance];
      }
      return best;
    };
    for (let i = 0; i < 20_000; i++) {
      const word = mutate(pick(random, words));
      assert.equal(closestKnownName(word, words), reference(word, words), word);
    }
  });
});
