/**
 * Manifest history (src/engine/history/{load,diff,cache}.ts, the pin rule of src/engine/pinned.ts): summaries, diffs, GC gaps and what checkpoints pin,
 * streamed in batches with bounded parallel reads. Synthetic databases in memory, and real
 * manifests SlateDB 0.12.1 wrote (test/fixtures/manifests) checked against flatc's JSON.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../../src/engine/errors';
import { HistoryCache } from '../../src/engine/history/cache';
import { diffManifests, gapsOf } from '../../src/engine/history/diff';
import { loadHistory } from '../../src/engine/history/load';
import type { History, HistoryBatch, HistoryStart, ManifestSummary } from '../../src/engine/history/types';
import { ulidToString } from '../../src/engine/ids';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { pinnedSsts, pinsOf } from '../../src/engine/pinned';
import { dbKeys } from '../../src/engine/paths';
import { CountingObjectStore } from '../../src/engine/store/countingStore';
import { MemoryObjectStore } from '../../src/engine/store/memoryStore';
import type { GetResult, ObjectStore } from '../../src/engine/store/objectStore';
import { keyText, parseWebviewMessage, PinnedSstData } from '../../src/shared/messages';
import { niceTicks } from '../../src/webview/history/chart';
import { filterSsts, sortSsts } from '../../src/webview/history/checkpointTables';
import { parseFlatcJson } from '../fixtures/realSlateDb';
import { checkpointTable, compactedSst, manifestV1, putManifest, REPO_ROOT, ulidN } from '../support/manifestKit';

const DB = 'orders';
const CP_OLD = '11111111-0000-4000-8000-000000000001'; // pins manifest 5
const CP_MID = '11111111-0000-4000-8000-000000000002'; // pins manifest 8
const CP_TWIN = '11111111-0000-4000-8000-000000000003'; // pins manifest 8 too
const sst = (n: number) => ulidToString(ulidN(n));
const sizeOf = (n: number) => 1000 * n;

/** Puts an SST object of `sizeOf(n)` bytes under compacted/. */
async function putSst(store: ObjectStore, n: number): Promise<void> {
  await store.putIfAbsent(dbKeys.compactedSst(DB, sst(n)), new Uint8Array(sizeOf(n)));
}

/**
 * Manifests 1..10 with ids 3, 4 and 7 deleted (GC). SST n is L0 from manifest n on; manifest 6
 * compacts SSTs 1,2,5 into sorted run 1 (SST 20), manifest 9 bumps the writer epoch, and the
 * latest (10) holds three checkpoints: CP_OLD → 5, CP_MID and CP_TWIN → 8.
 * SSTs 1 and 2 were deleted by GC (manifests 1, 2 still reference them).
 */
async function syntheticDb(): Promise<{ store: MemoryObjectStore; ms: ManifestStore }> {
  const store = new MemoryObjectStore();
  const l0Upto = (n: number, skip: number[] = []) =>
    Array.from({ length: n }, (_, i) => i + 1)
      .filter((i) => !skip.includes(i))
      .reverse()
      .map((i) => compactedSst(ulidN(i), `key-${i}`, `key-${i}z`));
  const run20 = [{ id: 1, ssts: [compactedSst(ulidN(20), 'a', 'z')] }];
  for (const id of [1, 2]) await putManifest(store, DB, id, manifestV1({ l0: l0Upto(id), writerEpoch: 1 }));
  await putManifest(store, DB, 5, manifestV1({ l0: l0Upto(5), writerEpoch: 1 }));
  await putManifest(store, DB, 6, manifestV1({ l0: l0Upto(6, [1, 2, 5]), compacted: run20, writerEpoch: 1 }));
  await putManifest(store, DB, 8, manifestV1({ l0: l0Upto(8, [1, 2, 5]), compacted: run20, writerEpoch: 1, checkpoints: [checkpointTable({ id: CP_OLD, manifestId: 5, expire: 2_000_000_000 })] }));
  await putManifest(
    store,
    DB,
    9,
    manifestV1({
      l0: l0Upto(9, [1, 2, 5]),
      compacted: run20,
      writerEpoch: 2,
      checkpoints: [checkpointTable({ id: CP_OLD, manifestId: 5, expire: 2_000_000_500 }), checkpointTable({ id: CP_MID, manifestId: 8, name: 'nightly' })],
    }),
  );
  await putManifest(
    store,
    DB,
    10,
    manifestV1({
      // SSTs 3,4 compacted away into the run: only checkpoints keep them now.
      l0: l0Upto(10, [1, 2, 3, 4, 5]),
      compacted: run20,
      writerEpoch: 2,
      checkpoints: [
        checkpointTable({ id: CP_OLD, manifestId: 5, expire: 2_000_000_500 }),
        checkpointTable({ id: CP_MID, manifestId: 8, name: 'nightly' }),
        checkpointTable({ id: CP_TWIN, manifestId: 8, name: '<img src=x onerror=alert(1)>' }),
      ],
    }),
  );
  for (const n of [3, 4, 5, 6, 7, 8, 9, 10, 20]) await putSst(store, n);
  return { store, ms: new ManifestStore(store, DB) };
}

