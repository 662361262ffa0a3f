/**
 * ULID parsing for tests: the engine only ever prints ULIDs (ulidToString),
 * tests also need to build them from text and read their timestamp.
 */
import { EngineError } from '../../src/engine/errors';
import type { U128 } from '../../src/engine/ids';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MASK64 = (1n << 64n) - 1n;

/** 26 Crockford base32 characters (any case) → `{high, low}`; throws INVALID_ARGUMENT otherwise. */
export function parseUlid(text: string): U128 {
  const s = text.toUpperCase();
  if (!/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(s)) {
    throw new EngineError('INVALID_ARGUMENT', `"${text}" is not a ULID (26 Crockford base32 characters)`);
  }
  let v = 0n;
  for (const c of s) v = (v << 5n) | BigInt(CROCKFORD.indexOf(c));
  return { high: (v >> 64n) & MASK64, low: v & MASK64 };
}

/** Milliseconds since the epoch encoded in a ULID's first 48 bits. */
export function ulidTime(id: U128): number {
  return Number(id.high >> 16n);
}
