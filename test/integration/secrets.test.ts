// A `secret: true` variable reaches the command that runs, and nowhere else: not the terminal (it is an
// environment variable of the step's terminal, and the typed command refers to it), not the timeline
// entry written to the incident record in git, not the step event (which is also what the log prints),
// and no file under the workspace or the extension's (and VS Code's) storage.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { acceptingQuickInputs, runbookOpsApi as api, workspaceFile } from './extensionApi';

const SECRET = 's3cr3t-Tok3n-4711';
const SECOND_SECRET = 'an0ther-Tok3n-0815';
const TERMINAL_NAME = 'Runbook: Rotate the API token (secrets)';

/** Waits for a condition that the extension host or the terminal reaches asynchronously. */
async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Everything the terminal's buffer holds (scrollback included), read as a user would copy it. */
async function terminalBuffer(terminal: vscode.Terminal, mustContain: string): Promise<string> {
  terminal.show(false);
  let text = '';
  return waitFor(`the terminal to show ${mustContain} (last read: ${JSON.stringify(text)})`, async () => {
    await vscode.commands.executeCommand('workbench.action.terminal.selectAll');
    await vscode.commands.executeCommand('workbench.action.terminal.copySelection');
    text = await vscode.env.clipboard.readText();
    return text.includes(mustContain) ? text : undefined;
  });
}

/** Every file under `root` (symlinks not followed) that contains `needle`. */
function filesContaining(root: string, needle: string): string[] {
  const bytes = Buffer.from(needle, 'utf8');
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile() && statSync(file).size < 64 * 1024 * 1024 && readFileSync(file).includes(bytes)) found.push(file);
    }
  };
  if (existsSync(root)) walk(root);
  return found;
}

