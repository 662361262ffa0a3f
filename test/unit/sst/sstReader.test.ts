/**
 * SstReader on SSTs made by the test writer (sstBuilder.ts) in a memory store:
 * footer and manifest-info opening, SlateDB's index seek rule, range reads
 * that touch only the needed blocks, WAL objects and fences, the block cache,
 * and every corruption the reader must turn into DATA_CORRUPT / DATA_MISSING.
 */
import * as assert from 'node:assert/strict';
import { EngineError } from '../../../src/engine/errors';
import { BlockCache } from '../../../src/engine/sst/blockCache';
import { blocksCovering } from '../../../src/engine/sst/blockSpans';
import { SstReader } from '../../../src/engine/sst/sstReader';
import type { RowEntry } from '../../../src/engine/sst/types';
import { MemoryObjectStore } from '../../../src/engine/store/memoryStore';
import { compareBytes } from '../../../src/engine/read/keyRange';
import { RecordingStore } from './recordingStore';
import { BuildRow, buildSst, withCrc } from './sstBuilder';

const enc = (s: string) => new Uint8Array(Buffer.from(s));
const text = (b: Uint8Array) => Buffer.from(b).toString();
const KEY = 'db/compacted/01HZZZZZZZZZZZZZZZZZZZZZZZ.sst';

function rowsN(n: number, valueBytes = 60): BuildRow[] {
  const rows: BuildRow[] = [];
  for (let i = 0; i < n; i++) rows.push({ key: `key-${String(i).padStart(5, '0')}`, value: `v${i}-`.padEnd(valueBytes, 'x'), seq: n - i });
  return rows;
}

async function put(store: MemoryObjectStore, key: string, bytes: Uint8Array) {
  await store.putIfAbsent(key, bytes);
}

async function all(it: AsyncIterable<RowEntry>): Promise<RowEntry[]> {
  const out: RowEntry[] = [];
  for await (const r of it) out.push(r);
  return out;
}

async function rejectsCorrupt(p: Promise<unknown>, key: string, re: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof EngineError, `expected EngineError, got ${String(e)}`);
    assert.equal(e.code, 'DATA_CORRUPT', e.message);
    assert.equal(e.key, key);
    assert.ok(e.message.includes(key), e.message);
    assert.match(e.message, re);
    return true;
  });
}

