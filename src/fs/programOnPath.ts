/**
 * Whether a program is installed: an executable file in one of PATH's folders (or at the path given).
 * Steps in a script language run only where their interpreter is (issue 22), and `python3` missing
 * should read as that, not as a failed step.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Answers are kept this long, so a program installed meanwhile is seen without a reload. */
const REMEMBER_MS = 30_000;
const answers = new Map<string, { found: boolean; at: number }>();

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function programOnPath(program: string, path: string = process.env.PATH ?? ''): boolean {
  const key = `${program}\0${path}`;
  const known = answers.get(key);
  if (known && Date.now() - known.at < REMEMBER_MS) return known.found;
  const found = program.includes('/')
    ? isExecutableFile(program)
    : path.split(delimiter).some((folder) => folder !== '' && isExecutableFile(join(folder, program)));
  answers.set(key, { found, at: Date.now() });
  return found;
}
