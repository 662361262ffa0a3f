/**
 * The shapes of a database's manifest history (see load.ts for how it is
 * read). Plain data: the extension posts them to the history page as they are
 * (shared/messages.ts aliases them), except keys, which are bytes here.
 */

import type { CheckpointInfo, SstRef } from '../manifest/model';
import type { ManifestListing } from '../manifest/manifestStore';
import type { CheckpointCost, PinTotals } from '../pinned';

/** What a manifest's bytes say (independent of SST sizes, which change as GC runs). */
export interface DecodedParts {
  formatVersion: number | null;
  writerEpoch: number | null;
  compactorEpoch: number | null;
  initialized: boolean | null;
  /** L0 SSTs (V2: L0 views), root tree and segments together. */
  l0Count: number;
  sortedRuns: number;
  /** Every SST it references, each once, L0 first then sorted runs. */
  refs: SstRef[];
  checkpoints: CheckpointInfo[];
  /** Why the engine would refuse to rewrite this manifest, if it would. */
  readOnlyReason: string | null;
  /** Set when the manifest could not be read or decoded; the fields above are then empty. */
  error: string | null;
  /** Listed, then gone when read: GC deleted it while the history was loading. */
  vanished: boolean;
}

/** One manifest of the history: what its bytes say, and what its SSTs weigh now. */
export interface ManifestSummary extends Omit<DecodedParts, 'refs'> {
  id: number;
  /** Listing time of the object, ms since the epoch. */
  lastModified: number;
  /** Size of the manifest file in bytes. */
  size: number;
  /** Every SST it references, each once, L0 first then sorted runs (ULIDs). */
  sstIds: string[];
  /** Sum of the sizes of the referenced SSTs that still exist, each counted once. */
  bytesReferenced: number;
  /** Referenced SSTs that are not in the listing (deleted by GC, or a clone parent's that vanished). */
  missingSsts: number;
}

export interface EpochChange {
  from: number;
  to: number;
}

/** What changed from manifest `fromId` to the next existing one, `toId`. */
export interface ManifestDiff {
  fromId: number;
  toId: number;
  sstsAdded: string[];
  sstsRemoved: string[];
  checkpointsAdded: string[];
  checkpointsRemoved: string[];
  /** Present in both, with a different expiry time. */
  checkpointsRefreshed: string[];
  writerEpoch: EpochChange | null;
  compactorEpoch: EpochChange | null;
  bytesDelta: number;
}

/** Ids `fromId..toId` (inclusive) that are not on the store: deleted by GC. */
export interface IdGap {
  fromId: number;
  toId: number;
}

/** One checkpoint of the latest manifest and what it keeps alive (the rule: `pinsOf` in pinned.ts). */
export interface CheckpointPin extends CheckpointCost {
  /** False when its manifest is gone: the checkpoint protects nothing. */
  manifestExists: boolean;
  /** Set when its manifest exists but could not be read or decoded (its SSTs are then unknown). */
  manifestError: string | null;
}

export interface HistoryBytes extends PinTotals {
  /** Every SST under `compacted/`. */
  compactedTotal: number;
  compactedCount: number;
}

export interface HistoryStart {
  dbPath: string;
  location: string;
  latestId: number;
  /** Every manifest the listing returned, newest first. */
  listing: ManifestListing[];
  gaps: IdGap[];
  /** Checkpoints of the latest manifest (empty if it cannot be decoded). */
  checkpoints: CheckpointInfo[];
  /** Ms since the load began. */
  elapsedMs: number;
}

export interface HistoryBatch {
  /** Newly loaded, newest first. */
  manifests: ManifestSummary[];
  /** Diffs that became computable with this batch. */
  diffs: ManifestDiff[];
  /** Sent once, in the first batch after the latest and every pinned manifest are loaded. */
  pins?: CheckpointPin[];
  bytes?: HistoryBytes;
  loaded: number;
  total: number;
  /** Ms since the load began. */
  elapsedMs: number;
}

export interface HistoryStats {
  concurrency: number;
  /** Manifests read from the store in this load (the rest came from the cache). */
  read: number;
  fromCache: number;
  /** Ms until the first batch went out. */
  firstBatchMs: number;
  durationMs: number;
}

export interface History {
  dbPath: string;
  location: string;
  latestId: number;
  /** Newest first, one per listed manifest. */
  manifests: ManifestSummary[];
  /** One per pair of consecutive manifests (by id), newest first. */
  diffs: ManifestDiff[];
  gaps: IdGap[];
  checkpoints: CheckpointInfo[];
  pins: CheckpointPin[];
  bytes: HistoryBytes;
  stats: HistoryStats;
}
