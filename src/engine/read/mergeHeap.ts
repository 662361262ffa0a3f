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

import { mapLimit } from '../concurrency';
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
/** Sources whose first blocks are fetched at once (a first page over 100+ L0 SSTs costs ~2 round trips, not 2 per SST). */
const OPEN_CONCURRENCY = 32;

/** Loads the first batch of each cursor, a bounded number at a time; pushes the non-empty ones. */
async function openAll(heap: CursorHeap, cursors: RowCursor[]): Promise<void> {
  const loaded = await mapLimit(cursors, OPEN_CONCURRENCY, (c) => c.refill());
  cursors.forEach((c, i) => {
    if (loaded[i]) heap.push(c);
  });
}

/** Live rows in key order, in batches. Closes every cursor when it ends or is abandoned. */
export async function* mergeLatest(cursors: RowCursor[], describeKey: (key: Uint8Array) => string): AsyncGenerator<ScanRow[]> {
  const heap = new CursorHeap();
  // Sources with a known lower bound wait, in bound order, until the merge reaches it.
  const waiting = cursors.filter((c) => c.lowerBound !== null).sort((a, b) => compareBytes(a.lowerBound!, b.lowerBound!));
  let nextWaiting = 0;
  try {
    await openAll(heap, cursors.filter((c) => c.lowerBound === null));
    let batch: ScanRow[] = [];
    let lastKey: Uint8Array | null = null;
    for (;;) {
      if (nextWaiting < waiting.length) {
        // A source whose bound is at or before the next key may hold that key (or an older version of it).
        const topKey = heap.items.length > 0 ? heap.items[0].rows[heap.items[0].pos].key : waiting[nextWaiting].lowerBound!;
        if (compareBytes(waiting[nextWaiting].lowerBound!, topKey) <= 0) {
          const group: RowCursor[] = [];
          while (nextWaiting < waiting.length && compareBytes(waiting[nextWaiting].lowerBound!, topKey) <= 0) group.push(waiting[nextWaiting++]);
          if (batch.length > 0) {
            yield batch; // hand out what we have before reading more
            batch = [];
          }
          await openAll(heap, group);
          continue;
        }
      }
      if (heap.items.length === 0) break;
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
