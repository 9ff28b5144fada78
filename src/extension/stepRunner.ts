// One file on purpose (~470 lines): a step's run, end to end (values, confirmation, terminal, shell
// integration, exit code and output, the finished event), shares one run's state; the prompts, the
// output reader and the sequence logic are separate files.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseRepoConfig } from '../core/config/repoConfig';
import { parseRunbook, type Runbook, type RunbookStep } from '../core/runbook/runbook';
import { confirmStepsWithShellParser } from '../core/runbook/stepRunnability';
import { programOnPath } from '../fs/programOnPath';
import { DEFAULT_DESTRUCTIVE_PATTERNS, fillCommand, findDestructiveMatch, secretEnvironmentNames, toSingleCommandLine, type FilledCommand } from '../core/runbook/stepCommand';
import { describeOutcome, findStep, runnableStepsFrom, runnableStepsTagged, runStepSequence, type StepOutcome, type StepRunEvent } from '../core/runbook/stepSequence';
import { TerminalOutputTail } from '../core/text/terminalOutput';
import { quickInputText } from './markdownText';
import { collectPlaceholderValues, type PlaceholderValueStore } from './placeholderPrompter';
import type { StepStateStore } from './stepStateStore';
import { Disposable } from './dispose';
import { setting } from './configuration';
import { SETTINGS } from './contributions';

/** How long the output stream may take to end after its execution has (it normally ends at once). */
const OUTPUT_DRAIN_MS = 1000;

/** Where a step lives: stable across edits because steps are looked up by id when they run. */
export interface StepReference {
  uri: vscode.Uri;
  stepId: string;
}

/** A terminal the runner types into, with the environment it was created with (secret values only). */
interface RunnerTerminal {
  terminal: vscode.Terminal;
  env: Readonly<Record<string, string>>;
}

/** Supplies the destructive patterns for a workspace folder. */
export type DestructivePatternSource = (folder: vscode.WorkspaceFolder | undefined) => Promise<readonly string[]>;

/** The folder's `.runbook-ops.yaml` patterns, read fresh each time so an edit applies to the next step. */
export const repoConfigDestructivePatterns: DestructivePatternSource = async (folder) => {
  if (!folder) return DEFAULT_DESTRUCTIVE_PATTERNS;
  try {
    return parseRepoConfig(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, '.runbook-ops.yaml'))).config.destructivePatterns;
  } catch {
    return DEFAULT_DESTRUCTIVE_PATTERNS;
  }
};

/**
 * Runs runbook steps in the integrated terminal: fills placeholders, asks for confirmation where a step
 * is dangerous, executes through shell integration to learn the exit code, and reports every finished
 * step. Never runs anything in an untrusted workspace or without an explicit user action.
 */
