/**
 * Bounds-checked reads of the two FlatBuffers an SST carries (schemas/sst.fbs):
 * `SsTableInfo` (the footer's metadata) and `SsTableIndex { block_meta:
 * [BlockMeta { offset: u64, first_key: [ubyte] }] }` (the index block).
 *
 * Written for these two tables only (the manifest's schema-driven decoder
 * does not know SsTableIndex, and the index is on the hot path of every
 * seek). Every offset is checked before it is followed; a bad one is a
 * DecodeFailure, never an out-of-range read. FlatBuffer scalars are
 * little-endian.
 */

import { fail } from './sstError';
import { COMPRESSION_BY_CODE, SstInfo } from './types';

class Flat {
  private readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  check(pos: number, size: number, what: string): void {
    if (pos < 0 || size < 0 || pos + size > this.buf.length) fail(`${what}: ${size} bytes at ${pos} lie outside the ${this.buf.length}-byte buffer`);
  }

  u32(pos: number, what: string): number {
    this.check(pos, 4, what);
    return this.view.getUint32(pos, true);
  }

  /** Table at `pos`: returns a slot → absolute field position function (0 = absent). */
  table(pos: number, what: string): (slot: number) => number {
    this.check(pos, 4, what);
    const vt = pos - this.view.getInt32(pos, true);
    this.check(vt, 4, `${what} vtable`);
    const vtSize = this.view.getUint16(vt, true);
    const inline = this.view.getUint16(vt + 2, true);
    if (vtSize < 4 || vtSize % 2 !== 0) fail(`${what} has a vtable of ${vtSize} bytes`);
    this.check(vt, vtSize, `${what} vtable`);
    this.check(pos, inline, what);
    const slots = (vtSize - 4) / 2;
    return (slot) => {
      if (slot >= slots) return 0;
      const rel = this.view.getUint16(vt + 4 + 2 * slot, true);
      if (rel === 0) return 0;
      if (rel >= inline) fail(`${what} field ${slot} lies outside its table`);
      return pos + rel;
    };
  }

  deref(pos: number, what: string): number {
    const target = pos + this.u32(pos, what);
    this.check(target, 4, what);
    return target;
  }

  /** u64 field as a safe JS number (offsets and lengths), 0 when absent. */
  u64(pos: number, what: string): number {
    if (pos === 0) return 0;
    this.check(pos, 8, what);
    const v = this.view.getBigUint64(pos, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`${what} = ${v} is not a plausible offset or length`);
    return Number(v);
  }

  i8(pos: number): number {
    return pos === 0 ? 0 : this.view.getInt8(pos);
  }

  /** [ubyte] field as a view into the buffer (null when absent). */
  bytes(pos: number, what: string): Uint8Array | null {
    if (pos === 0) return null;
    const start = this.deref(pos, what);
    const len = this.u32(start, what);
    this.check(start + 4, len, what);
    return this.buf.subarray(start + 4, start + 4 + len);
  }
}

function codecName(code: number): SstInfo['compression'] {
  const name = COMPRESSION_BY_CODE[code];
  if (name === undefined) fail(`unknown compression codec ${code}`);
  return name;
}

function sstTypeName(code: number): SstInfo['sstType'] {
  if (code === 0) return 'compacted';
  if (code === 1) return 'wal';
  return fail(`unknown SST type ${code}`);
}

/** Decodes the SsTableInfo FlatBuffer that precedes the footer (its CRC already checked). */
export function decodeSsTableInfo(buf: Uint8Array): SstInfo {
  const f = new Flat(buf);
  if (buf.length < 8) fail(`only ${buf.length} bytes of SsTableInfo`);
  const field = f.table(f.deref(0, 'SsTableInfo root'), 'SsTableInfo');
  const copy = (b: Uint8Array | null) => (b === null ? null : b.slice());
  return {
    firstEntry: copy(f.bytes(field(0), 'SsTableInfo.first_entry')),
    indexOffset: f.u64(field(1), 'SsTableInfo.index_offset'),
    indexLen: f.u64(field(2), 'SsTableInfo.index_len'),
    filterOffset: f.u64(field(3), 'SsTableInfo.filter_offset'),
    filterLen: f.u64(field(4), 'SsTableInfo.filter_len'),
    compression: codecName(f.i8(field(5))),
    sstType: sstTypeName(f.i8(field(6))),
    lastEntry: copy(f.bytes(field(7), 'SsTableInfo.last_entry')),
    statsOffset: f.u64(field(8), 'SsTableInfo.stats_offset'),
    statsLen: f.u64(field(9), 'SsTableInfo.stats_len'),
    filterFormat: f.i8(field(10)),
  };
}

/** The index: block i starts at `offsets[i]`; `firstKeys[i]` is a separator (≤ the block's first key). */
export interface BlockIndex {
  offsets: number[];
  firstKeys: Uint8Array[];
}

/** Decodes an SsTableIndex (already CRC-checked and decompressed). Keys are copied out of `buf`. */
export function decodeSsTableIndex(buf: Uint8Array): BlockIndex {
  const f = new Flat(buf);
  if (buf.length < 8) fail(`only ${buf.length} bytes of index`);
  const field = f.table(f.deref(0, 'SsTableIndex root'), 'SsTableIndex');
  const vecField = field(0);
  if (vecField === 0) fail('the index has no block_meta vector');
  const vec = f.deref(vecField, 'SsTableIndex.block_meta');
  const n = f.u32(vec, 'SsTableIndex.block_meta length');
  // Checked before allocating: a corrupt count cannot exceed what the buffer holds.
  f.check(vec + 4, n * 4, 'SsTableIndex.block_meta');
  const offsets = new Array<number>(n);
  const firstKeys = new Array<Uint8Array>(n);
  for (let i = 0; i < n; i++) {
    const what = `block_meta[${i}]`;
    const meta = f.table(f.deref(vec + 4 + 4 * i, what), what);
    offsets[i] = f.u64(meta(0), `${what}.offset`);
    const key = f.bytes(meta(1), `${what}.first_key`);
    if (key === null) fail(`${what} has no first_key`);
    firstKeys[i] = key.slice();
  }
  return { offsets, firstKeys };
}
