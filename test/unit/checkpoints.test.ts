/**
 * Checkpoint semantics (SlateDB's admin API / CLI, RFC-0004) on in-memory databases, plus the
 * pieces they rest on: pinned SSTs, database discovery, lifetimes in humantime syntax and the
 * UUID / ULID ids (checked against SST files the real engine wrote).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { createCheckpoint, deleteCheckpoint, listCheckpoints, refreshCheckpoint, validateCheckpointName } from '../../src/engine/checkpoints';
import { discoverDatabases } from '../../src/engine/discovery';
import { formatDuration, parseDuration } from '../../src/engine/duration';
import { EngineError } from '../../src/engine/errors';
import { isUuid, newCheckpointId, normalizeUuid, parseUuid, ulidToString, uuidToString } from '../../src/engine/ids';
import { decodeManifest } from '../../src/engine/manifest/codec';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { checkpointsOf, sstsOf } from '../../src/engine/manifest/model';
import { pinnedSsts } from '../../src/engine/pinned';
import { dbKeys } from '../../src/engine/paths';
import { CountingObjectStore } from '../../src/engine/store/countingStore';
import { FaultInjectingStore } from '../../src/engine/store/faultyStore';
import { MemoryObjectStore } from '../../src/engine/store/memoryStore';
import type { ObjectStore } from '../../src/engine/store/objectStore';
import { buildDatabase } from '../fixtures/realSlateDb';
import { parseUlid, ulidTime } from '../support/ulid';
import { HookedStore } from '../support/hookedStore';
import { allKeys, checkpointTable, compactedSst, manifestV1, putManifest, ulidN } from '../support/manifestKit';

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

    it('with skipIfNameExists, 10 creators racing through latency and landed-then-timed-out writes leave exactly one checkpoint of the name', async () => {
      const { store } = await db();
      const faulty = new FaultInjectingStore(store, { latencyMs: 1, jitterMs: 4, landedThenTimeoutRate: 0.3, seed: 7 });
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

describe('pinned SSTs of a checkpoint', () => {
  // Manifests 5, 7 and 9 (latest). Checkpoint A pins 5, B pins 7, C pins 9.
  //   5: L0 s1, s2; run 0: s3, s6 (s6 belongs to a clone parent)
  //   7: L0 s2; run 1: s4
  //   9: run 2: s4, s5
  const A = 'a0000000-0000-4000-8000-00000000000a';
  const B = 'b0000000-0000-4000-8000-00000000000b';
  const C = 'c0000000-0000-4000-8000-00000000000c';
  const s = (n: number) => ulidN(n);
  const name = (n: number) => ulidToString(s(n));
  const sizes: Record<number, number> = { 1: 1000, 2: 2000, 3: 4000, 4: 8000, 5: 16000, 6: 32000 };
  const contents: Record<number, { l0: number[]; runs: Array<[number, number[]]> }> = {
    5: { l0: [1, 2], runs: [[0, [3, 6]]] },
    7: { l0: [2], runs: [[1, [4]]] },
    9: { l0: [], runs: [[2, [4, 5]]] },
  };
  const checkpoints = [checkpointTable({ id: A, manifestId: 5 }), checkpointTable({ id: B, manifestId: 7 }), checkpointTable({ id: C, manifestId: 9 })];

  async function setup(): Promise<ManifestStore> {
    const store = new MemoryObjectStore();
    for (const [id, c] of Object.entries(contents)) {
      await putManifest(
        store,
        DB,
        Number(id),
        manifestV1({
          l0: c.l0.map((n) => compactedSst(s(n))),
          compacted: c.runs.map(([rid, ns]) => ({ id: rid, ssts: ns.map((n) => compactedSst(s(n))) })),
          checkpoints,
          extra: Number(id) === 5 ? { external_dbs: [{ path: 'parent', source_checkpoint_id: checkpoints[0].id, final_checkpoint_id: null, sst_ids: [{ high: s(6).high, low: s(6).low }] }] } : {},
        }),
      );
    }
    for (const n of [1, 2, 3, 4, 5]) await store.putIfAbsent(dbKeys.compactedSst(DB, name(n)), new Uint8Array(sizes[n]));
    await store.putIfAbsent(dbKeys.compactedSst('parent', name(6)), new Uint8Array(sizes[6]));
    await store.putIfAbsent(`${DB}/compacted/not-an-sst.txt`, new Uint8Array(5));
    return new ManifestStore(store, DB);
  }

  /**
   * Independent expectation: an SST is exclusive to the checkpoint on `cpManifest` when neither the
   * latest manifest (9) nor the manifest of any OTHER checkpoint lists it, and it is not a parent's.
   */
  function expected(cpManifest: number) {
    const idsOf = (m: number) => [...contents[m].l0, ...contents[m].runs.flatMap(([, ns]) => ns)];
    const otherCheckpointManifests = [5, 7, 9].filter((m) => m !== cpManifest);
    const heldElsewhere = new Set([...idsOf(9), ...otherCheckpointManifests.flatMap(idsOf)]);
    const mine = idsOf(cpManifest);
    const exclusive = mine.map((n) => !heldElsewhere.has(n) && n !== 6);
    return {
      ids: mine.map(name),
      sizes: mine.map((n) => sizes[n]),
      exclusive,
      total: mine.reduce((sum, n) => sum + sizes[n], 0),
      reclaimable: mine.reduce((sum, n, i) => sum + (exclusive[i] ? sizes[n] : 0), 0),
    };
  }

  for (const [cp, manifest] of [[A, 5], [B, 7], [C, 9]] as const) {
    it(`reports sizes, exclusive flags and reclaimable bytes for the checkpoint on manifest ${manifest}`, async () => {
      const ms = await setup();
      const report = await pinnedSsts(ms, cp);
      const want = expected(manifest);
      assert.equal(report.manifestId, manifest);
      assert.equal(report.latestManifestId, 9);
      assert.deepEqual(report.ssts.map((x) => x.id), want.ids);
      assert.deepEqual(report.ssts.map((x) => x.exclusive), want.exclusive);
      assert.deepEqual(report.ssts.map((x) => x.sizeBytes), want.sizes);
      assert.equal(report.totalBytes, want.total);
      assert.equal(report.reclaimableBytes, want.reclaimable);
    });
  }

  it('names levels and owners: on manifest 5, s1 and s3 are exclusive, s2 is also in manifest 7, s6 belongs to the clone parent', async () => {
    const report = await pinnedSsts(await setup(), A);
    assert.deepEqual(
      report.ssts.map((x) => [x.id, x.level, x.sortedRun, x.exclusive, x.externalDbPath]),
      [
        [name(1), 'l0', null, true, null],
        [name(2), 'l0', null, false, null],
        [name(3), 'sorted_run', 0, true, null],
        [name(6), 'sorted_run', 0, false, 'parent'],
      ],
    );
    assert.equal(report.totalBytes, 1000 + 2000 + 4000 + 32000);
    assert.equal(report.reclaimableBytes, 1000 + 4000);
  });

  it('an SST missing from compacted/ has size null and counts 0 bytes', async () => {
    const ms = await setup();
    await ms.store.delete(dbKeys.compactedSst(DB, name(3)));
    const report = await pinnedSsts(ms, A);
    assert.equal(report.ssts.find((x) => x.id === name(3))!.sizeBytes, null);
    assert.equal(report.totalBytes, 1000 + 2000 + 32000);
    assert.equal(report.reclaimableBytes, 1000);
  });

  it('fails with CHECKPOINT_NOT_FOUND for an unknown id and MANIFEST_NOT_FOUND when the pinned manifest is gone', async () => {
    const ms = await setup();
    await assert.rejects(pinnedSsts(ms, '00000000-0000-4000-8000-00000000dead'), isCode('CHECKPOINT_NOT_FOUND'));
    await ms.store.delete(dbKeys.manifest(DB, 7));
    await assert.rejects(pinnedSsts(ms, B), isCode('MANIFEST_NOT_FOUND', /manifest 7/));
  });
});

