/**
 * A test-only SST writer that follows SlateDB's layout (SST-FACTS §2–§3):
 * V1 or V2 data blocks, index separators as `compute_index_key` makes them,
 * SsTableInfo and SsTableIndex FlatBuffers (written with the `flatbuffers`
 * package), a CRC-32 after every section, the 10-byte footer. It lets unit
 * tests, the fuzzer and the benchmark make SSTs of any shape in
 * milliseconds; compatibility with SlateDB itself is tested on files the real
 * engine wrote (realCodecDbs.ts), never on these.
 */
import * as zlib from 'node:zlib';
import { Builder } from 'flatbuffers';
import * as snappy from 'snappyjs';
import type { DecodedTable } from '../../../src/engine/manifest/flatDecoder';
import { crc32Of } from '../../../src/engine/sst/checksum';
import type { CompressionName, RowKind, SstInfo } from '../../../src/engine/sst/types';

export interface BuildRow {
  key: Uint8Array | string;
  value?: Uint8Array | string;
  seq: bigint | number;
  kind?: RowKind;
  expireTs?: bigint;
  createTs?: bigint;
}

export interface BuildOptions {
  formatVersion?: 1 | 2;
  /** Target block size in bytes (SlateDB's default is 4096). */
  blockSize?: number;
  codec?: Extract<CompressionName, 'none' | 'zlib' | 'snappy'>;
  sstType?: 'compacted' | 'wal';
  restartInterval?: number;
  /** Write last_entry (SlateDB ≥ 0.11 does). Default true for compacted SSTs. */
  lastEntry?: boolean;
}

export interface BuiltSst {
  bytes: Uint8Array;
  info: SstInfo;
  /** The SsTableInfo as a manifest table (for CompactedSsTable.info). */
  infoTable: DecodedTable;
  blockOffsets: number[];
  formatVersion: number;
}

const CODEC_CODE = { none: 0, snappy: 1, zlib: 2, lz4: 3, zstd: 4 } as const;
const bytesOf = (v: Uint8Array | string | undefined) => (v === undefined ? new Uint8Array(0) : typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'utf8')) : v);

function flagsOf(r: BuildRow): number {
  const kind = r.kind ?? 'value';
  return (kind === 'tombstone' ? 1 : 0) | (r.expireTs !== undefined ? 2 : 0) | (r.createTs !== undefined ? 4 : 0) | (kind === 'merge' ? 8 : 0);
}

class Out {
  private parts: number[] = [];
  u8(v: number) { this.parts.push(v & 0xff); }
  u16(v: number) { this.u8(v >> 8); this.u8(v); }
  u32(v: number) { this.u16(v >>> 16); this.u16(v & 0xffff); }
  u64(v: bigint) { for (let s = 56n; s >= 0n; s -= 8n) this.u8(Number((BigInt.asUintN(64, v) >> s) & 0xffn)); }
  bytes(b: Uint8Array) { for (const x of b) this.parts.push(x); }
  varint(v: number) { while (v >= 0x80) { this.u8((v & 0x7f) | 0x80); v >>>= 7; } this.u8(v); }
  get length() { return this.parts.length; }
  done() { return new Uint8Array(this.parts); }
}

function sharedLen(a: Uint8Array, b: Uint8Array): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Encodes one block of rows (already in block order). */
export function encodeBlock(rows: BuildRow[], formatVersion: 1 | 2, restartInterval = 16): Uint8Array {
  const out = new Out();
  const offsets: number[] = [];
  let first: Uint8Array = new Uint8Array(0);
  let prev: Uint8Array = new Uint8Array(0);
  rows.forEach((r, i) => {
    const key = bytesOf(r.key);
    const value = bytesOf(r.value);
    const flags = flagsOf(r);
    const tomb = (flags & 1) !== 0;
    if (formatVersion === 1) {
      offsets.push(out.length);
      const prefix = i === 0 ? 0 : sharedLen(first, key);
      out.u16(prefix);
      out.u16(key.length - prefix);
      out.bytes(key.subarray(prefix));
      out.u64(BigInt(r.seq));
      out.u8(flags);
      if (r.expireTs !== undefined) out.u64(r.expireTs);
      if (r.createTs !== undefined) out.u64(r.createTs);
      if (!tomb) {
        out.u32(value.length);
        out.bytes(value);
      }
      if (i === 0) first = key;
    } else {
      const restart = i % restartInterval === 0;
      if (restart) offsets.push(out.length);
      const shared = restart ? 0 : sharedLen(prev, key);
      out.varint(shared);
      out.varint(key.length - shared);
      out.varint(tomb ? 0 : value.length);
      out.bytes(key.subarray(shared));
      if (!tomb) out.bytes(value);
      out.u64(BigInt(r.seq));
      out.u8(flags);
      if (r.expireTs !== undefined) out.u64(r.expireTs);
      if (r.createTs !== undefined) out.u64(r.createTs);
      prev = key;
    }
  });
  for (const o of offsets) out.u16(o);
  out.u16(offsets.length);
  return out.done();
}

function compress(codec: BuildOptions['codec'], data: Uint8Array): Uint8Array {
  if (codec === 'zlib') return new Uint8Array(zlib.deflateSync(data));
  if (codec === 'snappy') return snappy.compress(data);
  return data;
}

/** Section bytes = compressed payload + CRC-32 BE. */
export function withCrc(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 4);
  out.set(payload);
  new DataView(out.buffer).setUint32(payload.length, crc32Of(payload));
  return out;
}

