// A real S3 server for tests: Ceph RADOS Gateway (Debian `radosgw`) as a
// single-node cluster on 127.0.0.1 — one mon, one memstore osd, one radosgw.
//
// Nothing is installed into the system: the Debian packages are fetched with
// `apt-get download` and unpacked with `dpkg -x` into .cache/ceph/ (once).
// Every start makes a fresh cluster in its own scratch directory on free ports,
// so several test runs can coexist. See /work/shared/TEST-HOSTS.md for the
// measurements behind the configuration below.
//
// Plain Node ESM, built-in modules only.

import { spawn, execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE_DIR = path.join(REPO_ROOT, '.cache');
export const CEPH_DIR = path.join(CACHE_DIR, 'ceph');
const MARKER = path.join(CEPH_DIR, 'installed.json');
const ROOT = path.join(CEPH_DIR, 'root');

/** The Debian packages whose dependency closure we unpack. */
const PACKAGES = ['radosgw', 'ceph-mon', 'ceph-osd', 'ceph-common'];

/** Fixed, test-only S3 keys of the user every fresh cluster gets. */
export const TEST_ACCESS_KEY = 'SLATEDBTESTACCESSKEY';
export const TEST_SECRET_KEY = 'slatedb-test-secret-key-0123456789abcdef';
export const TEST_REGION = 'us-east-1';

const noop = () => {};

function run(cmd, args, { cwd, env, timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const msg = `${cmd} ${args.join(' ')} failed: ${err.message}\n${String(stderr).slice(-2000)}`;
        reject(Object.assign(new Error(msg), { stdout, stderr }));
      } else {
        resolve({ stdout: String(stdout), stderr: String(stderr) });
      }
    });
  });
}

function elapsed(t0) {
  return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
}

