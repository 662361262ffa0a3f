/**
 * Reads a database's manifests from an object store: the latest id, one
 * manifest by id, the listing of all of them, and the GC boundary.
 *
 * Finding the latest id costs one paginated LIST the first time; after that
 * a single LIST that starts after the last id seen (ids only grow, and GC
 * never deletes the latest manifest).
 */

import { EngineError } from '../errors';
import { dbKeys, manifestIdOfKey, normalizeDbPath } from '../paths';
import { listAll, ObjectStore } from '../store/objectStore';
import { decodeManifest, DecodedManifest } from './codec';

export interface ManifestListing {
  id: number;
  key: string;
  size: number;
  lastModified: Date;
}

export interface LoadedManifest {
  id: number;
  key: string;
  bytes: Uint8Array;
  manifest: DecodedManifest;
}

export class ManifestStore {
  readonly dbPath: string;
  private lastSeenId: number | undefined;

  constructor(
    readonly store: ObjectStore,
    dbPath: string,
  ) {
    this.dbPath = normalizeDbPath(dbPath);
  }

  /** Human-readable location for messages, e.g. `file:///data` database `orders`. */
  get location(): string {
    return `database "${this.dbPath || '/'}" in ${this.store.description}`;
  }

  keyOf(id: number): string {
    return dbKeys.manifest(this.dbPath, id);
  }

  /** Latest manifest id, or undefined when the database has none (does not exist). */
  async latestId(options: { cold?: boolean } = {}): Promise<number | undefined> {
    const prefix = dbKeys.manifestDir(this.dbPath);
    const warm = !options.cold && this.lastSeenId !== undefined;
    let best = warm ? this.lastSeenId : undefined;
    let token: string | undefined;
    do {
      const page = await this.store.listPage({
        prefix,
        startAfter: warm ? this.keyOf(this.lastSeenId!) : undefined,
        continuationToken: token,
      });
      for (const o of page.objects) {
        const id = manifestIdOfKey(o.key);
        if (id === undefined || o.key.lastIndexOf('/') !== prefix.length - 1) continue; // not a manifest file of this folder
        if (best === undefined || id > best) best = id;
      }
      token = page.nextContinuationToken;
    } while (token);
    if (best !== undefined) this.noteId(best); // only ever raised: ids grow
    return best;
  }

  /** Forget the last id seen (e.g. after the database was deleted and recreated). */
  resetCache(): void {
    this.lastSeenId = undefined;
  }

  async listManifests(range: { start?: number; end?: number } = {}): Promise<ManifestListing[]> {
    const prefix = dbKeys.manifestDir(this.dbPath);
    const start = range.start ?? 0;
    const { objects } = await listAll(this.store, {
      prefix,
      // Keys are zero-padded, so byte order is id order: skip what is below `start`.
      startAfter: start > 0 ? this.keyOf(start - 1) : undefined,
    });
    const out: ManifestListing[] = [];
    for (const o of objects) {
      const id = manifestIdOfKey(o.key);
      if (id === undefined || o.key.lastIndexOf('/') !== prefix.length - 1) continue;
      if (id < start || (range.end !== undefined && id >= range.end)) continue;
      out.push({ id, key: o.key, size: o.size, lastModified: o.lastModified });
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** Raw bytes of manifest `id`, or undefined when it does not exist. */
  async readBytes(id: number): Promise<Uint8Array | undefined> {
    const got = await this.store.get(this.keyOf(id));
    return got?.bytes;
  }

  async read(id: number): Promise<LoadedManifest> {
    const key = this.keyOf(id);
    const got = await this.store.get(key);
    if (!got) {
      throw new EngineError('MANIFEST_NOT_FOUND', `manifest ${id} of ${this.location} does not exist (${key}); list the manifests to see which ids exist`, {
        key,
      });
    }
    return { id, key, bytes: got.bytes, manifest: decodeManifest(got.bytes, `manifest ${key}`) };
  }

  /**
   * The latest manifest. Retries when the one we listed vanished before we
   * read it (a GC racing us can only delete it after a newer one exists).
   */
  async readLatest(options: { cold?: boolean } = {}): Promise<LoadedManifest> {
    // A lagging listing never takes us below an id we know exists (read-your-writes).
    let floor = options.cold ? undefined : this.lastSeenId;
    for (let attempt = 0; attempt < 5; attempt++) {
      const listed = await this.latestId({ cold: options.cold || attempt > 0 });
      const id = listed !== undefined && floor !== undefined && listed < floor ? floor : listed;
      floor = id;
      if (id === undefined) {
        throw new EngineError(
          'DATABASE_NOT_FOUND',
          `no SlateDB database at ${this.location}: there is no manifest under ${dbKeys.manifestDir(this.dbPath)}. Check the path and the store.`,
        );
      }
      const key = this.keyOf(id);
      const got = await this.store.get(key);
      if (got) {
        this.noteId(id);
        return { id, key, bytes: got.bytes, manifest: decodeManifest(got.bytes, `manifest ${key}`) };
      }
    }
    throw new EngineError('STORE_ERROR', `the latest manifest of ${this.location} kept disappearing while being read; try again`, {
      retryable: true,
    });
  }

  /** `gc/manifest.boundary` (RFC-0026): ids at or below it may be deleted by GC. Absent means 0. */
  async readBoundary(): Promise<number> {
    const key = dbKeys.manifestBoundary(this.dbPath);
    const got = await this.store.get(key);
    if (!got) return 0;
    const text = new TextDecoder().decode(got.bytes).trim();
    if (!/^\d+$/.test(text)) {
      throw new EngineError('MANIFEST_CORRUPT', `${key} should hold a decimal manifest id but holds "${text.slice(0, 40)}"`, { key });
    }
    return Number(text);
  }

  /** Remember an id we just wrote so the next warm lookup starts after it. */
  noteId(id: number): void {
    if (this.lastSeenId === undefined || id > this.lastSeenId) this.lastSeenId = id;
  }
}