/** SlateDB's `compute_index_key`: the shortest prefix of `first` greater than `prevLast`. */
export function indexKey(prevLast: Uint8Array, first: Uint8Array): Uint8Array {
  const n = Math.min(prevLast.length, first.length);
  for (let i = 0; i < n; i++) if (prevLast[i] !== first[i]) return first.slice(0, i + 1);
  return first.slice(0, Math.min(first.length, prevLast.length + 1));
}

export function encodeIndex(blocks: Array<{ offset: number; firstKey: Uint8Array }>): Uint8Array {
  const b = new Builder(1024);
  const metas = blocks.map((m) => {
    const key = b.createByteVector(m.firstKey);
    b.startObject(2);
    b.addFieldInt64(0, BigInt(m.offset), 0n);
    b.addFieldOffset(1, key, 0);
    return b.endObject();
  });
  b.startVector(4, metas.length, 4);
  for (let i = metas.length - 1; i >= 0; i--) b.addOffset(metas[i]);
  const vec = b.endVector();
  b.startObject(1);
  b.addFieldOffset(0, vec, 0);
  b.finish(b.endObject());
  return b.asUint8Array().slice();
}

export function encodeInfo(info: SstInfo): Uint8Array {
  const b = new Builder(256);
  const first = info.firstEntry ? b.createByteVector(info.firstEntry) : 0;
  const last = info.lastEntry ? b.createByteVector(info.lastEntry) : 0;
  b.startObject(11);
  if (first) b.addFieldOffset(0, first, 0);
  b.addFieldInt64(1, BigInt(info.indexOffset), 0n);
  b.addFieldInt64(2, BigInt(info.indexLen), 0n);
  b.addFieldInt64(3, BigInt(info.filterOffset), 0n);
  b.addFieldInt64(4, BigInt(info.filterLen), 0n);
  b.addFieldInt8(5, CODEC_CODE[info.compression], 0);
  b.addFieldInt8(6, info.sstType === 'wal' ? 1 : 0, 0);
  if (last) b.addFieldOffset(7, last, 0);
  b.addFieldInt64(8, BigInt(info.statsOffset), 0n);
  b.addFieldInt64(9, BigInt(info.statsLen), 0n);
  b.addFieldInt8(10, info.filterFormat, 0);
  b.finish(b.endObject());
  return b.asUint8Array().slice();
}

function seqBytes(seq: bigint | number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(seq));
  return out;
}

/** A whole SST: compacted rows must be in (key asc, seq desc) order; WAL rows in seq order. */
export function buildSst(rows: BuildRow[], o: BuildOptions = {}): BuiltSst {
  const formatVersion = o.formatVersion ?? 2;
  const blockSize = o.blockSize ?? 4096;
  const codec = o.codec ?? 'none';
  const wal = o.sstType === 'wal';
  const groups: BuildRow[][] = [];
  let current: BuildRow[] = [];
  let size = 0;
  for (const r of rows) {
    const entry = bytesOf(r.key).length + bytesOf(r.value).length + 30;
    if (current.length > 0 && size + entry > blockSize) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += entry;
  }
  if (current.length > 0) groups.push(current);

  const sections: Uint8Array[] = [];
  const metas: Array<{ offset: number; firstKey: Uint8Array }> = [];
  let offset = 0;
  let prevLast: Uint8Array = new Uint8Array(0);
  for (const g of groups) {
    const firstKey = wal ? seqBytes(g[0].seq) : metas.length === 0 ? new Uint8Array(0) : indexKey(prevLast, bytesOf(g[0].key));
    const section = withCrc(compress(codec, encodeBlock(g, formatVersion, o.restartInterval)));
    metas.push({ offset, firstKey });
    sections.push(section);
    offset += section.length;
    prevLast = bytesOf(g[g.length - 1].key);
  }
  const dataEnd = offset;
  const index = withCrc(compress(codec, encodeIndex(metas)));
  sections.push(index);
  const info: SstInfo = {
    firstEntry: rows.length === 0 ? null : wal ? seqBytes(rows[0].seq) : bytesOf(rows[0].key),
    lastEntry: !wal && (o.lastEntry ?? true) && rows.length > 0 ? bytesOf(rows[rows.length - 1].key) : null,
    indexOffset: dataEnd,
    indexLen: index.length,
    filterOffset: dataEnd,
    filterLen: 0,
    statsOffset: 0,
    statsLen: 0,
    compression: codec,
    sstType: wal ? 'wal' : 'compacted',
    filterFormat: 0,
  };
  const metaOffset = dataEnd + index.length;
  const infoSection = withCrc(encodeInfo(info));
  sections.push(infoSection);
  const footer = new Uint8Array(10);
  new DataView(footer.buffer).setBigUint64(0, BigInt(metaOffset));
  new DataView(footer.buffer).setUint16(8, formatVersion);
  sections.push(footer);
  const bytes = new Uint8Array(sections.reduce((n, s) => n + s.length, 0));
  let at = 0;
  for (const s of sections) {
    bytes.set(s, at);
    at += s.length;
  }
  const infoTable: DecodedTable = {
    first_entry: info.firstEntry,
    index_offset: BigInt(info.indexOffset),
    index_len: BigInt(info.indexLen),
    filter_offset: BigInt(info.filterOffset),
    filter_len: 0n,
    compression_format: CODEC_CODE[codec],
    sst_type: wal ? 1 : 0,
    last_entry: info.lastEntry,
    stats_offset: 0n,
    stats_len: 0n,
    filter_format: 0,
  };
  return { bytes, info, infoTable, blockOffsets: metas.map((m) => m.offset), formatVersion };
}
