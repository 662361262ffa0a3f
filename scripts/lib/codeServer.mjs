// code-server 4.100.3 (VS Code 1.100.3 on Node 20) as a test host: install it into a cache folder
// once, start it on 127.0.0.1, stop it by pid. Only Node built-ins.
//
// The install follows shared/TEST-HOSTS.md: code-server's own npm postinstall needs the internet
// (it downloads ripgrep and node headers), so every step is done by hand, offline-safe.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE_DIR = path.join(REPO_ROOT, '.vscode-test', 'code-server');
export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Flags for Debian's chromium as root, without network or GPU (shared/TEST-HOSTS.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const MARKER = path.join(CACHE_DIR, '.installed');
const INSTALL_LOG = path.join(CACHE_DIR, 'install.log');
const PACKAGE_DIR = path.join(CACHE_DIR, 'node_modules', 'code-server');
const VSCODE_DIR = path.join(PACKAGE_DIR, 'lib', 'vscode');
export const ENTRY = path.join(PACKAGE_DIR, 'out', 'node', 'entry.js');

const APT_PACKAGES = ['libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config', 'ripgrep', 'chromium'];
// Native modules of lib/vscode whose prebuilt binaries are missing after --ignore-scripts.
const NATIVE_MODULES = ['@parcel/watcher', 'kerberos', '@vscode/spdlog', 'native-watchdog'];

const defaultLog = (line) => console.log(`[code-server] ${line}`);

/**
 * Installs code-server into CACHE_DIR unless the marker says this version is complete.
 * Returns the path of its entry.js. Safe to call from two processes at once (a lock folder).
 */
export async function ensureCodeServer({ log = defaultLog } = {}) {
  if (isInstalled()) {
    return ENTRY;
  }
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const release = await acquireLock(log);
  try {
    if (isInstalled()) {
      return ENTRY; // another process finished it while we waited
    }
    await install(log);
    return ENTRY;
  } finally {
    release();
  }
}

/** Installs Debian's chromium when /usr/bin/chromium is missing; returns its path. */
export async function ensureChromium({ log = defaultLog } = {}) {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    await aptInstall(['chromium'], log);
  }
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`apt-get installed chromium but ${CHROMIUM_PATH} is still missing`);
  }
  return CHROMIUM_PATH;
}

function isInstalled() {
  try {
    return fs.readFileSync(MARKER, 'utf8').trim() === CODE_SERVER_VERSION && fs.existsSync(ENTRY);
  } catch {
    return false;
  }
}