const byId = (h: History, id: number) => h.manifests.find((m) => m.id === id)!;
const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

describe('manifest history', () => {
  it('summarises every manifest on the store, newest first, with sizes from one compacted/ listing', async () => {
    const { ms } = await syntheticDb();
    const h = await loadHistory(ms);
    assert.deepEqual(h.manifests.map((m) => m.id), [10, 9, 8, 6, 5, 2, 1]);
    assert.equal(h.latestId, 10);
    const m10 = byId(h, 10);
    assert.deepEqual(new Set(m10.sstIds), new Set([10, 9, 8, 7, 6, 20].map(sst)));
    assert.equal(m10.l0Count, 5);
    assert.equal(m10.sortedRuns, 1);
    assert.equal(m10.writerEpoch, 2);
    assert.equal(m10.bytesReferenced, sum([10, 9, 8, 7, 6, 20].map(sizeOf)));
    assert.equal(m10.missingSsts, 0);
    assert.equal(m10.checkpoints.length, 3);
    assert.equal(m10.error, null);
    assert.ok(m10.size > 0 && m10.lastModified > 0);
    // Manifest 2 references SSTs 1 and 2, which GC deleted: no size, counted as missing.
    assert.equal(byId(h, 2).missingSsts, 2);
    assert.equal(byId(h, 2).bytesReferenced, 0);
  });

  it('lists the ids GC removed as gaps, newest first', async () => {
    const { ms } = await syntheticDb();
    const h = await loadHistory(ms);
    assert.deepEqual(h.gaps, [
      { fromId: 7, toId: 7 },
      { fromId: 3, toId: 4 },
    ]);
    assert.deepEqual(gapsOf([4, 5, 9]), [
      { fromId: 6, toId: 8 },
      { fromId: 1, toId: 3 },
    ]);
    assert.deepEqual(gapsOf([1, 2, 3]), []);
  });

  it('diffs consecutive existing manifests: SSTs, checkpoints, refreshes and epochs', async () => {
    const { ms } = await syntheticDb();
    const h = await loadHistory(ms);
    assert.deepEqual(h.diffs.map((d) => [d.fromId, d.toId]), [
      [9, 10],
      [8, 9],
      [6, 8],
      [5, 6],
      [2, 5],
      [1, 2],
    ]);
    const d10 = h.diffs[0];
    assert.deepEqual(d10.sstsAdded, [sst(10)]);
    assert.deepEqual(new Set(d10.sstsRemoved), new Set([sst(3), sst(4)]));
    assert.deepEqual(d10.checkpointsAdded, [CP_TWIN]);
    assert.deepEqual(d10.checkpointsRemoved, []);
    assert.equal(d10.writerEpoch, null);
    const d9 = h.diffs[1];
    assert.deepEqual(d9.writerEpoch, { from: 1, to: 2 });
    assert.deepEqual(d9.checkpointsAdded, [CP_MID]);
    assert.deepEqual(d9.checkpointsRefreshed, [CP_OLD]);
    const d6 = h.diffs.find((d) => d.toId === 6)!;
    assert.deepEqual(d6.sstsAdded.sort(), [sst(6), sst(20)].sort());
    assert.deepEqual(d6.sstsRemoved.sort(), [sst(1), sst(2), sst(5)].sort());
    assert.equal(d6.bytesDelta, byId(h, 6).bytesReferenced - byId(h, 5).bytesReferenced);
  });

  it('computes what each checkpoint pins exactly as pinnedSsts does, without reading again', async () => {
    const { ms } = await syntheticDb();
    const h = await loadHistory(ms);
    for (const id of [CP_OLD, CP_MID, CP_TWIN]) {
      const pin = h.pins.find((p) => p.checkpoint.id === id)!;
      const report = await pinnedSsts(ms, id);
      assert.equal(pin.manifestId, report.manifestId);
      assert.equal(pin.totalBytes, report.totalBytes, `total of ${id}`);
      assert.equal(pin.reclaimableBytes, report.reclaimableBytes, `reclaimable of ${id}`);
      assert.deepEqual(
        pin.ssts.map((s) => [s.id, s.level, s.sortedRun, s.sizeBytes, s.exclusive]),
        report.ssts.map((s) => [s.id, s.level, s.sortedRun, s.sizeBytes, s.exclusive]),
      );
      assert.equal(pin.manifestExists, true);
    }
    // CP_OLD pins manifest 5 (L0 1..5): SST 5 is held by nothing else (3, 4 are held by manifest 8's
    // two checkpoints; 1, 2 are gone).
    const old = h.pins.find((p) => p.checkpoint.id === CP_OLD)!;
    assert.equal(old.reclaimableBytes, sizeOf(5));
    assert.equal(old.bytesNotInLatest, sum([3, 4, 5].map(sizeOf)));
    // Two checkpoints pin manifest 8: neither alone frees SSTs 3 and 4.
    assert.equal(h.pins.find((p) => p.checkpoint.id === CP_MID)!.reclaimableBytes, 0);
    assert.equal(h.bytes.latestReferenced, sum([10, 9, 8, 7, 6, 20].map(sizeOf)));
    assert.equal(h.bytes.onlyPinnedByCheckpoints, sum([3, 4, 5].map(sizeOf)));
    assert.equal(h.bytes.pinnedByCheckpoints, sum([3, 4, 5, 6, 7, 8, 20].map(sizeOf)));
    assert.equal(h.bytes.compactedCount, 9);
  });

  it('says so when a checkpoint pins a manifest that no longer exists', async () => {
    const cp = { id: CP_OLD, manifestId: 4, expireTimeS: 0, createTimeS: 1, name: null, writerEpoch: null };
    const { pins } = pinsOf([], [cp], () => undefined, new Map());
    assert.deepEqual(pins[0].ssts, []);
    assert.equal(pins[0].totalBytes, 0);
    // Through a load: manifest 1 is gone (GC), the latest's checkpoint still pins it.
    const store = new MemoryObjectStore();
    await putSst(store, 2);
    await putManifest(store, DB, 2, manifestV1({ l0: [compactedSst(ulidN(2))], checkpoints: [checkpointTable({ id: CP_OLD, manifestId: 1 })] }));
    const h = await loadHistory(new ManifestStore(store, DB));
    assert.equal(h.pins[0].manifestExists, false);
    assert.equal(h.pins[0].manifestError, null);
    assert.deepEqual(h.pins[0].ssts, []);
  });

  it('streams: start first, then a small first batch holding the latest and the pinned manifests, pins exactly once', async () => {
    const { ms } = await syntheticDb();
    const events: Array<['start', HistoryStart] | ['batch', HistoryBatch]> = [];
    const h = await loadHistory(ms, {
      concurrency: 2,
      firstBatchSize: 3,
      batchSize: 2,
      onStart: (s) => events.push(['start', s]),
      onBatch: (b) => events.push(['batch', b]),
    });
    assert.equal(events[0][0], 'start');
    const start = events[0][1] as HistoryStart;
    assert.deepEqual(start.listing.map((l) => l.id), [10, 9, 8, 6, 5, 2, 1]);
    assert.equal(start.checkpoints.length, 3);
    const batches = events.slice(1).map((e) => e[1] as HistoryBatch);
    assert.ok(batches.length >= 3, `only ${batches.length} batches`);
    assert.deepEqual(new Set(batches[0].manifests.map((m) => m.id)), new Set([10, 8, 5]));
    const seen = batches.flatMap((b) => b.manifests.map((m) => m.id));
    assert.deepEqual([...seen].sort((a, b) => b - a), [10, 9, 8, 6, 5, 2, 1], 'every manifest exactly once');
    const diffs = batches.flatMap((b) => b.diffs);
    assert.deepEqual(diffs.map((d) => d.toId).sort((a, b) => b - a), h.diffs.map((d) => d.toId));
    assert.equal(batches.filter((b) => b.pins).length, 1);
    assert.deepEqual(batches.find((b) => b.pins)!.pins, h.pins);
    assert.equal(batches.at(-1)!.loaded, 7);
    // Each diff goes out only once both its manifests have.
    const sentAt = new Map<number, number>();
    batches.forEach((b, i) => b.manifests.forEach((m) => sentAt.set(m.id, i)));
    batches.forEach((b, i) => b.diffs.forEach((d) => assert.ok(sentAt.get(d.fromId)! <= i && sentAt.get(d.toId)! <= i)));
  });

  it('never has more reads in flight than the concurrency asked for, and reads each manifest once', async () => {
    const { store } = await syntheticDb();
    let inFlight = 0;
    let peak = 0;
    const slow: ObjectStore = Object.create(store, {
      get: {
        value: async (key: string): Promise<GetResult | undefined> => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, 5));
          try {
            return await store.get(key);
          } finally {
            inFlight--;
          }
        },
      },
    });
    const counting = new CountingObjectStore(slow);
    await loadHistory(new ManifestStore(counting, DB), { concurrency: 3 });
    assert.ok(peak <= 3, `peak ${peak}`);
    assert.ok(peak >= 2, `peak ${peak}: reads did not overlap`);
    assert.equal(counting.counts.get, 7);
    assert.equal(counting.counts.list, 2, 'one LIST of manifest/ and one of compacted/');
  });

  it('with a cache, a reload reads only the manifests that are new since', async () => {
    const { store } = await syntheticDb();
    const counting = new CountingObjectStore(store);
    const ms = new ManifestStore(counting, DB);
    const cache = new HistoryCache();
    await loadHistory(ms, { cache });
    await putManifest(store, DB, 11, manifestV1({ l0: [compactedSst(ulidN(11))], writerEpoch: 2 }));
    counting.counts.get = 0;
    const h = await loadHistory(ms, { cache });
    assert.equal(counting.counts.get, 1);
    assert.equal(h.stats.read, 1);
    assert.equal(h.stats.fromCache, 7);
    assert.equal(h.latestId, 11);
    assert.deepEqual(h.pins, [], 'manifest 11 has no checkpoints');
    assert.deepEqual(h.diffs[0].checkpointsRemoved.length, 3);
  });

  it('shows a manifest it cannot decode as an error row and one GC deleted mid-load as vanished', async () => {
    const { store } = await syntheticDb();
    await store.putIfAbsent(dbKeys.manifest(DB, 3), new Uint8Array([0, 9, 1, 2, 3]));
    const vanishing: ObjectStore = Object.create(store, {
      get: { value: async (key: string) => (key === dbKeys.manifest(DB, 6) ? undefined : store.get(key)) },
    });
    const h = await loadHistory(new ManifestStore(vanishing, DB));
    const m3 = byId(h, 3);
    assert.match(m3.error!, /format version 9/);
    assert.deepEqual(m3.sstIds, []);
    const m6 = byId(h, 6);
    assert.equal(m6.vanished, true);
    assert.equal(h.manifests.length, 8);
  });

  it('fails with DATABASE_NOT_FOUND when there is no manifest, and stops when aborted', async () => {
    await assert.rejects(loadHistory(new ManifestStore(new MemoryObjectStore(), 'nothing')), (e: unknown) => e instanceof EngineError && e.code === 'DATABASE_NOT_FOUND');
    const { ms } = await syntheticDb();
    const controller = new AbortController();
    const run = loadHistory(ms, { concurrency: 1, firstBatchSize: 1, onBatch: () => controller.abort(), signal: controller.signal });
    await assert.rejects(run, (e: unknown) => e instanceof EngineError && e.code === 'CANCELLED' && /cancelled/.test(e.message));
  });

  it('diffManifests ignores epochs it cannot read (error rows)', () => {
    const base: ManifestSummary = {
      id: 1, lastModified: 0, size: 0, formatVersion: 1, writerEpoch: 1, compactorEpoch: 1, initialized: true, l0Count: 0, sortedRuns: 0,
      sstIds: ['A'], bytesReferenced: 5, missingSsts: 0, checkpoints: [], readOnlyReason: null, error: null, vanished: false,
    };
    const broken = { ...base, id: 2, writerEpoch: null, compactorEpoch: null, sstIds: [], bytesReferenced: 0, error: 'corrupt' };
    const d = diffManifests(base, broken);
    assert.equal(d.writerEpoch, null);
    assert.deepEqual(d.sstsRemoved, ['A']);
  });
});

