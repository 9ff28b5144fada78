// `npm start`: try the extension by hand on the sample repository runbooks/.
// With a desktop VS Code (`code` on PATH) it opens an Extension Development
// Host; otherwise it serves VS Code in the browser through code-server, with
// the packaged extension installed and without the test harness's smoke-test
// driver (userWorkbench.ts), so notifications and dialogs show as for a user.
import { spawn, spawnSync } from 'node:child_process';
import { findFreePort, isPortFree } from './codeServer';
import { repoRoot, sampleRunbooksDir } from './paths';
import { startUserWorkbench } from './userWorkbench';

const DEFAULT_PORT = 8080;

function hasDesktopCode(): boolean {
  return spawnSync('sh', ['-c', 'command -v code'], { stdio: 'ignore' }).status === 0;
}

function startDesktop(): void {
  const child = spawn('code', [`--extensionDevelopmentPath=${repoRoot}`, sampleRunbooksDir], { stdio: 'inherit' });
  child.once('exit', (code) => process.exit(code ?? 0));
}

async function choosePort(): Promise<number> {
  const wanted = process.env.PORT ? Number(process.env.PORT) : DEFAULT_PORT;
  if (Number.isInteger(wanted) && wanted > 0 && (await isPortFree(wanted))) return wanted;
  const fallback = await findFreePort();
  process.stderr.write(`port ${wanted} is busy; using ${fallback}\n`);
  return fallback;
}

async function startBrowserRoute(): Promise<void> {
  process.stderr.write('Packaging the extension (npm run package, from a fresh copy of this working tree)…\n');
  const { server, url } = await startUserWorkbench({
    // The real sample (not a copy), so edits made while trying things stay visible in git.
    folder: sampleRunbooksDir,
    port: await choosePort(),
    extensionGallery: true,
  });
  process.stdout.write(
    [
      '',
      'Runbook Ops is running in VS Code (code-server) on the sample repository runbooks/,',
      'installed from the .vsix `npm run package` builds, as a user installs it.',
      `Open: ${url}`,
      `(code-server log: ${server.logFile})`,
      'After changing the code, stop with Ctrl-C and run `npm start` again.',
      '',
    ].join('\n'),
  );
  // Runs until Ctrl-C (teardown.ts then ends code-server's process group) or until code-server dies.
  await server.exited;
  if (server.stopRequested) return; // Ctrl-C: teardown.ts is finishing up and exits.
  await server.stop();
  throw new Error(`code-server exited unexpectedly; see ${server.logFile}`);
}

if (hasDesktopCode() && process.env.RUNBOOK_OPS_VSCODE !== 'web') startDesktop();
else {
  startBrowserRoute().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
