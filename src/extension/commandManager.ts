import * as vscode from 'vscode';
import type { CommandId } from './contributions';
import { Disposable } from './dispose';

/**
 * The one place commands are registered (as markdown-language-features' `CommandManager`), each behind
 * the same guard: a command that fails logs the error with its stack, shows its message, and resolves
 * to undefined, so no command fails silently and none shows a raw stack to the user.
 */
export class CommandManager extends Disposable {
  private readonly ids = new Set<string>();

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();
  }

  add<A extends unknown[], R>(id: CommandId, run: (...args: A) => R | Thenable<R>): void {
    if (this.ids.has(id)) throw new Error(`Command ${id} is registered twice`);
    this.ids.add(id);
    this.register(
      vscode.commands.registerCommand(id, async (...args: A): Promise<R | undefined> => {
        try {
          return await run(...args);
        } catch (err) {
          this.log.error(`${id}: ${(err as Error).stack ?? String(err)}`);
          void vscode.window.showErrorMessage((err as Error).message);
          return undefined;
        }
      }),
    );
  }
}
