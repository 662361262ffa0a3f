/**
 * ObjectStore on Amazon S3 and S3-compatible servers (tested on Ceph RGW),
 * built on @aws-sdk/client-s3.
 *
 * This module loads the AWS SDK; import it only through `openStore()`
 * (store/openStore.ts), which loads it on demand so that users of local
 * directories never pay for it.
 *
 * Create-if-absent is `PutObject` with `If-None-Match: *` (412
 * PreconditionFailed, 409 ConditionalRequestConflict or 304 mean "already
 * exists"). Those PUTs are sent exactly once: an SDK retry after a lost
 * response would see our own object and report a false conflict. An
 * ambiguous PUT is reported as a retryable STORE_ERROR and the engine's
 * retry compares bytes. Reads keep the SDK's retries.
 */

import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { EngineError } from '../errors';
import { checkBody, checkRange, clampRange, sizedChunks } from './body';
import type { GetResult, GetStreamResult, ListOptions, ListPage, ObjectMeta, ObjectStore, PutBody, PutIfAbsentResult } from './objectStore';

export interface S3StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3StoreOptions {
  bucket: string;
  /** Folder inside the bucket that is the store root ('' or absent: the bucket root). */
  prefix?: string;
  /** AWS region; default: the SDK's own resolution (AWS_REGION, profile), or us-east-1 with a custom endpoint. */
  region?: string;
  /** S3-compatible endpoint URL, e.g. `http://127.0.0.1:7480`. */
  endpoint?: string;
  /** Path-style requests; default true with a custom endpoint, false on AWS. */
  forcePathStyle?: boolean;
  /** Static keys; without them the Node default chain is used (env, shared files, SSO, process, container/IMDS). */
  credentials?: S3StaticCredentials;
  /** Profile of the shared config/credentials files (like AWS_PROFILE). */
  profile?: string;
  /** Socket idle timeout per request (default 30 000 ms). */
  requestTimeoutMs?: number;
  /** One line per request: operation, key, status, milliseconds. Never receives secrets. */
  logger?: (line: string) => void;
  /**
   * Check once, before the first create-if-absent write, that the server honours
   * `If-None-Match: *` (see probeConditionalWrites). 'auto' (default) checks only
   * with a custom endpoint: Amazon S3 itself has supported it since 2024.
   */
  verifyConditionalWrites?: 'auto' | 'always' | 'never';
}

/** Where the probe objects of probeConditionalWrites() go, under the store prefix. */
export const PROBE_FOLDER = '.slatedb-explorer-probe/';

