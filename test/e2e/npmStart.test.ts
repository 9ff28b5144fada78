// The `npm start` route as a user gets it (issue 16, item 1): the packaged extension installed into
// code-server, no smoke-test driver, workspace trust on. The driver the rest of the suite needs hides
// toasts and dialogs; here the trust prompt is a dialog and a refused step is a notification toast.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { codeLensAbove, e2eSession, workbenchDriver, type WorkbenchDriver } from '../harness/e2eSession';
import { ensureTestResultsDir } from '../harness/paths';
import { startUserWorkbench, type UserWorkbench } from '../harness/userWorkbench';
import { E2E_TEST_TIMEOUT_MS, UI_DEADLINE_MS, WORKBENCH_LOAD_MS } from '../harness/waits';
import { createSampleWorkspace, type SampleWorkspace } from '../harness/workspace';

describe('npm start route: a normal workbench (e2e)', () => {
  let workspace: SampleWorkspace | undefined;
  let workbench: UserWorkbench | undefined;
  let page: Page;
  let driver: WorkbenchDriver;

  before(async function () {
    // Packaging, installing the .vsix and a second workbench: minutes on a loaded machine.
    this.timeout(E2E_TEST_TIMEOUT_MS);
    workspace = createSampleWorkspace();
    workbench = await startUserWorkbench({
      folder: workspace.path,
      logFile: join(ensureTestResultsDir(), 'e2e-npm-start-code-server.log'),
      settings: { 'terminal.integrated.gpuAcceleration': 'off' },
    });
    page = await e2eSession().browser.context.newPage();
    driver = workbenchDriver(page);
    await page.goto(workbench.url);
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: WORKBENCH_LOAD_MS });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await driver?.screenshot(`failure-npm-start-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`.slice(0, 120)).catch(() => undefined);
  });

  after(async () => {
    await page?.close().catch(() => undefined);
    await workbench?.server.stop();
    workspace?.cleanup();
  });

  it('opens the folder in Restricted Mode, as a user first sees it', async () => {
    await page.locator('.statusbar-item', { hasText: /Restricted Mode/i }).first().waitFor({ timeout: UI_DEADLINE_MS });
    await page.locator('.monaco-workbench', { hasText: 'Restricted Mode is intended for safe code browsing' }).first().waitFor({ timeout: UI_DEADLINE_MS });
  });

  it('shows a notification toast when a step is refused in Restricted Mode, whose action trusts the folder', async () => {
    const file = 'kubernetes/node-not-ready.md';
    await driver.openFile(file);
    const line = readFileSync(join(workspace!.path, file), 'utf8').split('\n').findIndex((l) => l.includes('{name=cordon}')) + 1;
    await (await codeLensAbove(page, line, '▶ Run')).click();
    const toast = page.locator('.notifications-toasts .notification-toast.notification-fade-in-done', { hasText: 'Runbook steps run only in a trusted workspace' });
    await toast.waitFor({ timeout: UI_DEADLINE_MS });
    await page.mouse.move(0, 0);
    await driver.screenshot('npm-start-restricted-toast');
    await toast.getByRole('button', { name: 'Manage Workspace Trust' }).click();
    // The Workspace Trust editor, as VS Code opens it for the toast's action.
    const trust = page.locator('.workspace-trust-editor .workspace-trust-buttons-row').getByRole('button', { name: /^Trust/ }).first();
    await trust.waitFor({ timeout: UI_DEADLINE_MS });
    await driver.screenshot('npm-start-trust-editor');
    await trust.click();
    await page.locator('.statusbar-item', { hasText: /Restricted Mode/i }).first().waitFor({ state: 'detached', timeout: UI_DEADLINE_MS });
  });

  it('asks in a modal dialog before running a step whose shell was guessed from its prompts', async () => {
    // No language on the fence: the runner recognises the `$ ` prompts, and asks before running.
    const file = 'scratch-npm-start/guessed.md';
    const lines = ['# Guessed shell', '', '## Say hello', '', '```', '$ echo hello-from-npm-start', '```', ''];
    mkdirSync(join(workspace!.path, 'scratch-npm-start'), { recursive: true });
    writeFileSync(join(workspace!.path, file), lines.join('\n'));
    await driver.openFile(file);
    await (await codeLensAbove(page, lines.indexOf('```') + 1, '▶ Run')).click();
    const dialog = page.locator('.monaco-dialog-box', { hasText: 'Run “Say hello” from “Guessed shell”?' });
    await dialog.waitFor({ timeout: UI_DEADLINE_MS });
    assert.ok(((await dialog.textContent()) ?? '').includes('recognised by its prompts'), await dialog.textContent() ?? '');
    await driver.screenshot('npm-start-confirm-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached', timeout: UI_DEADLINE_MS });
  });

  it('says in a toast that a declared incident is now the active one', async () => {
    await driver.runCommand('Runbook Ops: Declare Incident');
    const quickInput = page.locator('.quick-input-widget');
    const input = quickInput.locator('input.input');
    await quickInput.locator('.quick-input-title', { hasText: 'Declare incident (1/3)' }).waitFor({ timeout: UI_DEADLINE_MS });
    await input.fill('Checkout latency after deploy');
    await page.keyboard.press('Enter');
    await quickInput.locator('.quick-input-title', { hasText: 'Declare incident (2/3)' }).waitFor({ timeout: UI_DEADLINE_MS });
    await page.keyboard.press('Enter');
    await quickInput.locator('.quick-input-title', { hasText: 'Declare incident (3/3)' }).waitFor({ timeout: UI_DEADLINE_MS });
    await page.keyboard.press('Enter');
    const toast = page.locator('.notifications-toasts .notification-toast.notification-fade-in-done', { hasText: /Declared INC-\d+; it is now the active incident\./ });
    await toast.waitFor({ timeout: UI_DEADLINE_MS });
    await page.mouse.move(0, 0);
    await driver.screenshot('npm-start-declared-toast');
  });
});
