import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import MarkdownIt from 'markdown-it';
import { parseRunbook, parseInfoString, type Runbook, type RunbookStep } from '../../src/core/runbook/runbook';
import { findStep, runnableStepsFrom } from '../../src/core/runbook/stepSequence';

const md = (lines: string[]): string => lines.join('\n') + '\n';

/** The fields of a step a test pins down exactly. */
function shapeOf(step: RunbookStep): Pick<RunbookStep, 'id' | 'title' | 'language' | 'startLine' | 'endLine' | 'runnable' | 'commands'> {
  const { id, title, language, startLine, endLine, runnable, commands } = step;
  return { id, title, language, startLine, endLine, runnable, commands };
}

function errors(runbook: Runbook): string[] {
  return runbook.problems.filter((p) => p.severity === 'error').map((p) => `${p.line}: ${p.message}`);
}

describe('parseRunbook', () => {
  it('takes the title from the first heading when there is no front matter and no H1', () => {
    const rb = parseRunbook('alerts/kafka/KafkaLag.md', md([
      'Consumers fall behind when a partition leader moves.',
      '',
      '## Diagnosis',
      '',
      '```sh',
      'kafka-consumer-groups --describe --group orders',
      '```',
    ]));
    assert.equal(rb.title, 'Diagnosis');
    assert.equal(rb.titleLine, 3);
    assert.deepEqual(rb.steps.map(shapeOf), [
      { id: 'diagnosis', title: 'Diagnosis', language: 'sh', startLine: 5, endLine: 7, runnable: true, commands: ['kafka-consumer-groups --describe --group orders'] },
    ]);
    assert.deepEqual(rb.problems, []);
  });

  it('falls back to the file name when there is no heading at all', () => {
    const rb = parseRunbook('database/disk-full.md', 'Just prose.\n');
    assert.equal(rb.title, 'Disk full');
    assert.equal(rb.steps.length, 0);
  });

  it('reads front matter fields and variables', () => {
    const rb = parseRunbook('k8s/rollback.md', md([
      '---',
      'title: Roll back a bad deploy',
      'services: [checkout-api]',
      'owner: team-payments',
      'tags: [deploy, rollback]',
      'alerts: [CheckoutHigh5xx]',
      'last_reviewed: 2026-10-01',
      'review_every: 90d',
      'variables:',
      '  namespace: { description: Kubernetes namespace, default: payments, choices: [payments, payments-canary] }',
      '  revision: { description: Helm revision to roll back to }',
      '  token: { description: API token, secret: true }',
      '---',
      '# Roll back a bad deploy',
      '',
      '## Roll back',
      '```sh {name=rollback confirm}',
      'helm -n {{namespace}} rollback checkout-api {{revision}}',
      '```',
    ]));
    assert.equal(rb.title, 'Roll back a bad deploy');
    assert.equal(rb.titleLine, 14);
    assert.deepEqual(rb.services, ['checkout-api']);
    assert.equal(rb.owner, 'team-payments');
    assert.deepEqual(rb.tags, ['deploy', 'rollback']);
    assert.deepEqual(rb.alerts, ['CheckoutHigh5xx']);
    assert.equal(rb.lastReviewed, '2026-10-01');
    assert.equal(rb.reviewEvery, '90d');
    assert.deepEqual(rb.variables.namespace, { description: 'Kubernetes namespace', default: 'payments', choices: ['payments', 'payments-canary'] });
    assert.deepEqual(rb.variables.token, { description: 'API token', secret: true });
    const [step] = rb.steps;
    assert.equal(step.id, 'rollback');
    assert.equal(step.confirm, true);
    assert.deepEqual(step.attributes, { name: 'rollback', confirm: true });
    assert.deepEqual(step.placeholders.map((p) => [p.name, p.syntax, p.tokens]), [
      ['namespace', 'mustache', ['{{namespace}}']],
      ['revision', 'mustache', ['{{revision}}']],
    ]);
  });

  it('reports invalid front matter with its line and still reads the runbook', () => {
    const rb = parseRunbook('bad.md', md([
      '---',
      'title: Broken',
      'services: [a, b',
      'owner: x',
      '---',
      '# Still here',
      '```sh',
      'echo ok',
      '```',
    ]));
    assert.equal(rb.problems.length, 1);
    assert.equal(rb.problems[0].severity, 'error');
    assert.match(rb.problems[0].message, /^Front matter is not valid YAML/);
    assert.ok(rb.problems[0].line >= 3 && rb.problems[0].line <= 5, `line ${rb.problems[0].line}`);
    assert.equal(rb.title, 'Still here');
    assert.deepEqual(rb.steps.map((s) => s.commands), [['echo ok']]);
  });

  it('reports front matter that is never closed', () => {
    const rb = parseRunbook('open.md', md(['---', 'title: x', '# Heading', '```sh', 'ls', '```']));
    assert.match(errors(rb)[0], /^1: Front matter opened with `---` on line 1 is never closed/);
    assert.deepEqual(rb.steps.map((s) => s.commands), [['ls']]);
  });

  it('reads ~~~ fences', () => {
    const rb = parseRunbook('t.md', md(['# T', '~~~bash', 'uptime', '~~~']));
    assert.deepEqual(rb.steps.map(shapeOf), [{ id: 't', title: 'T', language: 'bash', startLine: 2, endLine: 4, runnable: true, commands: ['uptime'] }]);
  });

  it('finds fences inside numbered list items and titles them by the item', () => {
    const rb = parseRunbook('t.md', md([
      '# Drain a node',
      '',
      '## Mitigation',
      '',
      '1. Cordon the node so nothing new lands on it:',
      '',
      '   ```sh',
      '   kubectl cordon <node>',
      '   ```',
      '',
      '2. Drain it',
      '   ```sh',
      '   kubectl drain <node> --ignore-daemonsets',
      '   ```',
    ]));
    assert.deepEqual(rb.steps.map(shapeOf), [
      { id: 'mitigation', title: 'Cordon the node so nothing new lands on it', language: 'sh', startLine: 7, endLine: 9, runnable: true, commands: ['kubectl cordon <node>'] },
      { id: 'mitigation-2', title: 'Drain it', language: 'sh', startLine: 12, endLine: 14, runnable: true, commands: ['kubectl drain <node> --ignore-daemonsets'] },
    ]);
    assert.equal(rb.steps[0].section, 'Mitigation');
  });

  it('finds a fence inside <details>, even with no blank line after <summary>', () => {
    const rb = parseRunbook('t.md', md([
      '## Check',
      '<details>',
      '<summary>Full command</summary>',
      '```sh',
      'echo inside',
      '```',
      '</details>',
      '',
      '<details><summary>Another</summary>',
      '',
      '```sh',
      'echo second',
      '```',
      '',
      '</details>',
    ]));
    assert.deepEqual(rb.steps.map((s) => [s.startLine, s.endLine, s.commands]), [
      [4, 6, ['echo inside']],
      [11, 13, ['echo second']],
    ]);
  });

  it('reports an unclosed fence where it starts and keeps indexing after it', () => {
    const rb = parseRunbook('t.md', md([
      '# T',
      '## First',
      '```sh',
      'echo one',
      '',
      '## Second',
      '```sh',
      'echo two',
      '```',
    ]));
    assert.deepEqual(errors(rb), ["3: Code fence ``` opened on line 3 is never closed, so Markdown reads everything after it as code. Add a line with ``` after the step's last line."]);
    assert.equal(rb.problems[0].endLine, 5);
    assert.deepEqual(rb.steps.map((s) => [s.id, s.startLine, s.endLine, s.runnable]), [
      ['first', 3, 5, false],
      ['second', 7, 9, true],
    ]);
    assert.match(rb.steps[0].reason ?? '', /not closed properly/);
    assert.deepEqual(rb.headings.map((h) => h.text), ['T', 'First', 'Second']);
  });

  it('reports a fence opened with four backticks and closed with three', () => {
    const rb = parseRunbook('t.md', md([
      '## Broken',
      '````sh',
      'echo four',
      '```',
      '',
      '## After',
      '```sh',
      'echo after',
      '```',
    ]));
    assert.deepEqual(errors(rb), ['2: Code fence ```` (4 backticks) opened on line 2 is closed by ``` on line 4, which does not match, so Markdown reads the rest of the file as code. Close it with ````.']);
    assert.deepEqual(rb.steps.map((s) => [s.id, s.startLine, s.endLine, s.runnable, s.content]), [
      ['broken', 2, 4, false, 'echo four\n'],
      ['after', 7, 9, true, 'echo after\n'],
    ]);
  });

  it('treats a longer closing fence and nested shorter fences as valid', () => {
    const rb = parseRunbook('t.md', md(['## A', '````md', '```sh', 'echo nested', '```', '````', '## B', '```sh', 'ls', '`````']));
    assert.deepEqual(errors(rb), []);
    assert.deepEqual(rb.steps.map((s) => [s.language, s.runnable, s.startLine, s.endLine]), [['md', false, 2, 6], ['sh', true, 8, 10]]);
  });

  it('takes only prompt lines from a bash block that mixes prompts, continuations and output', () => {
    const rb = parseRunbook('t.md', md([
      '## Look',
      '```bash',
      '$ kubectl get pods \\',
      '    -n payments \\',
      '    -o wide',
      'NAME            READY   STATUS',
      'checkout-1      1/1     Running',
      '$ kubectl logs checkout-1 | tail -2',
      'GET /healthz 200',
      '```',
    ]));
    const [step] = rb.steps;
    assert.equal(step.shape, 'transcript');
    assert.deepEqual(step.commands, ['kubectl get pods \\\n    -n payments \\\n    -o wide', 'kubectl logs checkout-1 | tail -2']);
    assert.equal(step.languageGuessed, false);
  });

  it('treats "# " as a root prompt in console blocks but as a comment in sh blocks', () => {
    const rb = parseRunbook('t.md', md([
      '## Root',
      '```console',
      '# systemctl restart nginx',
      '# systemctl status nginx',
      '● nginx.service - A high performance web server',
      '```',
      '```sh',
      '# restart it',
      'systemctl restart nginx',
      '```',
    ]));
    assert.deepEqual(rb.steps.map((s) => [s.shape, s.commands]), [
      ['transcript', ['systemctl restart nginx', 'systemctl status nginx']],
      ['script', ['# restart it\nsystemctl restart nginx']],
    ]);
  });

  it('recognises sh-4.4$, user@host$, user@host:dir$ and [root@host]# prompts', () => {
    const rb = parseRunbook('t.md', md([
      '## Prompts',
      '```',
      'sh-4.4$ oc whoami',
      'system:admin',
      'alice@bastion$ uptime',
      ' 10:00:01 up 3 days',
      'alice@bastion:~/ops$ ls',
      '[root@db1 ~]# df -h /var/lib/pgsql',
      '```',
    ]));
    const [step] = rb.steps;
    assert.equal(step.runnable, true);
    assert.equal(step.languageGuessed, true, 'a block without a language runs only after confirmation');
    assert.deepEqual(step.commands, ['oc whoami', 'uptime', 'ls', 'df -h /var/lib/pgsql']);
  });

  it('reads 4-space indented code with prompts as a guessed step, and ignores indented prose', () => {
    const rb = parseRunbook('t.md', md([
      '## Check disk',
      '',
      '    $ df -h /',
      '    Filesystem      Size  Used Avail Use% Mounted on',
      '    /dev/sda1        50G   20G   30G  40% /',
      '',
      'Text.',
      '',
      '    just an indented note',
    ]));
    assert.deepEqual(rb.steps.map((s) => [s.fenced, s.startLine, s.endLine, s.runnable, s.languageGuessed, s.commands]), [[false, 3, 5, true, true, ['df -h /']]]);
  });

  it('keeps a heredoc whole, in scripts and in transcripts', () => {
    const rb = parseRunbook('t.md', md([
      '## Write config',
      '```sh',
      'cat <<EOF > /tmp/app.conf',
      'threads = 4',
      'EOF',
      'echo written',
      '```',
      '```console',
      '$ cat <<-\'END\' | wc -l',
      '> one',
      '> two',
      '> END',
      '2',
      '$ echo next',
      '```',
    ]));
    assert.deepEqual(rb.steps[0].commands, ['cat <<EOF > /tmp/app.conf\nthreads = 4\nEOF\necho written']);
    assert.deepEqual(rb.steps[1].commands, ["cat <<-'END' | wc -l\none\ntwo\nEND", 'echo next']);
  });

  it('takes a command written in the language slot and says how to fix the fence', () => {
    const rb = parseRunbook('t.md', md(['## Pods', '```kubectl get pods -A', '```']));
    assert.deepEqual(rb.steps.map((s) => [s.language, s.runnable, s.languageGuessed, s.commands]), [['', true, true, ['kubectl get pods -A']]]);
    assert.deepEqual(rb.problems.map((p) => [p.line, p.severity]), [[2, 'warning']]);
    assert.match(rb.problems[0].message, /has a command \(`kubectl get pods -A`\) where its language belongs/);
  });

  it('gives the same steps and lines for CRLF and lone-CR line endings', () => {
    const lf = md(['---', 'title: T', '---', '## Step', '```sh', 'echo a', 'echo b', '```']);
    const expected = parseRunbook('t.md', lf);
    for (const text of [lf.replace(/\n/g, '\r\n'), lf.replace(/\n/g, '\r')]) {
      const rb = parseRunbook('t.md', Buffer.from(text));
      assert.deepEqual(rb.steps, expected.steps);
      assert.equal(rb.title, 'T');
    }
    assert.deepEqual(expected.steps[0].commands, ['echo a\necho b']);
  });

  it('copes with a 5 MB file', () => {
    const section = md(['## Step', '1. Do it', '   ```sh', '   echo "<value>"', '   ```', 'Some prose that goes on for a while to make the file large. '.repeat(20)]);
    const text = `# Big\n${section.repeat(Math.ceil((5 * 1024 * 1024) / section.length))}`;
    assert.ok(text.length >= 5 * 1024 * 1024);
    const rb = parseRunbook('big.md', text);
    const count = Math.ceil((5 * 1024 * 1024) / section.length);
    assert.equal(rb.steps.length, count);
    assert.equal(rb.steps[count - 1].id, `step-${count}`);
    assert.deepEqual(rb.problems, []);
  });

  it('reports a binary file named .md instead of throwing', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const rb = parseRunbook('logo.md', bytes);
    assert.equal(rb.steps.length, 0);
    assert.equal(rb.title, 'Logo');
    assert.deepEqual(rb.problems.map((p) => [p.line, p.severity]), [[1, 'error']]);
    assert.match(rb.problems[0].message, /binary/);
  });

  it('reports non-UTF-8 bytes on their line and still parses', () => {
    const bytes = Buffer.concat([Buffer.from('# Caf'), Buffer.from([0xe9]), Buffer.from('\n\n## Run\n```sh\necho ok\n```\n')]);
    const rb = parseRunbook('latin1.md', bytes);
    assert.deepEqual(rb.problems.map((p) => [p.line, p.severity]), [[1, 'warning']]);
    assert.match(rb.problems[0].message, /not valid UTF-8/);
    assert.deepEqual(rb.steps.map((s) => s.commands), [['echo ok']]);
  });

  it('decodes UTF-16 with a byte-order mark', () => {
    const text = '# Wide\n```sh\necho wide\n```\n';
    const rb = parseRunbook('wide.md', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    assert.deepEqual(rb.steps.map((s) => s.commands), [['echo wide']]);
    assert.deepEqual(rb.problems, []);
  });

  it('marks console blocks without prompts and other programs\' prompts as copy-only with a reason', () => {
    const rb = parseRunbook('t.md', md([
      '## Output',
      '```console',
      'NAME   READY',
      '```',
      '```',
      'orders=# select count(*) from orders;',
      ' 42',
      '```',
      '```sql',
      'select 1;',
      '```',
      '```yaml',
      'replicas: 3',
      '```',
    ]));
    assert.deepEqual(rb.steps.map((s) => [s.shape, s.runnable, s.commands.length]), [
      ['empty', false, 0],
      ['foreign-transcript', false, 0],
      ['script', false, 0],
      ['script', false, 0],
    ]);
    assert.match(rb.steps[0].reason ?? '', /nothing to run/);
    assert.match(rb.steps[1].reason ?? '', /another program/);
    assert.match(rb.steps[3].reason ?? '', /`yaml` blocks are not shell commands/);
    assert.equal(rb.steps[2].content, 'select 1;\n');
  });

  it('gives ids from the section slug, numbered within the section, unique across the file', () => {
    const rb = parseRunbook('t.md', md([
      '# Title', '```sh', 'a', '```',
      '## Check it!', '```sh', 'b', '```', '```sh', 'c', '```',
      '## Check it', '```sh', 'd', '```',
      '### Ünïcode Straße', '```sh {name=custom}', 'e', '```', '```sh', 'f', '```',
    ]));
    assert.deepEqual(rb.steps.map((s) => s.id), ['title', 'check-it', 'check-it-2', 'check-it-3', 'custom', 'unicode-straße']);
  });

  it('finds placeholders in the three forms and tells redirections and Go templates apart', () => {
    const rb = parseRunbook('t.md', md([
      '---',
      'variables:',
      '  namespace: { default: payments }',
      '---',
      '## Find',
      '```sh',
      'kubectl -n {{namespace}} get pod <pod-name> -o go-template=\'{{ .status.phase }}\'',
      'kubectl describe node "<node name>" > /tmp/node.txt 2>&1',
      'sort <input.txt >sorted.txt',
      'diff <(echo a) <(echo b)',
      'cat <<EOF',
      'x',
      'EOF',
      'echo $ALERT_NAMESPACE ${POD} $HOME $lowercase \'$SINGLE\' \\$ESCAPED',
      'NS=x; echo $NS',
      '```',
      '## Later',
      '```sh',
      'echo $POD_LATER',
      'export POD_LATER=1',
      '```',
      '```sh',
      'echo $POD_LATER {{undeclared}}',
      '```',
    ]));
    assert.deepEqual(rb.steps[0].placeholders.map((p) => [p.syntax, p.name, p.tokens, p.variable]), [
      ['mustache', 'namespace', ['{{namespace}}'], 'namespace'],
      ['angle', 'pod-name', ['<pod-name>'], undefined],
      ['angle', 'node name', ['<node name>'], undefined],
      ['dollar', 'ALERT_NAMESPACE', ['$ALERT_NAMESPACE'], undefined],
      ['dollar', 'POD', ['${POD}'], undefined],
    ]);
    assert.deepEqual(rb.steps[1].placeholders.map((p) => p.tokens), [['$POD_LATER']], 'used before the step assigns it');
    assert.deepEqual(rb.steps[2].placeholders, [], 'assigned by an earlier step');
  });
});

