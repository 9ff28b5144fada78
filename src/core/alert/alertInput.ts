/**
 * What "an alert" is for Find Runbook for Alert and `runbook-ops alert` (issue 19, item 1): a bare
 * alert name, or alerts as Alertmanager sends them (a webhook payload `{alerts: [...]}`, the API's list
 * of alerts, or one alert with `labels`, `annotations` and `startsAt`).
 */

export interface Alert {
  /** `labels.alertname`, or the name given. */
  name: string;
  /** String-valued labels only (Alertmanager's are all strings). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** RFC 3339, as Alertmanager writes it. */
  startsAt?: string;
}

/** Input that is neither an alert name nor an alert payload; the message says what is wrong and how to fix it. */
export class AlertInputError extends Error {
  override name = 'AlertInputError';
}

const HOW = 'Give an alert name (such as KubePodCrashLooping) or an alert as Alertmanager sends it: JSON with "labels" (holding "alertname") and "annotations", or a webhook payload with "alerts".';

/** The alerts in `text` (one for a name; every alert of a payload, in its order). */
export function parseAlertInput(text: string): Alert[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new AlertInputError(`No alert given. ${HOW}`);
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
    if (/[\r\n]/.test(trimmed)) throw new AlertInputError(`An alert name is one line; this text has several and is not JSON. ${HOW}`);
    return [{ name: trimmed, labels: {}, annotations: {} }];
  }
  let payload: unknown;
  try {
    payload = JSON.parse(trimmed);
  } catch (err) {
    throw new AlertInputError(`The alert is not valid JSON: ${jsonErrorWhere(trimmed, (err as Error).message)}. ${HOW}`);
  }
  const items = Array.isArray(payload) ? payload : isObject(payload) && Array.isArray(payload.alerts) ? payload.alerts : [payload];
  if (items.length === 0) throw new AlertInputError(`The payload holds no alerts ("alerts" is empty). ${HOW}`);
  return items.map((item, i) => alertFrom(item, items.length > 1 ? `alert ${i + 1}` : 'the alert'));
}

function alertFrom(item: unknown, which: string): Alert {
  if (!isObject(item)) throw new AlertInputError(`${capitalize(which)} is not an object. ${HOW}`);
  if (!isObject(item.labels)) throw new AlertInputError(`${capitalize(which)} has no "labels" object. ${HOW}`);
  const labels = strings(item.labels);
  const name = labels.alertname?.trim();
  if (!name) throw new AlertInputError(`${capitalize(which)} has no "alertname" label: Alertmanager puts the alert's name there. ${HOW}`);
  const alert: Alert = { name, labels, annotations: isObject(item.annotations) ? strings(item.annotations) : {} };
  if (typeof item.startsAt === 'string' && item.startsAt.trim() !== '') alert.startsAt = item.startsAt.trim();
  return alert;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (typeof value === 'string') out[key] = value;
  return out;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** V8's message with the line and column of its "at position N", so a pasted payload can be fixed. */
function jsonErrorWhere(text: string, message: string): string {
  const position = /\bposition (\d+)/.exec(message);
  if (!position) return message;
  const offset = Math.min(Number(position[1]), text.length);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const cut = message.indexOf(' in JSON at position');
  return `${cut >= 0 ? message.slice(0, cut) : message} at line ${line}, column ${column}`;
}
