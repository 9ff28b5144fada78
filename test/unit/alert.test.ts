import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { findFiles, repoRoot } from '../harness/paths';
import { AlertInputError, parseAlertInput, type Alert } from '../../src/core/alert/alertInput';
import { incidentFromAlert, severityForAlert } from '../../src/core/alert/alertIncident';
import { placeholderValuesFromLabels } from '../../src/core/alert/alertLabels';
import { findRunbooksForAlert, lineMentioning } from '../../src/core/alert/alertMatch';
import { DEFAULT_REPO_CONFIG, parseRepoConfig } from '../../src/core/config/repoConfig';
import { createIncident } from '../../src/core/incident/incidentEdit';
import { validateIncident } from '../../src/core/incident/incidentValidation';
import { WorkspaceIndex, type RunbookSummary } from '../../src/core/index/workspaceIndex';
import { parseRunbook } from '../../src/core/runbook/runbook';
import { fillCommand, placeholderKey } from '../../src/core/runbook/stepCommand';

const realRoot = resolve(repoRoot, '../shared/real-runbooks');
const sampleRoot = join(repoRoot, 'runbooks');

function markdownUnder(root: string): Map<string, string> {
  return new Map(findFiles(root, '.md').map((file) => [relative(root, file), readFileSync(file, 'utf8')]));
}

async function runbooksOf(files: Map<string, string>): Promise<RunbookSummary[]> {
  const index = new WorkspaceIndex();
  await index.build([...files.keys()], async (path) => files.get(path)!);
  return index.runbooks();
}

function named(name: string, labels: Record<string, string> = {}, annotations: Record<string, string> = {}): Alert {
  return { name, labels: { alertname: name, ...labels }, annotations };
}

