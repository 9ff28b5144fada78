import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PathClassifier } from '../../src/core/config/paths';
import { findDestructivePattern, DEFAULT_DESTRUCTIVE_PATTERNS } from '../../src/core/runbook/stepCommand';
import { allocateIncidentId, DEFAULT_REPO_CONFIG, layoutFromConfig, parseRepoConfig } from '../../src/core/config/repoConfig';

const repoRoot = resolve(__dirname, '../../..');

describe('repo config (.runbook-ops.yaml)', () => {
  it('reads the sample config', () => {
    const { config, problems } = parseRepoConfig(readFileSync(join(repoRoot, 'runbooks/.runbook-ops.yaml')));
    assert.deepEqual(problems, []);
    assert.deepEqual(config.severities.map((s) => [s.name, s.rank, s.colour, s.label]), [
      ['SEV1', 1, '#d73a49', 'Critical'],
      ['SEV2', 2, '#e36209', 'Major'],
      ['SEV3', 3, '#dbab09', 'Minor'],
      ['SEV4', 4, '#0366d6', 'Low'],
    ]);
    assert.equal(config.idFormat, 'INC-{seq:4}');
    assert.equal(config.incidentFolder, 'incidents/');
    assert.equal(config.reviewInterval, '90d');
    assert.deepEqual(config.destructivePatterns.slice(0, DEFAULT_DESTRUCTIVE_PATTERNS.length), [...DEFAULT_DESTRUCTIVE_PATTERNS]);
    assert.ok(config.destructivePatterns.includes('purge_queue'));
    // The sample lists its own patterns; the defaults still confirm what it does not name.
    for (const command of ['rm -fr /x', 'dd if=/dev/zero of=/dev/sda', 'mkfs.ext4 /dev/sdb1', 'git push -f origin main', 'psql -c "TRUNCATE TABLE orders"']) {
      assert.ok(findDestructivePattern(command, config.destructivePatterns), command);
    }
    assert.ok(config.destructivePatterns.every((p) => new RegExp(p, 'i')));
    assert.ok(new RegExp(config.destructivePatterns[1], 'i').test('kubectl -n payments delete pod x'));
  });

  it('destructive_patterns_replace_defaults: true makes the repository\'s list the only one', () => {
    const replaced = parseRepoConfig("destructive_patterns: ['purge_queue']\ndestructive_patterns_replace_defaults: true\n");
    assert.deepEqual(replaced.problems, []);
    assert.deepEqual(replaced.config.destructivePatterns, ['purge_queue']);
    const added = parseRepoConfig("destructive_patterns_replace_defaults: false\ndestructive_patterns: ['purge_queue']\n");
    assert.ok(findDestructivePattern('rm -fr /x', added.config.destructivePatterns));
    const bad = parseRepoConfig('destructive_patterns_replace_defaults: yes please\n');
    assert.match(bad.problems[0]?.message ?? '', /should be true or false/);
  });

  it('Markdown under an incident folder is a runbook; only the YAML there is a record (issue 14)', () => {
    const classifier = new PathClassifier(layoutFromConfig(DEFAULT_REPO_CONFIG));
    assert.equal(classifier.classify('docs/incidents/when-gitlab-com-is-down.md'), 'runbook');
    assert.equal(classifier.classify('incidents/postmortems/INC-0001.md'), 'runbook');
    assert.equal(classifier.classify('incidents/INC-0001.yaml'), 'incident');
    assert.equal(classifier.classify('README.md'), undefined);
  });

  it('uses the defaults when the file is absent or empty', () => {
    for (const content of [undefined, '', '# only a comment\n']) {
      const { config, problems } = parseRepoConfig(content);
      assert.deepEqual(problems, []);
      assert.deepEqual(config, DEFAULT_REPO_CONFIG);
    }
    assert.deepEqual(DEFAULT_REPO_CONFIG.severities.map((s) => s.name), ['SEV1', 'SEV2', 'SEV3', 'SEV4']);
  });

  it('reports bad values at their line and falls back to the default for each', () => {
    const text = [
      'severities:', //                                   1
      '  - { name: P2, rank: 2, colour: red }', //        2
      '  - { name: P1, rank: 1 }', //                     3
      '  - { name: P2, rank: 3 }', //                     4
      '  - { rank: 4 }', //                               5
      '  - { name: P3, rank: one, lable: Minor }', //     6
      'id_format: "INC-{n}"', //                          7
      'incident_folder: ../elsewhere', //                 8
      'review_interval: quarterly', //                    9
      'destructive_patterns: ["rm -rf", "(unclosed"]', // 10
      'status_labels: { triage: New, resolve: Done }', // 11
      'severites: []', //                                 12
    ].join('\n');
    const { config, problems } = parseRepoConfig(text);
    assert.deepEqual(problems.map((p) => [p.line, p.column, p.severity]), [
      [2, 34, 'warning'],
      [4, 13, 'error'],
      [5, 5, 'error'],
      [6, 23, 'error'],
      [6, 28, 'warning'],
      [7, 12, 'error'],
      [8, 18, 'error'],
      [9, 18, 'error'],
      [10, 34, 'error'],
      [11, 31, 'warning'],
      [12, 1, 'warning'],
    ]);
    assert.match(problems[0].message, /colour of P2 should be a hex colour in quotes/);
    assert.match(problems[1].message, /Severity P2 is listed twice/);
    assert.match(problems[3].message, /The rank of P3 should be a whole number/);
    assert.match(problems[4].message, /Unknown severity field `lable` is ignored\. Did you mean `label`\?/);
    assert.match(problems[5].message, /`\{n\}` is not a placeholder/);
    assert.match(problems[10].message, /Unknown setting `severites` is ignored\. Did you mean `severities`\?/);
    assert.deepEqual(config.severities.map((s) => `${s.rank}:${s.name}`), ['1:P1', '2:P2', '3:P3']);
    assert.equal(config.idFormat, 'INC-{seq:4}');
    assert.equal(config.incidentFolder, 'incidents/');
    assert.equal(config.reviewInterval, '90d');
    // The repository's patterns add to the defaults (issue 14): a list of its own does not drop `rm -fr`.
    assert.deepEqual(config.destructivePatterns, [...DEFAULT_DESTRUCTIVE_PATTERNS, 'rm -rf']);
    assert.equal(config.statusLabels.triage, 'New');
    assert.equal(config.statusLabels.resolved, 'Resolved');
  });

  it('never throws on broken files', () => {
    for (const text of ['severities: [', '- a\n- b\n', 'just text', 'a: 1\na: 2\n', Uint8Array.from([0, 0, 1])]) {
      const { config, problems } = parseRepoConfig(text);
      assert.ok(problems.length > 0, String(text));
      assert.deepEqual(config.severities, DEFAULT_REPO_CONFIG.severities);
    }
  });

  it('turns its globs and a custom incident folder into the file layout', () => {
    const { config } = parseRepoConfig('incident_folder: records\nrunbook_include: ["ops/**/*.md"]\n');
    assert.equal(config.incidentFolder, 'records/');
    const classifier = new PathClassifier(layoutFromConfig(config));
    assert.equal(classifier.classify('records/INC-0001.yaml'), 'incident');
    assert.equal(classifier.classify('old/incidents/INC-0001.yml'), 'incident');
    assert.equal(classifier.classify('ops/db.md'), 'runbook');
    assert.equal(classifier.classify('db.md'), undefined);
  });

  describe('allocateIncidentId', () => {
    const now = new Date('2026-11-25T20:00:00Z');
    it('INC-{seq:4}: one more than the highest matching id', () => {
      const config = { idFormat: 'INC-{seq:4}' };
      assert.equal(allocateIncidentId(config, [], now), 'INC-0001');
      assert.equal(allocateIncidentId(config, ['INC-0001', 'INC-0012', 'INC-0003', 'INC-2026-77', 'notes', 'INC-12a'], now), 'INC-0013');
      assert.equal(allocateIncidentId(config, ['INC-9999'], now), 'INC-10000');
    });

    it('INC-{yyyy}-{seq}: the sequence restarts every (UTC) year', () => {
      const config = { idFormat: 'INC-{yyyy}-{seq}' };
      const ids = ['INC-2025-40', 'INC-2026-1', 'INC-2026-17', 'INC-0099'];
      assert.equal(allocateIncidentId(config, ids, now), 'INC-2026-18');
      assert.equal(allocateIncidentId(config, ids, new Date('2026-12-31T23:59:59-05:00')), 'INC-2027-1');
      assert.equal(allocateIncidentId({ idFormat: '{yyyy}.{seq:3}' }, ['2026.009'], now), '2026.010');
    });

    it('falls back to the default format when the configured one is unusable', () => {
      assert.equal(allocateIncidentId({ idFormat: 'INC-{n}' }, ['INC-0004'], now), 'INC-0005');
    });
  });
});
