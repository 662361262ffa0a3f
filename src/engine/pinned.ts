/**
 * What a checkpoint costs: the SSTs of the manifest it pins, their sizes
 * (from the `compacted/` listing), and which of them nothing else holds —
 * neither the latest manifest nor any other checkpoint — so that deleting
 * the checkpoint would let GC reclaim them. The rule itself is `pinsOf`;
 * the history (history/load.ts) applies it to every checkpoint at once.
 */

import { mapLimit } from './concurrency';
import { EngineError, isEngineError } from './errors';
import { normalizeUuid } from './ids';
import { checkpointsOf, CheckpointInfo, sstsOf, SstRef } from './manifest/model';
import type { LoadedManifest, ManifestStore } from './manifest/manifestStore';
import { dbKeys, normalizeDbPath } from './paths';
import { listAll } from './store/objectStore';

export interface PinnedSst extends SstRef {
  /** Object size in bytes, null when the file is missing from the listing. */
  sizeBytes: number | null;
  /** True when only this checkpoint keeps the SST alive. */
  exclusive: boolean;
}

export interface PinnedReport {
  checkpoint: CheckpointInfo;
  manifestId: number;
  latestManifestId: number;
  ssts: PinnedSst[];
  totalBytes: number;
  reclaimableBytes: number;
}

/** Sizes of every SST under `<db>/compacted/`, keyed by ULID. One paginated LIST. */
export async function compactedSizes(ms: ManifestStore, dbPath = ms.dbPath): Promise<Map<string, number>> {
  const prefix = dbKeys.compactedDir(normalizeDbPath(dbPath));
  const { objects } = await listAll(ms.store, { prefix });
  const sizes = new Map<string, number>();
  for (const o of objects) {
    const name = o.key.slice(prefix.length);
    if (name.endsWith('.sst') && !name.includes('/')) sizes.set(name.slice(0, -4), o.size);
  }
  return sizes;
}

/**
 * Sizes for a set of SSTs, listing each owning database (this one, and clone
 * parents) once. Owners in `listed` (dbPath → sizes) are not listed again.
 */
export async function sizesFor(ms: ManifestStore, ssts: readonly SstRef[], listed: ReadonlyMap<string, Map<string, number>> = new Map()): Promise<Map<string, number>> {
  const owners = new Set<string>([ms.dbPath]);
  for (const s of ssts) if (s.externalDbPath !== null) owners.add(normalizeDbPath(s.externalDbPath));
  const maps = await mapLimit([...owners], 4, async (db) => listed.get(db) ?? compactedSizes(ms, db));
  const all = new Map<string, number>();
  for (const m of maps) for (const [k, v] of m) all.set(k, v);
  return all;
}

/** What one checkpoint keeps alive. */
export interface CheckpointCost {
  checkpoint: CheckpointInfo;
  manifestId: number;
  /** Its manifest's SSTs; empty when that manifest is unknown (gone or unreadable). */
  ssts: PinnedSst[];
  totalBytes: number;
  /** Bytes of its SSTs that neither the latest manifest nor any other checkpoint holds. */
  reclaimableBytes: number;
  /** Bytes of its SSTs that the latest manifest no longer references. */
  bytesNotInLatest: number;
}

export interface PinTotals {
  /** Referenced by the latest manifest. */
  latestReferenced: number;
  /** Referenced by at least one checkpoint's manifest (each SST once). */
  pinnedByCheckpoints: number;
  /** Referenced by a checkpoint's manifest but not by the latest: what checkpoints keep alive. */
  onlyPinnedByCheckpoints: number;
}

/**
 * The one rule of what a checkpoint costs. An SST is exclusive to a
 * checkpoint — deleting the checkpoint lets GC reclaim it — when the latest
 * manifest does not reference it, no other checkpoint's manifest does, and it
 * is this database's own (a clone parent's SST is never reclaimed by
 * deleting our checkpoint). Pure: `refsOf` gives a manifest's SSTs
 * (undefined: unknown), `sizes` the listed sizes (absent: missing).
 */
