import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findCodeownersBlock } from '../../src/core/check/codeowners';
import { listRepositoryFiles } from '../../src/fs/repositoryFiles';
import { parseRepoConfig } from '../../src/core/config/repoConfig';
import { detectIdFormat, isUntouchedSetupFile, planRepositorySetup } from '../../src/core/check/repositorySetup';
import { detectSites } from '../../src/core/config/siteLinks';
import { fixtureGitEnv, runFixtureGit } from '../harness/fixtureGit';

const repoRoot = resolve(__dirname, '../../..');
const cli = join(repoRoot, 'dist/cli.js');
const sample = join(repoRoot, 'runbooks');
const realRunbooks = resolve(repoRoot, '../shared/real-runbooks');
const env = fixtureGitEnv({ name: 'Alice', email: 'alice@example.com' }, { GIT_AUTHOR_DATE: '2026-11-20T12:00:00Z', GIT_COMMITTER_DATE: '2026-11-20T12:00:00Z' });
const SET_UP_FILES = ['.runbook-ops.yaml', '.github/workflows/runbooks.yml', '.gitattributes', '.github/CODEOWNERS'];

function runCli(cwd: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function git(cwd: string, ...args: string[]): string {
  return runFixtureGit(cwd, env, args);
}

/** A git repository holding a copy of `source`, committed. */
function committedCopy(scratch: string, source: string, name: string): string {
  const repo = join(scratch, name);
  cpSync(source, repo, { recursive: true });
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'Runbooks');
  return repo;
}

/** Every set-up file's bytes (undefined: absent) and the driver in git config. */
function snapshot(repo: string): Record<string, string | undefined> {
  const files: Record<string, string | undefined> = {};
  for (const path of SET_UP_FILES) files[path] = existsSync(join(repo, path)) ? readFileSync(join(repo, path), 'utf8') : undefined;
  const driver = spawnSync('git', ['config', '--get', 'merge.runbook-ops.driver'], { cwd: repo, encoding: 'utf8', env });
  files['git config'] = driver.status === 0 ? driver.stdout.trim() : undefined;
  return files;
}

/** The `action path` rows of the printed plan. */
function planRows(stdout: string): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const m of stdout.matchAll(/^ {2}(create|update|unchanged|conflict|set) +(\S+(?: config)?) /gm)) rows[m[2]] = m[1];
  return rows;
}