describe('secret placeholder values', function () {
  this.timeout(90_000);
  const runbook = workspaceFile('scratch-secrets', 'rotate-token.md');
  const marker = `/tmp/runbook-ops-secret-${process.pid}.txt`;
  const length = `/tmp/runbook-ops-secret-length-${process.pid}.txt`;
  const commandLines: { terminal: vscode.Terminal; commandLine: string }[] = [];
  let listener: vscode.Disposable | undefined;

  before(async () => {
    await vscode.workspace.fs.writeFile(
      runbook,
      Buffer.from(
        [
          '---',
          'title: Rotate the API token',
          'variables:',
          '  token:',
          '    description: The new token',
          '    secret: true',
          '---',
          '# Rotate the API token',
          '',
          '## Store it',
          '',
          '```sh {name=store}',
          `printf '%s' {{token}} > ${marker}`,
          '```',
          '',
          '## Check it',
          '',
          '```sh {name=check}',
          `echo "length ${'$'}{#TOKEN} of {{token}}" > ${length}; printf 'single %s\\n' '{{token}}' >> ${length}`,
          '```',
          '',
          '## Where',
          '',
          '```sh {name=where}',
          'pwd',
          '```',
          '',
        ].join('\n'),
      ),
    );
    await (await api()).index.refreshFile(runbook);
    listener = vscode.window.onDidStartTerminalShellExecution((e) => commandLines.push({ terminal: e.terminal, commandLine: e.execution.commandLine.value }));
  });

  after(async () => {
    listener?.dispose();
    const { activeIncident } = await api();
    activeIncident.set(undefined);
    for (const terminal of vscode.window.terminals) if (terminal.name === TERMINAL_NAME) terminal.dispose();
    await vscode.workspace.fs.delete(workspaceFile('scratch-secrets'), { recursive: true }).then(undefined, () => undefined);
  });

  it('runs with the value but records and reports only ****', async () => {
    const runbooks = await api();
    const incident = workspaceFile('incidents', 'INC-0009.yaml');
    runbooks.activeIncident.set(incident);
    runbooks.placeholderValues.set(runbook, 'var:token', { value: SECRET }, true);
    const events: { command: string }[] = [];
    const listener = runbooks.runner.onDidFinishStep((e) => events.push(e));
    const outcome = await acceptingQuickInputs<{ status: string }>('runbookOps.runStep', runbook, 'store');
    listener.dispose();
    assert.equal(outcome?.status, 'succeeded');
    assert.equal(readFileSync(marker, 'utf8'), SECRET, 'the command ran with the real value');
    assert.equal(events.length, 1);
    assert.equal(events[0].command, `printf '%s' **** > ${marker}`);
    // The action entry lands on the active incident's timeline, masked.
    const record = await waitFor('the action entry on INC-0009', () => {
      const text = readFileSync(incident.fsPath, 'utf8');
      return text.includes('scratch-secrets/rotate-token.md#store') ? text : undefined;
    });
    assert.match(record, /command: printf '%s' \*\*\*\* > /);
    assert.ok(!record.includes(SECRET), 'the secret is not in the incident record');
    runbooks.activeIncident.set(undefined);
  });

  it('passes the value as an environment variable of a transient terminal and never types it', async () => {
    const runbooks = await api();
    runbooks.placeholderValues.set(runbook, 'var:token', { value: SECRET }, true);
    const outcome = await acceptingQuickInputs<{ status: string }>('runbookOps.runStep', runbook, 'check');
    assert.equal(outcome?.status, 'succeeded');
    assert.equal(readFileSync(length, 'utf8'), `length ${SECRET.length} of ${SECRET}\nsingle ${SECRET}\n`, 'the shell had the value, in double and single quotes too');

    const terminals = vscode.window.terminals.filter((t) => t.name === TERMINAL_NAME);
    assert.equal(terminals.length, 1, 'one secrets terminal for both steps with the same value');
    const [terminal] = terminals;
    const options = terminal.creationOptions as vscode.TerminalOptions;
    assert.equal(options.isTransient, true, 'VS Code does not persist or restore it');
    assert.deepEqual(options.env, { TOKEN: SECRET });

    // What the screen shows (scrollback included), and what VS Code saw typed (and keeps in its command history).
    const buffer = await terminalBuffer(terminal, `>> ${length}`);
    assert.ok(buffer.includes(`printf '%s' "$TOKEN" > ${marker}`), buffer);
    assert.ok(!buffer.includes(SECRET), `the secret is not in the terminal:\n${buffer}`);
    const typed = commandLines.filter((c) => c.terminal === terminal).map((c) => c.commandLine);
    assert.deepEqual(typed, [
      `printf '%s' "$TOKEN" > ${marker}`,
      `echo "length \${#TOKEN} of \${TOKEN}" > ${length}; printf 'single %s\\n' ''"\${TOKEN}"'' >> ${length}`,
    ]);
  });

  it('keeps running the runbook in the secrets terminal, and replaces it (closing the old one) when the value changes', async () => {
    const runbooks = await api();
    const first = vscode.window.terminals.find((t) => t.name === TERMINAL_NAME);
    assert.ok(first);
    assert.equal((await vscode.commands.executeCommand<{ status: string }>('runbookOps.runStep', runbook, 'where'))?.status, 'succeeded');
    assert.equal(commandLines.at(-1)?.terminal, first, 'a step without secrets runs where the runbook already runs');

    runbooks.placeholderValues.set(runbook, 'var:token', { value: SECOND_SECRET }, true);
    const closed = new Promise<void>((resolve) => {
      const sub = vscode.window.onDidCloseTerminal((t) => {
        if (t === first) {
          sub.dispose();
          resolve();
        }
      });
    });
    assert.equal((await acceptingQuickInputs<{ status: string }>('runbookOps.runStep', runbook, 'store'))?.status, 'succeeded');
    assert.equal(readFileSync(marker, 'utf8'), SECOND_SECRET);
    await closed;
    const now = vscode.window.terminals.filter((t) => t.name === TERMINAL_NAME);
    assert.equal(now.length, 1);
    assert.notEqual(now[0], first);
    assert.deepEqual((now[0].creationOptions as vscode.TerminalOptions).env, { TOKEN: SECOND_SECRET });
  });

  it('closes the secrets terminal when the values are forgotten', async () => {
    const runbooks = await api();
    const terminal = vscode.window.terminals.find((t) => t.name === TERMINAL_NAME);
    assert.ok(terminal);
    const closed = new Promise<void>((resolve) => {
      const sub = vscode.window.onDidCloseTerminal((t) => {
        if (t === terminal) {
          sub.dispose();
          resolve();
        }
      });
    });
    // What *Forget Placeholder Values* does for this runbook.
    runbooks.placeholderValues.clear(runbook);
    runbooks.runner.closeSecretTerminals(runbook);
    await closed;
    assert.equal(vscode.window.terminals.some((t) => t.name === TERMINAL_NAME), false);
  });

  it('keeps what a step printed on its timeline entry and in the Steps view, with the secret masked', async () => {
    const runbooks = await api();
    // Its own runbook, so its own terminal: this step shows the value on screen, as a careless step would.
    const printing = workspaceFile('scratch-secrets', 'print-token.md');
    const printed = `marker-${process.pid}`;
    await vscode.workspace.fs.writeFile(printing, Buffer.from([
      '---', 'title: Print the token', 'variables:', '  token: { secret: true }', '---', '# Print the token', '',
      '```sh {name=print}', `echo "stored ${printed} {{token}}"; echo "done"`, '```', '',
    ].join('\n')));
    await runbooks.index.refreshFile(printing);
    const incident = workspaceFile('incidents', 'INC-0009.yaml');
    runbooks.activeIncident.set(incident);
    runbooks.placeholderValues.set(printing, 'var:token', { value: SECRET }, true);
    const outcome = await acceptingQuickInputs<{ status: string }>('runbookOps.runStep', printing, 'print');
    assert.equal(outcome?.status, 'succeeded');
    const record = await waitFor('the action entry on INC-0009', () => {
      const text = readFileSync(incident.fsPath, 'utf8');
      return text.includes('scratch-secrets/print-token.md#print') ? text : undefined;
    });
    // Read through shell integration: the marker the step printed is on the entry, the secret is not.
    assert.ok(record.includes(`    output: |\n      stored ${printed} ****\n      done\n`), record);
    assert.ok(!record.includes(SECRET), 'the secret is not in the incident record');
    assert.equal(runbooks.stepStates.get(printing, 'print')?.output, `stored ${printed} ****\ndone`);
    const shown = await vscode.commands.executeCommand<string>('runbookOps.showStepOutput', printing, 'print');
    assert.match(shown, new RegExp(`^#print, run at \\S+ \\(exit 0\\)\nstored ${printed} \\*\\*\\*\\*\ndone\n$`));
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    runbooks.activeIncident.set(undefined);
    runbooks.placeholderValues.clear(printing);
    for (const terminal of vscode.window.terminals) if (terminal.name.startsWith('Runbook: Print the token')) terminal.dispose();
  });

  it('writes neither value to any file under the workspace or the extension\'s storage, nor to its mementos', async () => {
    const { storage } = await api();
    // globalStorageUri is <user data>/User/globalStorage/<extension>: scan all of VS Code's user data
    // (logs, settings, workspace and global storage), which holds the extension's folders too.
    const userData = dirname(dirname(dirname(storage.globalStorageUri.fsPath)));
    const roots = [vscode.workspace.workspaceFolders![0].uri.fsPath, userData, storage.globalStorageUri.fsPath, storage.logUri.fsPath];
    if (storage.storageUri) roots.push(storage.storageUri.fsPath);
    assert.ok(existsSync(join(userData, 'User')), `${userData} is VS Code's user data folder`);
    for (const value of [SECRET, SECOND_SECRET]) {
      for (const root of roots) assert.deepEqual(filesContaining(root, value), [], `${value} under ${root}`);
      for (const memento of [storage.workspaceState, storage.globalState]) {
        for (const key of memento.keys()) assert.ok(!JSON.stringify(memento.get(key) ?? null).includes(value), `${value} in memento key ${key}`);
      }
    }
  });
});
