/**
 * The engine's compatibility suite, run unchanged on every ObjectStore backend: each backend's
 * `*.engine.test.ts` calls `runEngineCompatibility(name, makeStore)` with a factory that returns a
 * fresh, empty store (and how to clean it up). One suite, not one copy per backend.
 *
 * Everything goes through the engine as the CLI and the extension use it — ManifestStore,
 * list / create / refresh / delete, pinnedSsts, discoverDatabases, listManifests — on databases
 * seeded with REAL manifests written by SlateDB 0.12.1 (test/fixtures/manifests/*.manifest, their
 * flatc JSON being the independent oracle) and with synthetic ones from manifestKit, plus fake SST
 * objects of known sizes under `compacted/`.
 *
 * "Nothing was written" is always checked by listing every key (with size and version tag) before
 * and after; "no request at all" with CountingObjectStore.
 */

import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createCheckpoint, deleteCheckpoint, listCheckpoints, refreshCheckpoint, type OperationContext } from '../../src/engine/checkpoints';
import { discoverDatabases } from '../../src/engine/discovery';
import { EngineError, type ErrorCode } from '../../src/engine/errors';
import { ulidToString } from '../../src/engine/ids';
import { decodeManifest, encodeManifest, type DecodedManifest } from '../../src/engine/manifest/codec';
import type { DecodedTable } from '../../src/engine/manifest/flatDecoder';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { checkpointsOf, sstsOf, type CheckpointInfo } from '../../src/engine/manifest/model';
import { dbKeys } from '../../src/engine/paths';
import { pinnedSsts } from '../../src/engine/pinned';
import { mapLimit } from '../../src/engine/concurrency';
import { HookedStore } from '../support/hookedStore';
import { CountingObjectStore } from '../../src/engine/store/countingStore';
import { listAll, type ListOptions, type ListPage, type ObjectStore } from '../../src/engine/store/objectStore';
import { oracleCheckpoints, parseFlatcJson } from '../fixtures/realSlateDb';
import {
  checkpointTable,
  compactedSst,
  flatcAvailable,
  flatcDecode,
  manifestV1,
  putManifest,
  slatedbSchemaDir,
  toV2,
  ulidN,
  withSchemaCopy,
} from '../support/manifestKit';

// ───────────────────────────────────────────────────────────── backends ──

export interface EngineBackend {
  /** A fresh, empty store. */
  store: ObjectStore;
  /** Removes whatever the test left (and closes what the factory opened). */
  cleanup: () => Promise<void>;
  /**
   * Another, independent client of the SAME storage (own connections, own state), as a second
   * process would have; the race tests give each client its own. Clients it returns are closed by
   * the suite. Default: the store itself.
   */
  openClient?: () => ObjectStore;
}

// ───────────────────────────────────────────────────────────── fixtures ──

const FIXTURE_DIR = path.resolve(__dirname, '../fixtures/manifests');

interface Fixture {
  name: string;
  bytes: Uint8Array;
  /** flatc's JSON of the file with SlateDB's own schema (64-bit values as bigint). */
  oracle: Record<string, unknown>;
  /** The same with every scalar (`--defaults-json`). */
  oracleDefaults: Record<string, unknown>;
}

const fixtureCache = new Map<string, Fixture>();

function fixture(name: string): Fixture {
  let f = fixtureCache.get(name);
  if (!f) {
    const read = (ext: string) => fs.readFileSync(path.join(FIXTURE_DIR, `${name}${ext}`));
    f = {
      name,
      bytes: new Uint8Array(read('.manifest')),
      oracle: parseFlatcJson(read('.json').toString('utf8')) as Record<string, unknown>,
      oracleDefaults: parseFlatcJson(read('.defaults.json').toString('utf8')) as Record<string, unknown>,
    };
    fixtureCache.set(name, f);
  }
  return f;
}

const ALL_FIXTURES = fs
  .readdirSync(FIXTURE_DIR)
  .filter((n) => n.endsWith('.manifest'))
  .map((n) => n.slice(0, -'.manifest'.length))
  .sort();

type HighLow = { high?: bigint | number; low?: bigint | number };

/** SST ids (ULID text) a manifest references, in L0-then-sorted-run order, read from flatc's JSON. */
function oracleSstIds(oracle: Record<string, unknown>): string[] {
  const ulid = (v: HighLow) => ulidToString({ high: BigInt(v.high ?? 0), low: BigInt(v.low ?? 0) });
  const l0 = ((oracle.l0 as Array<{ id: HighLow }> | undefined) ?? []).map((s) => ulid(s.id));
  const runs = ((oracle.compacted as Array<{ ssts: Array<{ id: HighLow }> }> | undefined) ?? []).flatMap((r) => r.ssts.map((s) => ulid(s.id)));
  return [...l0, ...runs];
}

/** Our CheckpointInfo in the oracle's shape. */
function asOracle(c: CheckpointInfo) {
  return { id: c.id, manifestId: c.manifestId, expireTimeS: c.expireTimeS, createTimeS: c.createTimeS, ...(c.name !== null ? { name: c.name } : {}) };
}

/**
 * A database as SlateDB 0.12.1 leaves it after GC, built from the real manifests: ids with gaps
 * (8, 11, 15, 23, 25 — the latest's checkpoints pin 8, 11, 15 and 23), a GC boundary of 24
 * (everything deleted is at or below it), WAL and compaction files, and one fake SST object for
 * every SST any of the manifests references, with a known size.
 */
const REAL_DB = 'prod/orders';
const REAL_LAYOUT: ReadonlyArray<readonly [number, string]> = [
  [8, 'v1-02-l0-only'],
  [11, 'v1-03-second-writer'],
  [15, 'v1-04-reader-checkpoint'],
  [23, 'v1-05-l0-and-sorted-runs'],
  [25, 'v1-06-sorted-runs-checkpoints'],
];
const REAL_LATEST = 25;
const REAL_BOUNDARY = 24;

interface RealDb {
  ms: ManifestStore;
  /** Size of each fake SST object, by ULID. */
  sizes: Map<string, number>;
  /** The fixture behind each manifest id. */
  byId: Map<number, Fixture>;
  latestCheckpoints: ReturnType<typeof oracleCheckpoints>;
}

const enc = (s: string) => new TextEncoder().encode(s);

async function seedRealDb(store: ObjectStore, db = REAL_DB): Promise<RealDb> {
  const byId = new Map<number, Fixture>();
  const sizes = new Map<string, number>();
  for (const [id, name] of REAL_LAYOUT) {
    const f = fixture(name);
    byId.set(id, f);
    for (const sst of oracleSstIds(f.oracle)) if (!sizes.has(sst)) sizes.set(sst, 700 + 131 * sizes.size);
  }
  const writes: Array<[string, Uint8Array]> = [
    ...[...byId].map(([id, f]): [string, Uint8Array] => [dbKeys.manifest(db, id), f.bytes]),
    ...[...sizes].map(([ulid, size]): [string, Uint8Array] => [dbKeys.compactedSst(db, ulid), new Uint8Array(size).fill(7)]),
    [dbKeys.manifestBoundary(db), enc(`${REAL_BOUNDARY}\n`)],
    [`${db}/wal/00000000000000000013.sst`, new Uint8Array(300)],
    [`${db}/compactions/00000000000000000004.compactions`, new Uint8Array(40)],
  ];
  await mapLimit(writes, 8, async ([key, bytes]) => {
    const r = await store.putIfAbsent(key, bytes);
    if (!r.created) throw new Error(`seeding: ${key} already exists`);
  });
  return { ms: new ManifestStore(store, db), sizes, byId, latestCheckpoints: oracleCheckpoints(byId.get(REAL_LATEST)!.oracle) };
}

