import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../harness/paths';
import { incidentDetail } from '../../src/core/board/boardModel';
import { summarizeIncident } from '../../src/core/incident/incidentSummary';
import { validateIncident } from '../../src/core/incident/incidentValidation';
import {
  BUILT_IN_POSTMORTEM_TEMPLATE,
  draftPostmortem,
  GENERATED_END,
  GENERATED_START,
  PostmortemDraftError,
  postmortemPathOf,
  relativeLink,
  type PostmortemContext,
} from '../../src/core/postmortem/postmortemDraft';

const sample = join(repoRoot, 'runbooks');
const golden = join(repoRoot, 'test/unit/fixtures/postmortem/INC-0010.md');
const TITLES: Record<string, string> = { 'kubernetes/checkout-api-rollback.md': 'Roll back checkout-api', 'kubernetes/checkout-api-smoke.md': 'checkout-api smoke checks' };

function contextFor(recordPath: string, text: string): PostmortemContext {
  const validation = validateIncident(recordPath, text);
  const detail = incidentDetail(summarizeIncident(validation), validation.record, recordPath);
  return { detail, recordPath, postmortemPath: postmortemPathOf(detail, 'postmortems/'), runbookTitle: (p) => TITLES[p] };
}

const inc10 = (): string => readFileSync(join(sample, 'incidents/INC-0010.yaml'), 'utf8');

