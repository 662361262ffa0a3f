/**
 * One SST or WAL object: its index, its data blocks, and their rows.
 *
 * Compacted SSTs are opened from the SsTableInfo the manifest carries
 * ({@link SstReader.fromInfo}: no footer read, as SlateDB does); WAL SSTs and
 * verification read the footer ({@link SstReader.open}). Only the blocks a
 * key range needs are read, with range reads that grow from 64 KiB to the
 * read-ahead limit while a scan streams, and the next read is started while
 * the current one is being decoded. Every section's CRC is checked before it
 * is decompressed and decoded; any bad byte is DATA_CORRUPT naming the
 * object and the section, an absent object is DATA_MISSING.
 */

import { throwIfAborted } from '../errors';
import type { ObjectStore } from '../store/objectStore';
import { BlockCache, decodedBlockBytes } from './blockCache';
import { compareBytes } from '../read/keyRange';
import { blocksCovering, blockSpans, BlockSpans } from './blockSpans';
import { checkedPayload } from './checksum';
import { decompress } from './compression';
import { decodeDataBlock } from './dataBlock';
import { decodeSsTableIndex } from './flatTables';
import { checkLayout, FOOTER_BYTES, parseFooter, parseInfoSection } from './footer';
import { decodingStep, sstCorrupt, sstMissing } from './sstError';
import type { RowEntry, SstInfo } from './types';

export interface SstReaderOptions {
  /** Shared cache of decoded blocks and indexes (one per scan or browsing session). */
  cache?: BlockCache;
  /** The object's size when known (listing, HEAD): saves a request in `open`. */
  size?: number;
  /** Treat an object of ≤ 10 bytes as an SST without blocks (WAL fences). Default: true under `wal/`. */
  allowEmpty?: boolean;
  /** Largest single range read while streaming. Default 1 MiB. */
  maxReadAhead?: number;
}

export interface BlockReadOptions {
  /** Only blocks that can hold keys ≥ from (compacted SSTs; a WAL is always read whole). */
  from?: Uint8Array;
  /** Only blocks that can hold keys < to (exclusive; compacted SSTs only). */
  to?: Uint8Array;
  signal?: AbortSignal;
}

/** Objects up to this size are read with one GET in `open` (WAL SSTs are small). */
const WHOLE_OBJECT_BYTES = 256 * 1024;
/** Tail read in `open` for big objects: footer, SsTableInfo and usually the index. */
const TAIL_BYTES = 64 * 1024;
const FIRST_READ_BYTES = 64 * 1024;
const DEFAULT_READ_AHEAD = 1024 * 1024;

const WAL_KEY = /(^|\/)wal\/\d{20}\.sst$/;

interface Chunk {
  first: number;
  last: number;
  start: number;
  bytes: Uint8Array;
}

export class SstReader {
  private spansPromise: Promise<BlockSpans> | undefined;
  private readonly cacheKey: string;

  private constructor(
    private readonly store: ObjectStore,
    readonly key: string,
    /** Null for an empty WAL object (≤ 10 bytes: a fence). */
    readonly info: SstInfo | null,
    /** 1 or 2: selects the block codec. */
    readonly formatVersion: number,
    private readonly opts: SstReaderOptions,
    /** The whole object, when `open` read it in one GET. */
    private readonly whole?: Uint8Array,
  ) {
    this.cacheKey = `${store.description}|${key}`;
  }

  /** Compacted SST from the manifest's SsTableInfo and format_version (no footer read). */
  static fromInfo(store: ObjectStore, key: string, info: SstInfo, formatVersion: number, opts: SstReaderOptions = {}): SstReader {
    if (formatVersion !== 1 && formatVersion !== 2) {
      throw sstCorrupt(key, 'the manifest entry', `SST format version ${formatVersion} is not one this tool reads (1 or 2)`);
    }
    decodingStep(key, "the manifest's SsTableInfo", () => checkLayout(info, opts.size !== undefined ? opts.size - FOOTER_BYTES : Number.MAX_SAFE_INTEGER));
    return new SstReader(store, key, info, formatVersion, opts);
  }