describe('SstReader', () => {
  it('opens from the footer and from the manifest info, V1 and V2, none / zlib / snappy, and reads every row', async () => {
    for (const formatVersion of [1, 2] as const) {
      for (const codec of ['none', 'zlib', 'snappy'] as const) {
        const store = new MemoryObjectStore();
        const rows = rowsN(700);
        const sst = buildSst(rows, { formatVersion, codec });
        await put(store, KEY, sst.bytes);
        const opened = await SstReader.open(store, KEY);
        assert.equal(opened.formatVersion, formatVersion);
        assert.deepEqual(opened.info, sst.info);
        const fromInfo = SstReader.fromInfo(store, KEY, sst.info, formatVersion);
        assert.ok((await fromInfo.blockCount()) > 5);
        for (const reader of [opened, fromInfo]) {
          const got = await all(reader.rows());
          assert.deepEqual(got.map((r) => text(r.key)), rows.map((r) => r.key));
          assert.deepEqual(got.map((r) => r.seq), rows.map((r) => BigInt(r.seq)));
          assert.equal(text(got[123].value), rows[123].value);
        }
        const verified = await fromInfo.verifyAll();
        assert.equal(verified.blocks, await fromInfo.blockCount());
      }
    }
  });

  it('follows SlateDB’s seek rule, including a key whose versions straddle two blocks', () => {
    // separators: block0 "", block1 "b", block2 "c", block3 "c" (versions of "c" straddle), block4 "d"
    const index = { offsets: [0, 10, 20, 30, 40], firstKeys: ['', 'b', 'c', 'c', 'd'].map(enc) };
    const cover = (s?: string, e?: string) => blocksCovering(index, s === undefined ? undefined : enc(s), e === undefined ? undefined : enc(e));
    assert.deepEqual(cover(), [0, 4]);
    assert.deepEqual(cover('a'), [0, 4]);
    assert.deepEqual(cover('b'), [0, 4]); // "b" may also be the last key of block 0
    assert.deepEqual(cover('bb'), [1, 4]);
    assert.deepEqual(cover('c'), [1, 4]); // the newest versions of "c" may end block 1
    assert.deepEqual(cover('ca'), [3, 4]);
    assert.deepEqual(cover(undefined, 'c'), [0, 1]); // exclusive end: blocks starting at "c" are not needed
    assert.deepEqual(cover(undefined, 'ca'), [0, 3]);
    assert.deepEqual(cover('e', 'f'), [4, 4]);
    assert.equal(blocksCovering({ offsets: [], firstKeys: [] }, undefined, undefined), null);
  });

  it('seeks: reads the index and only the blocks that can hold [from, to), in one range read', async () => {
    const inner = new MemoryObjectStore();
    const rows = rowsN(5000);
    const sst = buildSst(rows);
    await put(inner, KEY, sst.bytes);
    const store = new RecordingStore(inner);
    const reader = SstReader.fromInfo(store, KEY, sst.info, 2);
    const from = enc('key-02500');
    const to = enc('key-02510');
    const got: string[] = [];
    for await (const block of reader.blocks({ from, to })) for (const r of block) got.push(text(r.key));
    assert.ok(got.includes('key-02500') && got.includes('key-02509'));
    assert.ok(got.length < 200, `read ${got.length} rows for a 10-key range`);
    assert.equal(store.count('getRange'), 2, 'one index read + one block read');
    const blockRead = store.calls[1];
    assert.ok(blockRead.end! - blockRead.start! <= 64 * 1024);
    // rows({from}) drops the keys before `from` in the first block
    const firstRows = [];
    for await (const r of reader.rows({ from })) {
      firstRows.push(text(r.key));
      if (firstRows.length === 3) break;
    }
    assert.deepEqual(firstRows, ['key-02500', 'key-02501', 'key-02502']);
  });

  it('every (from, to) gives exactly the rows a full read filters to', async () => {
    const store = new MemoryObjectStore();
    const rows: BuildRow[] = [];
    // duplicate keys with several versions, so versions straddle blocks
    for (let i = 0; i < 300; i++) for (let v = 0; v < 1 + (i % 4); v++) rows.push({ key: `k${String(i * 3).padStart(4, '0')}`, value: 'x'.repeat(30), seq: 10_000 - i * 10 - v });
    const sst = buildSst(rows, { blockSize: 256 });
    await put(store, KEY, sst.bytes);
    const reader = SstReader.fromInfo(store, KEY, sst.info, 2);
    const full = await all(reader.rows());
    for (let s = 0; s < 920; s += 37) {
      for (const len of [1, 5, 50, 400]) {
        const from = enc(`k${String(s).padStart(4, '0')}`);
        const to = enc(`k${String(s + len).padStart(4, '0')}`);
        const want = full.filter((r) => compareBytes(r.key, from) >= 0 && compareBytes(r.key, to) < 0).map((r) => `${text(r.key)}@${r.seq}`);
        const got: string[] = [];
        for await (const block of reader.blocks({ from, to })) for (const r of block) if (compareBytes(r.key, from) >= 0 && compareBytes(r.key, to) < 0) got.push(`${text(r.key)}@${r.seq}`);
        assert.deepEqual(got, want, `range [${text(from)}, ${text(to)})`);
      }
    }
  });

  it('streams a large SST with growing range reads (64 KiB → 1 MiB), not one request per block', async () => {
    const inner = new MemoryObjectStore();
    const sst = buildSst(rowsN(40_000, 100));
    await put(inner, KEY, sst.bytes);
    const store = new RecordingStore(inner);
    const reader = SstReader.fromInfo(store, KEY, sst.info, 2);
    let n = 0;
    for await (const _ of reader.rows()) n++;
    assert.equal(n, 40_000);
    const blocks = await reader.blockCount();
    const reads = store.calls.filter((c) => c.op === 'getRange');
    assert.ok(blocks > 1000, `${blocks} blocks`);
    assert.ok(reads.length < 12, `${reads.length} range reads for ${blocks} blocks of ${sst.bytes.length} bytes`);
    assert.ok(Math.max(...reads.map((c) => c.end! - c.start!)) <= 1024 * 1024);
  });

  it('a cache serves repeated reads without requests and stays within its bytes', async () => {
    const inner = new MemoryObjectStore();
    const sst = buildSst(rowsN(3000));
    await put(inner, KEY, sst.bytes);
    const store = new RecordingStore(inner);
    const cache = new BlockCache(4 * 1024 * 1024);
    await all(SstReader.fromInfo(store, KEY, sst.info, 2, { cache }).rows());
    const before = store.calls.length;
    await all(SstReader.fromInfo(store, KEY, sst.info, 2, { cache }).rows());
    assert.equal(store.calls.length, before, 'second read is served from the cache');
    const small = new BlockCache(20_000);
    await all(SstReader.fromInfo(store, KEY, sst.info, 2, { cache: small }).rows());
    assert.ok(small.bytesUsed <= 20_000 && small.size > 0);
  });

  it('WAL objects: rows in seq order, never seeked; zero-byte, ≤ 10-byte and block-less WALs are empty', async () => {
    const store = new MemoryObjectStore();
    const wal = buildSst(
      [
        { key: 'zeta', value: '1', seq: 5 },
        { key: 'alpha', value: '2', seq: 6 },
        { key: 'mid', seq: 7, kind: 'tombstone' },
      ],
      { sstType: 'wal', blockSize: 40 },
    );
    await put(store, 'db/wal/00000000000000000003.sst', wal.bytes);
    const reader = await SstReader.open(store, 'db/wal/00000000000000000003.sst');
    assert.equal(reader.info?.sstType, 'wal');
    assert.deepEqual((await all(reader.rows({ from: enc('m') }))).map((r) => text(r.key)), ['zeta', 'alpha', 'mid']);
    await put(store, 'db/wal/00000000000000000004.sst', new Uint8Array(0));
    await put(store, 'db/wal/00000000000000000005.sst', new Uint8Array(10));
    await put(store, 'db/wal/00000000000000000006.sst', buildSst([], { sstType: 'wal' }).bytes);
    for (const id of [4, 5, 6]) {
      const r = await SstReader.open(store, `db/wal/0000000000000000000${id}.sst`);
      assert.equal(await r.blockCount(), 0);
      assert.deepEqual(await all(r.rows()), []);
    }
    // a compacted SST of ≤ 10 bytes is not a fence: it is corrupt
    await put(store, KEY, new Uint8Array(7));
    await rejectsCorrupt(SstReader.open(store, KEY), KEY, /only 7 bytes/);
  });

  it('an absent object is DATA_MISSING naming it', async () => {
    const store = new MemoryObjectStore();
    const sst = buildSst(rowsN(10));
    const reader = SstReader.fromInfo(store, KEY, sst.info, 2);
    await assert.rejects(all(reader.rows()), (e: unknown) => e instanceof EngineError && e.code === 'DATA_MISSING' && e.key === KEY && e.message.includes(KEY));
    await assert.rejects(SstReader.open(store, 'db/wal/00000000000000000009.sst'), (e: unknown) => e instanceof EngineError && e.code === 'DATA_MISSING');
  });

  describe('corruption → DATA_CORRUPT naming the object and the section', () => {
    const rows = rowsN(2000);
    const sst = buildSst(rows);

    async function withBytes(bytes: Uint8Array) {
      const store = new MemoryObjectStore();
      await put(store, KEY, bytes);
      return store;
    }

    it('a flipped byte in a data block: the CRC names the block', async () => {
      const b = sst.bytes.slice();
      b[sst.blockOffsets[3] + 20] ^= 0x40;
      const store = await withBytes(b);
      await rejectsCorrupt(all(SstReader.fromInfo(store, KEY, sst.info, 2).rows()), KEY, /CRC mismatch .*in data block 3 of/);
      await rejectsCorrupt(SstReader.fromInfo(store, KEY, sst.info, 2).verifyAll(), KEY, /data block 3/);
      // blocks before it were delivered
      const got: string[] = [];
      await assert.rejects(async () => {
        for await (const r of SstReader.fromInfo(store, KEY, sst.info, 2).rows()) got.push(text(r.key));
      });
      assert.ok(got.length > 0 && got[0] === 'key-00000');
    });

    it('a flipped byte in the index, the SsTableInfo, the footer', async () => {
      const idx = sst.bytes.slice();
      idx[sst.info.indexOffset + 5] ^= 1;
      await rejectsCorrupt(SstReader.fromInfo(await withBytes(idx), KEY, sst.info, 2).blockCount(), KEY, /CRC mismatch .*in the index/);
      const meta = sst.bytes.slice();
      meta[sst.info.indexOffset + sst.info.indexLen + 6] ^= 1;
      await rejectsCorrupt(SstReader.open(await withBytes(meta), KEY), KEY, /in the SsTableInfo/);
      const version = sst.bytes.slice();
      version[version.length - 1] = 7;
      await rejectsCorrupt(SstReader.open(await withBytes(version), KEY), KEY, /format version 7/);
    });

    it('a footer pointing out of range', async () => {
      const b = sst.bytes.slice();
      new DataView(b.buffer).setBigUint64(b.length - 10, BigInt(b.length + 1000));
      await rejectsCorrupt(SstReader.open(await withBytes(b), KEY), KEY, /meta_offset \d+ points past/);
      new DataView(b.buffer).setBigUint64(b.length - 10, 0xffff_ffff_ffff_ffffn);
      await rejectsCorrupt(SstReader.open(await withBytes(b), KEY), KEY, /points past/);
    });

    it('a truncated file: the footer is garbage, or a range read comes back short', async () => {
      const cut = sst.bytes.slice(0, sst.bytes.length - 3);
      await rejectsCorrupt(SstReader.open(await withBytes(cut), KEY), KEY, /footer|SsTableInfo/);
      const half = sst.bytes.slice(0, sst.info.indexOffset - 100);
      await rejectsCorrupt(all(SstReader.fromInfo(await withBytes(half), KEY, sst.info, 2).rows()), KEY, /truncated/);
    });

    it('an index whose offsets are out of order or whose block count is absurd', async () => {
      // rebuild the SST with a hand-made index section
      const { encodeIndex } = await import('./sstBuilder');
      const make = (metas: Array<{ offset: number; firstKey: Uint8Array }>) => {
        const index = withCrc(encodeIndex(metas));
        const b = new Uint8Array(sst.info.indexOffset + index.length);
        b.set(sst.bytes.subarray(0, sst.info.indexOffset));
        b.set(index, sst.info.indexOffset);
        return { bytes: b, info: { ...sst.info, indexLen: index.length } };
      };
      const swapped = make([{ offset: 0, firstKey: enc('') }, { offset: sst.blockOffsets[2], firstKey: enc('b') }, { offset: sst.blockOffsets[1], firstKey: enc('c') }]);
      await rejectsCorrupt(SstReader.fromInfo(await withBytes(swapped.bytes), KEY, swapped.info, 2).blockCount(), KEY, /block 1 spans/);
      const unsorted = make([{ offset: 0, firstKey: enc('') }, { offset: sst.blockOffsets[1], firstKey: enc('z') }, { offset: sst.blockOffsets[2], firstKey: enc('c') }]);
      await rejectsCorrupt(SstReader.fromInfo(await withBytes(unsorted.bytes), KEY, unsorted.info, 2).blockCount(), KEY, /out of order/);
    });

    it('a manifest info whose sections overlap or whose format version is unknown', () => {
      const store = new MemoryObjectStore();
      assert.throws(() => SstReader.fromInfo(store, KEY, { ...sst.info, filterLen: 10, filterOffset: sst.info.indexOffset - 5 }, 2), /filter overlaps the index/);
      assert.throws(() => SstReader.fromInfo(store, KEY, sst.info, 3), (e: unknown) => e instanceof EngineError && e.code === 'DATA_CORRUPT' && /version 3/.test(e.message));
    });
  });

  it('an aborted signal stops a read with CANCELLED', async () => {
    const store = new MemoryObjectStore();
    const sst = buildSst(rowsN(3000));
    await put(store, KEY, sst.bytes);
    const ac = new AbortController();
    let n = 0;
    await assert.rejects(
      async () => {
        for await (const _ of SstReader.fromInfo(store, KEY, sst.info, 2).rows({ signal: ac.signal })) if (++n === 100) ac.abort();
      },
      (e: unknown) => e instanceof EngineError && e.code === 'CANCELLED',
    );
  });
});
