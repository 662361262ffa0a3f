// Browser test of expiry monitoring and many-databases-at-once: code-server with the extension, a
// local connection to three databases the REAL SlateDB engine wrote (copies of the shared data
// fixture `codec-none`) with checkpoints our engine added that expire in minutes; headless Chromium
//   1. finds the status-bar item "$(watch) 3 expiring", hovers it and checks its tooltip (database,
//      checkpoint, time left; a name with markdown characters shown as text) → screenshot;
//   2. checks one notification per expiring checkpoint, presses *Extend Lifetime* on one, picks
//      "1 day" in the lifetime picker and reads the manifest back from disk (expire_time moved);
//   3. clicks the status-bar item: a quick pick of the expiring ones; Enter reveals one in the tree;
//   4. an expired-but-listed checkpoint: its row and its tooltip say so → screenshot;
//   5. multi-selects two databases (Ctrl+click), runs "Create Checkpoint in Many Databases…" from
//      the context menu (name, lifetime) and finds one checkpoint in each on disk → screenshots;
//   6. the connection's context menu, glob "svc/*": Delete Named Checkpoint confirmed in a modal;
//   7. a glob create that fails in one database (corrupt manifest): "Roll Back" undoes the others.
// Screenshots: test-results/expiry-{status-tooltip,notifications,quick-pick,expired-row,multi-menu,multi-done,
//              multi-delete-modal,multi-partial}.png
//
//   node --import tsx test/e2e/expiry.e2e.ts
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { createCheckpoint, listCheckpoints } from '../../src/engine/checkpoints';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import type { CheckpointInfo } from '../../src/engine/manifest/model';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { isSelfRenewing } from '../../src/extension/expiry/expiringCheckpoints';
import { REPO_ROOT, startCodeServer, type CodeServer } from '../../scripts/lib/codeServer.mjs';
import { dataFixtures } from '../fixtures/dataDbs';
import { launchBrowser, openViewContainer, openWorkbench, prepareE2eRun, screenshot, sideBarTree, waitForTreeRows } from './workbench';

const log = (line: string) => console.log(`[e2e:expiry] ${line}`);
const CONNECTION = { id: 'e2e-expiry', name: 'services', kind: 'local' as const };
const DBS = ['svc/billing', 'svc/orders', 'svc/search'];
const TRICKY = 'pre_*mig*|v2&lt;b&gt;'; // markdown and an entity: must show exactly as stored
const MIN = 60_000;

let passed = 0;
const shots: string[] = [];
const step = (what: string) => {
  passed += 1;
  log(`ok ${passed} - ${what}`);
};
async function shot(page: Page, name: string): Promise<void> {
  const file = await screenshot(page, name);
  shots.push(path.relative(REPO_ROOT, file));
  log(`screenshot ${path.relative(REPO_ROOT, file)}`);
}

const store = (data: string, db: string) => new ManifestStore(new LocalObjectStore(data), db);
const onDisk = async (data: string, db: string): Promise<CheckpointInfo[]> => (await listCheckpoints(store(data, db))).checkpoints;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function treeRow(page: Page, label: string): Locator {
  return sideBarTree(page)
    .locator('.monaco-list-row[role="treeitem"]')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
    .first();
}

/** Drags the side bar's edge so row descriptions are not cut off in the screenshots. */
async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
}

/** Right-clicks `row` and runs its context-menu item `label` (hover to focus it, then Enter: see explorer.e2e.ts). */
async function contextMenu(page: Page, row: Locator, label: string): Promise<void> {
  await row.click({ button: 'right' });
  const item = page.locator('.monaco-menu .action-item .action-label', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  await item.hover();
  await page.locator('.monaco-menu .action-item.focused .action-label', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }).waitFor({ timeout: 5_000 });
  await page.keyboard.press('Enter');
  await page.locator('.monaco-menu').waitFor({ state: 'hidden', timeout: 10_000 });
}

