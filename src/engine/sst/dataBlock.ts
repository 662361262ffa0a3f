/**
 * Data blocks (SST-FACTS §3), after CRC check and decompression:
 *
 *   [entries][offsets: u16 BE × n][n: u16 BE]
 *
 * Format version 1 (`format/block.rs` + `format/row.rs`): `offsets[i]` is
 * where entry i starts and keys share a prefix with the block's FIRST key.
 * Format version 2 (`format/block_v2.rs` + `format/row_codec_v2.rs`): the
 * offsets are restart points, entries are decoded one after another to the
 * end, and keys share a prefix with the PREVIOUS key.
 *
 * Every length is checked against the block before it is used; anything that
 * cannot be what SlateDB wrote is a DecodeFailure. Values are views into
 * `block` (no copy); keys are fresh arrays.
 */

import { fail } from './sstError';
import type { RowEntry, RowKind } from './types';

const TOMBSTONE = 0x01;
const HAS_EXPIRE_TS = 0x02;
const HAS_CREATE_TS = 0x04;
const MERGE_OPERAND = 0x08;
const KNOWN_FLAGS = 0x0f;
const EMPTY: Uint8Array = new Uint8Array(0);

function kindOf(flags: number, at: number): RowKind {
  if (flags & ~KNOWN_FLAGS) fail(`entry at byte ${at} has unknown row flags 0x${flags.toString(16)}`);
  if (flags & TOMBSTONE) {
    if (flags & MERGE_OPERAND) fail(`entry at byte ${at} is flagged both tombstone and merge operand`);
    return 'tombstone';
  }
  return flags & MERGE_OPERAND ? 'merge' : 'value';
}

interface Trailer {
  view: DataView;
  /** End of the entries (start of the offsets). */
  dataEnd: number;
  offsets: number[];
}

function trailer(block: Uint8Array): Trailer {
  const len = block.length;
  if (len < 2) fail(`a ${len}-byte block has no entry count`);
  const view = new DataView(block.buffer, block.byteOffset, len);
  const n = view.getUint16(len - 2);
  const dataEnd = len - 2 - 2 * n;
  if (dataEnd < 0) fail(`the block claims ${n} offsets but has only ${len} bytes`);
  const offsets = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const o = view.getUint16(dataEnd + 2 * i);
    if (o >= dataEnd || (i > 0 && o <= offsets[i - 1])) fail(`offset ${i} (${o}) is out of order or outside the ${dataEnd} bytes of entries`);
    offsets[i] = o;
  }
  return { view, dataEnd, offsets };
}

export function decodeDataBlock(block: Uint8Array, formatVersion: number): RowEntry[] {
  if (formatVersion === 1) return decodeV1(block);
  if (formatVersion === 2) return decodeV2(block);
  return fail(`unsupported SST format version ${formatVersion}`);
}

function decodeV1(block: Uint8Array): RowEntry[] {
  const { view, dataEnd, offsets } = trailer(block);
  const n = offsets.length;
  const rows = new Array<RowEntry>(n);
  if (n === 0) {
    if (dataEnd !== 0) fail(`a V1 block has ${dataEnd} bytes of entries but no offsets`);
    return rows;
  }
  if (offsets[0] !== 0) fail(`the first entry starts at ${offsets[0]}, not 0`);
  let firstKey = EMPTY;
  for (let i = 0; i < n; i++) {
    let p = offsets[i];
    const end = i + 1 < n ? offsets[i + 1] : dataEnd;
    if (p + 4 > end) fail(`entry ${i} at byte ${p} is truncated`);
    const prefix = view.getUint16(p);
    const suffixLen = view.getUint16(p + 2);
    p += 4;
    if (i === 0 && prefix !== 0) fail(`the block's first entry shares ${prefix} bytes with no previous key`);
    if (prefix > firstKey.length) fail(`entry ${i} shares ${prefix} bytes of a ${firstKey.length}-byte first key`);
    if (p + suffixLen + 9 > end) fail(`entry ${i} at byte ${offsets[i]} is truncated`);
    const key = new Uint8Array(prefix + suffixLen);
    if (prefix > 0) key.set(firstKey.subarray(0, prefix));
    key.set(block.subarray(p, p + suffixLen), prefix);
    if (key.length === 0) fail(`entry ${i} has an empty key`);
    p += suffixLen;
    const seq = view.getBigUint64(p);
    const flags = block[p + 8];
    p += 9;
    const kind = kindOf(flags, offsets[i]);
    const tsBytes = (flags & HAS_EXPIRE_TS ? 8 : 0) + (flags & HAS_CREATE_TS ? 8 : 0);
    if (p + tsBytes > end) fail(`entry ${i} at byte ${offsets[i]} is truncated (timestamps)`);
    let expireTs: bigint | null = null;
    let createTs: bigint | null = null;
    if (flags & HAS_EXPIRE_TS) {
      expireTs = view.getBigInt64(p);
      p += 8;
    }
    if (flags & HAS_CREATE_TS) {
      createTs = view.getBigInt64(p);
      p += 8;
    }
    let value = EMPTY;
    if (kind === 'tombstone') {
      expireTs = null; // SlateDB's V1 decode drops a tombstone's expire_ts (format/row.rs)
    } else {
      if (p + 4 > end) fail(`entry ${i} at byte ${offsets[i]} is truncated (value length)`);
      const valueLen = view.getUint32(p);
      p += 4;
      if (p + valueLen > end) fail(`entry ${i} at byte ${offsets[i]} has a ${valueLen}-byte value that runs past its end`);
      value = block.subarray(p, p + valueLen);
    }
    if (i === 0) firstKey = key;
    rows[i] = { key, value, seq, kind, expireTs, createTs };
  }
  return rows;
}

