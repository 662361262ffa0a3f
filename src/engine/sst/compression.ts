/**
 * The five codecs SlateDB writes (`format/sst.rs compress/decompress`), each on
 * one section (a data block, the index, the filter or the stats). Pure JS, so
 * the bundle needs no native module.
 *
 * Every codec result is bounded: a corrupt size field must not make us
 * allocate gigabytes. MAX_SECTION_BYTES is far above anything SlateDB writes
 * (blocks are ~4 KiB; a block holding one huge value is as big as that value,
 * and SlateDB values are limited to what fits in memory comfortably).
 */

import * as zlib from 'node:zlib';
import { Decompress as ZstdStream } from 'fzstd';
import * as lz4 from 'lz4js';
import * as snappy from 'snappyjs';
import { fail } from './sstError';
import type { CompressionName } from './types';

export const MAX_SECTION_BYTES = 256 * 1024 * 1024;

export function decompress(codec: CompressionName, input: Uint8Array): Uint8Array {
  switch (codec) {
    case 'none':
      return input;
    case 'snappy':
      return snappyBlock(input);
    case 'zlib':
      return zlibStream(input);
    case 'lz4':
      return lz4Block(input);
    case 'zstd':
      return zstdFrame(input);
  }
}

/** Raw Snappy block (`snap::raw`): a varint of the uncompressed length, then the elements. */
function snappyBlock(input: Uint8Array): Uint8Array {
  const declared = leb128(input);
  if (declared > MAX_SECTION_BYTES) fail(`Snappy data claims ${declared} uncompressed bytes`);
  try {
    return snappy.uncompress(input, MAX_SECTION_BYTES) as Uint8Array;
  } catch (e) {
    return fail(`Snappy data does not decompress (${(e as Error).message})`);
  }
}

/** zlib stream (RFC 1950), `flate2::ZlibEncoder`. */
function zlibStream(input: Uint8Array): Uint8Array {
  try {
    const out = zlib.inflateSync(input, { maxOutputLength: MAX_SECTION_BYTES });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    return fail(`zlib data does not decompress (${(e as Error).message})`);
  }
}

/** `lz4_flex::compress_prepend_size`: 4-byte LITTLE-endian uncompressed size, then a raw LZ4 block. */
function lz4Block(input: Uint8Array): Uint8Array {
  if (input.length < 4) fail(`LZ4 data of ${input.length} bytes lacks its 4-byte size prefix`);
  const size = (input[0] | (input[1] << 8) | (input[2] << 16) | (input[3] << 24)) >>> 0;
  if (size > MAX_SECTION_BYTES) fail(`LZ4 data claims ${size} uncompressed bytes`);
  // An LZ4 block expands at most ~255×; a larger claim cannot be honest.
  if (size > (input.length - 4) * 255 + 16) fail(`LZ4 data claims ${size} uncompressed bytes from ${input.length - 4} compressed`);
  const out = new Uint8Array(size);
  let written: number;
  try {
    written = lz4.decompressBlock(input, out, 4, input.length - 4, 0);
  } catch (e) {
    return fail(`LZ4 data does not decompress (${(e as Error).message})`);
  }
  if (written !== size) fail(`LZ4 data decompresses to ${written} bytes, its prefix says ${size}`);
  return out;
}

/**
 * One zstd frame (`zstd::bulk::compress`). fzstd's streaming decoder is used
 * because its one-shot call returns a buffer of the *declared* size even when
 * the frame produces less; streaming reports what was really produced.
 */
function zstdFrame(input: Uint8Array): Uint8Array {
  const contentSize = zstdFrameLayout(input);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const stream = new ZstdStream((chunk) => {
      total += chunk.length;
      if (total > MAX_SECTION_BYTES) fail(`zstd data decompresses to more than ${MAX_SECTION_BYTES} bytes`);
      chunks.push(chunk);
    });
    stream.push(input, true);
  } catch (e) {
    if (e instanceof Error && e.name === 'DecodeFailure') throw e;
    return fail(`zstd data does not decompress (${(e as Error).message})`);
  }
  if (contentSize !== null && total !== contentSize) fail(`zstd data decompresses to ${total} bytes, its header says ${contentSize}`);
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Checks what decides fzstd's allocations before it sees the bytes (RFC 8878
 * §3.1.1): the declared content size and window are capped, and the input is
 * exactly one frame (walked block by block), as SlateDB writes it. Returns the
 * declared content size, or null when the frame does not record it.
 */
function zstdFrameLayout(b: Uint8Array): number | null {
  if (b.length < 6 || b[0] !== 0x28 || b[1] !== 0xb5 || b[2] !== 0x2f || b[3] !== 0xfd) fail('zstd data lacks the zstd frame magic number');
  const fhd = b[4];
  if (fhd & 0x08) fail('zstd frame header has its reserved bit set');
  const singleSegment = (fhd >> 5) & 1;
  const fcsFlag = fhd >> 6;
  const dictFlag = fhd & 3;
  const hasChecksum = (fhd >> 2) & 1;
  let pos = 5;
  if (!singleSegment) {
    const wd = b[pos++];
    const base = 2 ** (10 + (wd >> 3));
    const window = base + (base / 8) * (wd & 7);
    if (window > MAX_SECTION_BYTES) fail(`zstd frame asks for a ${window}-byte window`);
  }
  pos += dictFlag === 3 ? 4 : dictFlag;
  const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  if (pos + fcsBytes > b.length) fail('zstd frame header is truncated');
  let contentSize: number | null = null;
  if (fcsBytes > 0) {
    let size = 0;
    for (let i = fcsBytes - 1; i >= 0; i--) size = size * 256 + b[pos + i];
    if (fcsBytes === 2) size += 256;
    if (size > MAX_SECTION_BYTES) fail(`zstd frame claims ${size} uncompressed bytes`);
    contentSize = size;
  }
  pos += fcsBytes;
  for (;;) {
    if (pos + 3 > b.length) fail('zstd frame is truncated (block header)');
    const h = b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16);
    const type = (h >> 1) & 3;
    if (type === 3) fail('zstd frame holds a block of the reserved type');
    pos += 3 + (type === 1 ? 1 : h >>> 3);
    if (h & 1) break;
  }
  pos += hasChecksum ? 4 : 0;
  if (pos !== b.length) fail(`zstd data is not exactly one frame (frame ends at ${pos} of ${b.length} bytes)`);
  return contentSize;
}

function leb128(b: Uint8Array): number {
  let result = 0;
  for (let i = 0, shift = 0; i < 5 && i < b.length; i++, shift += 7) {
    result += (b[i] & 0x7f) * 2 ** shift;
    if ((b[i] & 0x80) === 0) return result;
  }
  return fail('Snappy data does not start with a valid length');
}
