import * as vscode from 'vscode';
import type { Setting } from './contributions';

/** A setting's current value (for `scope`, when given), else its default. */
export function setting<S extends Setting>(which: S, scope?: vscode.ConfigurationScope): S['default'] {
  return vscode.workspace.getConfiguration(undefined, scope).get<S['default']>(which.key, which.default);
}
