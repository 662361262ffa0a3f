/**
 * The object-store contract the engine is written against. Every backend
 * (local directory, S3, in-memory, and the test wrappers) implements exactly
 * this, and all of them run one shared conformance suite (test/store/).
 *
 * Keys are '/'-separated, relative to the store's root, never start with '/',
 * and never contain '.' or '..' segments or empty segments.
 */

export interface ObjectMeta {
  /** Full key relative to the store root, e.g. `db/manifest/00000000000000000001.manifest`. */
  key: string;
  size: number;
  lastModified: Date;
  /** Opaque version tag (ETag on S3, mtime+size locally); informative only. */
  etag?: string;
}

export interface ListOptions {
  /** Only keys that start with this string. */
  prefix?: string;
  /** Group keys at the first occurrence of the delimiter after the prefix (S3 semantics). */
  delimiter?: string;
  /** Only keys strictly greater (byte order) than this key. */
  startAfter?: string;
  /** Page size hint; backends may return fewer. */
  maxKeys?: number;
  /** Opaque token from a previous page. */
  continuationToken?: string;
}

export interface ListPage {
  objects: ObjectMeta[];
  /** With a delimiter: the grouped "folders", each ending with the delimiter. */
  commonPrefixes: string[];
  /** Present when more results follow. */
  nextContinuationToken?: string;
}

export interface GetResult {
  bytes: Uint8Array;
  meta: ObjectMeta;
}

/** Outcome of a create-if-absent write. */
export type PutIfAbsentResult = { created: true; meta?: ObjectMeta } | { created: false };

/**
 * A body that is streamed rather than held in memory. `size` is declared up
 * front (S3 needs a Content-Length); a body whose chunks add up to any other
 * size fails the write with INVALID_ARGUMENT and nothing is created.
 * `chunks()` is called once per write attempt; a chunk must not be
 * modified after it is yielded (writers may hold one chunk back).
 */
export interface BodySource {
  size: number;
  chunks(): AsyncIterable<Uint8Array>;
}

/** What a create-if-absent write accepts: bytes in memory, or a stream of declared size. */
export type PutBody = Uint8Array | BodySource;

/** A streaming read: the object's metadata, then its bytes in order. */
export interface GetStreamResult {
  meta: ObjectMeta;
  /**
   * The object's bytes, in chunks of bounded size. Iterate it to the end, or
   * break out of the loop (which releases the file handle / connection).
   */
  chunks: AsyncIterable<Uint8Array>;
}

export interface ObjectStore {
  /** Human-readable description for logs and errors, e.g. `file:///data` or `s3://bucket/prefix`. Never contains a secret. */
  readonly description: string;

  /** One page of a listing, keys in ascending byte order. */
  listPage(options: ListOptions): Promise<ListPage>;

  /** Object bytes, or `undefined` when the key does not exist. */
  get(key: string): Promise<GetResult | undefined>;

  /**
   * Bytes [start, end) of the object (end exclusive, clamped to the object's
   * size; a start at or past the end gives an empty array), or `undefined`
   * when the key does not exist. One request; never reads the whole object.
   * start/end must be integers with 0 <= start <= end (INVALID_ARGUMENT).
   */
  getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined>;

  /** A streaming read in bounded memory, or `undefined` when the key does not exist. */
  getStream(key: string): Promise<GetStreamResult | undefined>;

  /** Object metadata, or `undefined` when the key does not exist. */
  head(key: string): Promise<ObjectMeta | undefined>;

  /**
   * Atomically create `key` with `body` unless it already exists.
   * `{created: false}` means some object was already there (possibly our own
   * earlier attempt: the caller compares bytes). Never overwrites. Readers
   * never observe a partially written object. A streamed body (BodySource)
   * has the same guarantee; a body that fails or does not match its declared
   * size creates nothing.
   */
  putIfAbsent(key: string, body: PutBody): Promise<PutIfAbsentResult>;

  /**
   * Create `targetKey` in this store as a copy of `sourceKey` in `source`
   * without the bytes passing through this process, when the two stores
   * allow it (same S3 endpoint and credentials; two local directories).
   * Same create-if-absent result as putIfAbsent; an absent source is
   * DATA_MISSING. `'unsupported'` means: copy by streaming instead (see
   * copyObject in copyObject.ts, which does both).
   */
  copyObjectFrom?(source: ObjectStore, sourceKey: string, targetKey: string): Promise<PutIfAbsentResult | 'unsupported'>;

  /** Delete `key`; deleting an absent key succeeds. */
  delete(key: string): Promise<void>;

  /** Release resources (sockets, handles). */
  close?(): Promise<void>;
}

/** Every object in a listing, following continuation tokens. */
export async function listAll(store: ObjectStore, options: Omit<ListOptions, 'continuationToken'>): Promise<ListPage> {
  const objects: ObjectMeta[] = [];
  const commonPrefixes: string[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await store.listPage({ ...options, continuationToken });
    objects.push(...page.objects);
    commonPrefixes.push(...page.commonPrefixes);
    continuationToken = page.nextContinuationToken;
  } while (continuationToken);
  return { objects, commonPrefixes };
}