describe('parseRunbook: where CommonMark really ends a code block', () => {
  it('does not read fences inside an HTML comment as steps or report them', () => {
    const rb = parseRunbook('t.md', md([
      '# T', '<!--', '```sh', 'rm -rf /', '', '## Hidden', '```sh', 'echo in comment', '-->', '', '## Real', '```sh', 'echo real', '```',
    ]));
    assert.deepEqual(rb.problems, []);
    assert.deepEqual(rb.steps.map((s) => [s.id, s.startLine, s.endLine, s.runnable]), [['real', 12, 14, true]]);
    assert.deepEqual(rb.headings.map((h) => h.text), ['T', 'Real'], 'a heading inside the comment is not a heading');
  });

  it('reads a real runbook whose deprecated steps sit in an HTML comment without a false unclosed-fence error', function () {
    const path = resolve(__dirname, '../../../../shared/real-runbooks/kubevirt__monitoring/docs/deprecated_runbooks/SingleStackIPv6Unsupported.md');
    if (!existsSync(path)) this.skip();
    const text = readFileSync(path, 'utf8');
    const rb = parseRunbook(path, text);
    assert.deepEqual(errors(rb), []);
    const fences = new MarkdownIt('commonmark', { html: true }).parse(text, {}).filter((t) => t.type === 'fence').map((t) => (t.map ? t.map[0] + 1 : 0));
    assert.deepEqual(rb.steps.map((s) => s.startLine), fences, 'steps start where markdown-it finds fences');
  });

  it('says a too-short closing fence in a list item ends the code at the end of the item, not the file', () => {
    const rb = parseRunbook('t.md', md(['# T', '1. First', '   ```sh', '   echo one', '   ``', '   more', '2. Second', '   ```sh', '   echo two', '   ```']));
    assert.deepEqual(errors(rb), ['3: Code fence ``` (3 backticks) opened on line 3 is closed by `` on line 5, which is too short (a fence needs at least 3 backticks), so Markdown reads lines 4–6 as code, up to the end of its list item (the next item starts on line 7). Close it with ```.']);
    assert.deepEqual(rb.steps.map((s) => [s.startLine, s.runnable]), [[3, false], [8, true]], 'the next item\'s step is still found and runnable');
  });

  it('says a line indented less than the fence ends the list item and the code with it', () => {
    const text = md(['# T', '1. Item', '', '    ```sh', '    cat <<EOF', '    {', '  }', '    EOF', '    ```', '', '    After.']);
    const rb = parseRunbook('t.md', text);
    assert.deepEqual(errors(rb), ['4: Code fence ``` opened on line 4 ends at line 6: line 7 is indented less than the fence (2 spaces against 4), which ends the list item and the code with it, so lines 7–9 are not read as this block. Indent line 7 by at least 4 spaces.']);
    assert.deepEqual(new MarkdownIt('commonmark', { html: true }).parse(text, {}).filter((t) => t.type === 'fence').map((t) => t.map), [[3, 6]], 'markdown-it ends the fence at line 6 too');
    assert.deepEqual(rb.steps.map((s) => [s.startLine, s.endLine, s.runnable]), [[4, 6, false]]);
  });

  it('warns about a duplicate front-matter key, uses the last value and keeps the other fields', () => {
    const rb = parseRunbook('t.md', md(['---', 'title: One', 'owner: team-a', 'title: Two', '---', '# Dup']));
    assert.deepEqual(rb.problems.map((p) => [p.line, p.severity, p.message]), [
      [4, 'warning', 'Front matter sets `title` twice (lines 2 and 4); the last value is the one used. Remove the line you did not mean.'],
    ]);
    assert.equal(rb.title, 'Two');
    assert.equal(rb.owner, 'team-a');
  });
});

