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
 * A `HistoryCache` passed to the next load turns a reload into the two LISTs
 * plus the GETs of manifests that are new since (see cache.ts).
 *
 * SST sizes come from the listing. An SST that an old manifest references
 * but GC already deleted has no size: it counts in `missingSsts`, not in
 * bytes. No vscode import: the CLI, tests and benchmarks use this as is.
 */

import { mapLimit } from '../concurrency';
import { EngineError, messageOf, throwIfAborted } from '../errors';
import type { ManifestListing, ManifestStore } from '../manifest/manifestStore';
import { compactedSizes, pinsOf, sizesFor } from '../pinned';
import { decodeParts, emptyParts, HistoryCache } from './cache';
import { diffManifests, gapsOf, summarize } from './diff';
import type { CheckpointPin, DecodedParts, History, HistoryBatch, HistoryBytes, HistoryStart, ManifestDiff, ManifestSummary } from './types';

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
  /** Stop reading: the promise rejects with a CANCELLED EngineError. */
  signal?: AbortSignal;
  /** Clock, for tests. */
  now?: () => number;
}

export const DEFAULT_HISTORY_CONCURRENCY = 32;

/**
 * Load the whole manifest history of the database behind `ms`. See the module
 * comment for the cost and the order in which batches arrive.
 */
export function loadHistory(ms: ManifestStore, options: LoadHistoryOptions = {}): Promise<History> {
  return new HistoryLoad(ms, options).run();
}

/** One load: the listing, then manifests as they arrive, batched; pins once their manifests are in. */
class HistoryLoad {
  private readonly now: () => number;
  private readonly started: number;
  private readonly concurrency: number;
  private readonly cache: HistoryCache | undefined;
  /** Newest first. */
  private listing: ManifestListing[] = [];
  private indexOf = new Map<number, number>();
  private sizes = new Map<string, number>();
  private compacted = { total: 0, count: 0 };
  private latest: DecodedParts = emptyParts(null);
  private pinnedIds = new Set<number>();
  private pinnedLeft = 0;

  private readonly parts = new Map<number, DecodedParts>();
  private readonly summaries = new Map<number, ManifestSummary>();
  private readonly diffs = new Map<number, ManifestDiff>(); // by toId
  private pendingManifests: ManifestSummary[] = [];
  private pendingDiffs: ManifestDiff[] = [];
  private pins: { pins: CheckpointPin[]; bytes: HistoryBytes } | undefined;
  private batches = 0;
  private firstBatchMs = -1;
  private lastEmit: number;
  private read = 0;
  private fromCache = 0;

