import * as vscode from 'vscode';
import { fileAtCommit } from '../git/incidentGit';

export const GIT_CONTENT_SCHEME = 'runbook-ops-git';

/**
 * A read-only document for a file as it was at a commit, so history entries open as diffs. A `null`
 * commit is the empty file before the first commit, the left side of the diff of a record's first commit.
 */
export function gitContentUri(repoRoot: string, commit: string | null, relativePath: string): vscode.Uri {
  return vscode.Uri.from({ scheme: GIT_CONTENT_SCHEME, path: `/${relativePath}`, query: JSON.stringify({ repoRoot, commit, relativePath }) });
}

/**
 * Anyone can hand VS Code a URI of this scheme (a link in a runbook, a command URI), so the query is
 * checked before git sees it: a trusted workspace, a repository inside a workspace folder, a commit
 * that is a hash (never an option such as `--output=…`, nor a revision expression) or null, and a path
 * that stays in the repository.
 */
function parseGitContentQuery(uri: vscode.Uri): { repoRoot: string; commit: string | null; relativePath: string } {
  if (!vscode.workspace.isTrusted) throw new Error(vscode.l10n.t('Git history needs a trusted workspace.'));
  let query: unknown;
  try {
    query = JSON.parse(uri.query);
  } catch {
    throw new Error(vscode.l10n.t('Not a Runbook Ops history link: {0}', uri.toString()));
  }
  const { repoRoot, commit, relativePath } = (query ?? {}) as Record<string, unknown>;
  if (typeof repoRoot !== 'string' || typeof relativePath !== 'string' || !(commit === null || (typeof commit === 'string' && /^[0-9a-f]{7,64}$/i.test(commit)))) {
    throw new Error(vscode.l10n.t('Not a Runbook Ops history link: {0}', uri.toString()));
  }
  const file = vscode.Uri.joinPath(vscode.Uri.file(repoRoot), relativePath);
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(repoRoot)) ?? vscode.workspace.getWorkspaceFolder(file);
  if (!folder || relativePath.split(/[\\/]/).includes('..') || !file.fsPath.startsWith(vscode.Uri.file(repoRoot).fsPath)) {
    throw new Error(vscode.l10n.t('History links may only point into this workspace: {0}', uri.toString()));
  }
  return { repoRoot, commit, relativePath };
}

export class GitContentProvider implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { repoRoot, commit, relativePath } = parseGitContentQuery(uri);
    if (commit === null) return '';
    return (await fileAtCommit(repoRoot, commit, relativePath)) ?? '';
  }
}
