/**
 * The benchmark databases, written by the REAL engine (`@slatedb/uniffi` 0.12.1) once and cached
 * under .cache/bench/ (git-ignored). A database's cache folder is keyed on this file's source and
 * the engine fixture's, so changing a generator rebuilds it; `SLATEDB_BENCH_CACHE` overrides the
 * location. The cache is read-only for the benches: every checkpoint they need was made at build
 * time (ours: never expire), so the engine's readers open them with `with_checkpoint_id` and write
 * nothing, and backups read them by id.
 *
 *   rows-300k         320,000 keys of ~100-byte values (+ overwrites and deletes): ~317,000 live rows,
 *                     L0 SSTs and sorted runs (compactor on); checkpoint `final`.
 *   first-page-l0     120 L0 SSTs (compactor off), each holding keys spread over the whole key space,
 *                     so every one overlaps the first page; checkpoint `final`.
 *   first-page-runs   a sorted run of ≥ 100 small SSTs (16 KiB max) plus a few L0 SSTs of overwrites
 *                     across the key space; checkpoint `final`.
 *   big-1g            65,536 rows of 16 KiB incompressible values (1 GiB; compactor and GC on);
 *                     checkpoint `full`; then (writer reopened without compactor) 1,024 more rows in
 *                     new L0 SSTs: checkpoint `more` (the incremental backup's source).
 *   mid-128m          the same with 8,192 + 256 rows (128 MiB), for the backups to the test RGW.
 *   policy-template   1,000 rows, and 200 checkpoints `hourly-<stamp>` made by us, one per past hour
 *                     (create times an hour apart), the template the policy bench copies 50 times.
 */

import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCheckpoint } from '../../src/engine/checkpoints';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { shapeOf } from '../../src/engine/manifest/model';
import { objectsOf, resolveState } from '../../src/engine/read/pointInTime';
import { listAll } from '../../src/engine/store/objectStore';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { checkpointName } from '../../src/engine/policy/windows';
import { DEFAULT_STEP_TIMEOUT_MS, EngineTuning, flushMemtable, keyFor, loadSlateDb, openDb, shutdownDb, sleep, utf8, valueFor } from '../../test/fixtures/realEngine/engine';

type Db = import('@slatedb/uniffi').Db;

export interface BenchDb {
  name: string;
  /** Store root (a local directory). */
  root: string;
  storeUrl: string;
  /** Database path inside the root. */
  path: string;
  /** Checkpoint ids by label. */
  checkpoints: Record<string, string>;
  /** Live rows at the last checkpoint (as written). */
  liveRows: number;
  /** Per checkpoint: L0 / sorted runs / SSTs and the bytes of the SSTs + WAL files its state needs. */
  shapes: Record<string, StateShape>;
  buildMs: number;
}

export interface StateShape {
  l0: number;
  sortedRuns: number;
  ssts: number;
  walFiles: number;
  bytes: number;
}

const T = DEFAULT_STEP_TIMEOUT_MS * 4;
const HERE = __dirname;

/** The cache key of a database: its generator's source, the helpers it calls, the engine fixture's source. */
function sourceHash(entry: { gen: Generator; params?: unknown }): string {
  const h = createHash('sha256');
  for (const f of [entry.gen, ...HELPERS]) h.update(f.toString());
  h.update(JSON.stringify(entry.params ?? null));
  h.update(fs.readFileSync(path.join(HERE, '..', '..', 'test', 'fixtures', 'realEngine', 'engine.ts')));
  return h.digest('hex').slice(0, 12);
}

export function benchCacheDir(): string {
  return process.env.SLATEDB_BENCH_CACHE ?? path.join(HERE, '..', '..', '.cache', 'bench');
}

/** Scratch space for one bench run (removed by the caller). */
export function benchScratch(label: string): string {
  const dir = path.join(benchCacheDir(), 'scratch', `${label}-${process.pid}-${Date.now()}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

async function write(db: Db, fill: (put: (k: Uint8Array, v: Uint8Array) => void, del: (k: Uint8Array) => void) => void): Promise<void> {
  const S = await loadSlateDb();
  const wb = new S.WriteBatch();
  try {
    fill(
      (k, v) => wb.put(k, v),
      (k) => wb.delete(k),
    );
    await withT(db.write(wb), 'writing a batch');
  } finally {
    wb.dispose();
  }
}

function withT<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what}: no answer within ${T} ms`)), T)))]).finally(() => clearTimeout(timer));
}

