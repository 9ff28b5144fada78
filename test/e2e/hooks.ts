// Root hooks for the e2e suite (mocha's `rootHooks`, or `mocha --require
// out/test/e2e/hooks.js`): one shared VS Code + Chromium for every file.
import type { Context, RootHookObject } from 'mocha';
import { e2eSession, startE2eSession, stopE2eSession } from '../harness/e2eSession';

export const mochaHooks: RootHookObject = {
  async beforeAll(this: Context) {
    // A first run may install code-server into the cache (~2-3 minutes).
    this.timeout(10 * 60_000);
    await startE2eSession();
  },
  async afterEach(this: Context) {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    const name = `failure-${test.fullTitle().replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`.slice(0, 120);
    const path = await e2eSession().screenshot(name).catch(() => undefined);
    if (path) process.stderr.write(`    screenshot: ${path}\n`);
  },
  async afterAll(this: Context) {
    this.timeout(60_000);
    await stopE2eSession();
  },
};
