/**
 * The k-way merge of SlateDB's scan (SST-FACTS §6.1): all sources ordered by
 * (key asc, seq desc); for each key the entry with the highest seq wins and
 * every older version is skipped; a winning tombstone hides the key; a
 * winning merge operand cannot be resolved without the user's merge operator.
 * Ties on (key, seq) go to the newer source (lower rank).
 *
 * It yields batches of rows and never awaits while it holds rows it could
 * hand out: a consumer that stops after the first page causes no extra reads.
 */

import { EngineError } from '../errors';
import type { RowEntry } from '../sst/types';
import { bytesEqual, compareBytes } from './keyRange';
import type { RowCursor } from './mergeCursor';

export interface ScanRow {
  key: Uint8Array;
  value: Uint8Array;
  seq: bigint;
  expireTs: bigint | null;
}

/** Cursor a sorts before b: smaller key, then higher seq, then newer source. */
function before(a: RowCursor, b: RowCursor): boolean {
  const ra = a.rows[a.pos];
  const rb = b.rows[b.pos];
  const c = compareBytes(ra.key, rb.key);
  if (c !== 0) return c < 0;
  if (ra.seq !== rb.seq) return ra.seq > rb.seq;
  return a.rank < b.rank;
}

class CursorHeap {
  readonly items: RowCursor[] = [];

  push(c: RowCursor): void {
    const h = this.items;
    h.push(c);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  /** Restores the heap after the top cursor moved on. */
  siftDown(i = 0): void {
    const h = this.items;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && before(h[l], h[m])) m = l;
      if (r < n && before(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }

  removeTop(): void {
    const h = this.items;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      this.siftDown(0);
    }
  }
}

const BATCH_ROWS = 512;

/** Live rows in key order, in batches. Closes every cursor when it ends or is abandoned. */
export async function* mergeLatest(cursors: RowCursor[], describeKey: (key: Uint8Array) => string): AsyncGenerator<ScanRow[]> {
  const heap = new CursorHeap();
  try {
    for (const c of cursors) if (await c.refill()) heap.push(c);
    let batch: ScanRow[] = [];
    let lastKey: Uint8Array | null = null;
    while (heap.items.length > 0) {
      const top = heap.items[0];
      const row: RowEntry = top.rows[top.pos];
      if (lastKey === null || !bytesEqual(row.key, lastKey)) {
        // The first entry of a key is its newest version.
        lastKey = row.key;
        if (row.kind === 'value') {
          batch.push({ key: row.key, value: row.value, seq: row.seq, expireTs: row.expireTs });
          if (batch.length >= BATCH_ROWS) {
            yield batch;
            batch = [];
          }
        } else if (row.kind === 'merge') {
          if (batch.length > 0) yield batch; // rows before the failing key are still delivered
          batch = [];
          throw new EngineError(
            'MERGE_OPERATOR_MISSING',
            `key ${describeKey(row.key)}: its newest entry is a merge operand; reading it needs the database's merge operator`,
          );
        }
      }
      if (++top.pos < top.rows.length) {
        heap.siftDown(0);
        continue;
      }
      if (batch.length > 0) {
        yield batch; // hand out what we have before reading more
        batch = [];
      }
      if (await top.refill()) heap.siftDown(0);
      else heap.removeTop();
    }
    if (batch.length > 0) yield batch;
  } finally {
    await Promise.all(cursors.map((c) => c.close().catch(() => undefined)));
  }
}
