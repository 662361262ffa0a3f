// Browser test of the data panel: code-server with the extension installed, headless Chromium,
// databases the REAL SlateDB engine wrote (test/fixtures/dataHostFixtures.ts: `codec-zstd` with
// checkpoints, `hostile` with a key and a value `<img src=x onerror=alert(1)>` and a JSON value).
// For a dark and a light theme it runs "SlateDB: Browse Data" from the palette (database, then
// state), pages with Load More, opens the compare view with the panel's own "Compare with…"
// button, and saves screenshots of the whole workbench to test-results/data-*.png. It checks the
// hostile key and value are shown as text and run nothing (no <img>, no dialog, no CSP violation).
//
//   node --import tsx test/e2e/data.e2e.ts [--theme=dark|light]
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT, startCodeServer, type CodeServer } from '../../scripts/lib/codeServer.mjs';
import type { DataHostFixtures } from '../fixtures/dataHostFixtures';
import { E2eTally, launchBrowser, openViewContainer, openWorkbench, prepareE2eRun, recordDialogs, waitForTreeRows, webviewFrame } from './workbench';

const log = (line: string) => console.log(`[e2e data] ${line}`);
const XSS = '<img src=x onerror=alert(1)>';
const THEMES = [
  { key: 'dark', name: 'Default Dark Modern' },
  { key: 'light', name: 'Default Light Modern' },
] as const;

const tally = new E2eTally(log);
const { check, shot } = tally;

const option = (page: Page, label: RegExp) =>
  page.locator('.quick-input-widget .quick-input-list .monaco-list-row[role="option"]').filter({ has: page.locator('.label-name', { hasText: label }) }).first();

/** Picks the rows of the quick picks that follow, one after another. */
async function pick(page: Page, ...labels: RegExp[]): Promise<void> {
  for (const label of labels) {
    try {
      await option(page, label).click({ timeout: 15_000 });
    } catch (e) {
      await shot(page, 'data-failed-pick');
      throw e;
    }
  }
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
}

async function fromPalette(page: Page, title: string, ...labels: RegExp[]): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  await pick(page, new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), ...labels);
}

