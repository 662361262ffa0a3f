/**
 * The one source of database state in the extension. For each database it
 * keeps a ManifestStore (so latest-id lookups stay warm: one LIST after the
 * last id seen) and the last snapshot read, and it fires `onDidChange(target)`
 * after every load. The tree, the history panels and any later view
 * subscribe; commands that wrote call `afterWrite(target)` and never refresh
 * a view themselves. `onDidChange(undefined)` means "everything may have
 * changed" (connections edited, Refresh): drop what you hold and ask again.
 * See README.md in this folder for how a new feature hangs on it.
 */

import * as vscode from 'vscode';
import { EngineError, isEngineError, messageOf } from '../engine/errors';
import { manifestFormatVersion } from '../engine/manifest/codec';
import { checkpointsOf, CheckpointInfo } from '../engine/manifest/model';
import { LoadedManifest, ManifestStore } from '../engine/manifest/manifestStore';
import { Disposable } from './common/disposable';
import type { ConnectionManager } from './connections/connectionManager';
import { createLogger } from './log';
import { DatabaseTarget, targetKey } from './targets';

const log = createLogger('databases');

/** A database whose latest manifest was read and decoded. */
export interface OkSnapshot {
  kind: 'ok';
  latestId: number;
  formatVersion: number;
  checkpoints: CheckpointInfo[];
  /** Why the engine refuses to rewrite this database (unknown fields), or null. */
  readOnlyReason: string | null;
}

/** The latest manifest has a format version this tool does not know: shown, never decoded or written. */
export interface UnsupportedVersionSnapshot {
  kind: 'unsupportedVersion';
  latestId: number;
  version: number;
  error: EngineError;
}

/** The database could not be read (store unreachable, corrupt manifest, gone). */
export interface ErrorSnapshot {
  kind: 'error';
  error: EngineError;
}

export type DatabaseSnapshot = OkSnapshot | UnsupportedVersionSnapshot | ErrorSnapshot;

/** Why nothing may be written to this database, or null when it may. */
export function readOnlyReasonOf(s: DatabaseSnapshot): string | null {
  return s.kind === 'ok' ? s.readOnlyReason : s.error.message;
}

/** The latest manifest id the snapshot saw, when it saw one. */
export function latestIdOf(s: DatabaseSnapshot | undefined): number | undefined {
  return s && s.kind !== 'error' ? s.latestId : undefined;
}

interface Entry {
  readonly target: DatabaseTarget;
  store?: ManifestStore;
  snapshot?: DatabaseSnapshot;
  /** Increments per load started: a load that finishes after a newer one started is not stored. */
  loads: number;
}

function asEngineError(e: unknown): EngineError {
  return e instanceof EngineError ? e : new EngineError('INTERNAL', messageOf(e), { cause: e });
}