function decodeV2(block: Uint8Array): RowEntry[] {
  const { view, dataEnd, offsets } = trailer(block);
  const rows: RowEntry[] = [];
  if (dataEnd === 0) return rows;
  if (offsets.length === 0 || offsets[0] !== 0) fail('a V2 block does not have a restart point at byte 0');
  let prev = EMPTY;
  let p = 0;
  let restart = 0; // index of the next restart point to reach
  while (p < dataEnd) {
    const at = p;
    const atRestart = restart < offsets.length && offsets[restart] === at;
    if (atRestart) restart++;
    else if (restart < offsets.length && offsets[restart] < at) fail(`restart point ${restart} (${offsets[restart]}) is not at an entry start`);
    // Three LEB128 varints (u32 in SlateDB): shared, unshared, value_len.
    let shared = 0;
    let unshared = 0;
    let valueLen = 0;
    for (let v = 0; v < 3; v++) {
      let result = 0;
      let shift = 0;
      for (;;) {
        if (p >= dataEnd) fail(`entry at byte ${at} is truncated (varint)`);
        const b = block[p++];
        result += (b & 0x7f) * 2 ** shift;
        if ((b & 0x80) === 0) break;
        shift += 7;
        if (shift > 28) fail(`entry at byte ${at} has a varint longer than 5 bytes`);
      }
      if (v === 0) shared = result;
      else if (v === 1) unshared = result;
      else valueLen = result;
    }
    if (atRestart && shared !== 0) fail(`entry at restart point byte ${at} shares ${shared} bytes`);
    if (shared > prev.length) fail(`entry at byte ${at} shares ${shared} bytes of a ${prev.length}-byte previous key`);
    if (unshared > dataEnd - p || valueLen > dataEnd - p - unshared || p + unshared + valueLen + 9 > dataEnd) {
      fail(`entry at byte ${at} (key suffix ${unshared}, value ${valueLen} bytes) runs past the block's ${dataEnd} bytes of entries`);
    }
    const key = new Uint8Array(shared + unshared);
    if (shared > 0) key.set(prev.subarray(0, shared));
    key.set(block.subarray(p, p + unshared), shared);
    if (key.length === 0) fail(`entry at byte ${at} has an empty key`);
    p += unshared;
    const valueStart = p;
    p += valueLen;
    const seq = view.getBigUint64(p);
    const flags = block[p + 8];
    p += 9;
    const kind = kindOf(flags, at);
    let expireTs: bigint | null = null;
    let createTs: bigint | null = null;
    if (flags & HAS_EXPIRE_TS) {
      if (p + 8 > dataEnd) fail(`entry at byte ${at} is truncated (expire_ts)`);
      expireTs = view.getBigInt64(p);
      p += 8;
    }
    if (flags & HAS_CREATE_TS) {
      if (p + 8 > dataEnd) fail(`entry at byte ${at} is truncated (create_ts)`);
      createTs = view.getBigInt64(p);
      p += 8;
    }
    // A tombstone's value bytes (SlateDB writes none) are read past and ignored, as SlateDB does.
    const value = kind === 'tombstone' || valueLen === 0 ? EMPTY : block.subarray(valueStart, valueStart + valueLen);
    rows.push({ key, value, seq, kind, expireTs, createTs });
    prev = key;
  }
  if (restart !== offsets.length) fail(`restart point ${restart} (${offsets[restart]}) is not at an entry start`);
  return rows;
}
