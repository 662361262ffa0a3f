// Browser test of the history webview: code-server with the extension installed, headless Chromium,
// a database written by the REAL SlateDB engine (test/fixtures/buildHostFixtures.ts `rich`) plus
// checkpoints our engine adds (one named `<img src=x onerror=alert(1)>`). For each theme (Dark Modern,
// Light Modern, High Contrast: `workbench.colorTheme` in the user settings) it opens "SlateDB: Show
// History" from the palette, waits for the page, selects checkpoints and saves screenshots of the
// whole workbench, the chart, the timeline and the pinned-SST table to test-results/. It checks the
// hostile name is shown as text and runs nothing (no <img>, no dialog), sorting and filtering work,
// Create Checkpoint asks through the command's quick picks, and Delete asks in a modal first.
//
//   node --import tsx test/e2e/history.e2e.ts [--theme=dark|light|hc]
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { createCheckpoint } from '../../src/engine/checkpoints';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { REPO_ROOT, startCodeServer, type CodeServer } from '../../scripts/lib/codeServer.mjs';
import { E2eTally, launchBrowser, openViewContainer, openWorkbench, prepareE2eRun, recordDialogs, waitForTreeRows, webviewFrame } from './workbench';

const log = (line: string) => console.log(`[e2e history] ${line}`);
const XSS = '<img src=x onerror=alert(1)>';
const THEMES = [
  { key: 'dark', name: 'Default Dark Modern' },
  { key: 'light', name: 'Default Light Modern' },
  { key: 'hc', name: 'Default High Contrast' },
] as const;

const tally = new E2eTally(log);
const { check, shot } = tally;

async function showHistoryFromPalette(page: Page, db: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill('>SlateDB: Show History');
  const row = (label: string | RegExp) =>
    page.locator('.quick-input-widget .quick-input-list .monaco-list-row[role="option"]').filter({ has: page.locator('.label-name', { hasText: label }) }).first();
  await row(/^SlateDB: Show History$/).click();
  // The command asks which database (pickDatabase).
  await row(new RegExp(`^${db}$`)).click({ timeout: 15_000 });
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
}

async function prepareStore(scratch: string): Promise<{ folder: string; ids: Record<string, string> }> {
  const fixtures = path.join(scratch, 'fixtures');
  log('building the fixture databases with the real SlateDB engine…');
  const built = spawnSync(process.execPath, ['--import', 'tsx', path.join('test', 'fixtures', 'buildHostFixtures.ts'), fixtures], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000 });
  assert.equal(built.status, 0, `building fixtures failed: ${built.stderr || built.stdout}`);
  const folder = path.join(scratch, 'store');
  fs.cpSync(path.join(fixtures, 'rich'), path.join(folder, 'rich'), { recursive: true });
  const ms = new ManifestStore(new LocalObjectStore(folder), 'rich');
  const ids: Record<string, string> = {};
  ids.nightly = (await createCheckpoint(ms, { name: 'nightly-backup' })).id;
  ids.xss = (await createCheckpoint(ms, { name: XSS, lifetimeMs: 7 * 24 * 3600_000 })).id;
  ids.scratch = (await createCheckpoint(ms, { name: 'scratch', lifetimeMs: 1800_000 })).id;
  log(`store ${folder}: added checkpoints ${JSON.stringify(ids)}`);
  return { folder, ids };
}