export class DatabaseRegistry extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<DatabaseTarget | undefined>());
  /** After each load of a database (its target), or `undefined` when every snapshot was dropped. */
  readonly onDidChange = this.changed.event;
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly connections: ConnectionManager) {
    super();
    // A changed connection may point elsewhere: nothing we hold is known to be true any more.
    this._register(connections.onDidChange(() => this.reset()));
  }

  /** The database's ManifestStore (one per database, rebuilt when its connection's store changes). */
  async manifestStore(t: DatabaseTarget): Promise<ManifestStore> {
    const entry = this.entry(t);
    const store = await this.connections.store(t.connectionId);
    if (!entry.store || entry.store.store !== store) entry.store = new ManifestStore(store, t.dbPath);
    return entry.store;
  }

  snapshot(t: DatabaseTarget): DatabaseSnapshot | undefined {
    return this.entries.get(targetKey(t))?.snapshot;
  }

  /**
   * Read the latest manifest (`knownLatestId` when the caller just listed it),
   * remember what it says and fire onDidChange. Never rejects: failures are
   * a snapshot of kind `error`.
   */
  async load(t: DatabaseTarget, knownLatestId?: number): Promise<DatabaseSnapshot> {
    const entry = this.entry(t);
    const seq = ++entry.loads;
    let snapshot: DatabaseSnapshot;
    try {
      snapshot = await this.read(await this.manifestStore(t), knownLatestId);
    } catch (e) {
      snapshot = { kind: 'error', error: asEngineError(e) };
      log.warn(`loading ${t.dbPath || '/'}: ${snapshot.error.message}`);
    }
    if (this.entries.get(targetKey(t)) === entry && entry.loads === seq) {
      entry.snapshot = snapshot;
      this.changed.fire({ connectionId: t.connectionId, dbPath: t.dbPath });
    }
    return snapshot;
  }

  /**
   * The database as last loaded (loaded now if it never was, or when `fresh`),
   * for commands that need its checkpoints. Throws the snapshot's error when
   * its latest manifest cannot be decoded.
   */
  async current(t: DatabaseTarget, options: { fresh?: boolean } = {}): Promise<OkSnapshot> {
    const known = options.fresh ? undefined : this.snapshot(t);
    const s = known ?? (await this.load(t));
    if (s.kind !== 'ok') throw s.error;
    return s;
  }

  /** A command wrote to `t`: reload it, so every subscriber shows the write. */
  afterWrite(t: DatabaseTarget): Promise<DatabaseSnapshot> {
    return this.load(t);
  }

  /**
   * One warm LIST per loaded database; reload those whose latest manifest id
   * moved. Resolves with how many were reloaded.
   */
  async poll(): Promise<number> {
    let reloaded = 0;
    const loaded = [...this.entries.values()].filter((e) => e.snapshot !== undefined);
    await Promise.all(
      loaded.map(async ({ target, snapshot }) => {
        try {
          const latestId = await (await this.manifestStore(target)).latestId();
          if (latestId !== undefined && latestId === latestIdOf(snapshot)) return;
          reloaded++;
          await this.load(target, latestId);
        } catch (e) {
          log.debug(`poll ${target.dbPath || '/'}: ${messageOf(e)}`);
        }
      }),
    );
    return reloaded;
  }

  /** Drop every snapshot and store (of one connection, or all) and tell subscribers. */
  reset(connectionId?: string): void {
    for (const [key, entry] of [...this.entries]) {
      if (connectionId === undefined || entry.target.connectionId === connectionId) this.entries.delete(key);
    }
    this.changed.fire(undefined);
  }

  private entry(t: DatabaseTarget): Entry {
    const key = targetKey(t);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { target: { connectionId: t.connectionId, dbPath: t.dbPath }, loads: 0 };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private async read(ms: ManifestStore, knownLatestId: number | undefined): Promise<DatabaseSnapshot> {
    try {
      const latest = await readKnownOrLatest(ms, knownLatestId);
      return {
        kind: 'ok',
        latestId: latest.id,
        formatVersion: latest.manifest.formatVersion,
        checkpoints: checkpointsOf(latest.manifest),
        readOnlyReason: latest.manifest.readOnlyReason ?? null,
      };
    } catch (e) {
      if (!isEngineError(e, 'MANIFEST_UNSUPPORTED_VERSION')) throw e;
      // Shown with its version, never decoded: the version is in the first two bytes.
      const latestId = (await ms.latestId()) ?? 0;
      const bytes = await ms.readBytes(latestId);
      if (!bytes) throw e;
      return { kind: 'unsupportedVersion', latestId, version: manifestFormatVersion(bytes, `manifest ${ms.keyOf(latestId)}`), error: e };
    }
  }
}

/** Manifest `id` when the caller just listed it, else (or if GC removed it meanwhile) the latest. */
async function readKnownOrLatest(ms: ManifestStore, id: number | undefined): Promise<LoadedManifest> {
  if (id !== undefined) {
    try {
      return await ms.read(id);
    } catch (e) {
      if (!isEngineError(e, 'MANIFEST_NOT_FOUND')) throw e;
    }
  }
  return ms.readLatest();
}
