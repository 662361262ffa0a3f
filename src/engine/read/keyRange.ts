/**
 * Key ranges over SlateDB keys: plain unsigned lexicographic byte order
 * (SlateDB has no custom comparators). `start` is inclusive, `end` exclusive,
 * either may be absent (unbounded).
 */

export interface KeyRange {
  /** Inclusive lower bound; absent = from the first key. */
  start?: Uint8Array;
  /** Exclusive upper bound; absent = to the last key. */
  end?: Uint8Array;
}

/** Unsigned byte order: negative when a < b, 0 when equal, positive when a > b. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The smallest key greater than every key starting with `prefix`: increment
 * the last byte that is not 0xFF and drop what follows. Undefined when there
 * is none (empty or all-0xFF prefix): the range is then unbounded above.
 * Same rule as SlateDB's `bytes_range.rs increment_prefix`.
 */
export function prefixSuccessor(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] !== 0xff) {
      const out = prefix.slice(0, i + 1);
      out[i]++;
      return out;
    }
  }
  return undefined;
}

/** Every key that starts with `prefix`: `[prefix, prefix++)`; the empty prefix is the whole keyspace. */
export function prefixRange(prefix: Uint8Array): KeyRange {
  if (prefix.length === 0) return {};
  const end = prefixSuccessor(prefix);
  return end === undefined ? { start: prefix.slice() } : { start: prefix.slice(), end };
}

/** The key right after `key` in byte order (`key ++ 0x00`): where the next page starts. */
export function keyAfter(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}

export function inRange(key: Uint8Array, range: KeyRange): boolean {
  return (range.start === undefined || compareBytes(key, range.start) >= 0) && (range.end === undefined || compareBytes(key, range.end) < 0);
}

/** True when no key can be in the range (start ≥ end). */
export function isEmptyRange(range: KeyRange): boolean {
  return range.start !== undefined && range.end !== undefined && compareBytes(range.start, range.end) >= 0;
}

/** The intersection of two ranges. */
export function intersectRanges(a: KeyRange, b: KeyRange): KeyRange {
  const start = a.start === undefined ? b.start : b.start === undefined ? a.start : compareBytes(a.start, b.start) >= 0 ? a.start : b.start;
  const end = a.end === undefined ? b.end : b.end === undefined ? a.end : compareBytes(a.end, b.end) <= 0 ? a.end : b.end;
  const out: KeyRange = {};
  if (start !== undefined) out.start = start;
  if (end !== undefined) out.end = end;
  return out;
}

/** True when the inclusive key span [first, last] overlaps `range` (a missing `last` = unbounded). */
export function spanOverlaps(first: Uint8Array | null, last: Uint8Array | null, range: KeyRange): boolean {
  if (range.end !== undefined && first !== null && compareBytes(first, range.end) >= 0) return false;
  if (range.start !== undefined && last !== null && compareBytes(last, range.start) < 0) return false;
  return true;
}
