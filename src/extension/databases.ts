/**
 * Per-database state the tree and commands share: one ManifestStore each
 * (so latest-id lookups stay warm: a single LIST after the last id seen) and
 * the last snapshot read (latest id, checkpoints, read-only reason).
 */

import { EngineError } from '../engine/errors';
import { checkpointsOf, CheckpointInfo } from '../engine/manifest/model';
import { LoadedManifest, ManifestStore } from '../engine/manifest/manifestStore';
import type { ConnectionManager } from './connections/connectionManager';
import type { DatabaseTarget } from './targets';

export interface DatabaseSnapshot {
  latestId: number;
  formatVersion: number | null;
  checkpoints: CheckpointInfo[];
  /** Why the engine refuses to write this database, if it does. */
  readOnlyReason?: string;
  loadedAt: number;
}

/** Manifest `id` when the caller just listed it, else (or if GC removed it meanwhile) the latest. */
async function readKnownOrLatest(ms: ManifestStore, id: number | undefined): Promise<LoadedManifest> {
  if (id !== undefined) {
    try {
      return await ms.read(id);
    } catch (e) {
      if (!(e instanceof EngineError && e.code === 'MANIFEST_NOT_FOUND')) throw e;
    }
  }
  return ms.readLatest();
}

export const targetKey = (t: DatabaseTarget) => `${t.connectionId}\u0000${t.dbPath}`;

export class DatabaseRegistry {
  private readonly stores = new Map<string, ManifestStore>();
  private readonly snapshots = new Map<string, DatabaseSnapshot>();

  constructor(private readonly connections: ConnectionManager) {}

  async manifests(t: DatabaseTarget): Promise<ManifestStore> {
    const key = targetKey(t);
    const store = await this.connections.store(t.connectionId);
    let ms = this.stores.get(key);
    if (!ms || ms.store !== store) {
      ms = new ManifestStore(store, t.dbPath);
      this.stores.set(key, ms);
    }
    return ms;
  }

  snapshot(t: DatabaseTarget): DatabaseSnapshot | undefined {
    return this.snapshots.get(targetKey(t));
  }

  /** Read the latest manifest and remember what it says. */
  async load(t: DatabaseTarget, knownLatestId?: number): Promise<DatabaseSnapshot> {
    const ms = await this.manifests(t);
    let snapshot: DatabaseSnapshot;
    try {
      const latest = await readKnownOrLatest(ms, knownLatestId);
      snapshot = {
        latestId: latest.id,
        formatVersion: latest.manifest.formatVersion,
        checkpoints: checkpointsOf(latest.manifest),
        readOnlyReason: latest.manifest.readOnlyReason,
        loadedAt: Date.now(),
      };
    } catch (e) {
      if (!(e instanceof EngineError && e.code === 'MANIFEST_UNSUPPORTED_VERSION')) throw e;
      // Shown, with the reason, but never decoded or written.
      const id = (await ms.latestId()) ?? 0;
      snapshot = { latestId: id, formatVersion: null, checkpoints: [], readOnlyReason: e.message, loadedAt: Date.now() };
    }
    this.snapshots.set(targetKey(t), snapshot);
    return snapshot;
  }

  /**
   * One warm LIST: undefined when the latest manifest id is still the
   * snapshot's; otherwise what it is now (undefined id: the manifests are gone).
   * Pass that id to load() to skip listing again.
   */
  async changedTo(t: DatabaseTarget): Promise<{ latestId: number | undefined } | undefined> {
    const ms = await this.manifests(t);
    const latestId = await ms.latestId();
    const snap = this.snapshot(t);
    return snap && latestId === snap.latestId ? undefined : { latestId };
  }

  forget(connectionId?: string): void {
    for (const key of [...this.snapshots.keys()]) {
      if (connectionId === undefined || key.startsWith(connectionId + '\u0000')) {
        this.snapshots.delete(key);
        this.stores.delete(key);
      }
    }
  }

  /** Every database we hold a snapshot of (the ones the tree has shown). */
  loadedTargets(): DatabaseTarget[] {
    return [...this.snapshots.keys()].map((k) => {
      const [connectionId, dbPath] = k.split('\u0000');
      return { connectionId, dbPath };
    });
  }
}
