import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { expandBraces, installMergeDriver, mergeDriverAttributeLines, mergeDriverCommand } from '../../src/git/mergeDriverInstall';
import { fixtureGitEnv, runFixtureGit } from '../harness/fixtureGit';

const repoRoot = resolve(__dirname, '../../..');
const cli = join(repoRoot, 'dist/cli.js');
const fixtures = join(repoRoot, 'test/unit/fixtures/merge');

function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return fixtureGitEnv({ name: 'Alice', email: 'alice@example.com' }, { LC_ALL: 'C', ...extra });
}

function run(cwd: string, command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: gitEnv(extraEnv) });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function git(cwd: string, ...args: string[]): string {
  return runFixtureGit(cwd, gitEnv(), args);
}

function runbookOps(cwd: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return run(cwd, process.execPath, [cli, ...args]);
}

function write(root: string, path: string, text: string | Buffer): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

const fixture = (name: string): string => readFileSync(join(fixtures, name), 'utf8');
const INCIDENT = 'incidents/INC-0042.yaml';

describe('merge driver on real git repositories (runbook-ops install-merge-driver / merge-driver)', function () {
  this.timeout(60_000);
  let scratch: string;
  let repo: string;

  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'rbo-merge-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** A repository with the base record committed on main and the driver installed and committed. */
  beforeEach(function () {
    repo = join(scratch, this.currentTest!.title.replace(/\W+/g, '-').slice(0, 60));
    mkdirSync(repo);
    git(repo, 'init', '-q', '-b', 'main');
    write(repo, INCIDENT, fixture('base.yaml'));
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'INC-0042 declared');
    const installed = runbookOps(repo, 'install-merge-driver');
    assert.equal(installed.status, 0, installed.stderr);
    git(repo, 'add', '.gitattributes');
    git(repo, 'commit', '-q', '-m', 'Merge incident records with runbook-ops');
  });

  /** Commits `text` (or deletes the file, for undefined) on a new branch from main. */
  function branch(name: string, path: string, text: string | Buffer | undefined): void {
    git(repo, 'checkout', '-q', '-b', name, 'main');
    if (text === undefined) git(repo, 'rm', '-q', path);
    else {
      write(repo, path, text);
      git(repo, 'add', path);
    }
    git(repo, 'commit', '-q', '-m', `${name}: update ${path}`);
  }

  it('installs idempotently: the attribute lines once, the driver in git config, and says how to undo it', () => {
    const again = runbookOps(repo, 'install-merge-driver', repo);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /already sends incident records to the driver/);
    assert.match(again.stdout, /To undo:\n {2}runbook-ops install-merge-driver --undo /);
    assert.equal(readFileSync(join(repo, '.gitattributes'), 'utf8'), [
      '# Runbook Ops: merge incident records field by field (runbook-ops install-merge-driver)',
      '**/incidents/**/*.yaml merge=runbook-ops',
      '**/incidents/**/*.yml merge=runbook-ops',
      '',
    ].join('\n'));
    assert.equal(git(repo, 'config', 'merge.runbook-ops.driver').trim(), `${process.execPath} ${cli} merge-driver %O %A %B %P`);
    const attrs = git(repo, 'check-attr', 'merge', '--', INCIDENT, 'incidents/2026/INC-0100.yml', 'services/a/incidents/Ünï cöde.yaml', 'runbooks/db.md');
    assert.equal(attrs, [
      `${INCIDENT}: merge: runbook-ops`,
      'incidents/2026/INC-0100.yml: merge: runbook-ops',
      '"services/a/incidents/\\303\\234n\\303\\257 c\\303\\266de.yaml": merge: runbook-ops',
      'runbooks/db.md: merge: unspecified',
      '',
    ].join('\n'));

    const undo = runbookOps(repo, 'install-merge-driver', '--undo');
    assert.equal(undo.status, 0, undo.stderr);
    assert.equal(run(repo, 'git', ['config', 'merge.runbook-ops.driver']).status, 1);
    assert.equal(readFileSync(join(repo, '.gitattributes'), 'utf8'), '');
  });

  it('merges two branches that appended different entries and changed different fields: every entry once, in order, comments kept', () => {
    branch('alice', INCIDENT, fixture('ours.yaml'));
    branch('bob', INCIDENT, fixture('theirs.yaml'));
    git(repo, 'checkout', '-q', 'alice');
    const merge = run(repo, 'git', ['merge', '--no-edit', 'bob']);
    assert.equal(merge.status, 0, merge.stdout + merge.stderr);
    assert.equal(git(repo, 'status', '--porcelain'), '');
    const text = readFileSync(join(repo, INCIDENT), 'utf8');
    assert.equal(text, fixture('merged.yaml'));
    const timeline = (parse(text) as { timeline: { at: string; by: string; text: string }[] }).timeline;
    const entries = timeline.map((e) => `${e.at} ${e.by}: ${e.text}`);
    assert.deepEqual(entries, [
      '2026-11-23T09:05:10Z alertmanager: CheckoutHigh5xx fired',
      '2026-11-23T09:08:30Z alice: Acknowledged',
      '2026-11-23T09:30:00Z bob: Config push v812 changed the upstream timeout',
      '2026-11-23T09:40:12Z alice: Ran "Roll back" from kubernetes/checkout-api-rollback.md',
      '2026-11-23T09:50:00Z bob: Status page updated',
    ]);
    assert.ok(text.includes('# Incident record: keep comments, they are part of the review.\n'));
    assert.ok(text.includes("  # Bob's finding, from the config diff.\n"));
    assert.equal(git(repo, 'log', '-1', '--format=%P').trim().split(' ').length, 2, 'a merge commit');
  });

  it('stops with a conflict limited to the severity when both branches changed it differently', () => {
    const base = fixture('base.yaml');
    branch('alice', INCIDENT, base.replace('severity: SEV2', 'severity: SEV1').replace('    text: Acknowledged\n', '    text: Acknowledged\n  - at: 2026-11-23T09:20:00Z\n    by: alice\n    kind: severity\n    from: SEV2\n    to: SEV1\n    text: SEV2 → SEV1\n'));
    branch('bob', INCIDENT, base.replace('severity: SEV2', 'severity: SEV3'));
    git(repo, 'checkout', '-q', 'alice');
    const merge = run(repo, 'git', ['merge', '--no-edit', 'bob']);
    assert.equal(merge.status, 1, merge.stdout + merge.stderr);
    assert.match(merge.stdout, /CONFLICT \(content\): Merge conflict in incidents\/INC-0042\.yaml/);
    assert.match(merge.stderr, /runbook-ops: incidents\/INC-0042\.yaml: both sides changed severity \(ours "SEV1", theirs "SEV3"\)/);
    assert.equal(git(repo, 'status', '--porcelain'), `UU ${INCIDENT}\n`);
    const lines = readFileSync(join(repo, INCIDENT), 'utf8').split('\n');
    const start = lines.indexOf('<<<<<<< ours');
    assert.deepEqual(lines.slice(start - 1, start + 6), ['status: investigating        # moves forward only', '<<<<<<< ours', 'severity: SEV1', '=======', 'severity: SEV3', '>>>>>>> theirs', 'mode: standard']);
    assert.equal(lines.filter((l) => /^(<{7}|={7}|>{7})/.test(l)).length, 3, 'one marked region');
    // Outside the markers the record is the merge: alice's new entry is there.
    assert.ok(lines.includes('    text: SEV2 → SEV1'));
  });

  it('marks a conflict on a timeline entry whose text both branches rewrote differently, never two entries', () => {
    const base = fixture('base.yaml');
    branch('alice', INCIDENT, base.replace('    text: CheckoutHigh5xx fired\n', '    text: CheckoutHigh5xx fired (2.1% of requests)\n'));
    branch('bob', INCIDENT, base.replace('    text: CheckoutHigh5xx fired\n', '    text: CheckoutHigh5xx fired in eu-west-1\n').replace('severity: SEV2', 'severity: SEV1'));
    git(repo, 'checkout', '-q', 'alice');
    const merge = run(repo, 'git', ['merge', '--no-edit', 'bob']);
    assert.equal(merge.status, 1, merge.stdout + merge.stderr);
    assert.match(merge.stderr, /both sides changed timeline 2026-11-23T09:05:10Z by alertmanager text/);
    const lines = readFileSync(join(repo, INCIDENT), 'utf8').split('\n');
    const start = lines.indexOf('<<<<<<< ours');
    assert.deepEqual(lines.slice(start - 3, start + 6), [
      '  - at: 2026-11-23T09:05:10Z', '    by: alertmanager', '    kind: detection',
      '<<<<<<< ours', '    text: CheckoutHigh5xx fired (2.1% of requests)', '=======', '    text: CheckoutHigh5xx fired in eu-west-1', '>>>>>>> theirs', '  - at: 2026-11-23T09:08:30Z',
    ]);
    assert.equal(lines.filter((l) => l.startsWith('  - at: 2026-11-23T09:05:10Z')).length, 1, 'one entry');
    // The rest merged: bob's severity is in.
    assert.ok(lines.includes('severity: SEV1'));
    // One side's edit alone is taken, in place.
    git(repo, 'merge', '--abort');
    branch('carol', INCIDENT, base.replace('    text: Acknowledged\n', '    text: Acknowledged by alice\n'));
    git(repo, 'checkout', '-q', 'alice');
    assert.equal(run(repo, 'git', ['merge', '--no-edit', 'carol']).status, 0);
    const timeline = (parse(readFileSync(join(repo, INCIDENT), 'utf8')) as { timeline: { text: string }[] }).timeline.map((e) => e.text);
    assert.deepEqual(timeline, ['CheckoutHigh5xx fired (2.1% of requests)', 'Acknowledged by alice']);
  });

  it('keeps both sides of a UTF-16 record whole between markers, byte for byte (git cannot merge its lines)', () => {
    const utf16 = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const base = fixture('base.yaml');
    git(repo, 'checkout', '-q', 'main');
    write(repo, 'incidents/INC-0050.yaml', utf16(base.replace('INC-0042', 'INC-0050')));
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'INC-0050 in UTF-16');
    const ours = utf16(base.replace('INC-0042', 'INC-0050').replace('severity: SEV2', 'severity: SEV1'));
    const theirs = utf16(base.replace('INC-0042', 'INC-0050').replace('commander: alice', 'commander: bob'));
    branch('alice', 'incidents/INC-0050.yaml', ours);
    branch('bob', 'incidents/INC-0050.yaml', theirs);
    git(repo, 'checkout', '-q', 'alice');
    const merge = run(repo, 'git', ['merge', '--no-edit', 'bob']);
    assert.equal(merge.status, 1, merge.stdout + merge.stderr);
    assert.match(merge.stderr, /is not UTF-8 text\. Lines could not be merged either, so both sides are kept whole/);
    const expected = Buffer.concat([Buffer.from('<<<<<<< ours\n'), ours, Buffer.from('\n=======\n'), theirs, Buffer.from('\n>>>>>>> theirs\n')]);
    assert.ok(readFileSync(join(repo, 'incidents/INC-0050.yaml')).equals(expected), 'ours and theirs, whole');
  });

  it('leaves a YAML file under incidents/ that is not a record to git\'s line merge: clean when git merges it cleanly', () => {
    const list = ['# on-call rota', '- alice', '- bob', '- carol', '- dave', '- erin', ''].join('\n');
    git(repo, 'checkout', '-q', 'main');
    write(repo, 'incidents/rota.yaml', list);
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'rota');
    branch('alice', 'incidents/rota.yaml', list.replace('- alice\n', '- alice\n- alfred\n'));
    branch('bob', 'incidents/rota.yaml', list.replace('- erin\n', '- erin\n- frank\n'));
    git(repo, 'checkout', '-q', 'alice');
    const merge = run(repo, 'git', ['merge', '--no-edit', 'bob']);
    assert.equal(merge.status, 0, merge.stdout + merge.stderr);
    assert.match(merge.stderr, /is not a mapping of incident fields\. Merged it line by line, as git would, without conflicts/);
    assert.equal(readFileSync(join(repo, 'incidents/rota.yaml'), 'utf8'), ['# on-call rota', '- alice', '- alfred', '- bob', '- carol', '- dave', '- erin', '- frank', ''].join('\n'));
    assert.equal(git(repo, 'status', '--porcelain'), '');
  });

  it('keeps bytes that are not UTF-8 exactly as they were (no U+FFFD)', () => {
    const base = fixture('base.yaml');
    // A Latin-1 é in a comment: one byte 0xE9, not valid UTF-8.
    const latin1 = (text: string): Buffer => Buffer.from(text.replace('# moves forward only', '# moves forward only (d\u00e9j\u00e0 vu)'), 'latin1');
    branch('alice', INCIDENT, latin1(base.replace('severity: SEV2', 'severity: SEV1')));
    branch('bob', INCIDENT, base.replace('commander: alice', 'commander: bob'));
    git(repo, 'checkout', '-q', 'alice');
    const merge = run(repo, 'git', ['merge', '--no-edit', 'bob']);
    assert.equal(merge.status, 0, merge.stdout + merge.stderr);
    const merged = readFileSync(join(repo, INCIDENT));
    assert.ok(merged.includes(Buffer.from('(d\xe9j\xe0 vu)', 'latin1')), 'the 0xE9 and 0xE0 bytes are still there');
    assert.ok(!merged.includes(Buffer.from('\ufffd')));
    assert.ok(merged.includes(Buffer.from('severity: SEV1\n')) && merged.includes(Buffer.from('commander: bob\n')));
  });

  it('merges 2,000 entries plus 200 appended on each branch: every entry once, in time order', () => {
    const entry = (at: number, by: string, text: string): string => `  - at: ${new Date(Date.UTC(2026, 10, 23, 10) + at * 1000).toISOString().replace('.000', '')}\n    by: ${by}\n    kind: note\n    text: ${text}\n`;
    let long = fixture('base.yaml').replace(/\naction_items:/, () => `\n${Array.from({ length: 2000 }, (_, i) => entry(i * 2, 'carol', `note ${i}`)).join('')}action_items:`);
    long = long.replace('\n\n', '\n');
    git(repo, 'checkout', '-q', 'main');
    write(repo, INCIDENT, long);
    git(repo, 'commit', '-q', '-am', '2,000 entries');
    const appended = (by: string, offset: number): string => long.replace(/\naction_items:/, () => `\n${Array.from({ length: 200 }, (_, i) => entry(4000 + i * 2 + offset, by, `${by} ${i}`)).join('')}action_items:`);
    branch('alice', INCIDENT, appended('alice', 0));
    branch('bob', INCIDENT, appended('bob', 1));
    git(repo, 'checkout', '-q', 'alice');
    const merge = run(repo, 'git', ['merge', '--no-edit', 'bob']);
    assert.equal(merge.status, 0, merge.stdout + merge.stderr);
    const timeline = (parse(readFileSync(join(repo, INCIDENT), 'utf8')) as { timeline: { at: string; by: string; text: string }[] }).timeline;
    assert.equal(timeline.length, 2 + 2000 + 400);
    assert.equal(new Set(timeline.map((e) => `${e.at} ${e.by} ${e.text}`)).size, timeline.length, 'no entry twice');
    const times = timeline.map((e) => Date.parse(e.at));
    assert.ok(times.every((t, i) => i === 0 || t >= times[i - 1]), 'in time order');
    assert.deepEqual(timeline.slice(-4).map((e) => e.text), ['alice 198', 'bob 198', 'alice 199', 'bob 199']);
  });

  it('leaves a normal modify/delete conflict when one branch deleted the record', () => {
    branch('alice', INCIDENT, fixture('ours.yaml'));
    branch('cleanup', INCIDENT, undefined);
    git(repo, 'checkout', '-q', 'alice');
    const merge = run(repo, 'git', ['merge', '--no-edit', 'cleanup']);
    assert.equal(merge.status, 1);
    assert.match(merge.stdout, /CONFLICT \(modify\/delete\): incidents\/INC-0042\.yaml deleted in cleanup and modified in HEAD/);
    assert.equal(git(repo, 'status', '--porcelain'), `UD ${INCIDENT}\n`);
    assert.equal(readFileSync(join(repo, INCIDENT), 'utf8'), fixture('ours.yaml'), 'our version stays in the work tree');
  });

  it('falls back to a textual conflict when one side is not valid YAML: exit 1, nothing lost', () => {
    const base = fixture('base.yaml');
    const broken = base.replace('severity: SEV2', 'severity: [SEV2').replace('    text: Acknowledged\n', '    text: Acknowledged\n  - at: 2026-11-23T09:31:00Z\n    by: bob\n    kind: note\n    text: Written with a typo above\n');
    branch('alice', INCIDENT, fixture('ours.yaml'));
    branch('bob', INCIDENT, broken);
    git(repo, 'checkout', '-q', 'alice');
    const merge = run(repo, 'git', ['merge', '--no-edit', 'bob']);
    assert.equal(merge.status, 1, merge.stdout + merge.stderr);
    assert.match(merge.stderr, /Their side is not valid YAML \(line 6: Flow sequence .*\)\. Merged it line by line instead/);
    assert.equal(git(repo, 'status', '--porcelain'), `UU ${INCIDENT}\n`);
    const text = readFileSync(join(repo, INCIDENT), 'utf8');
    assert.match(text, /^<<<<<<< ours$/m);
    assert.match(text, /^>>>>>>> theirs$/m);
    for (const line of ['severity: [SEV2', '    text: Written with a typo above', '    command: helm -n payments rollback checkout-api 812', 'impact: ~12% of EU checkouts failed   # estimate', 'services: [checkout-api, payments-gateway]']) {
      assert.ok(text.includes(`${line}\n`), `kept: ${line}`);
    }
  });

  it('merges records whose paths hold spaces and unicode', () => {
    const path = 'incidents/Zürich on-call/INC-0043.yaml';
    const base = fixture('base.yaml').replace('id: INC-0042', 'id: INC-0043');
    git(repo, 'checkout', '-q', 'main');
    write(repo, path, base);
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'INC-0043');
    branch('alice', path, base.replace('commander: alice', 'commander: ana'));
    branch('bob', path, base.replace('mode: standard', 'mode: drill'));
    git(repo, 'checkout', '-q', 'alice');
    const merge = run(repo, 'git', ['merge', '--no-edit', 'bob']);
    assert.equal(merge.status, 0, merge.stdout + merge.stderr);
    const record = parse(readFileSync(join(repo, path), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([record.commander, record.mode], ['ana', 'drill']);
  });

  it('quotes the driver command for the shell: a CLI in a folder with spaces and quotes still runs', async () => {
    assert.equal(mergeDriverCommand({ nodePath: '/usr/bin/node', cliPath: "/opt/it's here/cli.js", env: { ELECTRON_RUN_AS_NODE: '1' } }), "ELECTRON_RUN_AS_NODE=1 /usr/bin/node '/opt/it'\\''s here/cli.js' merge-driver %O %A %B %P");
    assert.deepEqual(expandBraces('**/incidents/**/*.{yaml,yml}'), ['**/incidents/**/*.yaml', '**/incidents/**/*.yml']);
    assert.deepEqual(mergeDriverAttributeLines(['ops/{a,b}/incidents/*.{yaml,yml}', './on call/*.yaml']), [
      'ops/a/incidents/*.yaml merge=runbook-ops',
      'ops/a/incidents/*.yml merge=runbook-ops',
      'ops/b/incidents/*.yaml merge=runbook-ops',
      'ops/b/incidents/*.yml merge=runbook-ops',
      'on[[:space:]]call/*.yaml merge=runbook-ops',
    ]);
    const odd = join(scratch, "tool's dir ü");
    mkdirSync(odd);
    copyFileSync(cli, join(odd, 'cli.js'));
    const installed = await installMergeDriver(repo, { incidentGlobs: ['**/incidents/**/*.{yaml,yml}'], program: { nodePath: process.execPath, cliPath: join(odd, 'cli.js') } });
    assert.deepEqual(installed.addedLines, [], 'the lines were there already');
    assert.ok(git(repo, 'config', 'merge.runbook-ops.driver').includes("'\\''s dir ü/cli.js'"));
    branch('alice', INCIDENT, fixture('ours.yaml'));
    branch('bob', INCIDENT, fixture('theirs.yaml'));
    git(repo, 'checkout', '-q', 'alice');
    const merge = run(repo, 'git', ['merge', '--no-edit', 'bob']);
    assert.equal(merge.status, 0, merge.stdout + merge.stderr);
    assert.equal(readFileSync(join(repo, INCIDENT), 'utf8'), fixture('merged.yaml'));
  });

  it('runs outside any repository on plain files: exit 0 merged, exit 1 conflicted, exit 2 unreadable', () => {
    const outside = mkdtempSync(join(tmpdir(), 'rbo-merge-plain-'));
    try {
      for (const name of ['base.yaml', 'ours.yaml', 'theirs.yaml']) copyFileSync(join(fixtures, name), join(outside, name));
      const env = { GIT_CEILING_DIRECTORIES: dirname(outside) };
      const clean = run(outside, process.execPath, [cli, 'merge-driver', 'base.yaml', 'ours.yaml', 'theirs.yaml'], env);
      assert.equal(clean.status, 0, clean.stderr);
      assert.equal(readFileSync(join(outside, 'ours.yaml'), 'utf8'), fixture('merged.yaml'));

      writeFileSync(join(outside, 'a.yaml'), 'id: INC-1\ntitle: x\nseverity: SEV1\n');
      writeFileSync(join(outside, 'b.yaml'), 'id: INC-1\ntitle: x\nseverity: SEV2\n');
      writeFileSync(join(outside, 'o.yaml'), 'id: INC-1\ntitle: x\nseverity: SEV3\n');
      const conflict = run(outside, process.execPath, [cli, 'merge-driver', 'o.yaml', 'a.yaml', 'b.yaml', 'INC-1.yaml'], env);
      assert.equal(conflict.status, 1);
      assert.equal(readFileSync(join(outside, 'a.yaml'), 'utf8'), 'id: INC-1\ntitle: x\n<<<<<<< ours\nseverity: SEV1\n=======\nseverity: SEV2\n>>>>>>> theirs\n');

      writeFileSync(join(outside, 'bad.yaml'), 'id: INC-1\ntitle: [x\nseverity: SEV2\n');
      writeFileSync(join(outside, 'a.yaml'), 'id: INC-1\ntitle: x\nseverity: SEV1\n');
      const textual = run(outside, process.execPath, [cli, 'merge-driver', 'o.yaml', 'a.yaml', 'bad.yaml'], env);
      assert.equal(textual.status, 1);
      assert.equal(readFileSync(join(outside, 'a.yaml'), 'utf8'), 'id: INC-1\n<<<<<<< ours\ntitle: x\nseverity: SEV1\n=======\ntitle: [x\nseverity: SEV2\n>>>>>>> theirs\n');

      const missing = run(outside, process.execPath, [cli, 'merge-driver', 'o.yaml', 'nope.yaml', 'b.yaml'], env);
      assert.equal(missing.status, 2);
      assert.ok(!existsSync(join(outside, 'nope.yaml')));
      assert.equal(run(outside, process.execPath, [cli, 'merge-driver', 'o.yaml'], env).status, 2);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
