// Browser test of Apply Policy Now and the health report: code-server with the extension installed,
// headless Chromium, databases written by the REAL SlateDB engine (test/fixtures/buildHostFixtures.ts
// `rich`, `tiny`) plus what our engine adds: an old checkpoint of the policy's "hourly" rule in tiny;
// in rich an old never-expiring checkpoint named `<img src=x onerror=alert(1)>` and an SST no manifest
// references, two days old. Runs "SlateDB: Apply Policy Now…" from the palette against the
// workspace's .slatedb/policies.json, screenshots the preview quick pick, applies, then
// "SlateDB: Show Health Report" on rich and screenshots the history panel's health section. Checks
// the hostile name is text (no <img>, no dialog) and that the orphan SST is still on disk.
//
//   node --import tsx test/e2e/policy.e2e.ts
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { createCheckpoint, listCheckpoints } from '../../src/engine/checkpoints';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { REPO_ROOT, startCodeServer, type CodeServer } from '../../scripts/lib/codeServer.mjs';
import { E2eTally, launchBrowser, listTreeRows, openViewContainer, openWorkbench, prepareE2eRun, recordDialogs, waitForTreeRows, webviewFrame } from './workbench';

const log = (line: string) => console.log(`[e2e policy] ${line}`);
const XSS = '<img src=x onerror=alert(1)>';
const DAY = 86_400_000;
const tally = new E2eTally(log);
const { check, shot } = tally;

const option = (page: Page, label: string | RegExp) =>
  page.locator('.quick-input-widget .quick-input-list .monaco-list-row[role="option"]').filter({ has: page.locator('.label-name', { hasText: label }) }).first();

async function palette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${title}`);
  await option(page, new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)).click();
}

async function prepare(scratch: string): Promise<{ folder: string; workspace: string; orphan: string }> {
  const fixtures = path.join(scratch, 'fixtures');
  log('building the fixture databases with the real SlateDB engine…');
  const built = spawnSync(process.execPath, ['--import', 'tsx', path.join('test', 'fixtures', 'buildHostFixtures.ts'), fixtures], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 180_000 });
  assert.equal(built.status, 0, `building fixtures failed: ${built.stderr || built.stdout}`);
  const folder = path.join(scratch, 'store');
  for (const db of ['rich', 'tiny']) fs.cpSync(path.join(fixtures, db), path.join(folder, db), { recursive: true });
  const store = new LocalObjectStore(folder);
  await createCheckpoint(new ManifestStore(store, 'tiny'), { name: 'hourly-20261101T000000Z', lifetimeMs: 60 * DAY }, { now: () => new Date(Date.now() - 3 * DAY) });
  await createCheckpoint(new ManifestStore(store, 'rich'), { name: XSS }, { now: () => new Date(Date.now() - 40 * DAY) });
  const dir = path.join(folder, 'rich', 'compacted');
  const sst = fs.readdirSync(dir).find((f) => f.endsWith('.sst'))!;
  const orphan = path.join(dir, '01JDZZZZZZZZZZZZZZZZZZZZZZ.sst');
  fs.copyFileSync(path.join(dir, sst), orphan);
  fs.utimesSync(orphan, new Date(Date.now() - 2 * DAY), new Date(Date.now() - 2 * DAY));

  const workspace = path.join(scratch, 'workspace');
  fs.mkdirSync(path.join(workspace, '.slatedb'), { recursive: true });
  const policy = {
    targets: [
      { store: `file://${folder}`, path: 'tiny', rules: [{ name: 'hourly', every: '1h', lifetime: '2days', keep: { last: 1 } }, { name: 'nightly', every: '1day', lifetime: '30days', keep: { daily: 7 } }] },
      { store: `file://${folder}`, path: 'rich', rules: [{ name: 'hourly', every: '1h', lifetime: '2days', keep: { last: 24 } }] },
    ],
  };
  fs.writeFileSync(path.join(workspace, '.slatedb', 'policies.json'), JSON.stringify(policy, null, 2));
  return { folder, workspace, orphan };
}

