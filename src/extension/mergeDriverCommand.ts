import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { GitNotFoundError, NotAGitRepositoryError } from '../git/gitProcess';
import { installMergeDriver, MERGE_DRIVER_NAME, uninstallMergeDriver, type MergeDriverInstallation } from '../git/mergeDriverInstall';
import type { RunbookIndexService } from './runbookIndexService';
import type { CommandManager } from './commandManager';
import { COMMAND } from './contributions';

/**
 * `Runbook Ops: Install Merge Driver` (issue 6): the same installation as `runbook-ops
 * install-merge-driver`, with VS Code's own runtime running the bundled CLI, so nothing else needs to be
 * installed. Returns the installation (for tests and other extensions), or undefined when refused.
 */
export function registerMergeDriverCommand(commands: CommandManager, extensionPath: string, index: RunbookIndexService, log: vscode.LogOutputChannel): void {
  commands.add(COMMAND.installMergeDriver, async (target?: vscode.Uri): Promise<MergeDriverInstallation | undefined> => {
    // git later runs the configured driver command on every merge: only a trusted folder may get one.
    if (!vscode.workspace.isTrusted) {
      const manage = vscode.l10n.t('Manage Workspace Trust');
      void vscode.window
        .showWarningMessage(vscode.l10n.t('The merge driver is installed only in a trusted workspace: it changes the repository’s git configuration, and git runs it on every merge. Trust this folder to install it.'), manage)
        .then((choice) => (choice === manage ? vscode.commands.executeCommand('workbench.trust.manage') : undefined));
      log.warn('Refused to install the merge driver: the workspace is not trusted');
      return undefined;
    }
    const folder = target ? vscode.workspace.getWorkspaceFolder(target) : await pickFolder();
    if (!folder) return undefined;
    const cliPath = path.join(extensionPath, 'dist', 'cli.js');
    if (!existsSync(cliPath)) {
      void vscode.window.showErrorMessage(vscode.l10n.t('The Runbook Ops command-line tool is missing from the extension ({0}); reinstall the extension.', cliPath));
      return undefined;
    }
    const config = await index.configWhenReady(folder.uri);
    let installed: MergeDriverInstallation;
    try {
      installed = await installMergeDriver(folder.uri.fsPath, {
        incidentGlobs: config.incidentInclude,
        // The extension host's executable is VS Code's Electron (or code-server's Node): this variable makes Electron behave as Node.
        program: { nodePath: process.execPath, cliPath, env: { ELECTRON_RUN_AS_NODE: '1' } },
      });
    } catch (err) {
      log.error(`Installing the merge driver in ${folder.uri.fsPath} failed: ${(err as Error).message}`);
      const message = err instanceof NotAGitRepositoryError
        ? vscode.l10n.t('{0} is not in a git repository, so there is no merge to configure. Run “git init” first.', folder.name)
        : err instanceof GitNotFoundError
          ? vscode.l10n.t('git was not found. Install git and make sure it is on PATH.')
          : vscode.l10n.t('Installing the merge driver failed: {0}', (err as Error).message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }
    log.info(`Merge driver installed in ${folder.uri.fsPath}: merge.${MERGE_DRIVER_NAME}.driver = ${installed.driverCommand}; .gitattributes +${installed.addedLines.length} lines`);
    const attributes = vscode.workspace.asRelativePath(installed.attributesFile, false);
    const written = installed.addedLines.length > 0
      ? vscode.l10n.t('Added {0} line(s) to {1} and set merge.{2}.driver in the repository’s .git/config.', installed.addedLines.length, attributes, MERGE_DRIVER_NAME)
      : vscode.l10n.t('{0} already sends incident records to the driver; set merge.{1}.driver in the repository’s .git/config.', attributes, MERGE_DRIVER_NAME);
    const share = vscode.l10n.t('Commit {0} so the team shares it; each clone installs the driver once.', attributes);
    const undoHint = vscode.l10n.t('To undo: the Undo button, or “git config --remove-section merge.{0}” and delete the merge={0} lines from {1}.', MERGE_DRIVER_NAME, attributes);
    const open = vscode.l10n.t('Open .gitattributes');
    const undo = vscode.l10n.t('Undo');
    // Not awaited: the notification stays until dismissed, the command is done.
    void vscode.window.showInformationMessage(`${written} ${share} ${undoHint}`, open, undo).then(async (choice) => {
      if (choice === open) await vscode.window.showTextDocument(vscode.Uri.file(installed.attributesFile));
      if (choice === undo) await undoInstallation(folder, log);
    });
    return installed;
  });
}

async function undoInstallation(folder: vscode.WorkspaceFolder, log: vscode.LogOutputChannel): Promise<void> {
  try {
    const undone = await uninstallMergeDriver(folder.uri.fsPath);
    log.info(`Merge driver removed from ${folder.uri.fsPath}: ${undone.removedLines.length} .gitattributes lines`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Removed the merge driver: git config merge.{0} and {1} line(s) of .gitattributes.', MERGE_DRIVER_NAME, undone.removedLines.length));
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Removing the merge driver failed: {0}', (err as Error).message));
  }
}

/** The workspace folder to act on: the only one, or the one picked (`placeHolder` asks which). */
export async function pickFolder(placeHolder = vscode.l10n.t('Install the merge driver in which repository?')): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open the folder of your runbook repository first.'));
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder });
}
