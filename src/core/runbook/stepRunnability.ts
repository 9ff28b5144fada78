/**
 * The last word on whether a step may be offered to run: the index's heuristics (prompts, language
 * tags) say which blocks look like shell; the shell parser then confirms each one before ▶ Run is
 * shown, the runner runs it or `runbook-ops steps` lists it as runnable.
 */
import { lineOf } from '../text/fileText';
import { markCopyOnly, type Runbook, type RunbookStep } from './runbook';
import { hasForeignPrompt } from './shellTranscript';
import { shellSyntaxError } from './shellSyntax';

/** Placeholder tokens that are not shell syntax (`<namespace>`, `{{ ns }}`) become a plain word of the same length. */
function maskPlaceholders(command: string, step: RunbookStep): string {
  let masked = command;
  for (const placeholder of step.placeholders) {
    if (placeholder.syntax === 'dollar') continue;
    for (const token of placeholder.tokens) masked = masked.split(token).join('x'.repeat(token.length));
  }
  return masked;
}

function quoteLine(text: string, line: number): string {
  const raw = (text.split('\n')[line - 1] ?? '').trim();
  return raw.length > 60 ? `${raw.slice(0, 59)}…` : raw;
}

/** A line that starts with `>` and a word: redis-cli's and mongo's prompt, never how a shell command starts. */
export const PROMPT_LINE = /^[ \t]*> ?[A-Za-z]/m;

const verdicts = new Map<string, string | undefined>();
const VERDICT_CACHE_LIMIT = 4096;

/** Why the shell parser refuses `command` (one command of a step, placeholders masked), or undefined when it accepts it. */
function commandVerdict(command: string): string | undefined {
  if (verdicts.has(command)) return verdicts.get(command);
  // A pasted redis-cli or mongo session parses as redirections (`> CONFIG SET x` writes `SET x` to a
  // file named CONFIG), and where it does not, the prompt is the clearer reason.
  const prompt = PROMPT_LINE.exec(command);
  const error = prompt === null ? shellSyntaxError(command) : undefined;
  let reason: string | undefined;
  if (prompt !== null) {
    reason = `\`${quoteLine(command, lineOf(command, prompt.index))}\` starts with the \`> \` prompt of redis-cli or mongo; in a shell it would write to a file. Copy it instead.`;
  } else if (error !== undefined) {
    reason = `Not valid shell at \`${quoteLine(command, error.line)}\` (${error.message}), so it is not run: copy it instead.`;
  }
  if (verdicts.size >= VERDICT_CACHE_LIMIT) verdicts.clear();
  verdicts.set(command, reason);
  return reason;
}

/** Why `step` must not run even though the index found it runnable, or undefined when it may run. */
export function shellRefusal(step: RunbookStep): string | undefined {
  if (!step.runnable) return undefined;
  if (step.shape === 'transcript') {
    // `$ redis-cli` then `127.0.0.1:6379> KEYS *`: what follows is typed into that program, not run here.
    const foreign = step.content.split('\n').find((line) => hasForeignPrompt(line));
    if (foreign !== undefined) {
      return `The block goes on at another program's prompt (\`${quoteLine(foreign, 1)}\`), which a shell cannot type into: copy it instead.`;
    }
  }
  for (const command of step.commands) {
    const reason = commandVerdict(maskPlaceholders(command, step));
    if (reason !== undefined) return reason;
  }
  return undefined;
}

export interface StepConfirmationOptions {
  /** Whether a program is installed (on PATH); without it, steps that need an interpreter are not checked for one. */
  programExists?: (program: string) => boolean;
}

/** Why a step that runs through an interpreter cannot run here, or undefined. */
function interpreterRefusal(step: RunbookStep, options: StepConfirmationOptions): string | undefined {
  if (step.interpreter === undefined || options.programExists === undefined) return undefined;
  const program = step.interpreter.split(/\s+/, 1)[0];
  return options.programExists(program) ? undefined : `\`${program}\` is not installed here (not on PATH), so this ${step.language || 'script'} block cannot run: install it, or copy the block instead.`;
}

/**
 * Turns every runnable step of `runbook` that the shell parser refuses, or whose interpreter is not
 * installed, into a copy-only step with the reason, in place. Returns the runbook.
 */
export function confirmStepsWithShellParser(runbook: Runbook, options: StepConfirmationOptions = {}): Runbook {
  for (const step of runbook.steps) {
    const reason = interpreterRefusal(step, options) ?? shellRefusal(step);
    if (reason !== undefined) markCopyOnly(step, reason);
  }
  return runbook;
}
