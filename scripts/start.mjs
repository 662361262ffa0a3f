#!/usr/bin/env node
// `npm start`: the extension on a real demo database, in a real VS Code, on this machine.
//
//   1. build the extension and the CLI;
//   2. build a demo store under .demo/ with the REAL SlateDB engine (@slatedb/uniffi): databases
//      `orders` (L0s, sorted runs, GC'd manifest ids, reader and compactor checkpoints) and `events`;
//   3. add named checkpoints with our own engine (the CLI): one for 7 days, one that never expires,
//      and one that expires in 20 minutes ("expiring soon"); then back up two of `orders`' named
//      checkpoints into the backup repository `backups/orders` (the CLI's `backup`; the second reuses);
//   4. start code-server 4.100.3 (VS Code 1.100.3; installed once into .vscode-test/) on 127.0.0.1
//      with the extension installed and a connection to the demo folder, and print its URL.
// Ctrl-C stops code-server (by pid). Flags: --port=N (default: a free port), --rebuild-demo.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureCodeServer, REPO_ROOT, startCodeServer } from './lib/codeServer.mjs';
import { writeDemoPolicy } from './demoPolicy.mjs';

const args = process.argv.slice(2);
const port = Number(args.find((a) => a.startsWith('--port='))?.slice(7)) || undefined;
const demo = path.join(REPO_ROOT, '.demo');
const log = (l) => console.log(`[start] ${l}`);

function run(what, cmd, argv) {
  log(what);
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(r.stdout);
    throw new Error(`${what} failed (exit ${r.status})`);
  }
  return r.stdout;
}

function cli(dbPath, ...command) {
  const out = run(`  slatedb-checkpoints --path ${dbPath} ${command.join(' ')}`, 'node', ['dist/cli.js', '--store', `file://${demo}`, '--path', dbPath, ...command]);
  return JSON.parse(out);
}

run('building the extension and the CLI', 'node', ['esbuild.js']);
const demoArgs = ['--import', 'tsx', 'scripts/make-demo-db.ts', demo];
if (args.includes('--rebuild-demo')) demoArgs.push('--force');
log('building the demo databases with the real SlateDB engine (first run ~20 s)');
const built = spawnSync('node', demoArgs, { stdio: 'inherit', cwd: REPO_ROOT });
if (built.status !== 0) process.exit(built.status ?? 1);

const NAMED = [
  { name: 'before-migration', lifetime: '7days' },
  { name: 'release-1.4', lifetime: null },
  { name: 'expiring-soon', lifetime: '20min' },
];
for (const db of ['orders', 'events']) {
  for (const { name, lifetime } of NAMED) {
    const existing = cli(db, 'list-checkpoints', '--name', name);
    if (existing.length === 0) cli(db, 'create-checkpoint', '--name', name, ...(lifetime ? ['--lifetime', lifetime] : []));
    else if (lifetime) cli(db, 'refresh-checkpoint', '--id', existing[0].id, '--lifetime', lifetime);
  }
}

// A backup repository next to the databases (`backups/orders`, an ordinary database root): one backup of
// `release-1.4` and one of `before-migration`; the second copies only what the first did not hold. Backing
// up a checkpoint the repository already holds writes nothing, so this is a no-op on later starts.
for (const name of ['release-1.4', 'before-migration']) {
  const [checkpoint] = cli('orders', 'list-checkpoints', '--name', name);
  const r = cli('orders', 'backup', '--id', checkpoint.id, '--to-store', `file://${demo}`, '--to-path', 'backups/orders');
  log(`  backup of orders ${name}: checkpoint ${r.target.checkpoint_id} in backups/orders (copied ${r.copied.ssts} SSTs, reused ${r.reused.ssts})`);
}

// The workspace's policy file, for Edit Policies / Apply Policy Now (kept when already there).
log(`policy file: ${path.relative(REPO_ROOT, writeDemoPolicy(demo))}`);

await ensureCodeServer({ log });
const scratch = path.join(REPO_ROOT, '.vscode-test', 'start');
fs.rmSync(scratch, { recursive: true, force: true });
const extensionsDir = path.join(scratch, 'extensions');
fs.mkdirSync(extensionsDir, { recursive: true });
const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
fs.symlinkSync(REPO_ROOT, path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`));

const server = await startCodeServer({
  port,
  folder: demo,
  userDataDir: path.join(scratch, 'user-data'),
  extensionsDir,
  settings: {
    'slatedb.connections': [{ id: 'demo', name: 'SlateDB demo (.demo)', kind: 'local', folder: demo }],
    'slatedb.demoFolder': demo,
    'workbench.startupEditor': 'none',
  },
  log,
});
const url = `${server.url}/?folder=${encodeURIComponent(demo)}`;
console.log(`\n  SlateDB Checkpoint Explorer is running in VS Code ${'(code-server 4.100.3)'}:\n\n    ${url}\n\n  Open it in a browser, then click the SlateDB icon in the activity bar.`);
console.log(`  The CLI works on the same data:  node dist/cli.js --store file://${demo} --path orders list-checkpoints`);
console.log('  Ctrl-C stops the server.\n');

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
setInterval(() => {}, 1 << 30);
