/**
 * A database's manifest history: every manifest still on the store, newest
 * first, with what changed between consecutive ones, the ids GC removed, and
 * what each checkpoint of the latest manifest keeps alive.
 *
 * Cost: two LISTs (`manifest/`, `compacted/`; a clone's parents' `compacted/`
 * once each) and one GET per manifest, with at most `concurrency` GETs in
 * flight. Results stream out through `onBatch`: the latest manifest and the
 * ones checkpoints pin are read first, then the rest newest first, so a
 * caller can draw a first screen long before a large history has arrived.
 *
 * Manifests are immutable (each id is written once), so a `HistoryCache`
 * passed to the next load turns a reload into the two LISTs plus the GETs of
 * manifests that are new since. Sizes are never cached: GC deletes SSTs.
 *
 * SST sizes come from the listing. An SST that an old manifest references
 * but GC already deleted has no size: it counts in `missingSsts`, not in
 * bytes. No vscode import: the CLI, tests and benchmarks use this as is.
 */

import { mapLimit } from './concurrency';
import { EngineError } from './errors';
import { decodeManifest } from './manifest/codec';
import { checkpointsOf, CheckpointInfo, epochsOf, shapeOf, sstsOf, SstRef } from './manifest/model';
import type { ManifestListing, ManifestStore } from './manifest/manifestStore';
import { compactedSizes, PinnedSst } from './pinned';
import { normalizeDbPath } from './paths';

