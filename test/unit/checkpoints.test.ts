/**
 * Checkpoint semantics (SlateDB's admin API / CLI, RFC-0004) on in-memory databases: create,
 * refresh, delete and list, and input validation before any request (src/engine/checkpoints.ts).
 */
import * as assert from 'node:assert/strict';
import { createCheckpoint, deleteCheckpoint, listCheckpoints, refreshCheckpoint, validateCheckpointName } from '../../src/engine/checkpoints';
import { EngineError } from '../../src/engine/errors';
import { isUuid } from '../../src/engine/ids';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { checkpointsOf } from '../../src/engine/manifest/model';
import { pinnedSsts } from '../../src/engine/pinned';
import { CountingObjectStore } from '../../src/engine/store/countingStore';
import { FaultInjectingStore } from '../../src/engine/store/faultInjectingStore';
import { MemoryObjectStore } from '../../src/engine/store/memoryStore';
import type { ObjectStore } from '../../src/engine/store/objectStore';
import { HookedStore } from '../support/hookedStore';
import { allKeys, checkpointTable, manifestV1, putManifest } from '../support/manifestKit';

const DB = 'db';
const NOW = new Date('2026-03-01T12:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const ctx = { now: () => NOW, sleep: async () => undefined };
const SRC = '5a5a5a5a-0000-4000-8000-000000000001';
const OTHER = '5a5a5a5a-0000-4000-8000-000000000002';

async function db(o: { latest?: number; initialized?: boolean } = {}): Promise<{ store: MemoryObjectStore; ms: ManifestStore }> {
  const store = new MemoryObjectStore();
  const latest = o.latest ?? 7;
  await putManifest(store, DB, 2, manifestV1());
  await putManifest(
    store,
    DB,
    latest,
    manifestV1({
      initialized: o.initialized ?? true,
      checkpoints: [
        checkpointTable({ id: SRC, manifestId: 2, expire: NOW_S + 50, create: NOW_S - 10, name: 'nightly' }),
        checkpointTable({ id: OTHER, manifestId: latest, name: 'adhoc', writerEpoch: 3 }),
      ],
    }),
  );
  return { store, ms: new ManifestStore(store, DB) };
}

async function manifestIds(store: ObjectStore): Promise<number[]> {
  return (await allKeys(store, `${DB}/manifest/`)).map((k) => Number(/(\d{20})\.manifest$/.exec(k)![1]));
}

function isCode(code: string, message?: RegExp) {
  return (e: unknown) => e instanceof EngineError && e.code === code && (!message || message.test(e.message));
}

describe('checkpoint operations', () => {
  describe('create', () => {
    it('appends {random v4 id, manifest_id N+1, create now, expire now+lifetime, name} and writes manifest N+1', async () => {
      const { store, ms } = await db();
      const created = await createCheckpoint(ms, { lifetimeMs: 90 * 60_000, name: 'before-migration' }, ctx);
      assert.ok(isUuid(created.id));
      assert.match(created.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a random (v4) UUID');
      assert.equal(created.manifestId, 8);
      assert.equal(created.committedManifestId, 8);
      assert.deepEqual(await manifestIds(store), [2, 7, 8]);
      const cps = checkpointsOf((await ms.read(8)).manifest);
      assert.equal(cps.length, 3);
      assert.deepEqual(cps[2], { id: created.id, manifestId: 8, expireTimeS: NOW_S + 5400, createTimeS: NOW_S, name: 'before-migration', writerEpoch: null });
      // Existing checkpoints, the writer's own included, are kept as they were.
      assert.deepEqual(cps.slice(0, 2), checkpointsOf((await ms.read(7)).manifest));
    });

    it('without a lifetime never expires (expire 0) and without a name has none', async () => {
      const { ms } = await db();
      const created = await createCheckpoint(ms, {}, ctx);
      const cp = (await listCheckpoints(ms)).checkpoints.find((c) => c.id === created.id)!;
      assert.equal(cp.expireTimeS, 0);
      assert.equal(cp.name, null);
      assert.equal(cp.createTimeS, NOW_S);
    });

    it('with a source pins the manifest the source pins', async () => {
      const { ms } = await db();
      const created = await createCheckpoint(ms, { sourceId: SRC.toUpperCase() }, ctx);
      assert.equal(created.manifestId, 2);
      const cp = (await listCheckpoints(ms)).checkpoints.find((c) => c.id === created.id)!;
      assert.equal(cp.manifestId, 2);
      assert.equal((await ms.latestId()), 8);
    });

    it('with a missing source fails with CHECKPOINT_NOT_FOUND and writes nothing', async () => {
      const { store, ms } = await db();
      await assert.rejects(createCheckpoint(ms, { sourceId: '00000000-0000-4000-8000-00000000dead' }, ctx), isCode('CHECKPOINT_NOT_FOUND', /checkpoint missing/));
      assert.deepEqual(await manifestIds(store), [2, 7]);
    });

    it('on an uninitialized database without a source fails with DATABASE_NOT_INITIALIZED and writes nothing', async () => {
      const { store, ms } = await db({ initialized: false });
      await assert.rejects(createCheckpoint(ms, { name: 'x' }, ctx), isCode('DATABASE_NOT_INITIALIZED'));
      assert.deepEqual(await manifestIds(store), [2, 7]);
    });

    it('on an uninitialized database with a source succeeds (a clone being set up)', async () => {
      const { ms } = await db({ initialized: false });
      const created = await createCheckpoint(ms, { sourceId: SRC }, ctx);
      assert.equal(created.manifestId, 2);
      assert.equal(created.committedManifestId, 8);
    });

    it('with skipIfNameExists and a checkpoint of that name present, returns it and writes nothing (1 LIST, 1 GET, 1 HEAD of N+1)', async () => {
      const { store } = await db();
      const counting = new CountingObjectStore(store);
      const got = await createCheckpoint(new ManifestStore(counting, DB), { name: 'nightly', lifetimeMs: 60_000, skipIfNameExists: true }, ctx);
      assert.equal(got.skipped, true);
      assert.equal(got.id, SRC);
      assert.equal(got.manifestId, 2);
      assert.equal(got.committedManifestId, undefined);
      assert.deepEqual(got.checkpoint, { id: SRC, manifestId: 2, expireTimeS: NOW_S + 50, createTimeS: NOW_S - 10, name: 'nightly', writerEpoch: null }, 'the existing checkpoint, lifetime untouched');
      assert.deepEqual(counting.counts, { ...counting.counts, list: 1, get: 1, head: 1, put: 0 });
      assert.deepEqual(await manifestIds(store), [2, 7]);
    });

    it('with skipIfNameExists and no checkpoint of that name, creates one as usual (names are matched exactly)', async () => {
      const { store, ms } = await db();
      const got = await createCheckpoint(ms, { name: 'Nightly', skipIfNameExists: true }, ctx);
      assert.equal(got.skipped, false);
      assert.equal(got.committedManifestId, 8);
      assert.deepEqual(got.checkpoint, { id: got.id, manifestId: 8, expireTimeS: 0, createTimeS: NOW_S, name: 'Nightly', writerEpoch: null });
      assert.deepEqual(checkpointsOf((await ms.read(8)).manifest).map((c) => c.name), ['nightly', 'adhoc', 'Nightly']);
      assert.deepEqual(await manifestIds(store), [2, 7, 8]);
    });

    it('with skipIfNameExists, 4 creators that all read the same manifest before any writes create exactly one checkpoint', async () => {
      const { store } = await db();
      const hooked = new HookedStore(store);
      // Hold every create until all four have read manifest 7 (none sees the name) and tried to write 8.
      let waiting = 0;
      let release!: () => void;
      const allThere = new Promise<void>((r) => (release = r));
      let first = true;
      hooked.beforePut = async () => {
        if (!first) return;
        if (++waiting === 4) {
          first = false;
          release();
        }
        await allThere;
      };
      const results = await Promise.all(
        Array.from({ length: 4 }, () => createCheckpoint(new ManifestStore(hooked, DB), { name: 'policy-daily', lifetimeMs: 86_400_000, skipIfNameExists: true }, ctx)),
      );
      assert.equal(results.filter((r) => !r.skipped).length, 1, 'one creator wrote');
      assert.equal(new Set(results.map((r) => r.id)).size, 1, 'every creator returns the one checkpoint');
      assert.deepEqual(await manifestIds(store), [2, 7, 8], 'one manifest written');
      const named = (await listCheckpoints(new ManifestStore(store, DB), { name: 'policy-daily' })).checkpoints;
      assert.deepEqual(named.map((c) => c.id), [results[0].id]);
    });

    it('with skipIfNameExists, 10 creators racing through latency, where every write that lands then times out, leave exactly one checkpoint of the name', async () => {
      const { store } = await db();
      // Only the winning write lands (the others find manifest 8 taken), so it must be the ambiguous one.
      const faulty = new FaultInjectingStore(store, { latencyMs: 1, jitterMs: 4, landedThenTimeoutRate: 1, seed: 7 });
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          createCheckpoint(new ManifestStore(faulty, DB), { name: 'policy-hourly', skipIfNameExists: true }, { ...ctx, maxAttempts: 200, baseDelayMs: 1, maxDelayMs: 10 }),
        ),
      );
      assert.ok(faulty.injected.landedThenTimeout > 0, 'ambiguous writes were injected');
      const named = (await listCheckpoints(new ManifestStore(store, DB), { name: 'policy-hourly' })).checkpoints;
      assert.equal(named.length, 1);
      assert.deepEqual([...new Set(results.map((r) => r.id))], [named[0].id]);
      assert.equal(results.filter((r) => !r.skipped).length, 1);
      assert.deepEqual(await manifestIds(store), [2, 7, 8]);
    });

    it('on a path without manifests fails with DATABASE_NOT_FOUND and writes nothing', async () => {
      const store = new MemoryObjectStore();
      await assert.rejects(createCheckpoint(new ManifestStore(store, 'nothing/here'), {}, ctx), isCode('DATABASE_NOT_FOUND', /nothing\/here/));
      assert.equal(store.size, 0);
    });
  });

  describe('refresh', () => {
    it('sets expire to now + lifetime and keeps every other field', async () => {
      const { ms } = await db();
      const refreshed = await refreshCheckpoint(ms, { id: SRC, lifetimeMs: 3_600_000 }, ctx);
      assert.deepEqual(refreshed, { id: SRC, manifestId: 2, expireTimeS: NOW_S + 3600, createTimeS: NOW_S - 10, name: 'nightly', writerEpoch: null });
      assert.deepEqual((await listCheckpoints(ms)).checkpoints.find((c) => c.id === SRC), refreshed);
      assert.equal(await ms.latestId(), 8);
    });

    it('without a lifetime makes the checkpoint never expire (0)', async () => {
      const { ms } = await db();
      const refreshed = await refreshCheckpoint(ms, { id: SRC }, ctx);
      assert.equal(refreshed.expireTimeS, 0);
      assert.equal((await listCheckpoints(ms)).checkpoints.find((c) => c.id === SRC)!.expireTimeS, 0);
    });

    it('of a missing id fails with CHECKPOINT_NOT_FOUND and writes nothing', async () => {
      const { store, ms } = await db();
      await assert.rejects(refreshCheckpoint(ms, { id: '00000000-0000-4000-8000-00000000dead', lifetimeMs: 60_000 }, ctx), isCode('CHECKPOINT_NOT_FOUND', /00000000-0000-4000-8000-00000000dead/));
      assert.deepEqual(await manifestIds(store), [2, 7]);
    });
  });

  describe('delete', () => {
    it('removes a present checkpoint and only it', async () => {
      const { ms } = await db();
      const res = await deleteCheckpoint(ms, { id: SRC }, ctx);
      assert.deepEqual({ id: res.id, deleted: res.deleted }, { id: SRC, deleted: true });
      assert.equal(res.committedManifestId, 8);
      assert.deepEqual((await listCheckpoints(ms)).checkpoints.map((c) => c.id), [OTHER]);
    });

    it('of an absent id succeeds with deleted:false and writes NO new manifest', async () => {
      const { store, ms } = await db();
      const counting = new CountingObjectStore(store);
      const res = await deleteCheckpoint(new ManifestStore(counting, DB), { id: '00000000-0000-4000-8000-00000000dead' }, ctx);
      assert.equal(res.deleted, false);
      assert.equal(res.committedManifestId, undefined);
      assert.equal(counting.counts.put, 0);
      assert.deepEqual(await manifestIds(store), [2, 7]);
      assert.equal((await listCheckpoints(ms)).checkpoints.length, 2);
    });
  });

  describe('list', () => {
    it('returns the latest manifest\'s checkpoints, filtered by exact name when asked', async () => {
      const { ms } = await db();
      await createCheckpoint(ms, { name: 'nightly' }, ctx);
      const all = await listCheckpoints(ms);
      assert.equal(all.manifestId, 8);
      assert.equal(all.checkpoints.length, 3);
      assert.deepEqual((await listCheckpoints(ms, { name: 'nightly' })).checkpoints.map((c) => c.name), ['nightly', 'nightly']);
      assert.deepEqual((await listCheckpoints(ms, { name: 'Nightly' })).checkpoints, []);
      assert.deepEqual((await listCheckpoints(ms, { name: 'adhoc' })).checkpoints.map((c) => [c.id, c.writerEpoch]), [[OTHER, 3]]);
    });
  });

  describe('input validation happens before any request', () => {
    const bad: Array<[string, (ms: ManifestStore) => Promise<unknown>]> = [
      ['refresh with a malformed UUID', (ms) => refreshCheckpoint(ms, { id: 'not-a-uuid', lifetimeMs: 60_000 }, ctx)],
      ['delete with a malformed UUID', (ms) => deleteCheckpoint(ms, { id: '5a5a5a5a-0000-4000-8000-00000000000' }, ctx)],
      ['create with a malformed source UUID', (ms) => createCheckpoint(ms, { sourceId: 'abc' }, ctx)],
      ['pinned-ssts with a malformed UUID', (ms) => pinnedSsts(ms, '{5a5a5a5a-0000-4000-8000-000000000001}')],
      ['create with a lifetime under a second', (ms) => createCheckpoint(ms, { lifetimeMs: 500 }, ctx)],
      ['create with a NaN lifetime', (ms) => createCheckpoint(ms, { lifetimeMs: Number.NaN }, ctx)],
      ['create with a lifetime past 2106', (ms) => createCheckpoint(ms, { lifetimeMs: 200 * 365 * 86_400_000 }, ctx)],
      ['refresh with a negative lifetime', (ms) => refreshCheckpoint(ms, { id: SRC, lifetimeMs: -1000 }, ctx)],
      ['create with an empty name', (ms) => createCheckpoint(ms, { name: '' }, ctx)],
      ['create with a control character in the name', (ms) => createCheckpoint(ms, { name: 'a\nb' }, ctx)],
      ['create with skipIfNameExists but no name', (ms) => createCheckpoint(ms, { skipIfNameExists: true }, ctx)],
      ['create with a name of 1025 characters', (ms) => createCheckpoint(ms, { name: 'x'.repeat(1025) }, ctx)],
    ];
    for (const [what, op] of bad) {
      it(`${what} is INVALID_ARGUMENT with 0 requests`, async () => {
        const { store } = await db();
        const counting = new CountingObjectStore(store);
        await assert.rejects(op(new ManifestStore(counting, DB)), isCode('INVALID_ARGUMENT'));
        assert.equal(counting.total, 0);
      });
    }

    it('validateCheckpointName (exported for the extension) is the rule create applies: 1..1024 characters, no control characters', () => {
      assert.equal(validateCheckpointName('before-migration ✓'), 'before-migration ✓');
      assert.equal(validateCheckpointName('x'.repeat(1024)), 'x'.repeat(1024));
      assert.throws(() => validateCheckpointName(''), isCode('INVALID_ARGUMENT', /empty/));
      assert.throws(() => validateCheckpointName('x'.repeat(1025)), isCode('INVALID_ARGUMENT', /1025 characters/));
      assert.throws(() => validateCheckpointName('tab\there'), isCode('INVALID_ARGUMENT', /control characters/));
      assert.throws(() => validateCheckpointName('del\u007f'), isCode('INVALID_ARGUMENT', /control characters/));
    });
  });
});
