import { readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseRunbook } from '../core/runbook';
import { DEFAULT_DESTRUCTIVE_PATTERNS, findDestructivePattern } from '../core/stepCommand';
import { confirmStepsWithShellParser } from '../core/stepRunnability';

/**
 * `runbook-ops steps <file>`: the steps of one runbook as the runner sees them — commands after prompt
 * stripping, the placeholders each needs, and whether running it asks for confirmation.
 */
export function stepsCommand(file: string, format: string, out: (text: string) => void, destructivePatterns: readonly string[] = DEFAULT_DESTRUCTIVE_PATTERNS): number {
  const path = resolve(file);
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) throw new Error(`${file} is not a file. Pass the path of a runbook (.md).`);
  const runbook = confirmStepsWithShellParser(parseRunbook(relative(process.cwd(), path) || path, readFileSync(path)));
  const steps = runbook.steps.map((step) => {
    const destructive = step.commands.map((c) => findDestructivePattern(c, destructivePatterns)).find((p) => p !== undefined);
    return {
      id: step.id,
      title: step.title,
      section: step.section,
      startLine: step.startLine,
      endLine: step.endLine,
      language: step.language,
      shape: step.shape,
      runnable: step.runnable,
      ...(step.reason !== undefined ? { reason: step.reason } : {}),
      attributes: step.attributes,
      needsConfirmation: step.runnable && (step.confirm || step.languageGuessed || destructive !== undefined),
      ...(destructive !== undefined ? { destructivePattern: destructive } : {}),
      commands: step.commands,
      placeholders: step.placeholders.map((p) => ({ ...p, ...(p.variable !== undefined ? { spec: runbook.variables[p.variable] } : {}) })),
    };
  });
  if (format === 'json') {
    out(JSON.stringify({ path: runbook.path, title: runbook.title, variables: runbook.variables, steps, problems: runbook.problems }, null, 2));
    return 0;
  }
  const lines = [`${runbook.path}  "${runbook.title}"  ${steps.length} steps`];
  for (const step of steps) {
    const flags = [step.runnable ? 'run' : 'copy', step.needsConfirmation ? 'confirm' : ''].filter(Boolean).join(', ');
    lines.push('', `#${step.id}  ${step.title}  (lines ${step.startLine}-${step.endLine}, ${step.language || 'no language'}; ${flags})`);
    if (!step.runnable && step.reason) lines.push(`  ${step.reason}`);
    for (const command of step.commands) lines.push(...command.split('\n').map((l, i) => `  ${i === 0 ? '$' : '>'} ${l}`));
    if (step.placeholders.length) lines.push(`  needs: ${step.placeholders.map((p) => p.tokens[0]).join(', ')}`);
  }
  for (const problem of runbook.problems) lines.push(`! ${runbook.path}:${problem.line}: ${problem.severity}: ${problem.message}`);
  out(lines.join('\n'));
  return 0;
}
