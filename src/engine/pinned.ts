/**
 * What a checkpoint costs: the SSTs of the manifest it pins, their sizes
 * (from the `compacted/` listing), and which of them nothing else holds —
 * neither the latest manifest nor any other checkpoint — so that deleting
 * the checkpoint would let GC reclaim them.
 */

import { mapLimit } from './concurrency';
import { EngineError } from './errors';
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

/** Sizes for a set of SSTs, listing each owning database (this one, and clone parents) once. */
export async function sizesFor(ms: ManifestStore, ssts: readonly SstRef[]): Promise<Map<string, number>> {
  const owners = new Set<string>([ms.dbPath]);
  for (const s of ssts) if (s.externalDbPath !== null) owners.add(normalizeDbPath(s.externalDbPath));
  const maps = await mapLimit([...owners], 4, (db) => compactedSizes(ms, db));
  const all = new Map<string, number>();
  for (const m of maps) for (const [k, v] of m) all.set(k, v);
  return all;
}

/** Load manifests by id with bounded parallelism (missing ones are skipped). */
export async function loadManifests(ms: ManifestStore, ids: readonly number[], concurrency = 8): Promise<Map<number, LoadedManifest>> {
  const out = new Map<number, LoadedManifest>();
  await mapLimit(ids, concurrency, async (id) => {
    try {
      out.set(id, await ms.read(id));
    } catch (e) {
      if (!(e instanceof EngineError && e.code === 'MANIFEST_NOT_FOUND')) throw e;
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

  const heldElsewhere = new Set<string>();
  for (const s of sstsOf(latest.manifest)) heldElsewhere.add(s.id);
  for (const other of checkpoints) {
    if (other.id === checkpointId) continue;
    const m = loaded.get(other.manifestId);
    if (m) for (const s of sstsOf(m.manifest)) heldElsewhere.add(s.id);
  }

  const refs = sstsOf(pinned.manifest);
  const sizes = await sizesFor(ms, refs);
  let totalBytes = 0;
  let reclaimableBytes = 0;
  const ssts = refs.map((ref) => {
    const sizeBytes = sizes.get(ref.id) ?? null;
    // An SST of a clone's parent is never reclaimed by deleting our checkpoint.
    const exclusive = !heldElsewhere.has(ref.id) && ref.externalDbPath === null;
    totalBytes += sizeBytes ?? 0;
    if (exclusive) reclaimableBytes += sizeBytes ?? 0;
    return { ...ref, sizeBytes, exclusive };
  });
  return { checkpoint, manifestId: checkpoint.manifestId, latestManifestId: latest.id, ssts, totalBytes, reclaimableBytes };
}
