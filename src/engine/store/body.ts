/**
 * Helpers every backend uses for the streaming and range parts of the
 * contract (objectStore.ts): range-argument checks, the declared-size check
 * on a streamed body, and BodySource adapters.
 */

import { EngineError } from '../errors';
import type { BodySource, GetStreamResult, PutBody } from './objectStore';

/** Chunk size for stores that cut a stream themselves (memory, local). */
export const STREAM_CHUNK_BYTES = 256 * 1024;

export function isBodySource(body: PutBody): body is BodySource {
  return !(body instanceof Uint8Array) && typeof body === 'object' && body !== null && typeof (body as BodySource).chunks === 'function';
}

/** Refuse anything that is neither a Uint8Array nor a BodySource with a valid size (INVALID_ARGUMENT). */
export function checkBody(key: string, body: PutBody): void {
  if (body instanceof Uint8Array) return;
  if (!isBodySource(body)) throw new EngineError('INVALID_ARGUMENT', `put ${key}: the body must be a Uint8Array or a BodySource`, { key });
  if (!Number.isSafeInteger(body.size) || body.size < 0) {
    throw new EngineError('INVALID_ARGUMENT', `put ${key}: a BodySource needs a non-negative integer size, got ${String(body.size)}`, { key });
  }
}

/** Refuse range arguments outside 0 <= start <= end (integers) with INVALID_ARGUMENT. */
export function checkRange(key: string, start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new EngineError('INVALID_ARGUMENT', `range [${String(start)}, ${String(end)}) of ${key} is not valid: use integers with 0 <= start <= end`, { key });
  }
}

/** [start, end) clamped to an object of `size` bytes (start <= end always holds afterwards). */
export function clampRange(size: number, start: number, end: number): { start: number; end: number } {
  const e = Math.min(end, size);
  return { start: Math.min(start, e), end: e };
}

function sizeMismatch(key: string, declared: number, actual: string): EngineError {
  return new EngineError('INVALID_ARGUMENT', `put ${key}: the body declared ${declared} bytes but produced ${actual}; nothing was written`, { key });
}

/**
 * The source's chunks, failing with INVALID_ARGUMENT as soon as they exceed
 * the declared size, or at the end when they fall short. The last chunk is
 * held back until the source has ended and the total matches, so an upload
 * never sends a complete body of the declared size when the source then
 * turns out to be longer. Empty chunks are dropped.
 */
export async function* sizedChunks(key: string, source: BodySource): AsyncGenerator<Uint8Array> {
  let seen = 0;
  let pending: Uint8Array | undefined;
  for await (const chunk of source.chunks()) {
    if (!(chunk instanceof Uint8Array)) throw new EngineError('INVALID_ARGUMENT', `put ${key}: a BodySource chunk is not a Uint8Array`, { key });
    seen += chunk.byteLength;
    if (seen > source.size) throw sizeMismatch(key, source.size, `more (at least ${seen})`);
    if (chunk.byteLength === 0) continue;
    if (pending !== undefined) yield pending;
    pending = chunk;
  }
  if (seen !== source.size) throw sizeMismatch(key, source.size, String(seen));
  if (pending !== undefined) yield pending;
}

/** A body's bytes in one array (checked against the declared size). */
export async function collectBody(key: string, body: PutBody): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  const out = new Uint8Array(body.size);
  let at = 0;
  for await (const chunk of sizedChunks(key, body)) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** A BodySource over bytes already in memory (chunks are views, not copies). */
export function bytesSource(bytes: Uint8Array, chunkBytes = STREAM_CHUNK_BYTES): BodySource {
  return {
    size: bytes.byteLength,
    async *chunks() {
      for (let at = 0; at < bytes.byteLength; at += chunkBytes) yield bytes.subarray(at, Math.min(at + chunkBytes, bytes.byteLength));
    },
  };
}

/**
 * A BodySource over a streaming read (getStream), for piping one store into
 * another. Single use: the stream can be read once, so a second `chunks()` throws.
 */
export function streamSource(stream: GetStreamResult): BodySource {
  let used = false;
  return {
    size: stream.meta.size,
    chunks() {
      if (used) throw new EngineError('INTERNAL', `the stream of ${stream.meta.key} was already read; a streamed copy cannot be retried in place`, { key: stream.meta.key });
      used = true;
      return stream.chunks;
    },
  };
}
