// A deterministic synthetic runbook repository for `npm run bench` and the index equivalence tests:
// runbooks shaped like real ones (mostly no front matter, Diagnosis/Mitigation sections, fenced blocks
// many of them inside numbered lists, prompts with output, placeholders, 2–8 KB, ~200 service folders)
// and incident records (5–40 timeline entries, 0–5 action items, 1–6 KB). A few files of each kind carry
// the mistakes real repositories have, so the slow paths (problems with positions) are measured too.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Bump when the generated text changes, so cached corpora from older generators are not reused. */
const GENERATOR_VERSION = 6;
export const DEFAULT_CORPUS_SEED = 20260701;

export interface CorpusSize {
  runbooks: number;
  incidents: number;
}

export const SMALL_CORPUS: CorpusSize = { runbooks: 1_000, incidents: 1_000 };
export const FULL_CORPUS: CorpusSize = { runbooks: 10_000, incidents: 10_000 };

/**
 * Whose field names the incident records use: `ours` (this project's schema) or `foreign`: another
 * team's tool's spelling of the same fields (`Started-At`, `Severity`, `Exit-Code`…), sharing only `id`,
 * `timeline`, `action_items` and the entries' `at`, `by` and `kind`, so most keys are unknown and
 * reported with a suggestion: about 75 problems a record, 755,000 on 10,000 records (issue 17).
 */
export type RecordSchema = 'ours' | 'foreign';

/** Keys the foreign schema shares with ours: the lists under them are checked entry by entry. */
const SHARED_KEYS = new Set(['id', 'timeline', 'action_items', 'at', 'by', 'kind']);

/** `started_at` → `Started-At`. */
function foreignKey(key: string): string {
  return SHARED_KEYS.has(key) ? key : key.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('-');
}