export function pinsOf(
  latestRefs: readonly SstRef[],
  checkpoints: readonly CheckpointInfo[],
  refsOf: (manifestId: number) => readonly SstRef[] | undefined,
  sizes: ReadonlyMap<string, number>,
): { pins: CheckpointCost[]; totals: PinTotals } {
  const latestIds = new Set(latestRefs.map((r) => r.id));
  const sizeOf = (id: string) => sizes.get(id) ?? 0;
  // How many checkpoints hold each SST (several checkpoints may pin one manifest).
  const holders = new Map<string, number>();
  for (const c of checkpoints) {
    for (const r of refsOf(c.manifestId) ?? []) holders.set(r.id, (holders.get(r.id) ?? 0) + 1);
  }
  const pins = checkpoints.map((checkpoint): CheckpointCost => {
    let totalBytes = 0;
    let reclaimableBytes = 0;
    let bytesNotInLatest = 0;
    const ssts = (refsOf(checkpoint.manifestId) ?? []).map((ref): PinnedSst => {
      const sizeBytes = sizes.get(ref.id) ?? null;
      const inLatest = latestIds.has(ref.id);
      const exclusive = !inLatest && holders.get(ref.id) === 1 && ref.externalDbPath === null;
      totalBytes += sizeBytes ?? 0;
      if (exclusive) reclaimableBytes += sizeBytes ?? 0;
      if (!inLatest) bytesNotInLatest += sizeBytes ?? 0;
      return { ...ref, sizeBytes, exclusive };
    });
    return { checkpoint, manifestId: checkpoint.manifestId, ssts, totalBytes, reclaimableBytes, bytesNotInLatest };
  });
  let pinnedByCheckpoints = 0;
  let onlyPinnedByCheckpoints = 0;
  for (const id of holders.keys()) {
    pinnedByCheckpoints += sizeOf(id);
    if (!latestIds.has(id)) onlyPinnedByCheckpoints += sizeOf(id);
  }
  let latestReferenced = 0;
  for (const id of latestIds) latestReferenced += sizeOf(id);
  return { pins, totals: { latestReferenced, pinnedByCheckpoints, onlyPinnedByCheckpoints } };
}

/** Load manifests by id with bounded parallelism (missing ones are skipped). */
export async function loadManifests(ms: ManifestStore, ids: readonly number[], concurrency = 8): Promise<Map<number, LoadedManifest>> {
  const out = new Map<number, LoadedManifest>();
  await mapLimit(ids, concurrency, async (id) => {
    try {
      out.set(id, await ms.read(id));
    } catch (e) {
      if (!isEngineError(e, 'MANIFEST_NOT_FOUND')) throw e;
    }
  });
  return out;
}

export async function pinnedSsts(ms: ManifestStore, checkpointIdInput: string): Promise<PinnedReport> {
  const checkpointId = normalizeUuid(checkpointIdInput);
  const latest = await ms.readLatest();
  const checkpoints = checkpointsOf(latest.manifest);
  const checkpoint = checkpoints.find((c) => c.id === checkpointId);
  if (!checkpoint) {
    throw new EngineError('CHECKPOINT_NOT_FOUND', `checkpoint ${checkpointId} does not exist in ${ms.location} (latest manifest ${latest.id})`);
  }

  // Every manifest that keeps SSTs alive: the latest, and each one a checkpoint pins.
  const ids = new Set<number>([latest.id, ...checkpoints.map((c) => c.manifestId)]);
  const loaded = await loadManifests(ms, [...ids].filter((id) => id !== latest.id));
  loaded.set(latest.id, latest);
  const pinned = loaded.get(checkpoint.manifestId);
  if (!pinned) {
    throw new EngineError(
      'MANIFEST_NOT_FOUND',
      `checkpoint ${checkpointId} pins manifest ${checkpoint.manifestId}, which no longer exists in ${ms.location}; the checkpoint protects nothing`,
      { key: ms.keyOf(checkpoint.manifestId) },
    );
  }

  const refsById = new Map([...loaded].map(([id, m]) => [id, sstsOf(m.manifest)]));
  const sizes = await sizesFor(ms, refsById.get(checkpoint.manifestId)!);
  const mine = pinsOf(refsById.get(latest.id)!, checkpoints, (id) => refsById.get(id), sizes).pins.find((p) => p.checkpoint.id === checkpointId)!;
  const { ssts, totalBytes, reclaimableBytes } = mine;
  return { checkpoint, manifestId: checkpoint.manifestId, latestManifestId: latest.id, ssts, totalBytes, reclaimableBytes };
}