const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound']);
const CONFLICT_NAMES = new Set(['PreconditionFailed', 'ConditionalRequestConflict', 'NotModified']);
const CONFLICT_STATUSES = new Set([304, 409, 412]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

/** Continuation token we issue ourselves: "continue after this common prefix" (base64url of it follows). */
const AFTER_PREFIX_TOKEN = 'slatedb-explorer:after-prefix:';

/**
 * The common prefix (full key) that `startAfter` falls inside under `prefix`
 * and `delimiter`, e.g. `h/a/` for prefix `h/`, delimiter `/`, startAfter `h/a/1`.
 */
export function skippedPrefixOf(prefix: string, delimiter: string | undefined, startAfter: string | undefined): string | undefined {
  if (!delimiter || startAfter === undefined || !startAfter.startsWith(prefix)) return undefined;
  const idx = startAfter.indexOf(delimiter, prefix.length);
  return idx < 0 ? undefined : startAfter.slice(0, idx + delimiter.length);
}

/** Context of one request, for error messages. */
export interface S3RequestContext {
  operation: string;
  bucket: string;
  /** Full object key in the bucket (or the listing prefix). */
  key: string;
  endpoint?: string;
  region?: string;
  profile?: string;
}

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  Region?: string;
  errors?: unknown[];
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

function shape(err: unknown): SdkErrorShape {
  return typeof err === 'object' && err !== null ? (err as SdkErrorShape) : { message: String(err) };
}

export function httpStatusOf(err: unknown): number | undefined {
  const e = shape(err);
  return e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
}

/** The Node network error code (ECONNREFUSED, ...) carried by an error or one of its causes. */
export function networkCodeOf(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (x: unknown): string | undefined => {
    if (typeof x !== 'object' || x === null || seen.has(x)) return undefined;
    seen.add(x);
    const e = x as SdkErrorShape & { cause?: unknown };
    if (e.code && NETWORK_CODES.has(e.code)) return e.code;
    if (e.name === 'TimeoutError' || e.code === 'ERR_SOCKET_CONNECTION_TIMEOUT') return 'ETIMEDOUT';
    for (const inner of e.errors ?? []) {
      const c = visit(inner);
      if (c) return c;
    }
    return visit(e.cause);
  };
  return visit(err);
}

function isCredentialsError(err: unknown): boolean {
  const e = shape(err);
  return e.name === 'CredentialsProviderError' || /could not load credentials|credential is missing/i.test(e.message ?? '');
}

function regionHint(err: unknown): string | undefined {
  const e = shape(err);
  const fromHeader = e.$response?.headers?.['x-amz-bucket-region'];
  if (fromHeader) return fromHeader;
  if (e.Region) return e.Region;
  const m = /expecting '([a-z0-9-]+)'/i.exec(e.message ?? '') ?? /region '([a-z0-9-]+)'/i.exec(e.message ?? '');
  return m?.[1];
}

const ACTION_OF: Record<string, string> = {
  GetObject: 's3:GetObject',
  CopyObject: 's3:GetObject on the source and s3:PutObject on the target',
  HeadObject: 's3:GetObject',
  ListObjectsV2: 's3:ListBucket',
  PutObject: 's3:PutObject',
  DeleteObject: 's3:DeleteObject',
};

/**
 * Turn an SDK failure into an EngineError whose message says what went wrong and what to do.
 * Pure (exported for tests).
 */
export function mapS3Error(err: unknown, ctx: S3RequestContext): EngineError {
  if (err instanceof EngineError) return err;
  const e = shape(err);
  const status = httpStatusOf(err);
  const name = e.name ?? 'Error';
  const where = `s3://${ctx.bucket}/${ctx.key}`;
  const server = ctx.endpoint ? `the S3 endpoint ${ctx.endpoint}` : `Amazon S3${ctx.region ? ` (region ${ctx.region})` : ''}`;
  const opts = { key: ctx.key, cause: err };

  if (isCredentialsError(err)) {
    return new EngineError(
      'STORE_ERROR',
      `No AWS credentials found for ${ctx.operation} ${where}. Looked in the default Node credential chain: ` +
        `environment (AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY), shared files ~/.aws/credentials and ~/.aws/config` +
        `${ctx.profile ? ` (profile "${ctx.profile}")` : ' (profile from AWS_PROFILE, else "default")'}, SSO, credential_process, ` +
        `container and EC2 instance metadata. Set the environment variables, choose a profile (CLI: --profile; extension: the connection's credentials), or run \`aws sso login\`.`,
      { ...opts, retryable: false },
    );
  }
  if (/region is missing/i.test(e.message ?? '')) {
    return new EngineError('STORE_ERROR', `No AWS region configured for ${where}: set the region (CLI: --region or AWS_REGION; extension: the connection's region).`, { ...opts, retryable: false });
  }

  const code = networkCodeOf(err);
  if (code && status === undefined) {
    const what =
      code === 'ECONNREFUSED'
        ? 'connection refused'
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? 'host name not found'
          : code === 'ETIMEDOUT'
            ? 'timed out'
            : code;
    const ambiguous = (ctx.operation === 'PutObject' || ctx.operation === 'CopyObject') && code !== 'ECONNREFUSED' && code !== 'ENOTFOUND' && code !== 'EAI_AGAIN';
    return new EngineError(
      'STORE_ERROR',
      `Cannot reach ${server} for ${ctx.operation} ${where}: ${what}. ` +
        (ctx.endpoint ? 'Check that the server is running and that the endpoint URL is right.' : 'Check the network connection and proxy settings.') +
        (ambiguous ? ' The write may or may not have landed; retrying is safe.' : ''),
      { ...opts, retryable: true },
    );
  }

  if (name === 'NoSuchBucket') {
    return new EngineError(
      'STORE_ERROR',
      `Bucket "${ctx.bucket}" does not exist on ${server}. Check the bucket name in the s3:// URL` +
        `${ctx.endpoint ? ' and the endpoint URL' : ', the region and the endpoint URL'}.`,
      { ...opts, retryable: false },
    );
  }
  if (
    status === 301 ||
    name === 'PermanentRedirect' ||
    name === 'AuthorizationHeaderMalformed' ||
    name === 'IllegalLocationConstraintException' ||
    (status === 400 && regionHint(err) !== undefined && regionHint(err) !== ctx.region)
  ) {
    const hint = regionHint(err);
    return new EngineError(
      'STORE_ERROR',
      `Bucket "${ctx.bucket}" is ${hint ? `in region ${hint}` : 'in another region'}, not ${ctx.region ?? 'the configured one'}: ` +
        `use region ${hint ?? '<region>'} (CLI: --region or AWS_REGION${hint ? `=${hint}` : ''}; extension: edit the connection).`,
      { ...opts, retryable: false },
    );
  }
  if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'InvalidToken') {
    return new EngineError(
      'STORE_ERROR',
      `Access denied: ${server} rejected the credentials for ${ctx.operation} ${where} (${name}). ` +
        `Check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile in use.`,
      { ...opts, retryable: false },
    );
  }
  if (name === 'ExpiredToken' || name === 'TokenRefreshRequired' || name === 'ExpiredTokenException') {
    return new EngineError(
      'STORE_ERROR',
      `Access denied: the AWS session credentials have expired (${ctx.operation} ${where}). Refresh them (e.g. \`aws sso login\`) and retry.`,
      { ...opts, retryable: false },
    );
  }
  if (status === 403 || name === 'AccessDenied' || name === 'Forbidden' || name === 'AllAccessDisabled') {
    const action = ACTION_OF[ctx.operation] ?? ctx.operation;
    return new EngineError(
      'STORE_ERROR',
      `Access denied: ${ctx.operation} on ${where} (bucket "${ctx.bucket}") was refused by ${server}. ` +
        `The credentials need ${action} on that bucket and prefix; check the IAM/bucket policy, or that the profile in use is the intended identity.`,
      { ...opts, retryable: false },
    );
  }
  if (status === 501 || name === 'NotImplemented') {
    return new EngineError(
      'STORE_UNSUPPORTED',
      `${server} does not implement ${ctx.operation} as used here (${e.message ?? name}). ` +
        'The explorer needs an S3 server with conditional writes (PUT with If-None-Match: *).',
      { ...opts, retryable: false },
    );
  }
  const retryable = status === undefined || status >= 500 || status === 429 || name === 'SlowDown' || name === 'RequestTimeout';
  const ambiguous = (ctx.operation === 'PutObject' || ctx.operation === 'CopyObject') && (status === undefined || status >= 500);
  return new EngineError(
    'STORE_ERROR',
    `${ctx.operation} ${where} failed${status ? ` with HTTP ${status}` : ''}: ${name}${e.message && e.message !== name ? ` (${e.message})` : ''}` +
      (ambiguous ? '. The write may or may not have landed; retrying is safe.' : ''),
    { ...opts, retryable },
  );
}

