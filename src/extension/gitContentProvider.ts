import * as vscode from 'vscode';
import { fileAtCommit } from '../git/incidentGit';

export const GIT_CONTENT_SCHEME = 'runbook-ops-git';

/** A read-only document for a file as it was at a commit, so history entries open as diffs. */
export function gitContentUri(repoRoot: string, commit: string, relativePath: string): vscode.Uri {
  return vscode.Uri.from({ scheme: GIT_CONTENT_SCHEME, path: `/${relativePath}`, query: JSON.stringify({ repoRoot, commit, relativePath }) });
}

export class GitContentProvider implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { repoRoot, commit, relativePath } = JSON.parse(uri.query) as { repoRoot: string; commit: string; relativePath: string };
    return (await fileAtCommit(repoRoot, commit, relativePath)) ?? '';
  }
}
