/**
 * verify-checkpoint on the REAL engine's databases (test/fixtures/dataDbs): every checkpoint of every
 * fixture verifies OK, shallow and deep; then, on copies, damage is found where it should be:
 * a flipped byte inside a data block (deep only; the scan names the SST), a deleted SST, a deleted pinned
 * manifest, a truncated SST and a truncated WAL file (shallow already). Nothing is ever written.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { isEngineError } from '../../src/engine/errors';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { objectsOf, resolveState, scanState } from '../../src/engine/read/pointInTime';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import type { ObjectStore } from '../../src/engine/store/objectStore';
import { verifyCheckpoint, VerifyProgress } from '../../src/engine/verify';
import { copyFixtureDbs, DataFixtures, dataFixtures } from '../fixtures/dataDbs';
import { RecordingStore } from '../unit/sst/recordingStore';

async function drain(store: ObjectStore, ms: ManifestStore, cp: string): Promise<number> {
  let n = 0;
  for await (const _ of scanState(store, await resolveState(ms, cp))) n++;
  return n;
}

describe('verify-checkpoint on real-engine databases', function () {
  this.timeout(300_000);
  let fx: DataFixtures;
  let scratch: string;
  before(async () => {
    fx = await dataFixtures();
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'verify-'));
  });
  after(async () => {
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
  });

  it('every checkpoint of every fixture is OK, shallow and deep, with plausible counts, and nothing is written', async () => {
    const store = new RecordingStore(new LocalObjectStore(fx.root));
    let verified = 0;
    for (const db of fx.databases) {
      const ms = new ManifestStore(store, db.path);
      for (const cp of db.checkpoints) {
        for (const deep of [false, true]) {
          const progress: VerifyProgress[] = [];
          const r = await verifyCheckpoint(ms, cp.id, { deep, onProgress: (p) => progress.push(p) });
          assert.deepEqual(r.problems, [], `${db.name} ${cp.label} (${deep ? 'deep' : 'shallow'})`);
          assert.ok(r.ok);
          assert.equal(r.checked.manifests, 1);
          assert.equal(r.manifestId, cp.manifestId);
          const objects = objectsOf(await resolveState(ms, cp.id));
          assert.equal(r.checked.ssts, objects.filter((o) => o.kind === 'sst').length);
          assert.equal(r.checked.walFiles, objects.filter((o) => o.kind === 'wal').length);
          if (objects.length > 0) assert.ok(r.checked.bytes > 0);
          if (deep && r.checked.ssts > 0) assert.ok(r.checked.blocks >= r.checked.ssts, `${db.name} ${cp.label}: ${r.checked.blocks} blocks`);
          if (!deep) assert.equal(r.checked.blocks, 0);
          assert.equal(progress.at(-1)?.done, objects.length);
          verified++;
        }
      }
    }
    assert.ok(verified >= 40, `${verified} verifications`);
    assert.deepEqual(store.writes(), []);
  });

  it('an unknown checkpoint is CHECKPOINT_NOT_FOUND; an aborted signal is CANCELLED', async () => {
    const ms = new ManifestStore(new LocalObjectStore(fx.root), 'codec-zstd');
    await assert.rejects(verifyCheckpoint(ms, '00000000-0000-4000-8000-000000000000', { deep: false }), (e: unknown) => isEngineError(e, 'CHECKPOINT_NOT_FOUND'));
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(verifyCheckpoint(ms, fx.checkpoint('codec-zstd', 'deletes').id, { deep: true, signal: ac.signal }), (e: unknown) => isEngineError(e, 'CANCELLED'));
  });

  for (const codec of ['codec-zstd', 'codec-none']) {
    it(`${codec}: a flipped byte in a data block — scan fails naming the SST, deep verify reports it, shallow does not`, async () => {
      const root = path.join(scratch, `flip-${codec}`);
      await copyFixtureDbs(fx, root, [codec]);
      const store = new LocalObjectStore(root);
      const ms = new ManifestStore(store, codec);
      const cp = fx.checkpoint(codec, 'deletes').id;
      const sst = objectsOf(await resolveState(ms, cp)).find((o) => o.kind === 'sst')!;
      const file = path.join(root, sst.key);
      const bytes = await fs.readFile(file);
      bytes[Math.floor(sst.info!.indexOffset / 2)] ^= 0x5a; // inside the data blocks, before the index
      await fs.writeFile(file, bytes);

      await assert.rejects(drain(store, ms, cp), (e: unknown) => isEngineError(e, 'DATA_CORRUPT') && (e as { key?: string }).key === sst.key && (e as Error).message.includes(sst.key));
      const shallow = await verifyCheckpoint(ms, cp, { deep: false });
      assert.ok(shallow.ok, `shallow verify reads no block: ${JSON.stringify(shallow.problems)}`);
      const deep = await verifyCheckpoint(ms, cp, { deep: true });
      assert.equal(deep.ok, false);
      assert.deepEqual(deep.problems.map((p) => p.key), [sst.key]);
      assert.match(deep.problems[0].problem, /checksum|CRC|corrupt|damaged/i);
    });
  }

  it('a deleted SST, a truncated SST, a truncated WAL file and a deleted pinned manifest are found (shallow: SSTs and the manifest; deep: the WAL)', async () => {
    const db = 'codec-lz4';
    const root = path.join(scratch, 'damage');
    await copyFixtureDbs(fx, root, [db]);
    const store = new LocalObjectStore(root);
    const ms = new ManifestStore(store, db);

    const cp = fx.checkpoint(db, 'deletes');
    const [first, second] = objectsOf(await resolveState(ms, cp.id)).filter((o) => o.kind === 'sst');
    await fs.rm(path.join(root, first.key));
    const truncated = path.join(root, second.key);
    await fs.truncate(truncated, Math.floor(second.info!.indexOffset / 2));
    const r = await verifyCheckpoint(ms, cp.id, { deep: false });
    assert.equal(r.ok, false);
    const byKey = new Map(r.problems.map((p) => [p.key, p.problem]));
    assert.match(byKey.get(first.key) ?? '', /does not exist/);
    assert.ok(byKey.has(second.key), `truncated SST reported: ${JSON.stringify(r.problems)}`);
    await assert.rejects(drain(store, ms, cp.id), (e: unknown) => isEngineError(e, 'DATA_MISSING') || isEngineError(e, 'DATA_CORRUPT'));

    // A WAL file of a checkpoint's replay range, cut short: deep verify names it.
    let walCase: { cp: string; key: string } | undefined;
    for (const c of fx.db(db).checkpoints) {
      for (const o of objectsOf(await resolveState(ms, c.id))) {
        if (o.kind === 'wal' && !walCase && (await fs.stat(path.join(root, o.key))).size > 200) walCase = { cp: c.id, key: o.key };
      }
    }
    assert.ok(walCase, `${db}: a checkpoint with a non-empty WAL file in its replay range`);
    const walFile = path.join(root, walCase.key);
    await fs.truncate(walFile, (await fs.stat(walFile)).size - 7);
    const walVerify = await verifyCheckpoint(ms, walCase.cp, { deep: true });
    assert.ok(walVerify.problems.some((p) => p.key === walCase!.key), `truncated WAL reported: ${JSON.stringify(walVerify.problems)}`);

    const pinned = fx.checkpoint(db, 'base');
    await fs.rm(path.join(root, ms.keyOf(pinned.manifestId)));
    const gone = await verifyCheckpoint(ms, pinned.id, { deep: false });
    assert.equal(gone.ok, false);
    assert.deepEqual(gone.problems.map((p) => p.key), [ms.keyOf(pinned.manifestId)]);
    assert.equal(gone.checked.manifests, 0);
  });
});
