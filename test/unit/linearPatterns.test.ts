// Worst-case inputs for the patterns the parsers run on file text (issue 14). Each input is the attack
// string eslint-plugin-regexp reported for the pattern before it was fixed, made long enough that the
// old pattern would not finish within mocha's timeout; the test asserts the result, not the time.
// (The 1 MB file of such lines is timed by `npm run bench`, not here.)
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { blankCodeSpans } from '../../src/core/check/runbookLinks';
import { codeownersPattern, ownerHandles } from '../../src/core/check/codeowners';
import { trailingCommentStart } from '../../src/core/incident/incidentYamlText';
import { FENCE_IN_HTML, scanMarkdownOutline } from '../../src/core/runbook/markdownOutline';
import { trimSlashes } from '../../src/core/config/paths';
import { assignedShellNames } from '../../src/core/runbook/placeholders';
import { allocateIncidentId, idFormatProblem } from '../../src/core/config/repoConfig';
import { parseRunbook, plainText, slugify } from '../../src/core/runbook/runbook';

const repoRoot = resolve(__dirname, '../../..');
const cli = join(repoRoot, 'dist/cli.js');
const realRunbooks = resolve(repoRoot, '../shared/real-runbooks');
const LONG = 200_000;

function exportLines(count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`export ${'GITLAB_GPRD_ADMIN_API_PRIVATE_TOKEN_'.slice(0, 36)}${String.fromCharCode(65 + (i % 26)).repeat(4)}=CHANGEME`);
  return lines.join('\n');
}

function markdownFiles(dir: string, root = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...markdownFiles(full, root));
    else if (name.endsWith('.md')) out.push(relative(root, full));
  }
  return out;
}

describe('Parser patterns on their worst-case inputs (issue 14)', function () {
  this.timeout(20_000);

  it('export of a long name: the name is found (the old pattern doubled its time per letter)', () => {
    const name = 'GITLAB_GPRD_ADMIN_API_PRIVATE_TOKEN';
    assert.deepEqual([...assignedShellNames(`export ${name}=CHANGEME`)], [name]);
    assert.deepEqual([...assignedShellNames(`export ${'A'.repeat(LONG)}!`)], []);
    assert.deepEqual([...assignedShellNames('export A B; echo')].sort(), ['A', 'B']);
    assert.deepEqual([...assignedShellNames(`local ${'X '.repeat(5000)}\n`)], ['X']);
  });

  it('a runbook of 1,000 long `export` lines parses into one step that assigns them all', () => {
    const runbook = parseRunbook('tokens.md', `# Tokens\n\n\`\`\`sh\n${exportLines(1000)}\n\`\`\`\n`);
    assert.equal(runbook.steps.length, 1);
    assert.equal(runbook.steps[0].runnable, true);
    assert.equal(runbook.steps[0].placeholders.length, 0);
  });

  it('slugs, titles and markup of long runs', () => {
    assert.equal(slugify(`${'-'.repeat(LONG)}é!`), 'e');
    assert.equal(slugify(`ü${'-'.repeat(LONG)}`), 'u');
    // plainText reads the first 1,000 characters of a title; every markup rule sees its worst case.
    assert.equal(plainText('['.repeat(LONG)), '['.repeat(1000));
    assert.equal(plainText('<'.repeat(LONG)), '<'.repeat(1000));
    assert.equal(plainText('`'.repeat(LONG)), ''); // the old pattern gave '' too: one run is opening and closing ticks
    assert.equal(plainText('see `code` and [a link](x) and <b>bold</b>'), 'see code and a link and bold');
  });

  it('trailing YAML comments after long runs of spaces', () => {
    assert.equal(trailingCommentStart(`value${' '.repeat(LONG)}x`), -1);
    assert.equal(trailingCommentStart('text: a#b  # note'), 'text: a#b'.length);
    assert.equal(trailingCommentStart('#only'), -1);
  });

  it('code spans, id formats, slashes and owners', () => {
    const ticks = '`'.repeat(LONG);
    assert.equal(blankCodeSpans(`${ticks}x`), `${ticks}x`);
    assert.equal(blankCodeSpans('a `[x](y)` b ``c`` d `e'), `a ${' '.repeat(8)} b ${' '.repeat(5)} d \`e`);
    let runs = '';
    for (let n = 1; n < 600; n++) runs += `${'`'.repeat(n)}x`;
    assert.equal(blankCodeSpans(runs), runs);
    assert.match(idFormatProblem('{'.repeat(LONG)) ?? '', /exactly one \{seq\}/);
    assert.equal(allocateIncidentId({ idFormat: 'INC-{seq:4}' }, ['INC-0007'], new Date()), 'INC-0008');
    assert.equal(trimSlashes(`${'/'.repeat(LONG)}a${'/'.repeat(LONG)}`), 'a');
    assert.equal(codeownersPattern('/docs/', 'x.md'), '/docs/x.md');
    assert.deepEqual(ownerHandles(`a@${'.'.repeat(LONG)}`).routable, [`a@${'.'.repeat(LONG)}`]);
    assert.deepEqual(ownerHandles(`a@${'x'.repeat(LONG)}`).routable, []);
    assert.deepEqual(ownerHandles('ops@example.com @org/team').routable, ['ops@example.com', '@org/team']);
  });

  it('HTML blocks and fences inside them', () => {
    assert.equal(FENCE_IN_HTML.test(`${'\n'.repeat(LONG)}x`), false);
    assert.equal(FENCE_IN_HTML.test('<details>\n  > ```sh\n'), true);
    const nbsp = '\u00a0'.repeat(LONG);
    const lines = [`<a b=x${nbsp}`, '', '## After', ''];
    // Non-ASCII white space in a tag line is left to markdown-it, which decides the block structure.
    // (markdown-it's own tag pattern is super-linear on this line: the parse budget is what bounds it.)
    assert.equal(scanMarkdownOutline(lines, 0, lines.length), undefined);
    const plain = ['<a b=x  ', '', '## After', ''];
    assert.deepEqual(scanMarkdownOutline(plain, 0, plain.length)?.map((e) => e.kind), ['heading']);
  });

  it('`runbook-ops index` over the real runbooks plus a file of 1,000 long `export` lines lists every file', function () {
    if (!existsSync(realRunbooks)) this.skip();
    this.timeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), 'runbook-ops-real-'));
    try {
      cpSync(realRunbooks, join(dir, 'real'), { recursive: true });
      mkdirSync(join(dir, 'docs/incidents'), { recursive: true });
      writeFileSync(join(dir, 'docs/incidents/when-the-site-is-down.md'), '# When the site is down\n\n```sh\ncurl -sI https://example.org\n```\n');
      writeFileSync(join(dir, 'tokens.md'), `# Rotate tokens\n\n\`\`\`sh\n${exportLines(1000)}\n\`\`\`\n`);
      const result = spawnSync(process.execPath, [cli, 'index', dir, '--format', 'json'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
      assert.equal(result.status, 0, result.stderr);
      const printed = JSON.parse(result.stdout) as { runbooks: { path: string; steps: unknown[] }[] };
      const listed = new Set(printed.runbooks.map((r) => r.path));
      const expected = markdownFiles(dir).filter((p) => p !== 'README.md');
      const missing = expected.filter((p) => !listed.has(p));
      assert.ok(listed.has('docs/incidents/when-the-site-is-down.md'), 'Markdown under an incident folder is a runbook');
      assert.deepEqual(missing, []);
      assert.equal(printed.runbooks.find((r) => r.path === 'tokens.md')?.steps.length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
