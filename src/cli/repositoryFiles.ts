import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileReader } from '../core/index';
import { SKIPPED_FOLDERS } from '../core/paths';

/**
 * Every file under `root` as a `/`-separated relative path, sorted. Symbolic links to folders are not
 * followed, so a link loop or a link out of the repository cannot make the walk endless or escape it.
 */
export function listRepositoryFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(join(dir, entry.name), rel);
      } else if (entry.isFile()) {
        found.push(rel);
      }
    }
  };
  walk(root, '');
  return found.sort();
}

export function repositoryReader(root: string): FileReader {
  return (path) => readFile(join(root, path));
}
