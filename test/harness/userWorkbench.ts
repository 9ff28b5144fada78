// The workbench `npm start` serves: the extension packaged as `npm run package` builds it and installed
// into the code-server instance's extensions folder, as a user installs a .vsix. No smoke-test driver and
// no development payload, so notifications, the workspace trust prompt and other dialogs appear as they
// do for a user (the driver suppresses them). The e2e suite opens this same route (test/e2e/npmStart.test.ts).
import { startCodeServer, type CodeServer } from './codeServer';
import { packageFromFreshCopy } from './packageExtension';

export interface UserWorkbenchOptions {
  /** The folder the workbench opens. */
  folder: string;
  port?: number;
  /** Keep the Open VSX marketplace (true for a person trying things; tests run offline). */
  extensionGallery?: boolean;
  logFile?: string;
  settings?: Record<string, unknown>;
}

export interface UserWorkbench {
  server: CodeServer;
  /** What to open in a browser. */
  url: string;
}

export async function startUserWorkbench(options: UserWorkbenchOptions): Promise<UserWorkbench> {
  const { vsix, copy } = await packageFromFreshCopy();
  try {
    const server = await startCodeServer({
      folder: options.folder,
      port: options.port,
      // As a user has it: the trust prompt and Restricted Mode are part of the experience.
      workspaceTrust: true,
      extensionGallery: options.extensionGallery ?? false,
      installExtensions: [vsix],
      logFile: options.logFile,
      settings: options.settings,
    });
    return { server, url: server.workbenchUrl(options.folder) };
  } finally {
    // Installing copied the extension into the instance's extensions folder.
    copy.cleanup();
  }
}