  /** Reads the footer and SsTableInfo (WAL SSTs, verification). ≤ 10-byte WAL objects give an empty reader. */
  static async open(store: ObjectStore, key: string, opts: SstReaderOptions = {}): Promise<SstReader> {
    const allowEmpty = opts.allowEmpty ?? WAL_KEY.test(key);
    let size = opts.size;
    let whole: Uint8Array | undefined;
    if (size === undefined && allowEmpty) {
      whole = await getWhole(store, key);
      size = whole.length;
    } else if (size === undefined) {
      const meta = await store.head(key);
      if (!meta) throw sstMissing(key, 'SST');
      size = meta.size;
    }
    if (size <= FOOTER_BYTES) {
      if (allowEmpty) return new SstReader(store, key, null, 2, opts, whole ?? new Uint8Array(0));
      throw sstCorrupt(key, 'the footer', `the object has only ${size} bytes, too few for an SST footer`);
    }
    if (whole === undefined && size <= WHOLE_OBJECT_BYTES) {
      whole = await getWhole(store, key);
      size = whole.length;
      if (size <= FOOTER_BYTES) {
        if (allowEmpty) return new SstReader(store, key, null, 2, opts, whole);
        throw sstCorrupt(key, 'the footer', `the object has only ${size} bytes, too few for an SST footer`);
      }
    }
    const tailStart = whole ? 0 : Math.max(0, size - TAIL_BYTES);
    const tail = whole ?? (await rangeOf(store, key, tailStart, size, 'the footer'));
    const footer = decodingStep(key, 'the footer', () => parseFooter(tail.subarray(tail.length - FOOTER_BYTES), size!));
    const infoBytes =
      footer.metaOffset >= tailStart
        ? tail.subarray(footer.metaOffset - tailStart, tail.length - FOOTER_BYTES)
        : await rangeOf(store, key, footer.metaOffset, size - FOOTER_BYTES, 'the SsTableInfo');
    const info = decodingStep(key, 'the SsTableInfo', () => parseInfoSection(infoBytes, footer.metaOffset));
    return new SstReader(store, key, info, footer.formatVersion, { ...opts, size }, whole);
  }

  /** WAL SSTs are seq-ordered: never seeked. (0.12.1's fence WAL is typed Compacted, so the key counts too.) */
  get isWal(): boolean {
    return this.info?.sstType === 'wal' || WAL_KEY.test(this.key);
  }

  /** The index and every block's span (read once, then cached). */
  spans(signal?: AbortSignal): Promise<BlockSpans> {
    if (this.info === null) return Promise.resolve({ index: { offsets: [], firstKeys: [] }, ends: [] });
    const cached = this.opts.cache?.get<BlockSpans>(`${this.cacheKey}#index`);
    if (cached) return Promise.resolve(cached);
    if (!this.spansPromise) {
      const info = this.info;
      this.spansPromise = (async () => {
        throwIfAborted(signal, `reading ${this.key}`);
        const section = await this.read(info.indexOffset, info.indexOffset + info.indexLen, 'the index');
        const spans = decodingStep(this.key, 'the index', () =>
          blockSpans(decodeSsTableIndex(decompress(info.compression, checkedPayload(section))), info),
        );
        let keyBytes = 0;
        for (const k of spans.index.firstKeys) keyBytes += k.length + 48;
        this.opts.cache?.set(`${this.cacheKey}#index`, spans, keyBytes + 64);
        return spans;
      })();
      this.spansPromise.catch(() => (this.spansPromise = undefined)); // a failed read may be retried
    }
    return this.spansPromise;
  }

  async blockCount(signal?: AbortSignal): Promise<number> {
    return (await this.spans(signal)).ends.length;
  }

  /** Decoded blocks in file order: only those that can hold keys in [from, to) for compacted SSTs. */
  async *blocks(opts: BlockReadOptions = {}): AsyncGenerator<RowEntry[]> {
    const spans = await this.spans(opts.signal);
    const n = spans.ends.length;
    if (n === 0) return;
    const covering = this.isWal ? ([0, n - 1] as [number, number]) : blocksCovering(spans.index, opts.from, opts.to);
    if (covering === null) return;
    const [first, last] = covering;
    const maxReadAhead = Math.max(FIRST_READ_BYTES, this.opts.maxReadAhead ?? DEFAULT_READ_AHEAD);
    let limit = FIRST_READ_BYTES;
    let pending: { first: number; promise: Promise<Chunk> } | undefined;
    try {
      for (let i = first; i <= last; ) {
        throwIfAborted(opts.signal, `reading ${this.key}`);
        const cached = this.opts.cache?.get<RowEntry[]>(this.blockKey(i));
        if (cached) {
          yield cached;
          i++;
          continue;
        }
        const chunk = pending?.first === i ? await pending.promise : await this.fetchChunk(spans, i, last, limit);
        pending = undefined;
        limit = Math.min(limit * 2, maxReadAhead);
        const half = chunk.first + ((chunk.last - chunk.first) >> 1);
        for (let b = chunk.first; b <= chunk.last; b++) {
          if (b === half && chunk.last < last) {
            // Streaming: fetch the next stretch while this one is consumed.
            const promise = this.fetchChunk(spans, chunk.last + 1, last, limit);
            promise.catch(() => undefined); // awaited later; never an unhandled rejection if abandoned
            pending = { first: chunk.last + 1, promise };
          }
          const rows = this.decodeBlock(b, chunk.bytes.subarray(spans.index.offsets[b] - chunk.start, spans.ends[b] - chunk.start));
          yield rows;
          throwIfAborted(opts.signal, `reading ${this.key}`);
        }
        i = chunk.last + 1;
      }
    } finally {
      pending = undefined;
    }
  }