async function open(root: string, dbPath: string, tuning: EngineTuning): Promise<Db> {
  const { db, store } = await openDb({ storeUrl: pathToFileURL(root).href }, dbPath, tuning, T);
  store.dispose();
  return db;
}

/** The L0 / sorted-run / SST counts and bytes of a checkpoint's state (sizes from one listing). */
export async function stateShape(root: string, dbPath: string, checkpointId: string): Promise<StateShape> {
  const store = new LocalObjectStore(root);
  const ms = new ManifestStore(store, dbPath);
  const state = await resolveState(ms, checkpointId);
  const sizes = new Map((await listAll(store, { prefix: `${dbPath}/` })).objects.map((o) => [o.key, o.size]));
  const objects = objectsOf(state);
  const s = shapeOf(state.manifest);
  return {
    l0: s.l0,
    sortedRuns: s.sortedRuns,
    ssts: objects.filter((o) => o.kind === 'sst').length,
    walFiles: objects.filter((o) => o.kind === 'wal').length,
    bytes: objects.reduce((n, o) => n + (sizes.get(o.key) ?? 0), 0),
  };
}

async function ours(root: string, dbPath: string, name: string, now?: Date): Promise<string> {
  const ms = new ManifestStore(new LocalObjectStore(root), dbPath);
  return (await createCheckpoint(ms, { name }, now ? { now: () => now } : {})).id;
}

