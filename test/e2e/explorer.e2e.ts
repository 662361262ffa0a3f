// Browser test of the SlateDB view on real databases: code-server with the extension installed and a
// user settings.json holding a local connection to fixture databases built by the REAL SlateDB engine
// (test/fixtures/buildHostFixtures.ts); headless Chromium then
//   1. opens the SlateDB view, expands the connection and a database, checks the rows against the CLI;
//   2. creates a checkpoint through the palette ("SlateDB: Create Checkpoint…": database, lifetime
//      preset, name, "Latest manifest") and finds it in the tree and in the manifest on disk;
//   3. deletes it through the row's context menu ("Delete Checkpoint…"), confirms the modal dialog,
//      and checks the manifest on disk no longer has it.
// Screenshots: test-results/explorer-{tree,palette,modal,after-delete}.png
//
//   node --import tsx test/e2e/explorer.e2e.ts [--fixtures=DIR]   (DIR: a built fixture folder to copy)
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { REPO_ROOT, ensureChromium, ensureCodeServer, startCodeServer, type CodeServer } from '../../scripts/lib/codeServer.mjs';
import { launchBrowser, listTreeRows, openViewContainer, openWorkbench, screenshot, sideBarTree, waitForTreeRows } from './workbench';

const log = (line: string) => console.log(`[e2e:explorer] ${line}`);
const CONNECTION = { id: 'e2e-fixtures', name: 'e2e fixtures', kind: 'local' as const };

interface CliCheckpoint {
  id: string;
  manifest_id: number;
  expire_time: string | null;
  name: string | null;
}

function cli<T>(folder: string, db: string, ...args: string[]): T {
  return JSON.parse(execFileSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), '--store', `file://${folder}`, '--path', db, ...args], { encoding: 'utf8' })) as T;
}

/** A tree row of the side bar by its exact label. */
function treeRow(page: Page, label: string): Locator {
  return sideBarTree(page)
    .locator('.monaco-list-row[role="treeitem"]')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
    .first();
}

/** Waits for the quick input to show `title`, then picks the row whose label matches. */
async function pick(page: Page, title: RegExp, label: RegExp, filter?: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 15_000 });
  if (filter !== undefined) await widget.locator('.quick-input-box input').fill(filter);
  const row = widget.locator('.quick-input-list .monaco-list-row[role="option"]').filter({ has: page.locator('.label-name', { hasText: label }) }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
}

async function expand(page: Page, label: string): Promise<void> {
  const row = treeRow(page, label);
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  if ((await row.getAttribute('aria-expanded')) !== 'true') {
    await row.click();
    await page.keyboard.press('ArrowRight');
    await row.and(page.locator('[aria-expanded="true"]')).waitFor({ timeout: 10_000 });
  }
}

/** Drags the side bar's edge so rows are not cut off in the screenshots. */
async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
  const after = await page.locator('.part.sidebar').boundingBox();
  log(`side bar ${Math.round(box.width)} → ${Math.round(after?.width ?? 0)} px wide`);
}

async function prepareData(scratch: string): Promise<string> {
  const given = process.argv.find((a) => a.startsWith('--fixtures='))?.slice('--fixtures='.length) ?? process.env.SLATEDB_TEST_DB_ROOT;
  let source = given;
  if (!source) {
    source = path.join(REPO_ROOT, 'test-results', 'fixtures', `e2e-explorer-${process.pid}`);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test', 'fixtures', 'buildHostFixtures.ts'), source], { stdio: 'inherit', timeout: 120_000 });
    assert.equal(r.status, 0, 'building the fixture databases failed');
    log(`fixtures built in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${path.relative(REPO_ROOT, source)}`);
  }
  // The test writes: work on a copy.
  const data = path.join(scratch, 'data');
  for (const db of ['rich', 'tiny']) fs.cpSync(path.join(source, db), path.join(data, db), { recursive: true });
  if (!given) fs.rmSync(source, { recursive: true, force: true });
  return data;
}