/** A record of ours with its keys spelled the foreign way (values and layout kept). */
function foreignRecord(text: string): string {
  // A key starts a line, after indentation and an optional "- "; `{ a: 1, b: 2 }` flow maps too.
  return text
    .replace(/^(\s*(?:- )?)([a-z_]+):/gm, (_, lead: string, key: string) => `${lead}${foreignKey(key)}:`)
    .replace(/([{,] )([a-z_]+):/g, (_, lead: string, key: string) => `${lead}${foreignKey(key)}:`);
}

export interface CorpusFile {
  path: string;
  text: string;
}

export interface CorpusStats {
  runbooks: number;
  incidents: number;
  runbookBytes: number;
  incidentBytes: number;
  serviceFolders: number;
}

export interface Corpus {
  root: string;
  /** Repository-relative paths of every generated file, sorted. */
  files: string[];
  stats: CorpusStats;
}

/** Deterministic PRNG (mulberry32): the same seed gives the same repository on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  constructor(readonly random: () => number) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  some<T>(items: readonly T[], min: number, max: number): T[] {
    const count = Math.min(items.length, this.int(min, max));
    const pool = [...items];
    const out: T[] = [];
    for (let i = 0; i < count; i++) out.push(pool.splice(Math.floor(this.random() * pool.length), 1)[0]);
    return out;
  }
}

const SERVICE_STEMS = [
  'checkout', 'orders', 'payments', 'search', 'auth', 'billing', 'catalog', 'inventory', 'shipping', 'notifications',
  'ledger', 'pricing', 'recommendations', 'profile', 'gateway', 'cart', 'fraud', 'risk', 'identity', 'session',
  'media', 'upload', 'reporting', 'analytics', 'scheduler', 'invoicing', 'tax', 'returns', 'loyalty', 'reviews',
  'geo', 'mailer', 'sms', 'webhooks', 'feature-flags', 'audit', 'export', 'import', 'warehouse', 'courier',
];
const SERVICE_KINDS = ['api', 'worker', 'db', 'cache', 'queue'];
const TEAMS = ['commerce', 'payments', 'platform', 'data', 'identity', 'fulfilment', 'growth', 'edge'];
const TOPICS = [
  'high-error-rate', 'high-latency', 'pod-crashloop', 'disk-full', 'replication-lag', 'consumer-lag', 'cert-expiry',
  'failover', 'rollback', 'scale-out', 'restart', 'memory-leak', 'dns-resolution', 'rate-limited', 'deploy-stuck',
  'backup-restore', 'node-not-ready', 'oom-killed', 'queue-backlog', 'connection-pool-exhausted', 'dead-letter-queue',
  'slow-queries', 'cache-stampede', 'stale-reads', 'hot-partition', 'secret-rotation', 'quota-exceeded', 'drain-node',
];
const PEOPLE = ['ada', 'bob', 'carol', 'dmitri', 'farah', 'ivan', 'jun', 'kemal', 'lena', 'mateo', 'noor', 'priya', 'sven', 'yuki'];
const ALERT_WORDS = ['High', 'Low', 'Stalled', 'Down', 'Saturated', 'Errors', 'Latency', 'Lag', 'Expiring', 'Full'];
const LANGUAGES_OF_SCRIPTS = ['sh', 'sh', 'sh', 'bash', 'bash', 'console', 'console', 'shell'];
const VERBS = ['Check', 'Confirm', 'Look at', 'Find', 'List', 'Inspect', 'Compare', 'Watch', 'Record', 'Verify'];
const OBJECTS = ['the pods', 'the error rate', 'recent deploys', 'the slow queries', 'consumer lag', 'the node conditions', 'the connection pool', 'the certificate', 'the queue depth', 'disk usage'];
const CLAUSES = [
  'this is usually the quickest signal', 'do this before touching anything', 'the dashboard lags by a minute',
  'compare with the same hour last week', 'note the numbers in the incident channel', 'expect a short spike',
  'it is safe to run at any time', 'only the on-call engineer should do this', 'the change is reversible',
];
const WORDS = [
  'traffic', 'replica', 'primary', 'deploy', 'latency', 'budget', 'customers', 'checkout', 'requests', 'timeouts',
  'partition', 'cluster', 'namespace', 'dashboard', 'alert', 'threshold', 'rollout', 'canary', 'capacity', 'load',
  'balancer', 'connection', 'retries', 'backoff', 'queue', 'messages', 'storage', 'volume', 'snapshot', 'window',
];

interface Service {
  name: string;
  team: string;
  kind: string;
}

function makeServices(dice: Dice): Service[] {
  const services: Service[] = [];
  for (const stem of SERVICE_STEMS) {
    for (const kind of SERVICE_KINDS) services.push({ name: `${stem}-${kind}`, team: dice.pick(TEAMS), kind });
  }
  return services; // 40 × 5 = 200 service folders
}

function sentence(dice: Dice): string {
  const words = Array.from({ length: dice.int(6, 16) }, () => dice.pick(WORDS));
  if (dice.chance(0.3)) words[dice.int(0, words.length - 1)] = `\`${dice.pick(WORDS)}-${dice.int(1, 9)}\``;
  if (dice.chance(0.15)) words[dice.int(0, words.length - 1)] = `**${dice.pick(WORDS)}**`;
  if (dice.chance(0.1)) words[dice.int(0, words.length - 1)] = `[${dice.pick(WORDS)}](https://grafana.example.com/d/${dice.int(100, 999)})`;
  const text = words.join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

/** A timeline note: a few plain words, as people type them during an incident. */
function shortSentence(dice: Dice): string {
  const text = Array.from({ length: dice.int(3, 9) }, () => dice.pick(WORDS)).join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}${dice.chance(0.3) ? ` on ${dice.pick(WORDS)}-${dice.int(1, 9)}` : ''}`;
}

function paragraph(dice: Dice, indent = ''): string[] {
  const text = Array.from({ length: dice.int(1, 4) }, () => sentence(dice)).join(' ');
  // Wrapped at ~78 columns like hand-written Markdown.
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length > 76) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

interface RunbookContext {
  dice: Dice;
  service: Service;
  /** `name=` ids written so far, for incidents to reference. */
  namedSteps: string[];
  usesVariables: boolean;
}

function placeholderCommand(ctx: RunbookContext): string {
  const { dice, service } = ctx;
  const ns = ctx.usesVariables ? '{{namespace}}' : dice.pick(['<namespace>', service.team, '$NAMESPACE']);
  const templates = [
    `kubectl -n ${ns} get pods -l app=${service.name} -o wide`,
    `kubectl -n ${ns} logs deploy/${service.name} --since=15m | grep -i error | tail -n 50`,
    `kubectl -n ${ns} rollout status deploy/${service.name} --timeout=120s`,
    `kubectl -n ${ns} describe pod <pod>`,
    `curl -fsS https://${service.name}.internal/healthz`,
    `psql -h <host> -U monitor -d ${service.name.replace(/-/g, '_')} -Atc "select count(*) from pg_stat_activity;"`,
    `kafka-consumer-groups --bootstrap-server kafka.internal:9092 --describe --group ${service.name}`,
    `redis-cli -h <redis-host> info memory | grep used_memory_human`,
    `aws cloudwatch get-metric-statistics --namespace AWS/ELB --metric-name Latency --period 60 --statistics Average --start-time $START --end-time $END`,
    `df -h /var/lib/${service.kind}`,
    `journalctl -u ${service.name} --since "10 min ago" --no-pager | tail -n 100`,
    `helm -n ${ns} history ${service.name} --max 5`,
  ];
  return dice.pick(templates);
}

