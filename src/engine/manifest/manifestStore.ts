/**
 * A database's manifests on an object store: the latest id, one manifest by
 * id, the listing of all of them, the GC boundary, and the create-if-absent
 * of a new one (the commit point of manifest/manifestCommit.ts).
 *
 * Finding the latest id costs one paginated LIST the first time; after that
 * a single LIST that starts after the last id seen (ids only grow, and GC
 * never deletes the latest manifest).
 */

import { CreateOutcome, sameBytes } from '../cas';
import { EngineError, isEngineError, messageOf } from '../errors';
import { EngineLog, silentLog } from '../log';
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

/** The id of a listed key when it is a manifest file directly in `manifestDir` (not in a subfolder). */
function manifestIdIn(manifestDir: string, key: string): number | undefined {
  return key.lastIndexOf('/') === manifestDir.length - 1 ? manifestIdOfKey(key) : undefined;
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
        const id = manifestIdIn(prefix, o.key);
        if (id !== undefined && (best === undefined || id > best)) best = id;
      }
      token = page.nextContinuationToken;
    } while (token);
    if (best !== undefined) this.noteId(best); // only ever raised: ids grow
    return best;
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
      const id = manifestIdIn(prefix, o.key);
      if (id === undefined || id < start || (range.end !== undefined && id >= range.end)) continue;
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

  /**
   * One HEAD of manifest `id + 1`: a listing may lag behind a write that
   * already landed, so a decision made on manifest `id` ("nothing to do",
   * "not found") is only final when there is no newer one.
   */
  async newerExists(id: number): Promise<boolean> {
    return (await this.store.head(this.keyOf(id + 1))) !== undefined;
  }

  /**
   * Create manifest `id` if absent. A failed request may still have landed,
   * and "already exists" may be our own earlier write: both are resolved by
   * reading the manifest back and comparing bytes.
   */
  async create(id: number, bytes: Uint8Array, log: EngineLog = silentLog): Promise<CreateOutcome> {
    const key = this.keyOf(id);
    let created: boolean;
    let failure: unknown;
    try {
      created = (await this.store.putIfAbsent(key, bytes)).created;
    } catch (e) {
      // A definite refusal (access denied, unsupported store) wrote nothing.
      if (isEngineError(e) && !e.retryable) throw e;
      failure = e;
      created = false;
      log('warn', `create ${key} failed (${messageOf(e)}); checking whether it landed anyway`);
    }
    if (created) return 'created';
    let existing;
    try {
      existing = await this.store.get(key);
    } catch (e) {
      if (failure) {
        throw new EngineError(
          'STORE_ERROR',
          `writing ${key} failed and it could not be read back to check whether the write landed: ${messageOf(e)}. ` +
            'Refresh to see whether the change was applied before trying again.',
          { retryable: true, key, cause: failure },
        );
      }
      throw e;
    }
    if (existing && sameBytes(existing.bytes, bytes)) {
      if (failure) log('info', `${key} holds exactly our bytes: the failed request had landed`);
      return 'created';
    }
    if (existing) return 'exists';
    // Absent after a failed request: not written (yet). Retrying is safe because
    // mutations are idempotent by id; a late landing is seen by the next read.
    return 'unknown';
  }

  /** Remember an id we just wrote so the next warm lookup starts after it. */
  noteId(id: number): void {
    if (this.lastSeenId === undefined || id > this.lastSeenId) this.lastSeenId = id;
  }
}
