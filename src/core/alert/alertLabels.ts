/**
 * An alert's labels as placeholder values (issue 19, item 2): `$NAMESPACE`, `${namespace}`, `<namespace>`
 * and `{{namespace}}` take the label `namespace`, names compared without regard to case, `_`, `-` or
 * spaces (`<node-name>` takes `node_name`). The values are only offered: the runner shows them before
 * the first run and quotes them like any value.
 */
import type { Placeholder } from '../runbook/placeholders';
import { checkPlaceholderValue, placeholderKey } from '../runbook/stepCommand';

export interface LabelValue {
  placeholder: Placeholder;
  /** The label the value came from, as the alert spells it. */
  label: string;
  value: string;
}

export interface LabelFill {
  filled: LabelValue[];
  /** Labels that name a placeholder but whose value cannot be used (a line break), with why. */
  refused: { placeholder: Placeholder; label: string; reason: string }[];
}

function labelKey(name: string): string {
  return name.toLowerCase().replace(/[-_\s]+/g, '');
}

/** The value each placeholder (once per {@link placeholderKey}) takes from `labels`, in the placeholders' order. */
export function placeholderValuesFromLabels(placeholders: readonly Placeholder[], labels: Readonly<Record<string, string>>): LabelFill {
  const byKey = new Map<string, string>();
  // A label spelled two ways (`Namespace` and `namespace`) is ambiguous only if the values differ; the first wins.
  for (const label of Object.keys(labels)) if (!byKey.has(labelKey(label))) byKey.set(labelKey(label), label);
  const fill: LabelFill = { filled: [], refused: [] };
  const seen = new Set<string>();
  for (const placeholder of placeholders) {
    const key = placeholderKey(placeholder);
    if (seen.has(key)) continue;
    seen.add(key);
    const label = byKey.get(labelKey(placeholder.name)) ?? (placeholder.variable !== undefined ? byKey.get(labelKey(placeholder.variable)) : undefined);
    if (label === undefined) continue;
    const value = labels[label];
    const problem = checkPlaceholderValue(value);
    if (problem) fill.refused.push({ placeholder, label, reason: problem });
    else fill.filled.push({ placeholder, label, value });
  }
  return fill;
}