async function install(log) {
  const started = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${path.relative(REPO_ROOT, CACHE_DIR)} (once, ~2 min; output in ${path.relative(REPO_ROOT, INSTALL_LOG)})`);
  fs.writeFileSync(INSTALL_LOG, '');
  fs.rmSync(MARKER, { force: true });

  await aptInstall(APT_PACKAGES, log);

  const cachePackageJson = path.join(CACHE_DIR, 'package.json');
  if (!fs.existsSync(cachePackageJson)) {
    fs.writeFileSync(cachePackageJson, JSON.stringify({ name: 'code-server-cache', private: true }, null, 2) + '\n');
  }
  await step(log, `npm install code-server@${CODE_SERVER_VERSION} --ignore-scripts`, 'npm',
    ['install', `code-server@${CODE_SERVER_VERSION}`, '--ignore-scripts', '--save-exact', '--no-audit', '--no-fund'], CACHE_DIR);

  await step(log, 'lib/vscode: npm install --omit=dev --ignore-scripts', 'npm',
    ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], VSCODE_DIR);

  // @vscode/ripgrep's postinstall downloads rg from GitHub; Debian's works the same.
  const rgTarget = path.join(VSCODE_DIR, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  fs.mkdirSync(path.dirname(rgTarget), { recursive: true });
  fs.copyFileSync('/usr/bin/rg', rgTarget);
  fs.chmodSync(rgTarget, 0o755);
  log('lib/vscode: copied /usr/bin/rg into @vscode/ripgrep');

  await step(log, `lib/vscode: npm rebuild ${NATIVE_MODULES.join(' ')}`, 'npm', ['rebuild', ...NATIVE_MODULES], VSCODE_DIR);

  // node-pty compiles, then npm reports a failure from a cosmetic post-step; judge by the binary.
  await step(log, 'lib/vscode: npm rebuild node-pty', 'npm', ['rebuild', 'node-pty'], VSCODE_DIR, { allowFailure: true });
  const ptyNode = path.join(VSCODE_DIR, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node');
  if (!fs.existsSync(ptyNode)) {
    throw new Error(`node-pty did not build: ${ptyNode} is missing (see ${INSTALL_LOG})`);
  }

  const asar = path.join(VSCODE_DIR, 'node_modules.asar');
  fs.rmSync(asar, { force: true });
  fs.symlinkSync('node_modules', asar);
  log('lib/vscode: linked node_modules.asar -> node_modules');

  await step(log, 'lib/vscode/extensions: npm install --omit=dev --ignore-scripts', 'npm',
    ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], path.join(VSCODE_DIR, 'extensions'));

  await step(log, 'npm rebuild argon2', 'npm', ['rebuild', 'argon2'], CACHE_DIR);

  fs.writeFileSync(MARKER, CODE_SERVER_VERSION + '\n');
  log(`code-server ${CODE_SERVER_VERSION} installed in ${seconds(started)}`);
}

async function aptInstall(packages, log) {
  const missing = packages.filter((name) => spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' }).stdout !== 'install ok installed');
  if (missing.length === 0) {
    log(`apt: ${packages.join(' ')} already installed`);
    return;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await step(log, `apt-get install -y ${missing.join(' ')}`, 'apt-get', ['install', '-y', ...missing], CACHE_DIR, { env });
  } catch {
    // Package lists can be missing or stale on a fresh machine: refresh once and retry.
    await step(log, 'apt-get update', 'apt-get', ['update'], CACHE_DIR, { env });
    await step(log, `apt-get install -y ${missing.join(' ')}`, 'apt-get', ['install', '-y', ...missing], CACHE_DIR, { env });
  }
}

/** Runs one install command with its output appended to INSTALL_LOG and a heartbeat every 15 s. */
async function step(log, title, command, args, cwd, { env = process.env, allowFailure = false } = {}) {
  const started = Date.now();
  log(`${title} ...`);
  fs.appendFileSync(INSTALL_LOG, `\n$ (cd ${cwd} && ${command} ${args.join(' ')})\n`);
  const out = fs.openSync(INSTALL_LOG, 'a');
  const heartbeat = setInterval(() => log(`  ... ${title} still running (${seconds(started)})`), 15_000);
  try {
    const code = await new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd, env, stdio: ['ignore', out, out] });
      child.on('error', reject);
      child.on('exit', (exitCode, signal) => resolve(exitCode ?? signal));
    });
    if (code !== 0) {
      if (allowFailure) {
        log(`  ${title} exited with ${code}; checking its result instead (${seconds(started)})`);
        return;
      }
      throw new Error(`${title} failed with ${code}; last lines of ${INSTALL_LOG}:\n${tail(INSTALL_LOG, 30)}`);
    }
    log(`  done in ${seconds(started)}`);
  } finally {
    clearInterval(heartbeat);
    fs.closeSync(out);
  }
}

/** A lock folder holding the owner's pid; a lock whose owner is gone is taken over. */
async function acquireLock(log) {
  const lockDir = `${CACHE_DIR}.lock`;
  const pidFile = path.join(lockDir, 'pid');
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(pidFile, String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') {
        throw error;
      }
    }
    const owner = Number.parseInt(readOrEmpty(pidFile), 10);
    if (Number.isInteger(owner) && !isAlive(owner)) {
      log(`removing the stale install lock of pid ${owner}`);
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!announced) {
      log(`waiting for pid ${owner || '?'}, which is installing code-server`);
      announced = true;
    }
    await sleep(1000);
  }
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server on 127.0.0.1 with no auth, its own config file and user settings.
 * The process leads its own process group: stop() ends the server and its extension hosts.
 * `env` is added to the server's environment; the extension host inherits it.
 *
 * @returns {Promise<{url: string, port: number, pid: number, logFile: string, stop: () => Promise<void>}>}
 */
export async function startCodeServer({
  port,
  folder,
  userDataDir,
  extensionsDir,
  settings = {},
  env = {},
  logFile,
  readyTimeoutMs = 60_000,
  log = defaultLog,
} = {}) {
  if (!isInstalled()) {
    throw new Error('code-server is not installed: call ensureCodeServer() first');
  }
  if (!userDataDir || !extensionsDir) {
    throw new Error('startCodeServer needs userDataDir and extensionsDir');
  }
  port ??= await freePort();
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  logFile ??= path.join(userDataDir, 'code-server.log');

  const userSettings = {
    'security.workspace.trust.enabled': false, // else Restricted Mode disables the extension
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'git.openRepositoryInParentFolders': 'never', // scratch folders sit inside this repository
    ...settings,
  };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(userSettings, null, 2) + '\n');

  // Without CODE_SERVER_CONFIG, code-server writes ~/.config/code-server/config.yaml.
  const configFile = path.join(userDataDir, 'code-server-config.yaml');
  fs.writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

  const args = [
    ENTRY,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
  ];
  if (folder) {
    args.push(folder);
  }
  const out = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, args, {
    cwd: folder ?? REPO_ROOT,
    env: { ...process.env, ...env, CODE_SERVER_CONFIG: configFile },
    stdio: ['ignore', out, out],
    detached: true, // its own process group, so stop() reaches the extension hosts too
  });
  fs.closeSync(out);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  child.on('error', () => {}); // reported through `exited` / the readiness timeout
  const pid = child.pid;
  const url = `http://127.0.0.1:${port}`;

  let stopped = false;
  async function stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (groupAlive(pid) && Date.now() < deadline) {
      await sleep(100);
    }
    if (groupAlive(pid)) {
      log(`code-server pid ${pid} ignored SIGTERM for 10 s; sending SIGKILL to its group`);
      signalGroup(pid, 'SIGKILL');
      while (groupAlive(pid)) {
        await sleep(100);
      }
    }
    await Promise.race([exited, sleep(2000)]);
  }

  const started = Date.now();
  let earlyExit;
  exited.then((code) => { earlyExit = code; });
  for (;;) {
    if (earlyExit !== undefined) {
      throw new Error(`code-server exited with ${earlyExit} before it answered; ${logFile}:\n${tail(logFile, 30)}`);
    }
    if (await answers(`${url}/healthz`)) {
      break;
    }
    if (Date.now() - started > readyTimeoutMs) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within ${readyTimeoutMs} ms; ${logFile}:\n${tail(logFile, 30)}`);
    }
    await sleep(200);
  }
  log(`listening on ${url} (pid ${pid}, ready in ${seconds(started)}, log ${path.relative(REPO_ROOT, logFile)})`);
  return { url, port, pid, logFile, stop };
}

/**
 * The workbench address for `folder`. With extensionDevelopmentPath the extension in that folder
 * loads as in F5 debugging; with extensionTestsPath too, the extension host awaits that module's
 * run() (what @vscode/test-electron does on a desktop). Paths are absolute paths on this machine.
 */
export function workbenchUrl(url, { folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const remote = (file) => `vscode-remote://${new URL(url).host}${file}`;
  const payload = [];
  if (extensionDevelopmentPath) {
    payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  }
  if (extensionTestsPath) {
    payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  }
  const query = [];
  if (folder) {
    query.push(`folder=${encodeURIComponent(folder)}`);
  }
  if (payload.length > 0) {
    query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  }
  return `${url}/${query.length > 0 ? `?${query.join('&')}` : ''}`;
}

function answers(url) {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode !== undefined && response.statusCode < 500);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if (error.code !== 'ESRCH') {
      throw error;
    }
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function readOrEmpty(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function tail(file, lines) {
  return readOrEmpty(file).split('\n').slice(-lines).join('\n');
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