async function runTheme(theme: (typeof THEMES)[number], fx: DataHostFixtures, scratch: string): Promise<void> {
  const extensionsDir = path.join(scratch, `extensions-${theme.key}`);
  fs.mkdirSync(extensionsDir, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  fs.symlinkSync(REPO_ROOT, path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`));
  const workspace = path.join(scratch, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });
  const zstd = fx.dbs['codec-zstd'];

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
        'slatedb.connections': [{ id: 'e2e-data', name: 'data fixture', kind: 'local', folder: fx.store }],
        'slatedb.pollIntervalSeconds': 0,
      },
      log,
    });
    const page = await openWorkbench(browser, server.url, { folder: workspace, width: 1600, height: 1000 });
    const dialogs = recordDialogs(page);
    await openViewContainer(page, 'SlateDB');
    await waitForTreeRows(page, { count: 2 });

    // Browse Data at a checkpoint, from the palette: database, then state.
    await fromPalette(page, 'SlateDB: Browse Data', /^codec-zstd$/, /fixture:deletes/);
    let frame = webviewFrame(page, { visible: true });
    const rows = frame.locator('tbody tr.row');
    await rows.nth(99).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+B');
    const engine = zstd.truth.deletes;
    check(`${theme.key}: the first page has 100 rows`, (await rows.count()) === 100);
    const firstKey = await frame.locator('td.key-cell').first().textContent();
    check(`${theme.key}: the first key is the engine's`, firstKey === '0x0042', `${firstKey}`);
    await frame.locator('vscode-button[data-action="more"]').click();
    await rows.nth(199).waitFor({ timeout: 15_000 });
    check(`${theme.key}: Load More appends the next 100`, (await rows.count()) === Math.min(200, engine.length));
    const userRow = rows.filter({ has: frame.locator('td.key-cell', { hasText: /^user:00120$/ }) });
    await userRow.click();
    await frame.locator('.detail pre.value-text').waitFor({ timeout: 5000 });
    await page.waitForTimeout(300);
    await shot(page, `data-browse-${theme.key}`);

    // The compare view, from the panel's own button: base → deletes.
    await frame.locator('vscode-button[data-action="compare-with"]').click();
    await pick(page, /fixture:base/);
    frame = webviewFrame(page, { visible: true });
    await frame.locator('h1.title', { hasText: 'Changes in codec-zstd' }).waitFor({ timeout: 30_000 });
    const diffRows = frame.locator('tbody tr.row');
    await diffRows.first().waitFor({ timeout: 30_000 });
    const kinds = await frame.locator('td.kind-cell').evaluateAll((cells) => cells.map((c) => c.className.split(' ')[1]));
    check(`${theme.key}: the compare view lists added, removed and changed keys`, ['added', 'removed', 'changed'].every((k) => kinds.includes(k)), kinds.slice(0, 20).join(','));
    await frame.locator('vscode-button[data-action="count"]').click();
    await frame.locator('.status', { hasText: /in total/ }).waitFor({ timeout: 15_000 });
    const expected = fx.diffs['codec-zstd:base→deletes'];
    const status = (await frame.locator('.status').textContent()) ?? '';
    check(`${theme.key}: Count All counts the engine's differences`, status.includes(`${expected.length} in total`), status);
    await diffRows.filter({ has: frame.locator('td.kind-cell.changed') }).nth(2).click();
    await frame.locator('.detail .value-pair').waitFor({ timeout: 5000 });
    await page.waitForTimeout(300);
    await shot(page, `data-compare-${theme.key}`);

    // Hostile keys and values, at the latest state.
    await fromPalette(page, 'SlateDB: Browse Data', /^hostile$/, /Latest state/);
    frame = webviewFrame(page, { visible: true });
    const xssKey = frame.locator('td.key-cell', { hasText: XSS });
    await xssKey.waitFor({ timeout: 30_000 });
    check(`${theme.key}: the key ${XSS} is shown as text`, (await xssKey.textContent()) === XSS);
    check(`${theme.key}: the value ${XSS} is shown as text`, (await frame.locator('td.value-cell', { hasText: XSS }).count()) === 1);
    // The page's own DOM (locators would also see the shadow DOM of vscode-elements, which draws svg icons).
    const injected = await frame.locator('body').evaluate(() => document.querySelectorAll('img, svg, iframe, object, embed').length);
    check(`${theme.key}: the page holds no <img>, <svg> or <iframe>`, injected === 0, `${injected} found`);
    await frame.locator('tbody tr.row').filter({ has: frame.locator('td.key-cell', { hasText: /^json:order$/ }) }).click();
    await frame.locator('.detail pre.value-text.kind-json').waitFor({ timeout: 5000 });
    await page.waitForTimeout(300);
    await shot(page, `data-hostile-${theme.key}`);

    if (theme.key === 'dark') {
      // VS Code keeps the panel across a window reload: the serializer revives it at the same state.
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget .quick-input-box input').fill('>Developer: Reload Window');
      await option(page, /^Developer: Reload Window$/).click();
      await page.waitForEvent('load', { timeout: 30_000 });
      await page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: 60_000 });
      const revived = webviewFrame(page, { visible: true });
      await revived.locator('td.key-cell', { hasText: XSS }).waitFor({ timeout: 30_000 });
      check('dark: after a window reload the data panel is revived at its database and state', (await revived.locator('h1.title').textContent()) === 'Data of hostile');
    }

    check(`${theme.key}: no dialog opened from the page (alert)`, dialogs.length === 0, dialogs.join(' | '));
    const csp = page.consoleErrors.filter((t) => /Content Security Policy|Refused to/.test(t));
    check(`${theme.key}: no CSP violation in the console`, csp.length === 0, csp.join('\n'));
  } finally {
    await browser.close();
    await server?.stop();
  }
}

async function main(): Promise<void> {
  const only = process.argv.find((a) => a.startsWith('--theme='))?.slice('--theme='.length);
  const scratch = await prepareE2eRun('e2e-data', log);
  const out = path.join(scratch, 'data');
  const built = spawnSync(process.execPath, ['--import', 'tsx', path.join('test', 'fixtures', 'dataHostFixtures.ts'), out], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000 });
  assert.equal(built.status, 0, `preparing the data fixtures failed: ${built.stderr || built.stdout}`);
  const fx = JSON.parse(fs.readFileSync(path.join(out, 'data-host.json'), 'utf8')) as DataHostFixtures;
  for (const theme of THEMES.filter((t) => !only || t.key === only)) await runTheme(theme, fx, scratch);
  log(`${tally.passed} checks passed; screenshots:\n  ${tally.screenshots.join('\n  ')}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack : e);
    process.exit(1);
  },
);
