/**
 * The manifest commit (src/engine/manifest/manifestCommit.ts, on the generic loop of src/engine/cas.ts): SlateDB's commit protocol with its
 * failure modes — lost races, requests that time out after landing, the GC boundary (RFC-0026),
 * invariants that refuse to write, manifests we must not rewrite — and what each operation costs
 * in object-store requests.
 */
import * as assert from 'node:assert/strict';
import { commitManifestUpdate } from '../../../src/engine/manifest/manifestCommit';
import { createCheckpoint, deleteCheckpoint, listCheckpoints, refreshCheckpoint } from '../../../src/engine/checkpoints';
import { EngineError } from '../../../src/engine/errors';
import { decodeManifest, encodeManifest } from '../../../src/engine/manifest/codec';
import { ManifestStore } from '../../../src/engine/manifest/manifestStore';
import { checkpointsOf, rawCheckpoints, withCheckpoints } from '../../../src/engine/manifest/model';
import { dbKeys } from '../../../src/engine/paths';
import { CountingObjectStore } from '../../../src/engine/store/countingStore';
import { FaultInjectingStore } from '../../../src/engine/store/faultInjectingStore';
import { MemoryObjectStore } from '../../../src/engine/store/memoryStore';
import type { ObjectStore } from '../../../src/engine/store/objectStore';
import { HookedStore } from '../../support/hookedStore';
import { allKeys, checkpointTable, manifestV1, putManifest, withSchemaCopy } from '../../support/manifestKit';

const noSleep = { sleep: async () => undefined, random: () => 0.5 };
const DB = 'db';

const CP_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const CP_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

async function seeded(id = 3, checkpoints = [checkpointTable({ id: CP_A, manifestId: id, expire: 0 })]): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore();
  await putManifest(store, DB, id, manifestV1({ checkpoints }));
  return store;
}

/** A manifest another writer would commit: the one at `baseId` with one more checkpoint. */
async function competitorManifest(store: ObjectStore, baseId: number, cpId: string): Promise<Uint8Array> {
  const got = await store.get(dbKeys.manifest(DB, baseId));
  const base = decodeManifest(got!.bytes);
  return encodeManifest(withCheckpoints(base, [...rawCheckpoints(base), checkpointTable({ id: cpId, manifestId: baseId + 1 })]));
}

async function manifestIds(store: ObjectStore): Promise<number[]> {
  return (await allKeys(store, `${DB}/manifest/`)).map((k) => Number(/(\d{20})\.manifest$/.exec(k)![1]));
}

async function latestCheckpoints(store: ObjectStore) {
  return (await listCheckpoints(new ManifestStore(store, DB))).checkpoints;
}

