// Playwright helpers that drive VS Code 1.100's web workbench (served by code-server) in headless
// Chromium. Selectors are the ones measured in shared/TEST-HOSTS.md.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, REPO_ROOT, ensureChromium, ensureCodeServer, workbenchUrl } from '../../scripts/lib/codeServer.mjs';

export const TEST_RESULTS_DIR = path.join(REPO_ROOT, 'test-results');

/**
 * What every e2e run does first: build the bundles (`node esbuild.js`), make sure code-server and
 * Chromium are installed, and start from an empty scratch folder `.vscode-test/<name>` holding
 * the given (empty) subfolders. Returns the scratch folder.
 */
export async function prepareE2eRun(name: string, log: (line: string) => void, subfolders: string[] = []): Promise<string> {
  const build = spawnSync(process.execPath, ['esbuild.js'], { cwd: REPO_ROOT, stdio: 'inherit' });
  assert.equal(build.status, 0, 'node esbuild.js failed');
  await ensureCodeServer({ log });
  await ensureChromium({ log });
  const scratch = path.join(REPO_ROOT, '.vscode-test', name);
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  for (const sub of subfolders) fs.mkdirSync(path.join(scratch, sub), { recursive: true });
  return scratch;
}

export interface TreeRow {
  label: string;
  description: string;
  /** 1 for top-level rows. */
  level: number;
  /** undefined for leaves. */
  expanded: boolean | undefined;
}

export async function launchBrowser({ headless = true }: { headless?: boolean } = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless });
}

/**
 * Opens `folder` in the workbench at `serverUrl` and waits until it is drawn. With
 * extensionDevelopmentPath the extension in that folder loads as in F5 debugging.
 * Browser console errors are collected in the returned page's `consoleErrors`.
 */
export async function openWorkbench(
  browser: Browser,
  serverUrl: string,
  { folder, extensionDevelopmentPath, width = 1400, height = 900, timeoutMs = 60_000 }:
    { folder?: string; extensionDevelopmentPath?: string; width?: number; height?: number; timeoutMs?: number } = {},
): Promise<Page & { consoleErrors: string[] }> {
  const page = Object.assign(await browser.newPage({ viewport: { width, height } }), { consoleErrors: [] as string[] });
  page.on('console', (message) => {
    if (message.type() === 'error') {
      page.consoleErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => page.consoleErrors.push(error.message));
  await page.goto(workbenchUrl(serverUrl, { folder, extensionDevelopmentPath }));
  await waitForWorkbench(page, timeoutMs);
  return page;
}

/** The workbench is usable once its activity bar has a height. */
/** Dismisses every dialog (alert, confirm) a page opens and records its message: a test asserts there were none. */
export function recordDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return dialogs;
}

export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.waitForFunction(() => {
    const bar = document.querySelector('.monaco-workbench .part.activitybar');
    return bar !== null && bar.getBoundingClientRect().height > 0;
  }, undefined, { timeout: timeoutMs });
}

/**
 * Clicks the activity-bar entry of a view container (its `title` in package.json) and waits for
 * the side bar to show it. Built-in entries carry their keybinding: "Explorer (Ctrl+Shift+E)".
 */
