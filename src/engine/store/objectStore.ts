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

export interface ObjectStore {
  /** Human-readable description for logs and errors, e.g. `file:///data` or `s3://bucket/prefix`. Never contains a secret. */
  readonly description: string;

  /** One page of a listing, keys in ascending byte order. */
  listPage(options: ListOptions): Promise<ListPage>;

  /** Object bytes, or `undefined` when the key does not exist. */
  get(key: string): Promise<GetResult | undefined>;

  /** Object metadata, or `undefined` when the key does not exist. */
  head(key: string): Promise<ObjectMeta | undefined>;

  /**
   * Atomically create `key` with `bytes` unless it already exists.
   * `{created: false}` means some object was already there (possibly our own
   * earlier attempt: the caller compares bytes). Never overwrites. Readers
   * never observe a partially written object.
   */
  putIfAbsent(key: string, bytes: Uint8Array): Promise<PutIfAbsentResult>;

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
