#!/usr/bin/env node
// Start or stop a throwaway Ceph RGW (S3) for tests, outliving this process.
//
//   node scripts/rgw.mjs install   download + unpack Ceph into .cache/ceph/ (idempotent)
//   node scripts/rgw.mjs start     fresh cluster; writes .cache/rgw-state.json and prints
//                                  `export SLATEDB_TEST_S3_...=...` lines on stdout
//   node scripts/rgw.mjs env       print the export lines of the running instance
//   node scripts/rgw.mjs stop      stop the daemons recorded in the state file, remove its scratch dir
//
// Progress goes to stderr, so `eval "$(node scripts/rgw.mjs start)"` works.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { CACHE_DIR, ensureRgw, isRunning, startRgw, stopPids } from './lib/rgw.mjs';

const STATE = path.join(CACHE_DIR, 'rgw-state.json');
const log = (line) => process.stderr.write(line + '\n');

function readState() {
  try {
    return JSON.parse(fs.readFileSync(STATE, 'utf8'));
  } catch {
    return undefined;
  }
}

function exportsOf(s) {
  return [
    `export SLATEDB_TEST_S3_ENDPOINT=${s.endpoint}`,
    `export SLATEDB_TEST_S3_ACCESS_KEY=${s.accessKeyId}`,
    `export SLATEDB_TEST_S3_SECRET_KEY=${s.secretAccessKey}`,
    `export SLATEDB_TEST_S3_REGION=${s.region}`,
  ].join('\n');
}

async function stop() {
  const s = readState();
  if (!s) {
    log('[rgw] no state file: nothing to stop');
    return;
  }
  await stopPids([['rgw', s.pids.rgw], ['osd', s.pids.osd], ['mon', s.pids.mon]], { log });
  if (s.dir && path.basename(s.dir).startsWith('slatedb-rgw-')) fs.rmSync(s.dir, { recursive: true, force: true });
  fs.rmSync(STATE, { force: true });
  log(`[rgw] stopped (${s.endpoint})`);
}

async function main(cmd) {
  switch (cmd) {
    case 'install': {
      const r = await ensureRgw({ log });
      log(`[rgw] ${r.cached ? 'already installed' : 'installed'} in ${r.root} (${r.seconds.toFixed(1)} s)`);
      return;
    }
    case 'start': {
      const s = readState();
      if (s && Object.values(s.pids).every(isRunning)) {
        log(`[rgw] already running at ${s.endpoint}`);
        process.stdout.write(exportsOf(s) + '\n');
        return;
      }
      if (s) await stop();
      const t0 = Date.now();
      const r = await startRgw({ log, detached: true });
      const state = { endpoint: r.endpoint, accessKeyId: r.accessKeyId, secretAccessKey: r.secretAccessKey, region: r.region, pids: r.pids, dir: r.dir, startedAt: new Date().toISOString() };
      fs.mkdirSync(CACHE_DIR, { recursive: true });
      fs.writeFileSync(STATE, JSON.stringify(state, null, 2) + '\n');
      log(`[rgw] started in ${((Date.now() - t0) / 1000).toFixed(1)} s; state in ${STATE}`);
      process.stdout.write(exportsOf(state) + '\n');
      return;
    }
    case 'env': {
      const s = readState();
      if (!s) throw new Error('RGW is not running (no .cache/rgw-state.json); run `node scripts/rgw.mjs start`');
      process.stdout.write(exportsOf(s) + '\n');
      return;
    }
    case 'stop':
      return stop();
    default:
      log('usage: node scripts/rgw.mjs install|start|env|stop');
      process.exitCode = 2;
  }
}

main(process.argv[2]).catch((e) => {
  log(`[rgw] ${e.message}`);
  process.exitCode = 1;
});