  /** Rows in file order (compacted: key asc, seq desc; WAL: seq asc); `from` skips the keys before it. */
  async *rows(opts: { from?: Uint8Array; signal?: AbortSignal } = {}): AsyncGenerator<RowEntry> {
    const from = this.isWal ? undefined : opts.from;
    for await (const block of this.blocks(opts)) {
      for (const row of block) {
        if (from !== undefined && compareBytes(row.key, from) < 0) continue;
        yield row;
      }
    }
  }

  /** Reads and checks every section (CRC, decompression, decoding): for verify --deep. */
  async verifyAll(signal?: AbortSignal): Promise<{ blocks: number; bytes: number }> {
    const spans = await this.spans(signal);
    const info = this.info;
    let bytes = info ? info.indexLen : 0;
    let blocks = 0;
    for (let i = 0; i < spans.ends.length; ) {
      throwIfAborted(signal, `verifying ${this.key}`);
      const chunk = await this.fetchChunk(spans, i, spans.ends.length - 1, DEFAULT_READ_AHEAD);
      for (let b = chunk.first; b <= chunk.last; b++) {
        this.decodeBlock(b, chunk.bytes.subarray(spans.index.offsets[b] - chunk.start, spans.ends[b] - chunk.start), false);
        blocks++;
      }
      bytes += chunk.bytes.length;
      i = chunk.last + 1;
    }
    if (info && info.filterLen > 0) bytes += await this.verifySection(info.filterOffset, info.filterLen, 'the filter block');
    if (info && info.statsLen > 0) bytes += await this.verifySection(info.statsOffset, info.statsLen, 'the stats block');
    return { blocks, bytes };
  }

  private async verifySection(offset: number, len: number, section: string): Promise<number> {
    const bytes = await this.read(offset, offset + len, section);
    decodingStep(this.key, section, () => decompress(this.info!.compression, checkedPayload(bytes)));
    return len;
  }

  private blockKey(i: number): string {
    return `${this.cacheKey}#${i}`;
  }

  private decodeBlock(i: number, section: Uint8Array, cache = true): RowEntry[] {
    const info = this.info!;
    let decodedLength = 0;
    const rows = decodingStep(this.key, `data block ${i}`, () => {
      const payload = decompress(info.compression, checkedPayload(section));
      decodedLength = payload.length;
      return decodeDataBlock(payload, this.formatVersion);
    });
    if (cache) this.opts.cache?.set(this.blockKey(i), rows, decodedBlockBytes(decodedLength, rows.length));
    return rows;
  }

  /** One range read of blocks first..j, as many as fit in `limit` bytes (at least one). */
  private async fetchChunk(spans: BlockSpans, first: number, last: number, limit: number): Promise<Chunk> {
    const start = spans.index.offsets[first];
    let j = first;
    while (j < last && spans.ends[j + 1] - start <= limit) j++;
    const bytes = await this.read(start, spans.ends[j], j === first ? `data block ${first}` : `data blocks ${first}–${j}`);
    return { first, last: j, start, bytes };
  }

  private async read(start: number, end: number, section: string): Promise<Uint8Array> {
    if (this.whole) {
      if (end > this.whole.length) throw sstCorrupt(this.key, section, `bytes [${start}, ${end}) lie past the end of the ${this.whole.length}-byte object`);
      return this.whole.subarray(start, end);
    }
    return rangeOf(this.store, this.key, start, end, section);
  }
}

async function getWhole(store: ObjectStore, key: string): Promise<Uint8Array> {
  const got = await store.get(key);
  if (!got) throw sstMissing(key, WAL_KEY.test(key) ? 'WAL file' : 'SST');
  return got.bytes;
}

async function rangeOf(store: ObjectStore, key: string, start: number, end: number, section: string): Promise<Uint8Array> {
  const bytes = await store.getRange(key, start, end);
  if (bytes === undefined) throw sstMissing(key, WAL_KEY.test(key) ? 'WAL file' : 'SST');
  if (bytes.length !== end - start) {
    throw sstCorrupt(key, section, `the object is truncated: bytes [${start}, ${end}) were needed but it ends at byte ${start + bytes.length}`);
  }
  return bytes;
}
