// The bench corpus as a git repository with a branch that changes a few files, for the
// `runbook-ops check --changed-since` row: `main` holds the corpus, the checked-out branch `change`
// edits `changedFiles` runbooks and incident records in one commit. Cached beside the corpus.
import { cpSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Corpus } from './corpusGenerator';
import { git } from './reviewDates.bench';

export interface GitCorpus {
  root: string;
  /** The ref the branch was made from (what `--changed-since` compares with). */
  base: string;
  changed: string[];
}

/** Half runbooks, half incident records, spread over the corpus; each edit keeps the file's kind valid. */
function pickChanged(corpus: Corpus, count: number): string[] {
  const runbooks = corpus.files.filter((p) => p.endsWith('.md'));
  const incidents = corpus.files.filter((p) => p.endsWith('.yaml'));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const from = i % 2 === 0 ? runbooks : incidents;
    out.push(from[Math.floor(((i + 1) * from.length) / (count + 2))]);
  }
  return out;
}

export function ensureGitCorpus(corpus: Corpus, changedFiles = 6): GitCorpus {
  const root = `${corpus.root}-git-${changedFiles}`;
  const marker = `${root}.complete.json`;
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, 'utf8')) as GitCorpus;
  const staging = `${root}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(corpus.root, staging, { recursive: true });
  git(staging, ['init', '-q', '-b', 'main']);
  git(staging, ['add', '-A']);
  git(staging, ['commit', '-q', '-m', 'Corpus']);
  git(staging, ['checkout', '-q', '-b', 'change']);
  const changed = pickChanged(corpus, changedFiles);
  for (const path of changed) {
    const file = join(staging, path);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, path.endsWith('.md') ? `${text}\nEdited on the branch.\n` : text.replace(/^title: /m, 'title: Edited '));
  }
  git(staging, ['commit', '-q', '-a', '-m', 'Edit a few files']);
  rmSync(root, { recursive: true, force: true });
  renameSync(staging, root);
  const result: GitCorpus = { root, base: 'main', changed };
  writeFileSync(marker, JSON.stringify(result));
  return result;
}
