// git for test fixtures: none of the machine's global or system settings (signing, hooks, templates),
// a fixed identity, and no repository variables inherited from an enclosing git process.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';

export interface GitIdentity {
  name: string;
  email: string;
}

export function fixtureGitEnv(identity: GitIdentity, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
    ...extra,
  };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) delete env[name];
  return env;
}

/** Runs git in `cwd` with `env`; fails the test with git's message when git fails. */
export function runFixtureGit(cwd: string, env: NodeJS.ProcessEnv, args: readonly string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env });
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}