const QUIET_SDK_LOGGER = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** The largest object one CopyObject request can copy. */
const MAX_COPY_BYTES = 5 * 1024 ** 3;

/** 412 / 409 / 304: the conditional write found an object there. */
function isConflict(err: unknown): boolean {
  const status = httpStatusOf(err);
  return CONFLICT_NAMES.has(shape(err).name ?? '') || (status !== undefined && CONFLICT_STATUSES.has(status));
}

function normalizePrefix(prefix: string | undefined): string {
  return (prefix ?? '').replace(/^\/+|\/+$/g, '');
}

/** Reject keys outside the contract (objectStore.ts): no leading '/', no '.', '..' or empty segments. */
function checkKey(key: string): void {
  const segments = key.split('/');
  if (key.startsWith('/') || segments.includes('..')) {
    throw new EngineError('PATH_OUTSIDE_ROOT', `object key "${key}" points outside the store root`, { key });
  }
  if (key === '' || segments.some((s) => s === '' || s === '.')) {
    throw new EngineError('INVALID_ARGUMENT', `object key "${key}" is not valid: use '/'-separated names without empty, '.' or '..' segments`, { key });
  }
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
  /** Conditional PUTs: exactly one attempt each. */
  private readonly putClient: S3Client;
  private readonly verifyMode: 'auto' | 'always' | 'never';
  private conditionalWritesChecked?: Promise<void>;
  private conditionalCopiesChecked?: Promise<boolean>;
  /** Stores with equal identities reach the same server as the same principal, so one can CopyObject from the other. */
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
    this.region = options.region ?? (options.endpoint ? (process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1') : undefined);
    this.profile = options.profile;
    this.log = options.logger;
    this.verifyMode = options.verifyConditionalWrites ?? 'auto';
    // The SDK warns on Node < 22 about its releases after January 2027; we pin a
    // version that supports Node 20 (VS Code's extension host), so that warning is noise.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

    const who = options.credentials
      ? `keys:${createHash('sha256').update(`${options.credentials.accessKeyId}\0${options.credentials.secretAccessKey}\0${options.credentials.sessionToken ?? ''}`).digest('hex')}`
      : `chain:${options.profile ?? ''}`;
    this.copyIdentity = JSON.stringify([options.endpoint ?? 'aws', this.region ?? '', who]);
    const credentials = options.credentials
      ? { ...options.credentials }
      : fromNodeProviderChain({ ...(options.profile ? { profile: options.profile } : {}), ...(this.region ? { clientConfig: { region: this.region } } : {}) });
    const timeout = options.requestTimeoutMs ?? 30_000;
    const config: S3ClientConfig = {
      ...(this.region ? { region: this.region } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.profile ? { profile: options.profile } : {}),
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      credentials,
      // throwOnRequestTimeout: without it the SDK only warns, and a server that accepts but never answers hangs us forever.
      requestHandler: { requestTimeout: timeout, connectionTimeout: Math.min(timeout, 10_000), throwOnRequestTimeout: true },
      // Many S3-compatible servers (Ceph RGW 16 among them) predate the flexible
      // checksums the SDK sends by default since 3.729; only send them when required.
      ...(options.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    };
    this.client = new S3Client(config);
    // Its own logger: the SDK otherwise prints to the console on every failed streaming PUT (a 412 included).
    this.putClient = new S3Client({ ...config, maxAttempts: 1, logger: QUIET_SDK_LOGGER });
  }

  private fullKey(key: string): string {
    checkKey(key);
    return this.keyPrefix + key;
  }

  private relativeKey(fullKey: string): string {
    return fullKey.startsWith(this.keyPrefix) ? fullKey.slice(this.keyPrefix.length) : fullKey;
  }

  private ctx(operation: string, key: string): S3RequestContext {
    return { operation, bucket: this.bucket, key, endpoint: this.endpoint, region: this.region, profile: this.profile };
  }

  /** Run one SDK call, log one line, map failures (except those `expected` returns a value for). */
  private async request<T, R = T>(
    operation: string,
    key: string,
    call: () => Promise<T>,
    expected?: (err: unknown) => R | undefined,
  ): Promise<T | R> {
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

  private isNotFound(err: unknown): boolean {
    const e = shape(err);
    if (e.name === 'NoSuchBucket') return false;
    return NOT_FOUND_NAMES.has(e.name ?? '') || httpStatusOf(err) === 404;
  }

  async listPage(options: ListOptions): Promise<ListPage> {
    const { maxKeys, delimiter } = options;
    if (maxKeys !== undefined && (!Number.isInteger(maxKeys) || maxKeys < 1)) {
      throw new EngineError('INVALID_ARGUMENT', `maxKeys must be a positive integer, got ${String(maxKeys)}`);
    }
    const prefix = this.keyPrefix + (options.prefix ?? '');
    let startAfter = options.startAfter ? this.keyPrefix + options.startAfter : undefined;
    let token = options.continuationToken || undefined;
    /** A common prefix already reported, to leave out of this page (see skippedPrefixOf). */
    let reported: string | undefined;
    if (token?.startsWith(AFTER_PREFIX_TOKEN)) {
      reported = Buffer.from(token.slice(AFTER_PREFIX_TOKEN.length), 'base64url').toString('utf8');
      startAfter = reported;
      token = undefined;
    }

    // Ceph RGW skips the whole common prefix that StartAfter falls inside, even
    // when it holds keys after StartAfter; the contract (and a directory
    // listing) reports it. Ask about that one prefix separately.
    let lead: string | undefined;
    const inside = token === undefined && reported === undefined ? skippedPrefixOf(prefix, delimiter, startAfter) : undefined;
    if (inside !== undefined) {
      const probe = await this.listRaw({ Prefix: inside, StartAfter: startAfter, MaxKeys: 1 });
      if ((probe.Contents ?? []).length > 0) lead = inside;
    }
    if (lead !== undefined && maxKeys === 1) {
      return { objects: [], commonPrefixes: [this.relativeKey(lead)], nextContinuationToken: AFTER_PREFIX_TOKEN + Buffer.from(lead, 'utf8').toString('base64url') };
    }
    reported ??= lead;

    const out = await this.listRaw({
      Prefix: prefix === '' ? undefined : prefix,
      Delimiter: delimiter,
      StartAfter: startAfter,
      ContinuationToken: token,
      MaxKeys: lead !== undefined ? Math.min(maxKeys ?? 1000, 1000) - 1 : maxKeys,
    });
    const objects: ObjectMeta[] = (out.Contents ?? [])
      .filter((o) => o.Key !== undefined && o.Key.startsWith(this.keyPrefix) && !(reported !== undefined && o.Key.startsWith(reported)))
      .map((o) => ({
        key: this.relativeKey(o.Key!),
        size: o.Size ?? 0,
        lastModified: o.LastModified ?? new Date(0),
        ...(o.ETag ? { etag: o.ETag } : {}),
      }));
    const commonPrefixes = (out.CommonPrefixes ?? [])
      .map((p) => p.Prefix)
      .filter((p): p is string => p !== undefined && p !== reported)
      .map((p) => this.relativeKey(p));
    if (lead !== undefined) commonPrefixes.unshift(this.relativeKey(lead));
    return {
      objects,
      commonPrefixes,
      ...(out.IsTruncated && out.NextContinuationToken ? { nextContinuationToken: out.NextContinuationToken } : {}),
    };
  }

  private listRaw(input: { Prefix?: string; Delimiter?: string; StartAfter?: string; ContinuationToken?: string; MaxKeys?: number }) {
    return this.request('ListObjectsV2', input.Prefix ?? '', () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, ...input })));
  }

  async get(key: string): Promise<GetResult | undefined> {
    const full = this.fullKey(key);
    const out = await this.request(
      'GetObject',
      full,
      () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: full })),
      (err) => (this.isNotFound(err) ? null : undefined),
    );
    if (out === null) return undefined;
    let bytes: Uint8Array;
    try {
      bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      throw mapS3Error(err, this.ctx('GetObject', full));
    }
    return {
      bytes,
      meta: { key, size: out.ContentLength ?? bytes.length, lastModified: out.LastModified ?? new Date(0), ...(out.ETag ? { etag: out.ETag } : {}) },
    };
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
    const out = await this.request(
      'GetObject',
      full,
      () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: full, Range: `bytes=${start}-${end - 1}` })),
      (err) => (this.isNotFound(err) ? null : httpStatusOf(err) === 416 || shape(err).name === 'InvalidRange' ? 'empty' : undefined),
    );
    if (out === null) return undefined;
    if (out === 'empty') return new Uint8Array(0);
    let bytes: Uint8Array;
    try {
      bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      throw mapS3Error(err, this.ctx('GetObject', full));
    }
    if (out.$metadata.httpStatusCode === 206 || out.ContentRange) return bytes;
    const r = clampRange(bytes.byteLength, start, end); // the whole object came back
    return bytes.slice(r.start, r.end);
  }

  /** One GetObject whose body is read as it arrives (the SDK's socket stream). */
  async getStream(key: string): Promise<GetStreamResult | undefined> {
    const full = this.fullKey(key);
    const out = await this.request(
      'GetObject',
      full,
      () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: full })),
      (err) => (this.isNotFound(err) ? null : undefined),
    );
    if (out === null) return undefined;
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
    return {
      meta: { key, size: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0), ...(out.ETag ? { etag: out.ETag } : {}) },
      chunks: chunks(),
    };
  }

  async head(key: string): Promise<ObjectMeta | undefined> {
    const full = this.fullKey(key);
    const out = await this.request(
      'HeadObject',
      full,
      () => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: full })),
      (err) => (this.isNotFound(err) ? null : undefined),
    );
    if (out === null) return undefined;
    return { key, size: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0), ...(out.ETag ? { etag: out.ETag } : {}) };
  }

  async putIfAbsent(key: string, body: PutBody): Promise<PutIfAbsentResult> {
    const full = this.fullKey(key);
    checkBody(key, body);
    await this.ensureConditionalWrites();
    if (body instanceof Uint8Array) return this.conditionalPut(full, body, body.length);
    if (body.size === 0) return this.conditionalPut(full, new Uint8Array(0), 0, () => sizedChunks(key, body).next());
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
      return await this.conditionalPut(full, stream, body.size, undefined, abort.signal);
    } catch (e) {
      throw failure ?? e;
    } finally {
      stream.destroy();
    }
  }

  /** One `PutObject` with `If-None-Match: *`, never retried here (see the module comment). */
  private async conditionalPut(
    full: string,
    body: Uint8Array | Readable,
    length: number,
    check?: () => Promise<unknown>,
    abortSignal?: AbortSignal,
  ): Promise<PutIfAbsentResult> {
    await check?.();
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
   * CopyObject (probed once per store, like conditional PUTs). Ceph RGW does
   * not: it overwrites. There the copy is HEAD (absent?) → CopyObject → HEAD
   * (size and ETag equal the source's), which is correct for the immutable,
   * uniquely named objects SlateDB writes but NOT atomic: a different object
   * created under the same key between the HEAD and the copy would be
   * replaced. `copyIsAtomic()` says which case applies.
   */
  async copyObjectFrom(source: ObjectStore, sourceKey: string, targetKey: string): Promise<PutIfAbsentResult | 'unsupported'> {
    if (!(source instanceof S3ObjectStore) || source.copyIdentity !== this.copyIdentity) return 'unsupported';
    const sourceFull = source.fullKey(sourceKey);
    const full = this.fullKey(targetKey);
    const from = await source.head(sourceKey);
    if (from === undefined) {
      throw new EngineError('DATA_MISSING', `copy ${source.description}/${sourceKey} failed: the object does not exist there`, { key: sourceKey });
    }
    if (from.size > MAX_COPY_BYTES) return 'unsupported';
    await this.ensureConditionalWrites();
    const atomic = await this.copyIsAtomic();
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
      (err) => (isConflict(err) ? null : this.isNotFound(err) ? 'missing' : undefined),
    );
    if (out === 'missing') throw new EngineError('DATA_MISSING', `copy s3://${sourceBucket}/${sourceFull} failed: the object does not exist there`, { key: sourceFull });
    return out === null ? { created: false } : { created: true };
  }

  /**
   * Does the server refuse a CopyObject onto an existing key when sent
   * `If-None-Match: *`? Probed once per store with two objects under the
   * probe folder (removed afterwards); a failed probe is asked again next time.
   */
  copyIsAtomic(): Promise<boolean> {
    this.conditionalCopiesChecked ??= this.probeConditionalCopies();
    this.conditionalCopiesChecked.catch(() => (this.conditionalCopiesChecked = undefined));
    return this.conditionalCopiesChecked;
  }

  private async probeConditionalCopies(): Promise<boolean> {
    const base = this.keyPrefix + PROBE_FOLDER + randomBytes(12).toString('hex');
    const body = new TextEncoder().encode(`slatedb-checkpoint-explorer conditional-copy probe ${new Date().toISOString()}\n`);
    try {
      await this.conditionalPut(`${base}.a`, body, body.length);
      await this.conditionalPut(`${base}.b`, body, body.length);
      return !(await this.conditionalCopy(this.bucket, `${base}.a`, `${base}.b`)).created;
    } finally {
      for (const k of [`${base}.a`, `${base}.b`]) {
        await this.request('DeleteObject', k, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: k }))).catch((err) =>
          this.log?.(`[s3] could not delete probe object s3://${this.bucket}/${k}: ${(err as Error).message}`),
        );
      }
    }
  }

  async delete(key: string): Promise<void> {
    const full = this.fullKey(key);
    await this.request(
      'DeleteObject',
      full,
      () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: full })),
      (err) => (this.isNotFound(err) ? null : undefined),
    );
  }

  /**
   * Does the server honour `If-None-Match: *`? Writes a probe object twice under
   * `<prefix>/.slatedb-explorer-probe/<random>`, expects the second write to be
   * refused, and deletes the probe. Needs PutObject and DeleteObject permission.
   */
  async probeConditionalWrites(): Promise<boolean> {
    const full = this.keyPrefix + PROBE_FOLDER + randomBytes(12).toString('hex');
    const body = new TextEncoder().encode(`slatedb-checkpoint-explorer conditional-write probe ${new Date().toISOString()}\n`);
    try {
      const first = await this.conditionalPut(full, body, body.length);
      if (!first.created) return false; // a fresh random key cannot exist
      const second = await this.conditionalPut(full, body, body.length);
      return !second.created;
    } catch (err) {
      if (err instanceof EngineError && err.code === 'STORE_UNSUPPORTED') return false;
      throw err;
    } finally {
      await this.request('DeleteObject', full, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: full }))).catch((err) =>
        this.log?.(`[s3] could not delete probe object s3://${this.bucket}/${full}: ${(err as Error).message}`),
      );
    }
  }

  /** Throw STORE_UNSUPPORTED unless the server honours conditional writes (probed once per store). */
  async ensureConditionalWrites(): Promise<void> {
    const needed = this.verifyMode === 'always' || (this.verifyMode === 'auto' && this.endpoint !== undefined);
    if (!needed) return;
    this.conditionalWritesChecked ??= this.probeConditionalWrites().then((ok) => {
      if (!ok) {
        throw new EngineError(
          'STORE_UNSUPPORTED',
          `${this.endpoint ? `The S3 endpoint ${this.endpoint}` : 'This S3 server'} ignores conditional writes (PUT with If-None-Match: *) for ${this.description}: ` +
            'writing a manifest there could silently overwrite a concurrent writer\'s, so the explorer will not write to it. ' +
            'Use an S3 server that supports conditional writes (Amazon S3, Ceph RGW, MinIO, ...), or open the database read-only.',
          { retryable: false },
        );
      }
    });
    // A failed probe (network, permissions) is not cached as a verdict: try again next time.
    this.conditionalWritesChecked.catch((err) => {
      if (!(err instanceof EngineError && err.code === 'STORE_UNSUPPORTED')) this.conditionalWritesChecked = undefined;
    });
    return this.conditionalWritesChecked;
  }

  async close(): Promise<void> {
    this.client.destroy();
    this.putClient.destroy();
  }
}
