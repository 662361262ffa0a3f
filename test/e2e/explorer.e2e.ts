// Browser test of the SlateDB view on real databases: code-server with the extension installed and a
// user settings.json holding a local connection to fixture databases built by the REAL SlateDB engine
// (test/fixtures/buildHostFixtures.ts); headless Chromium then
//   1. opens the SlateDB view, expands the connection and a database, checks the rows against the CLI;
//   2. creates a checkpoint through the palette ("SlateDB: Create Checkpoint…": database, lifetime
//      preset, name, "Latest manifest") and finds it in the tree and in the manifest on disk;
//   3. deletes it through the row's context menu ("Delete Checkpoint…"), confirms the modal dialog,
//      and checks the manifest on disk no longer has it;
//   4. creates one with a TYPED lifetime: "2 parsecs" is refused as you type (Enter does not go on),
//      "2h 30min" is offered as the first item and gives expire_time − create_time = 9000 s;
//   5. a writer's own checkpoint (WriterCheckpoint metadata, committed into `tiny` before code-server
//      starts): the row says "writer", the delete modal warns about the WRITER, Cancel writes nothing;
//   6. "Refresh Checkpoint Lifetime…" from the context menu → "Never expires" (expire_time null on disk).
// Screenshots: test-results/explorer-{tree,palette,modal,after-delete,lifetime-invalid,lifetime-typed,
//              writer-modal,never-expires}.png
//
//   node --import tsx test/e2e/explorer.e2e.ts [--fixtures=DIR]   (DIR: a built fixture folder to copy)
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { CheckpointJson } from '../../src/engine/json';
import { decodeManifest, encodeManifest } from '../../src/engine/manifest/codec';
import { relativeTime } from '../../src/shared/checkpointStatus';
import { REPO_ROOT, startCodeServer, type CodeServer } from '../../scripts/lib/codeServer.mjs';
import { launchBrowser, listTreeRows, prepareE2eRun, openViewContainer, openWorkbench, screenshot, sideBarTree, waitForTreeRows } from './workbench';

const log = (line: string) => console.log(`[e2e:explorer] ${line}`);
const CONNECTION = { id: 'e2e-fixtures', name: 'e2e fixtures', kind: 'local' as const };