async function settle(root: string, dbPath: string, quietMs: number, capMs: number): Promise<void> {
  const sig = () => {
    const dirs = ['manifest', 'compacted'].map((d) => path.join(root, dbPath, d));
    return dirs.map((d) => (fs.existsSync(d) ? fs.readdirSync(d).sort().join(',') : '')).join('|');
  };
  const t0 = Date.now();
  let last = sig();
  let since = Date.now();
  while (Date.now() - t0 < capMs) {
    await sleep(250);
    const now = sig();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}

// ───────────────────────────────────────────────────────────── generators ──

type Built = { checkpoints: Record<string, string>; liveRows: number };
type Generator = (root: string, dbPath: string, log: (s: string) => void) => Promise<Built>;

const ROWS_300K = 320_000;

const rows300k: Generator = async (root, dbPath, log) => {
  const db = await open(root, dbPath, { compaction: true, gc: false, l0SstSizeBytes: 4 * 1024 * 1024, settings: { 'compactor_options.max_sst_size': String(16 * 1024 * 1024) } });
  const batch = 8000;
  try {
    for (let from = 0; from < ROWS_300K; from += batch) {
      await write(db, (put) => {
        for (let i = from; i < from + batch; i++) put(utf8(keyFor(i)), utf8(valueFor(i, 100)));
      });
      if (from % 80_000 === 0) log(`  rows-300k: ${from} rows`);
    }
    // Overwrites (every 10th key) and deletes (every 97th), so versions meet in the merge.
    await write(db, (put, del) => {
      for (let i = 0; i < ROWS_300K; i += 10) put(utf8(keyFor(i)), utf8(valueFor(i + 1, 100)));
      for (let i = 5; i < ROWS_300K; i += 97) del(utf8(keyFor(i)));
    });
    await flushMemtable(db, T);
    await settle(root, dbPath, 1500, 20_000);
  } finally {
    await shutdownDb(db, T, 'rows-300k writer');
  }
  let deleted = 0;
  for (let i = 5; i < ROWS_300K; i += 97) deleted++;
  return { checkpoints: { final: await ours(root, dbPath, 'bench:final') }, liveRows: ROWS_300K - deleted };
};

const FIRST_PAGE_L0S = 120;
const FIRST_PAGE_ROWS_PER_L0 = 250;

const firstPageL0: Generator = async (root, dbPath) => {
  const db = await open(root, dbPath, { compaction: false, gc: false, l0SstSizeBytes: 64 * 1024 * 1024, settings: { l0_max_ssts: '1000' } });
  try {
    for (let f = 0; f < FIRST_PAGE_L0S; f++) {
      // Keys f, f+120, f+240, ...: every L0 spans the whole key space.
      await write(db, (put) => {
        for (let j = 0; j < FIRST_PAGE_ROWS_PER_L0; j++) put(utf8(keyFor(f + FIRST_PAGE_L0S * j)), utf8(valueFor(f + FIRST_PAGE_L0S * j, 100)));
      });
      await flushMemtable(db, T);
    }
  } finally {
    await shutdownDb(db, T, 'first-page-l0 writer');
  }
  return { checkpoints: { final: await ours(root, dbPath, 'bench:final') }, liveRows: FIRST_PAGE_L0S * FIRST_PAGE_ROWS_PER_L0 };
};

const RUN_ROWS = 30_000;

const firstPageRuns: Generator = async (root, dbPath) => {
  const db = await open(root, dbPath, { compaction: true, gc: false, l0SstSizeBytes: 256 * 1024, settings: { 'compactor_options.max_sst_size': '16384' } });
  try {
    for (let from = 0; from < RUN_ROWS; from += 3000) {
      await write(db, (put) => {
        for (let i = from; i < from + 3000; i++) put(utf8(keyFor(i)), utf8(valueFor(i, 100)));
      });
      await flushMemtable(db, T);
    }
    await settle(root, dbPath, 2000, 30_000);
  } finally {
    await shutdownDb(db, T, 'first-page-runs writer');
  }
  // A few L0 SSTs of overwrites across the key space, written without a compactor so they stay L0.
  const db2 = await open(root, dbPath, { compaction: false, gc: false, l0SstSizeBytes: 64 * 1024 * 1024, settings: { l0_max_ssts: '1000' } });
  try {
    for (let f = 0; f < 4; f++) {
      await write(db2, (put) => {
        for (let i = f; i < RUN_ROWS; i += 50) put(utf8(keyFor(i)), utf8(valueFor(i + 7, 100)));
      });
      await flushMemtable(db2, T);
    }
  } finally {
    await shutdownDb(db2, T, 'first-page-runs second writer');
  }
  return { checkpoints: { final: await ours(root, dbPath, 'bench:final') }, liveRows: RUN_ROWS };
};

export const BIG_VALUE_BYTES = 16 * 1024;

/** Incompressible 16 KiB values: a slice of a random pool, headed by the row number. */
function bigValues(): (i: number) => Uint8Array {
  const pool = randomBytes(32 * 1024 * 1024);
  return (i) => {
    const v = new Uint8Array(BIG_VALUE_BYTES);
    const at = (i * 104_729) % (pool.length - BIG_VALUE_BYTES);
    v.set(pool.subarray(at, at + BIG_VALUE_BYTES));
    v.set(utf8(`row-${i}:`));
    return v;
  };
}

/** `rows` rows of 16 KiB incompressible values (compactor + GC on), checkpoint `full`; then `moreRows` new rows in new L0 SSTs (no compactor, no GC), checkpoint `more`. */
function largeValueDb(rows: number, moreRows: number): Generator {
  return async (root, dbPath, log) => {
    const value = bigValues();
    const batch = 512; // 8 MiB per write
    const db = await open(root, dbPath, {
      compaction: true,
      gc: true,
      gcMinAge: '2s',
      gcInterval: '1s',
      l0SstSizeBytes: 64 * 1024 * 1024,
      settings: { 'compactor_options.max_sst_size': String(256 * 1024 * 1024) },
    });
    try {
      for (let from = 0; from < rows; from += batch) {
        await write(db, (put) => {
          for (let i = from; i < Math.min(rows, from + batch); i++) put(utf8(keyFor(i, 'big-')), value(i));
        });
        if (from % 8192 === 0) log(`  ${dbPath}: ${((from * BIG_VALUE_BYTES) / 2 ** 20).toFixed(0)} MiB written`);
      }
      await flushMemtable(db, T);
      await settle(root, dbPath, 3000, 120_000);
    } finally {
      await shutdownDb(db, T, `${dbPath} writer`);
    }
    const full = await ours(root, dbPath, 'bench:full');
    // "A few more writes": new rows in new L0 SSTs (no compactor, no GC: the `full` SSTs stay as they are).
    const db2 = await open(root, dbPath, { compaction: false, gc: false, l0SstSizeBytes: 64 * 1024 * 1024, settings: { l0_max_ssts: '1000' } });
    try {
      for (let from = rows; from < rows + moreRows; from += batch) {
        await write(db2, (put) => {
          for (let i = from; i < Math.min(rows + moreRows, from + batch); i++) put(utf8(keyFor(i, 'big-')), value(i));
        });
        await flushMemtable(db2, T);
      }
    } finally {
      await shutdownDb(db2, T, `${dbPath} second writer`);
    }
    const more = await ours(root, dbPath, 'bench:more');
    return { checkpoints: { full, more }, liveRows: rows + moreRows };
  };
}

export const POLICY_CHECKPOINTS = 200;
export const HOUR_MS = 3_600_000;
/** The policy bench's clock: the template's checkpoints are the 200 hours before it. */
export const POLICY_NOW_MS = Date.parse('2026-12-02T12:30:00Z');

const policyTemplate: Generator = async (root, dbPath) => {
  const db = await open(root, dbPath, { compaction: false, gc: false });
  try {
    await write(db, (put) => {
      for (let i = 0; i < 1000; i++) put(utf8(keyFor(i)), utf8(valueFor(i, 100)));
    });
    await flushMemtable(db, T);
  } finally {
    await shutdownDb(db, T, 'policy-template writer');
  }
  const hourStart = Math.floor(POLICY_NOW_MS / HOUR_MS) * HOUR_MS;
  for (let h = POLICY_CHECKPOINTS; h >= 1; h--) {
    const at = hourStart - h * HOUR_MS;
    await ours(root, dbPath, checkpointName('hourly', at), new Date(at + 60_000));
  }
  return { checkpoints: {}, liveRows: 1000 };
};

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const HELPERS: Function[] = [write, open, ours, settle, bigValues];

/** Each generator with the parameters its closure captured (part of the cache key: a closure's source does not show them). */
const GENERATORS: Record<string, { gen: Generator; params?: unknown }> = {
  'rows-300k': { gen: rows300k },
  'first-page-l0': { gen: firstPageL0 },
  'first-page-runs': { gen: firstPageRuns },
  'big-1g': { gen: largeValueDb(65_536, 1024), params: [65_536, 1024] },
  // The RGW backups: the test RGW's OSD is a 1 GiB memstore, and RGW → RGW doubles what is stored.
  'mid-128m': { gen: largeValueDb(8192, 256), params: [8192, 256] },
  'policy-template': { gen: policyTemplate },
};

export type BenchDbName = keyof typeof GENERATORS;

const INDEX = 'bench-db.json';

/** The database `name`, built on first use (real engine), then read from the cache. */
export async function benchDb(name: BenchDbName, log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<BenchDb> {
  const entry = GENERATORS[name];
  if (!entry) throw new Error(`no bench database "${name}"`);
  const parent = benchCacheDir();
  const dir = path.join(parent, `${name}-${sourceHash(entry)}`);
  const indexFile = path.join(dir, INDEX);
  if (!fs.existsSync(indexFile)) {
    fs.mkdirSync(parent, { recursive: true });
    for (const old of fs.readdirSync(parent).filter((d) => d.startsWith(`${name}-`) && d !== path.basename(dir))) {
      fs.rmSync(path.join(parent, old), { recursive: true, force: true }); // an older generator's build
    }
    const staging = path.join(parent, `.staging-${name}-${process.pid}`);
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    log(`building bench database ${name} with the real engine (once; cached in ${path.relative(process.cwd(), dir)})`);
    const t0 = Date.now();
    const built = await entry.gen(staging, name, log);
    const shapes: Record<string, StateShape> = {};
    for (const [label, id] of Object.entries(built.checkpoints)) shapes[label] = await stateShape(staging, name, id);
    const index: Omit<BenchDb, 'root' | 'storeUrl'> = { name, path: name, checkpoints: built.checkpoints, liveRows: built.liveRows, shapes, buildMs: Date.now() - t0 };
    fs.writeFileSync(path.join(staging, INDEX), JSON.stringify(index, null, 2));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
    log(`  ${name} built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as Omit<BenchDb, 'root' | 'storeUrl'>;
  return { ...index, root: dir, storeUrl: pathToFileURL(dir).href };
}

/** Size in bytes of everything under a directory. */
export function dirBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return n;
}

if (require.main === module) {
  (async () => {
    for (const name of process.argv.slice(2)) {
      const db = await benchDb(name as BenchDbName);
      console.log(JSON.stringify({ ...db, dirBytes: dirBytes(path.join(db.root, db.path)) }, null, 2));
    }
  })().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
