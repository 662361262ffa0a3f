/**
 * Where each data block lies, and which blocks a key range needs, from the
 * index (SST-FACTS §2.2). Block i spans [offsets[i], offsets[i+1]); the last
 * ends where the data ends (the filter when there is one, else the index).
 */

import { compareBytes } from '../read/keyRange';
import type { BlockIndex } from './flatTables';
import { fail } from './sstError';
import type { SstInfo } from './types';

export interface BlockSpans {
  index: BlockIndex;
  /** ends[i] = where block i ends (exclusive), including its CRC. */
  ends: number[];
}

export function dataEndOf(info: SstInfo): number {
  return info.filterLen > 0 ? info.filterOffset : info.indexOffset;
}

/** Checks the index against the file layout and computes block ends. */
export function blockSpans(index: BlockIndex, info: SstInfo): BlockSpans {
  const n = index.offsets.length;
  const dataEnd = dataEndOf(info);
  const ends = new Array<number>(n);
  if (n > 0 && index.offsets[0] !== 0) fail(`block 0 starts at byte ${index.offsets[0]}, not 0`);
  for (let i = 0; i < n; i++) {
    const start = index.offsets[i];
    const end = i + 1 < n ? index.offsets[i + 1] : dataEnd;
    if (end - start < 4) fail(`block ${i} spans [${start}, ${end}), too small for its checksum (offsets out of order, or past the data end ${dataEnd})`);
    ends[i] = end;
    if (i > 0 && compareBytes(index.firstKeys[i - 1], index.firstKeys[i]) > 0) fail(`the index's first keys are out of order at block ${i}`);
  }
  return { index, ends };
}

/**
 * SlateDB's seek rule (`partitions_covering_range`): the first block is the
 * last one whose separator is < start (block 0 when none); the last is the
 * last whose separator is < end (exclusive end). Returns [first, last]
 * inclusive, or null when no block can hold a key of the range.
 */
export function blocksCovering(index: BlockIndex, start: Uint8Array | undefined, end: Uint8Array | undefined): [number, number] | null {
  const n = index.offsets.length;
  if (n === 0) return null;
  const first = start === undefined ? 0 : Math.max(0, countBelow(index.firstKeys, start) - 1);
  const last = end === undefined ? n - 1 : countBelow(index.firstKeys, end) - 1;
  if (last < first) return null;
  return [first, last];
}

/** Number of keys in sorted `keys` that are < `key` (binary search). */
function countBelow(keys: Uint8Array[], key: Uint8Array): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareBytes(keys[mid], key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
