/**
 * Review routing from ownership (issue 6 item 7): runbooks name an `owner` (a team handle such as
 * `@org/payments`); incidents belong to the owners of their services. The CODEOWNERS block generated
 * from them makes GitHub request review from the owning team on every pull request that touches a
 * runbook or an incident. Only the marked block is ours; the rest of the file stays as people wrote it.
 */
import { decodeFileText } from '../text/fileText';
import { parseFrontMatter, type RunbookMetadata } from '../runbook/frontMatter';
import { loadPlain } from '../text/incidentSource';
import type { IncidentValidation } from '../incident/incidentValidation';
import { trimSlashes } from '../config/paths';

export const CODEOWNERS_BEGIN = '# BEGIN runbook-ops';
export const CODEOWNERS_END = '# END runbook-ops';
/** Where GitHub looks, in its order of precedence. */
export const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

export interface OwnedRunbook {
  /** Relative to the runbook repository root. */
  path: string;
  owner?: string;
  services: readonly string[];
}

export interface OwnedIncident {
  path: string;
  services: readonly string[];
}

export interface CodeownersRule {
  /** A CODEOWNERS pattern anchored at the git repository root: `/runbooks/db/failover.md`. */
  pattern: string;
  owners: string[];
  kind: 'runbook' | 'incident';
}

export interface CodeownersPlan {
  rules: CodeownersRule[];
  /** Service → owners, from the runbooks that list the service first (else from every runbook that lists it). */
  serviceOwners: Map<string, string[]>;
  /** Owners CODEOWNERS cannot route to (not @user, @org/team or an e-mail), by runbook. */
  unroutable: { path: string; owner: string }[];
}

const HANDLE = /^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\/[A-Za-z0-9._-]+)?$/;
/** `local@domain.tld`: one `@`, no spaces, a dot inside the domain (a loop: the regex form backtracks). */
function isEmail(word: string): boolean {
  const at = word.indexOf('@');
  if (at <= 0 || at !== word.lastIndexOf('@') || /\s/.test(word)) return false;
  const domain = word.slice(at + 1);
  return domain.length >= 3 && domain.slice(1, -1).includes('.');
}

/** The owners an `owner` field names: `@org/team`, `@org/a @org/b`, `@org/a, ops@example.com`. */
export function ownerHandles(owner: string | undefined): { routable: string[]; unroutable: string[] } {
  const routable: string[] = [];
  const unroutable: string[] = [];
  for (const word of (owner ?? '').split(/[\s,]+/).filter(Boolean)) (HANDLE.test(word) || isEmail(word) ? routable : unroutable).push(word);
  return { routable, unroutable };
}

/** A path as a CODEOWNERS pattern that matches exactly that file (gitignore escaping). */
export function codeownersPattern(repoPrefix: string, path: string): string {
  const full = `/${[trimSlashes(repoPrefix), path].filter(Boolean).join('/')}`;
  return full.replace(/[\\ #*?[\]!]/g, (c) => `\\${c}`);
}

function addOwners(map: Map<string, string[]>, key: string, owners: readonly string[]): void {
  const list = map.get(key) ?? [];
  for (const owner of owners) if (!list.includes(owner)) list.push(owner);
  map.set(key, list);
}

/**
 * The rules for a runbook repository that sits at `repoPrefix` inside its git repository ('' at the
 * root). Runbooks in path order, then incidents in path order; files without a routable owner are left out.
 */
export function planCodeowners(runbooks: readonly OwnedRunbook[], incidents: readonly OwnedIncident[], repoPrefix = ''): CodeownersPlan {
  const primary = new Map<string, string[]>();
  const mentioned = new Map<string, string[]>();
  const rules: CodeownersRule[] = [];
  const unroutable: { path: string; owner: string }[] = [];
  const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  for (const runbook of [...runbooks].sort(byPath)) {
    const { routable, unroutable: bad } = ownerHandles(runbook.owner);
    for (const owner of bad) unroutable.push({ path: runbook.path, owner });
    if (routable.length === 0) continue;
    rules.push({ pattern: codeownersPattern(repoPrefix, runbook.path), owners: routable, kind: 'runbook' });
    // A runbook that lists several services is usually about the first; the others are what it touches.
    if (runbook.services[0] !== undefined) addOwners(primary, runbook.services[0], routable);
    for (const service of runbook.services) addOwners(mentioned, service, routable);
  }
  const serviceOwners = new Map<string, string[]>();
  for (const service of [...mentioned.keys()].sort()) serviceOwners.set(service, primary.get(service) ?? mentioned.get(service)!);
  for (const incident of [...incidents].sort(byPath)) {
    const owners: string[] = [];
    for (const service of incident.services) for (const owner of serviceOwners.get(service) ?? []) if (!owners.includes(owner)) owners.push(owner);
    if (owners.length > 0) rules.push({ pattern: codeownersPattern(repoPrefix, incident.path), owners, kind: 'incident' });
  }
  return { rules, serviceOwners, unroutable };
}

/** The marked block, BEGIN and END lines included. */
export function renderCodeownersBlock(plan: CodeownersPlan): string[] {
  const lines = [`${CODEOWNERS_BEGIN}: generated by \`runbook-ops codeowners --write\` from runbook owners; change the owners in the runbooks, not here.`];
  const runbookRules = plan.rules.filter((r) => r.kind === 'runbook');
  const incidentRules = plan.rules.filter((r) => r.kind === 'incident');
  if (runbookRules.length) lines.push('# Runbooks: their front-matter owner', ...runbookRules.map((r) => `${r.pattern} ${r.owners.join(' ')}`));
  if (incidentRules.length) lines.push('# Incidents: the owners of their services', ...incidentRules.map((r) => `${r.pattern} ${r.owners.join(' ')}`));
  lines.push(CODEOWNERS_END);
  return lines;
}

/** The block's line range [start, end] (0-based, END line included) in a CODEOWNERS text, if it has one. */
export function findCodeownersBlock(text: string): { start: number; end: number; lines: string[] } | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => l.startsWith(CODEOWNERS_BEGIN));
  if (start === -1) return undefined;
  let end = lines.findIndex((l, i) => i > start && l.trim() === CODEOWNERS_END);
  // An END line lost by a hand edit: the block runs to the end of the file.
  if (end === -1) end = lines.length - 1;
  return { start, end, lines: lines.slice(start, end + 1) };
}

