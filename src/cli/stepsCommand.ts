import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import type { Problem } from '../core/text/fileText';
import { IndexWorkerPool } from '../fs/parallelIndex';
import { DEFAULT_REPO_CONFIG } from '../core/config/repoConfig';
import { placeholderLabel } from '../core/runbook/placeholders';
import { parseRunbook } from '../core/runbook/runbook';
import { DEFAULT_DESTRUCTIVE_PATTERNS, findDestructivePattern } from '../core/runbook/stepCommand';
import { confirmStepsWithShellParser } from '../core/runbook/stepRunnability';
import { programOnPath } from '../fs/programOnPath';

/**
 * Whether a worker parses the file within the parse budget (parseBudget.ts): the problem when it gave
 * up. This thread cannot stop its own parse, so the file is tried on a worker first (where workers can
 * start) and parsed here only when that finished in time.
 */
async function parseBudgetProblem(path: string, pool: IndexWorkerPool): Promise<Problem | undefined> {
  try {
    const [result] = await pool.checkFiles(dirname(path), DEFAULT_REPO_CONFIG, [{ path: basename(path), kind: 'runbook', reported: true }]);
    return 'summary' in result && result.givenUp ? result.summary.problems[0] : undefined;
  } finally {
    await pool.dispose();
  }
}

/**
 * `runbook-ops steps <file>`: the steps of one runbook as the runner sees them — commands after prompt
 * stripping, the placeholders each needs, and whether running it asks for confirmation. Exit code 1
 * when the file could not be parsed within the parse budget (the problem says so).
 */
export async function stepsCommand(
  file: string,
  format: string,
  out: (text: string) => void,
  destructivePatterns: readonly string[] = DEFAULT_DESTRUCTIVE_PATTERNS,
  pool: IndexWorkerPool = new IndexWorkerPool({ workers: 1 }),
): Promise<number> {
  const path = resolve(file);
  if (!statSync(path, { throwIfNoEntry: false })?.isFile()) throw new Error(`${file} is not a file. Pass the path of a runbook (.md).`);
  const shownPath = relative(process.cwd(), path) || path;
  const givenUp = await parseBudgetProblem(path, pool);
  if (givenUp) {
    const title = basename(path);
    if (format === 'json') out(JSON.stringify({ path: shownPath, title, variables: {}, steps: [], problems: [givenUp] }, null, 2));
    else out([`${shownPath}  "${title}"  0 steps`, `! ${shownPath}:${givenUp.line}: ${givenUp.severity}: ${givenUp.message}`].join('\n'));
    return 1;
  }
  const runbook = confirmStepsWithShellParser(parseRunbook(shownPath, readFileSync(path)), { programExists: programOnPath });
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
    if (step.placeholders.length) lines.push(`  needs: ${step.placeholders.map(placeholderLabel).join(', ')}`);
  }
  for (const problem of runbook.problems) lines.push(`! ${runbook.path}:${problem.line}: ${problem.severity}: ${problem.message}`);
  out(lines.join('\n'));
  return 0;
}
