/**
 * What an S3 SDK failure means, as an EngineError whose message says what
 * went wrong and what to do: credentials, region, network, missing bucket,
 * access denied, unsupported features, and which failures leave a write
 * ambiguous. Pure functions (no SDK import), tested without a server.
 */

import { EngineError } from '../../errors';

const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound']);
const CONFLICT_NAMES = new Set(['PreconditionFailed', 'ConditionalRequestConflict', 'NotModified']);
const CONFLICT_STATUSES = new Set([304, 409, 412]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);
/** Operations that write: a failure without an answer may or may not have landed. */
const WRITES = new Set(['PutObject', 'CopyObject']);

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

export interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  Region?: string;
  errors?: unknown[];
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

export function shape(err: unknown): SdkErrorShape {
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
    const ambiguous = WRITES.has(ctx.operation) && code !== 'ECONNREFUSED' && code !== 'ENOTFOUND' && code !== 'EAI_AGAIN';
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
  const ambiguous = WRITES.has(ctx.operation) && (status === undefined || status >= 500);
  return new EngineError(
    'STORE_ERROR',
    `${ctx.operation} ${where} failed${status ? ` with HTTP ${status}` : ''}: ${name}${e.message && e.message !== name ? ` (${e.message})` : ''}` +
      (ambiguous ? '. The write may or may not have landed; retrying is safe.' : ''),
    { ...opts, retryable },
  );
}

/** 412 / 409 / 304: the conditional write found an object there. */
export function isConflict(err: unknown): boolean {
  const status = httpStatusOf(err);
  return CONFLICT_NAMES.has(shape(err).name ?? '') || (status !== undefined && CONFLICT_STATUSES.has(status));
}

/** 404 / NoSuchKey: the object is absent (a missing bucket is not "absent": it is an error). */
export function isNotFound(err: unknown): boolean {
  const e = shape(err);
  if (e.name === 'NoSuchBucket') return false;
  return NOT_FOUND_NAMES.has(e.name ?? '') || httpStatusOf(err) === 404;
}

/** 416 / InvalidRange: the range starts at or past the end of a present object. */
export function isRangeNotSatisfiable(err: unknown): boolean {
  return httpStatusOf(err) === 416 || shape(err).name === 'InvalidRange';
}
