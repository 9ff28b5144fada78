/** Running several steps in order: the rules for `Run all` and `Run from here`, free of any terminal. */
import { slugify } from './runbook';

/** `started`: a `background=true` step whose command was started and is not waited for (Runme's background cells). */
export type StepStatus = 'running' | 'started' | 'succeeded' | 'failed' | 'timed-out' | 'unknown' | 'cancelled';

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
  /**
   * The last lines the step printed (bounded, terminal escapes stripped, secret values masked), read
   * through shell integration; `not-captured` when the terminal had none.
   */
  output?: string | 'not-captured';
  /** Lines were dropped from the front of `output`. */
  outputTruncated?: boolean;
}

export interface SequenceResult<S> {
  ran: { step: S; outcome: StepOutcome }[];
  /** The step that did not succeed, when the sequence stopped early. */
  stoppedAt?: { step: S; outcome: StepOutcome };
}

/**
 * Runs `steps` one after another and stops at the first that did not succeed: a non-zero exit code,
 * an unknown one, a timeout or a cancellation. It never goes on silently past a failure. A background
 * step goes on once it has started (a dev server does not exit).
 */
export async function runStepSequence<S>(steps: readonly S[], execute: (step: S) => Promise<StepOutcome>): Promise<SequenceResult<S>> {
  const ran: SequenceResult<S>['ran'] = [];
  for (const step of steps) {
    const outcome = await execute(step);
    ran.push({ step, outcome });
    if (outcome.status !== 'succeeded' && outcome.status !== 'started') return { ran, stoppedAt: { step, outcome } };
  }
  return { ran };
}

interface StepLike {
  id: string;
  attributes?: Readonly<Record<string, string | boolean>>;
}

/** Whether a step is one that Run all, Run from here and Run by tag run (`excludeFromRunAll` ones run only alone). */
function inSequences(step: { runnable: boolean; excludeFromRunAll?: boolean }): boolean {
  return step.runnable && step.excludeFromRunAll !== true;
}

/**
 * The step `id` names: the one with that id, else the named step whose slug it is. Until names were
 * kept as written, `{name=SimpleDagger}` had the id `simpledagger`, and incident records still hold
 * `path#simpledagger`: those references keep resolving.
 */
export function findStep<S extends StepLike>(steps: readonly S[], id: string): S | undefined {
  return steps.find((s) => s.id === id) ?? steps.find((s) => typeof s.attributes?.name === 'string' && slugify(s.attributes.name) === id);
}

/**
 * The runnable steps from `fromId` (inclusive) to the end; all runnable steps when `fromId` is
 * undefined. Steps marked `excludeFromRunAll` run only on their own.
 */
export function runnableStepsFrom<S extends StepLike & { runnable: boolean; excludeFromRunAll?: boolean }>(steps: readonly S[], fromId?: string): S[] {
  const start = fromId === undefined ? 0 : steps.indexOf(findStep(steps, fromId) as S);
  if (start === -1) return [];
  return steps.slice(start).filter(inSequences);
}

/** Human words for an outcome: "exit 0", "exit 3", "timed out", "exit status unknown". */
export function describeOutcome(outcome: { status: StepStatus; exitCode?: number }): string {
  switch (outcome.status) {
    case 'succeeded':
    case 'failed':
      return outcome.exitCode === undefined ? outcome.status : `exit ${outcome.exitCode}`;
    case 'timed-out':
      return 'timed out';
    case 'started':
      return 'started in the background';
    case 'cancelled':
      return 'cancelled';
    case 'running':
      return 'running';
    default:
      return 'exit status unknown';
  }
}

/** A step's Runme categories: its `category` (or `tag`) attribute, comma-separated. */
export function stepTags(step: { attributes?: Readonly<Record<string, string | boolean>> }): string[] {
  const raw = [step.attributes?.category, step.attributes?.tag].filter((v): v is string => typeof v === 'string');
  return [...new Set(raw.flatMap((v) => v.split(',')).map((t) => t.trim()).filter(Boolean))];
}

/** The runnable steps tagged `tag`, in order (Runme's run by category); `excludeFromRunAll` steps stay out here too. */
export function runnableStepsTagged<S extends StepLike & { runnable: boolean; excludeFromRunAll?: boolean }>(steps: readonly S[], tag: string): S[] {
  return steps.filter((s) => inSequences(s) && stepTags(s).includes(tag));
}