describe('parseInfoString', () => {
  it('reads Runme-style attributes in both forms', () => {
    assert.deepEqual(parseInfoString('sh {name=rollback confirm cwd=./deploy timeout=300 interactive=false}'), {
      language: 'sh',
      attributes: { name: 'rollback', confirm: true, cwd: './deploy', timeout: '300', interactive: false },
    });
    assert.deepEqual(parseInfoString('bash {"name":"x y","confirm":true}'), { language: 'bash', attributes: { name: 'x y', confirm: true } });
    assert.deepEqual(parseInfoString('sh { name="two words" }'), { language: 'sh', attributes: { name: 'two words' } });
    assert.deepEqual(parseInfoString('{name=only}'), { language: '', attributes: { name: 'only' } });
  });

  // Runme's rules (pkg/document/attributes.go and its tests), with the two documented differences.
  it('Runme rule: items split on spaces, a value runs to the next `=` (`first=` is empty, `second=2` is kept)', () => {
    assert.deepEqual(parseInfoString('sh {name=echo first= second=2}').attributes, { name: 'echo', first: '', second: '2' });
    assert.deepEqual(parseInfoString('sh { key=value hello=world val=20 }').attributes, { key: 'value', hello: 'world', val: '20' });
    assert.deepEqual(parseInfoString('sh {a=b=c}').attributes, { a: 'b' });
  });

  it('Runme rule: JSON first, every value a string (booleans kept as booleans here)', () => {
    assert.deepEqual(parseInfoString('sh {"name":"docker ps","timeout":30,"env":["A"],"background":false}').attributes, { name: 'docker ps', timeout: '30', env: '["A"]', background: false });
    // `{ name: "test" }` is neither JSON nor key=value: no attributes, in Runme too.
    assert.deepEqual(parseInfoString('sh { name: "test" }').attributes, {});
  });

  it('Runme rule: attributes are the text from the first `{` to the first `}`; a nested JSON object is not valid JSON there', () => {
    assert.deepEqual(parseInfoString('sh {"name":"x","env":{"A":"1"}}').language, 'sh');
    assert.deepEqual(parseInfoString('sh {name=a} trailing').attributes, { name: 'a' });
    assert.deepEqual(parseInfoString('sh {{ namespace }}').attributes, {});
  });

  it('differences on purpose: a bare key is true (Runme drops it), a quoted value may hold spaces', () => {
    assert.deepEqual(parseInfoString('sh {name=drain confirm}').attributes, { name: 'drain', confirm: true });
    assert.deepEqual(parseInfoString("sh {name='two words' cwd=\"/srv/my app\"}").attributes, { name: 'two words', cwd: '/srv/my app' });
  });
});

