/**
 * The rulebook: every cross-file rule `runbook-ops check` applies, with one code, one severity and one
 * message per rule, run by the CLI and by the extension's Problems panel alike (issue 18 item 2). Pure:
 * the callers say which files exist, what the runbooks and records hold and the review dates (from
 * git); the per-file problems (parsing, validation) come from the index summaries and the validator.
 */
import { plainProblem, type Problem } from '../text/fileText';
import { closestKnownName } from '../text/nameDistance';
import type { IncidentCheckFacts } from '../incident/incidentCheck';
import { findDuplicateIncidentIds, type IncidentProblem } from '../incident/incidentValidation';
import type { RunbookSummary } from '../index/workspaceIndex';
import type { ReviewState } from '../runbook/reviewState';
import { slugify, type RunbookHeading } from '../runbook/runbook';
import type { RunbookLink, RunbookTextFacts } from './runbookLinks';
import { isPageLink, isUnchecked, namesSourceFile, pageSources, siteOf, type SiteConfig } from '../config/siteLinks';

export type RuleCode =
  | 'broken-link'
  | 'link-outside-repository'
  | 'unverified-link'
  | 'missing-anchor'
  | 'missing-owner'
  | 'review-overdue'
  | 'invalid-duplicate-of'
  | 'codeowners-out-of-date';

/**
 * One severity per rule. An error is a fact the tool knows is broken (a file that must exist does not,
 * a record points at no record); a warning is something to act on that a person must judge (a page the
 * site may generate, an anchor, an owner, a review that fell due). `check --strict` raises
 * `review-overdue` to an error for a CI job that wants reviews enforced; nothing else changes a severity.
 */
export const RULE_SEVERITY: Readonly<Record<RuleCode, Problem['severity']>> = {
  'broken-link': 'error',
  'link-outside-repository': 'error',
  'unverified-link': 'warning',
  'missing-anchor': 'warning',
  'missing-owner': 'warning',
  'review-overdue': 'warning',
  'invalid-duplicate-of': 'error',
  'codeowners-out-of-date': 'warning',
};

/** A problem found by a rule of the rulebook. */
export interface RuleProblem extends Problem {
  code: RuleCode;
}

/** A problem of a file as both surfaces show it: the index's or the validator's, or a rule's. */
export type CheckProblem = Problem & { code?: string };

/**
 * The files of a repository (repository-relative, `/`-separated), as a set that also knows their
 * folders: "does this path exist" for the link rules, from the file list the caller already has.
 */
export class RepositoryFileSet {
  private readonly files: Set<string>;
  private readonly folders = new Set<string>(['']);

  constructor(paths: Iterable<string>) {
    this.files = new Set(paths);
    for (const path of this.files) {
      for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
        const folder = path.slice(0, slash);
        if (this.folders.has(folder)) break;
        this.folders.add(folder);
      }
    }
  }

  /** Whether a file or a folder is at this repository path. */
  has(path: string): boolean {
    const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
    return this.files.has(trimmed) || this.folders.has(trimmed);
  }
}

/**
 * `target` (a `/`-separated path) resolved against the folder `base`, as a repository path without
 * `.` and `..`; undefined when it climbs out of the repository.
 */