function outputLines(dice: Dice, service: Service): string[] {
  const lines = [`NAME${' '.repeat(28)}READY   STATUS    RESTARTS   AGE`];
  for (let i = 0; i < dice.int(2, 6); i++) {
    const status = dice.pick(['Running', 'Running', 'Running', 'CrashLoopBackOff', 'Pending']);
    lines.push(`${service.name}-${dice.int(1000, 9999)}-${dice.int(10000, 99999)}`.padEnd(32) + `1/1     ${status.padEnd(9)} ${String(dice.int(0, 9)).padEnd(10)} ${dice.int(1, 59)}m`);
  }
  return lines;
}

/** One code block's lines (fences included), indented for its container. */
function codeBlock(ctx: RunbookContext, indent: string): string[] {
  const { dice } = ctx;
  const roll = dice.random();
  const fence = dice.chance(0.04) ? '~~~' : '```';
  if (roll < 0.62) {
    const language = dice.pick(LANGUAGES_OF_SCRIPTS);
    let attributes = '';
    if (dice.chance(0.25)) {
      const name = `${dice.pick(['check', 'restart', 'scale', 'drain', 'verify', 'rollback', 'purge', 'describe'])}-${dice.pick(['pods', 'lag', 'leader', 'cache', 'queue', 'deploy', 'disk'])}`;
      ctx.namedSteps.push(name);
      attributes = dice.chance(0.3) ? ` {name=${name} confirm}` : ` {name=${name}}`;
    }
    const body: string[] = [];
    if (language === 'console' || dice.chance(0.2)) {
      body.push(`$ ${placeholderCommand(ctx)}`, ...outputLines(dice, ctx.service));
      if (dice.chance(0.3)) body.push(`$ ${placeholderCommand(ctx)}`, 'ok');
    } else {
      body.push(placeholderCommand(ctx));
      if (dice.chance(0.3)) body.push(placeholderCommand(ctx));
      if (dice.chance(0.1)) body.push(`${placeholderCommand(ctx)} \\`, '  --dry-run=server');
      if (dice.chance(0.05)) body.push("cat > /tmp/plan.txt <<'EOF'", `service: ${ctx.service.name}`, 'reason: mitigation', 'EOF');
    }
    return [`${indent}${fence}${language}${attributes}`, ...body.map((l) => `${indent}${l}`), `${indent}${fence}`];
  }
  if (roll < 0.8) {
    const body = ['rate(http_requests_total{service="' + ctx.service.name + '",code=~"5.."}[5m])', 'sum by (pod) (container_memory_working_set_bytes)'];
    return [`${indent}${fence}promql`, `${indent}${dice.pick(body)}`, `${indent}${fence}`];
  }
  if (roll < 0.92) {
    return [`${indent}${fence}yaml`, `${indent}resources:`, `${indent}  limits:`, `${indent}    memory: ${dice.int(1, 8)}Gi`, `${indent}${fence}`];
  }
  return [`${indent}${fence}`, ...outputLines(dice, ctx.service).map((l) => `${indent}${l}`), `${indent}${fence}`];
}

function numberedSteps(ctx: RunbookContext): string[] {
  const { dice } = ctx;
  const lines: string[] = [];
  const count = dice.int(2, 5);
  for (let n = 1; n <= count; n++) {
    const title = `${dice.pick(VERBS)} ${dice.pick(OBJECTS)}${dice.chance(0.5) ? `; ${dice.pick(CLAUSES)}` : ''}:`;
    lines.push(`${n}. ${title}`);
    if (dice.chance(0.3)) lines.push(...paragraph(dice, '   ').slice(0, 2));
    if (dice.chance(0.75)) lines.push('', ...codeBlock(ctx, '   '));
    if (dice.chance(0.2)) lines.push('', ...paragraph(dice, '   '));
    lines.push('');
  }
  return lines;
}