export interface ManifestSummary {
  id: number;
  /** Listing time of the object, ms since the epoch. */
  lastModified: number;
  /** Size of the manifest file in bytes. */
  size: number;
  formatVersion: number | null;
  writerEpoch: number | null;
  compactorEpoch: number | null;
  initialized: boolean | null;
  /** L0 SSTs (V2: L0 views), root tree and segments together. */
  l0Count: number;
  sortedRuns: number;
  /** Every SST it references, each once, L0 first then sorted runs (ULIDs). */
  sstIds: string[];
  /** Sum of the sizes of the referenced SSTs that still exist, each counted once. */
  bytesReferenced: number;
  /** Referenced SSTs that are not in the listing (deleted by GC, or a clone parent's that vanished). */
  missingSsts: number;
  checkpoints: CheckpointInfo[];
  /** Why the engine would refuse to rewrite this manifest, if it would. */
  readOnlyReason: string | null;
  /** Set when the manifest could not be read or decoded; the fields above are then empty. */
  error: string | null;
  /** Listed, then gone when read: GC deleted it while the history was loading. */
  vanished: boolean;
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

/** One checkpoint of the latest manifest and what it keeps alive. */
export interface CheckpointPin {
  checkpoint: CheckpointInfo;
  manifestId: number;
  /** False when its manifest is gone: the checkpoint protects nothing. */
  manifestExists: boolean;
  /** Set when its manifest exists but could not be read or decoded (its SSTs are then unknown). */
  manifestError: string | null;
  ssts: PinnedSst[];
  totalBytes: number;
  /** Bytes of its SSTs that neither the latest manifest nor any other checkpoint holds. */
  reclaimableBytes: number;
  /** Bytes of its SSTs that the latest manifest no longer references. */
  bytesNotInLatest: number;
}

export interface HistoryBytes {
  /** Referenced by the latest manifest. */
  latestReferenced: number;
  /** Referenced by at least one checkpoint's manifest (each SST once). */
  pinnedByCheckpoints: number;
  /** Referenced by a checkpoint's manifest but not by the latest: what checkpoints keep alive. */
  onlyPinnedByCheckpoints: number;
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

export interface HistoryStats {
  concurrency: number;
  /** Manifests read from the store in this load (the rest came from the cache). */
  read: number;
  fromCache: number;
  /** Ms until the first batch went out. */
  firstBatchMs: number;
  durationMs: number;
}

/** What a manifest's bytes say (independent of SST sizes, which change as GC runs). */
export interface DecodedParts {
  formatVersion: number | null;
  writerEpoch: number | null;
  compactorEpoch: number | null;
  initialized: boolean | null;
  l0Count: number;
  sortedRuns: number;
  refs: SstRef[];
  checkpoints: CheckpointInfo[];
  readOnlyReason: string | null;
  error: string | null;
  vanished: boolean;
}

/** Decoded manifests of earlier loads, by id. Pass the same cache to every load of one database. */
export class HistoryCache {
  private readonly parts = new Map<number, DecodedParts>();
  get size(): number {
    return this.parts.size;
  }
  get(id: number): DecodedParts | undefined {
    return this.parts.get(id);
  }
  /** Only complete decodes are kept: errors and vanished manifests are read again. */
  set(id: number, p: DecodedParts): void {
    if (p.error === null) this.parts.set(id, p);
  }
  /** Drop ids no longer listed. */
  retainOnly(ids: Set<number>): void {
    for (const id of [...this.parts.keys()]) if (!ids.has(id)) this.parts.delete(id);
  }
}

export interface LoadHistoryOptions {
  /** GETs in flight at once. Default 32 (object stores serve far more; S3 clients use 32–64). */
  concurrency?: number;
  onStart?: (start: HistoryStart) => void;
  onBatch?: (batch: HistoryBatch) => void;
  /** Manifests in the first batch (the first screen). Default 20. */
  firstBatchSize?: number;
  /** Manifests per later batch. Default 100. */
  batchSize?: number;
  /** A batch goes out at least this often while manifests arrive. Default 200 ms. */
  batchIntervalMs?: number;
  cache?: HistoryCache;
  /** Stop reading (the promise rejects with an AbortError-like EngineError). */
  signal?: AbortSignal;
  /** Clock, for tests. */
  now?: () => number;
}

export const DEFAULT_HISTORY_CONCURRENCY = 32;

function emptyParts(error: string | null, vanished = false): DecodedParts {
  return {
    formatVersion: null,
    writerEpoch: null,
    compactorEpoch: null,
    initialized: null,
    l0Count: 0,
    sortedRuns: 0,
    refs: [],
    checkpoints: [],
    readOnlyReason: null,
    error,
    vanished,
  };
}

/** Decode a manifest's bytes into what the history shows; never throws for bad bytes. */
export function decodeParts(bytes: Uint8Array, context: string): DecodedParts {
  try {
    const m = decodeManifest(bytes, context);
    const epochs = epochsOf(m);
    const shape = shapeOf(m);
    return {
      formatVersion: m.formatVersion,
      writerEpoch: epochs.writerEpoch,
      compactorEpoch: epochs.compactorEpoch,
      initialized: epochs.initialized,
      l0Count: shape.l0,
      sortedRuns: shape.sortedRuns,
      refs: sstsOf(m),
      checkpoints: checkpointsOf(m),
      readOnlyReason: m.readOnlyReason ?? null,
      error: null,
      vanished: false,
    };
  } catch (e) {
    return emptyParts(e instanceof Error ? e.message : String(e));
  }
}

function summarize(listing: ManifestListing, p: DecodedParts, sizes: Map<string, number>): ManifestSummary {
  let bytes = 0;
  let missing = 0;
  for (const r of p.refs) {
    const size = sizes.get(r.id);
    if (size === undefined) missing++;
    else bytes += size;
  }
  return {
    id: listing.id,
    lastModified: listing.lastModified.getTime(),
    size: listing.size,
    formatVersion: p.formatVersion,
    writerEpoch: p.writerEpoch,
    compactorEpoch: p.compactorEpoch,
    initialized: p.initialized,
    l0Count: p.l0Count,
    sortedRuns: p.sortedRuns,
    sstIds: p.refs.map((r) => r.id),
    bytesReferenced: bytes,
    missingSsts: missing,
    checkpoints: p.checkpoints,
    readOnlyReason: p.readOnlyReason,
    error: p.error,
    vanished: p.vanished,
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

/** Missing ids between 1 and the newest listed id; `ids` ascending or not. */
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

/**
 * Each checkpoint's SSTs, sizes and reclaimable bytes, from manifests already
 * decoded (the same rules as `pinnedSsts` in pinned.ts, without any I/O).
 */
export function computePins(
  latestRefs: readonly SstRef[],
  checkpoints: readonly CheckpointInfo[],
  refsOf: (manifestId: number) => readonly SstRef[] | undefined,
  sizes: Map<string, number>,
): { pins: CheckpointPin[]; bytes: Omit<HistoryBytes, 'compactedTotal' | 'compactedCount'> } {
  const latestIds = new Set(latestRefs.map((r) => r.id));
  const sizeOf = (id: string) => sizes.get(id) ?? 0;
  // How many checkpoints hold each SST (several checkpoints may pin one manifest).
  const holders = new Map<string, number>();
  for (const c of checkpoints) {
    for (const r of refsOf(c.manifestId) ?? []) holders.set(r.id, (holders.get(r.id) ?? 0) + 1);
  }
  const pins = checkpoints.map((checkpoint): CheckpointPin => {
    const refs = refsOf(checkpoint.manifestId);
    let totalBytes = 0;
    let reclaimableBytes = 0;
    let bytesNotInLatest = 0;
    const ssts = (refs ?? []).map((ref): PinnedSst => {
      const sizeBytes = sizes.get(ref.id) ?? null;
      // An SST of a clone's parent is never reclaimed by deleting our checkpoint.
      const exclusive = !latestIds.has(ref.id) && (holders.get(ref.id) ?? 0) === 1 && ref.externalDbPath === null;
      totalBytes += sizeBytes ?? 0;
      if (exclusive) reclaimableBytes += sizeBytes ?? 0;
      if (!latestIds.has(ref.id)) bytesNotInLatest += sizeBytes ?? 0;
      return { ...ref, sizeBytes, exclusive };
    });
    return { checkpoint, manifestId: checkpoint.manifestId, manifestExists: refs !== undefined, manifestError: null, ssts, totalBytes, reclaimableBytes, bytesNotInLatest };
  });
  let pinnedByCheckpoints = 0;
  let onlyPinnedByCheckpoints = 0;
  for (const id of holders.keys()) {
    pinnedByCheckpoints += sizeOf(id);
    if (!latestIds.has(id)) onlyPinnedByCheckpoints += sizeOf(id);
  }
  let latestReferenced = 0;
  for (const id of latestIds) latestReferenced += sizeOf(id);
  return { pins, bytes: { latestReferenced, pinnedByCheckpoints, onlyPinnedByCheckpoints } };
}

function abortError(): EngineError {
  return new EngineError('STORE_ERROR', 'loading the manifest history was cancelled');
}

/**
 * Load the whole manifest history of the database behind `ms`. See the module
 * comment for the cost and the order in which batches arrive.
 */
export async function loadHistory(ms: ManifestStore, options: LoadHistoryOptions = {}): Promise<History> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const elapsed = () => Math.round((now() - started) * 10) / 10;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_HISTORY_CONCURRENCY));
  const firstBatchSize = Math.max(1, options.firstBatchSize ?? 20);
  const batchSize = Math.max(1, options.batchSize ?? 100);
  const batchIntervalMs = options.batchIntervalMs ?? 200;
  const cache = options.cache;
  const checkAbort = () => {
    if (options.signal?.aborted) throw abortError();
  };