export async function openViewContainer(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const entry = page.locator(
    `.part.activitybar a.action-label[aria-label="${title}"], .part.activitybar a.action-label[aria-label^="${title} ("]`,
  ).first();
  await entry.waitFor({ state: 'visible', timeout: timeoutMs });
  const alreadyOpen = await entry.evaluate((element) => element.closest('li')?.getAttribute('aria-selected') === 'true'
    || element.closest('li')?.classList.contains('checked') === true);
  if (!alreadyOpen) {
    await entry.click();
  }
  await page.locator('.part.sidebar').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** The tree of a side-bar view; `viewName` picks one pane when the container shows several. */
export function sideBarTree(page: Page, viewName?: string): Locator {
  const pane = viewName
    ? page.locator('.part.sidebar .pane').filter({ has: page.locator('.pane-header', { hasText: viewName }) })
    : page.locator('.part.sidebar');
  return pane.locator('.monaco-list[role="tree"]').first();
}

/**
 * Waits until the tree draws at least `count` rows. A custom view always holds an (empty)
 * welcome view, so wait for rows, never for the view.
 */
export async function waitForTreeRows(page: Page, { viewName, count = 1, timeoutMs = 30_000 }:
  { viewName?: string; count?: number; timeoutMs?: number } = {}): Promise<void> {
  const rows = sideBarTree(page, viewName).locator('.monaco-list-row[role="treeitem"]');
  await rows.nth(count - 1).waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Every row of a side-bar tree, top to bottom, read by walking the virtualized list with the
 * keyboard (only ~37 rows are drawn at 900 px). With expandAll, collapsed rows are opened on the
 * way (ArrowRight) and their children waited for. Moves the tree's focus, not its selection.
 */
export async function listTreeRows(page: Page, { viewName, expandAll = false, maxRows = 5000, expandTimeoutMs = 10_000 }:
  { viewName?: string; expandAll?: boolean; maxRows?: number; expandTimeoutMs?: number } = {}): Promise<TreeRow[]> {
  const tree = sideBarTree(page, viewName);
  await tree.waitFor({ state: 'visible' });
  await tree.focus();
  await page.keyboard.press('Home');

  const rows: TreeRow[] = [];
  let previousId: string | undefined;
  while (rows.length < maxRows) {
    const id = await focusedRowId(tree, previousId);
    if (id === undefined || id === previousId) {
      break; // ArrowDown no longer moves: the last row
    }
    const row = tree.locator(`.monaco-list-row[id="${id}"]`);
    let info = await readRow(row);
    if (expandAll && info.expanded === false) {
      await page.keyboard.press('ArrowRight');
      await row.and(page.locator('[aria-expanded="true"]')).waitFor({ timeout: expandTimeoutMs });
      info = await readRow(row);
    }
    rows.push(info);
    previousId = id;
    await page.keyboard.press('ArrowDown');
  }
  return rows;
}

/** The id of the focused row, waiting briefly for it to move away from `previousId`. */
async function focusedRowId(tree: Locator, previousId: string | undefined): Promise<string | undefined> {
  const deadline = Date.now() + 1000;
  for (;;) {
    const id = (await tree.getAttribute('aria-activedescendant')) ?? undefined;
    if (id !== previousId || Date.now() > deadline) {
      return id;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function readRow(row: Locator): Promise<TreeRow> {
  return row.evaluate((element) => {
    const expanded = element.getAttribute('aria-expanded');
    return {
      label: element.querySelector('.label-name')?.textContent?.trim() ?? '',
      description: element.querySelector('.label-description')?.textContent?.trim() ?? '',
      level: Number(element.getAttribute('aria-level') ?? '1'),
      expanded: expanded === null ? undefined : expanded === 'true',
    };
  });
}

/** Runs a command from the palette by its full title, e.g. "SlateDB: Refresh". */
export async function runCommand(page: Page, title: string, timeoutMs = 15_000): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${title}`);
  const option = page.locator('.quick-input-widget .quick-input-list .monaco-list-row[role="option"]')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) })
    .first();
  await option.waitFor({ state: 'visible', timeout: timeoutMs });
  await option.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** The checks and screenshots of one browser test: `check` asserts, counts and logs; `shot` saves and lists a PNG. */
export class E2eTally {
  passed = 0;
  readonly screenshots: string[] = [];

  constructor(private readonly log: (line: string) => void) {}

  readonly check = (what: string, ok: boolean, detail = ''): void => {
    assert.ok(ok, `${what}${detail ? `: ${detail}` : ''}`);
    this.passed++;
    this.log(`ok ${what}`);
  };

  /** Saves test-results/<name>.png of a page or of one element. */
  readonly shot = async (target: Page | Locator, name: string): Promise<void> => {
    fs.mkdirSync(TEST_RESULTS_DIR, { recursive: true });
    const file = path.join(TEST_RESULTS_DIR, `${name}.png`);
    await target.screenshot({ path: file });
    this.screenshots.push(path.relative(REPO_ROOT, file));
    this.log(`screenshot ${path.relative(REPO_ROOT, file)}`);
  };
}

/** One of our webview pages: VS Code's webview iframe, then the frame that holds our HTML (`visible`: the one in front). */
export function webviewFrame(page: Page, { visible = false }: { visible?: boolean } = {}): FrameLocator {
  return page.frameLocator(visible ? 'iframe.webview.ready:visible' : 'iframe.webview.ready').frameLocator('iframe#active-frame');
}

/** Saves test-results/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(TEST_RESULTS_DIR, { recursive: true });
  const file = path.join(TEST_RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
