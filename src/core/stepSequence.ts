/** Running several steps in order: the rules for `Run all` and `Run from here`, free of any terminal. */

export type StepStatus = 'running' | 'succeeded' | 'failed' | 'timed-out' | 'unknown' | 'cancelled';

export interface StepOutcome {
  status: Exclude<StepStatus, 'running'>;
  /** Undefined when the shell did not report one (no shell integration, terminal closed, timed out). */
  exitCode?: number;
  durationMs: number;
}

/** What every finished step reports; the incidents feature turns it into an `action` timeline entry. */
export interface StepRunEvent {
  /** Runbook path relative to its repository root. */
  runbook: string;
  stepId: string;
  title: string;
  /** The command as run, placeholders filled, values of `secret: true` variables masked. */
  command: string;
  status: StepOutcome['status'];
  exitCode?: number;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
}

export interface SequenceResult<S> {
  ran: { step: S; outcome: StepOutcome }[];
  /** The step that did not succeed, when the sequence stopped early. */
  stoppedAt?: { step: S; outcome: StepOutcome };
}

/**
 * Runs `steps` one after another and stops at the first that did not succeed: a non-zero exit code,
 * an unknown one, a timeout or a cancellation. It never goes on silently past a failure.
 */
export async function runStepSequence<S>(steps: readonly S[], execute: (step: S) => Promise<StepOutcome>): Promise<SequenceResult<S>> {
  const ran: SequenceResult<S>['ran'] = [];
  for (const step of steps) {
    const outcome = await execute(step);
    ran.push({ step, outcome });
    if (outcome.status !== 'succeeded') return { ran, stoppedAt: { step, outcome } };
  }
  return { ran };
}

/**
 * The runnable steps from `fromId` (inclusive) to the end; all runnable steps when `fromId` is
 * undefined. Steps marked `excludeFromRunAll` run only on their own.
 */
export function runnableStepsFrom<S extends { id: string; runnable: boolean; excludeFromRunAll?: boolean }>(steps: readonly S[], fromId?: string): S[] {
  const start = fromId === undefined ? 0 : steps.findIndex((s) => s.id === fromId);
  if (start === -1) return [];
  return steps.slice(start).filter((s) => s.runnable && s.excludeFromRunAll !== true);
}

/** Human words for an outcome: "exit 0", "exit 3", "timed out", "exit status unknown". */
export function describeOutcome(outcome: { status: StepStatus; exitCode?: number }): string {
  switch (outcome.status) {
    case 'succeeded':
    case 'failed':
      return outcome.exitCode === undefined ? outcome.status : `exit ${outcome.exitCode}`;
    case 'timed-out':
      return 'timed out';
    case 'cancelled':
      return 'cancelled';
    case 'running':
      return 'running';
    default:
      return 'exit status unknown';
  }
}
