// Issue 21, item 1: links in the pages of a documentation site name the pages a generator builds.
// Small fixture sites per generator, and `check` over a git repository of the real runbooks.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { listRepositoryFiles } from '../../src/fs/repositoryFiles';
import { parseRepoConfig } from '../../src/core/config/repoConfig';
import { detectSites, pageSources, siteOf } from '../../src/core/config/siteLinks';
import { repoRoot } from '../harness/paths';

const cli = join(repoRoot, 'dist/cli.js');
const realRunbooks = resolve(repoRoot, '../shared/real-runbooks');

interface CheckedFile {
  path: string;
  problems: { line: number; severity: string; message: string }[];
}

function check(dir: string): { status: number | null; files: CheckedFile[] } {
  const result = spawnSync(process.execPath, [cli, 'check', '.', '--format', 'json', '--now', '2026-11-25'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status, files: (JSON.parse(result.stdout) as { files: CheckedFile[] }).files };
}

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

describe('site-aware links', function () {
  this.timeout(120_000);
  let scratch: string;
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'rbo-sites-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('detects each generator from its own files, and Middleman pages without their config', () => {
    const sites = detectSites([
      'mm/config.rb', 'mm/source/index.html.md',
      'mk/mkdocs.yml', 'mk/docs/index.md',
      'hu/hugo.toml', 'hu/content/_index.md',
      'du/docusaurus.config.js', 'du/docs/intro.md',
      'je/_config.yml', 'je/about.md',
      'copied/source/manual/cdn.html.md',
      'plain/notes.md',
    ]);
    assert.deepEqual(sites.map((s) => [s.pages, s.generator]).sort(), [
      ['copied/source', 'middleman'], ['du/docs', 'docusaurus'], ['hu/content', 'hugo'], ['je', 'jekyll'], ['mk/docs', 'mkdocs'], ['mm/source', 'middleman'],
    ]);
    assert.equal(siteOf('mm/source/a/b.html.md', sites)?.pages, 'mm/source');
    assert.equal(siteOf('plain/notes.md', sites), undefined);
    assert.ok(pageSources('mm/source/manual/cdn.html').includes('mm/source/manual/cdn.html.md'));
    assert.ok(pageSources('hu/content/posts/').includes('hu/content/posts/_index.md'));
    assert.ok(pageSources('du/docs/intro').includes('du/docs/intro.md'));
  });

  it('resolves site links per generator: a page that exists is fine, a missing page is a warning, a missing source file an error', () => {
    const cases: Record<string, Record<string, string>> = {
      middleman: { 'config.rb': '', 'source/manual/cdn.html.md': '# CDN\n', 'source/manual/index.html.md.erb': '# Manual\n' },
      mkdocs: { 'mkdocs.yml': 'site_name: x\n', 'docs/manual/cdn.md': '# CDN\n', 'docs/manual/index.md': '# Manual\n' },
      hugo: { 'hugo.toml': '', 'content/manual/cdn.md': '# CDN\n', 'content/manual/_index.md': '# Manual\n' },
      docusaurus: { 'docusaurus.config.js': '', 'docs/manual/cdn.mdx': '# CDN\n', 'docs/manual/index.md': '# Manual\n' },
      jekyll: { '_config.yml': '', 'manual/cdn.md': '# CDN\n', 'manual/index.html': '<h1>Manual</h1>\n' },
    };
    for (const [generator, files] of Object.entries(cases)) {
      const dir = join(scratch, generator);
      const pages = detectSites(Object.keys(files))[0].pages;
      const at = (path: string): string => (pages === '' ? path : `${pages}/${path}`);
      write(dir, {
        ...files,
        [at('runbooks/db.md')]: [
          '# DB', '',
          '[cdn](/manual/cdn.html) [cdn, no extension](/manual/cdn) [index](/manual/) [relative](../manual/cdn.html)',
          '[generated](/repos/signon.html) [image](/images/map.png) [source](missing.md)', '',
        ].join('\n'),
      });
      const { files: checked } = check(dir);
      const links = checked.flatMap((f) => f.problems.filter((p) => p.message.startsWith('Link to')).map((p) => `${p.severity} ${p.message.split(' ')[2]}`));
      assert.deepEqual(links.sort(), ['error missing.md', 'warning /images/map.png', 'warning /repos/signon.html'], generator);
    }
  });

  it('reads sites from .runbook-ops.yaml: unchecked paths are not checked; a site-root link outside any site is a warning', () => {
    const dir = join(scratch, 'configured');
    write(dir, {
      '.runbook-ops.yaml': 'sites:\n  - pages: handbook\n    unchecked: ["/repos/**"]\n',
      'handbook/ops.md': '# Ops\n\n[repo](/repos/signon.html) [page](/ops.html) [gone](/gone.html)\n',
      'elsewhere/notes.md': '# Notes\n\n[root](/nowhere.html)\n',
    });
    assert.deepEqual(parseRepoConfig('sites:\n  - pages: ./handbook/\n    unchecked: ["/repos/**"]\n').config.sites, [{ pages: 'handbook', unchecked: ['/repos/**'] }]);
    const { status, files } = check(dir);
    assert.equal(status, 0, 'warnings only');
    const links = files.flatMap((f) => f.problems.map((p) => `${f.path} ${p.severity} ${p.message.split(' ')[2]}`));
    assert.deepEqual(links.sort(), ['elsewhere/notes.md warning /nowhere.html', 'handbook/ops.md warning /gone.html']);
    assert.match(files.find((f) => f.path === 'elsewhere/notes.md')!.problems[0].message, /sites: \[\{ pages: <folder> \}\]/);
  });

  it('the real runbooks: no link whose page exists in the repository is reported, and only bracketed targets are errors', function () {
    if (!existsSync(realRunbooks)) this.skip();
    const dir = join(scratch, 'real');
    cpSync(realRunbooks, dir, { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const paths = listRepositoryFiles(dir);
    const existing = new Set(paths);
    const sites = detectSites(paths);
    assert.ok(sites.length >= 2, 'the two Middleman sites are found');
    const { files } = check(dir);
    // Page links only: an anchor warning names a page that exists and a heading it lacks.
    const linkProblems = files.flatMap((f) => f.problems.filter((p) => p.message.startsWith('Link to') && !p.message.includes('has no heading with the anchor')).map((p) => ({ file: f.path, ...p })));
    // The only link errors are reference definitions whose target is wrapped in brackets (`[x]: [https://…]`),
    // which no generator can serve; found here from the files themselves.
    const bracketed = paths.filter((p) => p.endsWith('.md')).flatMap((p) => readFileSync(join(dir, p), 'utf8').split('\n')
      .map((line, i) => (/^ {0,3}\[[^\]]+\]:\s*\[[^\]]+\]\s*$/.test(line) ? `${p}:${i + 1}` : undefined)).filter((x): x is string => x !== undefined));
    assert.ok(bracketed.length > 0, 'the real runbooks have bracketed targets');
    const errors = linkProblems.filter((p) => p.severity === 'error');
    assert.deepEqual(errors.map((p) => `${p.file}:${p.line}`).sort(), bracketed.sort());
    for (const error of errors) assert.match(error.message, /has square brackets around its target, so Markdown reads it as a path relative to this file, not as \S+\. Remove the brackets/);
    for (const problem of linkProblems.filter((p) => p.severity !== 'error')) {
      // Recompute the target from the files, as the generator would map it.
      const target = problem.message.split(' ')[2].replace(/[?#].*$/, '');
      const site = siteOf(problem.file, sites);
      const path = target.startsWith('/') && site ? posix.join(site.pages, target) : posix.join(posix.dirname(problem.file), target);
      assert.ok(!pageSources(path).some((candidate) => existing.has(candidate)), `${problem.file}:${problem.line} reports ${target}, which ${path} exists for`);
    }
  });
});
