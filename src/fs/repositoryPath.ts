/**
 * Writes stay inside the repository: a cloned repository can hold symbolic links to anywhere (an
 * `incidents` link to /tmp, a record linked to a file in a home folder), and a write through one would
 * create or change a file the user never meant to touch. Every write resolves its real path first.
 */
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A write refused because its path leaves the repository through a symbolic link. */
export class OutsideRepositoryError extends Error {
  constructor(message: string, readonly path: string, readonly link: string, readonly linkTarget: string) {
    super(message);
  }
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as NodeJS.ErrnoException).code : undefined;
}

/** Whether `path` is `root` or below it (no `..` climb, not on another drive). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function shown(root: string, path: string): string {
  return relative(root, path).split(sep).join('/') || '.';
}

/**
 * The real path of `file` under `root` (`file` and the folders before it need not exist yet: a new
 * record, a new incident folder), or an {@link OutsideRepositoryError} naming the link that leads out
 * of the repository and how to fix it. Links that stay inside are followed, so the caller writes (and
 * locks) the real file.
 */
export async function realPathInsideRepository(root: string, file: string): Promise<string> {
  const realRoot = await realpath(root);
  const absolute = resolve(root, file);
  const parts = relative(resolve(root), absolute).split(sep).filter(Boolean);
  if (!isInside(resolve(root), absolute)) {
    throw new OutsideRepositoryError(`${absolute} is outside the repository ${realRoot}; Runbook Ops writes only inside it. Pass a path under the repository.`, absolute, absolute, absolute);
  }
  // Walk one component at a time, so the error can name the link that leaves.
  let current = realRoot;
  for (let i = 0; i < parts.length; i++) {
    const next = join(current, parts[i]);
    let info;
    try {
      info = await lstat(next);
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err;
      // Not there yet: the rest will be created inside `current`, which is inside.
      return join(next, ...parts.slice(i + 1));
    }
    if (!info.isSymbolicLink()) {
      current = next;
      continue;
    }
    const linkText = await readlink(next);
    const target = await realpath(next).catch((err: unknown) => {
      if (errorCode(err) !== 'ENOENT' && errorCode(err) !== 'ELOOP') throw err;
      return undefined;
    });
    const written = shown(realRoot, join(current, ...parts.slice(i)));
    const link = shown(realRoot, next);
    if (target === undefined) {
      throw new OutsideRepositoryError(
        `Refused to write ${written}: ${link} is a symbolic link to ${linkText}, which does not exist (or loops). Replace the link with a real ${i === parts.length - 1 ? 'file' : 'folder'} inside the repository and try again.`,
        absolute, next, linkText,
      );
    }
    if (!isInside(realRoot, target)) {
      const kind = (await stat(target)).isDirectory() ? 'folder' : 'file';
      throw new OutsideRepositoryError(
        `Refused to write ${written}: ${link} is a symbolic link to ${target}, outside the repository ${realRoot}. Runbook Ops writes only inside the repository; replace the link with a real ${kind} (move what it points to into the repository) and try again.`,
        absolute, next, target,
      );
    }
    current = target;
  }
  return current;
}
