import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunbook } from '../../src/core/runbook/runbook';
import {
  ansiCQuote,
  checkPlaceholderValue,
  commandWordLines,
  fillCommand,
  findDestructiveMatch, findDestructivePattern,
  placeholderKey,
  secretEnvironmentNames,
  shellQuote,
  toSingleCommandLine,
} from '../../src/core/runbook/stepCommand';
import { describeOutcome, runnableStepsFrom, runnableStepsTagged, runStepSequence, stepTags, type StepOutcome } from '../../src/core/runbook/stepSequence';

function bash(script: string, cwd?: string): { stdout: string; status: number | null } {
  const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', cwd });
  return { stdout: result.stdout, status: result.status };
}

const HOSTILE = [
  'plain',
  'two words',
  'a; rm -rf ~',
  `it's "quoted"`,
  '$(touch /tmp/should-not-exist) `id` ${HOME}',
  'back\\slash\\',
  '*.log ? [abc]',
  '-n',
  '',
  'émoji 🚀 and tab\there',
  '!! !$ history',
];

describe('fillCommand', () => {
  it('replaces a Runme cell\'s `export NAME=value` line with the value given, quoted as one word', () => {
    const runbook = parseRunbook('n.md', '---\nrunme:\n  version: v3\n---\n# N\n```sh\nexport PROJECT_NAME=[Enter your project id]\nexport ZONE="us-central1-c"\necho "$PROJECT_NAME/$ZONE"\n```\n');
    const step = runbook.steps[0];
    const values = new Map([['export:PROJECT_NAME', "my proj's"], ['export:ZONE', '']]);
    const filled = fillCommand(step.commands[0], step.placeholders, values, runbook.variables);
    assert.equal(filled.text, `export PROJECT_NAME='my proj'\\''s'\nexport ZONE=''\necho "$PROJECT_NAME/$ZONE"`);
    assert.equal(spawnSync('bash', ['-c', filled.text], { encoding: 'utf8' }).stdout, "my proj's/\n");
  });

  const stepOf = (markdown: string) => {
    const runbook = parseRunbook('t.md', markdown);
    return { runbook, step: runbook.steps[0] };
  };

  it('passes every hostile value to the shell as one literal argument, unquoted, double- or single-quoted', () => {
    const { runbook, step } = stepOf('## S\n```sh\nprintf "[%s]\\n" <v> "<v>" \'<v>\' pre-<v>-post\n```\n');
    for (const value of HOSTILE) {
      const values = new Map([[placeholderKey(step.placeholders[0]), value]]);
      const filled = fillCommand(step.commands[0], step.placeholders, values, runbook.variables);
      assert.equal(filled.text, filled.display);
      const { stdout, status } = bash(filled.text);
      assert.equal(status, 0, filled.text);
      assert.equal(stdout, `[${value}]\n[${value}]\n[${value}]\n[pre-${value}-post]\n`, `value ${JSON.stringify(value)} → ${filled.text}`);
    }
  });

  it('refuses values with line breaks or NUL, and missing values', () => {
    assert.match(checkPlaceholderValue('a\nrm -rf /') ?? '', /line breaks/);
    assert.match(checkPlaceholderValue('a\0b') ?? '', /NUL/);
    const { runbook, step } = stepOf('## S\n```sh\necho <v>\n```\n');
    const key = placeholderKey(step.placeholders[0]);
    assert.throws(() => fillCommand(step.commands[0], step.placeholders, new Map([[key, 'x\ny']]), runbook.variables), /line breaks/);
    assert.throws(() => fillCommand(step.commands[0], step.placeholders, new Map(), runbook.variables), /No value for <v>/);
  });

  it('fills declared {{name}} and $NAME variables, masks secrets in the display, and can leave $NAME to the shell', () => {
    const { runbook, step } = stepOf([
      '---', 'variables:', '  ns: { default: payments }', '  token: { secret: true }', '---',
      '## S', '```sh', 'curl -H "Authorization: Bearer {{token}}" https://api/{{ns}}/$POD $POD_COUNT ${REGION}', '```', '',
    ].join('\n'));
    const byName = new Map(step.placeholders.map((p) => [p.name, placeholderKey(p)]));
    assert.deepEqual([...byName.keys()], ['token', 'ns', 'POD', 'POD_COUNT', 'REGION']);
    const values = new Map<string, string | undefined>([
      [byName.get('token')!, 's3cr3t value'],
      [byName.get('ns')!, 'payments'],
      [byName.get('POD')!, 'api-1'],
      [byName.get('POD_COUNT')!, '3'],
      [byName.get('REGION')!, undefined],
    ]);
    const filled = fillCommand(step.commands[0], step.placeholders, values, runbook.variables);
    assert.equal(filled.text, 'curl -H "Authorization: Bearer ${TOKEN}" https://api/payments/api-1 3 ${REGION}');
    assert.equal(filled.display, 'curl -H "Authorization: Bearer ****" https://api/payments/api-1 3 ${REGION}');
    assert.deepEqual(filled.env, { TOKEN: 's3cr3t value' });
  });

  it('never puts a secret value in the text: a reference right for each quoting context, the value in env', () => {
    const { runbook, step } = stepOf([
      '---', 'variables:', '  pg-password: { secret: true }', '---',
      '## S', '```sh', 'printf "[%s]\\n" {{pg-password}} "{{pg-password}}" \'{{pg-password}}\' pre-{{pg-password}}-post \'a b{{pg-password}}\'', '```', '',
    ].join('\n'));
    for (const value of HOSTILE) {
      const values = new Map([[placeholderKey(step.placeholders[0]), value]]);
      const filled = fillCommand(step.commands[0], step.placeholders, values, runbook.variables);
      assert.equal(filled.text, `printf "[%s]\\n" "$PG_PASSWORD" "\${PG_PASSWORD}" ''"\${PG_PASSWORD}"'' pre-"$PG_PASSWORD"-post 'a b'"\${PG_PASSWORD}"''`);
      assert.equal(filled.display, `printf "[%s]\\n" **** "****" '****' pre-****-post 'a b****'`);
      assert.deepEqual(filled.env, { PG_PASSWORD: value });
      const result = spawnSync('bash', ['-c', filled.text], { encoding: 'utf8', env: { ...process.env, ...filled.env } });
      assert.equal(result.stdout, `[${value}]\n[${value}]\n[${value}]\n[pre-${value}-post]\n[a b${value}]\n`, `value ${JSON.stringify(value)}`);
    }
  });

  it('names the environment variable after the variable, away from shell names, other secrets and names the commands use', () => {
    const variables = {
      'pg-password': { secret: true }, pg_password: { secret: true }, path: { secret: true }, '2fa': { secret: true },
      'ld.preload': { secret: true }, token: { secret: true }, api_key: { secret: true }, region: {},
    };
    const commands = ['TOKEN=$(cat t); curl -H "$TOKEN" {{token}} {{api_key}}', 'echo $API_KEY_2 ${API_KEY} {{region}}'];
    const runbook = parseRunbook('t.md', `---\nvariables:\n${Object.entries(variables).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`).join('\n')}\n---\n## S\n\`\`\`sh\n${commands.join('\n')}\n\`\`\`\n`);
    const placeholders = runbook.steps.flatMap((s) => s.placeholders);
    assert.deepEqual(Object.fromEntries(secretEnvironmentNames(commands, placeholders, runbook.variables)), {
      'pg-password': 'PG_PASSWORD',
      pg_password: 'PG_PASSWORD_2',
      path: 'SECRET_PATH',
      '2fa': 'SECRET_2FA',
      'ld.preload': 'SECRET_LD_PRELOAD',
      token: 'TOKEN_2',
      api_key: 'API_KEY_3',
    });
  });

  it('binds a secret $NAME to the same name and leaves a single-quoted $NAME literal', () => {
    const { runbook, step } = stepOf([
      '---', 'variables:', '  PGPASSWORD: { secret: true }', '---',
      '## S', '```sh', 'echo \'$PGPASSWORD\' $PGPASSWORD', '```', '',
    ].join('\n'));
    const filled = fillCommand(step.commands[0], step.placeholders, new Map([[placeholderKey(step.placeholders[0]), 'pw']]), runbook.variables);
    assert.equal(filled.text, `echo '$PGPASSWORD' "$PGPASSWORD"`);
    assert.equal(filled.display, `echo '$PGPASSWORD' ****`);
    assert.deepEqual(filled.env, { PGPASSWORD: 'pw' });
  });

  it('fills here-documents for what they expand, and refuses a secret in a quoted one', () => {
    const { runbook, step } = stepOf([
      '---', 'variables:', '  v: {}', '  pw: { secret: true }', '---',
      '## S', '```sh', 'cat <<EOF', 'v={{v}} pw={{pw}}', 'EOF', "cat <<-'END' | tr -d x", '\tv={{v}}', '\tEND', 'echo after {{v}}', '```', '',
      '## Q', '```sh', "cat <<'EOF'", 'pw={{pw}}', 'EOF', '```', '',
    ].join('\n'));
    for (const value of HOSTILE) {
      const values = new Map<string, string>([['var:v', value], ['var:pw', value]]);
      const filled = fillCommand(step.commands.join('\n'), step.placeholders, values, runbook.variables);
      assert.ok(!filled.text.includes('pw=' + value) || value === '', filled.text);
      const result = spawnSync('bash', ['-c', filled.text], { encoding: 'utf8', env: { ...process.env, ...filled.env } });
      const literal = value.replace(/x/g, '');
      assert.equal(result.stdout, `v=${value} pw=${value}\nv=${literal}\nafter ${value}\n`, `value ${JSON.stringify(value)} → ${filled.text}`);
    }
    const quoted = runbook.steps[1];
    assert.throws(() => fillCommand(quoted.commands.join('\n'), quoted.placeholders, new Map([['var:pw', 'x']]), runbook.variables), /quoted here-document/);
  });

  it('quotes for the shell: safe words stay bare, everything else single-quoted', () => {
    assert.equal(shellQuote('payments-canary'), 'payments-canary');
    assert.equal(shellQuote('a b'), `'a b'`);
    assert.equal(shellQuote(`it's`), `'it'\\''s'`);
    assert.equal(shellQuote(''), `''`);
  });
});

