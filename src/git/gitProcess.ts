import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';

export type GitChildProcess = ChildProcessByStdio<null, Readable, Readable>;

/**
 * Starts one git process with `cwd` as its working directory. Injectable so callers can wrap or observe
 * every process we start (tests count them: review dates must never cost one process per file).
 */
export type GitSpawner = (args: readonly string[], cwd: string, extraEnv?: NodeJS.ProcessEnv) => GitChildProcess;

/** Variables that point git at another repository than the one `cwd` is in; git sets them for hooks and drivers. */
const REPOSITORY_OVERRIDES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR'] as const;

/** The environment our git processes run in: fixed messages, no prompts, no lock taken on the index. */
export function gitEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  // LC_ALL=C keeps error messages in English so they can be recognised; GIT_OPTIONAL_LOCKS=0 stops
  // read-only commands from refreshing the index, which would race with the user's own git commands.
  const env: NodeJS.ProcessEnv = { ...base, LC_ALL: 'C', LANGUAGE: '', GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' };
  for (const name of REPOSITORY_OVERRIDES) delete env[name];
  return env;
}

export const spawnGit: GitSpawner = (args, cwd, extraEnv = {}) =>
  spawn('git', [...args], { cwd, env: { ...gitEnvironment(), ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });

/** git is not installed or not on PATH. */
export class GitNotFoundError extends Error {
  override name = 'GitNotFoundError';
  constructor() {
    super('git was not found. Install git and make sure it is on PATH to see review dates from history.');
  }
}

/** The folder is not inside a git repository (or does not exist). */
export class NotAGitRepositoryError extends Error {
  override name = 'NotAGitRepositoryError';
  constructor(readonly directory: string, reason = 'is not inside a git repository') {
    super(`${directory} ${reason}, so review dates from git history are not available.`);
  }
}

/** git ran but failed for another reason; `stderr` holds what it said. */
export class GitCommandError extends Error {
  override name = 'GitCommandError';
  constructor(readonly args: readonly string[], readonly exitCode: number | null, readonly stderr: string) {
    super(`git ${args[0] ?? ''} failed (${exitCode === null ? 'killed' : `exit ${exitCode}`}): ${stderr.trim() || 'no message'}`);
  }
}

/** git did not finish in the time it was given and was stopped. */
export class GitTimeoutError extends Error {
  override name = 'GitTimeoutError';
  constructor(readonly args: readonly string[], readonly timeoutMs: number) {
    super(`git ${args[0] ?? ''} did not finish within ${timeoutMs / 1000} s and was stopped. If a git hook or a lock held by another git process is waiting, finish or remove it and try again.`);
  }
}

export interface GitRunOptions {
  cwd: string;
  spawner?: GitSpawner;
  /** Variables added to {@link gitEnvironment} for this process (a temporary index: GIT_INDEX_FILE). */
  env?: NodeJS.ProcessEnv;
  /** Stops git and rejects with {@link GitTimeoutError} when it runs longer; no limit when absent. */
  timeoutMs?: number;
  /** Receives stdout as it arrives instead of buffering it, for output that grows with the history. */
  onStdout?: (chunk: Buffer) => void;
  signal?: AbortSignal;
}

export interface GitResult {
  exitCode: number | null;
  /** Empty when `onStdout` consumed the output. */
  stdout: string;
  stderr: string;
}

/** Enough of stderr to explain a failure without holding an unbounded buffer. */
const STDERR_LIMIT = 64 * 1024;

/**
 * Runs git once. Resolves with the exit code (callers decide what a non-zero exit means); rejects when
 * git cannot start, when `onStdout` throws, when `signal` aborts or when `timeoutMs` passes (the process
 * is killed in these cases).
 */
export function runGit(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
  const { cwd, spawner = spawnGit, env, onStdout, signal, timeoutMs } = options;
  return new Promise<GitResult>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill();
      reject(error);
    };
    const child = env ? spawner(args, cwd, env) : spawner(args, cwd);
    if (timeoutMs !== undefined) timer = setTimeout(() => fail(new GitTimeoutError(args, timeoutMs)), timeoutMs);
    const stdout: Buffer[] = [];
    let stderr = '';
    const onAbort = (): void => fail(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (!onStdout) {
        stdout.push(chunk);
        return;
      }
      try {
        onStdout(chunk);
      } catch (error) {
        fail(error);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8');
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      // spawn reports a missing working directory with the same ENOENT as a missing executable.
      if (error.code === 'ENOENT') fail(existsSync(cwd) ? new GitNotFoundError() : new NotAGitRepositoryError(cwd, 'does not exist'));
      else fail(error);
    });
    child.once('close', (exitCode) => {
      signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ exitCode, stdout: Buffer.concat(stdout).toString('utf8'), stderr });
    });
  });
}
