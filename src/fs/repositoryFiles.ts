import { readdirSync, type Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileReader } from '../core/index/workspaceIndex';
import { SKIPPED_FOLDERS } from '../core/config/paths';

/**
 * Every file under `root` as a `/`-separated relative path, sorted. Symbolic links to folders are not
 * followed, so a link loop or a link out of the repository cannot make the walk endless or escape it.
 */
export function listRepositoryFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (isWalkedFolder(entry)) walk(join(dir, entry.name), rel);
      else if (entry.isFile()) found.push(rel);
    }
  };
  walk(root, '');
  return found.sort();
}

/** The same walk without blocking the thread (the extension host lists folders with it). */
export async function listRepositoryFilesAsync(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const folders: Promise<void>[] = [];
    for (const entry of entries) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (isWalkedFolder(entry)) folders.push(walk(join(dir, entry.name), rel));
      else if (entry.isFile()) found.push(rel);
    }
    await Promise.all(folders);
  };
  await walk(root, '');
  return found.sort();
}

/** Real folders only (a symbolic link is neither a file nor a folder to `Dirent`), minus .git and node_modules. */
function isWalkedFolder(entry: Dirent): boolean {
  return entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name);
}

export function repositoryReader(root: string): FileReader {
  return (path) => readFile(join(root, path));
}
