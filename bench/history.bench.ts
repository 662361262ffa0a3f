/**
 * Loading a manifest history of 1,000 manifests through a store that takes
 * 20 ms per request (FaultInjectingStore over MemoryObjectStore): bounded
 * parallel reads (the default the panel uses) versus one at a time, and the
 * time to the first screen (the first batch the panel can draw). Goal: the
 * parallel load at least 10x faster.
 *
 * The history is synthetic but shaped like a real one and encoded with our
 * codec: one L0 flush per manifest, a compaction every 25 manifests (L0s
 * merged into a new sorted run), a writer restart every 300, GC gaps, and
 * checkpoints in the latest manifest pinning old manifests.
 *
 *   node --import tsx bench/history.bench.ts      (or through `npm run bench`)
 */

import { DEFAULT_HISTORY_CONCURRENCY, loadHistory } from '../src/engine/history/load';
import { ulidToString } from '../src/engine/ids';
import { ManifestStore } from '../src/engine/manifest/manifestStore';
import { dbKeys } from '../src/engine/paths';
import { CountingObjectStore } from '../src/engine/store/countingStore';
import { FaultInjectingStore } from '../src/engine/store/faultInjectingStore';
import { MemoryObjectStore } from '../src/engine/store/memoryStore';
import type { DecodedTable } from '../src/engine/manifest/flatDecoder';
import { checkpointTable, compactedSst, manifestV1, putManifest, ulidN } from '../test/support/manifestKit';

export interface HistoryRun {
  mode: string;
  concurrency: number;
  totalMs: number;
  /** First batch (the first screen) handed to the caller. */
  firstScreenMs: number;
  /** Listing known (the timeline skeleton). */
  startMs: number;
  gets: number;
  lists: number;
}

export interface HistoryBenchFigures {
  manifests: number;
  latencyMs: number;
  ssts: number;
  runs: HistoryRun[];
  speedup: number;
  goal: string;
  goalMet: boolean;
}

const DB = 'bench';

/** 1,000 manifests present (ids with GC gaps), SST objects under compacted/, 4 checkpoints. */
export async function syntheticHistory(count = 1000): Promise<{ store: MemoryObjectStore; ssts: number; latestId: number }> {
  const store = new MemoryObjectStore('history-bench');
  let next = 1;
  const sstId = () => ulidN(next++);
  let l0: DecodedTable[] = [];
  const runs: Array<{ id: number; ssts: DecodedTable[] }> = [];
  const sizes = new Map<string, number>();
  const ids: number[] = [];
  let id = 0;
  while (ids.length < count) {
    id++;
    // GC deleted some ids: every 9th and a block every 100.
    if (id % 9 === 0 || id % 100 < 3) continue;
    ids.push(id);
  }
  const latestId = ids[ids.length - 1];
  const pinned = [ids[100], ids[400], ids[700], ids[990]];
  let writerEpoch = 1;
  for (const [i, mid] of ids.entries()) {
    const flushed = sstId();
    sizes.set(ulidToString(flushed), 64 * 1024 + ((i * 7919) % 32) * 1024);
    l0 = [compactedSst(flushed, `key-${i}`, `key-${i}~`), ...l0];
    if (i % 25 === 24) {
      const merged = sstId();
      sizes.set(ulidToString(merged), 25 * 64 * 1024);
      runs.unshift({ id: runs.length, ssts: [compactedSst(merged, 'key-', 'key-~')] });
      if (runs.length > 6) runs.pop(); // older runs merged away
      l0 = [];
    }
    if (i % 300 === 299) writerEpoch++;
    const checkpoints =
      mid === latestId
        ? pinned.map((p, k) => checkpointTable({ id: `00000000-0000-4000-8000-00000000000${k}`, manifestId: p, expire: k === 0 ? 0 : 2_000_000_000, name: k === 0 ? 'nightly' : null }))
        : [];
    await putManifest(store, DB, mid, manifestV1({ l0, compacted: runs.map((r) => ({ id: r.id, ssts: r.ssts })), writerEpoch, checkpoints }));
  }
  for (const [ulid, size] of sizes) await store.putIfAbsent(dbKeys.compactedSst(DB, ulid), new Uint8Array(size));
  return { store, ssts: sizes.size, latestId };
}

async function timeLoad(inner: MemoryObjectStore, latencyMs: number, concurrency: number, mode: string): Promise<HistoryRun> {
  const counting = new CountingObjectStore(inner);
  const slow = new FaultInjectingStore(counting, { latencyMs });
  const ms = new ManifestStore(slow, DB);
  const t0 = performance.now();
  let startMs = -1;
  let firstScreenMs = -1;
  const history = await loadHistory(ms, {
    concurrency,
    onStart: () => {
      startMs = performance.now() - t0;
    },
    onBatch: () => {
      if (firstScreenMs < 0) firstScreenMs = performance.now() - t0;
    },
  });
  const totalMs = performance.now() - t0;
  if (history.manifests.length === 0 || history.manifests.some((m) => m.error)) throw new Error('the bench history did not load cleanly');
  return { mode, concurrency, totalMs, firstScreenMs, startMs, gets: counting.counts.get, lists: counting.counts.list };
}

export async function runHistoryBench(options: { manifests?: number; latencyMs?: number; print?: boolean } = {}): Promise<HistoryBenchFigures> {
  const manifests = options.manifests ?? 1000;
  const latencyMs = options.latencyMs ?? 20;
  const { store, ssts } = await syntheticHistory(manifests);
  const runs = [
    await timeLoad(store, latencyMs, DEFAULT_HISTORY_CONCURRENCY, `parallel (default, ${DEFAULT_HISTORY_CONCURRENCY} in flight)`),
    await timeLoad(store, latencyMs, 16, 'parallel (16 in flight)'),
    await timeLoad(store, latencyMs, 1, 'one at a time'),
  ];
  const parallel = runs[0];
  const sequential = runs[runs.length - 1];
  const speedup = sequential.totalMs / parallel.totalMs;
  const figures: HistoryBenchFigures = { manifests, latencyMs, ssts, runs, speedup, goal: 'parallel ≥ 10× faster than one at a time', goalMet: speedup >= 10 };
  if (options.print !== false) {
    console.log(`\nManifest history: ${manifests} manifests (${ssts} SSTs) through a store with ${latencyMs} ms per request`);
    console.table(
      runs.map((r) => ({
        mode: r.mode,
        'total ms': Math.round(r.totalMs),
        'first screen ms': Math.round(r.firstScreenMs),
        'listing ms': Math.round(r.startMs),
        GET: r.gets,
        LIST: r.lists,
      })),
    );
    console.log(`Parallel (default) is ${speedup.toFixed(1)}× faster than one at a time (goal ≥ 10×: ${figures.goalMet ? 'met' : 'NOT met'}); first screen after ${Math.round(parallel.firstScreenMs)} ms\n`);
  }
  return figures;
}

if (require.main === module) {
  runHistoryBench().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
