#!/usr/bin/env node
// Entry point of every npm script that must work on a fresh clone (`npm start`, `npm test`,
// `npm run bench`, `npm run package`): installs dependencies when needed (only Node built-ins
// here), then hands over to the real script.
//
//   node scripts/bootstrap.mjs <test|start|bench|package|test:electron> [args...]
//
// "Needed" = node_modules is missing or was installed from a different package-lock.json
// (its hash is kept in node_modules/.bootstrap-lock-hash).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const [task, ...rest] = process.argv.slice(2);

const TASKS = {
  test: ['node', ['scripts/test.mjs', ...rest]],
  start: ['node', ['scripts/start.mjs', ...rest]],
  bench: ['node', ['--import', 'tsx', 'bench/run.ts', ...rest]],
  package: ['node', ['scripts/package.mjs', ...rest]],
  'test:electron': ['node', ['scripts/test-electron.mjs', ...rest]],
};

function ensureDependencies() {
  const lock = fs.readFileSync('package-lock.json');
  const hash = createHash('sha256').update(lock).digest('hex');
  const marker = path.join('node_modules', '.bootstrap-lock-hash');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === hash) return;
  console.log('[bootstrap] installing npm dependencies (npm ci) — first run only, about a minute…');
  const started = Date.now();
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=http'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('[bootstrap] npm ci failed; see the output above.');
    process.exit(r.status ?? 1);
  }
  fs.writeFileSync(marker, hash);
  console.log(`[bootstrap] dependencies installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

if (!TASKS[task]) {
  console.error(`usage: node scripts/bootstrap.mjs <${Object.keys(TASKS).join('|')}> [args...]`);
  process.exit(2);
}
ensureDependencies();
const [cmd, args] = TASKS[task];
const r = spawnSync(cmd, args, { stdio: 'inherit' });
process.exit(r.status ?? (r.signal ? 1 : 0));