describe('toSingleCommandLine', () => {
  const scripts = [
    'echo one',
    'kubectl get pods \\\n    -n payments \\\n    -o wide',
    'cat <<EOF\nline with $HOME kept literal? no: expanded\n  indented \'quote\' "dq" \\ back\nEOF\necho after',
    "cat <<'END'\n$NOT_EXPANDED `nope`\nEND",
    'cd sub\nexport STEP_VAR=42',
    'printf "%s\\n" "tab\there"\nfalse\necho $?',
  ];

  it('runs every script in bash exactly as the script itself, on one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rbo-oneline-'));
    try {
      bash('mkdir -p sub', dir);
      for (const script of scripts) {
        const line = toSingleCommandLine(script, '/bin/bash');
        assert.ok(!line.includes('\n'), `one line: ${line}`);
        const direct = bash(`${script}\necho "[$?] $PWD $STEP_VAR"`, dir);
        const oneLine = bash(`${line}\necho "[$?] $PWD $STEP_VAR"`, dir);
        assert.deepEqual(oneLine, direct, `${JSON.stringify(script)} → ${line}`);
      }
      assert.equal(bash(toSingleCommandLine('true\n(exit 3)', '/bin/bash')).status, 3, 'the exit code is the last command\'s');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('joins continuations without eval, uses eval $\'…\' for bash/zsh scripts, and leaves other shells alone', () => {
    assert.equal(toSingleCommandLine('kubectl get pods \\\n    -n payments', '/bin/bash'), 'kubectl get pods -n payments');
    assert.equal(toSingleCommandLine('a\nb', '/usr/bin/zsh'), `eval $'a\\nb'`);
    assert.equal(toSingleCommandLine('a\nb', '/usr/bin/fish'), 'a\nb');
    assert.equal(ansiCQuote(`it's \\ done\t`), `$'it\\'s \\\\ done\\t'`);
  });
});