  constructor(
    private readonly ms: ManifestStore,
    private readonly options: LoadHistoryOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    this.lastEmit = this.started;
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_HISTORY_CONCURRENCY));
    this.cache = options.cache;
  }

  async run(): Promise<History> {
    const { ms } = this;
    // The two listings are independent: run them side by side.
    const [listingAsc, ownSizes] = await Promise.all([ms.listManifests(), compactedSizes(ms)]);
    this.checkAbort();
    if (listingAsc.length === 0) {
      throw new EngineError('DATABASE_NOT_FOUND', `no SlateDB database at ${ms.location}: there is no manifest under its manifest/ folder. Check the path and the store.`);
    }
    this.listing = [...listingAsc].reverse();
    this.indexOf = new Map(this.listing.map((l, i) => [l.id, i]));
    this.cache?.retainOnly(new Set(this.indexOf.keys()));
    for (const v of ownSizes.values()) this.compacted.total += v;
    this.compacted.count = ownSizes.size;

    // The latest first: its checkpoints say which old manifests matter most.
    const latestId = this.listing[0].id;
    this.latest = await this.readParts(latestId);
    this.checkAbort();
    // A clone's SSTs live under its parents' compacted/: list each parent once.
    this.sizes = await sizesFor(ms, this.latest.refs, new Map([[ms.dbPath, ownSizes]]));
    const gaps = gapsOf(this.listing.map((l) => l.id));
    this.options.onStart?.({ dbPath: ms.dbPath, location: ms.location, latestId, listing: this.listing, gaps, checkpoints: this.latest.checkpoints, elapsedMs: this.elapsed() });

    const pinned = [...new Set(this.latest.checkpoints.map((c) => c.manifestId))].filter((id) => id !== latestId && this.indexOf.has(id)).sort((a, b) => b - a);
    this.pinnedIds = new Set(pinned);
    this.pinnedLeft = pinned.length;
    const order = [...pinned, ...this.listing.map((l) => l.id).filter((id) => id !== latestId && !this.pinnedIds.has(id))];

    this.arrive(latestId, this.latest);
    await mapLimit(order, this.concurrency, async (id) => {
      const p = await this.readParts(id);
      this.checkAbort();
      this.arrive(id, p);
    });
    this.checkAbort();
    this.emit(true);
    const { pins, bytes } = this.pins ?? this.computePins();
    return {
      dbPath: ms.dbPath,
      location: ms.location,
      latestId,
      manifests: this.listing.map((l) => this.summaries.get(l.id)!),
      diffs: this.listing.slice(0, -1).map((l) => this.diffs.get(l.id)).filter((d) => d !== undefined),
      gaps,
      checkpoints: this.latest.checkpoints,
      pins,
      bytes,
      stats: { concurrency: this.concurrency, read: this.read, fromCache: this.fromCache, firstBatchMs: Math.max(0, this.firstBatchMs), durationMs: this.elapsed() },
    };
  }

  private elapsed(): number {
    return Math.round((this.now() - this.started) * 10) / 10;
  }

  private checkAbort(): void {
    throwIfAborted(this.options.signal, 'loading the manifest history');
  }

  /** From the cache, else one GET; unreadable or vanished manifests become parts with an error. */
  private async readParts(id: number): Promise<DecodedParts> {
    const cached = this.cache?.get(id);
    if (cached) {
      this.fromCache++;
      return cached;
    }
    this.checkAbort();
    this.read++;
    let p: DecodedParts;
    try {
      const bytes = await this.ms.readBytes(id);
      p = bytes === undefined ? emptyParts('deleted (by GC) while the history was loading', true) : decodeParts(bytes, `manifest ${this.ms.keyOf(id)}`);
    } catch (e) {
      p = emptyParts(messageOf(e));
    }
    this.cache?.set(id, p);
    return p;
  }

  private arrive(id: number, p: DecodedParts): void {
    this.parts.set(id, p);
    const s = summarize(this.listing[this.indexOf.get(id)!], p, this.sizes);
    this.summaries.set(id, s);
    this.pendingManifests.push(s);
    const i = this.indexOf.get(id)!;
    this.tryDiff(i); // this one vs its newer neighbour
    this.tryDiff(i + 1); // its older neighbour vs this one
    if (this.pinnedIds.has(id)) this.pinnedLeft--;
    this.emit(false);
  }

  /** The diff from listing[olderIndex] to the next newer manifest, once both are in (listing is newest first). */
  private tryDiff(olderIndex: number): void {
    if (olderIndex <= 0 || olderIndex >= this.listing.length) return;
    const older = this.summaries.get(this.listing[olderIndex].id);
    const newer = this.summaries.get(this.listing[olderIndex - 1].id);
    if (!older || !newer || this.diffs.has(newer.id)) return;
    const d = diffManifests(older, newer);
    this.diffs.set(newer.id, d);
    this.pendingDiffs.push(d);
  }

  private emit(force: boolean): void {
    const wanted = this.batches === 0 ? Math.max(1, this.options.firstBatchSize ?? 20) : Math.max(1, this.options.batchSize ?? 100);
    const intervalMs = this.options.batchIntervalMs ?? 200;
    const due = force || this.pendingManifests.length >= wanted || (this.batches > 0 && this.pendingManifests.length > 0 && this.now() - this.lastEmit >= intervalMs);
    const pinsNow = this.pins === undefined && this.pinnedLeft === 0;
    if (!due && !(pinsNow && this.batches > 0)) return;
    if (this.pendingManifests.length === 0 && this.pendingDiffs.length === 0 && !pinsNow) return;
    const batch: HistoryBatch = {
      manifests: this.pendingManifests.sort((a, b) => b.id - a.id),
      diffs: this.pendingDiffs.sort((a, b) => b.toId - a.toId),
      loaded: this.summaries.size,
      total: this.listing.length,
      elapsedMs: this.elapsed(),
    };
    if (pinsNow) {
      this.pins = this.computePins();
      batch.pins = this.pins.pins;
      batch.bytes = this.pins.bytes;
    }
    this.pendingManifests = [];
    this.pendingDiffs = [];
    this.batches++;
    if (this.firstBatchMs < 0) this.firstBatchMs = this.elapsed();
    this.lastEmit = this.now();
    this.options.onBatch?.(batch);
  }

  /** `pinsOf` over the manifests read so far; says which pinned manifests are gone and which unreadable. */
  private computePins(): { pins: CheckpointPin[]; bytes: HistoryBytes } {
    const refsOf = (id: number) => {
      const p = this.parts.get(id);
      return p && p.error === null ? p.refs : undefined;
    };
    const { pins, totals } = pinsOf(this.latest.refs, this.latest.checkpoints, refsOf, this.sizes);
    return {
      pins: pins.map((pin) => {
        const p = this.parts.get(pin.manifestId);
        // Listed but unreadable is not the same as gone: say which.
        return { ...pin, manifestExists: p !== undefined && !p.vanished, manifestError: p && !p.vanished ? p.error : null };
      }),
      bytes: { ...totals, compactedTotal: this.compacted.total, compactedCount: this.compacted.count },
    };
  }
}
