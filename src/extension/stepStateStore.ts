import * as vscode from 'vscode';
import type { StepOutcome, StepStatus } from '../core/runbook/stepSequence';
import { Disposable } from './dispose';

export interface StepState {
  status: StepStatus;
  exitCode?: number;
  startedAt: string;
  durationMs?: number;
  /** The last lines it printed (secrets masked); absent when nothing was read. */
  output?: string;
  /** `output` lost lines at its start. */
  outputTruncated?: boolean;
}

type StoredStates = Record<string, Record<string, StepState>>;

const STORAGE_KEY = 'runbookOps.stepStates.v1';

/**
 * The last run of every step, per runbook, kept in workspace state so the Steps view survives a window
 * reload. A step that was running when the window went away is shown as unknown.
 */
export class StepStateStore extends Disposable {
  private readonly states: StoredStates;
  private readonly changeEmitter = this.register(new vscode.EventEmitter<string>());
  /** Fires with the runbook URI whose states changed. */
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly memento: vscode.Memento) {
    super();
    this.states = memento.get<StoredStates>(STORAGE_KEY) ?? {};
    for (const steps of Object.values(this.states)) {
      for (const state of Object.values(steps)) if (state.status === 'running') state.status = 'unknown';
    }
  }

  get(runbook: vscode.Uri, stepId: string): StepState | undefined {
    return this.states[runbook.toString()]?.[stepId];
  }

  markRunning(runbook: vscode.Uri, stepId: string, startedAt: Date): void {
    this.put(runbook, stepId, { status: 'running', startedAt: startedAt.toISOString() });
  }

  markFinished(runbook: vscode.Uri, stepId: string, startedAt: Date, outcome: StepOutcome, output?: { text: string; truncated: boolean }): void {
    const state: StepState = { status: outcome.status, startedAt: startedAt.toISOString(), durationMs: outcome.durationMs };
    if (outcome.exitCode !== undefined) state.exitCode = outcome.exitCode;
    if (output && output.text !== '') {
      state.output = output.text;
      if (output.truncated) state.outputTruncated = true;
    }
    this.put(runbook, stepId, state);
  }

  reset(runbook: vscode.Uri): void {
    delete this.states[runbook.toString()];
    void this.memento.update(STORAGE_KEY, this.states);
    this.changeEmitter.fire(runbook.toString());
  }

  private put(runbook: vscode.Uri, stepId: string, state: StepState): void {
    const key = runbook.toString();
    (this.states[key] ??= {})[stepId] = state;
    void this.memento.update(STORAGE_KEY, this.states);
    this.changeEmitter.fire(key);
  }
}
