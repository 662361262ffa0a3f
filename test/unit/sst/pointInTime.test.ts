/**
 * Read-path semantics of scanState / resolveState / objectsOf on synthetic
 * databases (syntheticDb.ts): precedence by seq across WAL, L0 and sorted
 * runs, tombstones, merge operands, max_seq, WAL replay rules, V2 views and
 * visible ranges, segments, clones' external SSTs, range pruning, request
 * counts for a first page, cancellation, and read-only-ness.
 */
import * as assert from 'node:assert/strict';
import { EngineError } from '../../../src/engine/errors';
import type { DecodedTable } from '../../../src/engine/manifest/flatDecoder';
import { ManifestStore } from '../../../src/engine/manifest/manifestStore';
import { prefixRange } from '../../../src/engine/read/keyRange';
import { objectsOf, resolveState, ScanOptions, scanState, StateSource } from '../../../src/engine/read/pointInTime';
import { MemoryObjectStore } from '../../../src/engine/store/memoryStore';
import type { ObjectStore } from '../../../src/engine/store/objectStore';
import { checkpointTable, toV2, ulidN, ulidTable } from '../../support/manifestKit';
import { RecordingStore } from './recordingStore';
import type { BuildRow } from './sstBuilder';
import { addSst, addWal, range, sstKeyOf, v1, writeManifest } from './syntheticDb';

const enc = (s: string) => new Uint8Array(Buffer.from(s));
const text = (b: Uint8Array) => Buffer.from(b).toString();
const CP = '0a0a0a0a-1111-4222-8333-444444444444';

async function scan(store: ObjectStore, state: StateSource, o: ScanOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const r of scanState(store, state, o)) out.push(`${text(r.key)}=${text(r.value)}`);
  return out;
}

async function latest(store: ObjectStore, db = 'db'): Promise<StateSource> {
  return resolveState(new ManifestStore(store, db));
}

const put = (key: string, value: string, seq: number, extra: Partial<BuildRow> = {}): BuildRow => ({ key, value, seq, ...extra });
const del = (key: string, seq: number): BuildRow => ({ key, seq, kind: 'tombstone' });