/** `name=version` for every package apt would install for PACKAGES. */
async function resolvePackages(log) {
  const simulate = () =>
    run('apt-get', ['install', '-s', '--no-install-recommends', ...PACKAGES]).then(({ stdout }) =>
      stdout
        .split('\n')
        .map((l) => /^Inst (\S+) \((\S+)/.exec(l))
        .filter(Boolean)
        .map((m) => `${m[1]}=${m[2]}`),
    );
  let pkgs = [];
  try {
    pkgs = await simulate();
  } catch {
    /* no package lists yet */
  }
  if (!pkgs.some((p) => p.startsWith('radosgw='))) {
    log('[rgw] apt package lists missing or stale: running apt-get update');
    await run('apt-get', ['update'], { timeoutMs: 300_000 });
    pkgs = await simulate();
  }
  if (!pkgs.some((p) => p.startsWith('radosgw='))) {
    throw new Error('apt-get cannot resolve radosgw (is radosgw already installed system-wide, or is apt unreachable?)');
  }
  return pkgs;
}

/**
 * Make sure the Ceph binaries are unpacked in .cache/ceph/root. Idempotent:
 * a marker file records a finished install; an interrupted one is redone.
 * Concurrent callers are safe (each unpacks into its own folder, one rename wins).
 * @returns {Promise<{root: string, cached: boolean, seconds: number}>}
 */
export async function ensureRgw({ log = noop } = {}) {
  const t0 = Date.now();
  if (fs.existsSync(MARKER) && fs.existsSync(path.join(ROOT, 'usr', 'bin', 'radosgw'))) {
    return { root: ROOT, cached: true, seconds: (Date.now() - t0) / 1000 };
  }
  await fsp.mkdir(CACHE_DIR, { recursive: true });
  const staging = await fsp.mkdtemp(path.join(CACHE_DIR, 'ceph.partial-'));
  try {
    log('[rgw] resolving Debian packages for ' + PACKAGES.join(', '));
    const pkgs = await resolvePackages(log);
    const debDir = path.join(staging, 'debs');
    await fsp.mkdir(debDir);
    log(`[rgw] downloading ${pkgs.length} packages (apt-get download) ...`);
    await run('apt-get', ['download', ...pkgs], { cwd: debDir, timeoutMs: 600_000 });
    log(`[rgw] downloaded in ${elapsed(t0)}; unpacking (dpkg -x) ...`);
    const debs = (await fsp.readdir(debDir)).filter((f) => f.endsWith('.deb'));
    const stagedRoot = path.join(staging, 'root');
    await fsp.mkdir(stagedRoot);
    for (let i = 0; i < debs.length; i++) {
      await run('dpkg', ['-x', path.join(debDir, debs[i]), stagedRoot]);
      if ((i + 1) % 16 === 0 || i + 1 === debs.length) log(`[rgw] unpacked ${i + 1}/${debs.length}`);
    }
    await fsp.rm(debDir, { recursive: true, force: true });
    if (!fs.existsSync(path.join(stagedRoot, 'usr', 'bin', 'radosgw'))) throw new Error('radosgw binary missing after unpacking');
    await fsp.writeFile(
      path.join(staging, 'installed.json'),
      JSON.stringify({ packages: pkgs, installedAt: new Date().toISOString() }, null, 2) + '\n',
    );
    // An unfinished earlier attempt (no marker) is thrown away; a finished one (another process won) is kept.
    if (fs.existsSync(CEPH_DIR) && !fs.existsSync(MARKER)) await fsp.rm(CEPH_DIR, { recursive: true, force: true });
    try {
      await fsp.rename(staging, CEPH_DIR);
    } catch (e) {
      if (!fs.existsSync(MARKER)) throw e;
    }
    log(`[rgw] Ceph ${pkgs.find((p) => p.startsWith('radosgw='))} installed in ${CEPH_DIR} (${elapsed(t0)})`);
    return { root: ROOT, cached: false, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
  }
}

/** A TCP port that is free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function cephEnv(root, conf) {
  const lib = path.join(root, 'usr', 'lib', 'x86_64-linux-gnu');
  return {
    ...process.env,
    PATH: [path.join(root, 'usr', 'bin'), path.join(root, 'usr', 'sbin'), process.env.PATH].join(':'),
    LD_LIBRARY_PATH: [lib, path.join(lib, 'ceph'), path.join(root, 'lib', 'x86_64-linux-gnu'), process.env.LD_LIBRARY_PATH]
      .filter(Boolean)
      .join(':'),
    PYTHONPATH: [path.join(root, 'usr', 'lib', 'python3', 'dist-packages'), process.env.PYTHONPATH].filter(Boolean).join(':'),
    CEPH_CONF: conf,
  };
}

function cephConf({ root, dir, fsid, monPort, rgwPort, extraConf = '', memstoreBytes = 1073741824 }) {
  const lib = path.join(root, 'usr', 'lib', 'x86_64-linux-gnu');
  return `[global]
fsid = ${fsid}
mon host = v2:127.0.0.1:${monPort}
mon initial members = a
public addr = 127.0.0.1
ms bind ipv6 = false
ms bind msgr1 = false
auth cluster required = none
auth service required = none
auth client required = none
# without this radosgw loops on "get_initial_auth_request returned -13"
ms mon client mode = crc secure
plugin dir = ${path.join(lib, 'ceph')}
erasure code dir = ${path.join(lib, 'ceph', 'erasure-code')}
osd class dir = ${path.join(lib, 'rados-classes')}
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd crush chooseleaf type = 0
run dir = ${dir}/run
log file = ${dir}/log/$name.log
admin socket = ${dir}/run/$name.asok
mon data = ${dir}/mon/$cluster-$id
osd data = ${dir}/osd/$cluster-$id
keyring = ${dir}/keyring

[mon]
# The mon batches map changes for 1 s by default; radosgw's start creates ~8 pools,
# one map change each. A single-node test cluster needs no batching: 14 s -> 3 s.
paxos propose interval = 0.05
paxos min wait = 0.01

[osd]
osd objectstore = memstore
memstore device bytes = ${memstoreBytes}

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${dir}/rgw
${extraConf}`;
}

async function waitFor(what, timeoutMs, check, isAlive) {
  const t0 = Date.now();
  let lastErr;
  while (Date.now() - t0 < timeoutMs) {
    if (isAlive && !isAlive()) throw new Error(`${what}: the daemon exited`);
    try {
      if (await check()) return;
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${lastErr.message}` : ''}`);
}

function httpStatus(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** True while `pid` is a live (non-zombie) process. */
export function isRunning(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** SIGTERM each pid in order and wait for it to exit (SIGKILL after `graceMs`). */
export async function stopPids(pids, { graceMs = 10_000, log = noop } = {}) {
  for (const [name, pid] of pids) {
    if (!pid || !isRunning(pid)) continue;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      continue;
    }
    const t0 = Date.now();
    while (isRunning(pid) && Date.now() - t0 < graceMs) await new Promise((r) => setTimeout(r, 50));
    if (isRunning(pid)) {
      log(`[rgw] ${name} (pid ${pid}) ignored SIGTERM; killing`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
      while (isRunning(pid)) await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * Start a fresh single-node Ceph cluster with radosgw on 127.0.0.1 and create
 * the S3 user with the fixed test keys (no buckets).
 *
 * @param {object} [o]
 * @param {(line: string) => void} [o.log] progress lines
 * @param {boolean} [o.detached] daemons outlive this process (for scripts/rgw.mjs);
 *   otherwise they are killed when this process exits, even without stop()
 * @param {string} [o.dir] scratch directory (default: a new temp dir, removed by stop())
 * @param {number} [o.memstoreBytes] the OSD's in-memory device (default 1 GiB: the tests; the backup bench asks for more)
 * @returns {Promise<{endpoint: string, accessKeyId: string, secretAccessKey: string, region: string,
 *   pids: {mon: number, osd: number, rgw: number}, dir: string, stop: () => Promise<void>}>}
 */
export async function startRgw({ log = noop, detached = false, dir, memstoreBytes } = {}) {
  const t0 = Date.now();
  const { root } = await ensureRgw({ log });
  const ownDir = !dir;
  dir = dir ?? (await fsp.mkdtemp(path.join(os.tmpdir(), 'slatedb-rgw-')));
  for (const sub of ['run', 'log', 'mon', 'osd', 'rgw']) await fsp.mkdir(path.join(dir, sub), { recursive: true });
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const fsid = randomUUID();
  const conf = path.join(dir, 'ceph.conf');
  await fsp.writeFile(conf, cephConf({ root, dir, fsid, monPort, rgwPort, extraConf: process.env.SLATEDB_RGW_EXTRA_CONF ?? '', memstoreBytes }));
  await fsp.writeFile(path.join(dir, 'keyring'), '');
  const env = cephEnv(root, conf);
  const bin = (name) => path.join(root, 'usr', 'bin', name);
  const ceph = (...args) => run('/usr/bin/python3', [bin('ceph'), '--connect-timeout', '5', ...args], { env, timeoutMs: 30_000 });

  const pids = { mon: 0, osd: 0, rgw: 0 };
  const exited = new Set();
  const children = [];
  const daemon = (name, args) => {
    const out = fs.openSync(path.join(dir, 'log', `${name}.out`), 'a');
    const child = spawn(bin(args[0]), args.slice(1), { env, cwd: dir, detached: true, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    child.on('exit', () => exited.add(name));
    child.on('error', () => exited.add(name));
    if (detached) child.unref();
    children.push(child);
    pids[name] = child.pid;
    return () => !exited.has(name);
  };

  const killAll = () => {
    for (const name of ['rgw', 'osd', 'mon']) {
      if (pids[name] && isRunning(pids[name])) {
        try {
          process.kill(pids[name], 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
  };
  if (!detached) process.once('exit', killAll);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!detached) process.removeListener('exit', killAll);
    await stopPids([['rgw', pids.rgw], ['osd', pids.osd], ['mon', pids.mon]], { log });
    if (ownDir) await fsp.rm(dir, { recursive: true, force: true });
  };

  try {
    await run(bin('monmaptool'), ['--create', '--fsid', fsid, '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, path.join(dir, 'monmap')], { env });
    await run(bin('ceph-mon'), ['--mkfs', '-i', 'a', '--monmap', path.join(dir, 'monmap')], { env });
    const monAlive = daemon('mon', ['ceph-mon', '-i', 'a', '-f']);
    await waitFor('ceph-mon', 30_000, () => ceph('mon', 'stat').then(() => true), monAlive);
    log(`[rgw] mon up on 127.0.0.1:${monPort} (${elapsed(t0)})`);

    const osdUuid = randomUUID();
    const osdId = (await ceph('osd', 'new', osdUuid)).stdout.trim();
    await fsp.mkdir(path.join(dir, 'osd', `ceph-${osdId}`), { recursive: true });
    await run(bin('ceph-osd'), ['--mkfs', '-i', osdId, '--osd-uuid', osdUuid], { env });
    const osdAlive = daemon('osd', ['ceph-osd', '-i', osdId, '-f']);
    await waitFor('ceph-osd', 60_000, () => ceph('osd', 'dump').then(({ stdout }) => new RegExp(`^osd\\.${osdId} up`, 'm').test(stdout)), osdAlive);
    log(`[rgw] osd.${osdId} up (${elapsed(t0)})`);

    const rgwAlive = daemon('rgw', ['radosgw', '-n', 'client.rgw', '-f']);
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await waitFor('radosgw', 60_000, () => httpStatus(endpoint + '/').then((s) => s === 200), rgwAlive);
    await run(
      bin('radosgw-admin'),
      ['-n', 'client.rgw', '--admin-socket=', 'user', 'create', '--uid=test', '--display-name=test', `--access-key=${TEST_ACCESS_KEY}`, `--secret-key=${TEST_SECRET_KEY}`],
      { env },
    );
    log(`[rgw] radosgw ready at ${endpoint} (${elapsed(t0)}; pids mon ${pids.mon}, osd ${pids.osd}, rgw ${pids.rgw})`);
    return { endpoint, accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY, region: TEST_REGION, pids: { ...pids }, dir, stop };
  } catch (e) {
    const tail = await fsp
      .readdir(path.join(dir, 'log'))
      .then((files) => files.filter((f) => f.endsWith('.out')).map((f) => `--- ${f}\n` + fs.readFileSync(path.join(dir, 'log', f), 'utf8').slice(-1500)).join('\n'))
      .catch(() => '');
    await stop().catch(noop);
    throw new Error(`starting RGW failed: ${e.message}${tail ? `\n${tail}` : ''}`);
  }
}
