import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { mergeIncidentTexts, type IncidentMergeOutcome } from '../../src/core/incident/incidentMerge';
import { validateIncident } from '../../src/core/incident/incidentValidation';

const fixtures = resolve(__dirname, '../../../test/unit/fixtures/merge');
const fixture = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

function merged(outcome: IncidentMergeOutcome): Extract<IncidentMergeOutcome, { kind: 'merged' }> {
  assert.equal(outcome.kind, 'merged', outcome.kind === 'unparsable' ? outcome.message : '');
  return outcome as Extract<IncidentMergeOutcome, { kind: 'merged' }>;
}

type Plain = Record<string, unknown>;

describe('incident three-way merge (src/core/incidentMerge)', () => {
  const base = fixture('base.yaml');

  it('merges two branches that appended entries and changed different fields into the golden result', () => {
    const result = merged(mergeIncidentTexts(base, fixture('ours.yaml'), fixture('theirs.yaml')));
    assert.deepEqual(result.conflicts, []);
    assert.equal(result.text, fixture('merged.yaml'));
    const record = parse(result.text) as Plain;
    const timeline = record.timeline as Plain[];
    assert.deepEqual(timeline.map((e) => e.at), ['2026-11-23T09:05:10Z', '2026-11-23T09:08:30Z', '2026-11-23T09:30:00Z', '2026-11-23T09:40:12Z', '2026-11-23T09:50:00Z']);
    assert.deepEqual(record.services, ['checkout-api', 'payments-gateway']);
    assert.deepEqual(record.action_items, [
      { id: 'AI-1', title: 'Canary config pushes', owner: 'dave', status: 'in_progress', due: '2026-12-01' },
      { id: 'AI-2', title: 'Alert on upstream timeout changes', owner: 'bob', status: 'open' },
    ]);
    assert.equal((record.links as Plain[]).length, 2);
    // Ours' comments and theirs' comment on its new entry both survive.
    for (const comment of ['# Incident record: keep comments', '# moves forward only', '# Alert that opened the incident.', '# estimate', "# Bob's finding, from the config diff."]) {
      assert.ok(result.text.includes(comment), comment);
    }
    assert.deepEqual(validateIncident('incidents/INC-0042.yaml', result.text).problems.filter((p) => p.severity === 'error'), []);
  });

  it('is symmetric in content: merging the other way round gives the same record', () => {
    const one = parse(merged(mergeIncidentTexts(base, fixture('ours.yaml'), fixture('theirs.yaml'))).text) as Plain;
    const other = parse(merged(mergeIncidentTexts(base, fixture('theirs.yaml'), fixture('ours.yaml'))).text) as Plain;
    assert.deepEqual(other, one);
  });

  it('puts markers around just the conflicting field when both sides changed the severity differently', () => {
    const ours = base.replace('severity: SEV2', 'severity: SEV1').replace('    by: alice\n    kind: status', '    by: alice\n    kind: status');
    const theirs = base.replace('severity: SEV2', 'severity: SEV3').replace('mode: standard', 'mode: standard\nimpact: none yet');
    const result = merged(mergeIncidentTexts(base, ours, theirs));
    assert.deepEqual(result.conflicts.map((c) => [c.field, c.ours, c.theirs]), [['severity', 'SEV1', 'SEV3']]);
    assert.equal(result.text, base.replace('severity: SEV2\n', '<<<<<<< ours\nseverity: SEV1\n=======\nseverity: SEV3\n>>>>>>> theirs\n').replace('push v812.\n', 'push v812.\nimpact: none yet\n'));
  });

  it('marks a conflicting action item field inside the item, with custom labels and marker size', () => {
    const result = merged(mergeIncidentTexts(base, base.replace('owner: carol', 'owner: dave'), base.replace('owner: carol', 'owner: erin'), { oursLabel: 'HEAD', theirsLabel: 'fix-branch', markerSize: 9 }));
    assert.deepEqual(result.conflicts.map((c) => c.field), ['action_items AI-1 owner']);
    assert.ok(result.text.includes('    title: Canary config pushes\n<<<<<<<<< HEAD\n    owner: dave\n=========\n    owner: erin\n>>>>>>>>> fix-branch\n    status: open\n'), result.text);
  });

  it('keeps both conflicts of one flow mapping in one marked region', () => {
    const result = merged(mergeIncidentTexts(base, base.replace('scribe: bob, comms: carol', 'scribe: dan, comms: eve'), base.replace('scribe: bob, comms: carol', 'scribe: fay, comms: gil')));
    assert.equal(result.conflicts.length, 2);
    assert.ok(result.text.includes('<<<<<<< ours\nroles: { scribe: dan, comms: eve }\n=======\nroles: { scribe: fay, comms: gil }\n>>>>>>> theirs\n'), result.text);
  });

  it('resolves a status conflict to the later workflow state when its timestamps are set, else conflicts', () => {
    const mitigated = base.replace('status: investigating ', 'status: mitigated     ').replace('summary: |', 'mitigated_at: 2026-11-23T09:41:00Z\nsummary: |');
    const acknowledgedOnly = base.replace('status: investigating', 'status: acknowledged');
    const resolved = merged(mergeIncidentTexts(base, acknowledgedOnly, mitigated));
    assert.deepEqual(resolved.conflicts, []);
    assert.equal((parse(resolved.text) as Plain).status, 'mitigated');
    assert.match(resolved.notes.join('\n'), /kept mitigated, the later state/);

    const noTimestamp = base.replace('status: investigating ', 'status: mitigated     ');
    const conflicted = merged(mergeIncidentTexts(base, acknowledgedOnly, noTimestamp));
    assert.deepEqual(conflicted.conflicts.map((c) => c.field), ['status']);
    assert.ok(conflicted.text.includes('<<<<<<< ours\nstatus: acknowledged        # moves forward only\n=======\nstatus: mitigated        # moves forward only\n>>>>>>> theirs\n'), conflicted.text);

    const cancelled = merged(mergeIncidentTexts(base, base.replace('status: investigating', 'status: cancelled'), mitigated));
    assert.deepEqual(cancelled.conflicts.map((c) => c.field), ['status']);
  });

  it('keeps both action items when both sides added the next id with different titles', () => {
    const add = (title: string): string => base.replace('    due: 2026-12-01\n', `    due: 2026-12-01\n  - id: AI-2\n    title: ${title}\n    status: open\n`);
    const result = merged(mergeIncidentTexts(base, add('Runbook for config rollback'), add('Page the config team')));
    assert.deepEqual(result.conflicts, []);
    const items = (parse(result.text) as Plain).action_items as Plain[];
    assert.deepEqual(items.map((i) => [i.id, i.title]), [['AI-1', 'Canary config pushes'], ['AI-2', 'Runbook for config rollback'], ['AI-3', 'Page the config team']]);
    assert.match(result.notes.join('\n'), /theirs \("Page the config team"\) is now AI-3/);
  });

  it('honours a deletion made on one side only, and keeps an item the other side changed', () => {
    const noLink = base.replace('links:\n  - { title: Dashboard, url: https://grafana.example/d/checkout }\n', 'links: []\n');
    const result = merged(mergeIncidentTexts(base, base.replace('kind: detection', 'kind: detection\n    # noted'), noLink));
    assert.deepEqual((parse(result.text) as Plain).links, []);
    const changedItem = base.replace('owner: carol', 'owner: dave');
    const kept = merged(mergeIncidentTexts(base, changedItem, base.replace(/action_items:\n(?: {2,}.*\n)+/, 'action_items: []\n')));
    assert.deepEqual(kept.conflicts, []);
    assert.equal(((parse(kept.text) as Plain).action_items as Plain[])[0].owner, 'dave');
    assert.match(kept.notes.join('\n'), /kept an item theirs deleted, because ours changed it \(AI-1\)/);
    // The whole field deleted on one side and changed on the other is a conflict of that field.
    const fieldGone = merged(mergeIncidentTexts(base, changedItem, base.replace(/action_items:\n(?: {2,}.*\n)+/, '')));
    assert.deepEqual(fieldGone.conflicts.map((c) => c.field), ['action_items']);
    assert.ok(fieldGone.text.includes('=======\n>>>>>>> theirs\nlinks:'), fieldGone.text);
  });

  it('unions services and runbooks added on both sides without duplicates', () => {
    const ours = base.replace('services: [checkout-api]', 'services: [checkout-api, edge-gateway]').replace('runbooks: [kubernetes/checkout-api-rollback.md]', 'runbooks: [kubernetes/checkout-api-rollback.md, dns-tls/cert-expiry.md]');
    const theirs = base.replace('services: [checkout-api]', 'services: [checkout-api, edge-gateway, postgres]');
    const result = merged(mergeIncidentTexts(base, ours, theirs));
    assert.ok(result.text.includes('services: [checkout-api, edge-gateway, postgres]\n'), result.text);
    assert.ok(result.text.includes('runbooks: [kubernetes/checkout-api-rollback.md, dns-tls/cert-expiry.md]\n'));
  });

  it('reports a side that is not valid YAML (or holds conflict markers) instead of guessing', () => {
    const broken = base.replace('severity: SEV2', 'severity: [SEV2');
    const outcome = mergeIncidentTexts(base, base, broken);
    assert.equal(outcome.kind, 'unparsable');
    assert.equal(outcome.kind === 'unparsable' && outcome.side, 'theirs');
    assert.match(outcome.kind === 'unparsable' ? outcome.message : '', /^Their side is not valid YAML \(line \d+/);
    const markers = mergeIncidentTexts(base, `${base}<<<<<<< HEAD\n`, base);
    assert.equal(markers.kind === 'unparsable' && markers.side, 'ours');
  });

  it('merges an add/add (empty base) and keeps CRLF line endings and a BOM of ours', () => {
    const crlf = `\ufeff${base.replace(/\n/g, '\r\n')}`;
    const theirs = base.replace('    text: Acknowledged\n', '    text: Acknowledged\n  - at: 2026-11-23T10:00:00Z\n    by: bob\n    kind: note\n    text: Added on the other laptop\n');
    const result = merged(mergeIncidentTexts('', crlf, theirs));
    assert.deepEqual(result.conflicts, []);
    assert.ok(result.text.startsWith('\ufeff# Incident record'));
    assert.ok(!/[^\r]\n/.test(result.text), 'every line ends in CRLF');
    assert.ok(result.text.includes('    text: Added on the other laptop\r\n'));
  });
});