export class StepRunner extends Disposable {
  private readonly finishedEmitter = this.register(new vscode.EventEmitter<StepRunEvent>());
  /** Fires after every step that was started, whatever its outcome. */
  readonly onDidFinishStep = this.finishedEmitter.event;
  private readonly terminals = new Map<string, RunnerTerminal>();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly states: StepStateStore,
    private readonly values: PlaceholderValueStore,
    private readonly destructivePatterns: DestructivePatternSource = repoConfigDestructivePatterns,
  ) {
    super();
    this.register(vscode.window.onDidCloseTerminal((t) => {
      for (const [key, entry] of this.terminals) if (entry.terminal === t) this.terminals.delete(key);
    }));
  }

  /** Runs one step. Resolves with its outcome, or undefined when nothing ran (cancelled, refused, not runnable). */
  async runStep(ref: StepReference): Promise<StepOutcome | undefined> {
    if (!this.checkTrust()) return undefined;
    const runbook = await this.loadRunbook(ref.uri);
    const step = this.findStep(runbook, ref.stepId);
    if (!step) return undefined;
    if (!step.runnable) {
      void vscode.window.showWarningMessage(step.reason ?? vscode.l10n.t('This step cannot be run.'));
      return undefined;
    }
    const values = await collectPlaceholderValues(ref.uri, step.placeholders, runbook.variables, this.values, { what: step.title });
    if (!values) return undefined;
    return this.execute(ref.uri, runbook, step, values);
  }

  /**
   * Runs the runnable steps from `fromStepId` (all when undefined) in order and stops at the first that
   * does not succeed, revealing it. Every step is looked up again right before it runs, so an edit made
   * meanwhile never makes the wrong block run.
   */
  async runSequence(uri: vscode.Uri, fromStepId?: string): Promise<{ ran: number; stoppedAt?: { stepId: string; outcome: StepOutcome } } | undefined> {
    if (!this.checkTrust()) return undefined;
    const runbook = await this.loadRunbook(uri);
    if (fromStepId !== undefined && !this.findStep(runbook, fromStepId)) return undefined;
    return this.runPlanned(uri, runbook, runnableStepsFrom(runbook.steps, fromStepId));
  }

  /** Runs the runnable steps tagged `tag` (Runme's `category`), in order, like {@link runSequence}. */
  async runTagged(uri: vscode.Uri, tag: string): Promise<{ ran: number; stoppedAt?: { stepId: string; outcome: StepOutcome } } | undefined> {
    if (!this.checkTrust()) return undefined;
    const runbook = await this.loadRunbook(uri);
    return this.runPlanned(uri, runbook, runnableStepsTagged(runbook.steps, tag));
  }

  private async runPlanned(uri: vscode.Uri, runbook: Runbook, planned: readonly RunbookStep[]): Promise<{ ran: number; stoppedAt?: { stepId: string; outcome: StepOutcome } } | undefined> {
    if (planned.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('“{0}” has no steps that can be run.', runbook.title));
      return { ran: 0 };
    }
    // Ask for every value before the first step runs, not in the middle of the sequence.
    const values = await collectPlaceholderValues(uri, planned.flatMap((s) => s.placeholders), runbook.variables, this.values, { what: runbook.title });
    if (!values) return undefined;
    const result = await runStepSequence(planned.map((s) => s.id), async (stepId) => {
      const current = await this.loadRunbook(uri);
      const step = findStep(current.steps, stepId);
      if (!step || !step.runnable) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Step “{0}” changed while the runbook was running; stopped before it.', stepId));
        return { status: 'cancelled', durationMs: 0 };
      }
      // The values were shown and accepted before the first step; a placeholder added since is asked for.
      const more = await collectPlaceholderValues(uri, step.placeholders, current.variables, this.values, { confirmRemembered: false });
      if (!more) return { status: 'cancelled', durationMs: 0 };
      return (await this.execute(uri, current, step, more)) ?? { status: 'cancelled', durationMs: 0 };
    });
    if (result.stoppedAt) {
      const { step: stepId, outcome } = result.stoppedAt;
      const current = await this.loadRunbook(uri);
      const step = findStep(current.steps, stepId);
      if (step) await this.reveal(uri, step);
      if (outcome.status !== 'cancelled') {
        void vscode.window.showErrorMessage(vscode.l10n.t('Stopped at “{0}” ({1}); the steps after it did not run.', step?.title ?? stepId, describeOutcome(outcome)));
      }
      return { ran: result.ran.length, stoppedAt: { stepId, outcome } };
    }
    void vscode.window.showInformationMessage(vscode.l10n.t('All {0} steps of “{1}” succeeded.', result.ran.length, runbook.title));
    return { ran: result.ran.length };
  }

  /** Copies a step to the clipboard: its commands when it can run, else the block as written. */
  async copyStep(ref: StepReference): Promise<string | undefined> {
    const runbook = await this.loadRunbook(ref.uri);
    const step = this.findStep(runbook, ref.stepId);
    if (!step) return undefined;
    const text = step.runnable ? step.commands.join('\n') : step.content.replace(/\n$/, '');
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Copied “{0}”', step.title), 3000);
    return text;
  }

  private checkTrust(): boolean {
    if (vscode.workspace.isTrusted) return true;
    const manage = vscode.l10n.t('Manage Workspace Trust');
    void vscode.window
      .showWarningMessage(vscode.l10n.t('Runbook steps run only in a trusted workspace. Trust this folder to run them.'), manage)
      .then((choice) => (choice === manage ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
    this.log.warn('Refused to run a step: the workspace is not trusted');
    return false;
  }

  private async loadRunbook(uri: vscode.Uri): Promise<Runbook> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const relative = vscode.workspace.asRelativePath(uri, false);
    return confirmStepsWithShellParser(parseRunbook(relative, open ? open.getText() : await vscode.workspace.fs.readFile(uri)), { programExists: programOnPath });
  }

  private findStep(runbook: Runbook, stepId: string): RunbookStep | undefined {
    const step = findStep(runbook.steps, stepId);
    if (!step) void vscode.window.showErrorMessage(vscode.l10n.t('“{0}” has no step “{1}” any more; it was renamed or removed.', runbook.title, stepId));
    return step;
  }

  private async reveal(uri: vscode.Uri, step: RunbookStep): Promise<void> {
    const range = new vscode.Range(step.startLine - 1, 0, step.endLine - 1, 0);
    const editor = await vscode.window.showTextDocument(uri, { preserveFocus: true, preview: false });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    editor.selection = new vscode.Selection(range.start, range.start);
  }

  /**
   * Asks before a step runs when it needs it. A destructive step (marked `confirm`, or matching a
   * destructive pattern) runs only after its id is typed: a dialog whose default button runs it would
   * pass with the Enter that accepted the last placeholder value. Other reasons keep the modal.
   */
  private async confirm(runbook: Runbook, step: RunbookStep, commands: readonly FilledCommand[], folder: vscode.WorkspaceFolder | undefined): Promise<boolean> {
    const destructive: string[] = [];
    if (step.confirm) destructive.push(vscode.l10n.t('The step is marked confirm.'));
    const patterns = await this.destructivePatterns(folder);
    const hit = commands.map((c) => findDestructiveMatch(c.text, patterns)).find((h) => h !== undefined);
    if (hit) {
      destructive.push(hit.words
        ? vscode.l10n.t('It runs “{0}”, which is destructive (destructive pattern /{1}/).', hit.words, hit.pattern)
        : vscode.l10n.t('The command matches the destructive pattern /{0}/.', hit.pattern));
    }
    const other: string[] = [];
    if (step.languageGuessed) other.push(vscode.l10n.t('The block has no shell language; it was recognised by its prompts.'));
    if (setting(SETTINGS.confirmAllSteps)) other.push(vscode.l10n.t('Every step is confirmed (setting runbookOps.confirm.allSteps).'));
    const shown = commands.map((c) => c.display).join('\n');
    if (destructive.length > 0) return this.confirmByTypingId(runbook, step, [...destructive, ...other], shown);
    if (other.length === 0) return true;
    const run = vscode.l10n.t('Run');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Run “{0}” from “{1}”?', step.title, runbook.title),
      { modal: true, detail: `${other.join(' ')}\n\n${shown}` },
      run,
    );
    return choice === run;
  }

  /**
   * GitHub's "type the repository name": Enter does nothing until the box holds exactly the step id.
   * A validation message replaces the prompt, so each one repeats why and what runs.
   */
  private async confirmByTypingId(runbook: Runbook, step: RunbookStep, reasons: readonly string[], shown: string): Promise<boolean> {
    // The command goes last, so where it ends is plain.
    const message = (problem?: string): string => quickInputText([
      ...(problem === undefined ? [] : [problem]),
      vscode.l10n.t('Type {0} to run it; Escape cancels.', step.id),
      ...reasons,
      vscode.l10n.t('It runs: {0}', shown),
    ].join(' '));
    const typed = await vscode.window.showInputBox({
      title: vscode.l10n.t('Run “{0}” from “{1}”?', step.title, runbook.title),
      prompt: message(),
      placeHolder: step.id,
      ignoreFocusOut: true,
      // A string is an error, and an error keeps Enter from accepting the box.
      validateInput: (text) => {
        if (text === step.id) return undefined;
        return message(text === '' ? undefined : vscode.l10n.t('“{0}” is not {1}.', text, step.id));
      },
    });
    return typed === step.id;
  }

  private async execute(uri: vscode.Uri, runbook: Runbook, step: RunbookStep, values: Map<string, string | undefined>): Promise<StepOutcome | undefined> {
    let commands: FilledCommand[];
    try {
      // Named over the whole runbook, so every step refers to a secret by the same variable.
      const secretNames = secretEnvironmentNames(runbook.steps.flatMap((s) => s.commands), runbook.steps.flatMap((s) => s.placeholders), runbook.variables);
      commands = step.commands.map((c) => fillCommand(c, step.placeholders, values, runbook.variables, secretNames));
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Not run: {0}', (err as Error).message));
      return undefined;
    }
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!(await this.confirm(runbook, step, commands, folder))) return undefined;

    const cwd = this.workingDirectory(uri, runbook, step);
    const env = Object.assign({}, ...commands.map((c) => c.env)) as Record<string, string>;
    const background = step.attributes.background === true;
    const terminal = background ? this.backgroundTerminal(uri, runbook, step, cwd, env) : this.terminalFor(uri, runbook, cwd, env);
    terminal.show(true);
    const startedAt = new Date();
    this.states.markRunning(uri, step.id, startedAt);
    let started: () => void = () => undefined;
    const hasStarted = new Promise<void>((resolve) => (started = resolve));
    const finished = (async () => {
      let outcome: StepOutcome = { status: 'succeeded', exitCode: 0, durationMs: 0 };
      // One tail for the step's commands; secret values never reach it unmasked.
      const output = new TerminalOutputTail(Object.values(env));
      let captured = true;
      for (const [i, command] of commands.entries()) {
        const ran = await this.executeInTerminal(terminal, toSingleCommandLine(command.text, vscode.env.shell), background ? undefined : this.timeoutMs(step), output, i === 0 ? started : undefined);
        outcome = ran.outcome;
        captured &&= ran.captured;
        if (outcome.status !== 'succeeded') break;
      }
      outcome = { ...outcome, durationMs: Date.now() - startedAt.getTime() };
      this.recordFinished(uri, folder, step, commands, startedAt, outcome, captured ? output.text() : undefined);
      // Runme's closeTerminalOnSuccess: the terminal goes once the step succeeded (its shell state with it).
      if (outcome.status === 'succeeded' && step.attributes.closeTerminalOnSuccess === true) this.closeTerminal(terminal);
      return outcome;
    })();
    if (!background) return finished;
    // Not waited for (a dev server does not exit): Run all goes on once the command has started.
    await Promise.race([hasStarted, finished]);
    return { status: 'started', durationMs: Date.now() - startedAt.getTime() };
  }

  private recordFinished(
    uri: vscode.Uri,
    folder: vscode.WorkspaceFolder | undefined,
    step: RunbookStep,
    commands: readonly FilledCommand[],
    startedAt: Date,
    outcome: StepOutcome,
    output: { text: string; truncated: boolean } | undefined,
  ): void {
    this.states.markFinished(uri, step.id, startedAt, outcome, output);
    const event: StepRunEvent = {
      runbook: folder ? path.posix.relative(folder.uri.path, uri.path) : uri.path,
      stepId: step.id,
      title: step.title,
      command: commands.map((c) => c.display).join('\n'),
      status: outcome.status,
      startedAt: startedAt.toISOString(),
      durationMs: outcome.durationMs,
    };
    if (outcome.exitCode !== undefined) event.exitCode = outcome.exitCode;
    if (!output) event.output = 'not-captured';
    else if (output.text !== '') {
      event.output = output.text;
      if (output.truncated) event.outputTruncated = true;
    }
    this.log.info(`Step finished: ${JSON.stringify({ ...event, output: output ? `${output.text.length} characters` : event.output })}`);
    this.finishedEmitter.fire(event);
  }

  private closeTerminal(terminal: vscode.Terminal): void {
    for (const [key, entry] of this.terminals) if (entry.terminal === terminal) this.terminals.delete(key);
    terminal.dispose();
  }

  /**
   * A `background=true` step's own terminal, named after it; running it again replaces (and so stops)
   * the previous run. Secrets reach it as its environment, like any step's.
   */
  private backgroundTerminal(uri: vscode.Uri, runbook: Runbook, step: RunbookStep, cwd: string, env: Readonly<Record<string, string>>): vscode.Terminal {
    const key = `${uri.toString()}\0background\0${step.id}`;
    const previous = this.terminals.get(key);
    if (previous) this.closeTerminal(previous.terminal);
    const secret = Object.keys(env).length > 0;
    const terminal = vscode.window.createTerminal({
      name: vscode.l10n.t('Runbook: {0} · {1}', runbook.title, step.id),
      cwd,
      ...(secret ? { env, isTransient: true } : {}),
      iconPath: new vscode.ThemeIcon(secret ? 'lock' : 'server-process'),
    });
    this.terminals.set(key, { terminal, env: { ...env } });
    return terminal;
  }

  private timeoutMs(step: RunbookStep): number | undefined {
    const raw = step.attributes.timeout;
    const seconds = typeof raw === 'string' ? Number(raw) : NaN;
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
  }

  /** The runbook's folder, then Runme's document-level `cwd`, then the step's own `cwd`, each relative to the one before. */
  private workingDirectory(uri: vscode.Uri, runbook: Runbook, step: RunbookStep): string {
    const attr = step.attributes.cwd;
    return path.resolve(path.dirname(uri.fsPath), runbook.notebookCwd ?? '', typeof attr === 'string' ? attr : '');
  }

  /**
   * The terminal a step runs in. A step whose secrets are not in the current terminal's environment gets
   * a new transient terminal (VS Code neither persists nor restores it) created with them, plus the
   * secrets of the one it replaces that the step does not change; it then takes that terminal's place
   * for the runbook's next steps. A replaced terminal that held secrets is closed, so an old value does
   * not linger; a plain one is left open for the user. Shell state (`cd`, `export`) stays behind in it.
   */
  private terminalFor(uri: vscode.Uri, runbook: Runbook, cwd: string, env: Readonly<Record<string, string>>): vscode.Terminal {
    const shared = setting(SETTINGS.terminalReuse) === 'shared';
    const key = shared ? 'shared' : `${uri.toString()}\0${cwd}`;
    const existing = this.terminals.get(key);
    const alive = existing && existing.terminal.exitStatus === undefined ? existing : undefined;
    const needed = Object.entries(env);
    if (alive && needed.every(([name, value]) => alive.env[name] === value)) return alive.terminal;
    const name = shared ? 'Runbook Ops' : vscode.l10n.t('Runbook: {0}', runbook.title);
    if (needed.length === 0) {
      const terminal = vscode.window.createTerminal({ name, cwd, iconPath: new vscode.ThemeIcon('book') });
      this.terminals.set(key, { terminal, env: {} });
      return terminal;
    }
    const merged = { ...alive?.env, ...env };
    const terminal = vscode.window.createTerminal({
      name: vscode.l10n.t('{0} (secrets)', name),
      cwd,
      env: merged,
      isTransient: true,
      iconPath: new vscode.ThemeIcon('lock'),
    });
    if (alive && Object.keys(alive.env).length > 0) alive.terminal.dispose();
    this.terminals.set(key, { terminal, env: merged });
    return terminal;
  }

  /**
   * Runs `text` in `terminal` and waits for its exit, reading what it prints into `output`; `onStarted` is
   * called once the command has been handed to the shell. `captured` is false without shell integration.
   */
  private async executeInTerminal(
    terminal: vscode.Terminal,
    text: string,
    timeoutMs: number | undefined,
    output: TerminalOutputTail,
    onStarted?: () => void,
  ): Promise<{ outcome: StepOutcome; captured: boolean }> {
    const started = Date.now();
    const waitMs = setting(SETTINGS.terminalShellIntegrationTimeout);
    const integration = await waitForShellIntegration(terminal, waitMs);
    if (terminal.exitStatus !== undefined) return { outcome: { status: 'unknown', durationMs: Date.now() - started }, captured: false };
    if (!integration) {
      this.log.warn(`No shell integration in terminal "${terminal.name}" after ${waitMs} ms; sending the text, exit status unknown`);
      terminal.sendText(text, true);
      onStarted?.();
      return { outcome: { status: 'unknown', durationMs: Date.now() - started }, captured: false };
    }
    // Events arrive asynchronously, so subscribing in the same tick as executeCommand misses none; read()
    // must be called at once too, or the first output is missed.
    const execution = integration.executeCommand(text);
    const reading = (async () => {
      for await (const data of execution.read()) output.push(data);
    })().catch((err: unknown) => this.log.warn(`Reading the output of "${terminal.name}" failed: ${(err as Error).message}`));
    onStarted?.();
    const outcome = await new Promise<StepOutcome>((resolve) => {
      const subscriptions: vscode.Disposable[] = [];
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (result: Omit<StepOutcome, 'durationMs'>): void => {
        for (const s of subscriptions) s.dispose();
        if (timer) clearTimeout(timer);
        resolve({ ...result, durationMs: Date.now() - started });
      };
      subscriptions.push(
        vscode.window.onDidEndTerminalShellExecution((e) => {
          if (e.execution !== execution) return;
          if (e.exitCode === undefined) finish({ status: 'unknown' });
          else finish({ status: e.exitCode === 0 ? 'succeeded' : 'failed', exitCode: e.exitCode });
        }),
        vscode.window.onDidCloseTerminal((t) => {
          if (t === terminal) finish({ status: 'unknown' });
        }),
      );
      // The command keeps running after a timeout; only the wait for it ends.
      if (timeoutMs !== undefined) timer = setTimeout(() => finish({ status: 'timed-out' }), timeoutMs);
    });
    // The stream ends with the execution; what it still holds is read, but a step that has not ended
    // (timed out, terminal closed) is not waited for.
    if (outcome.status === 'succeeded' || outcome.status === 'failed') await Promise.race([reading, new Promise((r) => setTimeout(r, OUTPUT_DRAIN_MS))]);
    return { outcome, captured: true };
  }

  /**
   * Closes the terminals holding secret values of `runbook` (of every runbook when undefined), so
   * forgetting the values also takes them out of the shells they were passed to.
   */
  closeSecretTerminals(runbook?: vscode.Uri): void {
    const prefix = runbook === undefined ? undefined : `${runbook.toString()}\0`;
    for (const [key, { terminal, env }] of this.terminals) {
      if (Object.keys(env).length === 0 || (prefix !== undefined && key !== 'shared' && !key.startsWith(prefix))) continue;
      this.terminals.delete(key);
      terminal.dispose();
    }
  }

  override dispose(): void {
    super.dispose();
    // Secret values live in these terminals' environments; they go with the runner.
    this.closeSecretTerminals();
  }
}

function waitForShellIntegration(terminal: vscode.Terminal, timeoutMs: number): Promise<vscode.TerminalShellIntegration | undefined> {
  if (terminal.shellIntegration) return Promise.resolve(terminal.shellIntegration);
  return new Promise((resolve) => {
    const done = (value: vscode.TerminalShellIntegration | undefined): void => {
      listener.dispose();
      closed.dispose();
      clearTimeout(timer);
      resolve(value);
    };
    const listener = vscode.window.onDidChangeTerminalShellIntegration((e) => {
      if (e.terminal === terminal) done(e.shellIntegration);
    });
    const closed = vscode.window.onDidCloseTerminal((t) => {
      if (t === terminal) done(undefined);
    });
    const timer = setTimeout(() => done(terminal.shellIntegration), timeoutMs);
  });
}
