/**
 * A source of rows for the merge, pulled block by block: `rows[pos]` is the
 * current row; when a block is used up, `refill()` fetches the next one. Rows
 * arrive in (key asc, seq desc) order, already restricted to the view's
 * visible range, the scan range and seq ≤ max_seq.
 */

import { compareBytes, inRange, KeyRange } from './keyRange';
import type { RowEntry } from '../sst/types';

export class RowCursor {
  rows: RowEntry[] = [];
  pos = 0;

  constructor(
    /** Lower = newer source (WAL 0, then L0 in manifest order, then sorted runs): breaks (key, seq) ties. */
    readonly rank: number,
    private readonly batches: AsyncIterator<RowEntry[]>,
    /**
     * No row of this source sorts before this key (from the manifest: the first
     * entry of its first SST, the view and scan bounds); null = unknown. The
     * merge opens a source only when the scan reaches its lower bound, so a
     * first page never reads the sources that start after it.
     */
    readonly lowerBound: Uint8Array | null = null,
  ) {}

  /** Loads the next non-empty batch; false when the source is exhausted. */
  async refill(): Promise<boolean> {
    for (;;) {
      const next = await this.batches.next();
      if (next.done) {
        this.rows = [];
        this.pos = 0;
        return false;
      }
      if (next.value.length > 0) {
        this.rows = next.value;
        this.pos = 0;
        return true;
      }
    }
  }

  /** Stops the underlying reader (a scan that ends early). */
  async close(): Promise<void> {
    await this.batches.return?.();
  }
}

/**
 * The rows of decoded blocks that lie in `range` with seq ≤ maxSeq. Blocks
 * arrive in key order, so the first block past the range's end ends the source.
 */
export async function* filteredBatches(blocks: AsyncIterable<RowEntry[]>, range: KeyRange, maxSeq: bigint): AsyncGenerator<RowEntry[]> {
  for await (const block of blocks) {
    const n = block.length;
    if (n === 0) continue;
    const first = block[0].key;
    const last = block[n - 1].key;
    if (range.end !== undefined && compareBytes(first, range.end) >= 0) return;
    const whole = (range.start === undefined || compareBytes(first, range.start) >= 0) && (range.end === undefined || compareBytes(last, range.end) < 0);
    let allSeq = true;
    for (let i = 0; i < n; i++) {
      if (block[i].seq > maxSeq) {
        allSeq = false;
        break;
      }
    }
    if (whole && allSeq) {
      yield block;
      continue;
    }
    const kept: RowEntry[] = [];
    for (let i = 0; i < n; i++) {
      const row = block[i];
      if (row.seq <= maxSeq && inRange(row.key, range)) kept.push(row);
    }
    if (kept.length > 0) yield kept;
    if (range.end !== undefined && compareBytes(last, range.end) >= 0) return;
  }
}

/** Rows held in memory (the WAL) as batches, restricted like {@link filteredBatches}. */
export async function* memoryBatches(rows: RowEntry[], range: KeyRange, maxSeq: bigint, batchSize = 1024): AsyncGenerator<RowEntry[]> {
  let i = 0;
  if (range.start !== undefined) {
    // Binary search for the first key ≥ start.
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(rows[mid].key, range.start) < 0) lo = mid + 1;
      else hi = mid;
    }
    i = lo;
  }
  while (i < rows.length) {
    const batch: RowEntry[] = [];
    for (; i < rows.length && batch.length < batchSize; i++) {
      const row = rows[i];
      if (range.end !== undefined && compareBytes(row.key, range.end) >= 0) {
        if (batch.length > 0) yield batch;
        return;
      }
      if (row.seq <= maxSeq) batch.push(row);
    }
    if (batch.length > 0) yield batch;
  }
}
