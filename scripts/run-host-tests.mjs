// Runs the mocha integration suite (test/integration, built to out/test/integration/index.js)
// INSIDE a real VS Code extension host: code-server 4.100.3 serves the workbench, headless
// Chromium opens it with extensionDevelopmentPath + extensionTestsPath, the suite writes its
// results to a JSON file, and this script prints them. Exit 0 only when every test passed.
//
//   node scripts/run-host-tests.mjs [--timeout=SECONDS] [--grep=REGEX] [--no-build] [--folder=DIR] [--fixtures=DIR]
//
// Before starting the host it builds real SlateDB databases (test/fixtures/buildHostFixtures.ts, the
// REAL engine, ~7 s) into test-results/fixtures/host-<run>/ and hands the folder to the suite as
// SLATEDB_TEST_DB_ROOT (read-only for tests: they copy a database before writing). --fixtures=DIR, or
// SLATEDB_TEST_DB_ROOT already set to an existing folder, reuses one instead. The suite also gets
// SLATEDB_TEST_USER_DATA_DIR (to find settings.json and the logs on disk).
// Leaves test-results/integration-results.json (or $SLATEDB_TEST_RESULTS), host-measurements.json next to it (timings
// the suite measured), test-results/host-tests.png (the workbench at the
// end), test-results/host-tests-code-server.log and test-results/host-tests-browser.log.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import {
  CHROMIUM_ARGS,
  REPO_ROOT,
  ensureChromium,
  ensureCodeServer,
  sleep,
  startCodeServer,
  tail,
  workbenchUrl,
} from './lib/codeServer.mjs';

const options = parseArgs(process.argv.slice(2));
const extensionRoot = process.cwd();
const resultsDir = path.join(extensionRoot, 'test-results');
const resultsFile = path.resolve(process.env.SLATEDB_TEST_RESULTS ?? path.join(resultsDir, 'integration-results.json'));
const screenshotFile = path.join(resultsDir, 'host-tests.png');
const codeServerLog = path.join(resultsDir, 'host-tests-code-server.log');
const browserLog = path.join(resultsDir, 'host-tests-browser.log');
// SLATEDB_HOST_TESTS_SCRATCH: another profile folder, so two runs at once do not delete each other's.
const scratch = process.env.SLATEDB_HOST_TESTS_SCRATCH ? path.resolve(process.env.SLATEDB_HOST_TESTS_SCRATCH) : path.join(REPO_ROOT, '.vscode-test', 'host-tests');
const testsEntry = path.join(extensionRoot, 'out', 'test', 'integration', 'index.js');

const log = (line) => console.log(`[host-tests] ${line}`);

