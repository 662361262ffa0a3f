/**
 * Proves the real-engine fixtures (test/fixtures/realSlateDb.ts) on their own: databases built by
 * SlateDB 0.12.1 itself, read back by SlateDB's own DbReader, checkpoints seen through the flatc
 * oracle (skipped when flatc or SlateDB's schemas are absent), a live writer, and S3 when
 * SLATEDB_TEST_S3_ENDPOINT is set (see scripts/rgw.mjs).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  buildDatabase,
  BuiltDatabase,
  closeKeptReaders,
  ensureS3Bucket,
  findFlatcOracle,
  keyFor,
  listManifestIds,
  oracleCheckpoints,
  openReader,
  openReaderAtCheckpoint,
  parseFlatcJson,
  readObject,
  startLiveWriter,
  valueFor,
  withTimeout,
} from '../fixtures/realSlateDb';

const manifestKey = (dbPath: string, id: number) => `${dbPath}/manifest/${String(id).padStart(20, '0')}.manifest`;

describe('real SlateDB fixtures (uniffi 0.12.1)', function () {
  this.timeout(90_000);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'real-slatedb-smoke-'));
  let built: BuiltDatabase;

  before(async function () {
    built = await buildDatabase({ rootDir: path.join(scratch, 'full'), dbPath: 'db' });
  });

  after(async () => {
    const errors = await closeKeptReaders();
    fs.rmSync(scratch, { recursive: true, force: true });
    assert.deepEqual(errors, []);
  });

  it('buildDatabase leaves L0/sorted-run SSTs, GC gaps in manifest ids and kept readers', async () => {
    assert.equal(built.totalRows, 12 * 400);
    assert.ok(built.objects.ssts >= 3, `ssts: ${built.objects.ssts}`);
    assert.deepEqual(await listManifestIds(built.rootDir!, 'db'), built.manifestIds);
    assert.ok(built.manifestIds[0] > 1, `GC should have deleted manifest 1: ${built.manifestIds}`);
    const gaps = built.manifestIds.slice(1).filter((id, i) => id !== built.manifestIds[i] + 1);
    assert.ok(gaps.length > 0, `expected gaps: ${built.manifestIds}`);
    assert.equal(built.keptReaders.length, 2);
    assert.ok(built.timings.totalMs < 30_000, `took ${built.timings.totalMs} ms`);
  });

  it('a fresh DbReader reads back every sampled key', async () => {
    const reader = await openReader(built.rootDir!, 'db');
    try {
      assert.ok(built.writtenKeys.size > 50);
      for (const [k, v] of built.writtenKeys) assert.equal(await reader.get(k), v, k);
      assert.equal(await reader.get(keyFor(built.totalRows)), undefined);
      const rows = await reader.scanPrefix('key-', 3);
      assert.deepEqual(rows, [0, 1, 2].map((i) => [keyFor(i), valueFor(i)]));
    } finally {
      await reader.close();
    }
  });

  it('readers pinned at the kept reader checkpoints see exactly the rows written before them (flatc oracle)', async function () {
    const oracle = await findFlatcOracle((why) => assert.fail(`the flatc oracle is required: ${why}`));
    if (!oracle) return;
    const latest = built.manifestIds.at(-1)!;
    const bytes = await readObject(built.rootDir!, manifestKey('db', latest));
    const decoded = parseFlatcJson((await oracle.decodeManifest(bytes!)).json);
    const cps = oracleCheckpoints(decoded);
    const readerCps = cps.filter((c) => c.expireTimeS - c.createTimeS === 7200).sort((a, b) => a.manifestId - b.manifestId);
    assert.equal(readerCps.length, built.keptReaders.length, JSON.stringify(cps));
    assert.ok(cps.some((c) => c.expireTimeS - c.createTimeS === 900), 'compactor checkpoints (15 min) expected');
    for (const [i, cp] of readerCps.entries()) {
      const info = built.keptReaders[i];
      assert.ok(cp.manifestId > info.latestManifestBefore && cp.manifestId <= info.latestManifestAfter, `${cp.manifestId} vs ${JSON.stringify(info)}`);
      assert.ok(built.manifestIds.includes(cp.manifestId), 'a checkpoint pins its manifest against GC');
      const reader = await openReaderAtCheckpoint(built.rootDir!, 'db', cp.id);
      try {
        assert.equal(await reader.get(keyFor(0)), valueFor(0));
        assert.equal(await reader.get(keyFor(info.rowsBefore - 1)), valueFor(info.rowsBefore - 1));
        assert.equal(await reader.get(keyFor(info.rowsBefore)), undefined);
      } finally {
        await reader.close();
      }
    }
  });

  it('openReaderAtCheckpoint fails fast for an unknown checkpoint', async () => {
    await assert.rejects(openReaderAtCheckpoint(built.rootDir!, 'db', '00000000-0000-4000-8000-000000000000', { stepTimeoutMs: 10_000 }), /checkpoint missing/i);
  });

  it('without compaction and GC: contiguous manifest ids from 1, L0 SSTs only', async () => {
    const small = await buildDatabase({ rootDir: path.join(scratch, 'small'), dbPath: 'small', rounds: 4, putsPerRound: 100, compaction: false, gc: false, readerCheckpoints: 0, closedReaders: 0, roundPauseMs: 0 });
    assert.deepEqual(small.manifestIds, Array.from({ length: small.manifestIds.length }, (_, i) => i + 1));
    assert.equal(small.objects.compactions, 0);
    assert.equal(small.objects.ssts, 4);
    assert.equal(small.timings.settleMs, 0);
  });

  it('a live writer runs 5 s without errors and its rows are readable', async () => {
    const root = path.join(scratch, 'live');
    const writer = startLiveWriter(root, 'live', { gc: true, compaction: true });
    assert.equal(await withTimeout(writer.ready, 30_000, 'live writer open'), true);
    await new Promise((r) => setTimeout(r, 5000));
    const mid = writer.stats();
    const res = await writer.stop();
    assert.deepEqual(res.errors, []);
    assert.ok(res.writes >= mid.writes && res.writes > 500, `writes ${res.writes}`);
    assert.ok(res.flushes > 5, `flushes ${res.flushes}`);
    const reader = await openReader(root, 'live');
    try {
      assert.equal(await reader.get(keyFor(res.nextRow - 1, 'live-')), valueFor(res.nextRow - 1, 100));
    } finally {
      await reader.close();
    }
  });

  describe('on S3 (Ceph RGW, or the server named by SLATEDB_TEST_S3_*)', function () {
    this.timeout(300_000);
    let env: Record<string, string> = {};
    let storeUrl = '';

    before(async () => {
      const { s3TestServer, createTestBucket } = await import('../store/s3TestServer');
      const server = await s3TestServer();
      env = {
        AWS_ENDPOINT: server.endpoint,
        AWS_ACCESS_KEY_ID: server.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
        AWS_REGION: server.region,
        AWS_ALLOW_HTTP: 'true',
      };
      storeUrl = `s3://${await createTestBucket('smoke')}/run-${Date.now()}`;
    });

    it('builds a database, lists its manifests and reads it back', async () => {
      await ensureS3Bucket({ storeUrl, env });
      const db = await buildDatabase({ storeUrl, env, dbPath: 'db', rounds: 6, putsPerRound: 200, readerCheckpoints: 1, closedReaders: 0 });
      assert.ok(db.manifestIds.length > 0);
      assert.deepEqual(await listManifestIds({ storeUrl, env }, 'db'), db.manifestIds);
      assert.ok(db.objects.ssts > 0);
      const reader = await openReader({ storeUrl, env }, 'db');
      try {
        for (const [k, v] of db.writtenKeys) assert.equal(await reader.get(k), v, k);
      } finally {
        await reader.close();
      }
      const live = startLiveWriter({ storeUrl, env }, 'live', { compaction: false });
      assert.equal(await live.ready, true);
      await new Promise((r) => setTimeout(r, 1500));
      const res = await live.stop();
      assert.deepEqual(res.errors, []);
      assert.ok(res.writes > 0);
    });
  });
});
