import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { repoRoot } from '../harness/paths';
import { incidentDetail } from '../../src/core/board/boardModel';
import { summarizeIncident } from '../../src/core/incident/incidentSummary';
import { editIncident } from '../../src/core/incident/incidentEdit';
import { mergeIncidentTexts } from '../../src/core/incident/incidentMerge';
import { validateIncident } from '../../src/core/incident/incidentValidation';
import { TerminalOutputTail } from '../../src/core/text/terminalOutput';

function tail(chunks: readonly string[], secrets: string[] = [], limits?: { lines: number; bytes: number }): { text: string; truncated: boolean } {
  const output = new TerminalOutputTail(secrets, limits);
  for (const chunk of chunks) output.push(chunk);
  return output.text();
}

const record = readFileSync(join(repoRoot, 'runbooks/incidents/INC-0010.yaml'), 'utf8');

function withStep(text: string, output: string | 'not-captured', at = '2026-11-23T09:50:00Z'): string {
  return editIncident(text, {
    op: 'appendStepAction',
    step: { runbook: 'kubernetes/checkout-api-smoke.md', stepId: 'smoke-pods', title: 'Pods', command: 'kubectl get pods', exitCode: 0, startedAt: at, durationMs: 812, output },
  }, new Date(at), 'ana').text;
}

describe('Step output: the last lines a step printed, on the record', () => {
  it('reads terminal data as a terminal shows it: colours, OSC marks, redrawn lines, backspaces, sequences split across chunks', () => {
    const out = tail([
      '\x1b]633;C\x07', // VS Code's shell-integration mark, as read() delivers it
      '\x1b[1;32mNAME\x1b[0m   READY   STATUS\r\n',
      'api-0  1/1     \x1b[3', '2mRunning\x1b[0m   \r\n', // a CSI split between two chunks
      'Downloading  10%\rDownloading  55%\rDownloading 100%\n',
      'typo\b\b\bxt\n',
      '\x1b]0;window title\x1b\\done \x1b(Bok\x1b=\n',
      '\x07\x00bell and NUL dropped\n\n\n',
    ]);
    assert.deepEqual(out, { text: 'NAME   READY   STATUS\napi-0  1/1     Running\nDownloading 100%\ntxt\ndone ok\nbell and NUL dropped', truncated: false });
  });

  it('keeps the last 40 lines and 4 KB, cuts very long lines, and says when it dropped lines', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `line ${i}\n`);
    const last = tail(many);
    assert.equal(last.truncated, true);
    assert.deepEqual(last.text.split('\n'), Array.from({ length: 40 }, (_, i) => `line ${9960 + i}`));
    const wide = tail(Array.from({ length: 40 }, () => `${'x'.repeat(300)}\n`));
    assert.ok(new TextEncoder().encode(wide.text).length <= 4096, 'within 4 KB');
    assert.equal(wide.truncated, true);
    const long = tail(['y'.repeat(5_000_000), '\nend\n']);
    assert.deepEqual(long.text.split('\n').map((l) => l.length), [1001, 3], 'a 5 MB line is kept as its first 1,000 characters and …');
    assert.deepEqual(tail([]), { text: '', truncated: false });
  });

  it('masks secret values, longest first, even split across chunks and at the cut of a long line', () => {
    assert.equal(tail(['token=s3cr', 'et-abc and s3cret\n'], ['s3cret', 's3cret-abc']).text, 'token=**** and ****');
    const cutAtSecret = tail([`${'a'.repeat(995)}hunter2hunter2\n`], ['hunter2hunter2']).text;
    assert.ok(!cutAtSecret.includes('hunt'), 'no start of the secret is left where the line was cut');
    assert.match(cutAtSecret, /^a+…$/);
  });

  it('stores the output as a block scalar on the action entry, which validates, reads back exactly and shows in the drawer', () => {
    const printed = 'NAME   READY\napi-0  1/1\n  indented: yes # not a comment\n- dash\n"quoted" & *star';
    const text = withStep(record, printed);
    assert.match(text, / {4}output: \|\n {6}NAME {3}READY\n {6}api-0 {2}1\/1\n {8}indented: yes # not a comment\n {6}- dash\n {6}"quoted" & \*star\n/);
    assert.deepEqual(validateIncident('incidents/INC-0010.yaml', text).problems, []);
    const timeline = (load(text) as { timeline: { output?: string }[] }).timeline;
    assert.equal(timeline.find((e) => e.output !== undefined)?.output, `${printed}\n`);
    const validation = validateIncident('incidents/INC-0010.yaml', text);
    const drawer = incidentDetail(summarizeIncident(validation), validation.record, 'k');
    assert.equal(drawer.timeline.find((e) => e.output !== undefined)?.output, `${printed}\n`);
    // Without shell integration nothing is stored, and the entry says why.
    const uncaptured = withStep(record, 'not-captured');
    assert.doesNotMatch(uncaptured, /output:/);
    assert.match(uncaptured, /text: Ran "Pods" from kubernetes\/checkout-api-smoke\.md; output not captured \(no shell integration\)/);
    assert.match(validateIncident('x/INC-0010.yaml', record.replace(/^timeline:\n/m, 'timeline:\n  - at: 2026-11-23T09:00:00Z\n    kind: action\n    text: ran\n    output: [1, 2]\n')).problems.map((p) => p.message).join('\n'), /`output` should be text/);
  });

  it('merges two responders’ steps with their outputs: both entries, both outputs, byte for byte', () => {
    const ours = withStep(record, 'ours line 1\nours line 2', '2026-11-23T09:50:00Z');
    const theirs = withStep(record, 'theirs only line', '2026-11-23T09:51:00Z');
    const merged = mergeIncidentTexts(record, ours, theirs);
    assert.equal(merged.kind, 'merged');
    if (merged.kind !== 'merged') return;
    assert.deepEqual(merged.conflicts, []);
    const outputs = (load(merged.text) as { timeline: { output?: string }[] }).timeline.map((e) => e.output).filter((o) => o !== undefined);
    assert.deepEqual(outputs, ['ours line 1\nours line 2\n', 'theirs only line\n']);
    assert.deepEqual(validateIncident('incidents/INC-0010.yaml', merged.text).problems, []);
  });
});