async function main(): Promise<void> {
  const build = spawnSync(process.execPath, ['esbuild.js'], { cwd: REPO_ROOT, stdio: 'inherit' });
  assert.equal(build.status, 0, 'node esbuild.js failed');
  await ensureCodeServer({ log });
  await ensureChromium({ log });

  const scratch = path.join(REPO_ROOT, '.vscode-test', 'e2e-explorer');
  fs.rmSync(scratch, { recursive: true, force: true });
  const workspace = path.join(scratch, 'workspace');
  const extensionsDir = path.join(scratch, 'extensions');
  fs.mkdirSync(workspace, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  const data = await prepareData(scratch);
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  fs.symlinkSync(REPO_ROOT, path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`));

  let server: CodeServer | undefined;
  const browser = await launchBrowser();
  let passed = 0;
  const step = (what: string) => {
    passed += 1;
    log(`ok ${passed} - ${what}`);
  };
  try {
    server = await startCodeServer({
      folder: workspace,
      userDataDir: path.join(scratch, 'user-data'),
      extensionsDir,
      settings: { 'slatedb.connections': [{ ...CONNECTION, folder: data }], 'remote.autoForwardPorts': false },
      logFile: path.join(REPO_ROOT, 'test-results', 'e2e-explorer-code-server.log'),
      log,
    });
    const page = await openWorkbench(browser, server.url, { folder: workspace });
    // The first-run "Welcome" page and toasts would only clutter the screenshots.
    await page.keyboard.press('Escape');

    // 1. The view: connection (expanded by default) → databases → checkpoints of `rich`.
    await openViewContainer(page, 'SlateDB');
    await waitForTreeRows(page, { count: 3 });
    await widenSideBar(page, 560);
    await expand(page, 'rich');
    const richOnDisk = cli<CliCheckpoint[]>(data, 'rich', 'list-checkpoints');
    const rows = await listTreeRows(page);
    log(`rows: ${rows.map((r) => `${'  '.repeat(r.level - 1)}${r.label} | ${r.description}`).join('\n    ')}`);
    assert.equal(rows[0].label, CONNECTION.name);
    assert.equal(rows[0].description, data);
    const dbRows = rows.filter((r) => r.level === 2).map((r) => r.label);
    assert.deepEqual(dbRows, ['rich', 'tiny']);
    const richRow = rows.find((r) => r.label === 'rich')!;
    assert.match(richRow.description, new RegExp(`^manifest #\\d+ · ${richOnDisk.length} checkpoints$`));
    const cpRows = rows.filter((r) => r.level === 3);
    assert.equal(cpRows.length, richOnDisk.length, 'one row per checkpoint of rich');
    for (const c of richOnDisk) {
      assert.ok(cpRows.some((r) => r.label === (c.name ?? c.id.slice(0, 8)) && r.description.startsWith(`→ #${c.manifest_id} · `)), `row of ${c.id}`);
    }
    log(`screenshot ${path.relative(REPO_ROOT, await screenshot(page, 'explorer-tree'))}`);
    step('the tree shows the connection, both databases and every checkpoint of rich');

    // 2. Create through the palette.
    const tinyBefore = cli<CliCheckpoint[]>(data, 'tiny', 'list-checkpoints');
    const name = `e2e-palette-${Date.now().toString(36)}`;
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill('>SlateDB: Create Checkpoint');
    const command = page.locator('.quick-input-widget .quick-input-list .monaco-list-row[role="option"]').filter({ has: page.locator('.label-name', { hasText: /^SlateDB: Create Checkpoint…$/ }) }).first();
    await command.waitFor({ state: 'visible' });
    await command.click();
    await pick(page, /choose a database/, /^tiny$/);
    await page.locator('.quick-input-widget .quick-input-title', { hasText: /lifetime/ }).waitFor({ state: 'visible' });
    log(`screenshot ${path.relative(REPO_ROOT, await screenshot(page, 'explorer-palette'))}`);
    await pick(page, /\(1\/3\): lifetime/, /^1 day$/);
    await page.locator('.quick-input-widget .quick-input-title', { hasText: /\(2\/3\): name/ }).waitFor({ state: 'visible' });
    await input.fill(name);
    await input.press('Enter');
    await pick(page, /\(3\/3\): what to pin/, /Latest manifest/);
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    // The command reveals the new checkpoint (expanding `tiny`).
    const newRow = treeRow(page, name);
    await newRow.waitFor({ state: 'visible', timeout: 20_000 });
    const created = cli<CliCheckpoint[]>(data, 'tiny', 'list-checkpoints').find((c) => c.name === name);
    assert.ok(created, 'the manifest on disk holds the new checkpoint');
    assert.equal(cli<CliCheckpoint[]>(data, 'tiny', 'list-checkpoints').length, tinyBefore.length + 1);
    const expiresIn = (Date.parse(created.expire_time!) - Date.now()) / 3_600_000;
    assert.ok(expiresIn > 23.9 && expiresIn <= 24, `expires in ${expiresIn.toFixed(2)} h`);
    const newDescription = (await newRow.locator('.label-description').textContent()) ?? '';
    assert.equal(newDescription.trim(), `→ #${created.manifest_id} · expires in 24 h`);
    step(`"SlateDB: Create Checkpoint…" from the palette made ${created.id} (${newDescription.trim()})`);

    // 3. Delete through the row's context menu + the modal dialog.
    await newRow.click({ button: 'right' });
    const menuItem = page.locator('.monaco-menu .action-item .action-label', { hasText: /^Delete Checkpoint…$/ }).first();
    await menuItem.waitFor({ state: 'visible', timeout: 10_000 });
    await menuItem.click();
    const dialog = page.locator('.monaco-dialog-box');
    try {
      await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    } catch (error) {
      log(`screenshot without the modal: ${path.relative(REPO_ROOT, await screenshot(page, 'explorer-no-modal'))}`);
      const slateLog = fs.readdirSync(path.join(scratch, 'user-data', 'logs'), { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('SlateDB.log'));
      if (slateLog) log(`SlateDB.log:\n${fs.readFileSync(path.join(scratch, 'user-data', 'logs', slateLog), 'utf8').split('\n').slice(-15).join('\n')}`);
      throw error;
    }
    const dialogText = (await dialog.innerText()).replace(/\s+/g, ' ');
    log(`dialog: ${dialogText}`);
    assert.match(dialogText, new RegExp(`Delete checkpoint “${escapeRegExp(name)}”`));
    assert.match(dialogText, /cannot be undone/);
    log(`screenshot ${path.relative(REPO_ROOT, await screenshot(page, 'explorer-modal'))}`);
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: /^Delete$/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    await newRow.waitFor({ state: 'detached', timeout: 20_000 });
    const after = cli<CliCheckpoint[]>(data, 'tiny', 'list-checkpoints');
    assert.equal(after.find((c) => c.id === created.id), undefined, 'the manifest on disk no longer holds it');
    assert.deepEqual(after.map((c) => c.id).sort(), tinyBefore.map((c) => c.id).sort());
    await page.waitForTimeout(500);
    log(`screenshot ${path.relative(REPO_ROOT, await screenshot(page, 'explorer-after-delete'))}`);
    step('"Delete Checkpoint…" from the context menu, confirmed in the modal, removed it from the tree and the manifest');

    const unexpected = page.consoleErrors.filter((text) => !/open-vsx\.org|vsda|Failed to load resource/.test(text));
    if (unexpected.length > 0) log(`browser console errors:\n  ${unexpected.join('\n  ')}`);
    console.log(`e2e explorer: ${passed} passed, 0 failed`);
  } catch (error) {
    console.log(`e2e explorer: ${passed} passed, 1 failed`);
    const open = browser.contexts().flatMap((c) => c.pages());
    if (open[0]) log(`screenshot of the failure: ${path.relative(REPO_ROOT, await screenshot(open[0], 'explorer-failure'))}`);
    throw error;
  } finally {
    await browser.close();
    await server?.stop();
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