  // The two listings are independent: run them side by side.
  const [listingAsc, ownSizes] = await Promise.all([ms.listManifests(), compactedSizes(ms)]);
  checkAbort();
  if (listingAsc.length === 0) {
    throw new EngineError('DATABASE_NOT_FOUND', `no SlateDB database at ${ms.location}: there is no manifest under its manifest/ folder. Check the path and the store.`);
  }
  const listing = [...listingAsc].reverse(); // newest first
  const byId = new Map(listing.map((l) => [l.id, l]));
  const indexOf = new Map(listing.map((l, i) => [l.id, i]));
  cache?.retainOnly(new Set(byId.keys()));
  const sizes = new Map(ownSizes);
  let compactedTotal = 0;
  for (const v of ownSizes.values()) compactedTotal += v;

  const parts = new Map<number, DecodedParts>();
  let readCount = 0;
  let cacheHits = 0;
  const load = async (id: number): Promise<DecodedParts> => {
    const cached = cache?.get(id);
    if (cached) {
      cacheHits++;
      return cached;
    }
    checkAbort();
    readCount++;
    let p: DecodedParts;
    try {
      const bytes = await ms.readBytes(id);
      p = bytes === undefined ? emptyParts('deleted (by GC) while the history was loading', true) : decodeParts(bytes, `manifest ${ms.keyOf(id)}`);
    } catch (e) {
      p = emptyParts(e instanceof Error ? e.message : String(e));
    }
    cache?.set(id, p);
    return p;
  };

  // The latest first: its checkpoints say which old manifests matter most.
  const latestId = listing[0].id;
  const latest = await load(latestId);
  checkAbort();
  parts.set(latestId, latest);

  // A clone's SSTs live under its parents' compacted/: list each parent once.
  const parents = new Set<string>();
  for (const r of latest.refs) if (r.externalDbPath !== null) parents.add(normalizeDbPath(r.externalDbPath));
  parents.delete(ms.dbPath);
  if (parents.size > 0) {
    const maps = await mapLimit([...parents], 4, (db) => compactedSizes(ms, db));
    for (const m of maps) for (const [k, v] of m) sizes.set(k, v);
  }

  const gaps = gapsOf(listing.map((l) => l.id));
  options.onStart?.({
    dbPath: ms.dbPath,
    location: ms.location,
    latestId,
    listing,
    gaps,
    checkpoints: latest.checkpoints,
    elapsedMs: elapsed(),
  });

