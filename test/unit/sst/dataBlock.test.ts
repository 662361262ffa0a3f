/**
 * Data block decoding on hand-built bytes: SlateDB's own V1 test vector
 * (testdata/snapshots/slatedb__format__block__tests__block_with_tombstone.snap),
 * V2 blocks with restart points and multi-byte varints, and every rule that
 * makes a block corrupt.
 */
import * as assert from 'node:assert/strict';
import { decodeDataBlock } from '../../../src/engine/sst/dataBlock';
import { DecodeFailure } from '../../../src/engine/sst/sstError';
import type { RowEntry } from '../../../src/engine/sst/types';
import { BuildRow, encodeBlock } from './sstBuilder';

const ascii = (s: string) => [...Buffer.from(s, 'latin1')];
const zeros = (n: number) => new Array<number>(n).fill(0);
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** §3.1: key1=value1 (expire 0, create 0), key2 tombstone (create 0), key3=value3. */
const V1_VECTOR = new Uint8Array([
  ...[0, 0, 0, 4], ...ascii('key1'), ...zeros(8), 0x06, ...zeros(8), ...zeros(8), ...[0, 0, 0, 6], ...ascii('value1'),
  ...[0, 3, 0, 1], ...ascii('2'), ...zeros(8), 0x05, ...zeros(8),
  ...[0, 3, 0, 1], ...ascii('3'), ...zeros(8), 0x06, ...zeros(8), ...zeros(8), ...[0, 0, 0, 6], ...ascii('value3'),
  ...[0, 0, 0, 43, 0, 65], ...[0, 3],
]);

function brief(rows: RowEntry[]) {
  return rows.map((r) => ({ key: text(r.key), value: text(r.value), seq: r.seq, kind: r.kind, expireTs: r.expireTs, createTs: r.createTs }));
}

function expectFailure(block: Uint8Array, version: number, pattern: RegExp) {
  assert.throws(() => decodeDataBlock(block, version), (e: unknown) => e instanceof DecodeFailure && pattern.test(e.message));
}