// ───────────────────────────────────────────────────────────── helpers ──

const NOW = new Date('2026-12-01T10:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
/** Fixed clock, no real sleeping between attempts. */
const ctx: OperationContext = { now: () => NOW, sleep: async () => undefined, random: () => 0.5 };
const ABSENT_ID = '00000000-0000-4000-8000-00000000dead';
const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function isCode(code: ErrorCode, message?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof EngineError, `expected an EngineError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  };
}

/** Every object of the store as `key size tag`, sorted: what "nothing was written" compares. */
async function inventory(store: ObjectStore): Promise<string[]> {
  const { objects } = await listAll(store, {});
  return objects.map((o) => `${o.key} ${o.size} ${o.etag ?? ''}`).sort();
}

async function keysOf(store: ObjectStore, prefix = ''): Promise<string[]> {
  const { objects } = await listAll(store, { prefix });
  return objects.map((o) => o.key).sort();
}

/** Runs `fn` and checks, by listing every key before and after, that it wrote or deleted nothing. */
async function expectNothingWritten<T>(store: ObjectStore, fn: () => Promise<T>): Promise<T> {
  const before = await inventory(store);
  const out = await fn();
  assert.deepEqual(await inventory(store), before, 'the store changed');
  return out;
}

/** Runs `fn` and checks that exactly `added` appeared and nothing else changed. */
async function expectOnlyAdded<T>(store: ObjectStore, added: string[], fn: () => Promise<T>): Promise<T> {
  const before = await inventory(store);
  const out = await fn();
  const after = await inventory(store);
  const beforeSet = new Set(before);
  assert.deepEqual(
    before.filter((x) => !after.includes(x)),
    [],
    'objects that existed before were changed or deleted',
  );
  assert.deepEqual(
    after.filter((x) => !beforeSet.has(x)).map((x) => x.split(' ')[0]),
    added,
    'objects added',
  );
  return out;
}

async function decodedAt(store: ObjectStore, db: string, id: number): Promise<DecodedManifest> {
  const got = await store.get(dbKeys.manifest(db, id));
  assert.ok(got, `manifest ${id} of ${db} is missing`);
  return decodeManifest(got.bytes, `manifest ${id}`);
}

/** Root fields other than `checkpoints`: what an operation on checkpoints must leave as it was. */
function withoutCheckpoints(m: DecodedManifest): Record<string, unknown> {
  const { checkpoints: _ignored, ...rest } = m.root;
  return { formatVersion: m.formatVersion, ...rest };
}

/** Counts requests and remembers the options of every LIST. */
class ListRecorder extends CountingObjectStore {
  readonly lists: ListOptions[] = [];
  override listPage(options: ListOptions): Promise<ListPage> {
    this.lists.push({ ...options });
    return super.listPage(options);
  }
  override reset(): void {
    super.reset();
    this.lists.length = 0;
  }
}

// ───────────────────────────────────────────────────────── race figures ──

export interface RaceFigures {
  backend: string;
  clients: number;
  operations: number;
  /** New manifests (each one operation's commit). */
  commits: number;
  /** Operations that claimed a manifest another operation wrote with identical bytes (same delete). */
  sharedClaims: number;
  puts: number;
  conflictsRetried: number;
  maxAttemptsOneOp: number;
  meanAttemptsPerCommit: number;
  ms: number;
}

/** Figures of every race run in this process (printed after each suite, read by reports). */
export const raceFigures: RaceFigures[] = [];

// ───────────────────────────────────────────────────────────── the suite ──

export function runEngineCompatibility(name: string, makeStore: () => Promise<EngineBackend>): void {
  describe(`engine compatibility: ${name}`, function () {
    let backend: EngineBackend;
    let store: ObjectStore;
    const opened: ObjectStore[] = [];

    beforeEach(async () => {
      backend = await makeStore();
      store = backend.store;
    });

    afterEach(async () => {
      for (const c of opened.splice(0)) if (c !== store) await c.close?.();
      await backend?.cleanup();
    });

    /** A second client of the same storage (see EngineBackend.openClient). */
    function client(): ObjectStore {
      const c = backend.openClient?.() ?? store;
      opened.push(c);
      return c;
    }

    // ──────────────────────────────────────────────────────────── list ──
    describe('list', () => {
      it('lists the checkpoints of every real 0.12.1 manifest exactly as flatc decodes them with SlateDB\'s schema', async () => {
        for (const f of ALL_FIXTURES) await putManifest(store, `fixtures/${f}`, 3, fixture(f).bytes);
        for (const f of ALL_FIXTURES) {
          const listed = await listCheckpoints(new ManifestStore(store, `fixtures/${f}`));
          assert.equal(listed.manifestId, 3);
          assert.equal(listed.readOnlyReason, undefined, `${f} is writable`);
          assert.deepEqual(listed.checkpoints.map(asOracle), oracleCheckpoints(fixture(f).oracle), f);
          assert.ok(listed.checkpoints.every((c) => c.writerEpoch === null && c.name === null), `${f}: 0.12.1 writes neither names nor metadata`);
        }
      });

      it('lists the latest manifest of a database with gaps in its ids, and filters by exact name', async () => {
        const real = await seedRealDb(store);
        const all = await listCheckpoints(real.ms);
        assert.equal(all.manifestId, REAL_LATEST);
        assert.deepEqual(all.checkpoints.map(asOracle), real.latestCheckpoints);
        assert.deepEqual(
          all.checkpoints.map((c) => c.manifestId),
          [8, 11, 15, 23],
        );
        // Real checkpoints carry no name: a name filter matches none of them.
        assert.deepEqual((await listCheckpoints(real.ms, { name: 'nightly' })).checkpoints, []);

        // Named checkpoints, as a newer SlateDB or this tool writes them.
        const ids = ['11111111-0000-4000-8000-000000000001', '11111111-0000-4000-8000-000000000002', '11111111-0000-4000-8000-000000000003', '11111111-0000-4000-8000-000000000004'];
        await putManifest(
          store,
          'named',
          4,
          manifestV1({
            checkpoints: [
              checkpointTable({ id: ids[0], manifestId: 4, name: 'nightly', expire: NOW_S + 60 }),
              checkpointTable({ id: ids[1], manifestId: 2, name: 'Nightly' }),
              checkpointTable({ id: ids[2], manifestId: 3, name: 'nightly' }),
              checkpointTable({ id: ids[3], manifestId: 4, writerEpoch: 7 }),
            ],
          }),
        );
        const named = new ManifestStore(store, 'named');
        assert.deepEqual((await listCheckpoints(named)).checkpoints.map((c) => [c.id, c.name, c.writerEpoch]), [
          [ids[0], 'nightly', null],
          [ids[1], 'Nightly', null],
          [ids[2], 'nightly', null],
          [ids[3], null, 7],
        ]);
        assert.deepEqual((await listCheckpoints(named, { name: 'nightly' })).checkpoints.map((c) => c.id), [ids[0], ids[2]]);
        assert.deepEqual((await listCheckpoints(named, { name: 'Nightly' })).checkpoints.map((c) => c.id), [ids[1]]);
        assert.deepEqual((await listCheckpoints(named, { name: 'night' })).checkpoints, []);
      });

      it('lists manifests with their gaps; start is inclusive and end exclusive, as SlateDB\'s CLI', async () => {
        const real = await seedRealDb(store);
        const ids = async (range: { start?: number; end?: number }) => (await real.ms.listManifests(range)).map((m) => m.id);
        assert.deepEqual(await ids({}), [8, 11, 15, 23, 25]);
        assert.deepEqual(await ids({ start: 11, end: 23 }), [11, 15]);
        assert.deepEqual(await ids({ start: 12 }), [15, 23, 25]);
        assert.deepEqual(await ids({ end: 8 }), []);
        assert.deepEqual(await ids({ start: 26 }), []);
        const listed = await real.ms.listManifests();
        assert.deepEqual(
          listed.map((m) => m.size),
          REAL_LAYOUT.map(([, f]) => fixture(f).bytes.length),
          'sizes are the files\' sizes',
        );
        for (const m of listed) assert.ok(m.lastModified instanceof Date && !Number.isNaN(m.lastModified.getTime()));
        // A manifest read by id is the file, byte for byte.
        assert.deepEqual((await real.ms.read(15)).bytes, fixture('v1-04-reader-checkpoint').bytes);
        await assert.rejects(real.ms.read(12), isCode('MANIFEST_NOT_FOUND', /manifest 12/));
      });

      it('lists a V2 manifest (SlateDB main) made from a real one by SlateDB\'s V1→V2 conversion', async () => {
        const v1 = decodeManifest(fixture('v1-06-sorted-runs-checkpoints').bytes);
        await putManifest(store, 'v2db', 9, toV2(v1));
        const listed = await listCheckpoints(new ManifestStore(store, 'v2db'));
        assert.equal(listed.readOnlyReason, undefined);
        assert.deepEqual(listed.checkpoints.map(asOracle), oracleCheckpoints(fixture('v1-06-sorted-runs-checkpoints').oracle));
      });
    });

    // ────────────────────────────────────────────────────────── create ──
    describe('create', () => {
      it('on a real 0.12.1 database writes exactly manifest N+1, holding {v4 id, manifest_id N+1, create now, expire now+lifetime, name} and everything else unchanged', async () => {
        const real = await seedRealDb(store);
        const created = await expectOnlyAdded(store, [dbKeys.manifest(REAL_DB, 26)], () =>
          createCheckpoint(real.ms, { lifetimeMs: 90 * 60_000, name: 'before-migration' }, ctx),
        );
        assert.match(created.id, V4);
        assert.equal(created.manifestId, 26);
        assert.equal(created.committedManifestId, 26);

        const before = decodeManifest(fixture('v1-06-sorted-runs-checkpoints').bytes);
        const after = await decodedAt(store, REAL_DB, 26);
        assert.equal(after.readOnlyReason, undefined);
        assert.deepEqual(withoutCheckpoints(after), withoutCheckpoints(before), 'only checkpoints changed');
        const cps = checkpointsOf(after);
        assert.deepEqual(cps.slice(0, -1), checkpointsOf(before), 'existing checkpoints kept as they were');
        assert.deepEqual(cps.at(-1), { id: created.id, manifestId: 26, expireTimeS: NOW_S + 5400, createTimeS: NOW_S, name: 'before-migration', writerEpoch: null });
        assert.deepEqual((await listCheckpoints(real.ms)).checkpoints, cps);
      });

      it('the manifest it wrote decodes with flatc and SlateDB\'s own schema as the previous one plus the new checkpoint', async function () {
        const schema = await slatedbSchemaDir();
        assert.ok(flatcAvailable(), 'flatc is not on PATH (npm test installs Debian flatbuffers-compiler)');
        assert.ok('dir' in schema, 'why' in schema ? schema.why : 'no schema for flatc');
        const real = await seedRealDb(store);
        const created = await createCheckpoint(real.ms, { lifetimeMs: 3_600_000, name: 'flatc' }, ctx);
        const bytes = (await store.get(dbKeys.manifest(REAL_DB, 26)))!.bytes;
        const { rootType, json } = await flatcDecode(path.join((schema as { dir: string }).dir, 'root.fbs'), bytes, { defaults: true });
        assert.equal(rootType, 'ManifestV1', 'written in the version that was read');
        const ours = parseFlatcJson(json) as Record<string, unknown>;
        const theirs = fixture('v1-06-sorted-runs-checkpoints').oracleDefaults;
        const { checkpoints: ourCps, ...ourRest } = ours;
        const { checkpoints: theirCps, ...theirRest } = theirs;
        assert.deepEqual(ourRest, theirRest, 'every other field as SlateDB wrote it');
        assert.deepEqual(oracleCheckpoints({ checkpoints: ourCps }), [
          ...oracleCheckpoints({ checkpoints: theirCps }),
          { id: created.id, manifestId: 26, expireTimeS: NOW_S + 3600, createTimeS: NOW_S, name: 'flatc' },
        ]);
      });

      it('without lifetime or name: never expires (0) and has no name', async () => {
        const real = await seedRealDb(store);
        const created = await createCheckpoint(real.ms, {}, ctx);
        const cp = checkpointsOf(await decodedAt(store, REAL_DB, 26)).find((c) => c.id === created.id);
        assert.deepEqual(cp, { id: created.id, manifestId: 26, expireTimeS: 0, createTimeS: NOW_S, name: null, writerEpoch: null });
      });

      it('with a source pins the manifest the source pins and still writes exactly N+1', async () => {
        const real = await seedRealDb(store);
        const source = real.latestCheckpoints.find((c) => c.manifestId === 11)!;
        const created = await expectOnlyAdded(store, [dbKeys.manifest(REAL_DB, 26)], () =>
          createCheckpoint(real.ms, { sourceId: source.id.toUpperCase(), lifetimeMs: 60_000, name: 'from-source' }, ctx),
        );
        assert.equal(created.manifestId, 11);
        assert.equal(created.committedManifestId, 26);
        const cp = checkpointsOf(await decodedAt(store, REAL_DB, 26)).find((c) => c.id === created.id);
        assert.deepEqual(cp, { id: created.id, manifestId: 11, expireTimeS: NOW_S + 60, createTimeS: NOW_S, name: 'from-source', writerEpoch: null });
      });

      it('on a V2 manifest writes V2, with the SST table and views untouched', async () => {
        const v2 = toV2(decodeManifest(fixture('v1-05-l0-and-sorted-runs').bytes));
        await putManifest(store, 'v2db', 23, v2);
        const ms = new ManifestStore(store, 'v2db');
        const created = await expectOnlyAdded(store, [dbKeys.manifest('v2db', 24)], () => createCheckpoint(ms, { name: 'v2' }, ctx));
        const bytes = (await store.get(dbKeys.manifest('v2db', 24)))!.bytes;
        assert.deepEqual([bytes[0], bytes[1]], [0, 2], 'format version 2 on disk');
        const after = decodeManifest(bytes);
        assert.deepEqual(withoutCheckpoints(after), withoutCheckpoints(decodeManifest(encodeManifest(v2))));
        assert.equal(checkpointsOf(after).at(-1)!.id, created.id);
        assert.deepEqual(sstsOf(after), sstsOf(v2));
      });

      it('on an uninitialized database (a clone being set up) succeeds with a source', async () => {
        const SRC = '22222222-0000-4000-8000-000000000001';
        await putManifest(store, 'clone', 2, manifestV1({ initialized: false, checkpoints: [checkpointTable({ id: SRC, manifestId: 1 })] }));
        const created = await createCheckpoint(new ManifestStore(store, 'clone'), { sourceId: SRC }, ctx);
        assert.equal(created.manifestId, 1);
        assert.equal(created.committedManifestId, 3);
      });
    });

    // ───────────────────────────────────────────────────────── refresh ──
    describe('refresh', () => {
      it('sets expire = now + lifetime on a real checkpoint, keeps its other fields and every other checkpoint, writes exactly N+1', async () => {
        const real = await seedRealDb(store);
        const target = real.latestCheckpoints[1];
        const refreshed = await expectOnlyAdded(store, [dbKeys.manifest(REAL_DB, 26)], () => refreshCheckpoint(real.ms, { id: target.id, lifetimeMs: 2 * 3_600_000 }, ctx));
        assert.deepEqual(refreshed, { ...target, expireTimeS: NOW_S + 7200, name: null, writerEpoch: null });
        const after = await decodedAt(store, REAL_DB, 26);
        assert.deepEqual(withoutCheckpoints(after), withoutCheckpoints(decodeManifest(fixture('v1-06-sorted-runs-checkpoints').bytes)));
        assert.deepEqual(
          checkpointsOf(after).map(asOracle),
          real.latestCheckpoints.map((c) => (c.id === target.id ? { ...c, expireTimeS: NOW_S + 7200 } : c)),
        );
      });

      it('without a lifetime makes it never expire (0); to the expiry it already has writes nothing', async () => {
        const real = await seedRealDb(store);
        const target = real.latestCheckpoints[0];
        assert.equal((await refreshCheckpoint(real.ms, { id: target.id }, ctx)).expireTimeS, 0);
        assert.equal(await real.ms.latestId(), 26);
        const again = await expectNothingWritten(store, () => refreshCheckpoint(real.ms, { id: target.id }, ctx));
        assert.equal(again.expireTimeS, 0);
      });
    });

    // ────────────────────────────────────────────────────────── delete ──
    describe('delete', () => {
      it('removes a present checkpoint and only it, writing exactly N+1', async () => {
        const real = await seedRealDb(store);
        const target = real.latestCheckpoints[2];
        const res = await expectOnlyAdded(store, [dbKeys.manifest(REAL_DB, 26)], () => deleteCheckpoint(real.ms, { id: target.id.toUpperCase() }, ctx));
        assert.deepEqual(res, { id: target.id, deleted: true, committedManifestId: 26 });
        const after = await decodedAt(store, REAL_DB, 26);
        assert.deepEqual(withoutCheckpoints(after), withoutCheckpoints(decodeManifest(fixture('v1-06-sorted-runs-checkpoints').bytes)));
        assert.deepEqual(
          checkpointsOf(after).map(asOracle),
          real.latestCheckpoints.filter((c) => c.id !== target.id),
        );
      });

      it('of an absent id succeeds with deleted:false and writes nothing (no PUT at all)', async () => {
        const real = await seedRealDb(store);
        const counting = new CountingObjectStore(store);
        const res = await expectNothingWritten(store, () => deleteCheckpoint(new ManifestStore(counting, REAL_DB), { id: ABSENT_ID }, ctx));
        assert.deepEqual(res, { id: ABSENT_ID, deleted: false, committedManifestId: undefined });
        assert.equal(counting.counts.put, 0);
        assert.equal(counting.counts.delete, 0);
        assert.equal((await listCheckpoints(real.ms)).checkpoints.length, 4);
      });
    });

    // ────────────────────────────────────────────────────────── errors ──
    describe('errors name the problem and write nothing', () => {
      it('CHECKPOINT_NOT_FOUND: refresh of an absent id, create from an absent source, pinned SSTs of an absent id', async () => {
        const real = await seedRealDb(store);
        await expectNothingWritten(store, async () => {
          await assert.rejects(refreshCheckpoint(real.ms, { id: ABSENT_ID, lifetimeMs: 60_000 }, ctx), isCode('CHECKPOINT_NOT_FOUND', new RegExp(ABSENT_ID)));
          await assert.rejects(createCheckpoint(real.ms, { sourceId: ABSENT_ID, name: 'x' }, ctx), isCode('CHECKPOINT_NOT_FOUND', /checkpoint missing/));
          await assert.rejects(pinnedSsts(real.ms, ABSENT_ID), isCode('CHECKPOINT_NOT_FOUND', new RegExp(ABSENT_ID)));
        });
      });

      it('DATABASE_NOT_FOUND for every operation on a path without manifests (also when manifest/ holds no .manifest file)', async () => {
        await store.putIfAbsent('other/manifest/README', enc('not a manifest'));
        await store.putIfAbsent('other/compacted/01ARZ3NDEKTSV4RRFFQ69G5FAV.sst', new Uint8Array(10));
        await expectNothingWritten(store, async () => {
          for (const db of ['nothing/here', 'other']) {
            const ms = new ManifestStore(store, db);
            const notFound = isCode('DATABASE_NOT_FOUND', new RegExp(db));
            await assert.rejects(listCheckpoints(ms), notFound);
            await assert.rejects(createCheckpoint(ms, { name: 'x' }, ctx), notFound);
            await assert.rejects(refreshCheckpoint(ms, { id: ABSENT_ID, lifetimeMs: 60_000 }, ctx), notFound);
            await assert.rejects(deleteCheckpoint(ms, { id: ABSENT_ID }, ctx), notFound);
            await assert.rejects(pinnedSsts(ms, ABSENT_ID), notFound);
            assert.equal(await ms.latestId(), undefined);
            assert.deepEqual(await ms.listManifests(), []);
          }
        });
      });

      it('DATABASE_NOT_INITIALIZED for create without a source on an uninitialized database', async () => {
        await putManifest(store, 'clone', 2, manifestV1({ initialized: false }));
        await expectNothingWritten(store, () =>
          assert.rejects(createCheckpoint(new ManifestStore(store, 'clone'), { name: 'x' }, ctx), isCode('DATABASE_NOT_INITIALIZED', /initialized=false/)),
        );
      });

      it('MANIFEST_UNSUPPORTED_VERSION for every operation when the latest manifest has format version 3', async () => {
        const real = await seedRealDb(store);
        const body = fixture('v1-06-sorted-runs-checkpoints').bytes.subarray(2);
        await putManifest(store, REAL_DB, 26, new Uint8Array([0, 3, ...body]));
        const cp = real.latestCheckpoints[0].id;
        await expectNothingWritten(store, async () => {
          const unsupported = isCode('MANIFEST_UNSUPPORTED_VERSION', /format version 3/);
          await assert.rejects(listCheckpoints(real.ms), unsupported);
          await assert.rejects(createCheckpoint(real.ms, { name: 'x' }, ctx), unsupported);
          await assert.rejects(refreshCheckpoint(real.ms, { id: cp, lifetimeMs: 60_000 }, ctx), unsupported);
          await assert.rejects(deleteCheckpoint(real.ms, { id: cp }, ctx), unsupported);
          await assert.rejects(pinnedSsts(real.ms, cp), unsupported);
        });
        // Older manifests still read.
        assert.equal(checkpointsOf((await real.ms.read(25)).manifest).length, 4);
      });

      it('MANIFEST_READ_ONLY for create / refresh / delete on a real manifest carrying a field from a newer SlateDB; list still shows it, flagged', async () => {
        const real = await seedRealDb(store);
        const m = decodeManifest(fixture('v1-06-sorted-runs-checkpoints').bytes);
        const bytes = withSchemaCopy({ tables: { ManifestV1: [{ name: 'future_field', type: { kind: 'string' } }] } }, () =>
          encodeManifest({ ...m, root: { ...m.root, future_field: 'from SlateDB 9.9' } }),
        );
        await putManifest(store, REAL_DB, 26, bytes);
        const cp = real.latestCheckpoints[0].id;
        await expectNothingWritten(store, async () => {
          const readOnly = isCode('MANIFEST_READ_ONLY', /newer SlateDB/);
          await assert.rejects(createCheckpoint(real.ms, { name: 'x' }, ctx), readOnly);
          await assert.rejects(refreshCheckpoint(real.ms, { id: cp, lifetimeMs: 60_000 }, ctx), readOnly);
          await assert.rejects(deleteCheckpoint(real.ms, { id: cp }, ctx), readOnly);
          await assert.rejects(deleteCheckpoint(real.ms, { id: ABSENT_ID }, ctx), readOnly);
          const listed = await listCheckpoints(real.ms);
          assert.equal(listed.manifestId, 26);
          assert.deepEqual(listed.checkpoints.map(asOracle), real.latestCheckpoints);
          assert.match(listed.readOnlyReason ?? '', /slot 16/);
        });
      });

      describe('malformed input is INVALID_ARGUMENT before any request', () => {
        const bad: Array<[string, (ms: ManifestStore, cp: string) => Promise<unknown>]> = [
          ['refresh with a malformed UUID', (ms) => refreshCheckpoint(ms, { id: 'not-a-uuid', lifetimeMs: 60_000 }, ctx)],
          ['delete with a UUID one digit short', (ms) => deleteCheckpoint(ms, { id: '5a5a5a5a-0000-4000-8000-00000000000' }, ctx)],
          ['create from a malformed source UUID', (ms) => createCheckpoint(ms, { sourceId: 'abc' }, ctx)],
          ['pinned SSTs of a braced UUID', (ms) => pinnedSsts(ms, '{5a5a5a5a-0000-4000-8000-000000000001}')],
          ['create with a lifetime under a second', (ms) => createCheckpoint(ms, { lifetimeMs: 999 }, ctx)],
          ['create with a NaN lifetime', (ms) => createCheckpoint(ms, { lifetimeMs: Number.NaN }, ctx)],
          ['create with a lifetime ending after 2106', (ms) => createCheckpoint(ms, { lifetimeMs: 200 * 365 * 86_400_000 }, ctx)],
          ['refresh with a negative lifetime', (ms, cp) => refreshCheckpoint(ms, { id: cp, lifetimeMs: -1000 }, ctx)],
          ['create with an empty name', (ms) => createCheckpoint(ms, { name: '' }, ctx)],
          ['create with a control character in the name', (ms) => createCheckpoint(ms, { name: 'a\u0007b' }, ctx)],
        ];
        for (const [what, op] of bad) {
          it(`${what}: 0 requests`, async () => {
            const real = await seedRealDb(store);
            const counting = new CountingObjectStore(store);
            await expectNothingWritten(store, () => assert.rejects(op(new ManifestStore(counting, REAL_DB), real.latestCheckpoints[0].id), isCode('INVALID_ARGUMENT')));
            assert.equal(counting.total, 0);
          });
        }
      });
    });

    // ─────────────────────────────────────────────── commit protocol ──
    describe('commit protocol', () => {
      it('a lost race: another writer created N+1 first; we retry on N+2 and both checkpoints survive, theirs untouched', async () => {
        await seedRealDb(store);
        const other = new ManifestStore(client(), REAL_DB);
        const interposed = new HookedStore(store);
        let theirs: string | undefined;
        interposed.beforeNextPut = async (key) => {
          assert.equal(key, dbKeys.manifest(REAL_DB, 26));
          theirs = (await createCheckpoint(other, { name: 'theirs' }, ctx)).id;
        };
        const ours = await createCheckpoint(new ManifestStore(interposed, REAL_DB), { name: 'ours' }, ctx);
        assert.equal(ours.committedManifestId, 27);
        assert.equal(ours.manifestId, 27, 'our checkpoint pins the manifest actually written');
        const m26 = checkpointsOf(await decodedAt(store, REAL_DB, 26));
        assert.deepEqual(m26.map((c) => c.name), [null, null, null, null, 'theirs'], 'the winner\'s manifest is theirs alone');
        const latest = (await listCheckpoints(new ManifestStore(store, REAL_DB))).checkpoints;
        assert.deepEqual(latest.map((c) => [c.id, c.name]).slice(-2), [[theirs, 'theirs'], [ours.id, 'ours']]);
      });

      it('GC boundary: a stale write to an id GC already freed does not count; the retry lands above the boundary', async () => {
        const real = await seedRealDb(store);
        const others = new ManifestStore(client(), REAL_DB);
        const interposed = new HookedStore(store);
        const [a, b, c] = real.latestCheckpoints;
        interposed.beforeNextPut = async (key) => {
          // While we stalled with manifest 26 ready: other writers committed 26, 27, 28 ...
          assert.equal(key, dbKeys.manifest(REAL_DB, 26));
          await refreshCheckpoint(others, { id: a.id, lifetimeMs: 3_600_000 }, ctx);
          await refreshCheckpoint(others, { id: b.id, lifetimeMs: 3_600_000 }, ctx);
          await deleteCheckpoint(others, { id: c.id }, ctx);
          // ... then GC advanced the boundary to 27 and deleted 26 and 27 (unpinned, not the latest).
          await store.delete(dbKeys.manifestBoundary(REAL_DB));
          await store.putIfAbsent(dbKeys.manifestBoundary(REAL_DB), enc('27'));
          await store.delete(dbKeys.manifest(REAL_DB, 26));
          await store.delete(dbKeys.manifest(REAL_DB, 27));
        };
        const created = await createCheckpoint(new ManifestStore(interposed, REAL_DB), { name: 'stalled' }, ctx);
        assert.equal(created.committedManifestId, 29);
        assert.equal(created.manifestId, 29);
        const latest = (await listCheckpoints(new ManifestStore(store, REAL_DB))).checkpoints;
        assert.deepEqual(
          latest.map((x) => [x.id, x.expireTimeS, x.name]),
          [[a.id, NOW_S + 3600, null], [b.id, NOW_S + 3600, null], [real.latestCheckpoints[3].id, real.latestCheckpoints[3].expireTimeS, null], [created.id, 0, 'stalled']],
          'the other writers\' work is kept, and ours is on top of it',
        );
        // Our stale manifest 26 did land (the id was free), but nothing treats it as committed.
        assert.deepEqual((await real.ms.listManifests({ start: 25 })).map((m) => m.id), [25, 26, 28, 29]);
      });

      it('GC boundary: a boundary file above N+1 makes the commit retry until it lands above the boundary', async () => {
          const real = await seedRealDb(store);
          await store.delete(dbKeys.manifestBoundary(REAL_DB));
          await store.putIfAbsent(dbKeys.manifestBoundary(REAL_DB), enc('27'));
          const created = await createCheckpoint(real.ms, { name: 'above' }, ctx);
          assert.equal(created.committedManifestId, 28, `committed ${created.committedManifestId}, pins ${created.manifestId}`);
          assert.equal(created.manifestId, 28);
          assert.equal(checkpointsOf(await decodedAt(store, REAL_DB, 28)).filter((c) => c.id === created.id).length, 1);
        });

      it('a boundary file that is not a number stops the write with MANIFEST_CORRUPT, saying the manifest was written', async () => {
        const real = await seedRealDb(store);
        await store.delete(dbKeys.manifestBoundary(REAL_DB));
        await store.putIfAbsent(dbKeys.manifestBoundary(REAL_DB), enc('garbage'));
        await assert.rejects(createCheckpoint(real.ms, {}, ctx), isCode('MANIFEST_CORRUPT', /manifest 26 was written/));
      });
    });

    // ─────────────────────────────────────────── latest manifest id ──
    describe('latest manifest id', () => {
      it('cold: one LIST of manifest/ from the start; warm: exactly one LIST that starts after the last id seen, across gaps', async () => {
        await seedRealDb(store);
        const rec = new ListRecorder(store);
        const ms = new ManifestStore(rec, REAL_DB);
        const manifestDir = dbKeys.manifestDir(REAL_DB);

        assert.equal(await ms.latestId(), 25);
        assert.deepEqual(rec.counts, { list: 1, get: 0, head: 0, put: 0, delete: 0 });
        assert.equal(rec.lists[0].prefix, manifestDir);
        assert.equal(rec.lists[0].startAfter, undefined, 'a cold lookup lists from the start');

        rec.reset();
        assert.equal(await ms.latestId(), 25);
        assert.deepEqual(rec.counts, { list: 1, get: 0, head: 0, put: 0, delete: 0 }, 'a warm lookup is exactly 1 LIST');
        assert.equal(rec.lists[0].startAfter, dbKeys.manifest(REAL_DB, 25));

        // Another writer commits 26, then GC-like gaps: 31 appears, 26 disappears.
        const other = new ManifestStore(client(), REAL_DB);
        await createCheckpoint(other, { name: 'x' }, ctx);
        await putManifest(store, REAL_DB, 31, (await store.get(dbKeys.manifest(REAL_DB, 26)))!.bytes);
        await store.delete(dbKeys.manifest(REAL_DB, 26));
        rec.reset();
        assert.equal(await ms.latestId(), 31);
        assert.equal(rec.counts.list, 1);
        rec.reset();
        assert.equal(await ms.latestId(), 31);
        assert.deepEqual(rec.counts, { list: 1, get: 0, head: 0, put: 0, delete: 0 });
        assert.equal(rec.lists[0].startAfter, dbKeys.manifest(REAL_DB, 31));

        // A fresh (cold) store agrees; so does an explicit cold lookup.
        assert.equal(await new ManifestStore(store, REAL_DB).latestId(), 31);
        rec.reset();
        assert.equal(await ms.latestId({ cold: true }), 31);
        assert.equal(rec.lists[0].startAfter, undefined);

        // A write of ours moves the warm start: create (warm) = 1 LIST, GET latest + GET boundary, 1 PUT.
        rec.reset();
        const created = await createCheckpoint(ms, {}, ctx);
        assert.equal(created.committedManifestId, 32);
        assert.deepEqual(rec.counts, { list: 1, get: 2, head: 0, put: 1, delete: 0 });
        rec.reset();
        assert.equal(await ms.latestId(), 32);
        assert.equal(rec.lists[0].startAfter, dbKeys.manifest(REAL_DB, 32));
      });
    });

    // ──────────────────────────────────────────────────── pinned SSTs ──
    describe('pinned SSTs', () => {
      it('on a real database: sizes from compacted/, exclusive and reclaimable bytes agree with the flatc oracle for every checkpoint', async () => {
        const real = await seedRealDb(store);
        const idsOf = (manifestId: number) => oracleSstIds(real.byId.get(manifestId)!.oracle);
        for (const cp of real.latestCheckpoints) {
          const report = await pinnedSsts(real.ms, cp.id);
          const mine = idsOf(cp.manifestId);
          const heldElsewhere = new Set([...idsOf(REAL_LATEST), ...real.latestCheckpoints.filter((o) => o.id !== cp.id).flatMap((o) => idsOf(o.manifestId))]);
          const exclusive = mine.map((id) => !heldElsewhere.has(id));
          assert.equal(report.manifestId, cp.manifestId);
          assert.equal(report.latestManifestId, REAL_LATEST);
          assert.deepEqual(report.ssts.map((s) => s.id), mine, `SSTs of manifest ${cp.manifestId}`);
          assert.deepEqual(report.ssts.map((s) => s.sizeBytes), mine.map((id) => real.sizes.get(id)));
          assert.deepEqual(report.ssts.map((s) => s.exclusive), exclusive, `exclusive flags of manifest ${cp.manifestId}`);
          assert.equal(report.totalBytes, mine.reduce((n, id) => n + real.sizes.get(id)!, 0));
          assert.equal(report.reclaimableBytes, mine.reduce((n, id, i) => n + (exclusive[i] ? real.sizes.get(id)! : 0), 0));
        }
        // The variety this database offers: nothing, one, all, and some SSTs reclaimable.
        const reclaimable = await Promise.all(real.latestCheckpoints.map(async (cp) => (await pinnedSsts(real.ms, cp.id)).ssts.filter((s) => s.exclusive).length));
        assert.deepEqual(reclaimable, [0, 1, 3, 4]);
      });

      it('synthetic: levels, clone-parent SSTs never reclaimable, a missing SST file has size null, a deleted pinned manifest is MANIFEST_NOT_FOUND', async () => {
        const A = 'a0000000-0000-4000-8000-00000000000a';
        const B = 'b0000000-0000-4000-8000-00000000000b';
        const C = 'c0000000-0000-4000-8000-00000000000c';
        const s = ulidN;
        const name = (n: number) => ulidToString(s(n));
        const checkpoints = [checkpointTable({ id: A, manifestId: 5 }), checkpointTable({ id: B, manifestId: 7 }), checkpointTable({ id: C, manifestId: 9 })];
        const external = { external_dbs: [{ path: 'parent', source_checkpoint_id: checkpoints[0].id, final_checkpoint_id: null, sst_ids: [{ high: s(6).high, low: s(6).low }] }] };
        await putManifest(store, 'db', 5, manifestV1({ l0: [compactedSst(s(1)), compactedSst(s(2))], compacted: [{ id: 0, ssts: [compactedSst(s(3)), compactedSst(s(6))] }], checkpoints, extra: external }));
        await putManifest(store, 'db', 7, manifestV1({ l0: [compactedSst(s(2))], compacted: [{ id: 1, ssts: [compactedSst(s(4))] }], checkpoints }));
        await putManifest(store, 'db', 9, manifestV1({ compacted: [{ id: 2, ssts: [compactedSst(s(4)), compactedSst(s(5))] }], checkpoints }));
        const sizes: Record<number, number> = { 1: 1000, 2: 2000, 3: 4000, 4: 8000, 5: 16000, 6: 32000 };
        for (const n of [1, 2, 4, 5]) await store.putIfAbsent(dbKeys.compactedSst('db', name(n)), new Uint8Array(sizes[n]));
        await store.putIfAbsent(dbKeys.compactedSst('parent', name(6)), new Uint8Array(sizes[6]));
        await store.putIfAbsent('db/compacted/not-an-sst.txt', new Uint8Array(5));
        const ms = new ManifestStore(store, 'db');

        const report = await expectNothingWritten(store, () => pinnedSsts(ms, A));
        assert.deepEqual(
          report.ssts.map((x) => [x.id, x.level, x.sortedRun, x.sizeBytes, x.exclusive, x.externalDbPath]),
          [
            [name(1), 'l0', null, 1000, true, null],
            [name(2), 'l0', null, 2000, false, null],
            [name(3), 'sorted_run', 0, null, true, null],
            [name(6), 'sorted_run', 0, 32000, false, 'parent'],
          ],
        );
        assert.equal(report.totalBytes, 1000 + 2000 + 32000);
        assert.equal(report.reclaimableBytes, 1000);
        const onLatest = await pinnedSsts(ms, C);
        assert.deepEqual([onLatest.totalBytes, onLatest.reclaimableBytes], [24000, 0]);
        await store.delete(dbKeys.manifest('db', 7));
        await assert.rejects(pinnedSsts(ms, B), isCode('MANIFEST_NOT_FOUND', /manifest 7/));
      });

      it('on a V2 manifest counts an SST backing several views once', async () => {
        const v1 = manifestV1({ l0: [compactedSst(ulidN(1))], compacted: [{ id: 0, ssts: [compactedSst(ulidN(2))] }], checkpoints: [checkpointTable({ id: ABSENT_ID.replace('dead', 'beef'), manifestId: 4 })] });
        const v2 = toV2(v1);
        // A second view of SST 2 (different view id, same sst_id), as SlateDB main may write.
        const runs = v2.root.compacted as DecodedTable[];
        const view = (runs[0].ssts as DecodedTable[])[0];
        v2.root.compacted = [...runs, { id: 1, ssts: [{ ...view, id: { high: 9n, low: 9n } }] }];
        await putManifest(store, 'v2db', 4, v2);
        await store.putIfAbsent(dbKeys.compactedSst('v2db', ulidToString(ulidN(1))), new Uint8Array(100));
        await store.putIfAbsent(dbKeys.compactedSst('v2db', ulidToString(ulidN(2))), new Uint8Array(250));
        const report = await pinnedSsts(new ManifestStore(store, 'v2db'), ABSENT_ID.replace('dead', 'beef'));
        assert.deepEqual(report.ssts.map((x) => [x.level, x.sizeBytes]), [['l0', 100], ['sorted_run', 250]]);
        assert.equal(report.totalBytes, 350);
      });
    });

    // ────────────────────────────────────────────────────── discovery ──
    describe('discovery', () => {
      it('finds nested databases, skips folders that are not databases, never descends into one, and each found database opens', async () => {
        await seedRealDb(store, 'tenants/t1/orders');
        await putManifest(store, 'a', 3, manifestV1());
        await putManifest(store, 'tenants/t2/deep/er/db', 1, fixture('v1-01-fresh-db').bytes);
        await putManifest(store, 'tenants/t2/deep/er/db', 2, fixture('v1-02-l0-only').bytes);
        // Not databases: an empty manifest folder, SSTs only, a stray file, a manifest-named file elsewhere.
        await store.putIfAbsent('empty/manifest/README', new Uint8Array(1));
        await store.putIfAbsent('ssts-only/compacted/01ARZ3NDEKTSV4RRFFQ69G5FAV.sst', new Uint8Array(1));
        await store.putIfAbsent('notes.txt', new Uint8Array(1));
        await store.putIfAbsent('misc/00000000000000000001.manifest', new Uint8Array(1));
        // Inside a database: database-looking folders are not reported.
        await putManifest(store, 'a/wal/x', 1, manifestV1());
        await putManifest(store, 'a/inner', 1, manifestV1());

        const found = await expectNothingWritten(store, () => discoverDatabases(store));
        assert.deepEqual(found, [
          { path: 'a', latestManifestId: 3 },
          { path: 'tenants/t1/orders', latestManifestId: 25 },
          { path: 'tenants/t2/deep/er/db', latestManifestId: 2 },
        ]);
        assert.deepEqual(await discoverDatabases(store, '/tenants/'), found.slice(1));
        assert.deepEqual(await discoverDatabases(store, 'tenants/t1/orders'), [found[1]]);
        assert.deepEqual(await discoverDatabases(store, 'nothing'), []);
        assert.deepEqual(await discoverDatabases(store, '', { maxDepth: 2 }), [found[0]], 'bounded depth');
        for (const db of found) assert.equal((await listCheckpoints(new ManifestStore(store, db.path))).manifestId, db.latestManifestId);
      });

      it('finds a database at the store root as path ""', async () => {
        await putManifest(store, '', 4, fixture('v1-04-reader-checkpoint').bytes);
        assert.deepEqual(await discoverDatabases(store), [{ path: '', latestManifestId: 4 }]);
        const listed = await listCheckpoints(new ManifestStore(store, ''));
        assert.deepEqual(listed.checkpoints.map(asOracle), oracleCheckpoints(fixture('v1-04-reader-checkpoint').oracle));
        const created = await createCheckpoint(new ManifestStore(store, ''), { name: 'root' }, ctx);
        assert.equal(created.committedManifestId, 5);
        assert.deepEqual(await keysOf(store, 'manifest/'), [dbKeys.manifest('', 4), dbKeys.manifest('', 5)]);
      });
    });

    // ──────────────────────────────────────────────────── concurrency ──
    describe('concurrency', () => {
      it('8 clients racing creates and deletes on one database: every successful create present unless we deleted it, no duplicate, no lost delete, ids contiguous', async function () {
        this.timeout(300_000);
        const t0 = Date.now();
        const real = await seedRealDb(store);
        const START = REAL_LATEST;
        const CLIENTS = 8;
        const ROUNDS = 4;
        const seeded = real.latestCheckpoints;
        const KEEP = seeded[0]; // source of some creates, deleted by nobody
        const DOOMED = [seeded[1], seeded[2]]; // each deleted by 4 clients at once
        const UNTOUCHED = [seeded[0], seeded[3]];

        type Op =
          | { kind: 'create'; client: number; name: string; sourceId?: string; id: string; manifestId: number; committed?: number; attempts: number }
          | { kind: 'delete'; client: number; id: string; target: 'own' | 'shared' | 'absent'; deleted: boolean; committed?: number; attempts: number };
        const ops: Op[] = [];
        let conflicts = 0;
        let puts = 0;

        const run = async (c: number) => {
          const counting = new CountingObjectStore(client());
          const ms = new ManifestStore(counting, REAL_DB);
          /** Per operation: attempts from the engine's own log (conflicts are logged per retry, the commit with its attempt). */
          const opCtx = () => {
            const seen = { attempts: 1 };
            const log = (_level: string, message: string) => {
              if (/created by another writer first/.test(message)) conflicts++;
              const m = /\(attempt (\d+)/.exec(message);
              if (m) seen.attempts = Math.max(seen.attempts, Number(m[1]));
            };
            return { seen, ctx: { maxAttempts: 200, baseDelayMs: 2, maxDelayMs: 100, log } satisfies OperationContext };
          };
          const mine: string[] = [];
          for (let r = 0; r < ROUNDS; r++) {
            const name = `client-${c}-round-${r}`;
            const sourceId = r === 1 && c % 2 === 0 ? KEEP.id : undefined;
            let o = opCtx();
            const created = await createCheckpoint(ms, { name, lifetimeMs: 3_600_000, ...(sourceId ? { sourceId } : {}) }, o.ctx);
            ops.push({ kind: 'create', client: c, name, sourceId, id: created.id, manifestId: created.manifestId, committed: created.committedManifestId, attempts: o.seen.attempts });
            mine.push(created.id);
            if (r % 2 === 1) {
              // Delete our checkpoint of the previous round.
              o = opCtx();
              const id = mine[r - 1];
              const res = await deleteCheckpoint(ms, { id }, o.ctx);
              ops.push({ kind: 'delete', client: c, id, target: 'own', deleted: res.deleted, committed: res.committedManifestId, attempts: o.seen.attempts });
            }
            if (r === 2) {
              o = opCtx();
              const id = DOOMED[c % 2].id;
              const res = await deleteCheckpoint(ms, { id }, o.ctx);
              ops.push({ kind: 'delete', client: c, id, target: 'shared', deleted: res.deleted, committed: res.committedManifestId, attempts: o.seen.attempts });
            }
            if (r === 3) {
              o = opCtx();
              const id = randomUUID();
              const res = await deleteCheckpoint(ms, { id }, o.ctx);
              ops.push({ kind: 'delete', client: c, id, target: 'absent', deleted: res.deleted, committed: res.committedManifestId, attempts: o.seen.attempts });
            }
          }
          puts += counting.counts.put;
        };
        await Promise.all(Array.from({ length: CLIENTS }, (_, c) => run(c)));

        const creates = ops.filter((o): o is Extract<Op, { kind: 'create' }> => o.kind === 'create');
        const deletes = ops.filter((o): o is Extract<Op, { kind: 'delete' }> => o.kind === 'delete');
        assert.equal(creates.length, CLIENTS * ROUNDS);

        // Manifests: contiguous from the start id, one per commit, all decodable and writable.
        const verifier = new ManifestStore(store, REAL_DB);
        const latest = (await verifier.latestId({ cold: true }))!;
        const listed = (await verifier.listManifests({ start: START })).map((m) => m.id);
        assert.deepEqual(listed, Array.from({ length: latest - START + 1 }, (_, i) => START + i), 'no holes above the start id');
        const claims = ops.filter((o) => o.committed !== undefined);
        const byCommit = new Map<number, Op[]>();
        for (const o of claims) byCommit.set(o.committed!, [...(byCommit.get(o.committed!) ?? []), o]);
        assert.deepEqual([...byCommit.keys()].sort((x, y) => x - y), listed.slice(1), 'every new manifest is an operation\'s commit, and every commit is there');
        // Two writers that make the SAME change on the same manifest write identical bytes; the engine
        // counts identical bytes at N+1 as its own write (needed for a PUT that landed but failed), so
        // concurrent deletes of one checkpoint may both claim the one manifest that removes it. Only
        // that is allowed: any other shared claim would be a lost update.
        let sharedClaims = 0;
        for (const [id, claimants] of byCommit) {
          if (claimants.length === 1) continue;
          sharedClaims += claimants.length - 1;
          assert.ok(
            claimants.every((o) => o.kind === 'delete' && o.target === 'shared' && o.id === claimants[0].id),
            `manifest ${id} is claimed by ${JSON.stringify(claimants)}`,
          );
        }
        assert.ok(creates.every((o) => o.committed !== undefined && byCommit.get(o.committed)!.length === 1), 'every create committed a manifest of its own');

        // Walk the history: each manifest differs from the previous one by exactly its operation.
        let prev = checkpointsOf(await decodedAt(store, REAL_DB, START));
        for (let id = START + 1; id <= latest; id++) {
          const m = await decodedAt(store, REAL_DB, id);
          assert.equal(m.readOnlyReason, undefined);
          assert.equal(m.formatVersion, 1);
          assert.deepEqual(withoutCheckpoints(m), withoutCheckpoints(decodeManifest(fixture('v1-06-sorted-runs-checkpoints').bytes)), `manifest ${id}: only checkpoints changed`);
          const cur = checkpointsOf(m);
          const op = byCommit.get(id)![0];
          if (op.kind === 'create') {
            assert.deepEqual(cur.slice(0, -1), prev, `manifest ${id} = manifest ${id - 1} + the checkpoint of ${op.name}`);
            const cp = cur.at(-1)!;
            assert.deepEqual(
              { id: cp.id, name: cp.name, manifestId: cp.manifestId, life: cp.expireTimeS - cp.createTimeS },
              { id: op.id, name: op.name, manifestId: op.sourceId ? KEEP.manifestId : id, life: 3600 },
            );
          } else {
            assert.deepEqual(cur, prev.filter((c) => c.id !== op.id), `manifest ${id} = manifest ${id - 1} without ${op.id}`);
            assert.ok(prev.some((c) => c.id === op.id), `manifest ${id - 1} held ${op.id}`);
          }
          prev = cur;
        }

        // The end state.
        const final = (await listCheckpoints(verifier)).checkpoints;
        const finalIds = final.map((c) => c.id);
        assert.equal(new Set(finalIds).size, finalIds.length, 'duplicate checkpoint ids');
        const createdIds = creates.map((o) => o.id);
        assert.equal(new Set(createdIds).size, createdIds.length, 'two creates returned the same id');
        assert.ok(createdIds.every((id) => V4.test(id)));
        const deletedByUs = new Set(deletes.filter((d) => d.deleted).map((d) => d.id));
        for (const c of creates) assert.equal(finalIds.includes(c.id), !deletedByUs.has(c.id), `${c.name} (${c.id})`);
        for (const d of deletes.filter((x) => x.deleted)) assert.ok(!finalIds.includes(d.id), `lost delete of ${d.id}`);
        for (const d of deletes.filter((x) => x.target === 'own')) assert.equal(d.deleted, true);
        for (const d of deletes.filter((x) => x.target === 'absent')) assert.deepEqual([d.deleted, d.committed], [false, undefined]);
        for (const doomed of DOOMED) {
          const tries = deletes.filter((d) => d.id === doomed.id);
          assert.equal(tries.length, CLIENTS / 2);
          assert.equal(new Set(tries.filter((d) => d.committed !== undefined).map((d) => d.committed)).size, 1, `exactly one manifest removes ${doomed.id}`);
          assert.ok(tries.every((d) => d.deleted || d.committed === undefined), 'a delete that committed says deleted');
          assert.ok(!finalIds.includes(doomed.id));
        }
        for (const u of UNTOUCHED) assert.deepEqual(asOracle(final.find((c) => c.id === u.id)!), u, 'a checkpoint nobody touched is unchanged');
        assert.equal(final.length, UNTOUCHED.length + creates.length - deletes.filter((d) => d.target === 'own').length);

        const attempts = claims.map((o) => o.attempts);
        const figures: RaceFigures = {
          backend: name,
          clients: CLIENTS,
          operations: ops.length,
          commits: byCommit.size,
          sharedClaims,
          puts,
          conflictsRetried: conflicts,
          maxAttemptsOneOp: Math.max(...ops.map((o) => o.attempts)),
          meanAttemptsPerCommit: Math.round((attempts.reduce((a, b) => a + b, 0) / attempts.length) * 100) / 100,
          ms: Date.now() - t0,
        };
        raceFigures.push(figures);
        console.log(
          `      race on ${name}: ${CLIENTS} clients, ${figures.operations} operations, ${figures.commits} commits (manifests ${START + 1}..${latest}), ` +
            `${sharedClaims} shared claims, ` +
            `${figures.puts} PUTs, ${figures.conflictsRetried} conflicts retried, attempts/commit mean ${figures.meanAttemptsPerCommit} max ${figures.maxAttemptsOneOp}, ${figures.ms} ms`,
        );
        assert.equal(puts, claims.length + conflicts, 'every PUT either committed (or met identical bytes) or lost a race');
      });
    });
  });
}
