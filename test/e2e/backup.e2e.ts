// Browser test of backups in the SlateDB view: code-server with the extension and two connections,
// "production" (a local folder with `big`, ~100 MB written by the REAL SlateDB engine) and "backups"
// (a bucket on Ceph RGW: SLATEDB_TEST_S3_*, set by npm test or `source /tmp/rgw-env.sh`). Headless
// Chromium then
//   1. right-clicks `big` → "Back Up Now…", picks "backups", accepts the suggested path, and
//      screenshots the progress notification (bytes copied of the total, Cancel);
//   2. waits for "Backed up …: copied …, reused …", presses Reveal, and screenshots the repository in
//      the tree with the backup row (archive icon, "backup of big", source checkpoint, time), then its
//      tooltip with the size;
//   3. right-clicks the backup → "Restore Backup…" into production/big-restored, confirms the modal,
//      and checks that the restored database reads what `big` read (the engine's scan).
// Screenshots: test-results/backup-{progress,done,repository,tooltip,restore-modal,restored}.png
//
//   node --import tsx test/e2e/backup.e2e.ts
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { parseBackupName } from '../../src/engine/backup/naming';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { checkpointsOf } from '../../src/engine/manifest/model';
import { resolveState, scanState } from '../../src/engine/read/pointInTime';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import type { ObjectStore } from '../../src/engine/store/objectStore';
import { loadS3Store } from '../../src/engine/store/openStore';
import { REPO_ROOT, startCodeServer, type CodeServer } from '../../scripts/lib/codeServer.mjs';
import { buildDatabase } from '../fixtures/realSlateDb';
import { launchBrowser, openViewContainer, openWorkbench, prepareE2eRun, screenshot, sideBarTree, waitForTreeRows } from './workbench';

const log = (line: string) => console.log(`[e2e:backup] ${line}`);
const rel = (file: string) => path.relative(REPO_ROOT, file);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function treeRow(page: Page, label: string | RegExp): Locator {
  const text = typeof label === 'string' ? new RegExp(`^${escapeRegExp(label)}$`) : label;
  return sideBarTree(page).locator('.monaco-list-row[role="treeitem"]').filter({ has: page.locator('.label-name', { hasText: text }) }).first();
}

/** Right-click → hover the item (focuses it) → Enter: a click right after the menu opens is sometimes swallowed. */
async function contextMenu(page: Page, row: Locator, label: string): Promise<void> {
  await row.click({ button: 'right' });
  const exact = new RegExp(`^${escapeRegExp(label)}$`);
  const item = page.locator('.monaco-menu .action-item .action-label', { hasText: exact }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  await item.hover();
  await page.locator('.monaco-menu .action-item.focused .action-label', { hasText: exact }).waitFor({ timeout: 5_000 });
  await page.keyboard.press('Enter');
  await page.locator('.monaco-menu').waitFor({ state: 'hidden', timeout: 10_000 });
}

async function pick(page: Page, title: RegExp, label: RegExp): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 20_000 });
  const row = widget.locator('.quick-input-list .monaco-list-row[role="option"]').filter({ has: page.locator('.label-name', { hasText: label }) }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
}

/** Waits for the input box titled `title`, checks its suggested value, optionally types another, and presses Enter. */
async function answerInput(page: Page, title: RegExp, expectedValue: string, typed?: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 20_000 });
  const input = widget.locator('.quick-input-box input');
  assert.equal(await input.inputValue(), expectedValue, 'suggested path');
  if (typed !== undefined) await input.fill(typed);
  await input.press('Enter');
}

function notification(page: Page, text: RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast').filter({ hasText: text }).first();
}

async function widenSideBar(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
}

async function scanOf(store: ObjectStore, dbPath: string, checkpointId?: string): Promise<string[]> {
  const state = await resolveState(new ManifestStore(store, dbPath), checkpointId);
  const rows: string[] = [];
  for await (const r of scanState(store, state)) rows.push(`${Buffer.from(r.key).toString('hex')}=${Buffer.from(r.value).toString('hex')}`);
  return rows;
}

interface Repository {
  connection: Record<string, unknown>;
  /** Deletes the bucket and what the test wrote (the test server is small and shared). */
  remove: () => Promise<void>;
  env: Record<string, string>;
  store: () => Promise<ObjectStore>;
  describe: string;
}

/**
 * The "backups" connection: a fresh bucket on the S3 server the environment names. Not a second
 * local folder: local → local copies are hard links / copy_file_range, done before a notification
 * could be seen (measured: ~10 ms per 15 MB SST), so the progress would never be on screen.
 */