describe('SST data blocks', () => {
  it('decodes SlateDB’s V1 test vector exactly (113 bytes)', () => {
    assert.equal(V1_VECTOR.length, 113);
    assert.deepEqual(brief(decodeDataBlock(V1_VECTOR, 1)), [
      { key: 'key1', value: 'value1', seq: 0n, kind: 'value', expireTs: 0n, createTs: 0n },
      // V1 decode drops a tombstone's expire_ts (format/row.rs); this one has none anyway
      { key: 'key2', value: '', seq: 0n, kind: 'tombstone', expireTs: null, createTs: 0n },
      { key: 'key3', value: 'value3', seq: 0n, kind: 'value', expireTs: 0n, createTs: 0n },
    ]);
  });

  it('the test writer produces the same bytes for that vector', () => {
    const rows: BuildRow[] = [
      { key: 'key1', value: 'value1', seq: 0, expireTs: 0n, createTs: 0n },
      { key: 'key2', seq: 0, kind: 'tombstone', createTs: 0n },
      { key: 'key3', value: 'value3', seq: 0, expireTs: 0n, createTs: 0n },
    ];
    assert.deepEqual(encodeBlock(rows, 1), V1_VECTOR);
  });

  it('decodes a hand-written V2 block: shared prefix with the previous key, 2-byte varint, tombstone keeps expire_ts', () => {
    const value = new Array<number>(128).fill(0x61);
    const block = new Uint8Array([
      // shared 0, unshared 3, value_len 128 (0x80 0x01), "abc", value, seq 7, flags 0
      0, 3, 0x80, 0x01, ...ascii('abc'), ...value, ...[0, 0, 0, 0, 0, 0, 0, 7], 0x00,
      // shared 2, unshared 1, value_len 0, "d", seq 6, flags tombstone|expire, expire 99
      2, 1, 0, ...ascii('d'), ...[0, 0, 0, 0, 0, 0, 0, 6], 0x03, ...[0, 0, 0, 0, 0, 0, 0, 99],
      // shared 3, unshared 0, value_len 2, "xy", seq 5, flags merge|create, create 1
      3, 0, 2, ...ascii('xy'), ...[0, 0, 0, 0, 0, 0, 0, 5], 0x0c, ...[0, 0, 0, 0, 0, 0, 0, 1],
      ...[0, 0], ...[0, 1],
    ]);
    assert.deepEqual(brief(decodeDataBlock(block, 2)), [
      { key: 'abc', value: 'a'.repeat(128), seq: 7n, kind: 'value', expireTs: null, createTs: null },
      { key: 'abd', value: '', seq: 6n, kind: 'tombstone', expireTs: 99n, createTs: null },
      { key: 'abd', value: 'xy', seq: 5n, kind: 'merge', expireTs: null, createTs: 1n },
    ]);
  });

  it('round-trips V1 and V2 blocks with restart points, duplicates, empty values and timestamps', () => {
    const rows: BuildRow[] = [];
    for (let i = 0; i < 40; i++) {
      const key = `user/${String(Math.floor(i / 2)).padStart(4, '0')}`;
      rows.push({ key, value: i % 7 === 0 ? '' : `v${i}`, seq: 1000 - i, kind: i % 9 === 4 ? 'tombstone' : 'value', expireTs: i % 3 === 0 ? BigInt(i) : undefined, createTs: i % 4 === 0 ? -5n : undefined });
    }
    for (const version of [1, 2] as const) {
      const got = brief(decodeDataBlock(encodeBlock(rows, version), version));
      assert.equal(got.length, 40);
      got.forEach((g, i) => {
        const r = rows[i];
        assert.equal(g.key, r.key);
        assert.equal(g.seq, BigInt(r.seq));
        assert.equal(g.kind, r.kind ?? 'value');
        assert.equal(g.value, r.kind === 'tombstone' ? '' : r.value);
        assert.equal(g.createTs, r.createTs ?? null);
        assert.equal(g.expireTs, r.kind === 'tombstone' && version === 1 ? null : (r.expireTs ?? null));
      });
    }
    // 40 entries, restart every 16 → 3 restart points in the V2 trailer
    const v2 = encodeBlock(rows, 2);
    assert.equal(v2[v2.length - 1], 3);
  });

  it('an empty block decodes to no rows', () => {
    assert.deepEqual(decodeDataBlock(new Uint8Array([0, 0]), 2), []);
    assert.deepEqual(decodeDataBlock(new Uint8Array([0, 0]), 1), []);
  });

  describe('corrupt blocks', () => {
    const good = encodeBlock([{ key: 'k1', value: 'v', seq: 1 }, { key: 'k2', value: 'w', seq: 2 }], 2);
    const flagsAt = 3 + 2 + 1 + 8; // first entry: 3 varints, "k1", "v", seq

    it('unknown row flags', () => {
      const b = good.slice();
      b[flagsAt] = 0x10;
      expectFailure(b, 2, /unknown row flags 0x10/);
    });
    it('tombstone and merge together', () => {
      const b = good.slice();
      b[flagsAt] = 0x09;
      expectFailure(b, 2, /both tombstone and merge/);
    });
    it('a shared prefix longer than the previous key', () => {
      const second = flagsAt + 1;
      const b = good.slice();
      b[second] = 9;
      expectFailure(b, 2, /shares 9 bytes/);
    });
    it('a restart point that is not an entry start', () => {
      const b = good.slice();
      // claim 1 restart at byte 1 instead of 0
      b[b.length - 3] = 1;
      expectFailure(b, 2, /restart point at byte 0|restart point 0/);
    });
    it('an entry count larger than the block', () => {
      expectFailure(new Uint8Array([0, 0, 0, 200]), 2, /claims 200 offsets/);
      expectFailure(new Uint8Array([7]), 1, /no entry count/);
    });
    it('a value length that runs past the entries', () => {
      const b = good.slice();
      b[2] = 0x7f;
      expectFailure(b, 2, /runs past/);
    });
    it('a varint longer than 5 bytes', () => {
      const b = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
      expectFailure(b, 2, /varint longer than 5 bytes/);
    });
    it('V1: a first entry with a prefix, an offset out of order, a truncated value', () => {
      const b = V1_VECTOR.slice();
      b[1] = 2;
      expectFailure(b, 1, /first entry shares 2 bytes/);
      const c = V1_VECTOR.slice();
      c[c.length - 3] = 10; // offsets [0, 43, 10]
      expectFailure(c, 1, /out of order/);
      const d = V1_VECTOR.slice();
      d[36] = 0xff; // low byte of key1's value length (bytes 33..36)
      expectFailure(d, 1, /value that runs past|truncated/);
    });
    it('an unsupported format version', () => {
      expectFailure(good, 3, /unsupported SST format version 3/);
    });
  });
});
