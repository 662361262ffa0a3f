// Browser smoke test: code-server with the extension installed (a symlink of this repository in a
// fresh --extensions-dir), headless Chromium opens the SlateDB view, reads its tree, runs
// "SlateDB: Refresh" from the palette and saves test-results/e2e-smoke.png.
//
//   node --import tsx test/e2e/smoke.e2e.ts [--dev-path]
//
// --dev-path loads the extension through the extensionDevelopmentPath payload instead (as F5 does).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  REPO_ROOT,
  ensureChromium,
  ensureCodeServer,
  startCodeServer,
  type CodeServer,
} from '../../scripts/lib/codeServer.mjs';
import { launchBrowser, listTreeRows, openViewContainer, openWorkbench, runCommand, screenshot, waitForTreeRows } from './workbench';

const log = (line: string) => console.log(`[e2e] ${line}`);

async function main(): Promise<void> {
  const devPath = process.argv.includes('--dev-path');
  const build = spawnSync(process.execPath, ['esbuild.js'], { cwd: REPO_ROOT, stdio: 'inherit' });
  assert.equal(build.status, 0, 'node esbuild.js failed');
  await ensureCodeServer({ log });
  await ensureChromium({ log });

  const scratch = path.join(REPO_ROOT, '.vscode-test', 'e2e');
  fs.rmSync(scratch, { recursive: true, force: true });
  const folder = path.join(scratch, 'workspace');
  const extensionsDir = path.join(scratch, 'extensions');
  fs.mkdirSync(folder, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  if (!devPath) {
    // VS Code finds extensions in folders named <publisher>.<name>-<version>.
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    fs.symlinkSync(REPO_ROOT, path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`));
  }

  let server: CodeServer | undefined;
  const browser = await launchBrowser();
  let passed = 0;
  try {
    server = await startCodeServer({ folder, userDataDir: path.join(scratch, 'user-data'), extensionsDir, log });
    const started = Date.now();
    const page = await openWorkbench(browser, server.url, { folder, extensionDevelopmentPath: devPath ? REPO_ROOT : undefined });
    log(`workbench ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    await openViewContainer(page, 'SlateDB');
    await waitForTreeRows(page);
    const rows = await listTreeRows(page, { expandAll: true });
    console.log(rows);
    assert.ok(rows.some((row) => row.label === 'SlateDB' && row.level === 1), 'the SlateDB view shows no root row');
    passed += 1;

    const before = rows.find((row) => row.label === 'Refreshed')?.description;
    await runCommand(page, 'SlateDB: Refresh');
    await page.locator('.part.sidebar .monaco-list-row .label-description', { hasText: '1 times' }).waitFor({ timeout: 10_000 });
    log(`"SlateDB: Refresh" from the palette changed "${before}" to "1 times"`);
    passed += 1;

    log(`screenshot ${path.relative(REPO_ROOT, await screenshot(page, 'e2e-smoke'))}`);
    const unexpected = page.consoleErrors.filter((text) => !/open-vsx\.org|vsda|Failed to load resource/.test(text));
    if (unexpected.length > 0) {
      log(`browser console errors:\n  ${unexpected.join('\n  ')}`);
    }
    console.log(`e2e: ${passed} passed, 0 failed`);
  } catch (error) {
    console.log(`e2e: ${passed} passed, 1 failed`);
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
