/**
 * The state a checkpoint pins, as a list of objects to copy: what
 * read/pointInTime.ts resolves (the manifest the checkpoint pins, every
 * compacted SST it references, a clone's parent SSTs under the parent's
 * path, and every WAL file of its replay range `replay_after_wal_id + 1 ..=
 * wal_id_last_seen`, exactly what a reader pinned to it replays), each with
 * its name under a database root and its size from the source's listing.
 *
 * Nothing here writes. A state that cannot be copied faithfully is refused
 * before any copy starts: a manifest we could not re-encode, WAL files in
 * another object store, an unfinished clone, or an object that is missing
 * (SlateDB would silently stop WAL replay at a missing file, so a copy
 * without it would hold less than the checkpoint promised).
 */

import { EngineError, isEngineError, throwIfAborted } from '../errors';
import type { DecodedManifest } from '../manifest/codec';
import { epochsOf } from '../manifest/model';
import type { ManifestStore } from '../manifest/manifestStore';
import { dbKeys, formatId } from '../paths';
import { objectsOf, resolveState, StateObject } from '../read/pointInTime';
import { referencedSsts } from '../read/stateSources';
import type { ObjectStore } from '../store/objectStore';

/** An object of the state (its `key` is where it lives in the source), with its place under a root and its size. */
export interface PlannedObject extends StateObject {
  /** Key relative to a database root: `compacted/<ULID>.sst` or `wal/<id, 20 digits>.sst`. */
  name: string;
  size: number;
}

export interface CheckpointState {
  checkpointId: string;
  manifestId: number;
  manifest: DecodedManifest;
  /** SSTs first (in manifest order), then WAL files by ascending id. */
  objects: PlannedObject[];
  bytes: number;
}

export function walName(id: number): string {
  return `wal/${formatId(id)}.sst`;
}

export function sstName(ulid: string): string {
  return `compacted/${ulid}.sst`;
}

/** Key of `name` (from {@link PlannedObject.name}) under the database root `dbPath`. */
export function keyUnder(dbPath: string, name: string): string {
  return dbPath === '' ? name : `${dbPath}/${name}`;
}

/** Names (relative to a root) of every object a manifest needs there once copied: its SSTs (all under `compacted/`) and WAL range. */
export function objectNamesOf(m: DecodedManifest, context: string): Set<string> {
  const names = new Set<string>();
  for (const v of referencedSsts('', m, context)) names.add(sstName(v.sstId));
  const first = Number(m.root.replay_after_wal_id ?? 0n) + 1;
  const last = Number(m.root.wal_id_last_seen ?? 0n);
  for (let id = first; id <= last; id++) names.add(walName(id));
  return names;
}

/** Refuses (with a specific error naming the manifest) a state this tool cannot copy faithfully. */
export function checkCopyable(m: DecodedManifest, manifestKey: string): void {
  if (m.readOnlyReason) {
    throw new EngineError('MANIFEST_READ_ONLY', `${m.readOnlyReason} Copying it would mean rewriting it, so nothing was copied.`, { key: manifestKey });
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

/** Everything checkpoint `checkpointId` of `ms` pins, sized from the listings; refuses what cannot be copied. */
export async function readCheckpointState(ms: ManifestStore, checkpointId: string, signal?: AbortSignal): Promise<CheckpointState> {
  let state;
  try {
    state = await resolveState(ms, checkpointId);
  } catch (e) {
    if (!isEngineError(e, 'MANIFEST_NOT_FOUND')) throw e;
    throw new EngineError('DATA_MISSING', `checkpoint ${checkpointId} of ${ms.location} pins a manifest that is not in the store (${e.key}); its state cannot be copied. Nothing was copied.`, {
      key: e.key,
      cause: e,
    });
  }
  throwIfAborted(signal, 'reading the checkpoint');
  checkCopyable(state.manifest, ms.keyOf(state.manifestId));
  const store = ms.store;
  const planned = objectsOf(state);

  const owners = new Set(planned.filter((o) => o.kind === 'sst').map((o) => o.ownerDbPath));
  const listed = new Map<string, number>();
  for (const owner of owners) for (const [k, n] of await listSizes(store, dbKeys.compactedDir(owner), undefined, signal)) listed.set(k, n);
  const firstWal = state.walIds[0];
  if (firstWal !== undefined) {
    const after = firstWal > 1 ? keyUnder(ms.dbPath, walName(firstWal - 1)) : undefined;
    for (const [k, n] of await listSizes(store, dbKeys.walDir(ms.dbPath), after, signal)) listed.set(k, n);
  }

  const objects: PlannedObject[] = [];
  for (const o of planned) {
    // A listing may lag behind a write: ask the object itself before calling it missing.
    const size = listed.get(o.key) ?? (await store.head(o.key))?.size;
    if (size === undefined) {
      throw new EngineError(
        'DATA_MISSING',
        `checkpoint ${state.checkpointId} of ${ms.location} needs ${o.kind === 'sst' ? 'SST' : 'WAL file'} ${o.key}, which is not in the store (GC may have removed it after the checkpoint expired). ` +
          'Nothing was copied; back up a checkpoint that is still complete (verify-checkpoint shows which are).',
        { key: o.key },
      );
    }
    objects.push({ ...o, name: o.kind === 'sst' ? sstName(o.sstId!) : walName(o.walId!), size });
  }
  return { checkpointId: state.checkpointId!, manifestId: state.manifestId, manifest: state.manifest, objects, bytes: objects.reduce((n, o) => n + o.size, 0) };
}
