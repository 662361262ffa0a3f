/**
 * ObjectStore on Amazon S3 and S3-compatible servers (tested on Ceph RGW),
 * built on @aws-sdk/client-s3.
 *
 * This module loads the AWS SDK; import it only through `loadS3Store()`
 * (store/openStore.ts), which loads it on demand so that users of local
 * directories never pay for it (the bundle puts it in dist/s3.js).
 *
 * - Keys are checked by keys.ts, as in every backend, then put under the prefix.
 * - Create-if-absent is `PutObject` with `If-None-Match: *` (412
 *   PreconditionFailed, 409 ConditionalRequestConflict or 304 mean "already
 *   exists"), with the body in memory or streamed (Content-Length declared).
 *   Those PUTs are sent exactly once: an SDK retry after a lost response would
 *   see our own object and report a false conflict. An ambiguous PUT is a
 *   retryable STORE_ERROR and the engine's retry compares bytes. Reads keep
 *   the SDK's retries. Whether the server honours the header is probed once
 *   (conditionalWrites.ts).
 * - Range reads are one GetObject with `Range`; streamed reads hand out the
 *   SDK's socket stream.
 * - Server-side copy is CopyObject between stores with the same endpoint,
 *   region and credentials (see copyObjectFrom for RGW's non-atomic case).
 *
 * No environment variable is read or written here: defaults that come from
 * the environment are applied by the callers (openStore.ts).
 */

import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, type GetObjectCommandOutput, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { EngineError } from '../../errors';
import { checkBody, checkRange, clampRange, sizedChunks } from '../body';
import { validateKey } from '../keys';
import type { GetResult, GetStreamResult, ListOptions, ListPage, ObjectMeta, ObjectStore, PutBody, PutIfAbsentResult } from '../objectStore';
import { ConditionalWrites } from './conditionalWrites';
import { type S3StoreOptions, copyIdentityOf, createS3Clients, regionOf } from './s3Client';
import { type S3RequestContext, httpStatusOf, isConflict, isNotFound, isRangeNotSatisfiable, mapS3Error, networkCodeOf, shape } from './s3Errors';
import { type ListRawInput, listS3Page } from './s3Listing';

export { PROBE_FOLDER } from './conditionalWrites';
export type { S3StaticCredentials, S3StoreOptions } from './s3Client';
export { mapS3Error } from './s3Errors';

/** The largest object one CopyObject request can copy. */
const MAX_COPY_BYTES = 5 * 1024 ** 3;

function normalizePrefix(prefix: string | undefined): string {
  return (prefix ?? '').replace(/^\/+|\/+$/g, '');
}

export class S3ObjectStore implements ObjectStore {
  readonly description: string;
  readonly bucket: string;
  /** Normalised prefix without leading/trailing '/', '' for the bucket root. */
  readonly prefix: string;
  private readonly keyPrefix: string;
  private readonly endpoint?: string;
  private readonly region?: string;
  private readonly profile?: string;
  private readonly log?: (line: string) => void;
  /** Reads, lists and deletes: SDK retries stay on. */
  private readonly client: S3Client;
  /** Conditional PUTs and copies: exactly one attempt each. */
  private readonly putClient: S3Client;
  private readonly conditional: ConditionalWrites;
  /** Stores with equal identities can CopyObject from each other. */
  private readonly copyIdentity: string;