export function resolveRepositoryPath(base: string, target: string): string | undefined {
  const parts = base === '' ? [] : base.split('/');
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** GitHub's heading anchor: lower case, punctuation dropped, each space a dash (duplicates get -1, -2… in the caller). */
export function githubSlug(text: string): string {
  return text.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * The anchors a runbook's headings answer to: GitHub's slugs (a repeated heading's `-1`, `-2`…), the
 * index's slugs (what MkDocs, Hugo and Middleman's Redcarpet make) and the slug of the HTML-escaped
 * text (GOV.UK's tech-docs template: `Don't` is `don-39-t`). A heading that is the page's title by
 * ERB (`# <%= current_page.data.title %>`, read as an empty heading) answers to the title's anchors.
 */
export function headingAnchors(runbook: Pick<RunbookSummary, 'title' | 'headings'>): Map<string, RunbookHeading> {
  const anchors = new Map<string, RunbookHeading>();
  const seen = new Map<string, number>();
  const add = (anchor: string, heading: RunbookHeading): void => {
    if (anchor !== '' && !anchors.has(anchor)) anchors.set(anchor, heading);
  };
  for (const heading of runbook.headings) {
    // The template's text is dropped from the heading (it is HTML to the parser): the page's title is what it shows.
    const text = heading.text.trim() === '' || heading.text.includes('<%') ? runbook.title : heading.text;
    const base = githubSlug(text);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    add(count === 0 ? base : `${base}-${count}`, heading);
    add(text === heading.text ? heading.slug : slugify(text), heading);
    if (/[&<>"']/.test(text)) add(slugify(text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c])), heading);
  }
  return anchors;
}

/** Edit distance of two short strings (anchors), for the closest-heading suggestion. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** The heading whose anchor is closest to `anchor`. */
function closestHeading(anchor: string, anchors: ReadonlyMap<string, RunbookHeading>): { anchor: string; heading: RunbookHeading } | undefined {
  let best: { anchor: string; heading: RunbookHeading; distance: number } | undefined;
  for (const [candidate, heading] of anchors) {
    // Bounded work per link: anchors are short, a runbook has tens of headings.
    const distance = editDistance(anchor.slice(0, 200), candidate.slice(0, 200));
    if (!best || distance < best.distance) best = { anchor: candidate, heading, distance };
  }
  return best;
}

function isLocalTarget(target: string): boolean {
  return target !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('//');
}

function decodePath(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // A stray % is part of the name.
  }
}

/** What the rulebook knows of the repository as a whole. */
export interface RulebookRepository {
  files: RepositoryFileSet;
  /** The documentation sites whose pages hold runbooks (configured, or detected from the generators' files). */
  sites: readonly SiteConfig[];
  /** A runbook's title and headings by repository path; undefined when the path is not a runbook, or they are not known. */
  runbookOf(path: string): Pick<RunbookSummary, 'title' | 'headings'> | undefined;
  /** Some runbook names an `owner`: from then on every runbook should (a team opts in by writing one). */
  ownershipAdopted: boolean;
  /** Every incident record's id facts, for duplicate ids and `duplicate_of` targets. */
  incidents: readonly Pick<IncidentCheckFacts, 'path' | 'id'>[];
  /** `postmortem_folder`: its pages are records of the past, so they need no owner and no review. */
  postmortemFolder: string;
}

/** One runbook as the rulebook reads it. */
export interface RulebookRunbook {
  summary: RunbookSummary;
  text: RunbookTextFacts;
  /** Its review state today (front matter, else git); undefined when not known. */
  review?: ReviewState;
}

export interface RulebookOptions {
  /** `check --strict`: an overdue review is an error. */
  strict?: boolean;
}

function byPosition(a: Problem, b: Problem): number {
  return a.line - b.line || (a.column ?? 0) - (b.column ?? 0);
}

/** The cross-file rules over one repository's runbooks and incident records. */
export class Rulebook {
  private readonly ids: Set<string>;
  private readonly idList: string[];
  private readonly duplicates: Map<string, IncidentProblem[]>;
  private readonly anchors = new Map<string, Map<string, RunbookHeading> | undefined>();

  constructor(private readonly repository: RulebookRepository, private readonly options: RulebookOptions = {}) {
    this.ids = new Set(repository.incidents.map((i) => i.id?.value).filter((id): id is string => id !== undefined));
    this.idList = [...this.ids];
    this.duplicates = findDuplicateIncidentIds(repository.incidents);
  }

  /** Every problem of a runbook, its own (the index's) and the rules', by position. */
  runbookProblems(runbook: RulebookRunbook): CheckProblem[] {
    const { summary, text, review } = runbook;
    const problems: CheckProblem[] = [...summary.problems.map(plainProblem), ...this.linkProblems(summary.path, text.links)];
    if (summary.path.startsWith(this.repository.postmortemFolder)) return problems.sort(byPosition);
    if (this.repository.ownershipAdopted && !summary.owner?.trim()) {
      problems.push({
        line: 1,
        severity: RULE_SEVERITY['missing-owner'],
        code: 'missing-owner',
        message: `This runbook has no \`owner\`. Add \`owner: "@org/team"\` to its front matter${text.frontMatter ? '' : ' (a --- block at the top)'} so changes to it, and its services' incidents, are reviewed by the team that owns it.`,
      });
    }
    if (review?.state === 'overdue') problems.push(this.reviewProblem(summary, text, review));
    return problems.sort(byPosition);
  }

  private reviewProblem(runbook: RunbookSummary, text: RunbookTextFacts, review: ReviewState): RuleProblem {
    const line = review.source === 'front-matter' ? (text.lastReviewedLine ?? 1) : 1;
    const since = review.source === 'front-matter' ? `last reviewed ${review.reviewedOn}` : `last changed ${review.reviewedOn} (git; no \`last_reviewed\` in its front matter)`;
    const days = -(review.daysUntilDue ?? 0);
    return {
      line,
      severity: this.options.strict ? 'error' : RULE_SEVERITY['review-overdue'],
      code: 'review-overdue',
      message: `Review overdue by ${days} day${days === 1 ? '' : 's'}: ${since}, due ${review.dueOn}${runbook.reviewEvery ? ` (review_every: ${runbook.reviewEvery})` : ''}. Check the steps still work, then set \`last_reviewed:\` to today's date.`,
    };
  }

  /**
   * Links to files that do not exist (another runbook renamed, a script moved) and anchors no heading
   * of the target runbook has. External URLs are not checked. In the pages of a documentation site, a
   * link names the page a file builds: `/manual/x.html` is `<pages>/manual/x.html.md` (or `x.md`,
   * `x/index.md`, …); a missing source file (`x.md`) is an error, a missing page or asset (which the
   * site may generate) a warning, and so is a site-root link outside any site, saying how to describe it.
   */
  linkProblems(path: string, links: readonly RunbookLink[]): RuleProblem[] {
    const problems: RuleProblem[] = [];
    const { files } = this.repository;
    const site = siteOf(path, this.repository.sites);
    for (const { target, line, column } of links) {
      const bare = target.replace(/^<|>$/g, '');
      const at = { line, column, endLine: line, endColumn: column + target.length };
      const problem = (code: RuleCode, message: string): void => {
        problems.push({ ...at, severity: RULE_SEVERITY[code], code, message });
      };
      // A `file:` link names a file on the reader's machine, not in the repository.
      if (/^file:/i.test(bare)) {
        problem('link-outside-repository', `Link to ${bare} points outside the repository (a file: URL is a file on the reader's machine). Link to a file in the repository with a relative path, or to a web page.`);
        continue;
      }
      // `[x]: [https://…]` is a common slip: Markdown keeps the brackets, so the link is a relative path.
      const bracketed = /^\[([^[\]]+)\]$/.exec(bare);
      if (bracketed) {
        problem('broken-link', `Link to ${bare} has square brackets around its target, so Markdown reads it as a path relative to this file, not as ${bracketed[1]}. Remove the brackets around the target.`);
        continue;
      }
      if (!isLocalTarget(bare)) continue;
      const query = bare.search(/[?#]/);
      const hash = bare.indexOf('#');
      const anchor = hash === -1 ? undefined : decodePath(bare.slice(hash + 1));
      const written = query === -1 ? bare : bare.slice(0, query);
      if (written === '') {
        if (anchor) this.checkAnchor(path, anchor, bare, problem);
        continue;
      }
      const file = decodePath(written);
      const base = file.startsWith('/') ? (site?.pages ?? '') : folderOf(path);
      const repoPath = resolveRepositoryPath(base, file);
      if (repoPath === undefined) {
        // `../../../../etc/passwd` exists on most machines; that is no reason to let a runbook point there.
        problem('link-outside-repository', `Link to ${bare} points outside the repository. Link to a file in the repository (a path relative to this file), or to a web page.`);
        continue;
      }
      if (files.has(repoPath)) {
        if (anchor) this.checkAnchor(repoPath, anchor, bare, problem);
        continue;
      }
      if (site !== undefined) {
        const source = pageSources(repoPath).find((candidate) => files.has(candidate));
        if (source !== undefined) {
          if (anchor) this.checkAnchor(source, anchor, bare, problem);
          continue;
        }
        const sitePath = `/${site.pages === '' ? repoPath : repoPath.slice(site.pages.length + 1)}`;
        if (isUnchecked(site, sitePath)) continue;
        // A link to a source file (x.md) names a file that must exist; a page or an asset may be one
        // the generator makes (from data, a proxy, a plugin), which this check cannot know.
        if (namesSourceFile(file)) {
          problem('broken-link', `Link to ${bare} points to a file that does not exist in the site's pages (${site.pages || '.'}/). Fix the path or remove the link.`);
        } else {
          problem('unverified-link', `Link to ${bare} points to ${isPageLink(file) ? `a page no file of the site in ${site.pages || '.'}/ builds (no ${pageSources(repoPath)[1].split('/').pop()}, .md or index file)` : 'a file that is not in the repository'}. If the site generates it, add ${sitePath} (or a glob) to the site's \`unchecked\` list in .runbook-ops.yaml; otherwise fix the link.`);
        }
        continue;
      }
      if (file.startsWith('/')) {
        problem('unverified-link', `Link to ${bare} is a site-root link, and no file is at that path from the repository root. If these pages are a documentation site, say where its pages live in .runbook-ops.yaml (\`sites: [{ pages: <folder> }]\`) so the link can be checked against them.`);
        continue;
      }
      problem('broken-link', `Link to ${bare} points to a file that does not exist${file.endsWith('.md') ? ' (a runbook renamed or deleted?)' : ''}. Fix the path (relative to this file) or remove the link.`);
    }
    return problems;
  }

  /** An anchor into a runbook must be one of its headings' anchors (other files' anchors are not known). */
  private checkAnchor(target: string, anchor: string, written: string, problem: (code: RuleCode, message: string) => void): void {
    let anchors = this.anchors.get(target);
    if (!this.anchors.has(target)) {
      const runbook = this.repository.runbookOf(target);
      anchors = runbook && headingAnchors(runbook);
      this.anchors.set(target, anchors);
    }
    if (anchors === undefined) return;
    const wanted = anchor.toLowerCase();
    if (anchors.has(wanted) || anchors.has(anchor)) return;
    const closest = closestHeading(wanted, anchors);
    const where = written.startsWith('#') ? 'this runbook' : target;
    problem('missing-anchor', `Link to ${written}: ${where} has no heading with the anchor #${anchor}.${closest ? ` The closest is #${closest.anchor} ("${closest.heading.text}", line ${closest.heading.line}).` : ' It has no headings.'} Fix the anchor, or the heading if it was renamed.`);
  }

  /** Every problem of an incident record: the validator's (under the cross-file context), duplicate ids and `duplicate_of`, by position. */
  incidentProblems(facts: IncidentCheckFacts): CheckProblem[] {
    // The validator's problems keep their code, field and suggestion: the editor's quick fixes read them.
    const problems: CheckProblem[] = [...facts.problems, ...(this.duplicates.get(facts.path) ?? [])];
    const target = facts.duplicateOf;
    if (target !== undefined && target !== null && facts.duplicateOfAt !== undefined) {
      const at = facts.duplicateOfAt;
      const where = { line: at.line, column: at.column, endLine: at.line, endColumn: at.endColumn, severity: RULE_SEVERITY['invalid-duplicate-of'], code: 'invalid-duplicate-of' as const };
      const value = String(target).trim();
      if (typeof target !== 'string' || value === '') {
        problems.push({ ...where, message: '`duplicate_of` should be the id of the incident this one duplicates, such as INC-0041.' });
      } else if (value === facts.id?.value) {
        problems.push({ ...where, message: `\`duplicate_of: ${value}\` names this record itself. Name the incident this one duplicates.` });
      } else if (!this.ids.has(value)) {
        const guess = closestKnownName(value, this.idList);
        problems.push({ ...where, message: `\`duplicate_of: ${value}\`: no incident record has that id.${guess ? ` Did you mean ${guess}?` : ''} Fix the id, or remove the field if the other record was deleted.` });
      }
    }
    return problems.sort(byPosition);
  }
}

/**
 * The CODEOWNERS rule: the runbook-ops block (a team opts in by writing it once) must match the
 * runbooks' owners. `missing` and `extra` are the block's differences from what `codeowners --write`
 * would write; the problem is on the block's first line.
 */
export function codeownersProblem(blockLine: number, missing: readonly string[], extra: readonly string[]): RuleProblem | undefined {
  if (missing.length === 0 && extra.length === 0) return undefined;
  const example = missing.find((l) => !l.startsWith('#')) ?? extra.find((l) => !l.startsWith('#'));
  return {
    line: blockLine,
    severity: RULE_SEVERITY['codeowners-out-of-date'],
    code: 'codeowners-out-of-date',
    message: `The runbook-ops block is out of date with the runbooks' owners (${missing.length} line${missing.length === 1 ? '' : 's'} to add, ${extra.length} to remove${example ? `, e.g. "${example}"` : ''}). Run \`runbook-ops codeowners --write\` and commit the result.`,
  };
}
