/**
 * A backup repository as found before a backup writes to it: its latest
 * manifest (none yet for a new repository), the backups it holds, which
 * object names its committed manifests already name, and whether its latest
 * state is one a backup wrote.
 *
 * A repository is only ever written by backups (and by SlateDB readers,
 * which add their own checkpoints to the same state). A root whose latest
 * state is not the state of its newest backup is a live database, or was
 * opened as a writer: writing a backup's state over it would throw away the
 * writer's work, so it is refused with TARGET_NOT_EMPTY and nothing is
 * written.
 */

import { EngineError, isEngineError } from '../errors';
import type { DecodedManifest } from '../manifest/codec';
import { CheckpointInfo, checkpointsOf } from '../manifest/model';
import type { LoadedManifest, ManifestStore } from '../manifest/manifestStore';
import { BackupName, parseBackupName } from './naming';
import { objectNamesOf } from './plan';
import { sameState } from './repoManifest';

export interface HeldBackup {
  checkpoint: CheckpointInfo;
  name: BackupName;
}

export interface RepositoryView {
  latest: LoadedManifest | undefined;
  backups: HeldBackup[];
  /** Names (relative to the root) of the objects the latest manifest and the manifests its checkpoints pin need: all copied and checked by the backups that wrote them. */
  committed: Set<string>;
  /** A state the latest manifest may have and still be the repository's own (the newest backup's). */
  knownState: DecodedManifest | undefined;
}

export function backupsIn(m: DecodedManifest): HeldBackup[] {
  const out: HeldBackup[] = [];
  for (const checkpoint of checkpointsOf(m)) {
    const name = parseBackupName(checkpoint.name);
    if (name) out.push({ checkpoint, name });
  }
  return out;
}

/** The backup of `sourcePath`'s checkpoint `sourceCheckpoint` that `m` holds, if any. */
export function findBackup(m: DecodedManifest, sourcePath: string, sourceCheckpoint: string): HeldBackup | undefined {
  return backupsIn(m).find((b) => b.name.sourceCheckpoint === sourceCheckpoint && b.name.sourcePath === sourcePath);
}

/** Whether `current` holds a state a backup wrote: its newest backup pins it, or it equals `known` (checked earlier). */
export function isRepositoryState(current: LoadedManifest, known: DecodedManifest | undefined): boolean {
  if (backupsIn(current.manifest).some((b) => b.checkpoint.manifestId === current.id)) return true;
  return known !== undefined && sameState(current.manifest, known);
}

function notARepository(ms: ManifestStore, latest: LoadedManifest): EngineError {
  return new EngineError(
    'TARGET_NOT_EMPTY',
    `${ms.location} holds a database that is not a backup repository (or one that was opened as a writer): its latest manifest ${latest.id} ` +
      'is not the state of a backup in it. Nothing was written; back up into an empty path or into a repository written only by backups.',
    { key: latest.key },
  );
}

export async function readRepository(ms: ManifestStore): Promise<RepositoryView> {
  const latestId = await ms.latestId({ cold: true });
  if (latestId === undefined) return { latest: undefined, backups: [], committed: new Set(), knownState: undefined };
  const latest = await ms.readLatest();
  const backups = backupsIn(latest.manifest);
  const committed = objectNamesOf(latest.manifest, `manifest ${latest.key}`);
  const pinned = new Map<number, DecodedManifest>();
  for (const id of new Set(checkpointsOf(latest.manifest).map((c) => c.manifestId))) {
    if (id === latest.id) continue;
    const m = await ms.read(id).then(
      (l) => l.manifest,
      (e) => {
        // A checkpoint left pinning a manifest GC removed names nothing we could reuse.
        if (isEngineError(e, 'MANIFEST_NOT_FOUND')) return undefined;
        throw e;
      },
    );
    if (!m) continue;
    pinned.set(id, m);
    for (const n of objectNamesOf(m, `manifest ${ms.keyOf(id)}`)) committed.add(n);
  }
  let knownState: DecodedManifest | undefined;
  if (!isRepositoryState(latest, undefined)) {
    const newest = backups.reduce<HeldBackup | undefined>((a, b) => (a && a.checkpoint.manifestId >= b.checkpoint.manifestId ? a : b), undefined);
    const state = newest ? pinned.get(newest.checkpoint.manifestId) : undefined;
    if (!state || !sameState(latest.manifest, state)) throw notARepository(ms, latest);
    knownState = state;
  }
  return { latest, backups, committed, knownState };
}

/** For the commit's mutation: `current` must still be a repository state (else TARGET_NOT_EMPTY). */
export function checkRepositoryState(ms: ManifestStore, current: LoadedManifest, known: DecodedManifest | undefined): void {
  if (!isRepositoryState(current, known)) throw notARepository(ms, current);
}
