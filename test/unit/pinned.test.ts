/**
 * The SSTs a checkpoint pins and the bytes deleting it would free (src/engine/pinned.ts).
 */
import * as assert from 'node:assert/strict';
import { EngineError } from '../../src/engine/errors';
import { ulidToString } from '../../src/engine/ids';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { pinnedSsts } from '../../src/engine/pinned';
import { dbKeys } from '../../src/engine/paths';
import { MemoryObjectStore } from '../../src/engine/store/memoryStore';
import { checkpointTable, compactedSst, manifestV1, putManifest, ulidN } from '../support/manifestKit';

const DB = 'db';

function isCode(code: string, message?: RegExp) {
  return (e: unknown) => e instanceof EngineError && e.code === code && (!message || message.test(e.message));
}

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
