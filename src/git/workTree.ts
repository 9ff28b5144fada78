import { existsSync } from 'node:fs';
import { dirname, parse, resolve } from 'node:path';

/**
 * The work tree `dir` belongs to: the nearest folder at or above it with a `.git` entry (a folder, or
 * a file in worktrees and submodules). Found on disk, without starting git; undefined outside a repository.
 */
export function findWorkTreeRoot(dir: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(resolve(current, '.git'))) return current;
    if (current === parse(current).root) return undefined;
  }
}
