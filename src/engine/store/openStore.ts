/**
 * Open an ObjectStore from a URL:
 *   file:///absolute/dir        a local directory (LocalObjectStore)
 *   s3://bucket[/prefix]        Amazon S3 or an S3-compatible server (S3ObjectStore)
 *
 * The AWS SDK is loaded only when an S3 store is opened (`loadS3Store`, the one
 * dynamic import of the S3 module), so local users never load it and the bundle
 * keeps it in its own file (dist/s3.js, see esbuild.js).
 *
 * The store classes read no environment. What S3 takes from the process
 * environment is applied here, at the entry: `s3EnvironmentDefaults`.
 */

import { fileURLToPath } from 'node:url';
import { EngineError } from '../errors';
import { LocalObjectStore } from './local/localStore';
import type { ObjectStore } from './objectStore';
import type { S3ObjectStore, S3StoreOptions } from './s3/s3Store';

/** Options that apply to s3:// URLs (ignored for file://). */
export type OpenStoreOptions = Omit<S3StoreOptions, 'bucket' | 'prefix'>;

/**
 * Options an S3 store takes from the environment when the caller gave none:
 * with a custom endpoint the region is AWS_REGION / AWS_DEFAULT_REGION (the
 * SDK resolves it itself on AWS).
 */
export function s3EnvironmentDefaults<T extends { region?: string; endpoint?: string }>(options: T, env: NodeJS.ProcessEnv = process.env): T {
  if (options.region !== undefined || options.endpoint === undefined) return options;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  return region === undefined ? options : { ...options, region };
}

/** The S3 store class, loaded on first use (with the AWS SDK under it). */
export async function loadS3Store(): Promise<typeof S3ObjectStore> {
  // The SDK warns on Node < 22 about its releases after January 2027; we pin a
  // version that supports Node 20 (VS Code's extension host), so that warning is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return (await import('./s3/s3Store')).S3ObjectStore;
}

export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<ObjectStore> {
  const trimmed = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'file') {
    let dir: string;
    try {
      dir = fileURLToPath(trimmed);
    } catch (e) {
      throw new EngineError('INVALID_ARGUMENT', `"${url}" is not a valid file URL: use file:///absolute/path/to/dir (${(e as Error).message})`, { cause: e });
    }
    return new LocalObjectStore(dir);
  }
  if (scheme === 's3') {
    const m = /^s3:\/\/([^/?#]+)\/?([^?#]*)$/i.exec(trimmed);
    if (!m) throw new EngineError('INVALID_ARGUMENT', `"${url}" is not a valid S3 URL: use s3://bucket or s3://bucket/prefix`);
    const [, bucket, prefix] = m;
    const S3 = await loadS3Store();
    return new S3({ ...s3EnvironmentDefaults(options), bucket, prefix: decodeURIComponent(prefix) });
  }
  throw new EngineError(
    'INVALID_ARGUMENT',
    `"${url}" is not a supported store URL: use file:///absolute/path/to/dir or s3://bucket/prefix`,
  );
}
