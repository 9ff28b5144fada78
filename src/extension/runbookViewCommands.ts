import * as vscode from 'vscode';
import type { CommandManager } from './commandManager';
import { COMMAND } from './contributions';
import type { RunbookIndexService } from './runbookIndexService';
import type { RunbooksTreeProvider } from './runbooksTreeProvider';
import { scaffoldSampleRepository } from './sampleScaffold';

/** The commands of the Runbooks view: open, filter, re-index, and the sample repository of its welcome page. */
export function registerRunbookViewCommands(commands: CommandManager, tree: RunbooksTreeProvider, index: RunbookIndexService, log: vscode.LogOutputChannel): void {
  commands.add(COMMAND.openRunbook, async (uri: vscode.Uri, line?: number) => {
    const position = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position), preview: true });
  });
  commands.add(COMMAND.filterRunbooks, async () => {
    const text = await vscode.window.showInputBox({
      title: vscode.l10n.t('Filter Runbooks'),
      prompt: vscode.l10n.t('Text to find (any part of a word) in titles, paths, owners, services, tags, alerts, headings and alert names the text mentions; empty clears the filter'),
      value: tree.filter,
    });
    if (text !== undefined) tree.setFilter(text);
  });
  commands.add(COMMAND.clearRunbookFilter, () => tree.setFilter(''));
  commands.add(COMMAND.reindex, () => index.reindex());
  commands.add(COMMAND.scaffoldSample, () => scaffoldSampleRepository(log));
}
