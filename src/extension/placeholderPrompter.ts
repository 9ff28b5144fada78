import * as vscode from 'vscode';
import type { Placeholder, VariableSpec } from '../core/placeholders';
import { checkPlaceholderValue, placeholderKey } from '../core/stepCommand';

const STORAGE_KEY = 'runbookOps.placeholderValues.v1';

/** A remembered value; `shell` means the user chose to leave `$NAME` to the shell. */
type StoredValue = { value: string } | { shell: true };

/**
 * Values given for placeholders, remembered per runbook (and, once incidents exist, per active incident)
 * so each is asked once. Values of `secret: true` variables stay in memory only.
 */
export class PlaceholderValueStore {
  private readonly saved: Record<string, Record<string, StoredValue>>;
  private readonly secrets = new Map<string, Map<string, string>>();
  /** Extra scope for remembered values (the active incident id, when there is one). */
  scope = '';

  constructor(private readonly memento: vscode.Memento) {
    this.saved = memento.get<Record<string, Record<string, StoredValue>>>(STORAGE_KEY) ?? {};
  }

  private scopeKey(runbook: vscode.Uri): string {
    return `${this.scope}|${runbook.toString()}`;
  }

  get(runbook: vscode.Uri, key: string): StoredValue | undefined {
    const secret = this.secrets.get(this.scopeKey(runbook))?.get(key);
    if (secret !== undefined) return { value: secret };
    return this.saved[this.scopeKey(runbook)]?.[key];
  }

  set(runbook: vscode.Uri, key: string, value: StoredValue, secret = false): void {
    const scope = this.scopeKey(runbook);
    if (secret && 'value' in value) {
      let map = this.secrets.get(scope);
      if (!map) this.secrets.set(scope, (map = new Map()));
      map.set(key, value.value);
      return;
    }
    (this.saved[scope] ??= {})[key] = value;
    void this.memento.update(STORAGE_KEY, this.saved);
  }

  /** Forgets every value remembered for `runbook` (all runbooks when undefined). */
  clear(runbook?: vscode.Uri): void {
    if (runbook === undefined) {
      for (const key of Object.keys(this.saved)) delete this.saved[key];
      this.secrets.clear();
    } else {
      delete this.saved[this.scopeKey(runbook)];
      this.secrets.delete(this.scopeKey(runbook));
    }
    void this.memento.update(STORAGE_KEY, this.saved);
  }
}

function describePlaceholder(placeholder: Placeholder, spec: VariableSpec | undefined): string {
  return spec?.description ? `${placeholder.tokens[0]} — ${spec.description}` : placeholder.tokens[0];
}

/**
 * Asks for every placeholder without a remembered value: a QuickPick when the variable has `choices`,
 * otherwise an InputBox with the default. Returns undefined when the user pressed Escape.
 */
export async function collectPlaceholderValues(
  runbook: vscode.Uri,
  placeholders: readonly Placeholder[],
  variables: Readonly<Record<string, VariableSpec>>,
  store: PlaceholderValueStore,
): Promise<Map<string, string | undefined> | undefined> {
  const values = new Map<string, string | undefined>();
  for (const placeholder of placeholders) {
    const key = placeholderKey(placeholder);
    if (values.has(key)) continue;
    const remembered = store.get(runbook, key);
    if (remembered) {
      values.set(key, 'value' in remembered ? remembered.value : undefined);
      continue;
    }
    const spec = placeholder.variable !== undefined ? variables[placeholder.variable] : undefined;
    const title = vscode.l10n.t('Value for {0}', placeholder.tokens[0]);
    let value: string | undefined;
    if (spec?.choices && spec.choices.length > 0) {
      const ordered = spec.default !== undefined && spec.choices.includes(spec.default)
        ? [spec.default, ...spec.choices.filter((c) => c !== spec.default)]
        : spec.choices;
      const picked = await vscode.window.showQuickPick(
        ordered.map((choice) => ({ label: choice, description: choice === spec.default ? vscode.l10n.t('default') : undefined })),
        { title, placeHolder: describePlaceholder(placeholder, spec), ignoreFocusOut: true },
      );
      if (!picked) return undefined;
      value = picked.label;
    } else {
      const leaveToShell = placeholder.syntax === 'dollar' && placeholder.variable === undefined;
      const answer = await vscode.window.showInputBox({
        title,
        prompt: leaveToShell
          ? vscode.l10n.t('{0} is never set in this runbook. Type a value, or leave it empty to let the shell expand {1}.', placeholder.tokens[0], placeholder.tokens[0])
          : describePlaceholder(placeholder, spec),
        value: spec?.default ?? '',
        password: spec?.secret === true,
        ignoreFocusOut: true,
        validateInput: (text) => {
          const problem = checkPlaceholderValue(text);
          if (problem) return vscode.l10n.t(problem);
          if (text === '' && !leaveToShell && spec?.default === undefined) return vscode.l10n.t('A value is needed to run this step.');
          return undefined;
        },
      });
      if (answer === undefined) return undefined;
      if (answer === '' && leaveToShell) {
        values.set(key, undefined);
        store.set(runbook, key, { shell: true });
        continue;
      }
      value = answer === '' ? spec?.default ?? '' : answer;
    }
    values.set(key, value);
    store.set(runbook, key, { value }, spec?.secret === true);
  }
  return values;
}
