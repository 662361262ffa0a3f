/**
 * What changed between two points in time of one database: a merge of two
 * streaming scans in key order (CLI `diff`, the data panel's Compare).
 * A key only in `to` is added, only in `from` removed, in both with different
 * value bytes changed; equal values (whatever their seq or TTL) are no change,
 * so the diff equals the difference of two engine scans. Memory stays flat:
 * each side is pulled batch by batch. Read-only.
 */

import type { ObjectStore } from '../store/objectStore';
import { bytesEqual, compareBytes } from './keyRange';
import type { ScanRow } from './mergeHeap';
import { scanStateBatches, ScanOptions, StateSource } from './pointInTime';

export type DiffKind = 'added' | 'removed' | 'changed';

export interface DiffRow {
  kind: DiffKind;
  key: Uint8Array;
  /** The value in `from` (removed, changed). */
  oldValue?: Uint8Array;
  /** The value in `to` (added, changed). */
  newValue?: Uint8Array;
}

export interface DiffCounts {
  added: number;
  removed: number;
  changed: number;
}

/** One side of the diff, pulled row by row over batches. */
class Side {
  private batch: ScanRow[] = [];
  private pos = 0;
  private done = false;

  constructor(private readonly batches: AsyncGenerator<ScanRow[]>) {}

  async peek(): Promise<ScanRow | undefined> {
    while (this.pos >= this.batch.length) {
      if (this.done) return undefined;
      const next = await this.batches.next();
      if (next.done) {
        this.done = true;
        return undefined;
      }
      this.batch = next.value;
      this.pos = 0;
    }
    return this.batch[this.pos];
  }

  skip(): void {
    this.pos++;
  }

  async close(): Promise<void> {
    await this.batches.return(undefined);
  }
}

/**
 * The differences from `from` to `to`, in ascending key order. Both states are
 * of the database behind `store` (their manifests say which objects to read).
 */
export async function* diffStates(store: ObjectStore, from: StateSource, to: StateSource, opts: ScanOptions = {}): AsyncGenerator<DiffRow> {
  const a = new Side(scanStateBatches(store, from, opts));
  const b = new Side(scanStateBatches(store, to, opts));
  try {
    for (;;) {
      const [x, y] = await Promise.all([a.peek(), b.peek()]);
      if (!x && !y) return;
      const c = !x ? 1 : !y ? -1 : compareBytes(x.key, y.key);
      if (c < 0) {
        a.skip();
        yield { kind: 'removed', key: x!.key, oldValue: x!.value };
      } else if (c > 0) {
        b.skip();
        yield { kind: 'added', key: y!.key, newValue: y!.value };
      } else {
        a.skip();
        b.skip();
        if (!bytesEqual(x!.value, y!.value)) yield { kind: 'changed', key: x!.key, oldValue: x!.value, newValue: y!.value };
      }
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/** Counts of each kind (CLI `diff --count`), streaming. */
export async function countDiff(rows: AsyncIterable<DiffRow>): Promise<DiffCounts> {
  const counts: DiffCounts = { added: 0, removed: 0, changed: 0 };
  for await (const r of rows) counts[r.kind]++;
  return counts;
}
