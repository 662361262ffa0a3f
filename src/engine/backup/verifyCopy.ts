/**
 * Checks one object in the target before any manifest may name it: its size
 * (from a HEAD) must be the source's, and an SST or WAL file must read back
 * cleanly through the SST reader (every section's CRC, decompression and
 * decoding: SstReader.verifyAll). WAL fences (empty or ≤ 10-byte WAL
 * objects) pass as empty.
 */

import { EngineError } from '../errors';
import { SstReader } from '../sst/sstReader';
import type { ObjectStore } from '../store/objectStore';
import type { PlannedObject } from './plan';

export interface VerifyResult {
  /** Data blocks read and checked (0 for a size-only check). */
  blocks: number;
  /** Bytes read back to check them. */
  bytesRead: number;
}

/**
 * `deep: false` checks the size only: for server-side copies, whose bytes
 * never passed through this process (the store compared size and ETag), and
 * for objects an earlier, verified backup already holds.
 */
export async function verifyCopy(store: ObjectStore, key: string, expected: PlannedObject, opts: { deep: boolean; signal?: AbortSignal }): Promise<VerifyResult> {
  const meta = await store.head(key);
  if (!meta) {
    throw new EngineError('DATA_MISSING', `${store.description}/${key} is not there after it was copied from ${expected.key}; run the command again`, { key, retryable: true });
  }
  if (meta.size !== expected.size) {
    throw new EngineError('DATA_CORRUPT', `${store.description}/${key} has ${meta.size} bytes but its source ${expected.key} has ${expected.size}`, { key });
  }
  if (!opts.deep) return { blocks: 0, bytesRead: 0 };
  const reader = await SstReader.open(store, key, { size: meta.size, allowEmpty: expected.kind === 'wal' });
  const checked = await reader.verifyAll(opts.signal);
  return { blocks: checked.blocks, bytesRead: checked.bytes };
}
