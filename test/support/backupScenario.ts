/**
 * The backup scenario, run against each kind of repository (test/compat/backup*.test.ts). Backups
 * of databases the REAL SlateDB 0.12.1 wrote, read back by the real engine: a reader's
 * checkpoint (L0 + sorted runs) and a checkpoint whose rows sit in WAL files are backed up into a
 * repository (a local directory, and Ceph RGW); after more real writes a third backup copies only
 * the objects the repository lacks (asserted against the listings); the source is deleted entirely
 * and a real DbReader pinned to each backup checkpoint reads exactly what it read from the source;
 * a restore opens as a real writer, takes writes and reopens. On RGW the restore is S3 → S3 on one
 * endpoint: every object is copied server-side.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backupCheckpoint, BackupEndpoint, BackupResult, restoreBackup } from '../../src/engine/backup/backup';
import { parseBackupName, PIN_CHECKPOINT_NAME } from '../../src/engine/backup/naming';
import { createCheckpoint, listCheckpoints } from '../../src/engine/checkpoints';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { sstsOf } from '../../src/engine/manifest/model';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { listAll, ObjectStore } from '../../src/engine/store/objectStore';
import { copyFixtureDbs, dataFixtures, DataFixtures, OracleRow } from '../fixtures/dataDbs/index';
import type { StoreLike } from '../fixtures/realEngine/engine';
import { closeWriter, engineRowsAt, keyValueText, openWriter, rowsText, writeAndFlush, writerRows } from './engineRows';

const DB = 'codec-zstd';
const REPO = 'vault/orders';

/** Names (relative to the root) and sizes of a root's compacted/ and wal/ objects. */
async function inventory(store: ObjectStore, root: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const dir of ['compacted/', 'wal/']) {
    for (const o of (await listAll(store, { prefix: `${root}/${dir}` })).objects) out.set(o.key.slice(root.length + 1), o.size);
  }
  return out;
}