describe('Postmortem drafts', () => {
  it('renders the sample incident as the golden draft: facts, key times, durations, the timeline table, action items and runbooks', () => {
    const draft = draftPostmortem(undefined, BUILT_IN_POSTMORTEM_TEMPLATE, contextFor('incidents/INC-0010.yaml', inc10()));
    assert.equal(draft.outcome, 'created');
    assert.equal(draft.text, readFileSync(golden, 'utf8'), 'the draft differs from test/unit/fixtures/postmortem/INC-0010.md');
  });

  it('regenerates only the marked block: what people wrote around it stays byte for byte, and an unchanged record changes nothing', () => {
    const first = draftPostmortem(undefined, BUILT_IN_POSTMORTEM_TEMPLATE, contextFor('incidents/INC-0010.yaml', inc10())).text;
    const written = first
      .replace('_What set it off._', 'A config push at 07:45 (v812) routed EU traffic to the degraded acquirer.')
      .replace('## Lessons learned\n\n-', '## Lessons learned\n\n- Canary provider changes.\n\n<!-- a reviewer’s note -->')
      .replace(/\n/g, '\r\n'); // someone's editor saves CRLF
    assert.equal(draftPostmortem(written, BUILT_IN_POSTMORTEM_TEMPLATE, contextFor('incidents/INC-0010.yaml', inc10())).outcome, 'unchanged');
    const resolved = inc10()
      .replace('status: investigating', 'status: resolved')
      .replace('acknowledged_at: 2026-11-25T07:55:30Z', 'acknowledged_at: 2026-11-25T07:55:30Z\nmitigated_at: 2026-11-25T09:10:00Z\nresolved_at: 2026-11-25T10:00:00Z')
      .replace('action_items: []', 'action_items:\n  - { id: AI-1, title: "Alert on provider | 502s <b>early</b>", owner: bob, status: open, due: 2026-12-10 }');
    const again = draftPostmortem(written, BUILT_IN_POSTMORTEM_TEMPLATE, contextFor('incidents/INC-0010.yaml', resolved));
    assert.equal(again.outcome, 'regenerated');
    const outside = (text: string): string[] => {
      const lines = text.split(/\r?\n/);
      const start = lines.findIndex((l) => l.startsWith('<!-- runbook-ops:generated:start'));
      const end = lines.indexOf(GENERATED_END);
      return [...lines.slice(0, start), ...lines.slice(end + 1)];
    };
    assert.deepEqual(outside(again.text), outside(written), 'nothing outside the block changed');
    assert.ok(again.text.includes('\r\n') && !/[^\r]\n/.test(again.text), 'the file keeps its CRLF line endings');
    assert.match(again.text, /\| Mitigated \| 2026-11-25 09:10:00 \| \+1h 17m \|/);
    assert.match(again.text, /\| Time to resolve \(declared → resolved\) \| 2h 07m \|/);
    assert.match(again.text, /\| AI-1 \| Alert on provider \\\| 502s &lt;b&gt;early&lt;\/b&gt; \| bob \| open \| 2026-12-10 \|/, 'a pipe and HTML in a cell are shown as text');
  });

  it('refuses to regenerate a draft whose markers were removed or repeated, and says how to fix it', () => {
    const context = contextFor('incidents/INC-0010.yaml', inc10());
    const first = draftPostmortem(undefined, BUILT_IN_POSTMORTEM_TEMPLATE, context).text;
    for (const broken of [first.replace(GENERATED_END, ''), first.replace(GENERATED_START, ''), `${first}\n${GENERATED_START}\n`]) {
      assert.throws(() => draftPostmortem(broken, BUILT_IN_POSTMORTEM_TEMPLATE, context), (err: unknown) => err instanceof PostmortemDraftError && /postmortems\/INC-0010\.md has .*nothing was changed\. Put the two marker lines back/.test(err.message));
    }
  });

  it('fills a repository template, placing the facts at {{generated}} or after the text when it has none', () => {
    const context = contextFor('incidents/INC-0010.yaml', inc10());
    const withPlace = draftPostmortem(undefined, '# {{id}}: {{title}} ({{severity}}, {{services}}, {{commander}}) {{unknown}}\n\n{{generated}}\n\n## Ours\n', context).text;
    assert.match(withPlace, /^# INC-0010: Checkout API 5xx in eu-west-1 \(SEV1, checkout-api, payments-provider, alice\) \{\{unknown\}\}\n\n<!-- runbook-ops:generated:start/);
    assert.match(withPlace, /<!-- runbook-ops:generated:end -->\n\n## Ours\n$/);
    const without = draftPostmortem(undefined, '# Our template\n\nText.', context).text;
    assert.match(without, /^# Our template\n\nText\.\n\n## Facts from the record\n\n<!-- runbook-ops:generated:start[^\n]*\n[\s\S]*<!-- runbook-ops:generated:end -->\n$/);
  });

  it('shows hostile record text as text: commands with backticks and pipes, HTML, line breaks', () => {
    const hostile = inc10().replace(
      /^timeline:\n/m,
      'timeline:\n  - at: 2026-11-25T07:50:00Z\n    by: "<img src=x onerror=alert(1)>"\n    kind: action\n    text: "a | b\\nc"\n    step: kubernetes/checkout-api-smoke.md#smoke-pods\n    command: "echo `id` | grep -v x"\n    exit_code: 1\n    duration_ms: 1200\n',
    );
    const text = draftPostmortem(undefined, BUILT_IN_POSTMORTEM_TEMPLATE, contextFor('incidents/INC-0010.yaml', hostile)).text;
    assert.ok(text.includes('| 2026-11-25 07:50:00 | &lt;img src=x onerror=alert(1)&gt; | action | a \\| b<br>c<br>``echo `id` \\| grep -v x`` → exit 1, 1s |'), text.split('\n').find((l) => l.includes('07:50:00')));
  });

  it('links relative to the draft, and keeps a record’s own postmortem path unless it leaves the repository', () => {
    assert.equal(relativeLink('postmortems/INC-1.md', 'incidents/INC-1.yaml'), '../incidents/INC-1.yaml');
    assert.equal(relativeLink('ops/postmortems/2026/INC-1.md', 'ops/incidents/INC-1.yaml'), '../../incidents/INC-1.yaml');
    assert.equal(relativeLink('INC-1.md', 'runbooks/a.md'), 'runbooks/a.md');
    assert.equal(postmortemPathOf({ id: 'INC-1', postmortem: 'reviews/2026/inc-1.md' }, 'postmortems/'), 'reviews/2026/inc-1.md');
    for (const other of ['https://docs.example/pm/1', '../outside.md', '/etc/x.md', 'notes.txt', undefined]) {
      assert.equal(postmortemPathOf({ id: 'INC-1', postmortem: other }, 'postmortems/'), 'postmortems/INC-1.md', String(other));
    }
  });

  describe('runbook-ops postmortem', () => {
    let dir: string;
    const cli = join(repoRoot, 'dist/cli.js');
    const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
      const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    };

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'runbook-ops-postmortem-'));
      cpSync(sample, dir, { recursive: true });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('writes the draft, links it from the record with a one-line edit, and check finds nothing to say about it', () => {
      const before = readFileSync(join(dir, 'incidents/INC-0010.yaml'), 'utf8');
      const first = run('postmortem', 'inc-0010', '--by', 'ana');
      assert.equal(first.status, 0, first.stderr);
      assert.equal(first.stdout, 'INC-0010: wrote a new draft postmortems/INC-0010.md; the record links it (postmortem: postmortems/INC-0010.md)\n');
      assert.equal(readFileSync(join(dir, 'postmortems/INC-0010.md'), 'utf8'), readFileSync(golden, 'utf8'));
      assert.equal(readFileSync(join(dir, 'incidents/INC-0010.yaml'), 'utf8'), before.replace('action_items: []\n', 'action_items: []\npostmortem: postmortems/INC-0010.md\n'));
      const check = run('check', '.', '--format', 'json');
      const files = (JSON.parse(check.stdout) as { files: { path: string; problems: unknown[] }[] }).files;
      assert.equal(files.find((f) => f.path === 'postmortems/INC-0010.md'), undefined, 'no problem: links resolve, and no owner or review is asked of a postmortem');
      assert.equal(files.find((f) => f.path === 'incidents/INC-0010.yaml'), undefined);
      const index = JSON.parse(run('index', '.', '--format', 'json').stdout) as { runbooks: { path: string; title: string }[] };
      assert.equal(index.runbooks.find((r) => r.path === 'postmortems/INC-0010.md')?.title, 'Postmortem: INC-0010 Checkout API 5xx in eu-west-1', 'the draft is in the index');
      assert.equal(run('postmortem', 'INC-0010', '--by', 'ana').stdout, 'INC-0010: nothing to change in postmortems/INC-0010.md\n');
    });

    it('uses the repository’s template and postmortem_folder, and refuses a draft whose block is gone', () => {
      mkdirSync(join(dir, 'templates'));
      writeFileSync(join(dir, 'templates/postmortem.md'), '# Review of {{id}}\n\n{{generated}}\n');
      writeFileSync(join(dir, '.runbook-ops.yaml'), `${readFileSync(join(dir, '.runbook-ops.yaml'), 'utf8')}\npostmortem_folder: reviews/\n`);
      assert.equal(run('postmortem', 'INC-0009', '--by', 'ana').status, 0);
      const draft = join(dir, 'reviews/INC-0009.md');
      assert.match(readFileSync(draft, 'utf8'), /^# Review of INC-0009\n\n<!-- runbook-ops:generated:start/);
      writeFileSync(draft, '# Review of INC-0009\n\nAll hand-written now.\n');
      const refused = run('postmortem', 'INC-0009', '--by', 'ana');
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /^runbook-ops: INC-0009: reviews\/INC-0009\.md has no generated block .*nothing was changed/);
      assert.equal(readFileSync(draft, 'utf8'), '# Review of INC-0009\n\nAll hand-written now.\n');
      assert.equal(existsSync(join(dir, 'postmortems')), false);
    });
  });
});