async function repository(): Promise<Repository> {
  const endpoint = process.env.SLATEDB_TEST_S3_ENDPOINT;
  assert.ok(endpoint, 'needs SLATEDB_TEST_S3_* (npm test starts Ceph RGW; by hand: source /tmp/rgw-env.sh)');
  const accessKeyId = process.env.SLATEDB_TEST_S3_ACCESS_KEY!;
  const secretAccessKey = process.env.SLATEDB_TEST_S3_SECRET_KEY!;
  const region = process.env.SLATEDB_TEST_S3_REGION ?? 'us-east-1';
  const bucket = `slatedb-e2e-bk-${randomUUID().slice(0, 8)}`;
  const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
  const s3 = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
  const S3 = await loadS3Store();
  const remove = async () => {
    const { ListObjectsV2Command, DeleteObjectCommand, DeleteBucketCommand } = await import('@aws-sdk/client-s3');
    const admin = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
    for (let token: string | undefined, more = true; more; ) {
      const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const o of page.Contents ?? []) await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }));
      token = page.NextContinuationToken;
      more = token !== undefined;
    }
    await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
    admin.destroy();
  };
  return {
    remove,
    // Keys through the default credential chain (the environment of code-server's extension host).
    connection: { id: 'e2e-backups', name: 'backups', kind: 's3', bucket, prefix: 'vault', endpoint, region, forcePathStyle: true, auth: 'default-chain' },
    env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: region },
    store: async () => new S3({ bucket, prefix: 'vault', endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } }),
    describe: `s3://${bucket}/vault @ ${endpoint}`,
  };
}