/** Real SlateDB databases for the suite: reused when given, else built fresh for this run. */
function prepareFixtures() {
  const given = options.fixtures ?? process.env.SLATEDB_TEST_DB_ROOT;
  if (given) {
    if (!fs.existsSync(path.join(given, 'fixtures.json'))) {
      throw new Error(`fixture folder ${given} has no fixtures.json: build it with node --import tsx test/fixtures/buildHostFixtures.ts ${given}`);
    }
    log(`fixtures: reusing ${given}`);
    return path.resolve(given);
  }
  const root = path.join(resultsDir, 'fixtures');
  // Earlier runs' folders: keep the last few, other suites may still be reading a recent one.
  if (fs.existsSync(root)) {
    const old = fs.readdirSync(root).filter((name) => name.startsWith('host-')).sort().slice(0, -3);
    for (const name of old) fs.rmSync(path.join(root, name), { recursive: true, force: true });
  }
  const dir = path.join(root, `host-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${process.pid}`);
  const started = Date.now();
  const built = spawnSync(process.execPath, ['--import', 'tsx', path.join('test', 'fixtures', 'buildHostFixtures.ts'), dir], {
    cwd: extensionRoot,
    stdio: 'inherit',
    timeout: 120_000,
  });
  if (built.status !== 0) {
    throw new Error(`building the fixture databases failed (${built.status ?? built.signal})`);
  }
  log(`fixtures: built ${path.relative(extensionRoot, dir)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

async function main() {
  const started = Date.now();
  if (options.build) {
    const build = spawnSync(process.execPath, ['esbuild.js'], { cwd: extensionRoot, stdio: 'inherit' });
    if (build.status !== 0) {
      throw new Error(`node esbuild.js failed with ${build.status ?? build.signal}`);
    }
  }
  if (!fs.existsSync(testsEntry)) {
    throw new Error(`${testsEntry} is missing: run node esbuild.js`);
  }
  const fixturesDir = prepareFixtures();
  await ensureCodeServer({ log: (line) => log(`code-server: ${line}`) });
  const chromiumPath = await ensureChromium({ log: (line) => log(`chromium: ${line}`) });

  // A fresh profile every run: no state leaks between runs.
  fs.rmSync(scratch, { recursive: true, force: true });
  const folder = options.folder ?? path.join(scratch, 'workspace');
  fs.mkdirSync(folder, { recursive: true });
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.rmSync(resultsFile, { force: true });
  fs.rmSync(path.join(path.dirname(resultsFile), 'host-measurements.json'), { force: true }); // written by the suite's measure()

  const cleanup = [];
  const stopAll = async () => {
    while (cleanup.length > 0) {
      await cleanup.pop()().catch((error) => log(`cleanup: ${error.message}`));
    }
  };
  const onSignal = (signal) => {
    log(`${signal}: stopping code-server and the browser`);
    stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const userDataDir = path.join(scratch, 'user-data');
    const server = await startCodeServer({
      folder,
      userDataDir,
      extensionsDir: path.join(scratch, 'extensions'),
      logFile: codeServerLog,
      // The extension host is a child of the server and inherits its environment.
      env: {
        SLATEDB_TEST_RESULTS: resultsFile,
        SLATEDB_TEST_DB_ROOT: fixturesDir,
        SLATEDB_TEST_USER_DATA_DIR: userDataDir,
        ...(options.grep ? { SLATEDB_TEST_GREP: options.grep } : {}),
      },
      log,
    });
    cleanup.push(async () => {
      const stopping = Date.now();
      await server.stop();
      log(`code-server stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s`);
    });

    const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
    cleanup.push(async () => {
      const closing = Date.now();
      await browser.close();
      log(`browser closed in ${((Date.now() - closing) / 1000).toFixed(1)} s`);
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const browserLines = [];
    page.on('console', (message) => browserLines.push(`[${message.type()}] ${message.text()}`));
    page.on('pageerror', (error) => browserLines.push(`[pageerror] ${error.message}`));

    const url = workbenchUrl(server.url, {
      folder,
      extensionDevelopmentPath: extensionRoot,
      extensionTestsPath: testsEntry,
    });
    log(`opening the workbench with the suite (timeout ${options.timeoutSeconds} s)`);
    await page.goto(url);

    const results = await waitForResults(Date.now() + options.timeoutSeconds * 1000);
    await page.screenshot({ path: screenshotFile }).catch((error) => log(`screenshot failed: ${error.message}`));
    fs.writeFileSync(browserLog, browserLines.join('\n') + '\n');

    if (!results) {
      console.log(`--- last lines of ${path.relative(extensionRoot, codeServerLog)} ---\n${tail(codeServerLog, 40)}`);
      throw new Error(hostExited()
        ? 'the extension host exited without writing results (see the log above and test-results/host-tests-browser.log)'
        : `no results after ${options.timeoutSeconds} s (raise --timeout?)`);
    }
    console.log(results.output);
    for (const failure of results.failures) {
      console.log(`\nFAILED: ${failure.title}\n${failure.error}`);
    }
    log(`results in ${((Date.now() - started) / 1000).toFixed(1)} s from start; screenshot ${path.relative(extensionRoot, screenshotFile)}`);
    console.log(`integration: ${results.passed} passed, ${results.failed} failed, ${results.pending} skipped`);
    process.exitCode = results.failed > 0 || results.passed === 0 ? 1 : 0;
  } finally {
    await stopAll();
  }
}

/** Polls for the results file; gives up early when the extension host has exited without one. */
async function waitForResults(deadline) {
  let hostGoneAt;
  while (Date.now() < deadline) {
    if (fs.existsSync(resultsFile)) {
      return JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    }
    if (hostExited()) {
      hostGoneAt ??= Date.now();
      if (Date.now() - hostGoneAt > 5000) {
        return undefined;
      }
    }
    await sleep(250);
  }
  return undefined;
}

function hostExited() {
  try {
    return /Extension Host Process exited|extension host.*(crashed|terminated)/i.test(fs.readFileSync(codeServerLog, 'utf8'));
  } catch {
    return false;
  }
}

function parseArgs(args) {
  const parsed = { timeoutSeconds: 600, build: true, grep: undefined, folder: undefined, fixtures: undefined };
  for (const arg of args) {
    const [name, value] = arg.split(/=(.*)/s, 2);
    if (name === '--timeout' && Number(value) > 0) {
      parsed.timeoutSeconds = Number(value);
    } else if (name === '--grep' && value) {
      parsed.grep = value;
    } else if (name === '--folder' && value) {
      parsed.folder = path.resolve(value);
    } else if (name === '--fixtures' && value) {
      parsed.fixtures = path.resolve(value);
    } else if (name === '--no-build') {
      parsed.build = false;
    } else {
      console.error('usage: node scripts/run-host-tests.mjs [--timeout=SECONDS] [--grep=REGEX] [--no-build] [--folder=DIR] [--fixtures=DIR]');
      process.exit(2);
    }
  }
  return parsed;
}

main().catch((error) => {
  console.error(`[host-tests] ${error.message}`);
  process.exitCode = 1;
});