describe('runbook-ops init (src/core/repositorySetup, dist/cli.js)', function () {
  this.timeout(120_000);
  let scratch: string;
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'rbo-init-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('takes the id format from the records, the most common shape winning', () => {
    assert.equal(detectIdFormat(['INC-0001', 'INC-0042', 'INC-0100']), 'INC-{seq:4}');
    assert.equal(detectIdFormat(['INC-2025-3', 'INC-2026-12', 'INC-0001']), 'INC-{yyyy}-{seq}');
    assert.equal(detectIdFormat(['OPS-7', 'OPS-12']), 'OPS-{seq}');
    assert.equal(detectIdFormat(['postmortem', '42']), 'INC-{seq:4}', 'nothing shaped like an id: the default');
    assert.equal(detectIdFormat([]), 'INC-{seq:4}');
  });

  it('plans from the file list and contents alone (pure), and knows its own untouched files', () => {
    const files: Record<string, string> = {
      'ops/db/failover.md': '---\nowner: "@acme/dba"\nservices: [postgres]\n---\n# Failover\n',
      'ops/incidents/INC-2026-3.yaml': 'id: INC-2026-3\nservices: [postgres]\n',
    };
    const plan = planRepositorySetup({ paths: Object.keys(files), prefix: '', read: (p) => files[p], driverCommand: 'node cli.js merge-driver %O %A %B %P' });
    const byPath = new Map(plan.files.map((f) => [f.path, f]));
    assert.deepEqual([...byPath.keys()], ['.runbook-ops.yaml', '.github/workflows/runbooks.yml', '.gitattributes', '.github/CODEOWNERS']);
    assert.ok(plan.files.every((f) => f.action === 'create'));
    const config = byPath.get('.runbook-ops.yaml')!.content;
    assert.ok(isUntouchedSetupFile(config));
    assert.ok(!isUntouchedSetupFile(config.replace('incident_folder', '# a note\nincident_folder')), 'an edit is noticed');
    const parsed = parseRepoConfig(config);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.config.runbookInclude, ['ops/**/*.md']);
    assert.equal(parsed.config.incidentFolder, 'ops/incidents/');
    assert.equal(parsed.config.idFormat, 'INC-{yyyy}-{seq}');
    assert.match(byPath.get('.github/CODEOWNERS')!.content, /^\/ops\/db\/failover\.md @acme\/dba$/m);
    assert.match(byPath.get('.github/CODEOWNERS')!.content, /^\/ops\/incidents\/INC-2026-3\.yaml @acme\/dba$/m);
    assert.equal(plan.mergeDriver.action, 'set');
  });

  it('on a git repository of the real runbooks: dry run writes nothing, init writes, a second run changes nothing, and check keeps its findings', function () {
    if (!existsSync(realRunbooks)) this.skip();
    const repo = committedCopy(scratch, realRunbooks, 'real');
    const checkBefore = runCli(repo, ['check', '--now', '2026-11-25', '--format', 'json']);

    const dry = runCli(repo, ['init', '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.deepEqual(planRows(dry.stdout), { '.runbook-ops.yaml': 'create', '.github/workflows/runbooks.yml': 'create', '.gitattributes': 'create', 'git config': 'set' });
    assert.match(dry.stdout, /^\+ {3}- pages: "alphagov__govuk-developer-docs\/source"$/m, 'the content is shown');
    assert.match(dry.stdout, /^Dry run: nothing was written\./m);
    assert.match(dry.stdout, /no CODEOWNERS block to write/, 'these runbooks name no owners');
    assert.equal(git(repo, 'status', '--porcelain'), '');
    assert.equal(snapshot(repo)['git config'], undefined);

    const first = runCli(repo, ['init']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^Wrote \.runbook-ops\.yaml, \.github\/workflows\/runbooks\.yml, \.gitattributes; set the merge driver/m);
    const written = snapshot(repo);
    const config = parseRepoConfig(written['.runbook-ops.yaml']);
    assert.deepEqual(config.problems, [], 'the config written parses cleanly');
    assert.deepEqual(config.config.sites?.map((s) => s.pages), detectSites(listRepositoryFiles(repo)).map((s) => s.pages), 'the sites are the detected ones');
    assert.deepEqual(config.config.runbookInclude, ['alphagov__govuk-developer-docs/**/*.md', 'kubevirt__monitoring/**/*.md', 'ministryofjustice__cloud-platform-user-guide/**/*.md']);
    assert.match(written['.github/workflows/runbooks.yml']!, /^ {6}- run: npx runbook-ops check --format github --changed-since "origin\/\$\{\{ github\.base_ref \}\}"$/m);
    assert.match(written['.github/workflows/runbooks.yml']!, /^ {6}- run: npx runbook-ops report --since 30d >> "\$GITHUB_STEP_SUMMARY"$/m);
    assert.match(written['git config']!, /merge-driver %O %A %B %P$/);
    // The README shows the workflow as init writes it (after the fingerprint line).
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const shown = /The workflow `init` writes is \(after that first line\):\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.equal(shown, written['.github/workflows/runbooks.yml']!.split('\n').slice(1).join('\n'));

    const second = runCli(repo, ['init']);
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /^Already set up: nothing to change\.$/m);
    assert.deepEqual(Object.values(planRows(second.stdout)), ['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    assert.deepEqual(snapshot(repo), written);

    // The config states what was detected, so check finds what it found before.
    const checkAfter = runCli(repo, ['check', '--now', '2026-11-25', '--format', 'json']);
    const problems = (stdout: string) => (JSON.parse(stdout) as { files: { path: string; problems: { line: number; message: string }[] }[] }).files.flatMap((f) => f.problems.map((p) => `${f.path}:${p.line}: ${p.message}`));
    assert.deepEqual(problems(checkAfter.stdout), problems(checkBefore.stdout));
  });

  it('on the sample: keeps its hand-written config, writes workflow, merge driver and CODEOWNERS; twice changes nothing', () => {
    const repo = committedCopy(scratch, sample, 'sample');
    const configBefore = readFileSync(join(repo, '.runbook-ops.yaml'), 'utf8');
    const dry = runCli(repo, ['init', '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.deepEqual(planRows(dry.stdout), { '.runbook-ops.yaml': 'unchanged', '.github/workflows/runbooks.yml': 'create', '.gitattributes': 'create', '.github/CODEOWNERS': 'create', 'git config': 'set' });
    assert.equal(git(repo, 'status', '--porcelain'), '');

    const first = runCli(repo, ['init']);
    assert.equal(first.status, 0, first.stderr);
    const written = snapshot(repo);
    assert.equal(written['.runbook-ops.yaml'], configBefore, 'a config a person wrote is not rewritten');
    const block = findCodeownersBlock(written['.github/CODEOWNERS']!);
    assert.ok(block, 'the marked block');
    assert.match(block.lines.join('\n'), /^\/database\/postgres-failover\.md @/m);
    // The same block `codeowners` prints.
    const printed = runCli(repo, ['codeowners']);
    assert.equal(`${printed.stdout.trimEnd()}\n`, written['.github/CODEOWNERS']);
    assert.equal(written['.gitattributes'], '# Runbook Ops: merge incident records field by field (runbook-ops install-merge-driver)\n**/incidents/**/*.yaml merge=runbook-ops\n**/incidents/**/*.yml merge=runbook-ops\n');

    const second = runCli(repo, ['init']);
    assert.equal(second.status, 0);
    assert.match(second.stdout, /^Already set up: nothing to change\.$/m);
    assert.deepEqual(snapshot(repo), written);
  });

  it('never replaces a file a person wrote: refuses, writes nothing, shows the change; --force replaces it', () => {
    const repo = committedCopy(scratch, sample, 'hand-written');
    mkdirSync(join(repo, '.github/workflows'), { recursive: true });
    const ours = 'name: Our own CI\non: push\njobs: {}\n';
    writeFileSync(join(repo, '.github/workflows/runbooks.yml'), ours);
    // A config without id_format, in a repository whose records are yearly.
    const config = 'review_interval: 30d\n';
    writeFileSync(join(repo, '.runbook-ops.yaml'), config);
    rmSync(join(repo, 'incidents'), { recursive: true, force: true });
    mkdirSync(join(repo, 'incidents'));
    for (const n of [1, 2, 3]) writeFileSync(join(repo, `incidents/INC-2026-${n}.yaml`), `id: INC-2026-${n}\ntitle: t\nstatus: triage\nseverity: SEV3\n`);

    const refused = runCli(repo, ['init']);
    assert.equal(refused.status, 1, refused.stdout);
    assert.deepEqual(planRows(refused.stdout)['.github/workflows/runbooks.yml'], 'conflict');
    assert.deepEqual(planRows(refused.stdout)['.runbook-ops.yaml'], 'conflict');
    assert.match(refused.stdout, /^\+ id_format: "INC-\{yyyy\}-\{seq\}"$/m, 'the change is shown');
    assert.match(refused.stdout, /^- name: Our own CI$/m);
    assert.match(refused.stdout, /^Nothing was written: \.runbook-ops\.yaml, \.github\/workflows\/runbooks\.yml were not written by init .* run init --force to replace them/m);
    assert.equal(readFileSync(join(repo, '.github/workflows/runbooks.yml'), 'utf8'), ours);
    assert.equal(readFileSync(join(repo, '.runbook-ops.yaml'), 'utf8'), config);
    assert.ok(!existsSync(join(repo, '.gitattributes')), 'nothing else was written either');

    const forced = runCli(repo, ['init', '--force']);
    assert.equal(forced.status, 0, forced.stdout);
    const merged = readFileSync(join(repo, '.runbook-ops.yaml'), 'utf8');
    assert.ok(merged.startsWith(config), 'the config is merged: every line of it kept');
    assert.equal(parseRepoConfig(merged).config.idFormat, 'INC-{yyyy}-{seq}');
    assert.equal(parseRepoConfig(merged).config.reviewInterval, '30d');
    assert.ok(isUntouchedSetupFile(readFileSync(join(repo, '.github/workflows/runbooks.yml'), 'utf8')));
    const again = runCli(repo, ['init']);
    assert.match(again.stdout, /^Already set up: nothing to change\.$/m);

    // An init-written file a person then edits is theirs: init leaves it alone.
    const edited = `${readFileSync(join(repo, '.github/workflows/runbooks.yml'), 'utf8')}# our note\n`;
    writeFileSync(join(repo, '.github/workflows/runbooks.yml'), edited);
    const afterEdit = runCli(repo, ['init']);
    assert.equal(afterEdit.status, 1);
    assert.equal(planRows(afterEdit.stdout)['.github/workflows/runbooks.yml'], 'conflict');
    assert.equal(readFileSync(join(repo, '.github/workflows/runbooks.yml'), 'utf8'), edited);
  });

  it('refuses outside a git repository, saying how to start one', () => {
    const plain = join(scratch, 'plain');
    cpSync(sample, plain, { recursive: true });
    const result = runCli(plain, ['init']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /is not in a git repository; .*Run "git init" first\./);
  });
});