async function main(): Promise<void> {
  const scratch = await prepareE2eRun('e2e-policy', log);
  const { folder, workspace, orphan } = await prepare(scratch);
  const extensionsDir = path.join(scratch, 'extensions');
  fs.mkdirSync(extensionsDir, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  fs.symlinkSync(REPO_ROOT, path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`));

  let server: CodeServer | undefined;
  const browser = await launchBrowser();
  try {
    server = await startCodeServer({
      folder: workspace,
      userDataDir: path.join(scratch, 'user-data'),
      extensionsDir,
      settings: {
        'workbench.colorTheme': 'Default Dark Modern',
        'workbench.startupEditor': 'none',
        'slatedb.connections': [{ id: 'e2e-policy', name: 'policy fixture', kind: 'local', folder }],
        'slatedb.pollIntervalSeconds': 0,
        'slatedb.health.unnamedPinPercent': 20,
      },
      log,
    });
    const page = await openWorkbench(browser, server.url, { folder: workspace, width: 1600, height: 1000 });
    const dialogs = recordDialogs(page);
    await openViewContainer(page, 'SlateDB');
    await waitForTreeRows(page, { count: 2 });

    // Apply Policy Now: the preview.
    await palette(page, 'SlateDB: Apply Policy Now…');
    const quick = page.locator('.quick-input-widget');
    await quick.locator('.quick-input-title', { hasText: 'policy preview' }).waitFor({ timeout: 30_000 });
    await page.mouse.move(1500, 900); // no hover tooltip over the list
    await page.waitForTimeout(400);
    const labels = await quick.locator('.monaco-list-row .label-name').allTextContents();
    log(`preview rows: ${JSON.stringify(labels)}`);
    check('the preview offers Apply with the number of actions', labels.some((l) => /^Apply 4 actions on 2 databases$/.test(l.trim())), labels.join(' | '));
    check('the preview lists the creates and the delete', labels.some((l) => /create hourly-\d{8}T\d{6}Z/.test(l)) && labels.some((l) => /create nightly-\d{8}T\d{6}Z/.test(l)) && labels.some((l) => /delete hourly-20261101T000000Z/.test(l)));
    const separators = await quick.locator('.quick-input-list .monaco-list-row .separator, .quick-input-list .quick-input-list-separator').allTextContents();
    log(`separators: ${JSON.stringify(separators)}`);
    await shot(page, 'policy-preview');
    await shot(quick, 'policy-preview-quickpick');

    await option(page, /Apply 4 actions on 2 databases$/).click();
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Policy applied on 2 of 2 databases' });
    await toast.waitFor({ timeout: 30_000 });
    const toastText = (await toast.textContent()) ?? '';
    check('the result names what was done', /3 created, 1 deleted/.test(toastText), toastText);
    const richLatest = (await new ManifestStore(new LocalObjectStore(folder), 'rich').readLatest()).id;
    let rows = await listTreeRows(page);
    for (let i = 0; i < 50 && !rows.some((r) => r.label === 'rich' && r.description.includes(`#${richLatest} · 6 checkpoints`)); i++) {
      await page.waitForTimeout(200);
      rows = await listTreeRows(page);
    }
    check('the tree shows both databases as written (registry afterWrite)', rows.some((r) => r.label === 'rich' && r.description.includes(`#${richLatest} · 6 checkpoints`)) && rows.some((r) => r.label === 'tiny' && r.description.includes('2 checkpoints')), JSON.stringify(rows));
    await page.waitForTimeout(600); // the progress toasts finish closing
    await shot(page, 'policy-applied');
    const tiny = (await listCheckpoints(new ManifestStore(new LocalObjectStore(folder), 'tiny'))).checkpoints.map((c) => c.name ?? '');
    check('on disk: tiny has the new hourly and nightly checkpoints, the old hourly is gone', tiny.some((n) => n.startsWith('hourly-2026') && n !== 'hourly-20261101T000000Z') && tiny.some((n) => n.startsWith('nightly-')) && !tiny.includes('hourly-20261101T000000Z'), JSON.stringify(tiny));

    // Show Health Report on rich.
    await palette(page, 'SlateDB: Show Health Report');
    await option(page, /^rich$/).click({ timeout: 15_000 });
    await quick.waitFor({ state: 'hidden', timeout: 15_000 });
    const frame = webviewFrame(page);
    await frame.locator('#health .finding').first().waitFor({ timeout: 60_000 });
    await page.keyboard.press('Control+B'); // more room for the panel
    await page.waitForTimeout(800);
    const kinds = await frame.locator('#health .finding').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.kind ?? ''));
    log(`findings: ${JSON.stringify(kinds)}`);
    check('the health section lists the never-expiring checkpoint, the compactor pins and the orphan SST', kinds.includes('no_expiry_old') && kinds.includes('unnamed_big_pin') && kinds.includes('orphan_ssts'), kinds.join(', '));
    const noExpiry = (await frame.locator('#health .finding[data-kind="no_expiry_old"] .finding-message').first().textContent()) ?? '';
    check(`the name ${XSS} is shown as text in the finding`, noExpiry.includes(`"${XSS}"`), noExpiry);
    check('the page holds no <img> element and no dialog opened', (await frame.locator('img').count()) === 0 && dialogs.length === 0, dialogs.join(' | '));
    check('the orphan SST is reported, not deleted', fs.existsSync(orphan));
    await palette(page, 'Notifications: Clear All Notifications'); // the toast would cover the section
    await page.waitForTimeout(400);
    await frame.locator('#health').scrollIntoViewIfNeeded();
    await shot(page, 'health-report');
    await shot(frame.locator('#health'), 'health-report-section');
    const errors = page.consoleErrors.filter((e) => /slatedb|webview\.js|Content Security Policy/i.test(e));
    check('no console errors from the extension or its page', errors.length === 0, errors.join(' | '));
  } finally {
    await browser.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
  }
  log(`${tally.passed} checks passed; screenshots: ${tally.screenshots.join(', ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
