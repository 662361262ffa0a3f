/**
 * The state a checkpoint pins, as a list of objects to copy: the manifest it
 * pins, every compacted SST that manifest references (a clone's parent SSTs
 * under the parent's path), and every WAL file of its replay range
 * (`replay_after_wal_id + 1 ..= wal_id_last_seen`: exactly what a reader
 * pinned to the checkpoint replays, SST-FACTS §6.2), each with its size from
 * the source's listing.
 *
 * Nothing here writes. A state that cannot be copied faithfully is refused
 * before any copy starts: a manifest we could not re-encode, WAL files in
 * another object store, an unfinished clone, or an object that is missing
 * (SlateDB would silently stop WAL replay at a missing file, so a copy
 * without it would hold less than the checkpoint promised).
 */

import { EngineError, isEngineError, throwIfAborted } from '../errors';
import { normalizeUuid, ulidToString, U128 } from '../ids';
import type { DecodedManifest } from '../manifest/codec';
import type { DecodedTable } from '../manifest/flatDecoder';
import { CheckpointInfo, checkpointsOf, epochsOf, sstsOf, u64ToNumber } from '../manifest/model';
import type { ManifestStore } from '../manifest/manifestStore';
import { dbKeys, formatId, normalizeDbPath } from '../paths';
import { ObjectStore } from '../store/objectStore';

export type StateObjectKind = 'sst' | 'wal';

export interface StateObject {
  kind: StateObjectKind;
  /** Key relative to a database root: `compacted/<ULID>.sst` or `wal/<id, 20 digits>.sst`. */
  name: string;
  /** Full key in the source store (a clone's parent SSTs live under the parent's path). */
  sourceKey: string;
  size: number;
}

export interface CheckpointState {
  store: ObjectStore;
  dbPath: string;
  checkpoint: CheckpointInfo;
  manifestId: number;
  manifest: DecodedManifest;
  /** SSTs first (in manifest order), then WAL files by ascending id. */
  objects: StateObject[];
  bytes: number;
}

export function walName(id: number): string {
  return `wal/${formatId(id)}.sst`;
}

export function sstName(ulid: string): string {
  return `compacted/${ulid}.sst`;
}

/** Key of `name` (from {@link StateObject.name}) under the database root `dbPath`. */
export function keyUnder(dbPath: string, name: string): string {
  return dbPath === '' ? name : `${dbPath}/${name}`;
}

/** The WAL ids a reader of this manifest replays, ascending. */
export function walRange(m: DecodedManifest): { first: number; last: number } {
  const after = u64ToNumber(m.root.replay_after_wal_id, 'replay_after_wal_id');
  const last = u64ToNumber(m.root.wal_id_last_seen, 'wal_id_last_seen');
  return { first: after + 1, last };
}

/**
 * Every SST the manifest references, with the database path that owns its
 * file: views of the root tree and of segments (V1 and V2), plus V2's
 * top-level `ssts` table, each once.
 */
export function sstOwners(m: DecodedManifest, dbPath: string): Map<string, string> {
  const owners = new Map<string, string>();
  for (const s of sstsOf(m)) owners.set(s.id, s.externalDbPath === null ? dbPath : normalizeDbPath(s.externalDbPath));
  if (m.formatVersion === 2) {
    const external = new Map<string, string>();
    for (const s of sstsOf(m)) if (s.externalDbPath !== null) external.set(s.id, normalizeDbPath(s.externalDbPath));
    for (const t of ((m.root.ssts as DecodedTable[] | null) ?? [])) {
      const id = ulidToString(t.id as unknown as U128);
      if (!owners.has(id)) owners.set(id, external.get(id) ?? dbPath);
    }
  }
  return owners;
}

/** Refuses (with a specific error naming the manifest) a state this tool cannot copy faithfully. */
export function checkCopyable(m: DecodedManifest, manifestKey: string): void {
  if (m.readOnlyReason) {
    throw new EngineError('MANIFEST_READ_ONLY', `${m.readOnlyReason} Backing it up would mean rewriting it, so nothing was copied.`, { key: manifestKey });
  }
  const walStore = m.root.wal_object_store_uri;
  if (typeof walStore === 'string' && walStore !== '') {
    throw new EngineError(
      'STORE_UNSUPPORTED',
      `${manifestKey} keeps its WAL files in another object store (${walStore}); copying from two stores is not supported, nothing was copied`,
      { key: manifestKey },
    );
  }
  if (!epochsOf(m).initialized) {
    throw new EngineError('DATABASE_NOT_INITIALIZED', `${manifestKey} says initialized=false (a clone still being set up): there is no state to copy yet`, { key: manifestKey });
  }
}