function bulletList(dice: Dice): string[] {
  return Array.from({ length: dice.int(2, 5) }, () => `- ${sentence(dice)}`);
}

/** The rarer shapes: notes, tables, collapsible blocks, indented transcripts, setext headings. */
function oddity(ctx: RunbookContext): string[] {
  const { dice } = ctx;
  switch (dice.int(0, 6)) {
    case 0:
      return ['> **Warning:** ' + sentence(dice), '> ' + sentence(dice), ''];
    case 1:
      return ['| Signal | Normal | Page |', '|---|---|---|', `| p99 latency | < ${dice.int(100, 300)} ms | > ${dice.int(500, 900)} ms |`, `| error rate | < 0.1% | > ${dice.int(1, 5)}% |`, ''];
    case 2:
      return ['<details>', '<summary>Example output</summary>', '', ...codeBlock(ctx, ''), '', '</details>', ''];
    case 3:
      return ['Or, from a bastion host:', '', `    $ ${placeholderCommand(ctx)}`, '    ok', ''];
    case 4:
      return ['Background', '----------', '', ...paragraph(dice), ''];
    case 5:
      return ['<!-- generated from the service catalogue; edit there -->', ''];
    default:
      return ['* * *', ''];
  }
}

function frontMatter(ctx: RunbookContext, title: string): string[] {
  const { dice, service } = ctx;
  const lines = ['---', `title: ${title}`, `services: [${[service.name, ...(dice.chance(0.3) ? [`${dice.pick(SERVICE_STEMS)}-api`] : [])].join(', ')}]`];
  if (dice.chance(0.8)) lines.push(`owner: "@acme/${service.team}"`);
  lines.push(`tags: [${dice.some(['database', 'kubernetes', 'network', 'deploy', 'queue', 'cache', 'security', service.kind], 1, 3).join(', ')}]`);
  if (dice.chance(0.7)) lines.push(`alerts: [${service.name.replace(/(^|-)(\w)/g, (_, _d: string, c: string) => c.toUpperCase())}${dice.pick(ALERT_WORDS)}]`);
  if (dice.chance(0.6)) lines.push(`last_reviewed: 202${dice.int(4, 5)}-0${dice.int(1, 9)}-1${dice.int(0, 9)}`, `review_every: ${dice.pick(['90d', '6m', '1y', '12w'])}`);
  if (ctx.usesVariables) {
    lines.push('variables:', '  namespace:', '    description: Kubernetes namespace', `    default: ${service.team}`, `    choices: [${service.team}, ${service.team}-canary]`);
  }
  lines.push('---');
  return lines;
}

