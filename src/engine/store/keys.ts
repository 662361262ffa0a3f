/**
 * Object keys and listing prefixes, validated the same way by every backend
 * (memory, local directory, S3), so a key one store refuses is refused by all
 * of them with the same code:
 *
 * - PATH_OUTSIDE_ROOT: empty key, leading '/', empty / '.' / '..' segments,
 *   backslash, NUL: anything that could name a path outside the store root.
 * - INVALID_ARGUMENT: lone UTF-16 surrogates (not representable in UTF-8, so
 *   not an S3 key), and names reserved for in-flight writes (staging names).
 *
 * Also here: UTF-8 byte order (S3's key order) and the staging-name rules.
 */

import { randomBytes } from 'node:crypto';
import { EngineError } from '../errors';

/** A lone UTF-16 surrogate: not representable in UTF-8, so never part of a key. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Our staging files: `.<name>.<16 hex>.tmp` (the name is left out when long). */
const OUR_STAGING = /^\..*\.[0-9a-f]{16}\.tmp$/;
/** `object_store::local::LocalFileSystem` staging files (SlateDB's own in-flight writes): `<name>#<digits>`. */
const ARROW_STAGING = /#[0-9]+$/;

export function outsideRoot(what: string, value: string, why: string): EngineError {
  return new EngineError('PATH_OUTSIDE_ROOT', `${what} ${JSON.stringify(value)} is refused: ${why}`, { key: value });
}

/** True when `value` holds a lone surrogate (so it has no UTF-8 form). */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}

function checkSegment(what: string, value: string, segment: string): void {
  if (segment === '') throw outsideRoot(what, value, 'it has an empty path segment (leading, trailing or doubled "/")');
  if (segment === '.' || segment === '..') throw outsideRoot(what, value, `it has a "${segment}" path segment`);
}

function checkCharacters(what: string, value: string): void {
  if (value.includes('\\')) throw outsideRoot(what, value, 'it contains a backslash');
  if (value.includes('\0')) throw outsideRoot(what, value, 'it contains a NUL character');
  if (hasLoneSurrogate(value)) {
    throw new EngineError('INVALID_ARGUMENT', `${what} ${JSON.stringify(value)} is not valid Unicode (lone surrogate)`, { key: value });
  }
}

/** A file name that is an in-flight upload, never an object. */
export function isStagingName(name: string): boolean {
  return OUR_STAGING.test(name) || ARROW_STAGING.test(name);
}

/** A fresh staging name for an object named `name` (in the same directory). */
export function stagingNameFor(name: string): string {
  const embedded = Buffer.byteLength(name, 'utf8') <= 200 ? name : '';
  return `.${embedded}.${randomBytes(8).toString('hex')}.tmp`;
}

/**
 * Check an object key and return its segments. Keys are relative,
 * '/'-separated, have no empty, '.' or '..' segments (PATH_OUTSIDE_ROOT), and
 * their last segment is not a staging name (INVALID_ARGUMENT: a local
 * directory could not hold it, so no backend accepts it).
 */
export function validateKey(key: string): string[] {
  if (typeof key !== 'string' || key === '') throw outsideRoot('key', String(key), 'it is empty');
  checkCharacters('key', key);
  if (key.startsWith('/')) throw outsideRoot('key', key, 'it is absolute (starts with "/")');
  const segments = key.split('/');
  for (const s of segments) checkSegment('key', key, s);
  if (isStagingName(segments[segments.length - 1])) {
    throw new EngineError(
      'INVALID_ARGUMENT',
      `key ${JSON.stringify(key)} is refused: names like ".<name>.<16 hex>.tmp" and "<name>#<digits>" are reserved for in-flight writes`,
      { key },
    );
  }
  return segments;
}

/**
 * Check a listing prefix. Every complete segment (before the last '/') must be
 * a valid key segment; the trailing partial name may be anything a name may
 * start with (a prefix may end mid-name, e.g. `db/manifest/0000`).
 */
export function validatePrefix(prefix: string): void {
  if (typeof prefix !== 'string') throw new EngineError('INVALID_ARGUMENT', `prefix must be a string, got ${String(prefix)}`);
  if (prefix === '') return;
  checkCharacters('prefix', prefix);
  if (prefix.startsWith('/')) throw outsideRoot('prefix', prefix, 'it is absolute (starts with "/")');
  const segments = prefix.split('/');
  segments.pop(); // partial name (may be empty when the prefix ends with '/')
  for (const s of segments) checkSegment('prefix', prefix, s);
}

/**
 * Compare two strings by their UTF-8 bytes (S3 key order), without encoding
 * them. UTF-16 code-unit order differs from UTF-8 byte order only when a
 * surrogate (a character above U+FFFF) meets a character in U+E000..U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs && !ys && y >= 0xe000) return 1;
    if (ys && !xs && x >= 0xe000) return -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
