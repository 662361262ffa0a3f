/**
 * Small file-system helpers of the local store: errno classification, the
 * "absent is undefined" wrapper, directory fsync, and object metadata from stats.
 */

import { promises as fsp } from 'node:fs';
import type { Stats } from 'node:fs';
import { type EngineError, storeError } from '../../errors';
import type { ObjectMeta } from '../objectStore';

const ABSENT = new Set(['ENOENT', 'ENOTDIR']);
const TRANSIENT = new Set(['EIO', 'EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EINTR', 'ETIMEDOUT', 'ESTALE', 'ENOMEM']);
/** A file system that cannot hard-link (link(2) fails with one of these). */
export const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

export function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
}

export function isAbsent(e: unknown): boolean {
  const c = errno(e);
  return c !== undefined && ABSENT.has(c);
}

/** The promise's value, or undefined when it fails because the path does not exist (ENOENT, ENOTDIR). */
export async function orAbsent<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isAbsent(e)) return undefined;
    throw e;
  }
}

/** A STORE_ERROR naming the request, retryable when the errno is transient (EngineErrors pass through). */
export function ioError(operation: string, key: string, e: unknown): EngineError {
  const c = errno(e);
  return storeError(operation, key, e, c !== undefined && TRANSIENT.has(c));
}

const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A file name read as bytes, as a string; undefined when it is not UTF-8 (it cannot be an S3-style key). */
export function decodeName(raw: Buffer): string | undefined {
  try {
    return UTF8_STRICT.decode(raw);
  } catch {
    return undefined;
  }
}

export function metaFromStats(key: string, st: Stats): ObjectMeta {
  return {
    key,
    size: st.size,
    lastModified: new Date(st.mtimeMs),
    etag: `${st.ino.toString(16)}-${Math.round(st.mtimeMs * 1000).toString(16)}-${st.size.toString(16)}`,
  };
}

/** Write all of `chunk` at the handle's current position (a write may be short). */
export async function writeAll(handle: fsp.FileHandle, chunk: Uint8Array): Promise<void> {
  for (let at = 0; at < chunk.byteLength; ) at += (await handle.write(chunk, at, chunk.byteLength - at)).bytesWritten;
}

/** fsync a directory so entries created or removed in it are durable; a no-op where directories cannot be synced. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch (e) {
    const c = errno(e);
    if (c !== 'EISDIR' && c !== 'EINVAL' && c !== 'EPERM' && c !== 'EACCES' && c !== 'ENOTSUP') throw e;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