describe('point-in-time scan', () => {
  it('highest seq wins across WAL, L0 and sorted runs; tombstones hide; TTL rows stay visible', async () => {
    const store = new MemoryObjectStore();
    const sr = await addSst(store, 'db', 1, [put('a', 'a-sr', 1), put('b', 'b-sr', 2), put('c', 'c-sr', 3), put('d', 'd-sr', 4), put('ttl', 'old-but-visible', 5, { expireTs: 1n })]);
    const l0old = await addSst(store, 'db', 2, [put('b', 'b-l0old', 10), del('c', 11)]);
    // seq decides, not source order: this L0 (newer in list order) holds an older version of "a"
    const l0new = await addSst(store, 'db', 3, [put('a', 'a-l0new-but-older', 0), put('b', 'b-l0new', 20), put('b', 'b-l0new-older', 15)]);
    await addWal(store, 'db', 1, [put('d', 'd-in-l0-already', 20)]);
    await addWal(store, 'db', 2, [put('e', 'e-wal', 31), del('b', 32), put('e', 'e-wal-newer', 33)]);
    await writeManifest(store, 'db', 1, v1({ l0: [l0new, l0old], runs: [[sr]], lastL0Seq: 30, replayAfter: 0, lastSeenWal: 2 }));
    const state = await latest(store);
    assert.deepEqual(state.walIds, [1, 2]);
    assert.deepEqual(await scan(store, state), ['a=a-sr', 'd=d-sr', 'e=e-wal-newer', 'ttl=old-but-visible']);
  });

  it('max_seq: rows newer than max(last_l0_seq, last WAL seq) are invisible, as for a DbReader', async () => {
    const store = new MemoryObjectStore();
    const l0 = await addSst(store, 'db', 1, [put('a', 'a-5', 5), put('a', 'a-50', 50), put('b', 'b-60', 60)]);
    await writeManifest(store, 'db', 1, v1({ l0: [l0], lastL0Seq: 40 }));
    assert.deepEqual(await scan(store, await latest(store)), ['a=a-5']);
    await addWal(store, 'db', 1, [put('z', 'z', 55)]);
    assert.deepEqual(await scan(store, await latest(store)), ['a=a-50', 'z=z']);
  });

  it('a key whose newest entry is a merge operand fails naming the key; older operands are fine', async () => {
    const store = new MemoryObjectStore();
    const l0 = await addSst(store, 'db', 1, [put('a', '1', 1), put('k\u0001bin', 'x', 2, { kind: 'merge' }), put('ok', 'v', 9), put('ok', 'op', 3, { kind: 'merge' }), put('zz', 'z', 4)]);
    await writeManifest(store, 'db', 1, v1({ l0: [l0] }));
    const state = await latest(store);
    const seen: string[] = [];
    await assert.rejects(
      async () => {
        for await (const r of scanState(store, state)) seen.push(text(r.key));
      },
      (e: unknown) => e instanceof EngineError && e.code === 'MERGE_OPERATOR_MISSING' && e.message.startsWith('key 0x6b0162696e: its newest entry is a merge operand'),
    );
    assert.deepEqual(seen, ['a']);
    assert.deepEqual(await scan(store, state, { range: { start: enc('ok') } }), ['ok=v', 'zz=z']);
  });

  it('WAL replay: a checkpoint replays its range and stops at a missing file; latest lists every later file, up to a gap', async () => {
    const store = new MemoryObjectStore();
    await addWal(store, 'db', 3, [put('w3', '3', 3)]);
    await addWal(store, 'db', 4, [put('w4', '4', 4)]);
    await store.putIfAbsent('db/wal/00000000000000000005.sst', new Uint8Array(0)); // fence (SlateDB main)
    await addWal(store, 'db', 6, [put('w6', '6', 6)]);
    await addWal(store, 'db', 8, [put('w8', '8', 8)]); // after a gap: not replayed
    await writeManifest(store, 'db', 1, v1({ lastL0Seq: 0, replayAfter: 2, lastSeenWal: 4 }));
    await writeManifest(store, 'db', 2, v1({ lastL0Seq: 0, replayAfter: 2, lastSeenWal: 4, checkpoints: [checkpointTable({ id: CP, manifestId: 1 })] }));
    const ms = new ManifestStore(store, 'db');
    const atCp = await resolveState(ms, CP.toUpperCase());
    assert.equal(atCp.manifestId, 1);
    assert.equal(atCp.checkpointId, CP);
    assert.deepEqual(atCp.walIds, [3, 4]);
    assert.deepEqual(await scan(store, atCp), ['w3=3', 'w4=4']);
    const now = await resolveState(ms);
    assert.equal(now.walIsOpenEnded, true);
    assert.deepEqual(now.walIds, [3, 4, 5, 6]);
    assert.deepEqual(await scan(store, now), ['w3=3', 'w4=4', 'w6=6']);
    // a deleted WAL file in the middle ends the replay quietly (what SlateDB does)
    await store.delete('db/wal/00000000000000000003.sst');
    assert.deepEqual(await scan(store, atCp), []);
    await assert.rejects(resolveState(ms, '0a0a0a0a-1111-4222-8333-555555555555'), (e: unknown) => e instanceof EngineError && e.code === 'CHECKPOINT_NOT_FOUND');
    await assert.rejects(resolveState(ms, 'nope'), (e: unknown) => e instanceof EngineError && e.code === 'INVALID_ARGUMENT');
  });

  it('range, prefix and bounds: SSTs outside the range are never opened, and WAL rows are filtered too', async () => {
    const inner = new MemoryObjectStore();
    const run: DecodedTable[] = [];
    for (let s = 0; s < 10; s++) {
      const rows: BuildRow[] = [];
      for (let i = 0; i < 50; i++) rows.push(put(`k${s}${String(i).padStart(3, '0')}`, `v${s}-${i}`, 100 + s * 50 + i));
      run.push(await addSst(inner, 'db', 10 + s, rows));
    }
    const l0 = await addSst(inner, 'db', 30, [put('k3010', 'l0-wins', 5000), put('x', 'x', 5001)]);
    await addWal(inner, 'db', 1, [put('k3011', 'wal-wins', 6000), put('a-wal', 'a', 6001)]);
    await writeManifest(inner, 'db', 1, v1({ l0: [l0], runs: [run], lastL0Seq: 5001, lastSeenWal: 1 }));
    const store = new RecordingStore(inner);
    const state = await latest(store);
    store.reset();
    const rows = await scan(store, state, { range: prefixRange(enc('k301')) });
    assert.deepEqual(rows.slice(0, 3), ['k3010=l0-wins', 'k3011=wal-wins', 'k3012=v3-12']);
    assert.equal(rows.length, 10);
    const opened = [...store.keysRead()].filter((k) => k.includes('/compacted/'));
    assert.deepEqual(opened.sort(), [sstKeyOf(run[3]), sstKeyOf(l0)].sort(), 'only the SST of the run that overlaps, and the L0 SST (its span [k3010, x] overlaps)');
    const bounded = await scan(inner, state, { range: { start: enc('k9048'), end: enc('x') } });
    assert.deepEqual(bounded, ['k9048=v9-48', 'k9049=v9-49']);
    assert.deepEqual(await scan(inner, state, { range: { start: enc('b'), end: enc('b') } }), []);
  });

  it('V2 views: one SST behind two views with different visible ranges; included/excluded bounds', async () => {
    const store = new MemoryObjectStore();
    const rows: BuildRow[] = ['a', 'b', 'c', 'd', 'e', 'f'].map((k, i) => put(k, `old-${k}`, i + 1));
    const shared = await addSst(store, 'db', 1, rows);
    const newer = await addSst(store, 'db', 2, [put('b', 'new-b', 50), put('e', 'new-e', 51)]);
    // V1 first (visible_range in CompactedSsTable), then the same state as V2 views
    const m = v1({
      l0: [{ ...newer, visible_range: range('c', 2, undefined, 1) }], // hides new-b
      runs: [[{ ...shared, visible_range: range(undefined, 1, 'b', 2) }], [{ ...shared, visible_range: range('d', 3, 'f', 3) }]],
      lastL0Seq: 100,
    });
    await writeManifest(store, 'db', 1, m);
    const want = ['a=old-a', 'b=old-b', 'e=new-e'];
    assert.deepEqual(await scan(store, await latest(store)), want);
    const v2 = toV2(m);
    // give the views their own ids (view id ≠ SST id), as SlateDB allows
    const root = v2.root;
    (root.compacted as DecodedTable[])[0].ssts = [{ id: ulidTable(ulidN(90)), sst_id: shared.id, visible_range: range(undefined, 1, 'b', 2) }];
    (root.compacted as DecodedTable[])[1].ssts = [{ id: ulidTable(ulidN(91)), sst_id: shared.id, visible_range: range('d', 3, 'f', 3) }];
    await writeManifest(store, 'db', 2, v2);
    const state = await latest(store);
    assert.equal(state.manifest.formatVersion, 2);
    assert.deepEqual(await scan(store, state), want);
    assert.equal(objectsOf(state).filter((o) => o.kind === 'sst').length, 2, 'the shared SST is one object');
  });

  it('V2 segments: only the segments are read, each within its prefix', async () => {
    const store = new MemoryObjectStore();
    const segA = await addSst(store, 'db', 1, [put('a/1', 'a1', 1), put('a/2', 'a2', 2)]);
    const segB = await addSst(store, 'db', 2, [put('b/1', 'b1', 3)]);
    const ignored = await addSst(store, 'db', 3, [put('c/1', 'top-level: not read', 4)]);
    const v2 = toV2(v1({ l0: [ignored], runs: [[segA, segB]], lastL0Seq: 10 }));
    const view = (t: DecodedTable) => ({ id: t.id, sst_id: t.id, visible_range: null });
    v2.root.segments = [
      { prefix: enc('a/'), last_compacted_l0_sst_view_id: null, l0: [], compacted: [{ id: 0, ssts: [view(segA)] }] },
      { prefix: enc('b/'), last_compacted_l0_sst_view_id: null, l0: [view(segB)], compacted: [] },
    ];
    await writeManifest(store, 'db', 1, v2);
    const state = await latest(store);
    assert.deepEqual(await scan(store, state), ['a/1=a1', 'a/2=a2', 'b/1=b1']);
    assert.deepEqual(await scan(store, state, { range: prefixRange(enc('b/')) }), ['b/1=b1']);
    assert.equal(objectsOf(state).filter((o) => o.kind === 'sst').length, 3, 'backup/verify still list the top-level SSTs');
  });

  it('clones: external_dbs SSTs are read from the parent’s compacted/', async () => {
    const store = new MemoryObjectStore();
    const parentSst = await addSst(store, 'parent', 1, [put('p', 'from-parent', 1)]);
    const own = await addSst(store, 'clone', 2, [put('q', 'own', 2)]);
    await writeManifest(
      store,
      'clone',
      1,
      v1({
        l0: [own],
        runs: [[parentSst]],
        lastL0Seq: 10,
        extra: { external_dbs: [{ path: 'parent', source_checkpoint_id: { high: 1n, low: 2n }, final_checkpoint_id: null, sst_ids: [parentSst.id] }] },
      }),
    );
    const state = await latest(store, 'clone');
    assert.deepEqual(await scan(store, state), ['p=from-parent', 'q=own']);
    const objects = objectsOf(state);
    assert.deepEqual(
      objects.map((o) => [o.key, o.ownerDbPath]),
      [
        [sstKeyOf(own, 'clone'), 'clone'],
        [sstKeyOf(parentSst, 'parent'), 'parent'],
      ],
    );
  });

  it('a missing SST is DATA_MISSING naming it; a corrupt one DATA_CORRUPT naming it', async () => {
    const store = new MemoryObjectStore();
    const l0 = await addSst(store, 'db', 1, [put('a', 'a', 1)]);
    await writeManifest(store, 'db', 1, v1({ l0: [l0] }));
    const state = await latest(store);
    const key = sstKeyOf(l0);
    const bytes = (await store.get(key))!.bytes.slice();
    bytes[3] ^= 0xff;
    await store.delete(key);
    await assert.rejects(scan(store, state), (e: unknown) => e instanceof EngineError && e.code === 'DATA_MISSING' && e.key === key);
    await store.putIfAbsent(key, bytes);
    await assert.rejects(scan(store, state), (e: unknown) => e instanceof EngineError && e.code === 'DATA_CORRUPT' && e.key === key && e.message.includes('data block 0'));
  });

  it('first page of a 100-SST database: a small constant number of range reads per overlapping source, untouched SSTs never opened', async () => {
    const inner = new MemoryObjectStore();
    const l0: DecodedTable[] = [];
    const runs: DecodedTable[][] = [[], []];
    let n = 0;
    // 2 sorted runs × 45 SSTs of 200 rows, 10 L0 SSTs spread over the keyspace
    for (const run of runs) {
      for (let s = 0; s < 45; s++) {
        const rows: BuildRow[] = [];
        for (let i = 0; i < 200; i++) rows.push(put(`key-${String(s * 200 + i).padStart(6, '0')}`, 'v'.repeat(200), runs.indexOf(run) === 0 ? 2000 + n : 10 + i));
        run.push(await addSst(inner, 'db', ++n, rows));
      }
    }
    for (let s = 0; s < 10; s++) l0.push(await addSst(inner, 'db', ++n, [put(`key-${String(s * 900).padStart(6, '0')}`, 'l0', 90_000 + s), put(`key-${String(s * 900 + 450).padStart(6, '0')}`, 'l0', 90_100 + s)]));
    await writeManifest(inner, 'db', 1, v1({ l0, runs, lastL0Seq: 1_000_000 }));
    const store = new RecordingStore(inner);
    const state = await latest(store);
    store.reset();
    const page: string[] = [];
    for await (const r of scanState(store, state, { range: { start: enc('key-004000') } })) {
      page.push(text(r.key));
      if (page.length === 100) break;
    }
    assert.equal(page[0], 'key-004000');
    const opened = new Set([...store.keysRead()]);
    const reads = store.count('getRange');
    // overlapping: one SST per run + the L0 SSTs whose span covers the start (L0 with last < start skipped)
    assert.ok(opened.size <= 2 + 10, `${opened.size} SSTs opened`);
    assert.ok(reads <= opened.size * 3, `${reads} range reads for ${opened.size} SSTs`);
    assert.equal(store.writes().length, 0);
  });

  it('sources open lazily at their lower bound and concurrently: a first page over 120 L0 SSTs opens only those it reaches, many at once', async () => {
    const inner = new MemoryObjectStore();
    const l0: DecodedTable[] = [];
    // 120 L0 SSTs, each over its own window of 10 keys (SST s: key-s*10 .. key-s*10+9), all overlapping the range start
    for (let s = 0; s < 120; s++) {
      const rows: BuildRow[] = [];
      for (let i = 0; i < 10; i++) rows.push(put(`key-${String(s * 10 + i).padStart(6, '0')}`, `v${s}`, 1 + s * 10 + i));
      l0.push(await addSst(inner, 'db', s + 1, rows));
    }
    await writeManifest(inner, 'db', 1, v1({ l0, lastL0Seq: 10_000 }));
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = new RecordingStore(inner);
    const getRange = slow.getRange.bind(slow);
    slow.getRange = async (key, start, end) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      try {
        return await getRange(key, start, end);
      } finally {
        inFlight--;
      }
    };
    const state = await latest(slow);
    slow.reset();
    const page: string[] = [];
    for await (const r of scanState(slow, state)) {
      page.push(text(r.key));
      if (page.length === 100) break;
    }
    assert.equal(page[99], 'key-000099');
    const opened = new Set([...slow.keysRead()]);
    assert.ok(opened.size <= 11, `${opened.size} of 120 SSTs opened for keys 0..99 (10 per SST)`);
    // a scan that starts where every SST overlaps opens the ones it needs together
    const wide = new RecordingStore(inner);
    const l0Shared: DecodedTable[] = [];
    for (let s = 0; s < 64; s++) l0Shared.push(await addSst(inner, 'wide', s + 1, [put('a', `a${s}`, s + 1), put('z', `z${s}`, 100 + s)]));
    await writeManifest(inner, 'wide', 1, v1({ l0: l0Shared, lastL0Seq: 10_000 }));
    maxInFlight = 0;
    wide.getRange = slow.getRange;
    assert.deepEqual(await scan(wide, await latest(wide, 'wide')), ['a=a63', 'z=z63']);
    assert.ok(maxInFlight >= 16, `first blocks of 64 overlapping SSTs fetched ${maxInFlight} at a time`);
  });

  it('lazy opening never changes the answer: random overlapping L0s and runs with tombstones equal an in-memory model', async () => {
    let seed = 0x5eed;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let trial = 0; trial < 25; trial++) {
      const store = new MemoryObjectStore();
      const model = new Map<string, { seq: number; value: string | null }>();
      let seq = 0;
      const makeRows = (lo: number, hi: number, n: number): BuildRow[] => {
        const keys = new Set<number>();
        for (let i = 0; i < n; i++) keys.add(lo + rnd(Math.max(1, hi - lo)));
        return [...keys].map((k) => {
          const key = `k${String(k).padStart(4, '0')}`;
          const s = ++seq;
          const tomb = rnd(5) === 0;
          const prev = model.get(key);
          if (!prev || prev.seq < s) model.set(key, { seq: s, value: tomb ? null : `v${s}` });
          return tomb ? del(key, s) : put(key, `v${s}`, s);
        });
      };
      let n = 0;
      const run: DecodedTable[] = [];
      for (let s = 0; s < 4; s++) run.push(await addSst(store, 'db', ++n, makeRows(s * 250, s * 250 + 249, 40)));
      const l0: DecodedTable[] = [];
      for (let s = 0; s < 12; s++) {
        const lo = rnd(1000);
        l0.unshift(await addSst(store, 'db', ++n, makeRows(lo, lo + 1 + rnd(300), 1 + rnd(30))));
      }
      await writeManifest(store, 'db', 1, v1({ l0, runs: [run], lastL0Seq: seq }));
      const expected = [...model.entries()].filter(([, v]) => v.value !== null).map(([k, v]) => `${k}=${v.value}`).sort();
      const start = rnd(2) ? `k${String(rnd(1000)).padStart(4, '0')}` : undefined;
      const want = start ? expected.filter((e) => e.split('=')[0] >= start) : expected;
      assert.deepEqual(await scan(store, await latest(store), start ? { range: { start: enc(start) } } : {}), want, `trial ${trial} from ${start ?? 'the start'}`);
    }
  });

  it('never writes, deletes or creates anything (scan, resolve, objectsOf, corrupt data)', async () => {
    const inner = new MemoryObjectStore();
    const l0 = await addSst(inner, 'db', 1, [put('a', 'a', 1), put('m', 'm', 2, { kind: 'merge' })]);
    await addWal(inner, 'db', 1, [put('b', 'b', 3)]);
    await writeManifest(inner, 'db', 1, v1({ l0: [l0], lastL0Seq: 2, lastSeenWal: 1, checkpoints: [checkpointTable({ id: CP, manifestId: 1 })] }));
    const store = new RecordingStore(inner);
    const ms = new ManifestStore(store, 'db');
    for (const state of [await resolveState(ms), await resolveState(ms, CP)]) {
      await assert.rejects(scan(store, state), (e: unknown) => e instanceof EngineError && e.code === 'MERGE_OPERATOR_MISSING');
      assert.deepEqual(await scan(store, state, { range: { end: enc('c') } }), ['a=a', 'b=b']);
      objectsOf(state);
    }
    assert.ok(store.calls.length > 0);
    assert.deepEqual(store.writes(), []);
  });

  it('an aborted signal ends a scan with CANCELLED', async () => {
    const store = new MemoryObjectStore();
    const rows: BuildRow[] = [];
    for (let i = 0; i < 5000; i++) rows.push(put(`k${String(i).padStart(5, '0')}`, 'v', i + 1));
    await writeManifest(store, 'db', 1, v1({ l0: [await addSst(store, 'db', 1, rows)] }));
    const state = await latest(store);
    const ac = new AbortController();
    let n = 0;
    await assert.rejects(
      async () => {
        for await (const _ of scanState(store, state, { signal: ac.signal })) if (++n === 10) ac.abort();
      },
      (e: unknown) => e instanceof EngineError && e.code === 'CANCELLED',
    );
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(scan(store, state, { signal: pre.signal }), (e: unknown) => e instanceof EngineError && e.code === 'CANCELLED');
  });
});