async function runTheme(theme: (typeof THEMES)[number], folder: string, scratch: string, last: boolean): Promise<void> {
  const extensionsDir = path.join(scratch, `extensions-${theme.key}`);
  fs.mkdirSync(extensionsDir, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  fs.symlinkSync(REPO_ROOT, path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`));
  const workspace = path.join(scratch, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });

  let server: CodeServer | undefined;
  const browser = await launchBrowser();
  try {
    server = await startCodeServer({
      folder: workspace,
      userDataDir: path.join(scratch, `user-data-${theme.key}`),
      extensionsDir,
      settings: {
        'workbench.colorTheme': theme.name,
        'workbench.startupEditor': 'none',
        'slatedb.connections': [{ id: 'e2e-history', name: 'history fixture', kind: 'local', folder }],
        'slatedb.pollIntervalSeconds': 0,
      },
      log,
    });
    const page = await openWorkbench(browser, server.url, { folder: workspace, width: 1600, height: 1000 });
    const dialogs = recordDialogs(page);

    await openViewContainer(page, 'SlateDB');
    await waitForTreeRows(page, { count: 2 });
    const started = Date.now();
    await showHistoryFromPalette(page, 'rich');
    const frame = webviewFrame(page);
    await frame.locator('.timeline .row.manifest:not(.pending)').first().waitFor({ timeout: 30_000 });
    const firstScreen = Date.now() - started;
    await frame.locator('.banner', { hasText: 'Loaded' }).waitFor({ timeout: 30_000 });
    log(`${theme.key}: first manifests drawn ${firstScreen} ms after choosing the database; all loaded after ${Date.now() - started} ms`);
    // More room for the panel: hide the side bar.
    await page.keyboard.press('Control+B');
    await page.waitForTimeout(600);

    const rows = await frame.locator('.timeline .row.manifest').count();
    const gaps = await frame.locator('.timeline .row.gap').count();
    const cps = await frame.locator('.cp-table .cp-row').count();
    check(`${theme.key}: timeline shows manifests and GC gaps`, rows >= 3 && gaps >= 1, `${rows} rows, ${gaps} gaps`);
    check(`${theme.key}: checkpoint list shows the latest manifest's checkpoints`, cps >= 5, `${cps} rows`);

    // The hostile name: literal text, no element, no dialog.
    const xssCell = frame.locator('.cp-table .cp-name', { hasText: XSS });
    check(`${theme.key}: the name ${XSS} is shown as text`, (await xssCell.count()) === 1 && (await xssCell.textContent()) === XSS);
    check(`${theme.key}: the page holds no <img> element`, (await frame.locator('img').count()) === 0);

    await shot(page, `history-${theme.key}`);
    await shot(frame.locator('#chart'), `history-chart-${theme.key}`);
    await shot(frame.locator('#timeline'), `history-timeline-${theme.key}`);

    // Select the hostile checkpoint: its SSTs, sorted and filtered.
    await xssCell.click();
    const sstRows = frame.locator('.sst-table .sst-row');
    await sstRows.first().waitFor({ timeout: 10_000 });
    const total = await sstRows.count();
    check(`${theme.key}: selecting a checkpoint shows its pinned SSTs`, total > 0, `${total} rows`);
    check(`${theme.key}: the pinned-SST title shows the name as text`, (await frame.locator('.cp-title-name').textContent()) === XSS);
    await frame.locator('vscode-table-header-cell[data-column="size"]').click();
    const sizes = await frame.locator('.sst-table .sst-row vscode-table-cell.num').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('title')?.split(' ')[0])));
    const ascending = sizes.every((v, i) => i === 0 || sizes[i - 1] <= v);
    const descending = sizes.every((v, i) => i === 0 || sizes[i - 1] >= v);
    check(`${theme.key}: clicking Size sorts by size`, ascending || descending, JSON.stringify(sizes));
    const firstId = (await sstRows.first().getAttribute('data-sst-id'))!;
    await frame.locator('.sst-filter input, vscode-textfield.sst-filter').first().click();
    await page.keyboard.type(firstId.slice(-6));
    await frame.locator('.sst-count', { hasText: ` of ${total} SSTs` }).or(frame.locator('.sst-count', { hasText: /^1 SST$/ })).first().waitFor({ timeout: 5000 });
    check(`${theme.key}: filtering by part of a ULID narrows the table`, (await sstRows.count()) === 1);
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await frame.locator('.sst-count', { hasText: new RegExp(`^${total} SSTs?$`) }).waitFor({ timeout: 5000 });
    await frame.locator('#pinned').scrollIntoViewIfNeeded();
    await shot(frame.locator('#pinned'), `history-pinned-${theme.key}`);

    // A checkpoint that alone keeps SSTs alive, picked from its bar in the chart.
    await frame.locator('#chart').scrollIntoViewIfNeeded();
    await frame.locator('.chart .pin:has(.bar-reclaimable) .bar-pinned').first().click();
    await frame.locator('.sst-table .sst-row.exclusive').first().waitFor({ timeout: 10_000 });
    const reclaim = (await frame.locator('.totals .reclaim strong').textContent()) ?? '';
    check(`${theme.key}: clicking a chart bar selects a checkpoint whose exclusive SSTs are reclaimable`, reclaim !== '0 B', reclaim);
    if (theme.key === 'dark') {
      await frame.locator('#pinned').scrollIntoViewIfNeeded();
      await shot(frame.locator('#pinned'), `history-pinned-reclaimable-${theme.key}`);
    }

    if (theme.key === 'dark') {
      // Reload the window: VS Code restores the panel through the WebviewPanelSerializer, and
      // the page gets its saved state (database, selected checkpoint) back from getState().
      const selected = (await frame.locator('.cp-title-name').textContent()) ?? '';
      // "Developer: Reload Window" shuts the workbench down as VS Code expects (storage, with the
      // page's setState, is flushed first); a raw browser reload would race that flush.
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget .quick-input-box input').fill('>Developer: Reload Window');
      await page.locator('.quick-input-widget .monaco-list-row[role="option"]').filter({ has: page.locator('.label-name', { hasText: /^Developer: Reload Window$/ }) }).first().click();
      await page.waitForEvent('load', { timeout: 30_000 });
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
      // (The SlateDB view is closed: only `onWebviewPanel:slatedb.history` activates the extension.)
      await webviewFrame(page).locator('.timeline .row.manifest:not(.pending)').first().waitFor({ timeout: 30_000 });
      const revived = webviewFrame(page);
      await revived.locator('.cp-title-name').first().waitFor({ timeout: 15_000 });
      const restored = (await revived.locator('.cp-title-name').textContent()) ?? '';
      check('dark: after a window reload the panel is revived with its selection', restored === selected, `${restored} instead of ${selected}`);
    }

    if (theme.key === 'light') {
      // Create Checkpoint in the panel: the command's own quick picks ask (lifetime, name, what to pin).
      const before = await frame.locator('.cp-table .cp-row').count();
      await frame.locator('vscode-button[data-action="create"]').click();
      const quick = page.locator('.quick-input-widget');
      await quick.waitFor({ state: 'visible', timeout: 10_000 });
      check('light: Create Checkpoint asks for a lifetime (quick pick)', (await quick.locator('.quick-input-title').textContent())?.includes('lifetime') === true);
      await page.keyboard.press('Enter'); // 1 hour
      await page.waitForTimeout(400);
      await page.keyboard.type('made-in-the-panel');
      await page.keyboard.press('Enter');
      await page.waitForTimeout(400);
      await page.keyboard.press('Enter'); // latest manifest
      await frame.locator('.cp-table .cp-name', { hasText: 'made-in-the-panel' }).waitFor({ timeout: 20_000 });
      check('light: the panel shows the checkpoint it created', (await frame.locator('.cp-table .cp-row').count()) === before + 1);
    }

    if (last) {
      // Delete in the panel: the command asks in a modal first.
      await frame.locator('.cp-table .cp-name', { hasText: /^scratch$/ }).click();
      await frame.locator('.cp-title-name', { hasText: /^scratch$/ }).waitFor();
      await frame.locator('vscode-button[data-action="delete"]').click();
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 10_000 });
      check(`${theme.key}: Delete asks for confirmation`, /Delete checkpoint/.test((await dialog.textContent()) ?? ''));
      await shot(page, `history-delete-confirm-${theme.key}`);
      await dialog.locator('a.monaco-button, button', { hasText: /^Delete$/ }).first().click();
      await frame.locator('.cp-table .cp-name', { hasText: /^scratch$/ }).waitFor({ state: 'detached', timeout: 20_000 });
      check(`${theme.key}: the deleted checkpoint leaves the panel`, true);
    }

    check(`${theme.key}: no dialog opened from the page (alert)`, dialogs.length === 0, dialogs.join(' | '));
    const csp = page.consoleErrors.filter((t) => /Content Security Policy|Refused to/.test(t));
    check(`${theme.key}: no CSP violation in the console`, csp.length === 0, csp.join('\n'));
    const other = page.consoleErrors.filter((t) => !/open-vsx\.org|vsda|Failed to load resource|ENOTFOUND/.test(t));
    if (other.length) log(`${theme.key}: other console errors:\n  ${other.slice(0, 10).join('\n  ')}`);
  } finally {
    await browser.close();
    await server?.stop();
  }
}

async function main(): Promise<void> {
  const only = process.argv.find((a) => a.startsWith('--theme='))?.slice('--theme='.length);
  const scratch = await prepareE2eRun('e2e-history', log);
  const { folder } = await prepareStore(scratch);
  const themes = THEMES.filter((t) => !only || t.key === only);
  try {
    for (const [i, theme] of themes.entries()) await runTheme(theme, folder, scratch, i === themes.length - 1);
    console.log(`screenshots:\n  ${tally.screenshots.join('\n  ')}`);
    console.log(`e2e history: ${tally.passed} passed, 0 failed`);
  } catch (error) {
    console.log(`e2e history: ${tally.passed} passed, 1 failed`);
    throw error;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