describe('Alerts: input, runbook lookup, labels and the incident they declare', () => {
  it('reads an alert name, one alert, the API list and a webhook payload; says what is wrong with anything else', () => {
    assert.deepEqual(parseAlertInput('  VirtHandlerDown \n'), [{ name: 'VirtHandlerDown', labels: {}, annotations: {} }]);
    const one = { labels: { alertname: 'CheckoutHigh5xx', namespace: 'payments', replicas: 3 }, annotations: { summary: '5xx above 2%' }, startsAt: '2026-12-04T09:58:00.123456789Z' };
    assert.deepEqual(parseAlertInput(JSON.stringify(one)), [
      { name: 'CheckoutHigh5xx', labels: { alertname: 'CheckoutHigh5xx', namespace: 'payments' }, annotations: { summary: '5xx above 2%' }, startsAt: '2026-12-04T09:58:00.123456789Z' },
    ]);
    const webhook = { version: '4', status: 'firing', receiver: 'oncall', alerts: [one, { ...one, labels: { alertname: 'Other' } }] };
    assert.deepEqual(parseAlertInput(JSON.stringify(webhook, null, 2)).map((a) => a.name), ['CheckoutHigh5xx', 'Other']);
    assert.deepEqual(parseAlertInput(JSON.stringify([one])).map((a) => a.name), ['CheckoutHigh5xx']);

    const refused = (text: string, message: RegExp): void => {
      assert.throws(() => parseAlertInput(text), (err: unknown) => err instanceof AlertInputError && message.test(err.message), text);
    };
    refused('', /^No alert given\. Give an alert name/);
    refused('two\nlines', /one line; this text has several and is not JSON/);
    refused('{\n  "labels": {\n    "alertname": "X",\n  }\n}', /not valid JSON: .* at line 4, column 3\./);
    refused('{"alerts": []}', /holds no alerts/);
    refused('{"labels": {"severity": "page"}}', /has no "alertname" label/);
    refused('{"alerts": [{"labels": {"alertname": "A"}}, 7]}', /^Alert 2 is not an object/);
  });

  it('finds each kubevirt runbook first by its alert name, and by the runbook_url the alert carries', async function () {
    const root = join(realRoot, 'kubevirt__monitoring');
    if (!existsSync(root)) this.skip();
    const runbooks = await runbooksOf(markdownUnder(root));
    const alertFiles = [...runbooks.map((r) => r.path)].filter((p) => p.startsWith('docs/runbooks/'));
    assert.ok(alertFiles.length > 60, `${alertFiles.length} alert runbooks`);
    for (const path of alertFiles) {
      const name = path.slice('docs/runbooks/'.length, -'.md'.length);
      const [best] = findRunbooksForAlert(named(name), runbooks);
      assert.equal(best?.path, path, `${name}: ${best?.path} (${best?.reason})`);
      assert.equal(best.reason, 'file-name');
      // The URL kubevirt's alert rules put in runbook_url: the site's page, not the file.
      const byUrl = findRunbooksForAlert(named('Renamed', {}, { runbook_url: `https://kubevirt.io/monitoring/runbooks/${name}` }), runbooks);
      assert.equal(byUrl[0]?.path, path, `runbook_url for ${name}`);
      assert.equal(byUrl[0].reason, 'runbook-url');
    }
    // Renamed alerts: kubevirt keeps KubeMacPoolDown's old page in a retired folder and the current one as
    // KubemacpoolDown. Names meet whatever their case; the current page comes first.
    const renamed = findRunbooksForAlert(named('KubeMacPoolDown'), runbooks).filter((m) => m.reason === 'file-name');
    assert.deepEqual(renamed.map((m) => [m.path, m.retired]), [['docs/runbooks/KubemacpoolDown.md', false], ['docs/deprecated_runbooks/KubeMacPoolDown.md', true]]);
    const mentions = findRunbooksForAlert(named('VirtHandlerDown'), runbooks).filter((m) => m.reason === 'mention');
    assert.ok(mentions.length > 0, 'other runbooks mention VirtHandlerDown');
    const mentioning = mentions[0];
    const line = lineMentioning(readFileSync(join(root, mentioning.path), 'utf8'), 'VirtHandlerDown')!;
    assert.match(readFileSync(join(root, mentioning.path), 'utf8').split('\n')[line - 1], /VirtHandlerDown/);
  });

  it('finds the GOV.UK alert pages by a CamelCase alert name and by their documentation-site URL', async function () {
    const root = join(realRoot, 'alphagov__govuk-developer-docs');
    if (!existsSync(root)) this.skip();
    const runbooks = await runbooksOf(markdownUnder(root));
    const pages = runbooks.map((r) => r.path).filter((p) => p.startsWith('source/manual/alerts/'));
    assert.ok(pages.length >= 10);
    for (const path of pages) {
      const stem = path.slice('source/manual/alerts/'.length, -'.html.md'.length);
      const name = stem.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
      const [best] = findRunbooksForAlert(named(name), runbooks);
      assert.equal(best?.path, path, `${name} → ${best?.path}`);
      const url = `https://docs.publishing.service.gov.uk/manual/alerts/${stem}.html`;
      assert.equal(findRunbooksForAlert(named('X', {}, { runbook_url: url }), runbooks)[0]?.path, path, url);
    }
    assert.deepEqual(findRunbooksForAlert(named('NoSuchAlertAnywhere'), runbooks), []);
    assert.deepEqual(findRunbooksForAlert(named('X', {}, { runbook_url: 'https://elsewhere.example/wiki/NoSuchPage' }), runbooks), []);
  });

  it('ranks runbook_url, front matter, file name, heading and mention in that order, and opens a page of many alerts at its section', async () => {
    const files = new Map([
      ['mixin/runbook.md', '# Kubernetes mixin\n\n## Alert Name: KubeQuotaExceeded\n\nText.\n\n## Alert Name: KubePodCrashLooping\n\nMore.\n'],
      ['alerts/apps/KubePodCrashLooping.md', '# Pods crash looping\n'],
      ['apps/restarts.md', '---\nalerts: [KubePodCrashLooping]\n---\n# Restarts\n'],
      ['notes/oncall.md', '# On-call notes\n\nIf KubePodCrashLooping fires, read the mixin runbook.\n'],
      ['archive/old-crashloop.md', '---\nalerts: [KubePodCrashLooping]\n---\n# Old restarts\n'],
    ]);
    const runbooks = await runbooksOf(files);
    const matches = findRunbooksForAlert(named('KubePodCrashLooping', {}, { runbook_url: 'https://github.com/kubernetes-monitoring/kubernetes-mixin/blob/master/runbook.md#alert-name-kubequotaexceeded' }), runbooks);
    assert.deepEqual(matches.map((m) => [m.path, m.reason, m.line, m.retired]), [
      ['mixin/runbook.md', 'runbook-url', 3, false], // the fragment's section, though the alert's name is another section's
      ['apps/restarts.md', 'front-matter', 4, false],
      ['archive/old-crashloop.md', 'front-matter', 4, true],
      ['alerts/apps/KubePodCrashLooping.md', 'file-name', 1, false],
      ['notes/oncall.md', 'mention', 1, false],
    ]);
    assert.equal(findRunbooksForAlert(named('KubePodCrashLooping'), runbooks).find((m) => m.path === 'mixin/runbook.md')?.line, 7, 'without a URL: the heading that names it');
    assert.equal(lineMentioning(files.get('notes/oncall.md')!, 'KubePodCrashLooping'), 3);
    assert.equal(lineMentioning('KubePodCrashLoopingX\n', 'KubePodCrashLooping'), undefined, 'a word, not a prefix');
  });

  it('finds the sample runbooks for the sample alert payload, its runbook_url first', async () => {
    const runbooks = await runbooksOf(markdownUnder(sampleRoot));
    const [alert] = parseAlertInput(readFileSync(join(sampleRoot, 'alerts/checkout-high-5xx.alertmanager.json'), 'utf8'));
    assert.deepEqual(findRunbooksForAlert(alert, runbooks).map((m) => `${m.path} ${m.reason}`), [
      'alerts/checkout-api/CheckoutHigh5xx.md runbook-url',
      'kubernetes/checkout-api-rollback.md front-matter',
    ]);
  });

  it('fills $NAMESPACE, ${namespace}, <node-name> and {{namespace}} from the labels of the same name, and quotes them as any value', () => {
    const runbook = parseRunbook('x.md', [
      '---', 'variables:', '  namespace: { description: ns }', '---', '# X', '',
      '```sh', 'kubectl -n {{namespace}} get pods', 'kubectl drain <node-name> --pod-selector "$POD_NAME"', 'echo ${CLUSTER_ID}', '```', '',
    ].join('\n'));
    const placeholders = runbook.steps.flatMap((s) => s.placeholders);
    const labels = { alertname: 'A', Namespace: 'pay ments', node_name: "ip-10'1", 'pod-name': 'api-0', cluster_id: 'eu-1', severity: 'page' };
    const { filled, refused } = placeholderValuesFromLabels(placeholders, labels);
    assert.deepEqual(filled.map((f) => [f.placeholder.tokens[0], f.label, f.value]), [
      ['{{namespace}}', 'Namespace', 'pay ments'],
      ['<node-name>', 'node_name', "ip-10'1"],
      ['$POD_NAME', 'pod-name', 'api-0'],
      ['${CLUSTER_ID}', 'cluster_id', 'eu-1'],
    ]);
    assert.deepEqual(refused, []);
    const values = new Map(filled.map((f) => [placeholderKey(f.placeholder), f.value]));
    const step = runbook.steps[0];
    const command = fillCommand(step.commands.join('\n'), step.placeholders, values, runbook.variables).text;
    assert.equal(command, `kubectl -n 'pay ments' get pods\nkubectl drain 'ip-10'\\''1' --pod-selector "api-0"\necho eu-1`);
    const multiLine = placeholderValuesFromLabels(placeholders, { namespace: 'a\nrm -rf /' });
    assert.deepEqual(multiLine.filled, []);
    assert.match(multiLine.refused[0].reason, /cannot contain line breaks/);
  });

  it('declares from the alert: title, mapped severity, service, and a detection entry at startsAt that validates', () => {
    const [alert] = parseAlertInput(JSON.stringify({
      labels: { alertname: 'CheckoutHigh5xx', severity: 'critical', service: 'checkout-api', namespace: 'payments' },
      annotations: { summary: '5xx ratio above 2% in eu-west-1' },
      startsAt: '2026-12-04T09:58:00.5Z',
    }));
    const fields = incidentFromAlert(alert, DEFAULT_REPO_CONFIG);
    assert.equal(fields.title, 'CheckoutHigh5xx: 5xx ratio above 2% in eu-west-1');
    assert.equal(fields.severity, 'SEV1');
    assert.deepEqual(fields.services, ['checkout-api']);
    assert.equal(fields.detection?.at.toISOString(), '2026-12-04T09:58:00.500Z');
    const text = createIncident(DEFAULT_REPO_CONFIG, {
      id: 'INC-0042', title: fields.title, severity: fields.severity!, services: fields.services, runbooks: ['alerts/checkout-api/CheckoutHigh5xx.md'],
      detection: fields.detection, now: new Date('2026-12-04T10:01:00Z'), author: 'ana',
    });
    assert.match(text, /^detected_at: 2026-12-04T09:58:00Z\ndeclared_at: 2026-12-04T10:01:00Z$/m);
    assert.match(text, /timeline:\n {2}- at: 2026-12-04T09:58:00Z\n {4}by: alertmanager\n {4}kind: detection\n {4}text: "CheckoutHigh5xx fired \(severity=critical, service=checkout-api, namespace=payments\): 5xx ratio above 2% in eu-west-1"\n {2}- at: 2026-12-04T10:01:00Z\n/);
    assert.deepEqual(validateIncident('incidents/INC-0042.yaml', text).problems, []);

    const config = parseRepoConfig('alert_severities: { page: SEV2, ticket: SEV9 }\nseverities:\n  - { name: SEV2, rank: 2 }\n  - { name: SEV4, rank: 4 }\n');
    assert.deepEqual(config.config.alertSeverities, { page: 'SEV2' });
    assert.match(config.problems[0].message, /`SEV9` is not a severity of this repository, so alerts labelled ticket are not mapped\. .*Severities: SEV2, SEV4\./);
    assert.equal(config.problems[0].line, 1);
    assert.equal(severityForAlert(named('A', { severity: 'Page' }), config.config), 'SEV2', 'alert_severities, any case');
    assert.equal(severityForAlert(named('A', { severity: 'info' }), config.config), 'SEV4', 'rank 4 on a two-level scale: the last');
    assert.equal(severityForAlert(named('A', { severity: 'sev2' }), DEFAULT_REPO_CONFIG), 'SEV2', 'a severity name');
    assert.equal(severityForAlert(named('A', { severity: 'whatever' }), DEFAULT_REPO_CONFIG), undefined, 'asked, not guessed');
    assert.equal(incidentFromAlert(named('A', {}, {}), DEFAULT_REPO_CONFIG).detection, undefined, 'no startsAt, no detection entry');
    assert.equal(incidentFromAlert({ ...named('A'), startsAt: '0001-01-01T00:00:00Z' }, DEFAULT_REPO_CONFIG).detection, undefined, "Go's zero time");
  });

  it('runbook-ops alert prints the matches with the values the labels fill, reads a payload on stdin, and exits 1 when an alert has no runbook', () => {
    const cli = join(repoRoot, 'dist/cli.js');
    const run = (args: string[], input?: string): { status: number | null; stdout: string; stderr: string } => {
      const result = spawnSync(process.execPath, [cli, 'alert', ...args, '--dir', sampleRoot, '--no-cache'], { encoding: 'utf8', input, cwd: sampleRoot });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    };
    const payload = readFileSync(join(sampleRoot, 'alerts/checkout-high-5xx.alertmanager.json'), 'utf8');
    const text = run(['-'], payload);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^CheckoutHigh5xx \(firing since [^)]+\): 2 runbooks\n {2}1\. alerts\/checkout-api\/CheckoutHigh5xx\.md:1 {2}"CheckoutHigh5xx" \(the alert's runbook_url points here\)\n {7}<namespace> = payments \(label namespace\)\n {2}2\. kubernetes\/checkout-api-rollback\.md:\d+ {2}"Roll back checkout-api" \(front matter lists CheckoutHigh5xx\)\n {7}\{\{namespace\}\} = payments \(label namespace\)/);
    const json = run(['-', '--format', 'json'], payload);
    const parsed = JSON.parse(json.stdout) as { alerts: { name: string; matches: { path: string; reason: string; fills: unknown[] }[] }[] };
    assert.deepEqual(parsed.alerts[0].matches.map((m) => [m.path, m.reason]), [['alerts/checkout-api/CheckoutHigh5xx.md', 'runbook-url'], ['kubernetes/checkout-api-rollback.md', 'front-matter']]);
    const none = run(['NoSuchAlert']);
    assert.equal(none.status, 1);
    assert.match(none.stdout, /^NoSuchAlert: no runbook found among \d+\. .*add "alerts: \[NoSuchAlert\]"/);
    const bad = run(['-'], '{"labels": {}}');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^runbook-ops: The alert has no "alertname" label/);
  });
});
