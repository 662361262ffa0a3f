/**
 * The SST reader on files the REAL engine wrote, one database per codec
 * (None, Snappy, Zlib, Lz4, Zstd; realCodecDbs.ts): every SST and WAL object
 * decodes, its recorded codec is the one configured, the manifest's info and
 * the footer agree, deep verification passes, and the latest scan equals the
 * rows that were written. Then corruption of those real files: a flipped byte
 * in a data block, a truncated object, a footer pointing out of range.
 * (Entry-by-entry equality with the engine's own DbReader is the comparison
 * suite's job; this is a smoke per codec.)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../../../src/engine/errors';
import { ManifestStore } from '../../../src/engine/manifest/manifestStore';
import { objectsOf, resolveState, scanState, StateSource } from '../../../src/engine/read/pointInTime';
import { SstReader } from '../../../src/engine/sst/sstReader';
import type { RowEntry } from '../../../src/engine/sst/types';
import { LocalObjectStore } from '../../../src/engine/store/local/localStore';
import { MemoryObjectStore } from '../../../src/engine/store/memoryStore';
import type { ObjectStore } from '../../../src/engine/store/objectStore';
import { CodecDb, codecDbs } from './realCodecDbs';

const text = (b: Uint8Array) => Buffer.from(b).toString();

async function all(it: AsyncIterable<RowEntry>): Promise<RowEntry[]> {
  const out: RowEntry[] = [];
  for await (const r of it) out.push(r);
  return out;
}

async function copyToMemory(db: CodecDb): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore();
  const walk = async (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.sst') || e.name.endsWith('.manifest')) await store.putIfAbsent(path.relative(db.rootDir, p).split(path.sep).join('/'), fs.readFileSync(p));
    }
  };
  await walk(path.join(db.rootDir, db.dbPath));
  return store;
}

async function scanAll(store: ObjectStore, state: StateSource): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const r of scanState(store, state)) out.push([text(r.key), text(r.value)]);
  return out;
}

describe('SST reader on real-engine files, every codec', function () {
  this.timeout(180_000);
  let dbs: CodecDb[];
  before(async () => {
    dbs = await codecDbs();
  });

  for (const codec of ['None', 'Snappy', 'Zlib', 'Lz4', 'Zstd'] as const) {
    it(`${codec}: every SST and WAL object decodes; manifest info = footer; verify passes; the scan is what was written`, async () => {
      const db = dbs.find((d) => d.codec === codec)!;
      const store = new LocalObjectStore(db.rootDir);
      const state = await resolveState(new ManifestStore(store, db.dbPath));
      const objects = objectsOf(state);
      const ssts = objects.filter((o) => o.kind === 'sst');
      assert.equal(ssts.length, 3, 'three L0 flushes, no compaction');
      let rows = 0;
      for (const o of ssts) {
        const fromInfo = SstReader.fromInfo(store, o.key, o.info!, o.formatVersion!);
        const opened = await SstReader.open(store, o.key);
        assert.deepEqual(opened.info, o.info, `${o.key}: the footer's SsTableInfo equals the manifest's copy`);
        assert.equal(opened.formatVersion, o.formatVersion);
        assert.equal(o.info!.compression, codec.toLowerCase());
        const a = await all(fromInfo.rows());
        const b = await all(opened.rows());
        assert.deepEqual(a, b);
        assert.ok(a.length > 0);
        assert.deepEqual(text(a[0].key), text(o.info!.firstEntry!));
        assert.deepEqual(text(a[a.length - 1].key), text(o.info!.lastEntry!));
        const v = await fromInfo.verifyAll();
        assert.equal(v.blocks, await fromInfo.blockCount());
        rows += a.length;
      }
      assert.equal(rows, 600 + 600 + 150);
      for (const name of fs.readdirSync(path.join(db.rootDir, db.dbPath, 'wal'))) {
        const wal = await SstReader.open(store, `${db.dbPath}/wal/${name}`);
        // 0.12.1's fence (a new writer's first WAL) has no blocks and is typed Compacted (seen).
        assert.ok(wal.info === null || wal.info.sstType === 'wal' || (await wal.blockCount()) === 0, `${name}: ${JSON.stringify(wal.info)}`);
        await wal.verifyAll();
      }
      // rows written after the last flush are only in the WAL, and are part of the latest state
      assert.ok(state.walIds.length >= 1);
      const got = await scanAll(store, state);
      assert.deepEqual(got, [...db.expected.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    });
  }

  describe('corrupted copies of real files', () => {
    it('a flipped byte in a data block of an L0 SST: the scan fails naming the SST and the block', async () => {
      const db = dbs.find((d) => d.codec === 'Zstd')!;
      const store = await copyToMemory(db);
      const state = await resolveState(new ManifestStore(store, db.dbPath));
      const sst = objectsOf(state).find((o) => o.kind === 'sst')!;
      const bytes = (await store.get(sst.key))!.bytes.slice();
      bytes[100] ^= 0x01;
      await store.delete(sst.key);
      await store.putIfAbsent(sst.key, bytes);
      await assert.rejects(scanAll(store, state), (e: unknown) => {
        assert.ok(e instanceof EngineError);
        assert.equal(e.code, 'DATA_CORRUPT');
        assert.equal(e.key, sst.key);
        assert.match(e.message, new RegExp(`CRC mismatch .*in data block 0 of ${sst.key}`));
        return true;
      });
    });

    it('a truncated SST and a WAL whose footer points out of range are DATA_CORRUPT naming them', async () => {
      const db = dbs.find((d) => d.codec === 'Snappy')!;
      const store = await copyToMemory(db);
      const state = await resolveState(new ManifestStore(store, db.dbPath));
      const sst = objectsOf(state).find((o) => o.kind === 'sst')!;
      const whole = (await store.get(sst.key))!.bytes;
      await store.delete(sst.key);
      await store.putIfAbsent(sst.key, whole.slice(0, Math.floor(whole.length / 2)));
      await assert.rejects(scanAll(store, state), (e: unknown) => e instanceof EngineError && e.code === 'DATA_CORRUPT' && e.key === sst.key && /truncated/.test(e.message));
      await assert.rejects(SstReader.open(store, sst.key), (e: unknown) => e instanceof EngineError && e.code === 'DATA_CORRUPT' && e.key === sst.key);

      const store2 = await copyToMemory(db);
      const walKey = objectsOf(state).filter((o) => o.kind === 'wal').at(-1)!.key;
      const wal = (await store2.get(walKey))!.bytes.slice();
      new DataView(wal.buffer, wal.byteOffset).setBigUint64(wal.length - 10, BigInt(wal.length * 2));
      await store2.delete(walKey);
      await store2.putIfAbsent(walKey, wal);
      await assert.rejects(scanAll(store2, state), (e: unknown) => e instanceof EngineError && e.code === 'DATA_CORRUPT' && e.key === walKey && /meta_offset .* points past/.test(e.message));
    });
  });
});