  constructor(options: S3StoreOptions) {
    if (!options.bucket || /[/\s]/.test(options.bucket)) {
      throw new EngineError('INVALID_ARGUMENT', `"${options.bucket}" is not a valid bucket name`);
    }
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix);
    this.keyPrefix = this.prefix === '' ? '' : `${this.prefix}/`;
    this.description = `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`;
    this.endpoint = options.endpoint;
    this.region = regionOf(options);
    this.profile = options.profile;
    this.log = options.logger;
    this.copyIdentity = copyIdentityOf(options);
    ({ client: this.client, putClient: this.putClient } = createS3Clients(options));
    this.conditional = new ConditionalWrites(
      {
        put: (full, body) => this.conditionalPut(full, body, body.length),
        copy: (from, to) => this.conditionalCopy(this.bucket, from, to),
        remove: (full) => this.request('DeleteObject', full, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: full }))).then(() => undefined),
        log: (line) => this.log?.(line),
      },
      { keyPrefix: this.keyPrefix, verify: options.verifyConditionalWrites ?? 'auto', endpoint: this.endpoint, description: this.description },
    );
  }

  private fullKey(key: string): string {
    validateKey(key);
    return this.keyPrefix + key;
  }

  private ctx(operation: string, key: string): S3RequestContext {
    return { operation, bucket: this.bucket, key, endpoint: this.endpoint, region: this.region, profile: this.profile };
  }

  /** Run one SDK call, log one line, map failures (except those `expected` returns a value for). */
  private async request<T, R = T>(operation: string, key: string, call: () => Promise<T>, expected?: (err: unknown) => R | undefined): Promise<T | R> {
    const t0 = Date.now();
    try {
      const out = await call();
      const meta = (out as { $metadata?: { httpStatusCode?: number; attempts?: number } }).$metadata;
      this.logLine(operation, key, String(meta?.httpStatusCode ?? 'ok'), t0, meta?.attempts);
      return out;
    } catch (err) {
      const e = shape(err);
      const status = httpStatusOf(err);
      this.logLine(operation, key, `${status ?? networkCodeOf(err) ?? 'error'} ${e.name ?? ''}`.trim(), t0, e.$metadata?.attempts);
      const handled = expected?.(err);
      if (handled !== undefined) return handled;
      throw mapS3Error(err, this.ctx(operation, key));
    }
  }

  private logLine(operation: string, key: string, status: string, t0: number, attempts?: number): void {
    if (!this.log) return;
    const tries = attempts !== undefined && attempts > 1 ? ` after ${attempts} attempts` : '';
    this.log(`[s3] ${operation} s3://${this.bucket}/${key} ${status} ${Date.now() - t0} ms${tries}`);
  }

  private static metaOf(key: string, out: { ContentLength?: number; LastModified?: Date; ETag?: string }, size?: number): ObjectMeta {
    return { key, size: out.ContentLength ?? size ?? 0, lastModified: out.LastModified ?? new Date(0), ...(out.ETag ? { etag: out.ETag } : {}) };
  }

  // ---- reads ------------------------------------------------------------------

  async listPage(options: ListOptions): Promise<ListPage> {
    return listS3Page((input) => this.listRaw(input), this.keyPrefix, options);
  }

  private listRaw(input: ListRawInput) {
    return this.request('ListObjectsV2', input.Prefix ?? '', () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, ...input })));
  }

  /** One GetObject: its output, null when absent, 'empty' when the range lies past the end (416). */
  private getObject(full: string, range?: string): Promise<GetObjectCommandOutput | null | 'empty'> {
    return this.request<GetObjectCommandOutput, null | 'empty'>(
      'GetObject',
      full,
      () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: full, ...(range ? { Range: range } : {}) })),
      (err) => (isNotFound(err) ? null : range && isRangeNotSatisfiable(err) ? 'empty' : undefined),
    );
  }

  private async bodyBytes(out: GetObjectCommandOutput, full: string): Promise<Uint8Array> {
    try {
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      throw mapS3Error(err, this.ctx('GetObject', full));
    }
  }

  async get(key: string): Promise<GetResult | undefined> {
    const full = this.fullKey(key);
    const out = await this.getObject(full);
    if (out === null || out === 'empty') return undefined;
    const bytes = await this.bodyBytes(out, full);
    return { bytes, meta: S3ObjectStore.metaOf(key, out, bytes.length) };
  }

  /**
   * One GetObject with `Range: bytes=start-(end-1)`. An empty range is a HEAD
   * (HTTP cannot ask for zero bytes); 416 (start past the end, or a zero-byte
   * object) means "present, no bytes in range". A server that ignores Range
   * (200 instead of 206) is answered correctly by slicing.
   */
  async getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined> {
    const full = this.fullKey(key);
    checkRange(key, start, end);
    if (start === end) return (await this.head(key)) === undefined ? undefined : new Uint8Array(0);
    const out = await this.getObject(full, `bytes=${start}-${end - 1}`);
    if (out === null) return undefined;
    if (out === 'empty') return new Uint8Array(0);
    const bytes = await this.bodyBytes(out, full);
    if (out.$metadata.httpStatusCode === 206 || out.ContentRange) return bytes;
    const r = clampRange(bytes.byteLength, start, end); // the whole object came back
    return bytes.slice(r.start, r.end);
  }

  /** One GetObject whose body is read as it arrives (the SDK's socket stream). */
  async getStream(key: string): Promise<GetStreamResult | undefined> {
    const full = this.fullKey(key);
    const out = await this.getObject(full);
    if (out === null || out === 'empty') return undefined;
    const body = out.Body as (Readable & AsyncIterable<Uint8Array>) | undefined;
    const ctx = this.ctx('GetObject', full);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      if (!body) return;
      try {
        for await (const chunk of body) yield chunk;
      } catch (err) {
        throw mapS3Error(err, ctx);
      } finally {
        body.destroy?.(); // releases the socket when the reader stops early
      }
    }
    return { meta: S3ObjectStore.metaOf(key, out), chunks: chunks() };
  }

  async head(key: string): Promise<ObjectMeta | undefined> {
    const full = this.fullKey(key);
    const out = await this.request(
      'HeadObject',
      full,
      () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: full })),
      (err) => (isNotFound(err) ? null : undefined),
    );
    return out === null ? undefined : S3ObjectStore.metaOf(key, out);
  }

  // ---- writes -----------------------------------------------------------------

  async putIfAbsent(key: string, body: PutBody): Promise<PutIfAbsentResult> {
    const full = this.fullKey(key);
    checkBody(key, body);
    await this.conditional.ensureWrites();
    if (body instanceof Uint8Array) return this.conditionalPut(full, body, body.length);
    if (body.size === 0) {
      for await (const _ of sizedChunks(key, body)); // a "zero-byte" source that yields bytes is refused before the PUT
      return this.conditionalPut(full, new Uint8Array(0), 0);
    }
    // A body that fails or does not match its size aborts the upload before its last byte: nothing is created.
    // (The SDK pipes the stream into the request, and a pipe does not pass errors on: abort the request ourselves.)
    let failure: unknown;
    const abort = new AbortController();
    const stream = Readable.from(
      (async function* () {
        try {
          yield* sizedChunks(key, body);
        } catch (e) {
          failure = e;
          abort.abort();
          throw e;
        }
      })(),
      { objectMode: false },
    );
    stream.on('error', () => undefined); // reported through `failure`
    try {
      return await this.conditionalPut(full, stream, body.size, abort.signal);
    } catch (e) {
      throw failure ?? e;
    } finally {
      stream.destroy();
    }
  }

  /** One `PutObject` with `If-None-Match: *`, never retried here (see the module comment). */
  private async conditionalPut(full: string, body: Uint8Array | Readable, length: number, abortSignal?: AbortSignal): Promise<PutIfAbsentResult> {
    const out = await this.request(
      'PutObject',
      full,
      () => this.putClient.send(new PutObjectCommand({ Bucket: this.bucket, Key: full, Body: body, IfNoneMatch: '*', ContentLength: length }), { abortSignal }),
      (err) => (isConflict(err) ? null : undefined),
    );
    return out === null ? { created: false } : { created: true };
  }

  /**
   * Server-side CopyObject from another S3ObjectStore on the same endpoint,
   * region and credentials ('unsupported' otherwise, or for objects over
   * 5 GiB, which CopyObject cannot do in one request).
   *
   * Atomic create-if-absent when the server honours `If-None-Match: *` on
   * CopyObject (probed once per store). Ceph RGW does not: it overwrites.
   * There the copy is HEAD (absent?) → CopyObject → HEAD (size and ETag equal
   * the source's), which is right for the immutable, uniquely named objects
   * SlateDB writes but NOT atomic: a different object created under the same
   * key between the HEAD and the copy would be replaced. `copyIsAtomic()`
   * says which case applies.
   */
  async copyObjectFrom(source: ObjectStore, sourceKey: string, targetKey: string): Promise<PutIfAbsentResult | 'unsupported'> {
    const full = this.fullKey(targetKey);
    if (!(source instanceof S3ObjectStore) || source.copyIdentity !== this.copyIdentity) return 'unsupported';
    const sourceFull = source.fullKey(sourceKey);
    const from = await source.head(sourceKey);
    if (from === undefined) {
      throw new EngineError('DATA_MISSING', `copy ${source.description}/${sourceKey} failed: the object does not exist there`, { key: sourceKey });
    }
    if (from.size > MAX_COPY_BYTES) return 'unsupported';
    await this.conditional.ensureWrites();
    const atomic = await this.conditional.copyIsAtomic();
    if (!atomic && (await this.head(targetKey)) !== undefined) return { created: false };
    const result = await this.conditionalCopy(source.bucket, sourceFull, full);
    if (!result.created || atomic) return result;
    const landed = await this.head(targetKey);
    if (landed === undefined || landed.size !== from.size || (from.etag && landed.etag && landed.etag !== from.etag)) {
      throw new EngineError(
        'STORE_ERROR',
        `copy ${source.description}/${sourceKey} to ${this.description}/${targetKey}: the copy does not match its source (size ${landed?.size ?? 'absent'} of ${from.size})`,
        { key: targetKey, retryable: true },
      );
    }
    return { created: true, meta: landed };
  }

  /** One CopyObject with `If-None-Match: *` (honoured or not, see copyObjectFrom), never retried here. */
  private async conditionalCopy(sourceBucket: string, sourceFull: string, full: string): Promise<PutIfAbsentResult> {
    const copySource = `${sourceBucket}/${encodeURIComponent(sourceFull).replace(/%2F/g, '/')}`;
    const out = await this.request(
      'CopyObject',
      full,
      () => this.putClient.send(new CopyObjectCommand({ Bucket: this.bucket, Key: full, CopySource: copySource, IfNoneMatch: '*' })),
      (err) => (isConflict(err) ? null : isNotFound(err) ? 'missing' : undefined),
    );
    if (out === 'missing') throw new EngineError('DATA_MISSING', `copy s3://${sourceBucket}/${sourceFull} failed: the object does not exist there`, { key: sourceFull });
    return out === null ? { created: false } : { created: true };
  }

  async delete(key: string): Promise<void> {
    const full = this.fullKey(key);
    await this.request(
      'DeleteObject',
      full,
      () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: full })),
      (err) => (isNotFound(err) ? null : undefined),
    );
  }

  // ---- capability checks (conditionalWrites.ts) ---------------------------------

  /** Does the server honour `If-None-Match: *` on PutObject? Writes and removes a probe object. */
  probeConditionalWrites(): Promise<boolean> {
    return this.conditional.probeWrites();
  }

  /** Throw STORE_UNSUPPORTED unless the server honours conditional writes (probed once per store). */
  ensureConditionalWrites(): Promise<void> {
    return this.conditional.ensureWrites();
  }

  /** Is a server-side copy an atomic create-if-absent here (CopyObject honours `If-None-Match: *`)? */
  copyIsAtomic(): Promise<boolean> {
    return this.conditional.copyIsAtomic();
  }

  async close(): Promise<void> {
    this.client.destroy();
    this.putClient.destroy();
  }
}