describe('Runme cells', () => {
  it('an explicit name is the id exactly as written; repeats get -2; headings still give slugs', () => {
    const rb = parseRunbook('t.md', md([
      '## Build it', '```sh {name=SimpleDagger}', 'dagger call', '```', '```sh {name=KERNEL_BINARY}', 'echo k', '```',
      '```sh {"name":"docker ps"}', 'docker ps', '```', '```sh {name=SimpleDagger}', 'dagger call again', '```', '```sh', 'make', '```',
    ]));
    assert.deepEqual(rb.steps.map((s) => s.id), ['SimpleDagger', 'KERNEL_BINARY', 'docker ps', 'SimpleDagger-2', 'build-it']);
    // References written while names were slugged (`path#kernel-binary`) still find their step.
    assert.equal(findStep(rb.steps, 'kernel-binary')?.id, 'KERNEL_BINARY');
    assert.equal(findStep(rb.steps, 'docker-ps')?.id, 'docker ps');
    assert.equal(findStep(rb.steps, 'SimpleDagger-2')?.commands[0], 'dagger call again');
    assert.deepEqual(runnableStepsFrom(rb.steps, 'kernel-binary').map((s) => s.id), ['KERNEL_BINARY', 'docker ps', 'SimpleDagger-2', 'build-it']);
  });

  it('ignore=true and transform=false blocks are not steps; a fence with no language but attributes is shell', () => {
    const rb = parseRunbook('t.md', md([
      '## Cells', '```sh {ignore=true}', 'rm -rf /', '```', '```sh {"transform":false}', 'echo no', '```', '``` {"name":"say-hello"}', 'echo hello', '```',
      '```shellscript', 'echo vs code', '```', '```ksh', 'print ksh', '```',
    ]));
    assert.deepEqual(rb.steps.map((s) => [s.id, s.language, s.runnable, s.languageGuessed]), [
      ['say-hello', 'sh', true, false], ['cells', 'shellscript', true, false], ['cells-2', 'ksh', true, false],
    ]);
  });
  // Runme's prompting for exported values (docs.runme.dev, "Generic Docs Using Prompts"): an unquoted
  // value is the question, a quoted one the answer offered; promptEnv auto asks once, yes always, no never.
  it('Runme rule: in a notebook, `export NAME=value` lines are asked for; promptEnv=no/never runs them as written', () => {
    const rb = parseRunbook('n.md', md([
      '---', 'runme:', '  id: 01HY0Z7HSFFV7KHPX559SNVSHN', '  version: v3', '---', '# Prompts', '',
      '## Set', '```sh', 'export PROJECT_NAME=[Enter your project id]', 'export CLUSTER_ZONE="us-central1-c"', "export EMPTY=''",
      'export NOW=$(date)', 'export A=1; echo a', 'cat <<EOF', 'export IN_HEREDOC=x', 'EOF', 'echo "$PROJECT_NAME in $CLUSTER_ZONE"', '```', '',
      '## Always', '```sh {"promptEnv":"yes"}', 'export REGION="eu"', '```', '',
      '## Never', '```sh {promptEnv=never}', 'export TOKEN_FILE=~/t', '```', '',
      '## Old spelling', '```sh {"promptEnv":"false"}', 'export KUBECONTEXT="gke_x"', '```', '',
      '## Later', '```sh', 'echo "$PROJECT_NAME"', '```',
    ]));
    const exported = (step: RunbookStep) => step.placeholders.filter((p) => p.syntax === 'export').map((p) => [p.name, p.tokens[0], p.exported]);
    assert.deepEqual(exported(rb.steps[0]), [
      ['PROJECT_NAME', 'export PROJECT_NAME=[Enter your project id]', { message: '[Enter your project id]', always: false }],
      ['CLUSTER_ZONE', 'export CLUSTER_ZONE="us-central1-c"', { default: 'us-central1-c', always: false }],
      ['EMPTY', "export EMPTY=''", { default: '', always: false }],
    ]);
    // Names the cell sets are not placeholders of their own, here or in later steps.
    assert.deepEqual(rb.steps[0].placeholders.filter((p) => p.syntax !== 'export'), []);
    assert.deepEqual(exported(rb.steps[1]), [['REGION', 'export REGION="eu"', { default: 'eu', always: true }]]);
    assert.deepEqual(rb.steps[2].placeholders, []);
    assert.deepEqual(rb.steps[3].placeholders, []);
    assert.deepEqual(rb.steps[4].placeholders, []);
  });

  it('difference on purpose: outside a Runme notebook or cell, `export NAME=value` is the author\'s value and is not asked for', () => {
    const rb = parseRunbook('plain.md', md(['# Plain', '## Set', '```sh', 'export NAMESPACE=payments', 'kubectl -n "$NAMESPACE" get pods', '```']));
    assert.deepEqual(rb.steps[0].placeholders, []);
  });

  it('Runme rule: document-level `shell:` runs shell cells through that program, `cwd:` sets their folder; fish blocks run with fish', () => {
    const rb = parseRunbook('dag.md', md([
      '---', 'cwd: ..', 'shell: dagger shell', 'terminalRows: 20', '---', '# Dagger', '',
      '```sh {"name":"LocalSite"}', 'host | directory "."', '```', '',
      '```sh {"interpreter":"bash","promptEnv":"never"}', 'direnv allow', '```', '',
      '```fish', 'set -x X 1; echo $X', '```',
    ]));
    assert.equal(rb.notebookCwd, '..');
    assert.deepEqual(rb.steps.map((s) => [s.id, s.runnable, s.interpreter, s.commands]), [
      ['LocalSite', true, 'dagger shell', ["dagger shell <<'RUNBOOK_OPS_SCRIPT'\nhost | directory \".\"\nRUNBOOK_OPS_SCRIPT"]],
      ['dagger', true, 'bash', ["bash - <<'RUNBOOK_OPS_SCRIPT'\ndirenv allow\nRUNBOOK_OPS_SCRIPT"]],
      ['dagger-2', true, 'fish', ["fish <<'RUNBOOK_OPS_SCRIPT'\nset -x X 1; echo $X\nRUNBOOK_OPS_SCRIPT"]],
    ]);
    // A notebook whose shell is a POSIX shell runs its cells in the terminal's shell, as any step.
    const bash = parseRunbook('b.md', md(['---', 'shell: bash', '---', '# B', '```sh', 'echo hi', '```']));
    assert.deepEqual(bash.steps.map((s) => [s.interpreter, s.commands]), [[undefined, ['echo hi']]]);
  });
});
