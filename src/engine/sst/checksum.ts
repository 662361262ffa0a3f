/**
 * SlateDB's section checksum: CRC-32 (IEEE, what `crc32fast` computes) of the
 * section's bytes, stored as 4 bytes big-endian right after them.
 */

import * as zlib from 'node:zlib';
import { fail } from './sstError';

// Node ≥ 20.15 has zlib.crc32 (C code); the typings of older @types/node may lack it.
const crc32 = (zlib as unknown as { crc32(data: Uint8Array): number }).crc32;

/** `bytes` minus its trailing CRC, after checking the CRC. */
export function checkedPayload(section: Uint8Array): Uint8Array {
  const n = section.length;
  if (n < 4) fail(`only ${n} bytes, too short for its 4-byte checksum`);
  const stored = ((section[n - 4] << 24) | (section[n - 3] << 16) | (section[n - 2] << 8) | section[n - 1]) >>> 0;
  const payload = section.subarray(0, n - 4);
  const actual = crc32(payload) >>> 0;
  if (actual !== stored) fail(`CRC mismatch (stored ${hex32(stored)}, computed ${hex32(actual)})`);
  return payload;
}

export function crc32Of(bytes: Uint8Array): number {
  return crc32(bytes) >>> 0;
}

function hex32(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}