describe('manifest history of manifests SlateDB wrote', () => {
  const dir = path.join(REPO_ROOT, 'test/fixtures/manifests');
  const oracleSsts = (name: string): string[] => {
    const json = parseFlatcJson(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as {
      l0?: Array<{ id: { high: bigint; low: bigint } }>;
      compacted?: Array<{ ssts: Array<{ id: { high: bigint; low: bigint } }> }>;
    };
    const ids = [...(json.l0 ?? []), ...(json.compacted ?? []).flatMap((r) => r.ssts)].map((s) => ulidToString({ high: BigInt(s.id.high ?? 0), low: BigInt(s.id.low ?? 0) }));
    return ids;
  };

  it('reads sorted runs, L0s and checkpoints as flatc does, and diffs manifest 23 → 25', async () => {
    const store = new MemoryObjectStore();
    // Where they came from: manifests 23 and 25 of one database (README.md).
    await putManifest(store, DB, 23, new Uint8Array(fs.readFileSync(path.join(dir, 'v1-05-l0-and-sorted-runs.manifest'))));
    await putManifest(store, DB, 25, new Uint8Array(fs.readFileSync(path.join(dir, 'v1-06-sorted-runs-checkpoints.manifest'))));
    const s23 = oracleSsts('v1-05-l0-and-sorted-runs');
    const s25 = oracleSsts('v1-06-sorted-runs-checkpoints');
    const all = [...new Set([...s23, ...s25])];
    for (const [i, id] of all.entries()) await store.putIfAbsent(dbKeys.compactedSst(DB, id), new Uint8Array(100 + i));
    const h = await loadHistory(new ManifestStore(store, DB));
    assert.deepEqual(h.manifests.map((m) => m.id), [25, 23]);
    assert.deepEqual(h.gaps, [
      { fromId: 24, toId: 24 },
      { fromId: 1, toId: 22 },
    ]);
    assert.deepEqual(new Set(byId(h, 23).sstIds), new Set(s23));
    assert.deepEqual(new Set(byId(h, 25).sstIds), new Set(s25));
    assert.equal(byId(h, 23).l0Count, 4);
    assert.equal(byId(h, 23).sortedRuns, 2);
    assert.equal(byId(h, 25).sortedRuns, 3);
    assert.equal(byId(h, 25).checkpoints.length, 4);
    const d = h.diffs[0];
    assert.deepEqual(new Set(d.sstsAdded), new Set(s25.filter((x) => !s23.includes(x))));
    assert.deepEqual(new Set(d.sstsRemoved), new Set(s23.filter((x) => !s25.includes(x))));
    assert.equal(h.pins.length, 4);
    // Its checkpoints pin manifests (<= 24) that are not in this store: they protect nothing here.
    for (const pin of h.pins) assert.equal(pin.manifestExists, h.manifests.some((m) => m.id === pin.manifestId));
  });
});

describe('history page helpers (pure)', () => {
  it('keyText shows printable UTF-8 as text and anything else as hex', () => {
    assert.deepEqual(keyText(new Uint8Array(Buffer.from('key-000123'))), { text: 'key-000123', printable: true });
    assert.deepEqual(keyText(new Uint8Array(Buffer.from('ключ'))), { text: 'ключ', printable: true });
    assert.deepEqual(keyText(new Uint8Array([0, 1, 0xff])), { text: '0001ff', printable: false });
    assert.deepEqual(keyText(new Uint8Array([0x61, 0x0a])), { text: '610a', printable: false }, 'a newline is not shown as text');
    assert.deepEqual(keyText(new Uint8Array([0xc3])), { text: 'c3', printable: false }, 'invalid UTF-8');
    assert.equal(keyText(null), null);
  });

  it('parseWebviewMessage accepts only the page messages, with well-formed fields', () => {
    const id = '11111111-0000-4000-8000-000000000001';
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'action/createCheckpoint', extra: 'ignored' }), { type: 'action/createCheckpoint' });
    assert.ok(parseWebviewMessage({ type: 'action/deleteCheckpoint', checkpointId: id }));
    assert.equal(parseWebviewMessage({ type: 'action/deleteCheckpoint', checkpointId: '../x' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'action/deleteCheckpoint' }), undefined);
    assert.equal(parseWebviewMessage({ type: 'action/openManifest', manifestId: -1 }), undefined);
    assert.ok(parseWebviewMessage({ type: 'action/openManifest', manifestId: 7 }));
    assert.ok(parseWebviewMessage({ type: 'selection/changed', checkpointId: null }));
    assert.equal(parseWebviewMessage({ type: 'history/start' }), undefined, 'an extension → page type');
    assert.equal(parseWebviewMessage('ready'), undefined);
    assert.equal(parseWebviewMessage(null), undefined);
  });

  it('the SST table filters by ULID, level or key and sorts by any column', () => {
    const row = (id: string, level: 'l0' | 'sorted_run', run: number | null, key: string, size: number | null, exclusive: boolean): PinnedSstData => ({
      id, level, sortedRun: run, firstKey: { text: key, printable: true }, sizeBytes: size, exclusive, externalDbPath: null,
    });
    const rows = [row('01AAA', 'l0', null, 'k-3', 30, false), row('01BBB', 'sorted_run', 2, 'k-1', 10, true), row('01CCC', 'sorted_run', 1, 'k-2', null, false)];
    assert.deepEqual(filterSsts(rows, 'bbb').map((r) => r.id), ['01BBB']);
    assert.deepEqual(filterSsts(rows, 'sorted run 1').map((r) => r.id), ['01CCC']);
    assert.deepEqual(filterSsts(rows, 'K-3').map((r) => r.id), ['01AAA']);
    assert.deepEqual(filterSsts(rows, '  ').length, 3);
    assert.deepEqual(filterSsts(rows, 'only this').map((r) => r.id), ['01BBB']);
    assert.deepEqual(sortSsts([...rows], 'size', true).map((r) => r.id), ['01AAA', '01BBB', '01CCC'], 'missing sizes last when descending');
    assert.deepEqual(sortSsts([...rows], 'firstKey', false).map((r) => r.id), ['01BBB', '01CCC', '01AAA']);
    assert.deepEqual(sortSsts([...rows], 'level', false).map((r) => r.id), ['01AAA', '01CCC', '01BBB'], 'L0 first, then runs by id');
    assert.deepEqual(sortSsts([...rows], 'exclusive', true)[0].id, '01BBB');
  });

  it('chart ticks are round numbers in the unit the labels use', () => {
    assert.deepEqual(niceTicks(700 * 1024, 4), [0, 200, 400, 600].map((k) => k * 1024));
    assert.deepEqual(niceTicks(90, 4), [0, 25, 50, 75]);
    assert.deepEqual(niceTicks(3 * 1024 * 1024, 3), [0, 1, 2, 3].map((m) => m * 1024 * 1024));
    assert.deepEqual(niceTicks(0, 4), [0]);
  });
});