describe('findDestructiveMatch', () => {
  it('gives the words a destructive pattern matched, for a confirmation in plain words', () => {
    const words = (command: string) => findDestructiveMatch(command)?.words;
    assert.equal(words('helm -n payments rollback checkout-api 41 --wait'), 'helm -n payments rollback');
    assert.equal(words('rm -rf /tmp/x/cache && echo purged'), 'rm -rf');
    assert.equal(findDestructiveMatch('ls -la', ['\\brm\\b']), undefined);
    assert.equal(findDestructiveMatch('rm x', ['(']), undefined, 'an invalid pattern');
  });
});

describe('findDestructivePattern', () => {
  it('flags the default destructive patterns and leaves ordinary commands alone', () => {
    for (const command of ['rm -rf /var/lib/x', 'rm -fr build', 'kubectl -n x delete pod a', 'kubectl drain node-1', 'psql -c "DROP TABLE orders"', 'terraform destroy', 'helm uninstall api', 'helm -n p rollback api 3', 'git push --force origin main', 'kubectl apply --force -f x.yaml']) {
      assert.ok(findDestructivePattern(command), command);
    }
    for (const command of ['kubectl get pods', 'helm history api', 'rm file.txt', 'echo rollback', 'terraform plan']) {
      assert.equal(findDestructivePattern(command), undefined, command);
    }
  });

  it('catches each spelling of issue 14, split by continuations and behind sudo', () => {
    const spellings = [
      'kubectl -n payments delete deployment x', 'helm -n p rollback api 3', 'rm -rf /tmp/x', 'rm --recursive /srv/data', 'rm -fr build',
      'helm del api', 'truncate -s 0 /var/log/app.log', 'find /var/tmp -name "*.tmp" -delete', 'shred -u secrets.txt',
      'psql -c "DELETE FROM orders WHERE true"', 'redis-cli FLUSHALL', 'aws s3 rm s3://bucket/prefix --recursive', 'echo x > /etc/hosts',
    ];
    for (const command of spellings) {
      const words = command.split(' ');
      const split = [words.slice(0, 1).join(' '), ...words.slice(1)].join(' \\\n  ');
      for (const variant of [command, `sudo ${command}`, split, `sudo ${split}`]) assert.ok(findDestructivePattern(variant), variant);
    }
    for (const command of ['ls 2>/dev/null', 'cat /etc/hosts', 'echo x >> /etc/motd.d/note', 'find . -name x', 'aws s3 ls s3://b', 'truncate -s 10M f', 'redis-cli INFO']) {
      assert.equal(findDestructivePattern(command), undefined, command);
    }
  });

  it('reads the parsed words: quoting, escapes and wrappers cannot hide a command', () => {
    for (const command of [
      `'rm' -rf /srv/x`, `"kubectl" -n p "delete" pod a`, 'r\\m -rf /x', `env -i A=1 'helm' rollback api 2`, 'sudo -u app -- rm -rf /x',
      `bash -c 'rm -rf /var/lib/app'`, `timeout 30s "terraform" destroy`, 'nohup kubectl drain node-1 &', 'x=$(ls) && rm -rf "$x"',
    ]) {
      assert.ok(findDestructivePattern(command), command);
    }
    // A repository pattern written for the start of a command line still sees it behind sudo and env.
    assert.equal(findDestructivePattern('sudo env A=1 purge_queue orders', ['^purge_queue\\b']), '^purge_queue\\b');
    assert.deepEqual(commandWordLines(`sudo -u app rm -rf "/srv/my dir" | tee log`), ['rm -rf /srv/my dir', 'tee log']);
    // Text the parser rejects is still matched as text.
    assert.equal(commandWordLines('echo "unclosed'), undefined);
    assert.ok(findDestructivePattern('rm -rf /x "unclosed'));
  });

  it('uses the repository\'s patterns and skips invalid ones', () => {
    assert.equal(findDestructivePattern('purge_queue orders', ['([', 'purge_queue']), 'purge_queue');
    assert.equal(findDestructivePattern('rm -rf /', ['purge_queue']), undefined);
  });
});