function added(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map([...after].filter(([k]) => !before.has(k)));
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const count = (m: Map<string, number>, dir: string) => [...m.keys()].filter((k) => k.startsWith(dir)).length;

export interface Side {
  label: string;
  store: ObjectStore;
  storeLabel: string;
  /** The same root for the real engine. */
  engine: StoreLike;
}

interface Taken {
  result: BackupResult;
  truth: OracleRow[];
}

/** The whole scenario against one repository side; `restoreTo` is where the restore goes. */
export function backupScenario(getRepo: () => Side, getRestore: () => Side, expectServerSideRestore: boolean) {
  let fx: DataFixtures;
  let srcDir: string;
  let src: LocalObjectStore;
  const source = (): BackupEndpoint => ({ store: src, path: DB, storeLabel: `file://${srcDir}` });
  const repoEndpoint = (): BackupEndpoint => ({ store: getRepo().store, path: REPO, storeLabel: getRepo().storeLabel });
  const taken: Record<string, Taken> = {};

  before(async function () {
    this.timeout(600_000);
    fx = await dataFixtures();
    srcDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-src-'));
    await copyFixtureDbs(fx, srcDir, [DB]);
    src = new LocalObjectStore(srcDir);
  });
  after(() => srcDir && fs.rmSync(srcDir, { recursive: true, force: true }));

  async function take(label: string, checkpointId: string): Promise<BackupResult> {
    const truth = await engineRowsAt(srcDir, DB, checkpointId);
    const result = await backupCheckpoint({ source: source(), checkpointId, target: repoEndpoint(), concurrency: 4 });
    taken[label] = { result, truth };
    return result;
  }

  it('backs up a real reader checkpoint (L0 + sorted runs) into an empty repository: everything copied, as the listing shows', async () => {
    const shape = fx.db(DB).shapes['reader-overwrites'];
    const cp = fx.checkpoint(DB, 'reader-overwrites');
    assert.equal(cp.madeBy, 'engine-reader');
    assert.ok(shape.l0 > 0 && shape.sortedRuns > 0, JSON.stringify(shape));
    const r = await take('reader', cp.id);
    const held = await inventory(getRepo().store, REPO);
    assert.deepEqual(r.copied, { ssts: count(held, 'compacted/'), wal_files: count(held, 'wal/'), bytes: sum(held) });
    assert.deepEqual(r.reused, { ssts: 0, wal_files: 0, bytes: 0 });
    assert.equal(r.source.checkpoint, cp.id);
    assert.equal(r.target.manifest_id, 1);
    const backup = (await listCheckpoints(new ManifestStore(getRepo().store, REPO))).checkpoints.find((c) => c.id === r.target.checkpoint_id)!;
    assert.equal(backup.expireTimeS, 0, 'a backup never expires');
    assert.equal(backup.manifestId, r.target.manifest_id);
    assert.deepEqual(parseBackupName(backup.name), { label: null, sourcePath: DB, sourceCheckpoint: cp.id, takenAt: parseBackupName(backup.name)!.takenAt });
  });

  it('a checkpoint with rows only in WAL files: copies only what the repository lacks; the same checkpoint again writes nothing', async () => {
    const cp = fx.checkpoint(DB, 'final');
    const before = await inventory(getRepo().store, REPO);
    const r = await take('wal', cp.id);
    const lastL0Seq = BigInt(fx.db(DB).shapes['final'].lastL0Seq);
    assert.ok(taken.wal.truth.some((row) => row.seq > lastL0Seq), 'the checkpoint holds rows that exist only in WAL files');
    const fresh = added(before, await inventory(getRepo().store, REPO));
    assert.deepEqual(r.copied, { ssts: count(fresh, 'compacted/'), wal_files: count(fresh, 'wal/'), bytes: sum(fresh) });

    const manifestsBefore = await new ManifestStore(getRepo().store, REPO).listManifests();
    const again = await backupCheckpoint({ source: source(), checkpointId: cp.id, target: repoEndpoint() });
    assert.equal(again.target.checkpoint_id, r.target.checkpoint_id, 'the existing backup is returned');
    assert.deepEqual(again.copied, { ssts: 0, wal_files: 0, bytes: 0 });
    assert.deepEqual(await new ManifestStore(getRepo().store, REPO).listManifests(), manifestsBefore, 'no manifest written');
  });

  it('after more real writes, a backup copies only the new SSTs and WAL files (bytes from the listings)', async () => {
    const db = await openWriter(srcDir, DB);
    try {
      await writeAndFlush(db, 0, 300, 'more-', true); // a new L0 SST
      await writeAndFlush(db, 300, 400, 'more-', false); // only in the WAL
    } finally {
      await closeWriter(db); // a clean shutdown advances wal_id_last_seen: the WAL rows are in the state
    }
    const ms = new ManifestStore(src, DB);
    const cp = await createCheckpoint(ms, { name: 'after-more-writes' });
    const pinned = (await ms.read(cp.manifestId)).manifest;
    const repoBefore = await inventory(getRepo().store, REPO);
    const srcNow = await inventory(src, DB);
    const needed = new Map<string, number>();
    for (const s of sstsOf(pinned)) needed.set(`compacted/${s.id}.sst`, srcNow.get(`compacted/${s.id}.sst`)!);
    for (let w = Number(pinned.root.replay_after_wal_id) + 1; w <= Number(pinned.root.wal_id_last_seen); w++) {
      const name = `wal/${String(w).padStart(20, '0')}.sst`;
      needed.set(name, srcNow.get(name)!);
    }
    const expected = added(repoBefore, needed);
    assert.ok(count(expected, 'compacted/') > 0 && count(expected, 'compacted/') < count(needed, 'compacted/'), 'some SSTs are new, some already backed up');

    const r = await take('more', cp.id);
    assert.deepEqual(r.copied, { ssts: count(expected, 'compacted/'), wal_files: count(expected, 'wal/'), bytes: sum(expected) });
    assert.deepEqual(r.reused, { ssts: count(needed, 'compacted/') - count(expected, 'compacted/'), wal_files: count(needed, 'wal/') - count(expected, 'wal/'), bytes: sum(needed) - sum(expected) });
    assert.deepEqual(added(repoBefore, await inventory(getRepo().store, REPO)), expected, 'exactly those objects landed');
    const lastL0Seq = BigInt(pinned.root.last_l0_seq as bigint);
    assert.ok(taken.more.truth.some((row) => row.seq > lastL0Seq), 'WAL-only rows in this state too');
  });

  it('--latest of the unchanged database copies no SST and removes its temporary checkpoint', async () => {
    const r = await backupCheckpoint({ source: source(), latest: true, target: repoEndpoint(), name: 'now' });
    assert.equal(r.copied.ssts, 0);
    const left = (await listCheckpoints(new ManifestStore(src, DB))).checkpoints;
    assert.ok(!left.some((c) => c.name === PIN_CHECKPOINT_NAME || c.id === r.source.checkpoint), 'the pin is gone');
    const held = (await listCheckpoints(new ManifestStore(getRepo().store, REPO))).checkpoints.find((c) => c.id === r.target.checkpoint_id);
    assert.equal(parseBackupName(held?.name ?? null)?.label, 'now');
  });

  it('with the source deleted entirely, the real engine reads every backup exactly as it read the source', async () => {
    fs.rmSync(srcDir, { recursive: true, force: true });
    for (const [label, t] of Object.entries(taken)) {
      const rows = await engineRowsAt(getRepo().engine, REPO, t.result.target.checkpoint_id);
      assert.ok(t.truth.length > 0);
      assert.deepEqual(rowsText(rows), rowsText(t.truth), `backup ${label}`);
    }
  });

  it('restores into an empty root that the real engine opens as a writer: reads, writes, reopens', async () => {
    const target = getRestore();
    const more = taken.more;
    const r = await restoreBackup({ repository: repoEndpoint(), backupId: more.result.target.checkpoint_id, target: { store: target.store, path: 'restored', storeLabel: target.storeLabel }, concurrency: 4 });
    const objects = r.copied.ssts + r.copied.wal_files;
    assert.equal(r.target.manifest_id, 1);
    assert.equal(r.server_side_copies, expectServerSideRestore ? objects : 0);
    assert.ok(objects > 0);
    await assert.rejects(
      restoreBackup({ repository: repoEndpoint(), backupId: more.result.target.checkpoint_id, target: { store: target.store, path: 'restored', storeLabel: target.storeLabel } }),
      (e: { code?: string }) => e.code === 'TARGET_NOT_EMPTY',
    );

    let db = await openWriter(target.engine, 'restored');
    try {
      assert.deepEqual(keyValueText(await writerRows(db)), keyValueText(more.truth));
      await writeAndFlush(db, 0, 10, 'after-restore-', false);
    } finally {
      await closeWriter(db);
    }
    db = await openWriter(target.engine, 'restored');
    try {
      const rows = await writerRows(db);
      assert.equal(rows.length, more.truth.length + 10);
      assert.ok(rows.some((row) => Buffer.from(row.key).toString().startsWith('after-restore-')));
    } finally {
      await closeWriter(db);
    }
  });
}

