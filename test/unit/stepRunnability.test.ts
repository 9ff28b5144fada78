// Which blocks are offered to run: the shell parser's word on transcripts of other programs, example
// output, Runme's excludeFromRunAll and indented commands — on fixtures, the sample and real runbooks.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listRepositoryFiles } from '../../src/fs/repositoryFiles';
import { PathClassifier } from '../../src/core/config/paths';
import { parseRunbook, STEP_REASONS, type Runbook, type RunbookStep } from '../../src/core/runbook/runbook';
import { shellSyntaxError } from '../../src/core/runbook/shellSyntax';
import { confirmStepsWithShellParser, PROMPT_LINE } from '../../src/core/runbook/stepRunnability';
import { runnableStepsFrom } from '../../src/core/runbook/stepSequence';
import { repoRoot } from '../harness/paths';

const fixtures = join(repoRoot, 'test/unit/fixtures/steps');
const sample = join(repoRoot, 'runbooks');
const realRunbooks = resolve(repoRoot, '../shared/real-runbooks');
const cli = join(repoRoot, 'dist/cli.js');

function load(path: string): Runbook {
  return confirmStepsWithShellParser(parseRunbook(path, readFileSync(path)));
}

function stepsJson(path: string): { runnable: boolean; reason?: string; needsConfirmation: boolean; id: string; commands: string[] }[] {
  const result = spawnSync(process.execPath, [cli, 'steps', path, '--format', 'json'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return (JSON.parse(result.stdout) as { steps: ReturnType<typeof stepsJson> }).steps;
}

function byId(runbook: Runbook, id: string): RunbookStep {
  const step = runbook.steps.find((s) => s.id === id);
  assert.ok(step, `${runbook.path} has no step ${id}: ${runbook.steps.map((s) => s.id).join(', ')}`);
  return step;
}

describe('steps offered to run', function () {
  this.timeout(120_000);

  it('a redis-cli session pasted into a shell block is copy-only, with the prompt as the reason (runner and `steps`)', () => {
    const path = join(fixtures, 'redis-cli-session.md');
    const runbook = load(path);
    for (const id of ['slow-log', 'latency-doctor', 'memory-limit']) {
      const step = byId(runbook, id);
      assert.equal(step.runnable, false, id);
      assert.match(step.reason ?? '', /starts with the `> ` prompt of redis-cli/, id);
    }
    assert.match(byId(runbook, 'memory-limit').reason ?? '', /`> CONFIG SET maxmemory 2gb`/);
    // `$ redis-cli` then the program's own prompt: nothing here is for the shell to run.
    assert.equal(byId(runbook, 'from-a-shell').runnable, false);
    assert.match(byId(runbook, 'from-a-shell').reason ?? '', /cache\.internal:6379> INFO memory/);
    const listed = stepsJson(path);
    assert.deepEqual(listed.map((s) => s.runnable), [false, false, false, false]);
    assert.ok(listed.every((s) => s.reason !== undefined && s.commands.length === 0));
  });

  it('mysql, psql, sqlite, irb and python sessions are copy-only; the shell step beside them is not', () => {
    const runbook = load(join(fixtures, 'database-sessions.md'));
    for (const id of ['mysql-processes', 'inside-psql', 'sqlite', 'rails-console', 'python']) {
      assert.equal(byId(runbook, id).runnable, false, id);
      assert.ok(byId(runbook, id).reason, id);
    }
    assert.deepEqual(byId(runbook, 'a-real-shell-step').commands, ['kubectl -n orders get pods']);
  });

  it('text bash rejects is copy-only with the parser\'s reason and the line', () => {
    const runbook = confirmStepsWithShellParser(parseRunbook('broken.md', '# Broken\n\n```sh\nkubectl describe pod x -n ns"\n```\n\n```sh\necho fine\n```\n'));
    assert.equal(runbook.steps[0].runnable, false);
    assert.match(runbook.steps[0].reason ?? '', /^Not valid shell at `kubectl describe pod x -n ns"` \(reached EOF without closing quote "\)/);
    assert.equal(runbook.steps[1].runnable, true);
    // Placeholders are not shell syntax to the parser: `<namespace>` is a value to fill, not a redirection.
    const filled = confirmStepsWithShellParser(parseRunbook('p.md', '# P\n\n```sh\nkubectl -n <namespace> get pods {{ selector }}\n```\n'));
    assert.equal(filled.steps[0].runnable, true, filled.steps[0].reason);
  });

  it('on every real runbook, no runnable step has a command the shell parser rejects', function () {
    if (!existsSync(realRunbooks)) this.skip();
    const classifier = new PathClassifier();
    let runnable = 0;
    let files = 0;
    for (const path of listRepositoryFiles(realRunbooks).filter((p) => classifier.classify(p) === 'runbook')) {
      files++;
      for (const step of load(join(realRunbooks, path)).steps) {
        if (!step.runnable) continue;
        runnable++;
        for (const command of step.commands) {
          const error = shellSyntaxError(command.replace(/<[A-Za-z][\w .-]*>|\{\{[^}]*\}\}/g, 'x'));
          assert.equal(error, undefined, `${path}:${step.startLine} ${command}: ${error?.message}`);
          assert.ok(!PROMPT_LINE.test(command), `${path}:${step.startLine} has a redis-cli prompt line`);
        }
      }
    }
    assert.equal(files, 449);
    // Hundreds of real steps still run: the parser refuses what is broken, not everything.
    assert.ok(runnable > 700, `${runnable} runnable steps`);
  });

  it('a block introduced as output, or repeating the step before it with its output, is copy-only and not in Run all', () => {
    const smoke = load(join(sample, 'kubernetes/checkout-api-smoke.md'));
    const output = smoke.steps.find((s) => s.content.includes('smoke: 12 passed'));
    assert.ok(output);
    assert.equal(output.runnable, false);
    assert.equal(output.reason, STEP_REASONS.exampleOutput);
    assert.deepEqual(runnableStepsFrom(smoke.steps).map((s) => s.id), ['smoke-pods', 'smoke-suite', 'check-the-error-budget', 'smoke-record']);
    const failover = load(join(sample, 'database/postgres-failover.md'));
    const listed = failover.steps.find((s) => s.content.startsWith('$ patronictl'));
    assert.equal(listed?.reason, STEP_REASONS.repeatsPreviousStep);
    // Across the sample, the output blocks are exactly the five that show what the step before prints.
    const classifier = new PathClassifier();
    const outputs: string[] = [];
    for (const path of listRepositoryFiles(sample).filter((p) => classifier.classify(p) === 'runbook')) {
      const steps = load(join(sample, path)).steps;
      steps.forEach((step, i) => {
        if (step.reason !== STEP_REASONS.exampleOutput && step.reason !== STEP_REASONS.repeatsPreviousStep) return;
        outputs.push(`${path}:${step.startLine}`);
        assert.equal(steps[i - 1]?.runnable, true, `${path}:${step.startLine} follows the step whose output it shows`);
      });
    }
    assert.deepEqual(outputs.sort(), [
      'database/postgres-failover.md:34', 'kubernetes/checkout-api-rollback.md:51', 'kubernetes/checkout-api-smoke.md:44',
      'queue/dead-letter-queue.md:15', 'queue/orders-queue-consumer-lag.md:36',
    ]);
  });

  it('real runbooks: "Example output:" and "The output will look like the following:" blocks are copy-only', function () {
    if (!existsSync(realRunbooks)) this.skip();
    for (const [path, printed] of [
      ['alphagov__govuk-developer-docs/source/manual/manage-assets.html.md', 'Saved!'],
      ['alphagov__govuk-developer-docs/source/manual/howto-diagnose-and-fix-chromedriver-and-chromium-issues-with-frontend-tests.html.md', 'will be DOWNGRADED'],
    ] as const) {
      const runbook = load(join(realRunbooks, path));
      const index = runbook.steps.findIndex((s) => s.content.includes(printed));
      assert.ok(index > 0, path);
      assert.equal(runbook.steps[index].runnable, false, path);
      assert.equal(runbook.steps[index].reason, STEP_REASONS.exampleOutput, path);
      assert.equal(runbook.steps[index - 1].runnable, true, `${path}: the command before the output still runs`);
    }
  });

  it('honours Runme\'s excludeFromRunAll: the step runs on its own, never in Run all or Run from here', () => {
    const text = '# Dev\n\n```sh {name=build}\nmake build\n```\n\n```sh {"name":"serve","excludeFromRunAll":true}\nmake serve\n```\n\n```sh {name=test excludeFromRunAll=true}\nmake test\n```\n\n```sh {name=lint}\nmake lint\n```\n';
    const dev = parseRunbook('dev.md', text);
    assert.deepEqual(dev.steps.map((s) => [s.id, s.runnable, s.excludeFromRunAll]), [['build', true, false], ['serve', true, true], ['test', true, true], ['lint', true, false]]);
    assert.deepEqual(runnableStepsFrom(dev.steps).map((s) => s.id), ['build', 'lint']);
    assert.deepEqual(runnableStepsFrom(dev.steps, 'serve').map((s) => s.id), ['lint']);
  });

  it('script languages run through their interpreter where it is installed: the text reaches it unexpanded', () => {
    // A Runme notebook (front matter `runme:`): its blocks are cells.
    const text = [
      '---', 'runme:', '  id: 01HF7B0KJPF469EG9ZWDNKKACQ', '  version: v3', '---', '# Scripts', '', '## Python', '```python', 'import sys', 'print("py", "$HOME", sys.argv[0])', '```', '',
      '## Node', '```js {name=node-check}', "console.log('js ' + `${1 + 1}`)", '```', '',
      '## Chosen', '```sh {interpreter=bash name=chosen}', 'echo "RUNBOOK_OPS_SCRIPT"', 'echo "$0"', '```', '',
      '## Ruby', '```ruby', 'puts 1', '```', '',
    ].join('\n');
    const runbook = confirmStepsWithShellParser(parseRunbook('scripts.md', text), { programExists: (program) => program !== 'ruby' });
    assert.deepEqual(runbook.steps.map((s) => [s.id, s.runnable, s.interpreter]), [['python', true, 'python3'], ['node-check', true, 'node'], ['chosen', true, 'bash'], ['ruby', false, undefined]]);
    assert.match(runbook.steps[3].reason ?? '', /`ruby` is not installed here \(not on PATH\)/);
    const run = (command: string): string => spawnSync('bash', ['-c', command], { encoding: 'utf8' }).stdout;
    assert.equal(run(runbook.steps[0].commands[0]), 'py $HOME -\n', 'no shell expansion inside the script');
    assert.equal(run(runbook.steps[1].commands[0]), 'js 2\n');
    // The here-document delimiter is one the script does not hold.
    assert.equal(run(runbook.steps[2].commands[0]), 'RUNBOOK_OPS_SCRIPT\nbash\n');
    assert.deepEqual(runbook.steps[0].placeholders, []);
    // In an ordinary runbook a plain ```ruby block is a snippet (often for a Rails console): copy-only, saying how to run it.
    const manual = confirmStepsWithShellParser(parseRunbook('manual.md', '# Manual\n\n```ruby\nUser.where(admin: true).count\n```\n\n```ruby {name=count}\nputs 1\n```\n'), { programExists: () => true });
    assert.deepEqual(manual.steps.map((s) => [s.id, s.runnable]), [['manual', false], ['count', true]]);
    assert.match(manual.steps[0].reason ?? '', /make it a Runme cell: give it attributes/);
  });

  it('a notebook shell or fish that is not installed makes its cells copy-only, naming the program', () => {
    const text = ['---', 'shell: dagger shell', '---', '# Dagger', '```sh {"name":"LocalSite"}', 'host | directory "."', '```', '```fish', 'echo hi', '```', ''].join('\n');
    const runbook = confirmStepsWithShellParser(parseRunbook('dag.md', text), { programExists: () => false });
    assert.deepEqual(runbook.steps.map((s) => s.runnable), [false, false]);
    assert.match(runbook.steps[0].reason ?? '', /`dagger` is not installed here/);
    assert.match(runbook.steps[1].reason ?? '', /`fish` is not installed here/);
  });

  it('indented commands are steps that need a confirmation; indented data and prose are not steps', () => {
    const path = join(fixtures, 'indented-commands.md');
    const runbook = load(path);
    assert.deepEqual(runbook.steps.map((s) => [s.section, s.commands, s.runnable, s.languageGuessed]), [
      ['Diagnosis', ['oc get co network'], true, true],
      ['Diagnosis', ['oc get co network -o yaml\noc -n openshift-network-operator get pods'], true, true],
    ]);
    assert.deepEqual(stepsJson(path).map((s) => s.needsConfirmation), [true, true]);
  });
});
