/**
 * The codec layer on hand-made frames: what SlateDB's codecs produce decodes,
 * and sizes that would make us allocate wildly or frames SlateDB never writes
 * are refused before any allocation. Real-engine bytes of every codec are
 * covered by realCodecs.test.ts.
 */
import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import * as snappy from 'snappyjs';
import { decompress, MAX_SECTION_BYTES } from '../../../src/engine/sst/compression';
import { DecodeFailure } from '../../../src/engine/sst/sstError';

const bytes = (...parts: Array<number[] | string>) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p)] : p)));
const text = (b: Uint8Array) => Buffer.from(b).toString();
const fails = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof DecodeFailure && re.test(e.message));

describe('SST section codecs', () => {
  it('none passes bytes through', () => {
    const b = bytes('abc');
    assert.equal(decompress('none', b), b);
  });

  it('LZ4: 4-byte little-endian size prefix + raw block, with a back-reference', () => {
    // "abcabcabc": token 0x32 = 3 literals + match of 2+4 bytes at offset 3
    assert.equal(text(decompress('lz4', bytes([9, 0, 0, 0, 0x32], 'abc', [3, 0]))), 'abcabcabc');
    assert.equal(text(decompress('lz4', bytes([5, 0, 0, 0, 0x50], 'hello'))), 'hello');
  });

  it('LZ4: a wrong or absurd size prefix is corrupt', () => {
    fails(() => decompress('lz4', bytes([6, 0, 0, 0, 0x50], 'hello')), /decompresses to 5 bytes, its prefix says 6/);
    fails(() => decompress('lz4', bytes([0xff, 0xff, 0xff, 0x7f, 0x50], 'hello')), /claims/);
    fails(() => decompress('lz4', bytes([1, 0])), /lacks its 4-byte size prefix/);
  });

  it('zstd: one frame with a raw block decodes; checks run before fzstd allocates', () => {
    // magic, FHD 0x20 (single segment, 1-byte content size), size 5, last raw block of 5 bytes
    const frame = bytes([0x28, 0xb5, 0x2f, 0xfd, 0x20, 5, 0x29, 0, 0], 'hello');
    assert.equal(text(decompress('zstd', frame)), 'hello');
    fails(() => decompress('zstd', new Uint8Array(Buffer.concat([frame, frame]))), /not exactly one frame/);
    fails(() => decompress('zstd', bytes([0x28, 0xb5, 0x2f, 0xfd, 0x20, 6, 0x29, 0, 0], 'hello')), /decompresses to 5 bytes, its header says 6/);
    // 8-byte content size of 2^40
    fails(() => decompress('zstd', bytes([0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0, 0, 0, 0, 0, 1, 0, 0, 0x29, 0, 0], 'hello')), /claims \d+ uncompressed bytes/);
    fails(() => decompress('zstd', bytes([0x28, 0xb5, 0x2f, 0xfd, 0x20, 5, 0x2f, 0, 0], 'hello')), /reserved type/);
    fails(() => decompress('zstd', bytes('not zstd')), /magic/);
  });

  it('zlib: an RFC 1950 stream decodes; garbage is corrupt', () => {
    assert.equal(text(decompress('zlib', new Uint8Array(zlib.deflateSync(Buffer.from('hello zlib'))))), 'hello zlib');
    fails(() => decompress('zlib', bytes('garbage!')), /zlib data does not decompress/);
  });

  it('Snappy: a raw block decodes; a length beyond the cap is refused', () => {
    assert.equal(text(decompress('snappy', snappy.compress(new Uint8Array(Buffer.from('hello snappy hello snappy'))))), 'hello snappy hello snappy');
    const huge = MAX_SECTION_BYTES + 1;
    const varint: number[] = [];
    for (let v = huge; ; v = Math.floor(v / 128)) {
      if (v < 128) {
        varint.push(v);
        break;
      }
      varint.push((v & 0x7f) | 0x80);
    }
    fails(() => decompress('snappy', bytes(varint, [0])), /claims \d+ uncompressed bytes/);
    fails(() => decompress('snappy', bytes([10, 0xff])), /Snappy data does not decompress/);
  });
});
