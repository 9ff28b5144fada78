// The workbench loads in Chromium with the extension under development, and
// its activity bar entry opens the Runbook Ops side bar.
import * as assert from 'node:assert/strict';
import { relative } from 'node:path';
import { e2eSession } from '../harness/e2eSession';
import { findFiles } from '../harness/paths';

const CONTAINER_TITLE = 'Runbook Ops';

describe('e2e smoke', () => {
  it('loads the workbench on the sample workspace', async () => {
    const { page, workspace } = e2eSession();
    assert.ok(await page.locator('.monaco-workbench .part.editor').isVisible(), 'the editor area is laid out');
    assert.ok(await page.locator('.monaco-workbench .part.statusbar').isVisible(), 'the status bar is laid out');
    // The window title names the opened folder (the copy is called runbooks too).
    assert.match(await page.title(), /runbooks/);
    assert.ok(workspace.path.endsWith('/runbooks'));
  });

  it('shows a clickable "Runbook Ops" activity bar entry', async () => {
    const session = e2eSession();
    const sidebar = await session.openView(CONTAINER_TITLE);
    assert.equal(await session.activityBarItem(CONTAINER_TITLE).getAttribute('aria-selected'), 'true');
    assert.ok(await sidebar.isVisible());
    await session.screenshot('e2e-smoke-runbook-ops');
  });

  it('drives the command palette and a webview (built-in Markdown preview)', async () => {
    const session = e2eSession();
    // Any Markdown file of the sample will do; the extension's own views are tested elsewhere.
    const markdownFile = findFiles(session.workspace.path, '.md').find((file) => !file.includes('/.git/'));
    assert.ok(markdownFile, 'the sample workspace has a Markdown file');
    await session.openFile(relative(session.workspace.path, markdownFile));
    await session.runCommand('Markdown: Open Preview to the Side');
    const rendered = session.webview({ extensionId: 'vscode.markdown-language-features' }).locator('h1, h2, h3, p').first();
    await rendered.waitFor();
    assert.ok(((await rendered.textContent()) ?? '').trim().length > 0);
    await session.screenshot('e2e-smoke-markdown-preview');
  });
});
