/** Pure rules of the history: one manifest's summary, what changed between two, and the ids GC removed. */

import type { ManifestListing } from '../manifest/manifestStore';
import type { DecodedParts, EpochChange, IdGap, ManifestDiff, ManifestSummary } from './types';

/** A manifest's parts, weighed with the SST sizes listed now (a missing SST counts, but weighs nothing). */
export function summarize(listing: ManifestListing, parts: DecodedParts, sizes: ReadonlyMap<string, number>): ManifestSummary {
  const { refs, ...rest } = parts;
  let bytes = 0;
  let missing = 0;
  for (const r of refs) {
    const size = sizes.get(r.id);
    if (size === undefined) missing++;
    else bytes += size;
  }
  return {
    ...rest,
    id: listing.id,
    lastModified: listing.lastModified.getTime(),
    size: listing.size,
    sstIds: refs.map((r) => r.id),
    bytesReferenced: bytes,
    missingSsts: missing,
  };
}

/** What changed between two manifests (`older` → `newer`). */
export function diffManifests(older: ManifestSummary, newer: ManifestSummary): ManifestDiff {
  const before = new Set(older.sstIds);
  const after = new Set(newer.sstIds);
  const cpBefore = new Map(older.checkpoints.map((c) => [c.id, c]));
  const cpAfter = new Map(newer.checkpoints.map((c) => [c.id, c]));
  const epoch = (a: number | null, b: number | null): EpochChange | null => (a !== null && b !== null && a !== b ? { from: a, to: b } : null);
  return {
    fromId: older.id,
    toId: newer.id,
    sstsAdded: newer.sstIds.filter((id) => !before.has(id)),
    sstsRemoved: older.sstIds.filter((id) => !after.has(id)),
    checkpointsAdded: newer.checkpoints.filter((c) => !cpBefore.has(c.id)).map((c) => c.id),
    checkpointsRemoved: older.checkpoints.filter((c) => !cpAfter.has(c.id)).map((c) => c.id),
    checkpointsRefreshed: newer.checkpoints.filter((c) => cpBefore.has(c.id) && cpBefore.get(c.id)!.expireTimeS !== c.expireTimeS).map((c) => c.id),
    writerEpoch: epoch(older.writerEpoch, newer.writerEpoch),
    compactorEpoch: epoch(older.compactorEpoch, newer.compactorEpoch),
    bytesDelta: newer.bytesReferenced - older.bytesReferenced,
  };
}

/** Missing ids between 1 and the newest listed id, newest first; `ids` in any order. */
export function gapsOf(ids: readonly number[]): IdGap[] {
  const sorted = [...ids].sort((a, b) => a - b);
  const gaps: IdGap[] = [];
  let expected = 1;
  for (const id of sorted) {
    if (id > expected) gaps.push({ fromId: expected, toId: id - 1 });
    expected = Math.max(expected, id + 1);
  }
  return gaps.reverse(); // newest first, like the manifests
}
