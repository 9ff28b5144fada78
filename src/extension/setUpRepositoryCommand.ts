import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { renderSetupPlan, setupChangesAnything, type PlannedFile, type SetupPlan } from '../core/check/repositorySetup';
import { NotAGitRepositoryError } from '../git/gitProcess';
import { applySetupPlan, readSetupPlan, SetupChangedError, type SetupOutcome } from '../git/repositorySetup';
import type { CommandManager } from './commandManager';
import { COMMAND } from './contributions';
import { pickFolder } from './mergeDriverCommand';

/**
 * *Runbook Ops: Set Up This Repository* (`runbookOps.setUpRepository`, issue 21): the plan of
 * `runbook-ops init` shown in an editor, a pick to write it or not, and a modal confirmation before a
 * file a person wrote is replaced. Returns what happened (for tests), or undefined when refused early.
 */

export const SET_UP_PLAN_SCHEME = 'runbook-ops-setup';

export interface SetUpRepositoryResult {
  plan: SetupPlan;
  /** What was written; undefined when nothing was (up to date, or cancelled). */
  outcome?: SetupOutcome;
  upToDate: boolean;
}

/** The plan as Markdown: a table of files, then the text init would write, in fences longer than any backtick run inside. */
function planMarkdown(folder: string, plan: SetupPlan): string {
  const text = renderSetupPlan(plan, true);
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return [
    `# ${vscode.l10n.t('Set up {0}', folder)}`,
    '',
    vscode.l10n.t('What Runbook Ops would write (create, update), leaves as it is (unchanged), or would replace only if you confirm (conflict: a file a person wrote). Nothing is written until you choose Write.'),
    '',
    `${fence}text`,
    text,
    fence,
    '',
  ].join('\n');
}

/** Registers the command; returns the registration of the plan's read-only document provider. */
export function registerSetUpRepositoryCommand(commands: CommandManager, extensionPath: string, log: vscode.LogOutputChannel): vscode.Disposable {
  const plans = new Map<string, string>();
  const provider: vscode.TextDocumentContentProvider = { provideTextDocumentContent: (uri) => plans.get(uri.toString()) ?? '' };
  commands.add(COMMAND.setUpRepository, async (target?: vscode.Uri): Promise<SetUpRepositoryResult | undefined> => {
    // Setting the merge driver changes git config, which git runs on every merge: only in a trusted folder.
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(vscode.l10n.t('A repository is set up only in a trusted workspace: it sets the merge driver in git config, which git runs on every merge. Trust this folder first.'));
      return undefined;
    }
    const folder = target ? vscode.workspace.getWorkspaceFolder(target) : await pickFolder(vscode.l10n.t('Set up which repository?'));
    if (!folder) return undefined;
    const cliPath = path.join(extensionPath, 'dist', 'cli.js');
    if (!existsSync(cliPath)) {
      void vscode.window.showErrorMessage(vscode.l10n.t('The Runbook Ops command-line tool is missing from the extension ({0}); reinstall the extension.', cliPath));
      return undefined;
    }
    let context;
    try {
      // The extension host's executable is VS Code's Electron (or code-server's Node): this variable makes Electron behave as Node.
      context = await readSetupPlan(folder.uri.fsPath, { nodePath: process.execPath, cliPath, env: { ELECTRON_RUN_AS_NODE: '1' } });
    } catch (err) {
      log.error(`Planning the set-up of ${folder.uri.fsPath} failed: ${(err as Error).message}`);
      void vscode.window.showErrorMessage(err instanceof NotAGitRepositoryError
        ? vscode.l10n.t('{0} is not in a git repository; setting up needs one (for the CI workflow, the merge driver and CODEOWNERS). Run “git init” first.', folder.name)
        : vscode.l10n.t('Could not read the repository to set it up: {0}', (err as Error).message));
      return undefined;
    }
    const { plan } = context;
    if (!setupChangesAnything(plan)) {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} is already set up: nothing to change.', folder.name));
      return { plan, upToDate: true };
    }

    const uri = vscode.Uri.from({ scheme: SET_UP_PLAN_SCHEME, path: `/${folder.name} set-up plan.md` });
    plans.set(uri.toString(), planMarkdown(folder.name, plan));
    await vscode.window.showTextDocument(uri, { preview: true, preserveFocus: true, viewColumn: vscode.ViewColumn.Beside });

    const changes = plan.files.filter((f) => f.action !== 'unchanged');
    const write = { label: vscode.l10n.t('$(check) Write the set-up'), detail: changes.map((f) => `${f.action} ${f.path}`).concat(plan.mergeDriver.action === 'set' ? [vscode.l10n.t('set git config {0}', plan.mergeDriver.key)] : []).join(' · ') };
    const cancel = { label: vscode.l10n.t('$(close) Cancel'), detail: vscode.l10n.t('Write nothing.') };
    const choice = await vscode.window.showQuickPick([write, cancel], { title: vscode.l10n.t('Set up {0}? The plan is open beside.', folder.name), ignoreFocusOut: true });
    if (choice !== write) return { plan, upToDate: false };

    const force = await confirmReplacing(plan.files.filter((f) => f.action === 'conflict'), log);
    try {
      const outcome = await applySetupPlan(context, { force });
      log.info(`Set up ${folder.uri.fsPath}: wrote ${outcome.written.join(', ') || 'no files'}${outcome.mergeDriverSet ? ', set the merge driver' : ''}${outcome.kept.length ? `; kept ${outcome.kept.map((f) => f.path).join(', ')}` : ''}`);
      const kept = outcome.kept.length ? ` ${vscode.l10n.t('Kept as you wrote them: {0}.', outcome.kept.map((f) => f.path).join(', '))}` : '';
      void vscode.window.showInformationMessage(`${vscode.l10n.t('Set up {0}: wrote {1}.', folder.name, outcome.written.join(', ') || vscode.l10n.t('no files'))}${kept} ${vscode.l10n.t('Commit them so the team shares them.')}`);
      return { plan, outcome, upToDate: false };
    } catch (err) {
      log.error(`Setting up ${folder.uri.fsPath} failed: ${(err as Error).message}`);
      void vscode.window.showErrorMessage(err instanceof SetupChangedError ? (err as Error).message : vscode.l10n.t('Setting up the repository failed: {0}', (err as Error).message));
      return { plan, upToDate: false };
    }
  });
  return vscode.workspace.registerTextDocumentContentProvider(SET_UP_PLAN_SCHEME, provider);
}

/** A modal confirmation before replacing files a person wrote; no answer (or no dialog) keeps them. */
async function confirmReplacing(conflicts: readonly PlannedFile[], log: vscode.LogOutputChannel): Promise<boolean> {
  if (conflicts.length === 0) return false;
  const replace = vscode.l10n.t('Replace Them');
  const keep = vscode.l10n.t('Keep Them');
  try {
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('Replace files that Runbook Ops did not write (or that were edited since)?'),
      { modal: true, detail: `${conflicts.map((f) => `${f.path}: ${f.summary}`).join('\n')}\n\n${vscode.l10n.t('Keep Them writes the other files and leaves these as they are; the plan beside shows what would replace them.')}` },
      replace,
      keep,
    );
    return answer === replace;
  } catch (err) {
    // Where dialogs cannot be shown (VS Code's integration tests refuse them), nothing is replaced.
    log.warn(`No confirmation to replace ${conflicts.map((f) => f.path).join(', ')} (${(err as Error).message}); kept them`);
    return false;
  }
}
