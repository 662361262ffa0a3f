/**
 * Open an ObjectStore from a URL:
 *   file:///absolute/dir        a local directory (LocalObjectStore)
 *   s3://bucket[/prefix]        Amazon S3 or an S3-compatible server (S3ObjectStore)
 *
 * The AWS SDK is loaded only when an s3:// URL is opened (`await import`), so
 * local users never load it and a bundler can keep it out of the start-up path.
 */

import { fileURLToPath } from 'node:url';
import { EngineError } from '../errors';
import { LocalObjectStore } from './localStore';
import type { ObjectStore } from './objectStore';
import type { S3StoreOptions } from './s3Store';

/** Options that apply to s3:// URLs (ignored for file://). */
export type OpenStoreOptions = Omit<S3StoreOptions, 'bucket' | 'prefix'>;

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
    const { S3ObjectStore } = await import('./s3Store');
    return new S3ObjectStore({ ...options, bucket, prefix: decodeURIComponent(prefix) });
  }
  throw new EngineError(
    'INVALID_ARGUMENT',
    `"${url}" is not a supported store URL: use file:///absolute/path/to/dir or s3://bucket/prefix`,
  );
}