  const pinnedIds = [...new Set(latest.checkpoints.map((c) => c.manifestId))].filter((id) => id !== latestId && byId.has(id)).sort((a, b) => b - a);
  const pinnedSet = new Set(pinnedIds);
  const order = [...pinnedIds, ...listing.map((l) => l.id).filter((id) => id !== latestId && !pinnedSet.has(id))];

  const summaries = new Map<number, ManifestSummary>();
  const diffs = new Map<number, ManifestDiff>(); // by toId
  let pendingManifests: ManifestSummary[] = [];
  let pendingDiffs: ManifestDiff[] = [];
  let pinsPending = true;
  let pinsResult: { pins: CheckpointPin[]; bytes: HistoryBytes } | undefined;
  let batches = 0;
  let firstBatchMs = -1;
  let lastEmit = now();
  let pinnedLeft = pinnedIds.length;

  const computePinsNow = () => {
    const refsOf = (id: number) => {
      const p = parts.get(id);
      return p && p.error === null ? p.refs : undefined;
    };
    const r = computePins(latest.refs, latest.checkpoints, refsOf, sizes);
    for (const pin of r.pins) {
      const p = parts.get(pin.manifestId);
      // Listed but unreadable is not the same as gone: say which.
      pin.manifestExists = p !== undefined && !p.vanished;
      pin.manifestError = p && !p.vanished ? p.error : null;
    }
    return { pins: r.pins, bytes: { ...r.bytes, compactedTotal, compactedCount: ownSizes.size } };
  };

  const emit = (force: boolean) => {
    const wanted = batches === 0 ? firstBatchSize : batchSize;
    const due = force || pendingManifests.length >= wanted || (batches > 0 && pendingManifests.length > 0 && now() - lastEmit >= batchIntervalMs);
    const pinsNow = pinsPending && pinnedLeft === 0;
    if (!due && !(pinsNow && batches > 0)) return;
    if (pendingManifests.length === 0 && pendingDiffs.length === 0 && !pinsNow) return;
    const batch: HistoryBatch = {
      manifests: pendingManifests.sort((a, b) => b.id - a.id),
      diffs: pendingDiffs.sort((a, b) => b.toId - a.toId),
      loaded: summaries.size,
      total: listing.length,
      elapsedMs: elapsed(),
    };
    if (pinsNow) {
      pinsResult = computePinsNow();
      batch.pins = pinsResult.pins;
      batch.bytes = pinsResult.bytes;
      pinsPending = false;
    }
    pendingManifests = [];
    pendingDiffs = [];
    batches++;
    if (firstBatchMs < 0) firstBatchMs = elapsed();
    lastEmit = now();
    options.onBatch?.(batch);
  };

  const tryDiff = (olderIndex: number) => {
    // listing is newest first: index i+1 is the next older manifest.
    if (olderIndex <= 0 || olderIndex >= listing.length) return;
    const older = summaries.get(listing[olderIndex].id);
    const newer = summaries.get(listing[olderIndex - 1].id);
    if (!older || !newer || diffs.has(newer.id)) return;
    const d = diffManifests(older, newer);
    diffs.set(newer.id, d);
    pendingDiffs.push(d);
  };

  const arrive = (id: number, p: DecodedParts) => {
    parts.set(id, p);
    const s = summarize(byId.get(id)!, p, sizes);
    summaries.set(id, s);
    pendingManifests.push(s);
    const i = indexOf.get(id)!;
    tryDiff(i); // this one vs its newer neighbour
    tryDiff(i + 1); // its older neighbour vs this one
    if (pinnedSet.has(id)) pinnedLeft--;
    emit(false);
  };

  arrive(latestId, latest);
  await mapLimit(order, concurrency, async (id) => {
    const p = await load(id);
    checkAbort();
    arrive(id, p);
  });
  checkAbort();
  emit(true);
  if (!pinsResult) pinsResult = computePinsNow();

  return {
    dbPath: ms.dbPath,
    location: ms.location,
    latestId,
    manifests: listing.map((l) => summaries.get(l.id)!),
    diffs: listing.slice(0, -1).map((l) => diffs.get(l.id)!).filter((d) => d !== undefined),
    gaps,
    checkpoints: latest.checkpoints,
    pins: pinsResult.pins,
    bytes: pinsResult.bytes,
    stats: { concurrency, read: readCount, fromCache: cacheHits, firstBatchMs: Math.max(0, firstBatchMs), durationMs: elapsed() },
  };
}
