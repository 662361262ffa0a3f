/**
 * Backups (issue 12) of a 1 GiB database the REAL engine wrote (bench/support/benchDbs.ts
 * `big-1g`, cached; its checkpoints `full` and `more` = `full` + 1,024 new rows in new L0 SSTs),
 * each backup in its own process (backupChild.ts) for its peak RSS, both stores wrapped to count
 * requests and the bytes that pass through the client:
 *
 *   1. local → local: full backup of `full`, then the incremental backup of `more` into the same
 *      repository: bytes copied vs the bytes of the SSTs `more` has and `full` has not.
 *   2. local → RGW: the same two. Without SLATEDB_TEST_S3_* the bench starts its own RGW with a
 *      4 GiB memstore and backs up `big-1g`; with them (the shared test RGW, a 1 GiB memstore that
 *      blocks every write and delete when full) it backs up `mid-128m` (128 MiB, same shape).
 *   3. RGW → RGW (same endpoint): the RGW repository's backup copied into a second repository:
 *      bytes through the client (goal ≈ 0: server-side CopyObject).
 * The bench's bucket is emptied before and after the RGW runs (a killed run leaves nothing behind
 * for long).
 * Goals: peak RSS < 250 MB; the incremental backup copies only the new SSTs; RGW → RGW ≈ 0 bytes.
 *
 *   node --import tsx bench/backup.bench.ts      (or through `npm run bench`)
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ManifestStore } from '../src/engine/manifest/manifestStore';
import { objectsOf, resolveState } from '../src/engine/read/pointInTime';
import { listAll } from '../src/engine/store/objectStore';
import { LocalObjectStore } from '../src/engine/store/local/localStore';
import { BackupChildFigures, BackupJob, loadBackupEngine, s3FromEnv } from './support/backupChild';
import { benchDb, benchScratch } from './support/benchDbs';
import { runScript } from './support/children';
import { startRgw } from '../scripts/lib/rgw.mjs';
import { BENCH_BUCKET, ensureBucket, removePrefix } from './support/rgw';

const BACKUP_CHILD = 'bench/support/backupChild.ts';

export interface BackupRow {
  run: string;
  checkpoint: string;
  ms: number;
  copiedBytes: number;
  copiedSsts: number;
  copiedWalFiles: number;
  reusedBytes: number;
  mbPerS: number;
  /** Bytes that went through this process: read from either store + written to either store. */
  clientBytes: number;
  /** Of those, bytes read back from the target (checking the copies). */
  targetReadBytes: number;
  serverSideCopies: number;
  sourceRequests: number;
  targetRequests: number;
  maxRssMb: number;
}

export interface BackupBenchFigures {
  database: string;
  stateBytes: number;
  rgwDatabase?: string;
  rgwStateBytes?: number;
  /** SST + WAL bytes that `more` needs and `full` does not have (the incremental backup's ideal). */
  newBytes: number;
  newSsts: number;
  runs: BackupRow[];
  goals: Array<{ goal: string; met: boolean; detail: string }>;
  skipped?: string[];
  note: string;
}

/** Objects of `more`'s state that `full`'s does not have, with their sizes. */
async function newObjects(root: string, dbPath: string, fromId: string, toId: string): Promise<{ ssts: number; bytes: number }> {
  const store = new LocalObjectStore(root);
  const ms = new ManifestStore(store, dbPath);
  const before = new Set(objectsOf(await resolveState(ms, fromId)).map((o) => o.key));
  const sizes = new Map((await listAll(store, { prefix: `${dbPath}/` })).objects.map((o) => [o.key, o.size]));
  const fresh = objectsOf(await resolveState(ms, toId)).filter((o) => !before.has(o.key));
  return { ssts: fresh.filter((o) => o.kind === 'sst').length, bytes: fresh.reduce((n, o) => n + (sizes.get(o.key) ?? 0), 0) };
}