describe('runStepSequence', () => {
  const steps = [
    { id: 'a', runnable: true },
    { id: 'copy', runnable: false },
    { id: 'b', runnable: true },
    { id: 'c', runnable: true },
    { id: 'd', runnable: true },
  ];
  const fake = (outcomes: Record<string, StepOutcome>) => {
    const ran: string[] = [];
    return { ran, execute: async (s: { id: string }) => (ran.push(s.id), outcomes[s.id] ?? { status: 'succeeded', exitCode: 0, durationMs: 1 }) };
  };

  it('runs the runnable steps in order and stops at the first failure', async () => {
    const { ran, execute } = fake({ c: { status: 'failed', exitCode: 3, durationMs: 5 } });
    const result = await runStepSequence(runnableStepsFrom(steps), execute);
    assert.deepEqual(ran, ['a', 'b', 'c']);
    assert.equal(result.stoppedAt?.step.id, 'c');
    assert.equal(describeOutcome(result.stoppedAt!.outcome), 'exit 3');
  });

  it('stops on an unknown exit status, a timeout and a cancellation too', async () => {
    for (const outcome of [{ status: 'unknown', durationMs: 1 }, { status: 'timed-out', durationMs: 1 }, { status: 'cancelled', durationMs: 0 }] as StepOutcome[]) {
      const { ran, execute } = fake({ b: outcome });
      const result = await runStepSequence(runnableStepsFrom(steps), execute);
      assert.deepEqual(ran, ['a', 'b'], outcome.status);
      assert.equal(result.stoppedAt?.outcome.status, outcome.status);
    }
  });

  it('runs from a given step, and nothing for an unknown id', async () => {
    assert.deepEqual(runnableStepsFrom(steps, 'copy').map((s) => s.id), ['b', 'c', 'd']);
    assert.deepEqual(runnableStepsFrom(steps, 'nope'), []);
    const { ran, execute } = fake({});
    const result = await runStepSequence(runnableStepsFrom(steps, 'c'), execute);
    assert.deepEqual(ran, ['c', 'd']);
    assert.equal(result.stoppedAt, undefined);
  });

  it('goes on past a background step once it has started', async () => {
    const { ran, execute } = fake({ a: { status: 'started', durationMs: 1 } });
    const result = await runStepSequence(runnableStepsFrom(steps), execute);
    assert.deepEqual(ran, ['a', 'b', 'c', 'd']);
    assert.equal(result.stoppedAt, undefined);
    assert.equal(describeOutcome({ status: 'started' }), 'started in the background');
  });

  it('reads Runme categories (category or tag, comma-separated) and runs one category\'s runnable steps in order', () => {
    const tagged: { id: string; runnable: boolean; excludeFromRunAll?: boolean; attributes: Record<string, string> }[] = [
      { id: 'a', runnable: true, attributes: { category: 'build, ci' } },
      { id: 'b', runnable: false, attributes: { category: 'ci' } },
      { id: 'c', runnable: true, attributes: { tag: 'ci' } },
      { id: 'd', runnable: true, excludeFromRunAll: true, attributes: { category: 'ci' } },
      { id: 'e', runnable: true, attributes: {} },
    ];
    assert.deepEqual(stepTags(tagged[0]), ['build', 'ci']);
    assert.deepEqual(runnableStepsTagged(tagged, 'ci').map((s) => s.id), ['a', 'c']);
    assert.deepEqual(runnableStepsTagged(tagged, 'build').map((s) => s.id), ['a']);
    assert.deepEqual(runnableStepsTagged(tagged, 'nope'), []);
  });
});
