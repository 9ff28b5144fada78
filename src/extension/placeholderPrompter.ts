import * as vscode from 'vscode';
import type { ActiveIncident } from './activeIncident';
import { placeholderLabel, type Placeholder, type VariableSpec } from '../core/runbook/placeholders';
import { checkPlaceholderValue, placeholderKey } from '../core/runbook/stepCommand';

const STORAGE_KEY = 'runbookOps.placeholderValues.v1';

/**
 * A remembered value; `shell` means the user chose to leave `$NAME` to the shell. `from` names the alert
 * whose label gave the value (Find Runbook for Alert), shown beside it until the user accepts or changes it.
 */
export type StoredValue = { value: string; from?: string } | { shell: true };

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

/** How a value is shown before it is used: secrets never, a value left to the shell as such. */
function shownValue(placeholder: Placeholder, value: StoredValue, secret: boolean): string {
  if (!('value' in value)) return vscode.l10n.t('{0} left to the shell', placeholder.tokens[0]);
  if (secret) return '****';
  const shown = value.value === '' ? '""' : value.value;
  return value.from !== undefined ? vscode.l10n.t('{0} (label of {1})', shown, value.from) : shown;
}

export interface CollectOptions {
  /**
   * Show the remembered values and have them accepted before they are used (default true). A sequence
   * shows them once, before its first step, and not again for each step.
   */
  confirmRemembered?: boolean;
  /** What runs, for the preview's title: a step's title, or “Run all” of a runbook. */
  what?: string;
}

/**
 * One value, asked for: a QuickPick when the variable has `choices`, otherwise an InputBox with
 * `prefill` (a remembered value being changed) or the default. Undefined when Escape was pressed.
 */
async function askValue(placeholder: Placeholder, spec: VariableSpec | undefined, prefill: StoredValue | undefined): Promise<StoredValue | undefined> {
  const title = vscode.l10n.t('Value for {0}', placeholder.tokens[0]);
  const last = prefill && 'value' in prefill ? prefill.value : undefined;
  if (spec?.choices && spec.choices.length > 0) {
    const first = last !== undefined && spec.choices.includes(last) ? last : spec.default;
    const ordered = first !== undefined && spec.choices.includes(first) ? [first, ...spec.choices.filter((c) => c !== first)] : spec.choices;
    const describe = (choice: string): string | undefined => {
      if (choice === last) return vscode.l10n.t('last used');
      return choice === spec.default ? vscode.l10n.t('default') : undefined;
    };
    const picked = await vscode.window.showQuickPick(
      ordered.map((choice) => ({ label: choice, description: describe(choice) })),
      { title, placeHolder: describePlaceholder(placeholder, spec), ignoreFocusOut: true },
    );
    return picked && { value: picked.label };
  }
  const leaveToShell = placeholder.syntax === 'dollar' && placeholder.variable === undefined;
  const exported = placeholder.exported;
  if (exported) {
    // Runme's prompt for an exported value: the unquoted value is the question, a quoted one the answer offered.
    const answer = await vscode.window.showInputBox({
      title: vscode.l10n.t('Value for {0}', placeholder.name),
      prompt: exported.message ?? vscode.l10n.t('The value this step exports as {0} (empty sets it empty)', placeholder.name),
      value: last ?? exported.default ?? '',
      ignoreFocusOut: true,
      validateInput: (text) => {
        const problem = checkPlaceholderValue(text);
        return problem ? vscode.l10n.t(problem) : undefined;
      },
    });
    return answer === undefined ? undefined : { value: answer };
  }
  const answer = await vscode.window.showInputBox({
    title,
    prompt: leaveToShell
      ? vscode.l10n.t('{0} is never set in this runbook. Type a value, or leave it empty to let the shell expand {1}.', placeholder.tokens[0], placeholder.tokens[0])
      : describePlaceholder(placeholder, spec),
    value: last ?? spec?.default ?? '',
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
  if (answer === '' && leaveToShell) return { shell: true };
  return { value: answer === '' ? spec?.default ?? '' : answer };
}

/**
 * Collects a value for every placeholder. Values remembered from an earlier run (per runbook and per
 * active incident) are shown on one line and used only once accepted (“Change values…” asks for them
 * again, pre-filled); the others are asked for. Returns undefined when the user pressed Escape.
 */
export async function collectPlaceholderValues(
  runbook: vscode.Uri,
  placeholders: readonly Placeholder[],
  variables: Readonly<Record<string, VariableSpec>>,
  store: PlaceholderValueStore,
  options: CollectOptions = {},
): Promise<Map<string, string | undefined> | undefined> {
  const values = new Map<string, string | undefined>();
  const specOf = (placeholder: Placeholder): VariableSpec | undefined => (placeholder.variable !== undefined ? variables[placeholder.variable] : undefined);
  const unique: Placeholder[] = [];
  for (const placeholder of placeholders) if (!unique.some((p) => placeholderKey(p) === placeholderKey(placeholder))) unique.push(placeholder);
  // `promptEnv=yes` exports are asked every run (pre-filled with the last value), never taken as remembered.
  const remembered = unique.filter((p) => store.get(runbook, placeholderKey(p)) !== undefined && p.exported?.always !== true);
  const toAsk = unique.filter((p) => !remembered.includes(p));

  let change: Placeholder[] = [];
  if (remembered.length > 0 && options.confirmRemembered !== false) {
    const rememberedValues = remembered.map((p) => store.get(runbook, placeholderKey(p))!);
    const fromAlert = rememberedValues.some((value) => 'from' in value && value.from !== undefined);
    const line = remembered.map((p, i) => `${placeholderLabel(p)} = ${shownValue(p, rememberedValues[i], specOf(p)?.secret === true)}`).join(', ');
    const use = { label: toAsk.length > 0 ? vscode.l10n.t('$(check) Use {0}', line) : vscode.l10n.t('$(play) Run with {0}', line), change: false };
    const edit = { label: vscode.l10n.t('$(edit) Change values…'), description: vscode.l10n.t('asks for each again, pre-filled'), change: true };
    const scope = store.scope ? vscode.l10n.t('Remembered for this runbook and {0}.', store.scope) : vscode.l10n.t('Remembered for this runbook.');
    const picked = await vscode.window.showQuickPick([use, edit], {
      // Not "Run “…”?": that is how the confirmation of a step begins.
      title: fromAlert
        ? options.what ? vscode.l10n.t('Values for “{0}”, some from the alert', options.what) : vscode.l10n.t('Values to use, some from the alert')
        : options.what ? vscode.l10n.t('Values used last time for “{0}”', options.what) : vscode.l10n.t('Values used last time'),
      placeHolder: vscode.l10n.t('{0} Enter accepts, Escape cancels.', scope),
      ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    if (picked.change) change = remembered;
  }

  for (const placeholder of unique) {
    const key = placeholderKey(placeholder);
    const stored = store.get(runbook, key);
    const ask = toAsk.includes(placeholder) || change.includes(placeholder);
    const value = ask ? await askValue(placeholder, specOf(placeholder), stored) : stored;
    if (value === undefined) return undefined;
    values.set(key, 'value' in value ? value.value : undefined);
    if (ask) store.set(runbook, key, value, specOf(placeholder)?.secret === true && 'value' in value);
  }
  return values;
}

/** Values typed for placeholders belong to the incident they were typed for: the store's scope follows the active incident. */
export function scopeToActiveIncident(store: PlaceholderValueStore, active: ActiveIncident): vscode.Disposable {
  const follow = (): void => {
    store.scope = active.current?.incident.id ?? '';
  };
  follow();
  return active.onDidChange(follow);
}
