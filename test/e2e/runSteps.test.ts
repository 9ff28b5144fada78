// Running runbook steps the way an engineer does: CodeLens click, a placeholder typed into the InputBox,
// the typed confirmation of a dangerous step (its id, which Enter alone never passes), a secret that
// stays off the screen, and the result on disk.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { codeLensAbove, e2eSession } from '../harness/e2eSession';
import { publishToMedia } from '../harness/paths';
import { until } from '../harness/waits';

const MARKER = '/tmp/runbook-ops-marker.txt';
const NODE_NAME = 'ip-10-9-9-9.e2e.internal';

/** The quick input once it shows the typed confirmation of a step (its title asks "Run “…”?"). */
async function confirmationBox(page: Page): Promise<{ widget: Locator; input: Locator; message: Locator }> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: /^Run “/ }).waitFor();
  return { widget, input: widget.locator('input.input'), message: widget.locator('.quick-input-message') };
}

describe('Running steps (e2e)', () => {
  before(() => rmSync(MARKER, { force: true }));

  it('confirms a dangerous step after asking for its placeholder, then writes the marker with the same value', async function () {
    const session = e2eSession();
    const { page } = session;
    await session.openFile('kubernetes/node-not-ready.md');

    // `drain` is marked confirm and has {{node}}: the value comes first, then the typed confirmation.
    const drainLine = readFileSync(join(session.workspace.path, 'kubernetes/node-not-ready.md'), 'utf8').split('\n').findIndex((l) => l.includes('{name=drain ')) + 1;
    const runDrain = await codeLensAbove(page, drainLine, '▶ Run');
    await page.mouse.move(0, 0);
    publishToMedia(await session.screenshot('run-steps-codelens'), 'run-steps-codelens.png');
    await runDrain.click();

    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    assert.equal(await input.inputValue(), 'ip-10-0-3-41.eu-west-1.compute.internal', 'the InputBox offers the default');
    await input.fill(NODE_NAME);
    await page.keyboard.press('Enter');

    // The Enter that accepted the value (and any after it) must not run the drain: the id has to be typed.
    const confirm = await confirmationBox(page);
    const prompt = (await confirm.message.textContent()) ?? '';
    assert.ok(prompt.includes(`kubectl drain ${NODE_NAME} --ignore-daemonsets --delete-emptydir-data --timeout=5m`), prompt);
    assert.match(prompt, /marked confirm/);
    await page.keyboard.press('Enter');
    await confirm.widget.locator('.monaco-inputbox.error').waitFor();
    await confirm.input.fill('drain');
    await confirm.widget.locator('.monaco-inputbox.error').waitFor({ state: 'detached' });
    await session.screenshot('run-steps-confirm');
    await page.keyboard.press('Enter');
    await confirm.widget.waitFor({ state: 'hidden' });

    const terminal = page.locator('.terminal-wrapper .xterm-rows');
    await terminal.filter({ hasText: `node/${NODE_NAME} drained` }).first().waitFor().catch(async () => {
      assert.fail(`terminal did not show the drain: ${await terminal.first().textContent()}`);
    });

    // The value is remembered for the runbook: shown on one line before it is used, and Enter runs with it.
    const markerLine = readFileSync(join(session.workspace.path, 'kubernetes/node-not-ready.md'), 'utf8').split('\n').findIndex((l) => l.includes('{name=record-drain}')) + 1;
    await (await codeLensAbove(page, markerLine, '▶ Run')).click();
    const preview = page.locator('.quick-input-widget');
    await preview.locator('.quick-input-title', { hasText: 'Values used last time for “Record the drain”' }).waitFor();
    assert.equal(((await preview.locator('.monaco-list-row.focused .label-name').first().textContent()) ?? '').trim(), `Run with {{node}} = ${NODE_NAME}`);
    assert.ok(!existsSync(MARKER), 'nothing runs before the values are accepted');
    publishToMedia(await session.screenshot('run-steps-remembered'), 'run-steps-remembered.png');
    // "Change values…" asks again, pre-filled with the remembered value.
    await page.keyboard.press('ArrowDown');
    await preview.locator('.monaco-list-row.focused', { hasText: 'Change values…' }).waitFor();
    await page.keyboard.press('Enter');
    await preview.locator('.quick-input-title', { hasText: 'Value for {{node}}' }).waitFor();
    assert.equal(await input.inputValue(), NODE_NAME);
    await page.keyboard.press('Enter');
    await until(`${MARKER} to be written`, () => existsSync(MARKER));
    assert.equal(readFileSync(MARKER, 'utf8'), `drained ${NODE_NAME}\n`);
    await terminal.filter({ hasText: `drained ${NODE_NAME}` }).first().waitFor();
    await page.mouse.move(0, 0);
    publishToMedia(await session.screenshot('run-steps-terminal'), 'run-steps-terminal.png');
  });

  it('shows the outcome of each step in the Steps view', async () => {
    const session = e2eSession();
    const sidebar = await session.openView('Runbook Ops');
    const steps = sidebar.locator('.pane', { has: session.page.locator('.pane-header', { hasText: /Steps/i }) });
    const header = steps.locator('.pane-header');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    const rows = steps.locator('.monaco-list-row');
    await rows.filter({ hasText: /Record the drain\s*exit 0/ }).first().waitFor();
    assert.ok(await rows.filter({ hasText: /Evict what is left.*exit 0/ }).count() > 0);
    assert.ok(await rows.filter({ hasText: /not run/ }).count() > 0);
    await session.screenshot('run-steps-view');
  });

  it('does not run a destructive step on Enter, Enter, Enter or a wrong id; runs it once the id is typed', async function () {
    const session = e2eSession();
    const { page } = session;
    const dir = `/tmp/runbook-ops-e2e-purge-${process.pid}`;
    const purged = join(dir, 'purged.txt');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'cache'), { recursive: true });
    mkdirSync(join(session.workspace.path, 'scratch-e2e'), { recursive: true });
    const lines = [
      '---', 'title: Purge the cache', 'variables:', '  dir:', '    description: Cache root', `    default: ${dir}`, '---',
      '# Purge the cache', '', '## Purge', '', '```sh {name=purge-cache}', 'rm -rf {{dir}}/cache && echo purged > {{dir}}/purged.txt', '```', '',
    ];
    const fence = lines.indexOf('```sh {name=purge-cache}') + 1;
    writeFileSync(join(session.workspace.path, 'scratch-e2e', 'purge.md'), lines.join('\n'));
    await session.openFile('scratch-e2e/purge.md');
    await (await codeLensAbove(page, fence, '▶ Run')).click();

    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    assert.equal(await input.inputValue(), dir);
    // The sequence: accept the value, then keep pressing Enter.
    await page.keyboard.press('Enter');
    const confirm = await confirmationBox(page);
    const prompt = (await confirm.message.textContent()) ?? '';
    assert.ok(prompt.includes(`rm -rf ${dir}/cache && echo purged > ${dir}/purged.txt`), prompt);
    assert.match(prompt, /It runs “rm -rf”, which is destructive \(destructive pattern \//);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Enter');
    // The prompt turns into an error (same text, error colours) and the box stays open.
    const error = confirm.widget.locator('.monaco-inputbox.error');
    await error.waitFor();
    assert.ok(((await confirm.message.textContent()) ?? '').startsWith('Type purge-cache to run it; Escape cancels.'));
    assert.ok(await confirm.widget.isVisible(), 'the confirmation is still open');
    await session.screenshot('run-steps-enter-refused');

    await confirm.input.fill('purge');
    await page.keyboard.press('Enter');
    await confirm.message.filter({ hasText: '“purge” is not purge-cache.' }).waitFor();
    assert.ok(existsSync(join(dir, 'cache')) && !existsSync(purged), 'nothing ran');

    await confirm.input.fill('purge-cache');
    await error.waitFor({ state: 'detached' });
    publishToMedia(await session.screenshot('run-steps-typed-confirmation'), 'run-steps-typed-confirmation.png');
    await page.keyboard.press('Enter');
    await confirm.widget.waitFor({ state: 'hidden' });
    await until(`${purged} to appear`, () => existsSync(purged));
    assert.equal(readFileSync(purged, 'utf8'), 'purged\n');
    assert.equal(existsSync(join(dir, 'cache')), false);

    // Escape cancels: run it again (accepting the remembered value), press Escape at the confirmation, and nothing runs.
    rmSync(purged);
    await (await codeLensAbove(page, fence, '▶ Run')).click();
    await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: `Run with {{dir}} = ${dir}` }).waitFor();
    await page.keyboard.press('Enter');
    await confirmationBox(page);
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    assert.equal(existsSync(purged), false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('types a secret into a password box and never shows it in the terminal', async function () {
    const session = e2eSession();
    const { page } = session;
    const secret = `e2e-Pa55-${process.pid}`;
    await session.openFile('database/postgres-failover.md');
    const line = readFileSync(join(session.workspace.path, 'database/postgres-failover.md'), 'utf8').split('\n').findIndex((l) => l.includes('{name=check-lag}')) + 1;
    await (await codeLensAbove(page, line, '▶ Run')).click();
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    // {{pg_password}} first (it comes first in the command), in a password box; then {{candidate}} with its default.
    const title = page.locator('.quick-input-widget .quick-input-title');
    await title.filter({ hasText: 'Value for {{pg_password}}' }).waitFor();
    assert.equal(await input.getAttribute('type'), 'password');
    await input.fill(secret);
    await page.keyboard.press('Enter');
    await title.filter({ hasText: 'Value for {{candidate}}' }).waitFor();
    assert.equal(await input.inputValue(), 'pg-main-1');
    await page.keyboard.press('Enter');

    const terminal = page.locator('.terminal-wrapper .xterm-rows');
    // The fake psql prints both LSNs when it ran with the query.
    await terminal.filter({ hasText: '0/3A0012F8|0/3A0011C0' }).first().waitFor().catch(async () => {
      assert.fail(`terminal did not show psql's answer: ${await terminal.first().textContent()}`);
    });
    const shown = (await terminal.allTextContents()).join('\n');
    assert.ok(shown.includes('PGPASSWORD="$PG_PASSWORD" psql'), shown);
    assert.ok(!shown.includes(secret), `the secret is on screen: ${shown}`);
    const tabs = (await page.locator('.terminal-tabs-entry, .single-terminal-tab').allTextContents()).join(' ');
    await page.mouse.move(0, 0);
    publishToMedia(await session.screenshot('run-steps-secret-terminal'), 'run-steps-secret-terminal.png');
    assert.match(tabs, /\(secrets\)/, `the step ran in the runbook's secrets terminal: ${tabs}`);
  });
});