describe('discoverDatabases', () => {
  it('finds nested databases (and one at the prefix itself), ignores folders that are not databases, never descends into a database', async () => {
    const store = new MemoryObjectStore();
    const manifest = manifestV1();
    await putManifest(store, 'a', 3, manifest);
    await putManifest(store, 'tenants/t1/orders', 12, manifest);
    await putManifest(store, 'tenants/t1/orders', 9, manifest);
    await putManifest(store, 'tenants/t2/deep/er/db', 1, manifest);
    // Not databases: an empty manifest folder, SSTs only, a stray file, a manifest-looking name elsewhere.
    await store.putIfAbsent('empty/manifest/README', new Uint8Array(1));
    await store.putIfAbsent('ssts-only/compacted/01ARZ3NDEKTSV4RRFFQ69G5FAV.sst', new Uint8Array(1));
    await store.putIfAbsent('notes.txt', new Uint8Array(1));
    await store.putIfAbsent('misc/00000000000000000001.manifest', new Uint8Array(1));
    // Inside a database: a database-looking folder under wal/ must not be reported.
    await putManifest(store, 'a/wal/x', 1, manifest);
    await putManifest(store, 'a/inner', 1, manifest);

    const found = await discoverDatabases(store);
    assert.deepEqual(found, [
      { path: 'a', latestManifestId: 3 },
      { path: 'tenants/t1/orders', latestManifestId: 12 },
      { path: 'tenants/t2/deep/er/db', latestManifestId: 1 },
    ]);
    assert.deepEqual(await discoverDatabases(store, '/tenants/'), [
      { path: 'tenants/t1/orders', latestManifestId: 12 },
      { path: 'tenants/t2/deep/er/db', latestManifestId: 1 },
    ]);
    assert.deepEqual(await discoverDatabases(store, 'tenants/t1/orders'), [{ path: 'tenants/t1/orders', latestManifestId: 12 }]);
    assert.deepEqual(await discoverDatabases(store, 'nothing'), []);
  });

  it('finds a database at the store root as path ""', async () => {
    const store = new MemoryObjectStore();
    await putManifest(store, '', 4, manifestV1());
    assert.deepEqual(await discoverDatabases(store), [{ path: '', latestManifestId: 4 }]);
  });

  it('stops at maxDepth: a database 4 folders down is found with maxDepth 4, not 3', async () => {
    const store = new MemoryObjectStore();
    await putManifest(store, 'l1/l2/l3/db', 1, manifestV1());
    assert.deepEqual(await discoverDatabases(store, '', { maxDepth: 3 }), []);
    assert.deepEqual(await discoverDatabases(store, '', { maxDepth: 4 }), [{ path: 'l1/l2/l3/db', latestManifestId: 1 }]);
  });
});