function cli<T>(folder: string, db: string, ...args: string[]): T {
  return JSON.parse(execFileSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli.js'), '--store', `file://${folder}`, '--path', db, ...args], { encoding: 'utf8' })) as T;
}

/** The latest manifest id of `db` on disk. */
function latestManifestId(folder: string, db: string): number {
  return cli<{ id: number }>(folder, db, 'read-manifest').id;
}

/**
 * Commits manifest N+1 = N plus a checkpoint carrying WriterCheckpoint metadata (epoch 7), encoded the
 * way newer SlateDB writers lay it out (@slatedb/uniffi 0.12.1 writes none; see the host test
 * "a writer's own checkpoint"). Returns the checkpoint id and the manifest it pins (N+1).
 */
function addWriterCheckpoint(folder: string, db: string): { id: string; manifestId: number } {
  const latest = latestManifestId(folder, db);
  const file = (n: number) => path.join(folder, db, 'manifest', `${String(n).padStart(20, '0')}.manifest`);
  const m = decodeManifest(new Uint8Array(fs.readFileSync(file(latest))));
  const id = randomUUID();
  const hex = id.replace(/-/g, '');
  const cp = {
    id: { high: BigInt('0x' + hex.slice(0, 16)), low: BigInt('0x' + hex.slice(16)) },
    manifest_id: BigInt(latest + 1),
    checkpoint_expire_time_s: 0,
    checkpoint_create_time_s: Math.floor(Date.now() / 1000),
    metadata_type: 1,
    metadata: { epoch: 7n },
    name: null,
  };
  const next = { ...m, root: { ...m.root, checkpoints: [...((m.root.checkpoints as unknown[]) ?? []), cp] } } as typeof m;
  fs.writeFileSync(file(latest + 1), encodeManifest(next), { flag: 'wx' });
  return { id, manifestId: latest + 1 };
}

/** Polls `read` until `check` holds (the command writes after the UI settles). */
async function eventually<T>(read: () => T, check: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Right-clicks `row` and runs the context-menu item `label`. The item is hovered (which focuses it)
 * and run with Enter: a plain click right after the menu opens is sometimes swallowed by the menu
 * (seen: menu left open, item highlighted, nothing run).
 */
async function contextMenu(page: Page, row: Locator, label: string): Promise<void> {
  await row.click({ button: 'right' });
  const item = page.locator('.monaco-menu .action-item .action-label', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  await item.hover();
  await page.locator('.monaco-menu .action-item.focused .action-label', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }).waitFor({ timeout: 5_000 });
  await page.keyboard.press('Enter');
  await page.locator('.monaco-menu').waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Opens "SlateDB: Create Checkpoint…" from the palette. */
async function startCreateFromPalette(page: Page): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>SlateDB: Create Checkpoint');
  const command = page.locator('.quick-input-widget .quick-input-list .monaco-list-row[role="option"]').filter({ has: page.locator('.label-name', { hasText: /^SlateDB: Create Checkpoint…$/ }) }).first();
  await command.waitFor({ state: 'visible' });
  await command.click();
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
  const scratch = await prepareE2eRun('e2e-explorer', log, ['workspace', 'extensions']);
  const workspace = path.join(scratch, 'workspace');
  const extensionsDir = path.join(scratch, 'extensions');
  const data = await prepareData(scratch);
  // Before code-server starts: `tiny` gets a writer's own checkpoint (step 5).
  const writer = addWriterCheckpoint(data, 'tiny');
  const writerOnDisk = cli<CheckpointJson[]>(data, 'tiny', 'list-checkpoints').find((c) => c.id === writer.id);
  assert.equal(writerOnDisk?.writer_epoch, 7, 'the CLI reads the writer epoch of the injected checkpoint');
  log(`writer checkpoint ${writer.id} committed in tiny manifest #${writer.manifestId}`);
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
    const richOnDisk = cli<CheckpointJson[]>(data, 'rich', 'list-checkpoints');
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
    const tinyBefore = cli<CheckpointJson[]>(data, 'tiny', 'list-checkpoints');
    const name = `e2e-palette-${Date.now().toString(36)}`;
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await startCreateFromPalette(page);
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
    const created = cli<CheckpointJson[]>(data, 'tiny', 'list-checkpoints').find((c) => c.name === name);
    assert.ok(created, 'the manifest on disk holds the new checkpoint');
    assert.equal(cli<CheckpointJson[]>(data, 'tiny', 'list-checkpoints').length, tinyBefore.length + 1);
    const expiresIn = (Date.parse(created.expire_time!) - Date.now()) / 3_600_000;
    assert.ok(expiresIn > 23.9 && expiresIn <= 24, `expires in ${expiresIn.toFixed(2)} h`);
    const newDescription = (await newRow.locator('.label-description').textContent()) ?? '';
    assert.equal(newDescription.trim(), `→ #${created.manifest_id} · expires in 24 h`);
    step(`"SlateDB: Create Checkpoint…" from the palette made ${created.id} (${newDescription.trim()})`);

    // 3. Delete through the row's context menu + the modal dialog.
    await contextMenu(page, newRow, 'Delete Checkpoint…');
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
    const after = cli<CheckpointJson[]>(data, 'tiny', 'list-checkpoints');
    assert.equal(after.find((c) => c.id === created.id), undefined, 'the manifest on disk no longer holds it');
    assert.deepEqual(after.map((c) => c.id).sort(), tinyBefore.map((c) => c.id).sort());
    await page.waitForTimeout(500);
    log(`screenshot ${path.relative(REPO_ROOT, await screenshot(page, 'explorer-after-delete'))}`);
    step('"Delete Checkpoint…" from the context menu, confirmed in the modal, removed it from the tree and the manifest');

    // 4. A typed lifetime: invalid text is refused as you type, "2h 30min" is parsed and offered first.
    const typedName = `e2e-typed-${Date.now().toString(36)}`;
    const options = page.locator('.quick-input-widget .quick-input-list .monaco-list-row[role="option"]');
    const lifetimeTitle = page.locator('.quick-input-widget .quick-input-title', { hasText: /\(1\/3\): lifetime/ });
    await startCreateFromPalette(page);
    await pick(page, /choose a database/, /^tiny$/);
    await lifetimeTitle.waitFor({ state: 'visible' });
    await input.pressSequentially('2 parsecs', { delay: 30 });
    await options.first().filter({ hasText: /"2 parsecs" is not a duration/ }).waitFor({ timeout: 10_000 });
    const invalidText = (await options.first().innerText()).trim();
    const invalidRow = invalidText.split('\n')[0].trim();
    log(`first row for "2 parsecs": ${invalidText.replace(/\s+/g, ' ')}`);
    log(`screenshot ${path.relative(REPO_ROOT, await screenshot(page, 'explorer-lifetime-invalid'))}`);
    await input.press('Enter');
    await page.waitForTimeout(750);
    assert.ok(await lifetimeTitle.isVisible(), 'Enter on text that is not a duration keeps the lifetime picker open');
    assert.equal(await input.inputValue(), '2 parsecs');
    assert.equal(await page.locator('.quick-input-widget .quick-input-title', { hasText: /\(2\/3\)/ }).count(), 0, 'the name step did not open');
    await input.fill('');
    await input.pressSequentially('2h 30min', { delay: 30 });
    const typedRow = options.first().filter({ has: page.locator('.label-name', { hasText: /(^|\s)2h 30min$/ }) });
    await typedRow.waitFor({ timeout: 10_000 });
    const typedDescription = ((await typedRow.locator('.label-description').textContent()) ?? '').trim();
    log(`first row for "2h 30min": ${(await typedRow.innerText()).replace(/\s+/g, ' ').trim()}`);
    assert.match(typedDescription, /^expires in 2 h (29|30) min$/, 'the typed item says when it would expire');
    assert.match((await typedRow.getAttribute('class')) ?? '', /\bfocused\b/, 'the typed item is the active one');
    log(`screenshot ${path.relative(REPO_ROOT, await screenshot(page, 'explorer-lifetime-typed'))}`);
    await input.press('Enter');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: /\(2\/3\): name/ }).waitFor({ state: 'visible' });
    await input.fill(typedName);
    await input.press('Enter');
    await pick(page, /\(3\/3\): what to pin/, /Latest manifest/);
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    const typedTreeRow = treeRow(page, typedName);
    await typedTreeRow.waitFor({ state: 'visible', timeout: 20_000 });
    const typed = cli<CheckpointJson[]>(data, 'tiny', 'list-checkpoints').find((c) => c.name === typedName);
    assert.ok(typed?.expire_time, 'the manifest on disk holds the typed-lifetime checkpoint with an expiry');
    const createS = Date.parse(typed.create_time) / 1000;
    const expireS = Date.parse(typed.expire_time) / 1000;
    assert.equal(expireS - createS, 9000, 'expire_time − create_time = 2h 30min');
    const typedTreeDescription = ((await typedTreeRow.locator('.label-description').textContent()) ?? '').trim();
    // The row is drawn at some second between create_time and now: "in 3 h" at exactly 9000 s, then "in 2 h".
    const allowed = new Set<string>();
    for (let s = createS; s <= Math.floor(Date.now() / 1000); s += 1) allowed.add(`→ #${typed.manifest_id} · expires ${relativeTime(expireS, s)}`);
    assert.ok(allowed.has(typedTreeDescription), `tree row "${typedTreeDescription}" is one of ${[...allowed].join(' | ')}`);
    step(`a typed lifetime: "2 parsecs" refused in the picker ("${invalidRow}"), "2h 30min" offered first ("${typedDescription}") made ${typed.id} with expire − create = 9000 s (${typedTreeDescription})`);

    // 5. The writer's own checkpoint: "writer" in the row, a stronger modal, Cancel writes nothing.
    const writerRow = treeRow(page, writer.id.slice(0, 8));
    await writerRow.waitFor({ state: 'visible', timeout: 10_000 });
    const writerDescription = ((await writerRow.locator('.label-description').textContent()) ?? '').trim();
    assert.equal(writerDescription, `→ #${writer.manifestId} · writer · never expires`);
    const latestBeforeCancel = latestManifestId(data, 'tiny');
    const checkpointsBeforeCancel = cli<CheckpointJson[]>(data, 'tiny', 'list-checkpoints');
    await contextMenu(page, writerRow, 'Delete Checkpoint…');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const writerDialogText = (await dialog.innerText()).replace(/\s+/g, ' ');
    log(`writer dialog: ${writerDialogText}`);
    assert.match(writerDialogText, new RegExp(`Delete the WRITER's checkpoint ${escapeRegExp(writer.id)} \\(epoch 7\\)\\?`));
    assert.match(writerDialogText, /A running SlateDB writer created this checkpoint/);
    const writerButton = dialog.locator('.dialog-buttons .monaco-button', { hasText: /^Delete Writer Checkpoint$/ });
    assert.equal(await writerButton.count(), 1, 'the confirm button says "Delete Writer Checkpoint"');
    assert.equal(await dialog.locator('.dialog-buttons .monaco-button', { hasText: /^Delete$/ }).count(), 0);
    log(`screenshot ${path.relative(REPO_ROOT, await screenshot(page, 'explorer-writer-modal'))}`);
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: /^Cancel$/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.waitForTimeout(750);
    assert.equal(latestManifestId(data, 'tiny'), latestBeforeCancel, 'Cancel wrote no manifest');
    assert.deepEqual(cli<CheckpointJson[]>(data, 'tiny', 'list-checkpoints'), checkpointsBeforeCancel, 'Cancel left every checkpoint as it was');
    assert.ok(await writerRow.isVisible(), 'the writer checkpoint is still in the tree');
    step(`the writer's checkpoint shows "writer" (${writerDescription}); its delete modal warns about the WRITER with "Delete Writer Checkpoint"; Cancel left manifest #${latestBeforeCancel} as the latest`);

    // 6. Refresh the lifetime from the context menu: "Never expires".
    await contextMenu(page, typedTreeRow, 'Refresh Checkpoint Lifetime…');
    await pick(page, /Refresh lifetime of checkpoint/, /^Never expires$/);
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    const forever = await eventually(
      () => cli<CheckpointJson[]>(data, 'tiny', 'list-checkpoints').find((c) => c.id === typed.id),
      (c) => c?.expire_time === null,
      'expire_time null on disk',
    );
    assert.equal(forever?.manifest_id, typed.manifest_id, 'refresh keeps the pinned manifest');
    const foreverDescription = typedTreeRow.locator('.label-description', { hasText: /never expires$/ });
    await foreverDescription.waitFor({ timeout: 15_000 });
    assert.equal(((await foreverDescription.textContent()) ?? '').trim(), `→ #${typed.manifest_id} · never expires`);
    await page.waitForTimeout(300);
    log(`screenshot ${path.relative(REPO_ROOT, await screenshot(page, 'explorer-never-expires'))}`);
    step(`"Refresh Checkpoint Lifetime…" → "Never expires" from the context menu: expire_time null on disk, row "→ #${typed.manifest_id} · never expires"`);

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