async function backup(run: string, checkpoint: string, job: BackupJob): Promise<{ row: BackupRow; figures: BackupChildFigures }> {
  process.stderr.write(`  backup bench: ${run} ...\n`);
  const { result: f } = await runScript<BackupChildFigures>(BACKUP_CHILD, [JSON.stringify(job)], { timeoutMs: 900_000 });
  const r = f.result;
  const row: BackupRow = {
    run,
    checkpoint,
    ms: f.ms,
    copiedBytes: r.copied.bytes,
    copiedSsts: r.copied.ssts,
    copiedWalFiles: r.copied.wal_files,
    reusedBytes: r.reused.bytes,
    mbPerS: r.copied.bytes / 2 ** 20 / (f.ms / 1000),
    clientBytes: f.source.bytesRead + f.source.bytesWritten + f.target.bytesRead + f.target.bytesWritten,
    targetReadBytes: f.target.bytesRead,
    serverSideCopies: r.server_side_copies,
    sourceRequests: f.source.list + f.source.get + f.source.head + f.source.put + f.source.delete,
    targetRequests: f.target.list + f.target.get + f.target.head + f.target.put + f.target.delete,
    maxRssMb: f.maxRssMb,
  };
  return { row, figures: f };
}

export async function runBackupBench(options: { print?: boolean } = {}): Promise<BackupBenchFigures> {
  loadBackupEngine(); // fails fast (the runner reports it as skipped) while the engine has not landed
  const db = await benchDb('big-1g');
  const { full, more } = db.checkpoints;
  const fresh = await newObjects(db.root, db.path, full, more);
  const source = { url: db.storeUrl, path: db.path };
  const runs: BackupRow[] = [];
  const skipped: string[] = [];
  const scratch = benchScratch('backup');
  let s3 = s3FromEnv();
  // No test RGW named: start one big enough for the 1 GiB database (and the RGW → RGW copy of it).
  const ownRgw = s3 ? undefined : await startRgw({ memstoreBytes: 4 * 2 ** 30 }).catch((e: unknown) => {
    console.error(`bench: could not start an RGW of its own: ${String(e)}`);
    return undefined;
  });
  if (ownRgw) {
    // The backup children find their S3 server in the environment, as with the test RGW.
    Object.assign(process.env, { SLATEDB_TEST_S3_ENDPOINT: ownRgw.endpoint, SLATEDB_TEST_S3_ACCESS_KEY: ownRgw.accessKeyId, SLATEDB_TEST_S3_SECRET_KEY: ownRgw.secretAccessKey, SLATEDB_TEST_S3_REGION: ownRgw.region });
    s3 = s3FromEnv();
  }
  let rgwDb: Awaited<ReturnType<typeof benchDb>> | undefined;
  let rgwFresh: { ssts: number; bytes: number } | undefined;
  const prefix = `run-${process.pid}-${Date.now()}`;
  try {
    // 1. local → local, full then incremental.
    const localRepo = { url: pathToFileURL(path.join(scratch, 'repo')).href, path: 'repo' };
    fs.mkdirSync(path.join(scratch, 'repo'), { recursive: true });
    runs.push((await backup('local → local (full)', 'full', { source, target: localRepo, checkpointId: full })).row);
    runs.push((await backup('local → local (incremental)', 'more', { source, target: localRepo, checkpointId: more })).row);
    runs.push((await backup('local → local (again: nothing new)', 'more', { source, target: localRepo, checkpointId: more })).row);

    // 2. local → RGW, 3. RGW → RGW.
    if (!s3) {
      skipped.push('RGW runs: SLATEDB_TEST_S3_ENDPOINT / _ACCESS_KEY / _SECRET_KEY not set (source /tmp/rgw-env.sh)');
    } else {
      await ensureBucket(s3);
      await removePrefix(s3, ''); // what a killed run left
      rgwDb = ownRgw ? db : await benchDb('mid-128m');
      rgwFresh = await newObjects(rgwDb.root, rgwDb.path, rgwDb.checkpoints.full, rgwDb.checkpoints.more);
      const rgwSource = { url: rgwDb.storeUrl, path: rgwDb.path };
      const rgwRepo = { url: `s3://${BENCH_BUCKET}/${prefix}/a`, path: 'repo' };
      const first = await backup('local → RGW (full)', 'full', { source: rgwSource, target: rgwRepo, checkpointId: rgwDb.checkpoints.full });
      runs.push(first.row);
      const second = await backup('local → RGW (incremental)', 'more', { source: rgwSource, target: rgwRepo, checkpointId: rgwDb.checkpoints.more });
      runs.push(second.row);
      const rgwCopy = { url: `s3://${BENCH_BUCKET}/${prefix}/b`, path: 'repo' };
      runs.push((await backup('RGW → RGW, same endpoint (full)', 'backup of more', { source: rgwRepo, target: rgwCopy, checkpointId: second.figures.result.target.checkpoint_id })).row);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    if (s3) await removePrefix(s3, `${prefix}/`).catch((e: unknown) => skipped.push(`cleanup of s3://${BENCH_BUCKET}/${prefix}: ${String(e)}`));
    await ownRgw?.stop();
  }

  const goals: BackupBenchFigures['goals'] = [];
  const maxRss = Math.max(...runs.map((r) => r.maxRssMb));
  goals.push({ goal: 'peak RSS < 250 MB', met: maxRss < 250, detail: `max ${maxRss.toFixed(0)} MB` });
  for (const r of runs.filter((x) => x.run.includes('(incremental)'))) {
    const ideal = r.run.includes('RGW') ? rgwFresh!.bytes : fresh.bytes;
    goals.push({ goal: `${r.run}: copies only the new SSTs`, met: r.copiedBytes <= ideal, detail: `copied ${r.copiedBytes} bytes, new objects ${ideal} bytes` });
  }
  const again = runs.find((x) => x.run.includes('again'));
  if (again) goals.push({ goal: 'a backup the repository already holds copies nothing', met: again.copiedBytes === 0, detail: `copied ${again.copiedBytes} bytes` });
  const s2s = runs.find((x) => x.run.startsWith('RGW → RGW'));
  if (s2s) goals.push({ goal: 'RGW → RGW: ≈ 0 bytes through the client (server-side copy)', met: s2s.clientBytes <= 0.01 * rgwDb!.shapes.more.bytes, detail: `${s2s.clientBytes} bytes through the client, ${s2s.serverSideCopies} server-side copies` });

  const figures: BackupBenchFigures = {
    database: `${db.path} (${db.shapes.full.ssts} SSTs, ${db.shapes.full.l0} L0 + ${db.shapes.full.sortedRuns} sorted runs)`,
    stateBytes: db.shapes.full.bytes,
    ...(rgwDb ? { rgwDatabase: `${rgwDb.path} (${rgwDb.shapes.full.ssts} SSTs)`, rgwStateBytes: rgwDb.shapes.full.bytes } : {}),
    newBytes: fresh.bytes,
    newSsts: fresh.ssts,
    runs,
    goals,
    ...(skipped.length ? { skipped } : {}),
    note: 'measured on a 2-core machine shared with other jobs; RGW runs on the same machine (no network): expect noise of ±30%',
  };
  if (options.print !== false) printBackup(figures);
  return figures;
}

function printBackup(f: BackupBenchFigures): void {
  console.log(`\nBackup of ${(f.stateBytes / 2 ** 20).toFixed(0)} MiB, ${f.database}; the incremental source adds ${f.newSsts} SSTs (${(f.newBytes / 2 ** 20).toFixed(1)} MiB); each backup in its own process`);
  if (f.rgwDatabase) console.log(`RGW runs: ${(f.rgwStateBytes! / 2 ** 20).toFixed(0)} MiB, ${f.rgwDatabase}`);
  console.table(
    f.runs.map((r) => ({
      run: r.run,
      ms: Math.round(r.ms),
      'copied MiB': +(r.copiedBytes / 2 ** 20).toFixed(1),
      'SSTs+WALs': `${r.copiedSsts}+${r.copiedWalFiles}`,
      'reused MiB': +(r.reusedBytes / 2 ** 20).toFixed(1),
      'MiB/s': Math.round(r.mbPerS),
      'client MiB': +(r.clientBytes / 2 ** 20).toFixed(1),
      'read back MiB': +(r.targetReadBytes / 2 ** 20).toFixed(1),
      'server-side': r.serverSideCopies,
      'src req': r.sourceRequests,
      'dst req': r.targetRequests,
      'peak RSS MB': Math.round(r.maxRssMb),
    })),
  );
  for (const g of f.goals) console.log(`Goal ${g.goal}: ${g.met ? 'met' : 'NOT met'} (${g.detail})`);
  for (const s of f.skipped ?? []) console.log(`skipped: ${s}`);
  console.log(`(${f.note})\n`);
}

if (require.main === module) {
  runBackupBench().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
