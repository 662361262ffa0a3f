/**
 * Manifest format version 2 (SlateDB main): SSTs listed once in `ssts`, referenced from L0 and
 * sorted runs by views. 0.12.1 writes V1 only, so V2 manifests are made here from real V1 ones the
 * way SlateDB's own V1 → V2 conversion does (`flatbuffer_types.rs`: `manifest_v1` then
 * `create_manifest`): view id = SST id, one `ssts` entry per distinct SST (ordered by ULID).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { createCheckpoint } from '../../../src/engine/checkpoints';
import { ulidToString } from '../../../src/engine/ids';
import { DecodedManifest, decodeManifest, encodeManifest } from '../../../src/engine/manifest/codec';
import { ManifestStore } from '../../../src/engine/manifest/manifestStore';
import { checkpointsOf, sstsOf } from '../../../src/engine/manifest/model';
import { pinnedSsts } from '../../../src/engine/pinned';
import { LocalObjectStore } from '../../../src/engine/store/local/localStore';
import { MemoryObjectStore } from '../../../src/engine/store/memoryStore';
import type { ObjectStore } from '../../../src/engine/store/objectStore';
import {
  canonFlatc,
  canonOurs,
  checkpointTable,
  compactedSst,
  flatcAvailable,
  flatcDecode,
  OUR_FBS,
  parseJsonBig,
  putManifest,
  REPO_ROOT,
  slatedbSchemaDir,
  toV2,
  ulidN,
  ulidTable,
} from '../../support/manifestKit';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/manifests');

function realV1Manifests(): Array<{ name: string; manifest: DecodedManifest }> {
  const files = fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.manifest')).sort() : [];
  assert.ok(files.length > 0, `no captured real manifests in ${FIXTURES}`);
  return files.map((f) => ({ name: f, manifest: decodeManifest(new Uint8Array(fs.readFileSync(path.join(FIXTURES, f))), f) }));
}

const levelsOf = (m: DecodedManifest) => sstsOf(m).map((s) => ({ id: s.id, level: s.level, sortedRun: s.sortedRun }));

describe('manifest format version 2', function () {
  this.timeout(60_000);
  const real = realV1Manifests();
  const withSsts = real.filter((r) => sstsOf(r.manifest).length > 0);

  it('toV2 of real V1 manifests encodes as format version 2 and decodes to the same tree', () => {
    for (const { name, manifest } of real) {
      const v2 = toV2(manifest);
      const bytes = encodeManifest(v2);
      assert.deepEqual([bytes[0], bytes[1]], [0, 2], name);
      const back = decodeManifest(bytes, name);
      assert.equal(back.formatVersion, 2);
      assert.equal(back.readOnlyReason, undefined);
      assert.ok(isDeepStrictEqual(back, v2), `${name}: V2 tree changed across encode/decode`);
    }
  });

  it('sstsOf lists the same SST ids, levels and sorted runs for the V2 conversion as for the V1 original', () => {
    assert.ok(withSsts.length >= 3, 'fixtures with SSTs expected');
    for (const { name, manifest } of withSsts) {
      const v2 = decodeManifest(encodeManifest(toV2(manifest)));
      assert.deepEqual(levelsOf(v2), levelsOf(manifest), name);
      assert.deepEqual(
        sstsOf(v2).map((s) => [Buffer.from(s.firstKey!).toString(), Buffer.from(s.lastKey!).toString()]),
        sstsOf(manifest).map((s) => [Buffer.from(s.firstKey!).toString(), Buffer.from(s.lastKey!).toString()]),
        `${name}: keys come from the shared ssts entry`,
      );
      assert.deepEqual(checkpointsOf(v2), checkpointsOf(manifest), name);
    }
  });

  it('flatc reads our V2 bytes, with our .fbs and with SlateDB\'s schema, as the same fields', async function () {
    assert.ok(flatcAvailable(), 'flatc is not on PATH: apt-get install -y flatbuffers-compiler');
    const schemas = await slatedbSchemaDir();
    assert.ok('dir' in schemas, 'why' in schemas ? schemas.why : '');
    for (const { name, manifest } of withSsts) {
      const v2 = toV2(manifest);
      const bytes = encodeManifest(v2);
      for (const schema of [OUR_FBS, path.join(schemas.dir, 'root.fbs')]) {
        const flatc = await flatcDecode(schema, bytes, { defaults: true });
        assert.equal(flatc.rootType, 'ManifestV2');
        assert.deepStrictEqual(canonFlatc('ManifestV2', parseJsonBig(flatc.json) as Record<string, unknown>), canonOurs('ManifestV2', v2.root), `${name} via ${schema}`);
      }
    }
  });

  const stores: Array<[string, () => { store: ObjectStore; cleanup: () => void }]> = [
    ['MemoryObjectStore', () => ({ store: new MemoryObjectStore(), cleanup: () => undefined })],
    [
      'LocalObjectStore',
      () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'v2-local-'));
        return { store: new LocalObjectStore(dir), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
      },
    ],
  ];
  for (const [label, make] of stores) {
    it(`createCheckpoint on a V2 database (${label}) writes a V2 manifest with ssts, l0 and compacted unchanged`, async () => {
      const { store, cleanup } = make();
      try {
        const source = withSsts.at(-1)!;
        const v2 = toV2(source.manifest);
        await putManifest(store, 'db', 41, v2);
        const ms = new ManifestStore(store, 'db');
        const created = await createCheckpoint(ms, { name: 'v2-test', lifetimeMs: 3_600_000 });
        assert.equal(created.manifestId, 42);
        const next = await ms.read(42);
        assert.equal(next.manifest.formatVersion, 2);
        assert.deepEqual([next.bytes[0], next.bytes[1]], [0, 2]);
        assert.equal(next.manifest.readOnlyReason, undefined);
        for (const field of Object.keys(v2.root)) {
          if (field === 'checkpoints') continue;
          assert.ok(isDeepStrictEqual(next.manifest.root[field], v2.root[field]), `field ${field} changed`);
        }
        const cps = checkpointsOf(next.manifest);
        assert.deepEqual(cps.slice(0, -1), checkpointsOf(v2));
        assert.equal(cps.at(-1)!.id, created.id);
        assert.equal(cps.at(-1)!.name, 'v2-test');
        assert.deepEqual(levelsOf(next.manifest), levelsOf(source.manifest));
      } finally {
        cleanup();
      }
    });
  }

  describe('an SST shared by several views', () => {
    // SST X backs an L0 view and a sorted-run view with a different view id (as after a partial
    // compaction with visible ranges); SST Y is in a sorted run only.
    const X = ulidN(100);
    const Y = ulidN(200);
    const viewOf = (viewId: ReturnType<typeof ulidN>, sst: ReturnType<typeof ulidN>) => ({ id: ulidTable(viewId), sst_id: ulidTable(sst), visible_range: null });
    const cpId = 'c0000000-0000-4000-8000-000000000001';
    const shared = (): DecodedManifest => {
      const x = compactedSst(X, 'a', 'm');
      const y = compactedSst(Y, 'n', 'z');
      return {
        formatVersion: 2,
        root: {
          manifest_id: 0n,
          external_dbs: null,
          initialized: true,
          writer_epoch: 1n,
          compactor_epoch: 1n,
          replay_after_wal_id: 0n,
          wal_id_last_seen: 0n,
          last_compacted_l0_sst_view_id: null,
          ssts: [x, y].map((s) => ({ id: s.id, info: s.info, format_version: s.format_version })),
          l0: [viewOf(X, X)],
          compacted: [{ id: 3, ssts: [viewOf(ulidN(101), X), viewOf(Y, Y)] }],
          last_l0_clock_tick: 0n,
          checkpoints: [checkpointTable({ id: cpId, manifestId: 5 })],
          last_l0_seq: 0n,
          recent_snapshot_min_seq: 0n,
          sequence_tracker: null,
          segments: null,
          segment_extractor_name: null,
        },
      };
    };

    it('counts the SST once in sstsOf, at the level of its first view', () => {
      const m = decodeManifest(encodeManifest(shared()));
      const ssts = sstsOf(m);
      assert.deepEqual(
        ssts.map((s) => [s.id, s.level, s.sortedRun]),
        [
          [ulidToString(X), 'l0', null],
          [ulidToString(Y), 'sorted_run', 3],
        ],
      );
    });

    it('counts its bytes once in pinned-ssts totals and reclaimable bytes', async () => {
      const store = new MemoryObjectStore();
      // Manifest 5 holds X (two views) and Y; the latest, 6, holds no SST and a checkpoint on 5.
      await putManifest(store, 'db', 5, shared());
      const empty = shared();
      await putManifest(store, 'db', 6, { ...empty, root: { ...empty.root, ssts: [], l0: [], compacted: [] } });
      await store.putIfAbsent(`db/compacted/${ulidToString(X)}.sst`, new Uint8Array(1000));
      await store.putIfAbsent(`db/compacted/${ulidToString(Y)}.sst`, new Uint8Array(300));
      const report = await pinnedSsts(new ManifestStore(store, 'db'), cpId);
      assert.equal(report.manifestId, 5);
      assert.deepEqual(report.ssts.map((s) => [s.id, s.sizeBytes, s.exclusive]), [
        [ulidToString(X), 1000, true],
        [ulidToString(Y), 300, true],
      ]);
      assert.equal(report.totalBytes, 1300);
      assert.equal(report.reclaimableBytes, 1300);
    });
  });
});
