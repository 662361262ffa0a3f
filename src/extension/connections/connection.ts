/**
 * A connection is where databases live: a local folder or an S3 bucket
 * (+ prefix). Its non-secret settings are stored in the `slatedb.connections`
 * setting; S3 access keys only in SecretStorage (see connectionManager).
 */

export type S3AuthMode = 'default-chain' | 'profile' | 'access-keys';

interface BaseConnection {
  /** Stable id, also the SecretStorage key suffix. */
  id: string;
  name: string;
}

export interface LocalConnection extends BaseConnection {
  kind: 'local';
  /** Absolute folder path. */
  folder: string;
}

export interface S3Connection extends BaseConnection {
  kind: 's3';
  bucket: string;
  prefix?: string;
  region?: string;
  /** S3-compatible endpoint (MinIO, Ceph, ...). */
  endpoint?: string;
  forcePathStyle?: boolean;
  auth: S3AuthMode;
  /** AWS profile when auth = 'profile'. */
  profile?: string;
}

export type Connection = LocalConnection | S3Connection;

/** Secret part of an S3 connection with auth = 'access-keys'. Lives only in SecretStorage. */
export interface S3Secret {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export function describeConnection(c: Connection): string {
  if (c.kind === 'local') return c.folder;
  const where = `s3://${c.bucket}${c.prefix ? '/' + c.prefix.replace(/^\/+/, '') : ''}`;
  return c.endpoint ? `${where} @ ${c.endpoint}` : where;
}

/**
 * S3 bucket naming (3–63 lowercase letters, digits, dots and hyphens; starts
 * and ends with a letter or digit). Undefined when `name` is one.
 */
export function bucketNameProblem(name: string): string | undefined {
  return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) ? undefined : 'A bucket name: 3–63 lowercase letters, digits, dots and hyphens';
}

/** An S3-compatible endpoint is an http(s) URL with a host. Undefined when `url` is one. */
export function endpointProblem(url: string): string | undefined {
  return /^https?:\/\/[^\s/]+/.test(url) ? undefined : 'An http:// or https:// URL';
}

/** Validate what came from settings (users edit JSON by hand). Returns a reason or undefined. */
export function connectionProblem(c: Partial<Connection>): string | undefined {
  if (typeof c.id !== 'string' || !c.id) return 'it has no id';
  if (typeof c.name !== 'string' || !c.name) return 'it has no name';
  if (c.kind === 'local') {
    if (typeof c.folder !== 'string' || !c.folder) return 'it has no folder';
    return undefined;
  }
  if (c.kind === 's3') {
    if (typeof c.bucket !== 'string' || bucketNameProblem(c.bucket)) return `bucket "${c.bucket ?? ''}" is not a valid bucket name`;
    if (c.endpoint !== undefined && c.endpoint !== '' && endpointProblem(c.endpoint)) return `endpoint "${c.endpoint}" is not an http(s) URL`;
    return undefined;
  }
  return `kind "${(c as { kind?: string }).kind}" is neither "local" nor "s3"`;
}
