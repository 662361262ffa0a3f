/**
 * SlateDB's 128-bit ids. Both `Uuid` and `Ulid` are stored as `{high, low}`
 * u64 pairs, `high` being the most significant 64 bits. Checkpoint ids print
 * as lowercase hyphenated UUIDs; SST ids as 26-char Crockford base32 ULIDs,
 * which are also the SST file names under `compacted/`.
 */

import { randomUUID } from 'node:crypto';
import { EngineError } from './errors';

export interface U128 {
  high: bigint;
  low: bigint;
}

const MASK64 = (1n << 64n) - 1n;
const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function toBig(id: U128): bigint {
  return ((id.high & MASK64) << 64n) | (id.low & MASK64);
}

function fromBig(v: bigint): U128 {
  return { high: (v >> 64n) & MASK64, low: v & MASK64 };
}

export function uuidToString(id: U128): string {
  const hex = toBig(id).toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function isUuid(text: string): boolean {
  return UUID_RE.test(text);
}

/** Parse a hyphenated UUID (any case). Throws INVALID_ARGUMENT naming the input. */
export function parseUuid(text: string): U128 {
  if (!isUuid(text)) {
    throw new EngineError(
      'INVALID_ARGUMENT',
      `"${text}" is not a checkpoint id: expected a UUID like 01234567-89ab-cdef-0123-456789abcdef`,
    );
  }
  return fromBig(BigInt('0x' + text.replace(/-/g, '')));
}

/** Canonical (lowercase) form of a UUID string; throws like parseUuid. */
export function normalizeUuid(text: string): string {
  return uuidToString(parseUuid(text.trim()));
}

export function newCheckpointId(): U128 {
  return parseUuid(randomUUID());
}

export function ulidToString(id: U128): string {
  let v = toBig(id);
  const chars = new Array<string>(26);
  for (let i = 25; i >= 0; i--) {
    chars[i] = CROCKFORD[Number(v & 31n)];
    v >>= 5n;
  }
  return chars.join('');
}