/** One runbook, 2–8 KB. */
export function generateRunbook(dice: Dice, service: Service, topic: string, namedSteps: string[]): string {
  const hasFrontMatter = dice.chance(0.2);
  const ctx: RunbookContext = { dice, service, namedSteps, usesVariables: hasFrontMatter && dice.chance(0.4) };
  const title = `${service.name} ${topic.replace(/-/g, ' ')}`;
  const target = dice.int(2_000, 7_600);
  const lines: string[] = [];
  if (hasFrontMatter) lines.push(...frontMatter(ctx, title));
  if (dice.chance(0.96)) lines.push(`# ${title}`, '');
  lines.push(...paragraph(dice), '');
  lines.push('## Symptoms', '', ...bulletList(dice), '');
  lines.push('## Diagnosis', '', ...numberedSteps(ctx));
  const sections = ['Mitigation', 'Mitigation', 'Verify', 'Roll back', 'Escalation', 'Follow-up'];
  let size = lines.join('\n').length;
  for (let s = 0; size < target; s++) {
    const section: string[] = [];
    const name = s === 0 ? 'Mitigation' : dice.pick(sections);
    section.push(`## ${name}`, '');
    if (dice.chance(0.5)) section.push(...paragraph(dice), '');
    const parts = dice.int(1, 3);
    for (let p = 0; p < parts; p++) {
      if (dice.chance(0.4)) section.push(`### ${dice.pick(VERBS)} ${dice.pick(OBJECTS)}`, '');
      const roll = dice.random();
      if (roll < 0.5) section.push(...numberedSteps(ctx));
      else if (roll < 0.8) section.push(...paragraph(dice), '', ...codeBlock(ctx, ''), '');
      else section.push(...bulletList(dice), '');
      if (dice.chance(0.12)) section.push(...oddity(ctx));
    }
    const added = section.join('\n').length + 1;
    if (size + added > 8_000 && size >= 2_000) break;
    lines.push(...section);
    size += added;
  }
  // The mistakes real repositories have: a fence never closed, a command in the language slot.
  const mistake = dice.random();
  if (mistake < 0.01) lines.push('## Clean up', '', '```sh', `kubectl -n ${service.team} delete pod <pod>`, '');
  else if (mistake < 0.02) lines.push('## Clean up', '', '```kubectl get events --sort-by=.lastTimestamp', '```', '');
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

const STATUS_WEIGHTS: readonly [string, number][] = [
  ['closed', 0.7], ['resolved', 0.1], ['mitigated', 0.05], ['investigating', 0.04], ['acknowledged', 0.03], ['triage', 0.03], ['cancelled', 0.05],
];
const WORKFLOW = ['triage', 'acknowledged', 'investigating', 'mitigated', 'resolved', 'closed'];
const STATUS_FIELD: Record<string, string> = { acknowledged: 'acknowledged_at', mitigated: 'mitigated_at', resolved: 'resolved_at', closed: 'closed_at' };

function weighted(dice: Dice, weights: readonly [string, number][]): string {
  let roll = dice.random();
  for (const [value, weight] of weights) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return weights[weights.length - 1][0];
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface RunbookReferenceTarget {
  path: string;
  namedSteps: string[];
}

/** One incident record, 1–6 KB; `flaw` writes one of the mistakes the validator reports. */
export function generateIncident(dice: Dice, id: string, services: Service[], runbooks: readonly RunbookReferenceTarget[], flaw: boolean): string {
  const status = weighted(dice, STATUS_WEIGHTS);
  const reached = status === 'cancelled' ? 0 : WORKFLOW.indexOf(status);
  const service = dice.pick(services);
  const start = Date.UTC(2022, 0, 1) + Math.floor(dice.random() * 3 * 365 * 86_400_000 / 60_000) * 60_000;
  const commander = dice.pick(PEOPLE);
  const used = dice.some(runbooks, 0, 3);
  // Most incidents are short; a few run long (5–40 entries, skewed low like real records).
  const timelineCount = 5 + Math.floor(35 * dice.random() ** 1.6);
  const lines: string[] = [
    `id: ${id}`,
    `title: ${service.name} ${dice.pick(['5xx after deploy', 'latency spike', 'consumer lag', 'disk full on primary', 'certificate expired', 'crashloop after config change', 'partial outage in eu-west-1', 'elevated timeouts'])}`,
    `status: ${status}`,
    `severity: SEV${dice.int(1, 4)}`,
  ];
  const mode = dice.random();
  if (mode < 0.07) lines.push('mode: drill');
  else if (mode < 0.1) lines.push('mode: retrospective');
  else if (mode < 0.5) lines.push('mode: standard');
  lines.push(`services: [${[service.name, ...dice.some(services, 0, 2).map((s) => s.name)].join(', ')}]`, `commander: ${commander}`);
  if (dice.chance(0.4)) lines.push(`roles: { scribe: ${dice.pick(PEOPLE)}, comms: ${dice.pick(PEOPLE)} }`);

  // Milestones spread over the timeline, in order.
  const spanMs = (dice.int(20, 600) + timelineCount * 3) * 60_000;
  const at = (fraction: number): number => start + Math.floor((spanMs * fraction) / 1000) * 1000;
  lines.push(`started_at: ${timestamp(at(0))}`, `detected_at: ${timestamp(at(0.05))}`, `declared_at: ${timestamp(at(0.08))}`);
  const milestones: Record<string, number> = { acknowledged: at(0.1), mitigated: at(0.6), resolved: at(0.9), closed: at(1) + 3 * 86_400_000 };
  for (const state of ['acknowledged', 'mitigated', 'resolved', 'closed']) {
    if (reached >= WORKFLOW.indexOf(state)) lines.push(`${STATUS_FIELD[state]}: ${timestamp(milestones[state])}`);
    else if (dice.chance(0.2)) lines.push(`${STATUS_FIELD[state]}: null`);
  }
  lines.push('summary: |');
  for (const l of paragraph(dice, '  ')) lines.push(l.replace(/[*`[\]()]/g, ''));
  lines.push(`impact: ${sentence(dice).replace(/[*`[\]():]/g, '')}`);
  if (used.length) lines.push(`runbooks: [${used.map((r) => r.path).join(', ')}]`);

  lines.push('timeline:');
  let previousStatus = 'triage';
  // Records stay within 6 KB: a long timeline stops early rather than outgrow it.
  let bytes = lines.join('\n').length;
  for (let i = 0; i < timelineCount && (i < 5 || bytes < 4_800); i++) {
    const before = lines.length;
    const when = timestamp(at(0.05 + (0.9 * i) / timelineCount));
    const who = i === 0 ? 'alertmanager' : dice.pick([commander, ...PEOPLE]);
    const roll = dice.random();
    lines.push(`  - at: ${when}`, `    by: ${who}`);
    if (i === 0) {
      lines.push('    kind: detection', `    text: ${service.name.replace(/(^|-)(\w)/g, (_, _d: string, c: string) => c.toUpperCase())}${dice.pick(ALERT_WORDS)} fired`);
    } else if (roll < 0.15 && WORKFLOW.indexOf(previousStatus) < reached) {
      const next = WORKFLOW[WORKFLOW.indexOf(previousStatus) + 1];
      lines.push('    kind: status', `    from: ${previousStatus}`, `    to: ${next}`, `    text: ${next[0].toUpperCase()}${next.slice(1)}`);
      previousStatus = next;
    } else if (roll < 0.45 && used.length) {
      const runbook = dice.pick(used);
      const step = runbook.namedSteps.length ? dice.pick(runbook.namedSteps) : undefined;
      lines.push('    kind: action', `    text: "Ran \\"${dice.pick(VERBS)} ${dice.pick(OBJECTS)}\\""`);
      if (step) lines.push(`    step: ${runbook.path}#${step}`);
      if (dice.chance(0.4)) lines.push(`    command: kubectl -n ${service.team} get pods -l app=${service.name}`);
      lines.push(`    exit_code: ${dice.chance(0.9) ? 0 : 1}`, `    duration_ms: ${dice.int(80, 9000)}`);
    } else {
      lines.push(`    kind: ${dice.pick(['note', 'note', 'note', 'comms', 'role'])}`, `    text: ${shortSentence(dice)}`);
    }
    for (let l = before; l < lines.length; l++) bytes += lines[l].length + 1;
  }
  const actionItems = dice.int(0, 5);
  if (actionItems > 0) {
    lines.push('action_items:');
    for (let i = 1; i <= actionItems; i++) {
      lines.push(`  - id: AI-${i}`, `    title: ${dice.pick(VERBS)} ${dice.pick(OBJECTS)} alerting for ${service.name}`, `    owner: ${dice.pick(PEOPLE)}`, `    status: ${dice.pick(['open', 'in_progress', 'done', 'done', 'wont_do'])}`);
      if (dice.chance(0.7)) lines.push(`    due: 202${dice.int(3, 6)}-${String(dice.int(1, 12)).padStart(2, '0')}-${String(dice.int(1, 28)).padStart(2, '0')}`);
    }
  }
  if (reached >= WORKFLOW.indexOf('closed') && dice.chance(0.5)) lines.push(`postmortem: https://docs.example.com/postmortems/${id}`);
  if (dice.chance(0.6)) {
    lines.push('links:', `  - { title: ${service.name} dashboard, url: "https://grafana.example.com/d/${service.name}" }`);
    if (dice.chance(0.3)) lines.push(`  - title: Deploy log`, `    url: https://deploys.example.com/${service.name}/${dice.int(1000, 9999)}`);
  }
  if (flaw) {
    switch (dice.int(0, 3)) {
      case 0:
        lines[lines.findIndex((l) => l.startsWith('detected_at:'))] = `detected_at: ${timestamp(at(0.05)).replace('T', ' ').replace('Z', '')}`;
        break;
      case 1:
        lines[lines.findIndex((l) => l.startsWith('severity:'))] = lines[lines.findIndex((l) => l.startsWith('severity:'))].replace('severity', 'severty');
        break;
      case 2: {
        const kind = lines.findIndex((l) => l.startsWith('    kind: note'));
        if (kind !== -1) lines[kind] = '    kind: notes';
        else lines.push('owner: nobody');
        break;
      }
      default:
        lines.push(`  - at: ${timestamp(start - 3_600_000)}`, `    by: ${commander}`, '    kind: note', '    text: Added late');
        if (lines.some((l) => l === 'action_items:' || l === 'links:' || l.startsWith('postmortem:'))) lines.push('unsorted: true');
        break;
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Every file of the corpus in memory, in generation order (deterministic for a seed and size). */
export function generateCorpusFiles(size: CorpusSize, seed = DEFAULT_CORPUS_SEED, schema: RecordSchema = 'ours'): CorpusFile[] {
  const dice = new Dice(seededRandom(seed));
  const services = makeServices(dice);
  const files: CorpusFile[] = [];
  const targets: RunbookReferenceTarget[] = [];
  const used = new Set<string>();
  for (let i = 0; i < size.runbooks; i++) {
    const service = services[i % services.length];
    let topic = dice.pick(TOPICS);
    let path = `${service.team}/${service.name}/${topic}.md`;
    for (let n = 2; used.has(path); n++) path = `${service.team}/${service.name}/${topic}-${n}.md`;
    used.add(path);
    if (dice.chance(0.02)) topic = `${topic}-legacy`;
    const namedSteps: string[] = [];
    files.push({ path, text: generateRunbook(dice, service, topic, namedSteps) });
    targets.push({ path, namedSteps: [...new Set(namedSteps)] });
  }
  for (let i = 0; i < size.incidents; i++) {
    const id = `INC-${String(i + 1).padStart(5, '0')}`;
    const year = 2022 + Math.floor((i * 3) / Math.max(1, size.incidents));
    // Incidents mostly cite runbooks of nearby services; a tiny share cites a renamed one.
    const nearby = targets.length ? targets.slice(Math.max(0, (i * 7) % targets.length - 20), ((i * 7) % targets.length) + 20) : [];
    const cited = dice.chance(0.003) && nearby.length ? [...nearby, { path: `${nearby[0].path.replace(/\.md$/, '')}-old.md`, namedSteps: [] }] : nearby;
    const record = generateIncident(dice, id, services, cited, dice.chance(0.01));
    files.push({ path: `incidents/${year}/${id}.yaml`, text: schema === 'foreign' ? foreignRecord(record) : record });
  }
  return files;
}

function corpusStats(files: readonly CorpusFile[]): CorpusStats {
  const stats: CorpusStats = { runbooks: 0, incidents: 0, runbookBytes: 0, incidentBytes: 0, serviceFolders: 0 };
  const folders = new Set<string>();
  for (const file of files) {
    const bytes = Buffer.byteLength(file.text);
    if (file.path.endsWith('.md')) {
      stats.runbooks++;
      stats.runbookBytes += bytes;
      folders.add(dirname(file.path));
    } else {
      stats.incidents++;
      stats.incidentBytes += bytes;
    }
  }
  stats.serviceFolders = folders.size;
  return stats;
}

/** Writes the corpus under `root` (created; must not exist or be empty). */
export function writeCorpus(root: string, files: readonly CorpusFile[]): void {
  const made = new Set<string>();
  for (const file of files) {
    const full = join(root, file.path);
    const dir = dirname(full);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(full, file.text);
  }
}


/**
 * The corpus for `size` and `seed`, generated once into os.tmpdir() and reused by later runs (generating
 * 20,000 files takes longer than indexing them). A partly written corpus is never reused.
 */
export function ensureCorpus(size: CorpusSize, seed = DEFAULT_CORPUS_SEED, cacheDir = tmpdir(), schema: RecordSchema = 'ours'): Corpus {
  const root = join(cacheDir, `runbook-ops-bench-v${GENERATOR_VERSION}-${seed}-${size.runbooks}r-${size.incidents}i${schema === 'ours' ? '' : `-${schema}`}`);
  // Beside the folder, not in it: the corpus holds only what a repository would.
  const marker = `${root}.complete.json`;
  if (existsSync(marker)) {
    const cached = JSON.parse(readFileSync(marker, 'utf8')) as { files: string[]; stats: CorpusStats };
    return { root, files: cached.files, stats: cached.stats };
  }
  const files = generateCorpusFiles(size, seed, schema);
  const staging = `${root}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  writeCorpus(staging, files);
  const paths = files.map((f) => f.path).sort();
  const stats = corpusStats(files);
  rmSync(root, { recursive: true, force: true });
  renameSync(staging, root);
  writeFileSync(marker, JSON.stringify({ files: paths, stats }));
  return { root, files: paths, stats };
}
