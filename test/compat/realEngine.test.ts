/**
 * Our engine against the REAL SlateDB 0.12.1 (`@slatedb/uniffi`) on a local directory: what we list
 * is what SlateDB wrote (checked by flatc with SlateDB's own schema), what we write is what SlateDB
 * reads (its DbReader opens our checkpoints), and a live SlateDB writer racing 8 of our clients
 * loses nothing on either side.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCheckpoint, deleteCheckpoint, listCheckpoints, refreshCheckpoint } from '../../src/engine/checkpoints';
import { EngineError } from '../../src/engine/errors';
import { decodeManifest, encodeManifest } from '../../src/engine/manifest/codec';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { checkpointsOf, sstsOf } from '../../src/engine/manifest/model';
import { pinnedSsts } from '../../src/engine/pinned';
import { dbKeys } from '../../src/engine/paths';
import { CountingObjectStore } from '../../src/engine/store/countingStore';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import {
  buildDatabase,
  BuiltDatabase,
  closeKeptReaders,
  findFlatcOracle,
  FlatcOracle,
  keyFor,
  listManifestIds,
  oracleCheckpoints,
  OracleCheckpoint,
  openReaderAtCheckpoint,
  parseFlatcJson,
  readObject,
  startLiveWriter,
  withTimeout,
} from '../fixtures/realSlateDb';
import { toV2 } from '../support/manifestKit';

const DB = 'db';
const manifestKey = (id: number) => dbKeys.manifest(DB, id);

describe('our engine against the real SlateDB 0.12.1', function () {
  this.timeout(180_000);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'real-compat-'));
  let built: BuiltDatabase;
  let oracle: FlatcOracle;
  let store: LocalObjectStore;
  let ms: ManifestStore;

  /** Checkpoints of the latest manifest as flatc reads it with SlateDB's schema (no code of ours). */
  async function oracleLatest(): Promise<{ id: number; checkpoints: OracleCheckpoint[] }> {
    const ids = await listManifestIds(scratch, DB);
    const id = ids.at(-1)!;
    const bytes = await readObject(scratch, manifestKey(id));
    return { id, checkpoints: oracleCheckpoints(parseFlatcJson((await oracle.decodeManifest(bytes!)).json)) };
  }

  /** Reads sampled rows at a checkpoint with the real DbReader; returns how many matched. */
  async function readAt(checkpointId: string, expectPresent: Array<[string, string]>, expectAbsent: string[] = []): Promise<void> {
    const reader = await openReaderAtCheckpoint(scratch, DB, checkpointId, { stepTimeoutMs: 30_000 });
    try {
      for (const [k, v] of expectPresent) assert.equal(await reader.get(k), v, `${k} at checkpoint ${checkpointId}`);
      for (const k of expectAbsent) assert.equal(await reader.get(k), undefined, `${k} must not be visible at checkpoint ${checkpointId}`);
    } finally {
      await reader.close();
    }
  }

  const sample = () => [...built.writtenKeys.entries()].filter((_, i) => i % 7 === 0);

  before(async function () {
    const o = await findFlatcOracle((why) => assert.fail(`the flatc oracle is required here: ${why}`));
    oracle = o!;
    built = await buildDatabase({ rootDir: scratch, dbPath: DB });
    store = new LocalObjectStore(scratch);
    ms = new ManifestStore(store, DB);
  });

  after(async () => {
    const errors = await closeKeptReaders();
    fs.rmSync(scratch, { recursive: true, force: true });
    assert.deepEqual(errors, []);
  });

  it('the database SlateDB built has L0 SSTs, sorted runs, manifest-id gaps and reader checkpoints', async () => {
    const ids = (await ms.listManifests()).map((m) => m.id);
    assert.deepEqual(ids, built.manifestIds);
    assert.ok(ids.slice(1).some((id, i) => id !== ids[i] + 1), `gaps expected: ${ids}`);
    let l0 = 0;
    let runs = 0;
    for (const id of ids) {
      const m = (await ms.read(id)).manifest;
      l0 += (m.root.l0 as unknown[]).length;
      runs += (m.root.compacted as unknown[]).length;
    }
    assert.ok(l0 > 0 && runs > 0, `l0 ${l0}, sorted runs ${runs}`);
    const readers = (await listCheckpoints(ms)).checkpoints.filter((c) => c.expireTimeS - c.createTimeS === 7200);
    assert.equal(readers.length, built.keptReaders.length);
  });

  it('listCheckpoints equals the checkpoints flatc decodes from the latest manifest with SlateDB\'s schema', async () => {
    const truth = await oracleLatest();
    const ours = await listCheckpoints(ms);
    assert.equal(ours.manifestId, truth.id);
    assert.ok(truth.checkpoints.length >= 3, 'compactor and reader checkpoints expected');
    assert.deepEqual(
      ours.checkpoints.map((c) => ({ id: c.id, manifestId: c.manifestId, expireTimeS: c.expireTimeS, createTimeS: c.createTimeS, name: c.name, writer: c.writerEpoch !== null })),
      truth.checkpoints.map((c) => ({ id: c.id, manifestId: c.manifestId, expireTimeS: c.expireTimeS, createTimeS: c.createTimeS, name: c.name ?? null, writer: c.metadataType === 'WriterCheckpoint' })),
    );
    // Every checkpoint pins a manifest GC kept, and pinned-ssts resolves each.
    for (const c of ours.checkpoints) {
      assert.ok(built.manifestIds.includes(c.manifestId), `checkpoint ${c.id} pins missing manifest ${c.manifestId}`);
      const report = await pinnedSsts(ms, c.id);
      assert.ok(report.ssts.length > 0 && report.ssts.every((s) => s.sizeBytes !== null && s.sizeBytes > 0), `SST files of ${c.id} exist`);
    }
  });

  const ours: Record<string, string> = {};

  it('checkpoints we create (plain, named with a lifetime, and from a source) are opened by the real DbReader and read back the written values', async () => {
    const plain = await createCheckpoint(ms, {});
    const named = await createCheckpoint(ms, { name: 'explorer-test', lifetimeMs: 3_600_000 });
    const firstReader = built.keptReaders[0];
    const readerCp = (await listCheckpoints(ms)).checkpoints
      .filter((c) => c.expireTimeS - c.createTimeS === 7200)
      .sort((a, b) => a.manifestId - b.manifestId)[0];
    const fromSource = await createCheckpoint(ms, { sourceId: readerCp.id, name: 'from-source' });
    assert.equal(fromSource.manifestId, readerCp.manifestId);
    Object.assign(ours, { plain: plain.id, named: named.id, fromSource: fromSource.id });

    // SlateDB's own schema sees exactly what we meant to write.
    const truth = await oracleLatest();
    const byId = new Map(truth.checkpoints.map((c) => [c.id, c]));
    assert.equal(byId.get(plain.id)!.expireTimeS, 0);
    assert.equal(byId.get(plain.id)!.manifestId, plain.manifestId);
    assert.equal(byId.get(named.id)!.name, 'explorer-test');
    assert.equal(byId.get(named.id)!.expireTimeS - byId.get(named.id)!.createTimeS, 3600);
    assert.equal(byId.get(fromSource.id)!.manifestId, readerCp.manifestId);

    await readAt(plain.id, sample());
    await readAt(named.id, sample());
    // The source checkpoint's state: rows written before that reader opened, none after.
    const before = sample().filter(([k]) => Number(k.slice(4)) < firstReader.rowsBefore);
    await readAt(fromSource.id, before, [keyFor(firstReader.rowsBefore)]);
  });

  it('a live SlateDB writer (compacting, collecting garbage) keeps our checkpoints and the data they pin', async () => {
    const writer = startLiveWriter(scratch, DB, { keyPrefix: 'live-', flushEvery: 2 });
    assert.equal(await withTimeout(writer.ready, 30_000, 'live writer open'), true);
    await new Promise((r) => setTimeout(r, 4000));
    const res = await writer.stop();
    assert.deepEqual(res.errors, []);
    assert.ok(res.flushes > 3, `flushes ${res.flushes}`);
    const latest = await oracleLatest();
    assert.ok(latest.id > built.manifestIds.at(-1)! + 3, 'the writer committed manifests');
    for (const id of Object.values(ours)) assert.equal(latest.checkpoints.filter((c) => c.id === id).length, 1, `checkpoint ${id} kept once`);
    // GC ran: the plain checkpoint's manifest survives and its state reads back, without the later rows.
    const plain = (await listCheckpoints(ms)).checkpoints.find((c) => c.id === ours.plain)!;
    assert.ok((await listManifestIds(scratch, DB)).includes(plain.manifestId));
    await readAt(ours.plain, sample(), [keyFor(0, 'live-')]);
  });

  it('a refresh we make is what SlateDB reads and keeps, and the refreshed checkpoint still opens', async () => {
    const t = Math.floor(Date.now() / 1000);
    const refreshed = await refreshCheckpoint(ms, { id: ours.named, lifetimeMs: 7_200_000 });
    assert.ok(refreshed.expireTimeS >= t + 7200 && refreshed.expireTimeS <= t + 7201, `expire ${refreshed.expireTimeS} vs now ${t}`);
    const writer = startLiveWriter(scratch, DB, { keyPrefix: 'live2-', flushEvery: 1 });
    assert.equal(await withTimeout(writer.ready, 30_000, 'live writer open'), true);
    await new Promise((r) => setTimeout(r, 1500));
    const res = await writer.stop();
    assert.deepEqual(res.errors, []);
    const truth = (await oracleLatest()).checkpoints.find((c) => c.id === ours.named)!;
    assert.equal(truth.expireTimeS, refreshed.expireTimeS);
    assert.equal(truth.name, 'explorer-test');
    await readAt(ours.named, sample());
  });

  it('a checkpoint we delete can no longer be opened by the real DbReader ("checkpoint missing")', async () => {
    const res = await deleteCheckpoint(ms, { id: ours.plain });
    assert.equal(res.deleted, true);
    assert.ok(!(await oracleLatest()).checkpoints.some((c) => c.id === ours.plain));
    let message = '';
    await assert.rejects(openReaderAtCheckpoint(scratch, DB, ours.plain, { stepTimeoutMs: 20_000 }), (e: unknown) => {
      message = e instanceof Error ? e.message : String(e);
      return /checkpoint missing/i.test(message);
    });
    console.log(`      real engine error: ${message.split('\n')[0]}`);
    // Deleting it again is a success that writes nothing.
    const before = await listManifestIds(scratch, DB);
    assert.equal((await deleteCheckpoint(ms, { id: ours.plain })).deleted, false);
    assert.deepEqual(await listManifestIds(scratch, DB), before);
  });

  it('8 of our clients creating 6 checkpoints each while a live SlateDB writer writes and flushes: every create succeeds, each is present exactly once, the writer sees no error', async () => {
    const writer = startLiveWriter(scratch, DB, { keyPrefix: 'race-', flushEvery: 1, pauseMs: 5 });
    assert.equal(await withTimeout(writer.ready, 30_000, 'live writer open'), true);
    const perClient = 6;
    const counters = Array.from({ length: 8 }, () => new CountingObjectStore(new LocalObjectStore(scratch)));
    const created = await Promise.all(
      Array.from({ length: 8 }, async (_, client) => {
        const clientMs = new ManifestStore(counters[client], DB);
        const ids: string[] = [];
        for (let i = 0; i < perClient; i++) {
          const c = await createCheckpoint(clientMs, { name: `client-${client}` }, { maxAttempts: 100 });
          ids.push(c.id);
          await new Promise((r) => setTimeout(r, 20 + ((client * 37 + i * 11) % 60)));
        }
        return ids;
      }),
    );
    const stats = writer.stats();
    const res = await writer.stop();
    assert.deepEqual(res.errors, []);
    assert.ok(res.flushes >= 3, `the writer flushed during the race (${res.flushes})`);
    const puts = counters.reduce((sum, c) => sum + c.counts.put, 0);
    console.log(
      `      race: ${8 * perClient} creates by 8 clients took ${puts} manifest writes (${puts - 8 * perClient} lost races); ` +
        `the writer wrote ${res.writes} rows in ${res.batches} batches with ${res.flushes} flushes (${stats.flushes} during the race)`,
    );
    const all = created.flat();
    assert.equal(new Set(all).size, 8 * perClient);
    const truth = await oracleLatest();
    for (const id of all) assert.equal(truth.checkpoints.filter((c) => c.id === id).length, 1, `checkpoint ${id} present exactly once`);
    for (let client = 0; client < 8; client++) {
      assert.equal(truth.checkpoints.filter((c) => c.name === `client-${client}`).length, perClient);
    }
    await readAt(all[0], sample());
    await readAt(all.at(-1)!, sample());
  });

  it('a V2 manifest (SlateDB main\'s format) we write is read by 0.12.1, and a checkpoint we create on it opens', async () => {
    const latest = await ms.readLatest();
    assert.equal(latest.manifest.formatVersion, 1);
    const v2 = toV2(latest.manifest);
    const put = await store.putIfAbsent(manifestKey(latest.id + 1), encodeManifest(v2));
    assert.ok(put.created);
    const created = await createCheckpoint(ms, { name: 'on-v2' });
    const written = await ms.read(created.manifestId);
    assert.equal(written.manifest.formatVersion, 2);
    assert.equal((await oracle.decodeManifest(written.bytes)).rootType, 'ManifestV2');
    assert.deepEqual(
      sstsOf(written.manifest).map((s) => s.id),
      sstsOf(latest.manifest).map((s) => s.id),
    );
    await readAt(created.id, sample());
  });

  it('errors: a path without a database is DATABASE_NOT_FOUND; an uninitialized manifest refuses a create without source and writes nothing', async () => {
    const missing = new ManifestStore(store, 'no-such-db');
    for (const op of [() => listCheckpoints(missing), () => createCheckpoint(missing, {}), () => deleteCheckpoint(missing, { id: '00000000-0000-4000-8000-000000000001' })]) {
      await assert.rejects(op(), (e: unknown) => e instanceof EngineError && e.code === 'DATABASE_NOT_FOUND' && /no-such-db/.test(e.message));
    }
    assert.equal(fs.existsSync(path.join(scratch, 'no-such-db')), false, 'nothing was created');

    // A clone being set up: SlateDB's latest manifest with initialized = false.
    const real = await ms.readLatest();
    const uninit = new ManifestStore(store, 'clone');
    const m = decodeManifest(real.bytes);
    await store.putIfAbsent(dbKeys.manifest('clone', real.id), encodeManifest({ ...m, root: { ...m.root, initialized: false } }));
    await assert.rejects(createCheckpoint(uninit, {}), (e: unknown) => e instanceof EngineError && e.code === 'DATABASE_NOT_INITIALIZED');
    assert.deepEqual((await uninit.listManifests()).map((x) => x.id), [real.id]);
    const source = checkpointsOf(m)[0];
    const withSource = await createCheckpoint(uninit, { sourceId: source.id });
    assert.equal(withSource.manifestId, source.manifestId);
  });
});
