// `npm run package` as from a fresh clone: the repository's files (tracked, plus new ones not ignored)
// copied to a temporary folder with no dist/, out/ or earlier .vsix, node_modules linked in (what
// `npm ci` would install), and the .vsix read back without any unzip tool.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { repoRoot } from './paths';
import { registerTeardown } from './teardown';

/** The file `npm run package` writes (package.json's `package` script). */
export const VSIX_NAME = 'runbook-ops.vsix';

export interface FreshCopy {
  /** Absolute, symlink-free path of the copy. */
  path: string;
  cleanup(): void;
}

/** The repository's files as a fresh clone of the working tree has them, in a temporary folder. */
export function freshCopy(): FreshCopy {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed in ${repoRoot}: ${listed.stderr}`);
  const path = realpathSync(mkdtempSync(join(tmpdir(), 'runbook-ops-clone-')));
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const source = join(repoRoot, file);
    // Listed but deleted in the working tree, or a submodule/link: a clone would not have a file there.
    if (!existsSync(source) || !lstatSync(source).isFile()) continue;
    mkdirSync(dirname(join(path, file)), { recursive: true });
    copyFileSync(source, join(path, file));
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(path, 'node_modules'), 'dir');
  let removed = false;
  const cleanup = () => {
    if (removed) return;
    removed = true;
    unregister();
    if (process.env.RUNBOOK_OPS_KEEP_TEMP !== '1') rmSync(path, { recursive: true, force: true });
  };
  const unregister = registerTeardown(cleanup);
  return { path, cleanup };
}

export interface PackageRun {
  exitCode: number | null;
  output: string;
  /** The .vsix, when one was written. */
  vsix?: string;
}

/** Runs `npm run package` in `dir` (a fresh copy), with none of an enclosing npm run's variables. */
export function runNpmPackage(dir: string): Promise<PackageRun> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'package'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (exitCode) => {
      const vsix = join(dir, VSIX_NAME);
      resolve({ exitCode, output, vsix: existsSync(vsix) ? vsix : undefined });
    });
  });
}

/** Packages the extension from a fresh copy and returns the .vsix (in the copy); throws with vsce's output. */
export async function packageFromFreshCopy(): Promise<{ vsix: string; copy: FreshCopy }> {
  const copy = freshCopy();
  const run = await runNpmPackage(copy.path);
  if (run.exitCode !== 0 || !run.vsix) {
    copy.cleanup();
    throw new Error(`npm run package failed (exit ${run.exitCode}):\n${run.output}`);
  }
  return { vsix: run.vsix, copy };
}

/** Every file in a zip archive (a .vsix), by name, read from its central directory. */
export function readZip(file: string): Map<string, Buffer> {
  const zip = readFileSync(file);
  // End of central directory: 22 bytes plus a comment of up to 64 KiB, at the very end.
  let end = zip.length - 22;
  while (end >= Math.max(0, zip.length - 22 - 0xffff) && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0 || zip.readUInt32LE(end) !== 0x06054b50) throw new Error(`${file} is not a zip archive`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${i}`);
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(data, data + size);
    if (method !== 0 && method !== 8) throw new Error(`${file}: ${name} uses compression method ${method}`);
    entries.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw));
    at += 46 + skip;
  }
  return entries;
}