/** Sizes of the objects directly under `dir` (a prefix ending in '/'), keyed by full key. One paginated LIST. */
export async function listSizes(store: ObjectStore, dir: string, startAfter?: string, signal?: AbortSignal): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  let token: string | undefined;
  do {
    throwIfAborted(signal, `listing ${dir}`);
    const page = await store.listPage({ prefix: dir, startAfter, continuationToken: token });
    for (const o of page.objects) if (!o.key.slice(dir.length).includes('/')) sizes.set(o.key, o.size);
    token = page.nextContinuationToken;
  } while (token);
  return sizes;
}

/** The checkpoint `checkpointId` in the latest manifest (CHECKPOINT_NOT_FOUND naming the database when absent). */
export async function findCheckpoint(ms: ManifestStore, checkpointId: string): Promise<CheckpointInfo> {
  const id = normalizeUuid(checkpointId);
  const latest = await ms.readLatest();
  const cp = checkpointsOf(latest.manifest).find((c) => c.id === id);
  if (!cp) {
    throw new EngineError('CHECKPOINT_NOT_FOUND', `checkpoint ${id} does not exist in ${ms.location} (latest manifest ${latest.id}); list the checkpoints to see which exist. Nothing was copied.`);
  }
  return cp;
}

/** Everything checkpoint `checkpointId` of `ms` pins, sized from the listings; refuses what cannot be copied. */
export async function readCheckpointState(ms: ManifestStore, checkpointId: string, signal?: AbortSignal): Promise<CheckpointState> {
  const checkpoint = await findCheckpoint(ms, checkpointId);
  throwIfAborted(signal, 'reading the checkpoint');
  let pinned;
  try {
    pinned = await ms.read(checkpoint.manifestId);
  } catch (e) {
    if (!isEngineError(e, 'MANIFEST_NOT_FOUND')) throw e;
    throw new EngineError(
      'DATA_MISSING',
      `checkpoint ${checkpoint.id} pins manifest ${checkpoint.manifestId}, which is not in ${ms.location} (${ms.keyOf(checkpoint.manifestId)}); its state cannot be copied`,
      { key: ms.keyOf(checkpoint.manifestId), cause: e },
    );
  }
  checkCopyable(pinned.manifest, pinned.key);
  const dbPath = ms.dbPath;
  const store = ms.store;

  const owners = sstOwners(pinned.manifest, dbPath);
  const folders = new Map<string, Map<string, number>>();
  for (const owner of new Set(owners.values())) folders.set(owner, await listSizes(store, dbKeys.compactedDir(owner), undefined, signal));
  const objects: StateObject[] = [];
  const missing = (key: string, what: string) =>
    new EngineError(
      'DATA_MISSING',
      `checkpoint ${checkpoint.id} of ${ms.location} needs ${what} ${key}, which is not in the store (GC may have removed it after the checkpoint expired). ` +
        'Nothing was copied; back up a checkpoint that is still complete (verify-checkpoint shows which are).',
      { key },
    );
  for (const [ulid, owner] of owners) {
    const sourceKey = dbKeys.compactedSst(owner, ulid);
    const size = folders.get(owner)!.get(sourceKey) ?? (await store.head(sourceKey))?.size;
    if (size === undefined) throw missing(sourceKey, 'SST');
    objects.push({ kind: 'sst', name: sstName(ulid), sourceKey, size });
  }

  const { first, last } = walRange(pinned.manifest);
  if (first <= last) {
    const walDir = dbKeys.walDir(dbPath);
    const listed = await listSizes(store, walDir, first > 1 ? keyUnder(dbPath, walName(first - 1)) : undefined, signal);
    for (let id = first; id <= last; id++) {
      const sourceKey = keyUnder(dbPath, walName(id));
      const size = listed.get(sourceKey) ?? (await store.head(sourceKey))?.size;
      if (size === undefined) throw missing(sourceKey, 'WAL file');
      objects.push({ kind: 'wal', name: walName(id), sourceKey, size });
    }
  }
  return { store, dbPath, checkpoint, manifestId: pinned.id, manifest: pinned.manifest, objects, bytes: objects.reduce((n, o) => n + o.size, 0) };
}
