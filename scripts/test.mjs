#!/usr/bin/env node
// `npm test`: every test, in order, with the servers they need.
//
//   1. build (esbuild) and typecheck (tsc)
//   2. install flatc (apt) if missing; start a throwaway Ceph RGW (S3) on 127.0.0.1 — installed into .cache/ on first use
//   3. mocha: unit, store conformance (local, memory, S3 on RGW), real-SlateDB compatibility, CLI
//   4. the extension's integration suite inside a real VS Code extension host (code-server 4.100.3)
//   5. browser tests: headless Debian Chromium driving that workbench (playwright-core)
//   6. stop RGW by pid
//
// Flags: --only=<build|mocha|host|e2e>[,...] to run some stages; --no-s3 to skip starting RGW
// (the S3 tests then start their own). Exits non-zero if any stage fails.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { startRgw } from './lib/rgw.mjs';

const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const wants = (stage) => !only || only.includes(stage);
const results = [];

function stage(name, cmd, argv, env = process.env) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const r = spawnSync(cmd, argv, { stdio: 'inherit', env });
  const ok = r.status === 0;
  results.push({ name, ok, seconds: Math.round((Date.now() - started) / 1000) });
  return ok;
}

let rgw;
const stopRgw = async () => {
  if (rgw) {
    const r = rgw;
    rgw = undefined;
    await r.stop();
  }
};
process.on('SIGINT', () => void stopRgw().finally(() => process.exit(130)));
process.on('SIGTERM', () => void stopRgw().finally(() => process.exit(143)));

try {
  if (wants('build')) {
    stage('build', 'node', ['esbuild.js']);
    stage('typecheck', 'npx', ['tsc', '-p', '.', '--noEmit']);
  } else if (!fs.existsSync('dist/cli.js')) {
    stage('build', 'node', ['esbuild.js']);
  }

  // flatc (Debian flatbuffers-compiler) is the independent decoder the codec tests compare against.
  if (wants('mocha') && spawnSync('flatc', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.log('\n=== installing flatc (apt: flatbuffers-compiler) ===');
    let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'flatbuffers-compiler'], { stdio: 'inherit' });
    if (r.status !== 0) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit' });
      r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'flatbuffers-compiler'], { stdio: 'inherit' });
    }
    results.push({ name: 'install flatc', ok: r.status === 0, seconds: 0 });
  }

  const env = { ...process.env };
  if ((wants('mocha') || wants('host')) && !args.includes('--no-s3') && !env.SLATEDB_TEST_S3_ENDPOINT) {
    console.log('\n=== starting Ceph RGW (S3) on 127.0.0.1 ===');
    rgw = await startRgw({ log: (l) => console.log(l) });
    Object.assign(env, {
      SLATEDB_TEST_S3_ENDPOINT: rgw.endpoint,
      SLATEDB_TEST_S3_ACCESS_KEY: rgw.accessKeyId,
      SLATEDB_TEST_S3_SECRET_KEY: rgw.secretAccessKey,
      SLATEDB_TEST_S3_REGION: rgw.region,
    });
  }

  if (wants('mocha')) stage('mocha: unit, stores, real-SlateDB compatibility, CLI', 'npx', ['mocha'], env);
  if (wants('host')) stage('integration suite inside VS Code (code-server)', 'node', ['scripts/run-host-tests.mjs', '--no-build'], env);
  if (wants('e2e')) {
    const files = fs.existsSync('test/e2e') ? fs.readdirSync('test/e2e').filter((f) => f.endsWith('.e2e.ts')).sort() : [];
    for (const f of files) stage(`browser: ${f}`, 'node', ['--import', 'tsx', `test/e2e/${f}`], env);
  }
} finally {
  await stopRgw();
}

console.log('\n=== summary ===');
for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name} (${r.seconds} s)`);
const failed = results.filter((r) => !r.ok);
console.log(failed.length ? `\n${failed.length} stage(s) failed` : '\nall stages passed');
process.exit(failed.length ? 1 : 0);