async function pick(page: Page, title: RegExp, label: RegExp): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 15_000 });
  const row = widget.locator('.quick-input-list .monaco-list-row[role="option"]').filter({ has: page.locator('.label-name', { hasText: label }) }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Databases and their checkpoints: 3 expiring within 1 h (one with markdown characters), others not. */
async function prepareData(scratch: string): Promise<{ data: string; ids: Record<string, string> }> {
  const fx = await dataFixtures({ log });
  const data = path.join(scratch, 'data');
  for (const db of DBS) fs.cpSync(path.join(fx.root, fx.db('codec-none').path), path.join(data, db), { recursive: true });
  const ids: Record<string, string> = {};
  const add = async (db: string, name: string | undefined, lifetimeMs?: number) => {
    const c = await createCheckpoint(store(data, db), { name, lifetimeMs });
    if (name) ids[name] = c.id;
  };
  await add('svc/orders', 'nightly-orders', 25 * MIN);
  await add('svc/orders', TRICKY, 50 * MIN);
  await add('svc/orders', 'long-lived', 3 * 86400_000);
  await add('svc/orders', undefined, 10 * MIN); // a DbReader's shape: not counted
  await add('svc/orders', 'old-export', 1000); // expired by the time the view opens
  await add('svc/billing', 'release-7', 12 * MIN);
  await add('svc/search', 'weekly', 7 * 86400_000);
  return { data, ids };
}

async function main(): Promise<void> {
  const scratch = await prepareE2eRun('e2e-expiry', log, ['workspace', 'extensions']);
  const workspace = path.join(scratch, 'workspace');
  const extensionsDir = path.join(scratch, 'extensions');
  const { data, ids } = await prepareData(scratch);
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  fs.symlinkSync(REPO_ROOT, path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`));

  let server: CodeServer | undefined;
  const browser = await launchBrowser();
  try {
    server = await startCodeServer({
      folder: workspace,
      userDataDir: path.join(scratch, 'user-data'),
      extensionsDir,
      settings: { 'slatedb.connections': [{ ...CONNECTION, folder: data }], 'slatedb.pollIntervalSeconds': 0, 'remote.autoForwardPorts': false },
      logFile: path.join(REPO_ROOT, 'test-results', 'e2e-expiry-code-server.log'),
      log,
    });
    const page = await openWorkbench(browser, server.url, { folder: workspace });
    await page.keyboard.press('Escape');
    await openViewContainer(page, 'SlateDB');
    await waitForTreeRows(page, { count: 4 }); // the connection and its three databases: each one loaded
    await widenSideBar(page, 520);

    // 1. The status-bar item and its tooltip.
    const item = page.locator('.part.statusbar .statusbar-item').filter({ hasText: /expiring/ }).first();
    await item.waitFor({ state: 'visible', timeout: 20_000 });
    const itemText = (await item.innerText()).trim();
    assert.equal(itemText, '3 expiring');
    await item.hover();
    const hover = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: /expire within/ }).first();
    await hover.waitFor({ state: 'visible', timeout: 10_000 });
    const hoverText = (await hover.innerText()).replace(/[ \t]+/g, ' ');
    log(`tooltip:\n${hoverText}`);
    assert.match(hoverText, /3 checkpoints expire within 1h/);
    const rows = await hover.locator('table tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '')));
    assert.deepEqual(rows.map((r) => r.slice(0, 2)), [
      ['svc/billing', 'release-7'],
      ['svc/orders', 'nightly-orders'],
      ['svc/orders', TRICKY],
    ]);
    for (const r of rows) assert.match(r[2], /^\d+ min$/, `time left: ${r[2]}`);
    // The fixture's own DbReader checkpoints count here too, when still inside the window: read from disk.
    const nowS = Date.now() / 1000;
    let selfRenewing = 0;
    for (const db of DBS) selfRenewing += (await onDisk(data, db)).filter((c) => isSelfRenewing(c) && c.expireTimeS > nowS && c.expireTimeS - nowS <= 3600).length;
    assert.match(hoverText, new RegExp(`Not counted: ${selfRenewing} unnamed short-lived checkpoints? of SlateDB's compactor or readers`));
    await shot(page, 'expiry-status-tooltip');
    step(`status bar "${itemText}"; tooltip lists ${rows.map((r) => r.join(' / ')).join('; ')} (the markdown name as text)`);
    await page.mouse.move(700, 300);

    // 2. The notifications: one per checkpoint; Extend Lifetime on release-7 → "1 day".
    const toasts = page.locator('.notifications-toasts .notification-toast');
    await eventually(async () => await toasts.count(), (n) => n >= 3, 'three notifications');
    const texts = await toasts.locator('.notification-list-item-message').allInnerTexts();
    log(`notifications:\n  ${texts.join('\n  ')}`);
    for (const name of ['release-7', 'nightly-orders', TRICKY]) assert.equal(texts.filter((t) => t.includes(`“${name}”`)).length, 1, `one notification for ${name}`);
    await shot(page, 'expiry-notifications');
    const before = (await onDisk(data, 'svc/billing')).find((c) => c.id === ids['release-7'])!;
    const toast = toasts.filter({ hasText: '“release-7”' }).first();
    await toast.hover();
    await toast.locator('.monaco-button', { hasText: /^Extend Lifetime$/ }).click();
    await pick(page, /Refresh lifetime of checkpoint/, /^1 day$/);
    const after = await eventually(async () => (await onDisk(data, 'svc/billing')).find((c) => c.id === ids['release-7'])!, (c) => c.expireTimeS !== before.expireTimeS, 'release-7 refreshed on disk');
    const leftH = (after.expireTimeS - Date.now() / 1000) / 3600;
    assert.ok(leftH > 23.9 && leftH <= 24, `expires in ${leftH.toFixed(2)} h`);
    await eventually(async () => (await item.innerText()).trim(), (t) => t === '2 expiring', 'the item counts 2');
    step(`one notification each; Extend Lifetime → 1 day moved release-7's expire_time on disk by ${Math.round((after.expireTimeS - before.expireTimeS) / 60)} min; the item now says 2`);

    // 3. A click on the item: the expiring ones, soonest first; Enter reveals the first in the tree.
    await item.click();
    const qp = page.locator('.quick-input-widget');
    await qp.locator('.quick-input-title', { hasText: /checkpoints expiring within 1h/ }).waitFor({ state: 'visible', timeout: 10_000 });
    // Each option's first label (the second line, its detail, is the checkpoint id).
    const labels = await qp.locator('.quick-input-list .monaco-list-row[role="option"]').evaluateAll((rows) => rows.map((r) => r.querySelector('.label-name')?.textContent?.trim() ?? ''));
    assert.deepEqual(labels, ['nightly-orders', TRICKY]);
    await shot(page, 'expiry-quick-pick');
    await page.keyboard.press('Enter');
    const revealed = treeRow(page, 'nightly-orders');
    await revealed.waitFor({ state: 'visible', timeout: 15_000 });
    await eventually(async () => await revealed.getAttribute('aria-selected'), (v) => v === 'true', 'nightly-orders selected in the tree');
    step(`the item opens a quick pick (${labels.join(', ')}); Enter revealed and selected nightly-orders in the tree`);

    // 4. The expired-but-listed checkpoint: row and tooltip.
    const expiredRow = treeRow(page, 'old-export');
    await expiredRow.waitFor({ state: 'visible', timeout: 10_000 });
    const expiredDescription = ((await expiredRow.locator('.label-description').textContent()) ?? '').trim();
    assert.match(expiredDescription, /· expired \d+ (s|min) ago$/);
    await expiredRow.hover();
    const rowHover = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: /still listed in the latest manifest/ }).first();
    await rowHover.waitFor({ state: 'visible', timeout: 10_000 });
    await shot(page, 'expiry-expired-row');
    step(`old-export: "${expiredDescription}", its tooltip says it is expired but still listed`);
    await page.mouse.move(700, 300);

    // 5. Two databases selected (Ctrl+click), the context menu's many-databases create.
    await treeRow(page, 'svc/billing').click();
    await treeRow(page, 'svc/search').click({ modifiers: ['Control'] });
    await treeRow(page, 'svc/search').click({ button: 'right' });
    const menuItem = page.locator('.monaco-menu .action-item .action-label', { hasText: /^Create Checkpoint in Many Databases…$/ }).first();
    await menuItem.waitFor({ state: 'visible', timeout: 10_000 });
    const menuLabels = (await page.locator('.monaco-menu .action-item .action-label').allInnerTexts()).map((l) => l.trim()).filter(Boolean);
    log(`context menu with 2 databases selected: ${menuLabels.join(' | ')}`);
    assert.ok(!menuLabels.includes('Create Checkpoint…'), 'the one-database create is hidden while several are selected');
    await shot(page, 'expiry-multi-menu');
    await menuItem.hover();
    await page.keyboard.press('Enter');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: /: name$/ }).waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('pre-deploy');
    await input.press('Enter');
    await pick(page, /lifetime of “pre-deploy”/, /^7 days$/);
    const done = page.locator('.notifications-toasts .notification-toast').filter({ hasText: /Created checkpoint “pre-deploy” in 2 databases/ }).first();
    await done.waitFor({ state: 'visible', timeout: 20_000 });
    for (const db of ['svc/billing', 'svc/search']) assert.equal((await onDisk(data, db)).filter((c) => c.name === 'pre-deploy').length, 1, `${db} has one pre-deploy`);
    await treeRow(page, 'pre-deploy').waitFor({ state: 'visible', timeout: 15_000 }); // svc/billing is expanded: the tree shows it
    await page.waitForTimeout(600); // the toast's fade-in
    assert.equal((await onDisk(data, 'svc/orders')).filter((c) => c.name === 'pre-deploy').length, 0, 'svc/orders was not selected');
    await shot(page, 'expiry-multi-done');
    step('two databases Ctrl+clicked → "Create Checkpoint in Many Databases…" wrote one pre-deploy checkpoint in each (and none in svc/orders)');

    // 6. The connection's context menu, a glob: delete "pre-deploy" everywhere under svc/*, confirmed in a modal.
    const connectionRow = treeRow(page, CONNECTION.name);
    await contextMenu(page, connectionRow, 'Delete Named Checkpoint in Many Databases…');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: /path glob/ }).waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('svc/*');
    await input.press('Enter');
    await pick(page, /which name\?/, /^pre-deploy$/);
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const dialogText = (await dialog.innerText()).replace(/\s+/g, ' ');
    log(`dialog: ${dialogText}`);
    assert.match(dialogText, /Delete every checkpoint named “pre-deploy” in 3 databases matching "svc\/\*" under services\?/);
    assert.ok(dialogText.includes('• svc/billing (1) • svc/orders (none of that name) • svc/search (1)'), 'the dialog lists each database with how many it holds');
    assert.match(dialogText, /cannot be undone/);
    await shot(page, 'expiry-multi-delete-modal');
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: /^Delete$/ }).click();
    await page.locator('.notifications-toasts .notification-toast').filter({ hasText: /Deleted “pre-deploy” in 2 of 3 databases/ }).first().waitFor({ state: 'visible', timeout: 20_000 });
    for (const db of DBS) assert.equal((await onDisk(data, db)).filter((c) => c.name === 'pre-deploy').length, 0, `${db}: pre-deploy deleted`);
    step(`connection menu → glob "svc/*" → name "pre-deploy" → modal (${dialogText.slice(0, 90)}…) → Delete: gone from every database on disk`);

    // 7. A create that fails in one database (a corrupt latest manifest): "Roll Back" deletes the ones created.
    fs.writeFileSync(path.join(data, 'svc/search/manifest/00000000000000099999.manifest'), Buffer.from([0, 1, 9, 9, 9]));
    await contextMenu(page, connectionRow, 'Create Checkpoint in Many Databases…');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: /path glob/ }).waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('svc/*');
    await input.press('Enter');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: /: name$/ }).waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('canary');
    await input.press('Enter');
    await pick(page, /lifetime of “canary”/, /^1 day$/);
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: /^Create$/ }).click();
    const partial = page.locator('.notifications-toasts .notification-toast').filter({ hasText: /Created “canary” in 2 of 3 databases; 1 failed \(svc\/search: / }).first();
    await partial.waitFor({ state: 'visible', timeout: 20_000 });
    for (const db of ['svc/billing', 'svc/orders']) assert.equal((await onDisk(data, db)).filter((c) => c.name === 'canary').length, 1, `${db}: canary created`);
    await page.waitForTimeout(600);
    await shot(page, 'expiry-multi-partial');
    await partial.hover();
    await partial.locator('.monaco-button', { hasText: /^Roll Back$/ }).click();
    await page.locator('.notifications-toasts .notification-toast').filter({ hasText: /Rolled back: deleted “canary” again from 2 databases/ }).first().waitFor({ state: 'visible', timeout: 20_000 });
    for (const db of ['svc/billing', 'svc/orders']) assert.equal((await onDisk(data, db)).filter((c) => c.name === 'canary').length, 0, `${db}: canary rolled back`);
    step('a glob create that failed in svc/search (corrupt manifest) offered "Roll Back"; pressing it deleted "canary" again from svc/billing and svc/orders on disk');

    const unexpected = page.consoleErrors.filter((text) => !/open-vsx\.org|vsda|Failed to load resource/.test(text));
    if (unexpected.length > 0) log(`browser console errors:\n  ${unexpected.join('\n  ')}`);
    console.log(`e2e expiry: ${passed} passed, 0 failed; screenshots: ${shots.join(', ')}`);
  } catch (error) {
    console.log(`e2e expiry: ${passed} passed, 1 failed`);
    const open = browser.contexts().flatMap((c) => c.pages());
    if (open[0]) log(`screenshot of the failure: ${path.relative(REPO_ROOT, await screenshot(open[0], 'expiry-failure'))}`);
    throw error;
  } finally {
    await browser.close();
    await server?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