/** The file with the block replaced, or appended (last matching rule wins, so ours take precedence) when absent. */
export function replaceCodeownersBlock(existing: string | undefined, block: readonly string[]): string {
  if (existing === undefined || existing.trim() === '') return `${block.join('\n')}\n`;
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  const found = findCodeownersBlock(existing);
  const lines = existing.split(/\r?\n/);
  if (found) lines.splice(found.start, found.end - found.start + 1, ...block);
  else {
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    lines.push('', ...block);
  }
  const text = lines.join(eol);
  return text.endsWith(eol) ? text : text + eol;
}

/** Lines of the existing block that differ from the generated one (none: up to date). */
export function codeownersBlockDifferences(existingBlock: readonly string[], generated: readonly string[]): { missing: string[]; extra: string[] } {
  const have = new Set(existingBlock.map((l) => l.trimEnd()));
  const want = new Set(generated.map((l) => l.trimEnd()));
  return { missing: generated.filter((l) => !have.has(l.trimEnd())), extra: existingBlock.filter((l) => !want.has(l.trimEnd())) };
}

/** What the ownership rules read of a runbook. */
export type OwnershipMetadata = Pick<RunbookMetadata, 'owner' | 'services'>;

export function ownedRunbooks(paths: readonly string[], metadata: (path: string) => OwnershipMetadata | undefined): OwnedRunbook[] {
  return paths.map((path) => {
    const m = metadata(path);
    return { path, owner: m?.owner, services: m?.services ?? [] };
  });
}

export function ownedIncidents(validations: readonly Pick<IncidentValidation, 'path' | 'record'>[]): OwnedIncident[] {
  return validations.map((v) => {
    const services = v.record?.services;
    return { path: v.path, services: typeof services === 'string' ? [services] : Array.isArray(services) ? services.filter((s): s is string => typeof s === 'string') : [] };
  });
}

/**
 * Owners read from the files themselves: each runbook's front matter (no Markdown parse) and each
 * record's services. `read` gives a file's bytes, or undefined when it cannot be read.
 */
export function readOwnership(
  runbookPaths: readonly string[],
  incidentPaths: readonly string[],
  read: (path: string) => Uint8Array | string | undefined,
): { runbooks: OwnedRunbook[]; incidents: OwnedIncident[] } {
  const text = (path: string): string | undefined => {
    const content = read(path);
    return content === undefined ? undefined : typeof content === 'string' ? content : decodeFileText(content).text;
  };
  const runbooks = ownedRunbooks(runbookPaths, (path) => {
    const content = text(path);
    return content === undefined ? undefined : parseFrontMatter(content.split('\n', 400)).metadata;
  });
  const incidents = ownedIncidents(incidentPaths.map((path) => {
    let record: unknown;
    try {
      record = loadPlain(text(path) ?? '');
    } catch {
      record = undefined;
    }
    return { path, record: record !== null && typeof record === 'object' ? (record as never) : undefined };
  }));
  return { runbooks, incidents };
}