async function main(): Promise<void> {
  const scratch = await prepareE2eRun('e2e-backup', log, ['workspace', 'extensions', 'production']);
  const production = path.join(scratch, 'production');
  const t0 = Date.now();
  // ~50 MB in 7 L0 SSTs (+ their WAL files): enough for the progress notification to be seen. Without a
  // compactor SlateDB stalls writes at 8 L0 SSTs (l0_max_ssts), hence few, large rounds.
  await buildDatabase({ rootDir: production, dbPath: 'big', rounds: 7, putsPerRound: 1000, valueBytes: 7000, readerCheckpoints: 0, closedReaders: 0, compaction: false, gc: false, roundPauseMs: 0, log });
  log(`big built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const repo = await repository();
  log(`repository connection: ${repo.describe}`);
  const extensionsDir = path.join(scratch, 'extensions');
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  fs.symlinkSync(REPO_ROOT, path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`));

  let server: CodeServer | undefined;
  const browser = await launchBrowser();
  let passed = 0;
  const step = (what: string) => log(`ok ${++passed} - ${what}`);
  try {
    server = await startCodeServer({
      folder: path.join(scratch, 'workspace'),
      userDataDir: path.join(scratch, 'user-data'),
      extensionsDir,
      settings: {
        'slatedb.connections': [{ id: 'e2e-production', name: 'production', kind: 'local', folder: production }, repo.connection],
        'slatedb.pollIntervalSeconds': 0,
        'remote.autoForwardPorts': false,
      },
      env: repo.env,
      logFile: path.join(REPO_ROOT, 'test-results', 'e2e-backup-code-server.log'),
      log,
    });
    const page = await openWorkbench(browser, server.url, { folder: path.join(scratch, 'workspace') });
    await page.keyboard.press('Escape');
    await openViewContainer(page, 'SlateDB');
    await waitForTreeRows(page, { count: 3 });
    await widenSideBar(page, 620);

    // 1. Back Up Now… from the context menu of `big`, into the other connection.
    await contextMenu(page, treeRow(page, 'big'), 'Back Up Now…');
    await pick(page, /Back Up big \(1\/2\): connection/, /backups$/);
    await answerInput(page, /Back Up big \(2\/2\): path in backups/, 'big');
    const progress = notification(page, /Backing up big to backups: big/);
    await progress.waitFor({ state: 'visible', timeout: 20_000 });
    // Bytes on their way (not the first "0 B of …" report).
    await progress.locator('.notification-list-item-message', { hasText: /copying [\d.]+ (KiB|MiB) of .*MiB/ }).waitFor({ timeout: 30_000 });
    const progressShot = await screenshot(page, 'backup-progress');
    const progressText = (await progress.innerText()).replace(/\s+/g, ' ');
    log(`progress: ${progressText}; screenshot ${rel(progressShot)}`);
    assert.match(progressText, /copying [\d.]+ (KiB|MiB) of [\d.]+ MiB · \d+ of \d+ objects/);
    assert.match(progressText, /\bCancel\b/, 'the notification offers Cancel');
    step(`the progress notification shows "${progressText}"`);

    // 2. Done: copied vs reused, Reveal → the repository in the tree with the backup marked.
    const done = notification(page, /Backed up big to backups: big as checkpoint [0-9a-f]{8}: copied \d+ SSTs? \+ \d+ WAL files? \(.*\), reused 0 SSTs/);
    await done.waitFor({ state: 'visible', timeout: 120_000 });
    const doneText = (await done.innerText()).replace(/\s+/g, ' ');
    log(`done: ${doneText}; screenshot ${rel(await screenshot(page, 'backup-done'))}`);
    await done.locator('.monaco-button', { hasText: /^Reveal$/ }).click();
    const backupRow = treeRow(page, 'backup of big');
    await backupRow.waitFor({ state: 'visible', timeout: 20_000 });
    const description = ((await backupRow.locator('.label-description').textContent()) ?? '').trim();
    assert.match(description, /^@ [0-9a-f]{8} · \d{4}-\d\d-\d\d \d\d:\d\d UTC \(.*\) · → #\d+$/);
    assert.ok(await backupRow.locator('.codicon-archive').count() > 0, 'the backup row has the archive icon');
    await page.waitForTimeout(300);
    log(`backup row: "backup of big" ${description}; screenshot ${rel(await screenshot(page, 'backup-repository'))}`);
    const repoStore = await repo.store();
    const [backupCp] = checkpointsOf((await new ManifestStore(repoStore, 'big').readLatest()).manifest);
    assert.ok(backupCp, 'the repository manifest holds the backup checkpoint');
    assert.equal(backupCp.expireTimeS, 0, 'a backup never expires');
    assert.ok(description.startsWith(`@ ${parseBackupName(backupCp.name)?.sourceCheckpoint.slice(0, 8)} · `), `${description} names the source checkpoint of ${backupCp.name}`);
    step(`Reveal shows the repository "big" under "backups" with the backup row (${description})`);

    // Tooltip: source, time, size.
    await backupRow.hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: /Backup of/ }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    await hover.locator('text=/Size/').waitFor({ timeout: 15_000 });
    const tip = (await hover.innerText()).replace(/\s+/g, ' ');
    log(`tooltip: ${tip}; screenshot ${rel(await screenshot(page, 'backup-tooltip'))}`);
    assert.match(tip, /Size [\d.]+ MiB in 7 SSTs \+ \d+ WAL files?/);
    step('the tooltip shows source, source checkpoint, time and size');
    await page.mouse.move(900, 500);
    await page.keyboard.press('Escape');

    // 3. Restore Backup… into production/big-restored.
    await contextMenu(page, backupRow, 'Restore Backup…');
    await pick(page, /Restore backup of big .* \(1\/2\): connection/, /production$/);
    await answerInput(page, /\(2\/2\): path in production/, 'big-restored');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 20_000 });
    const dialogText = (await dialog.innerText()).replace(/\s+/g, ' ');
    assert.match(dialogText, /Restore backup of big \([0-9a-f]{8}\) into production: big-restored\?/);
    log(`modal: ${dialogText}; screenshot ${rel(await screenshot(page, 'backup-restore-modal'))}`);
    await dialog.locator('.dialog-buttons .monaco-button', { hasText: /^Restore$/ }).click();
    const restored = notification(page, /Restored backup of big .* into production: big-restored/);
    await restored.waitFor({ state: 'visible', timeout: 120_000 });
    await restored.locator('.monaco-button', { hasText: /^Reveal$/ }).click();
    await treeRow(page, 'big-restored').waitFor({ state: 'visible', timeout: 20_000 });
    await page.waitForTimeout(300);
    log(`screenshot ${rel(await screenshot(page, 'backup-restored'))}`);
    const local = new LocalObjectStore(production);
    assert.deepEqual(await scanOf(local, 'big-restored'), await scanOf(local, 'big'), 'the restored database reads what big reads (nothing wrote big since)');
    step('Restore Backup… wrote production/big-restored, which reads exactly what big reads');

    const unexpected = page.consoleErrors.filter((text) => !/open-vsx\.org|vsda|Failed to load resource/.test(text));
    if (unexpected.length > 0) log(`browser console errors:\n  ${unexpected.join('\n  ')}`);
    console.log(`e2e backup: ${passed} passed, 0 failed`);
  } catch (error) {
    console.log(`e2e backup: ${passed} passed, 1 failed`);
    const open = browser.contexts().flatMap((c) => c.pages());
    if (open[0]) log(`screenshot of the failure: ${rel(await screenshot(open[0], 'backup-failure'))}`);
    throw error;
  } finally {
    await browser.close();
    await server?.stop();
    await repo.remove().catch((e: Error) => log(`removing the bucket: ${e.message}`));
  }
}

// The real engine (used to build `big`) keeps native handles: exit explicitly.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
