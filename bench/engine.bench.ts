/**
 * Engine figures: requests per operation next to the minimum the protocol
 * allows, LIST requests to find the latest manifest (cold / warm), and
 * decode time of a manifest with 10,000 SSTs. Counted through
 * CountingObjectStore over MemoryObjectStore (S3-like 1,000-key pages).
 */

import { createCheckpoint, deleteCheckpoint, listCheckpoints, refreshCheckpoint } from '../src/engine/checkpoints';
import { decodeManifest, encodeManifest } from '../src/engine/manifest/codec';
import { ManifestStore } from '../src/engine/manifest/manifestStore';
import { CountingObjectStore } from '../src/engine/store/countingStore';
import { MemoryObjectStore } from '../src/engine/store/memoryStore';
import { compactedSst, manifestV1, putManifest, ulidN } from '../test/support/manifestKit';

export interface RequestRow {
  operation: string;
  list: number;
  get: number;
  put: number;
  total: number;
  minimum: number;
  why: string;
}

const total = (c: CountingObjectStore) => c.counts.list + c.counts.get + c.counts.head + c.counts.put + c.counts.delete;

export async function requestsPerOperation(): Promise<RequestRow[]> {
  const mem = new MemoryObjectStore();
  const counting = new CountingObjectStore(mem);
  for (let id = 1; id <= 5; id++) await putManifest(mem, 'db', id, manifestV1({ l0: [compactedSst(ulidN(id))] }));
  const rows: RequestRow[] = [];
  const measure = async (operation: string, minimum: number, why: string, warm: boolean, run: (ms: ManifestStore) => Promise<unknown>) => {
    const ms = new ManifestStore(counting, 'db');
    if (warm) await ms.latestId();
    counting.reset();
    await run(ms);
    rows.push({ operation, list: counting.counts.list, get: counting.counts.get, put: counting.counts.put, total: total(counting), minimum, why });
  };
  let id = '';
  await measure('list (cold)', 2, 'LIST manifest/ + GET latest', false, (ms) => listCheckpoints(ms));
  await measure('create (cold)', 4, 'LIST + GET latest + PUT-if-absent N+1 + GET gc boundary (RFC-0026)', false, async (ms) => {
    id = (await createCheckpoint(ms, { lifetimeMs: 3600_000 })).id;
  });
  await measure('create (warm)', 4, 'LIST after last id + GET + PUT + GET boundary', true, (ms) => createCheckpoint(ms, { lifetimeMs: 3600_000 }));
  await measure('refresh (warm)', 4, 'LIST + GET + PUT + GET boundary', true, (ms) => refreshCheckpoint(ms, { id, lifetimeMs: 7200_000 }));
  await measure('delete (warm)', 4, 'LIST + GET + PUT + GET boundary', true, (ms) => deleteCheckpoint(ms, { id }));
  await measure('delete absent (warm)', 3, 'LIST + GET + HEAD N+1 (a lagging listing must not turn into "nothing to do")', true, (ms) => deleteCheckpoint(ms, { id }));
  return rows;
}

export interface LatestLookupRow {
  manifests: number;
  coldLists: number;
  warmLists: number;
}

export async function latestLookupLists(sizes = [10, 1000, 10000]): Promise<LatestLookupRow[]> {
  const rows: LatestLookupRow[] = [];
  const tiny = encodeManifest(manifestV1());
  for (const n of sizes) {
    const mem = new MemoryObjectStore();
    for (let id = 1; id <= n; id++) await putManifest(mem, 'db', id, tiny);
    const counting = new CountingObjectStore(mem);
    const ms = new ManifestStore(counting, 'db');
    await ms.latestId();
    const coldLists = counting.counts.list;
    await putManifest(mem, 'db', n + 1, tiny); // a writer committed meanwhile
    counting.reset();
    const latest = await ms.latestId();
    if (latest !== n + 1) throw new Error(`warm lookup found ${latest}, expected ${n + 1}`);
    rows.push({ manifests: n, coldLists, warmLists: counting.counts.list });
  }
  return rows;
}

export function decodeTime(ssts = 10_000, runs = 20): { ssts: number; bytes: number; medianMs: number; minMs: number } {
  const perRun = 100;
  const compacted = [];
  for (let r = 0; r * perRun < ssts; r++) {
    compacted.push({ id: r, ssts: Array.from({ length: Math.min(perRun, ssts - r * perRun) }, (_, i) => compactedSst(ulidN(r * perRun + i + 1), `key-${r}-${i}-first`, `key-${r}-${i}-last`)) });
  }
  const bytes = encodeManifest(manifestV1({ compacted }));
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t = performance.now();
    decodeManifest(bytes);
    if (i >= 3) times.push(performance.now() - t); // 3 warm-up runs
  }
  times.sort((a, b) => a - b);
  return { ssts, bytes: bytes.length, medianMs: times[Math.floor(times.length / 2)], minMs: times[0] };
}