describe('manifest CAS commit', () => {
  describe('lost races', () => {
    it('re-reads and retries on the next id when another writer created N+1 between our read and our write', async () => {
      const inner = await seeded(3);
      const store = new HookedStore(inner);
      let raced = false;
      store.beforePut = async (key) => {
        if (raced) return;
        raced = true;
        assert.equal(key, dbKeys.manifest(DB, 4));
        await inner.putIfAbsent(key, await competitorManifest(inner, 3, CP_B));
      };
      const theirs = await competitorManifest(inner, 3, CP_B);
      const created = await createCheckpoint(new ManifestStore(store, DB), { name: 'ours' }, noSleep);
      assert.equal(created.committedManifestId, 5);
      assert.equal(created.manifestId, 5, 'the checkpoint pins the manifest actually written');
      assert.deepEqual(await manifestIds(inner), [3, 4, 5]);
      assert.deepEqual((await inner.get(dbKeys.manifest(DB, 4)))!.bytes, theirs, 'the winner\'s manifest is untouched');
      const cps = await latestCheckpoints(inner);
      assert.deepEqual(cps.map((c) => c.id), [CP_A, CP_B, created.id], 'both checkpoints survive');
    });

    it('gives up after maxAttempts with a retryable COMMIT_CONFLICT and leaves our checkpoint nowhere', async () => {
      const inner = await seeded(3);
      const store = new HookedStore(inner);
      const counting = new CountingObjectStore(store);
      let n = 0;
      store.beforePut = async (key) => {
        const id = Number(/(\d{20})\.manifest$/.exec(key)![1]);
        await inner.putIfAbsent(key, await competitorManifest(inner, id - 1, `cccccccc-0000-4000-8000-${String(++n).padStart(12, '0')}`));
      };
      const sleeps: number[] = [];
      await assert.rejects(
        createCheckpoint(new ManifestStore(counting, DB), { name: 'never' }, { maxAttempts: 4, sleep: async (ms) => void sleeps.push(ms), random: () => 1 }),
        (e: unknown) => e instanceof EngineError && e.code === 'COMMIT_CONFLICT' && e.retryable && /4 attempts/.test(e.message),
      );
      assert.equal(counting.counts.put, 4);
      assert.deepEqual(sleeps, [25, 50, 100], 'exponential backoff between attempts, none after the last');
      assert.deepEqual(await manifestIds(inner), [3, 4, 5, 6, 7]);
      for (const id of [4, 5, 6, 7]) {
        const names = checkpointsOf(decodeManifest((await inner.get(dbKeys.manifest(DB, id)))!.bytes)).map((c) => c.name);
        assert.ok(!names.includes('never'), `manifest ${id} holds our checkpoint`);
      }
    });

    it('lets 12 concurrent clients each create 5 checkpoints through latency and landed-then-timed-out writes: all 60 present exactly once', async function () {
      this.timeout(60_000);
      const memory = await seeded(1, []);
      const faulty = new FaultInjectingStore(memory, { latencyMs: 1, jitterMs: 4, landedThenTimeoutRate: 0.2, seed: 11 });
      const ids = await Promise.all(
        Array.from({ length: 12 }, async () => {
          const ms = new ManifestStore(faulty, DB);
          const mine: string[] = [];
          for (let i = 0; i < 5; i++) mine.push((await createCheckpoint(ms, {}, { maxAttempts: 200, baseDelayMs: 1, maxDelayMs: 20 })).id);
          return mine;
        }),
      );
      assert.ok(faulty.injected.landedThenTimeout > 0, 'ambiguous writes were injected');
      const present = (await latestCheckpoints(memory)).map((c) => c.id);
      assert.equal(present.length, 60);
      assert.deepEqual([...present].sort(), ids.flat().sort());
      const all = await manifestIds(memory);
      assert.deepEqual(all, Array.from({ length: 61 }, (_, i) => i + 1), 'one manifest per create, no gaps, no extra writes');
    });
  });

  describe('writes whose outcome is unknown', () => {
    it('a putIfAbsent that lands and then throws is a success, not a conflict, and no duplicate checkpoint is written', async () => {
      const memory = await seeded(3);
      const faulty = new FaultInjectingStore(memory, { landedThenTimeoutRate: 1 });
      const counting = new CountingObjectStore(faulty);
      const created = await createCheckpoint(new ManifestStore(counting, DB), { name: 'ambiguous' }, noSleep);
      assert.equal(faulty.injected.landedThenTimeout, 1);
      assert.equal(created.committedManifestId, 4);
      assert.equal(counting.counts.put, 1, 'no second write');
      assert.deepEqual(await manifestIds(memory), [3, 4]);
      assert.deepEqual((await latestCheckpoints(memory)).map((c) => c.name), [null, 'ambiguous']);
    });

    it('putIfAbsent answering created:false while the bytes there are ours is a success', async () => {
      const memory = await seeded(3);
      const store = new HookedStore(memory);
      store.put = async (key, bytes) => {
        await memory.putIfAbsent(key, bytes);
        return { created: false };
      };
      const created = await createCheckpoint(new ManifestStore(store, DB), {}, noSleep);
      assert.equal(created.committedManifestId, 4);
      assert.deepEqual(await manifestIds(memory), [3, 4]);
      assert.equal((await latestCheckpoints(memory)).filter((c) => c.id === created.id).length, 1);
    });

    it('a write that failed, then landed late, is recognised on the next attempt and not applied twice', async () => {
      const memory = await seeded(3);
      const store = new HookedStore(memory);
      let pending: [string, Uint8Array] | undefined;
      let first = true;
      store.put = async (key, bytes) => {
        if (first) {
          first = false;
          pending = [key, bytes.slice()];
          throw new EngineError('STORE_ERROR', `put ${key} failed: connection reset`, { retryable: true, key });
        }
        return memory.putIfAbsent(key, bytes);
      };
      // The read-back after the failure finds nothing; the request lands just afterwards.
      const sleep = async () => {
        if (pending) await memory.putIfAbsent(...pending);
        pending = undefined;
      };
      const created = await createCheckpoint(new ManifestStore(store, DB), { name: 'late' }, { sleep, random: () => 0.5 });
      assert.equal(created.committedManifestId, undefined, 'the second attempt found the checkpoint already committed');
      assert.equal(created.manifestId, 4);
      assert.deepEqual(await manifestIds(memory), [3, 4]);
      assert.equal((await latestCheckpoints(memory)).filter((c) => c.name === 'late').length, 1);
    });
  });

  describe('store failures', () => {
    it('a definite refusal (non-retryable error) from putIfAbsent is thrown at once, without a retry', async () => {
      const memory = await seeded(3);
      const store = new HookedStore(memory);
      let puts = 0;
      store.put = async (key) => {
        puts++;
        throw new EngineError('STORE_ERROR', `put ${key} failed: access denied`, { retryable: false, key });
      };
      await assert.rejects(createCheckpoint(new ManifestStore(store, DB), {}, noSleep), (e: unknown) => e instanceof EngineError && /access denied/.test(e.message));
      assert.equal(puts, 1);
      assert.deepEqual(await manifestIds(memory), [3]);
    });

    it('a failed write that cannot be read back is a retryable STORE_ERROR telling the user to refresh, not a success or a conflict', async () => {
      const memory = await seeded(3);
      const store = new HookedStore(memory);
      store.put = async (key) => {
        throw new EngineError('STORE_ERROR', `put ${key} failed: timeout`, { retryable: true, key });
      };
      const realGet = store.get.bind(store);
      let failGets = false;
      store.get = async (key: string) => {
        if (failGets) throw new EngineError('STORE_ERROR', `get ${key} failed: timeout`, { retryable: true, key });
        return realGet(key);
      };
      const original = store.putIfAbsent.bind(store);
      store.putIfAbsent = async (key: string, bytes: Uint8Array) => {
        failGets = true;
        return original(key, bytes);
      };
      await assert.rejects(
        createCheckpoint(new ManifestStore(store, DB), {}, noSleep),
        (e: unknown) => e instanceof EngineError && e.code === 'STORE_ERROR' && e.retryable && /could not be read back/.test(e.message) && /Refresh/.test(e.message),
      );
    });
  });

  describe('GC boundary (RFC-0026)', () => {
    it('a write at or below gc/manifest.boundary is not reported as success, and the retry lands above it', async () => {
      const inner = await seeded(3);
      const store = new HookedStore(inner);
      let stalled = true;
      store.beforePut = async (key) => {
        if (!stalled) return;
        stalled = false;
        // While we stalled: others wrote 4, 5, 6; GC advanced the boundary to 5 and deleted 4.
        for (const id of [4, 5, 6]) await inner.putIfAbsent(dbKeys.manifest(DB, id), await competitorManifest(inner, id - 1, `dddddddd-0000-4000-8000-00000000000${id}`));
        await inner.putIfAbsent(dbKeys.manifestBoundary(DB), new TextEncoder().encode('5\n'));
        await inner.delete(dbKeys.manifest(DB, 4));
        assert.equal(key, dbKeys.manifest(DB, 4), 'our stale write targets the id GC freed');
      };
      const created = await createCheckpoint(new ManifestStore(store, DB), { name: 'after-gc' }, noSleep);
      assert.equal(created.committedManifestId, 7);
      assert.equal(created.manifestId, 7);
      const latest = await latestCheckpoints(inner);
      assert.deepEqual(latest.map((c) => c.name), [null, null, null, null, 'after-gc']);
      assert.ok(latest.some((c) => c.id === 'dddddddd-0000-4000-8000-000000000006'), 'the other writers\' work is kept');
    });

    it('a boundary file that does not hold a number stops the commit with MANIFEST_CORRUPT', async () => {
      const store = await seeded(3);
      await store.putIfAbsent(dbKeys.manifestBoundary(DB), new TextEncoder().encode('garbage'));
      await assert.rejects(createCheckpoint(new ManifestStore(store, DB), {}, noSleep), (e: unknown) => e instanceof EngineError && e.code === 'MANIFEST_CORRUPT');
    });
  });

  describe('invariants checked before every write', () => {
    const cases: Array<[string, (m: ReturnType<typeof manifestV1>) => ReturnType<typeof manifestV1>, RegExp]> = [
      ['changes a non-checkpoint field (writer_epoch)', (m) => ({ ...m, root: { ...m.root, writer_epoch: 99n } }), /writer_epoch changed/],
      ['replaces the L0 list, even with an equal copy', (m) => ({ ...m, root: { ...m.root, l0: [] } }), /l0 changed/],
      ['adds a field', (m) => ({ ...m, root: { ...m.root, extra: 1 } }), /set of fields changed/],
      ['changes the format version', (m) => ({ ...m, formatVersion: 2 }), /format version changed/],
      ['duplicates a checkpoint id', (m) => withCheckpoints(m, [...rawCheckpoints(m), checkpointTable({ id: CP_A, manifestId: 3 })]), /appears twice/],
      ['pins a manifest newer than the one written', (m) => withCheckpoints(m, [...rawCheckpoints(m), checkpointTable({ id: CP_B, manifestId: 5 })]), /outside 1\.\.4/],
      ['pins manifest 0', (m) => withCheckpoints(m, [...rawCheckpoints(m), checkpointTable({ id: CP_B, manifestId: 0 })]), /outside 1\.\.4/],
    ];
    it('checkpoints we did not touch are not judged: a manifest whose existing checkpoint pins a higher id (copied from a parent) still takes a new one', async () => {
      const store = await seeded(3, [checkpointTable({ id: CP_A, manifestId: 40 })]);
      const created = await createCheckpoint(new ManifestStore(store, DB), {}, noSleep);
      assert.equal(created.committedManifestId, 4);
      assert.deepEqual((await latestCheckpoints(store)).map((c) => [c.id, c.manifestId]), [[CP_A, 40], [created.id, 4]]);
      // But a checkpoint we CHANGE must pin an existing manifest.
      await assert.rejects(
        commitManifestUpdate(
          new ManifestStore(store, DB),
          (current) => ({ manifest: withCheckpoints(current.manifest, rawCheckpoints(current.manifest).map((c) => ({ ...c, checkpoint_expire_time_s: 5 }))), result: null }),
          noSleep,
        ),
        (e: unknown) => e instanceof EngineError && e.code === 'INTERNAL' && /pins manifest 40/.test(e.message),
      );
      assert.deepEqual(await manifestIds(store), [3, 4]);
    });

    for (const [what, mutate, message] of cases) {
      it(`a mutation that ${what} throws and writes nothing`, async () => {
        const store = new CountingObjectStore(await seeded(3));
        await assert.rejects(
          commitManifestUpdate(new ManifestStore(store, DB), (current) => ({ manifest: mutate(current.manifest), result: null }), noSleep),
          (e: unknown) => e instanceof EngineError && e.code === 'INTERNAL' && message.test(e.message),
        );
        assert.equal(store.counts.put, 0);
        assert.deepEqual(await manifestIds(store), [3]);
      });
    }
  });

  describe('manifests we must not rewrite', () => {
    it('a manifest with fields from a newer SlateDB gives MANIFEST_READ_ONLY for create, refresh and delete, and nothing is written', async () => {
      const memory = new MemoryObjectStore();
      const m = manifestV1({ checkpoints: [checkpointTable({ id: CP_A, manifestId: 3 })] });
      const bytes = withSchemaCopy({ tables: { ManifestV1: [{ name: 'future', type: { kind: 'string' } }] } }, () => encodeManifest({ ...m, root: { ...m.root, future: 'x' } }));
      await putManifest(memory, DB, 3, bytes);
      const store = new CountingObjectStore(memory);
      const ms = new ManifestStore(store, DB);
      const readOnly = (e: unknown) => e instanceof EngineError && e.code === 'MANIFEST_READ_ONLY' && /newer SlateDB/.test(e.message);
      await assert.rejects(createCheckpoint(ms, {}, noSleep), readOnly);
      await assert.rejects(refreshCheckpoint(ms, { id: CP_A, lifetimeMs: 60_000 }, noSleep), readOnly);
      await assert.rejects(deleteCheckpoint(ms, { id: CP_A }, noSleep), readOnly);
      assert.equal(store.counts.put, 0);
      assert.deepEqual(await manifestIds(memory), [3]);
      // Still listed, flagged read-only.
      const listed = await listCheckpoints(ms);
      assert.deepEqual(listed.checkpoints.map((c) => c.id), [CP_A]);
      assert.match(listed.readOnlyReason ?? '', /slot 16/);
    });

    it('a manifest of an unknown format version gives MANIFEST_UNSUPPORTED_VERSION and nothing is written', async () => {
      const memory = new MemoryObjectStore();
      const body = encodeManifest(manifestV1()).subarray(2);
      await putManifest(memory, DB, 3, new Uint8Array([0, 3, ...body]));
      const store = new CountingObjectStore(memory);
      await assert.rejects(createCheckpoint(new ManifestStore(store, DB), {}, noSleep), (e: unknown) => e instanceof EngineError && e.code === 'MANIFEST_UNSUPPORTED_VERSION');
      assert.equal(store.counts.put, 0);
    });
  });

  describe('request counts', () => {
    type Row = { operation: string; list: number; get: number; head: number; put: number };
    const rows: Row[] = [];

    after(() => {
      console.log('\n      requests per operation (MemoryObjectStore behind CountingObjectStore; 1 manifest page unless stated):');
      console.log(`      ${'operation'.padEnd(58)} LIST  GET HEAD  PUT`);
      for (const r of rows) console.log(`      ${r.operation.padEnd(58)} ${String(r.list).padStart(4)} ${String(r.get).padStart(4)} ${String(r.head).padStart(4)} ${String(r.put).padStart(4)}`);
    });

    async function measure(operation: string, store: CountingObjectStore, fn: () => Promise<unknown>): Promise<Row> {
      store.reset();
      await fn();
      assert.equal(store.counts.delete, 0, `${operation} made DELETE requests`);
      const row = { operation, list: store.counts.list, get: store.counts.get, head: store.counts.head, put: store.counts.put };
      rows.push(row);
      return row;
    }

    it('counts LIST/GET/PUT for create, refresh, delete and list, cold and warm; a warm latest lookup is exactly 1 LIST', async () => {
      const store = new CountingObjectStore(await seeded(3));
      const cold = () => new ManifestStore(store, DB);
      const warm = cold();
      await warm.latestId();

      const c1 = await measure('create-checkpoint (cold)', store, () => createCheckpoint(cold(), { lifetimeMs: 60_000 }, noSleep));
      const c2 = await measure('create-checkpoint (warm)', store, () => createCheckpoint(warm, { lifetimeMs: 60_000 }, noSleep));
      const created = await createCheckpoint(warm, {}, noSleep);
      const r1 = await measure('refresh-checkpoint (cold)', store, () => refreshCheckpoint(cold(), { id: created.id, lifetimeMs: 120_000 }, noSleep));
      const r2 = await measure('refresh-checkpoint (warm)', store, () => refreshCheckpoint(warm, { id: created.id, lifetimeMs: 180_000 }, noSleep));
      const r3 = await measure('refresh-checkpoint, same expiry (warm, no write)', store, () => refreshCheckpoint(warm, { id: CP_A }, noSleep));
      const d1 = await measure('delete-checkpoint (cold)', store, () => deleteCheckpoint(cold(), { id: created.id }, noSleep));
      const d2 = await measure('delete-checkpoint, absent id (warm, no write)', store, () => deleteCheckpoint(warm, { id: created.id }, noSleep));
      const l1 = await measure('list-checkpoints (cold)', store, () => listCheckpoints(cold()));
      const l2 = await measure('list-checkpoints (warm)', store, () => listCheckpoints(warm));
      const latest = await measure('latest manifest id (warm)', store, () => warm.latestId());

      for (const write of [c1, c2, r1, r2, d1]) assert.deepEqual(write, { ...write, list: 1, get: 2, head: 0, put: 1 }, `${write.operation}: 1 LIST, GET latest + GET boundary, 1 PUT`);
      // A decision not to write is checked with one HEAD of N+1 (a listing may lag behind a landed write).
      for (const noWrite of [r3, d2]) assert.deepEqual(noWrite, { ...noWrite, list: 1, get: 1, head: 1, put: 0 }, noWrite.operation);
      for (const read of [l1, l2]) assert.deepEqual(read, { ...read, list: 1, get: 1, head: 0, put: 0 }, read.operation);
      assert.deepEqual(latest, { operation: latest.operation, list: 1, get: 0, head: 0, put: 0 });
    });

    it('a cold latest lookup pages through 2,500 manifests (3 LISTs); the warm one is still exactly 1 LIST', async () => {
      const memory = new MemoryObjectStore();
      const bytes = encodeManifest(manifestV1());
      for (let id = 1; id <= 2500; id++) await memory.putIfAbsent(dbKeys.manifest(DB, id), bytes);
      const store = new CountingObjectStore(memory);
      const ms = new ManifestStore(store, DB);
      let id: number | undefined;
      const cold = await measure('latest manifest id (cold, 2,500 manifests)', store, async () => (id = await ms.latestId()));
      assert.equal(id, 2500);
      assert.equal(cold.list, 3);
      const warm = await measure('latest manifest id (warm, 2,500 manifests)', store, async () => (id = await ms.latestId()));
      assert.equal(id, 2500);
      assert.equal(warm.list, 1);
      await memory.putIfAbsent(dbKeys.manifest(DB, 2501), bytes);
      const moved = await measure('latest manifest id (warm, one new manifest)', store, async () => (id = await ms.latestId()));
      assert.equal(id, 2501);
      assert.equal(moved.list, 1);
      const created = await measure('create-checkpoint (warm, 2,501 manifests)', store, () => createCheckpoint(ms, {}, noSleep));
      assert.deepEqual(created, { ...created, list: 1, get: 2, put: 1 });
    });
  });
});