describe('lifetimes (humantime syntax, as SlateDB\'s CLI)', () => {
  const S = 1000;
  const table: Array<[string, number]> = [
    ['1h', 3600 * S],
    ['90s', 90 * S],
    ['7days 30min 10s', (7 * 86400 + 1800 + 10) * S],
    ['2h 37min', 9420 * S],
    ['2h 15m', 8100 * S],
    ['1h30m', 5400 * S],
    ['  45 min  ', 2700 * S],
    ['32ms', 32],
    ['20 min 17 nsec ', 1200 * S],
    ['3000s', 3000 * S],
    ['300sec', 300 * S],
    ['50seconds', 50 * S],
    ['1second', 1 * S],
    ['100m', 6000 * S],
    ['12min', 720 * S],
    ['12mins', 720 * S],
    ['1minute', 60 * S],
    ['7minutes', 420 * S],
    ['2h', 7200 * S],
    ['7hr', 25200 * S],
    ['7hrs', 25200 * S],
    ['1hour', 3600 * S],
    ['24hours', 86400 * S],
    ['1day', 86400 * S],
    ['2days', 172_800 * S],
    ['365d', 31_536_000 * S],
    ['1week', 604_800 * S],
    ['7weeks', 4_233_600 * S],
    ['52w', 31_449_600 * S],
    ['1month', 2_630_016 * S],
    ['3months', 3 * 2_630_016 * S],
    ['12M', 31_560_192 * S],
    ['1year', 31_557_600 * S],
    ['7years', 7 * 31_557_600 * S],
    ['17y', 536_479_200 * S],
    ['31msec', 31],
  ];
  for (const [text, ms] of table) {
    it(`parses ${JSON.stringify(text)} as ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  }

  const errors: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    ['10', /needs a unit/],
    ['-5s', /positive/],
    ['1.5h', /whole numbers/],
    ['5 parsecs', /unknown unit "parsecs"/],
    ['1H', /unknown unit "H"/],
    ['h', /cannot read/],
    ['1h and 2m', /unknown unit "and"|cannot read/],
  ];
  for (const [text, message] of errors) {
    it(`rejects ${JSON.stringify(text)} with INVALID_ARGUMENT quoting the input`, () => {
      assert.throws(() => parseDuration(text), (e: unknown) => e instanceof EngineError && e.code === 'INVALID_ARGUMENT' && message.test(e.message) && e.message.includes(`"${text}"`));
    });
  }

  it('accepts the unit spellings humantime 2.2 (SlateDB 0.12.1\'s CLI) also accepts: nanos, millis, secs', () => {
    assert.equal(parseDuration('300secs'), 300 * S);
    assert.equal(parseDuration('31millis'), 31);
    assert.equal(parseDuration('2000000000nanos'), 2 * S);
  });

  it('accepts any whitespace between parts, as humantime does ("1h\\t30m")', () => {
    assert.equal(parseDuration('1h\t30m'), 5400 * S);
    assert.equal(parseDuration('1h\n30m'), 5400 * S);
  });

  it('formatDuration output parses back to the same whole seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 * 365 * 86400 }), (seconds) => {
        assert.equal(parseDuration(formatDuration(seconds * 1000)), seconds * 1000);
      }),
      { numRuns: 2000, seed: 3 },
    );
  });
});

describe('ids', () => {
  it('UUID {high, low} ↔ text round-trips, high is the most significant half, any case and whitespace are normalised', () => {
    const text = '0123abcd-4567-89ef-fedc-ba9876543210';
    const id = parseUuid(text);
    assert.deepEqual(id, { high: 0x0123abcd456789efn, low: 0xfedcba9876543210n });
    assert.equal(uuidToString(id), text);
    assert.equal(normalizeUuid(`  ${text.toUpperCase()} `), text);
    assert.equal(uuidToString({ high: 0n, low: 1n }), '00000000-0000-0000-0000-000000000001');
    assert.equal(uuidToString({ high: (1n << 64n) - 1n, low: (1n << 64n) - 1n }), 'ffffffff-ffff-ffff-ffff-ffffffffffff');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (high, low) => {
        assert.deepEqual(parseUuid(uuidToString({ high, low })), { high, low });
      }),
      { numRuns: 1000, seed: 5 },
    );
    for (const bad of ['', 'abc', '0123abcd456789effedcba9876543210', '{0123abcd-4567-89ef-fedc-ba9876543210}', '0123abcd-4567-89ef-fedc-ba987654321g']) {
      assert.throws(() => parseUuid(bad), isCode('INVALID_ARGUMENT'));
    }
  });

  it('new checkpoint ids are distinct random v4 UUIDs', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => uuidToString(newCheckpointId())));
    assert.equal(ids.size, 1000);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('ULID {high, low} ↔ 26-char Crockford base32 round-trips and decodes the ULID spec example\'s time', () => {
    // From the ULID spec: ulid(1469918176385) → 01ARYZ6S41TSV4RRFFQ69G5FAV.
    const spec = parseUlid('01ARYZ6S41TSV4RRFFQ69G5FAV');
    assert.equal(ulidTime(spec), 1469918176385);
    assert.equal(ulidToString(spec), '01ARYZ6S41TSV4RRFFQ69G5FAV');
    assert.equal(ulidToString(parseUlid('01arz3ndektsv4rrffq69g5fav')), '01ARZ3NDEKTSV4RRFFQ69G5FAV');
    assert.equal(ulidToString({ high: 0n, low: 0n }), '00000000000000000000000000');
    assert.equal(ulidToString({ high: (1n << 64n) - 1n, low: (1n << 64n) - 1n }), '7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (high, low) => {
        const text = ulidToString({ high, low });
        assert.match(text, /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
        assert.deepEqual(parseUlid(text), { high, low });
      }),
      { numRuns: 1000, seed: 6 },
    );
    for (const bad of ['', '8ZZZZZZZZZZZZZZZZZZZZZZZZZ', '01ARZ3NDEKTSV4RRFFQ69G5FAI', '01ARZ3NDEKTSV4RRFFQ69G5FA']) assert.throws(() => parseUlid(bad), isCode('INVALID_ARGUMENT'));
  });

  it('SST ids in a manifest the real engine wrote are the names of its files in compacted/', async function () {
    this.timeout(90_000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ids-real-'));
    try {
      const t0 = Date.now();
      const built = await buildDatabase({ rootDir: root, dbPath: 'db', rounds: 4, putsPerRound: 100, compaction: false, gc: false, readerCheckpoints: 0, closedReaders: 0, roundPauseMs: 0 });
      const latest = built.manifestIds.at(-1)!;
      const m = decodeManifest(new Uint8Array(fs.readFileSync(path.join(root, 'db', 'manifest', `${String(latest).padStart(20, '0')}.manifest`))));
      const ids = sstsOf(m).map((x) => x.id).sort();
      const files = fs.readdirSync(path.join(root, 'db', 'compacted')).filter((f) => f.endsWith('.sst')).map((f) => f.slice(0, -4)).sort();
      assert.equal(ids.length, 4);
      assert.deepEqual(ids, files);
      for (const id of ids) {
        const t = ulidTime(parseUlid(id));
        assert.ok(t >= t0 - 1000 && t <= Date.now() + 1000, `ULID ${id} time ${t} is not within the build`);
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
