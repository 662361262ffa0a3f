/**
 * SsTableInfo as the manifest carries it (a decoded table of
 * manifest/flatDecoder) → the typed {@link SstInfo} the reader uses.
 * SlateDB reads compacted SSTs with this copy, never their own footer.
 */

import { EngineError } from '../errors';
import type { DecodedTable } from '../manifest/flatDecoder';
import { COMPRESSION_BY_CODE, SstInfo } from './types';

function num(t: DecodedTable, field: string, context: string): number {
  const v = t[field];
  if (typeof v !== 'bigint') return 0;
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new EngineError('MANIFEST_CORRUPT', `${context}: SsTableInfo.${field} = ${v} is not a plausible offset or length`);
  }
  return Number(v);
}

function bytes(v: unknown): Uint8Array | null {
  return v instanceof Uint8Array ? v : null;
}

/** `context` names the SST for error messages (e.g. its ULID and manifest). */
export function sstInfoFromTable(t: DecodedTable, context = 'SST'): SstInfo {
  const codec = typeof t.compression_format === 'number' ? t.compression_format : 0;
  const compression = COMPRESSION_BY_CODE[codec];
  if (compression === undefined) {
    throw new EngineError('MANIFEST_CORRUPT', `${context}: unknown compression codec ${codec} in the manifest's SsTableInfo`);
  }
  const type = typeof t.sst_type === 'number' ? t.sst_type : 0;
  if (type !== 0 && type !== 1) throw new EngineError('MANIFEST_CORRUPT', `${context}: unknown SST type ${type} in the manifest's SsTableInfo`);
  return {
    firstEntry: bytes(t.first_entry),
    lastEntry: bytes(t.last_entry),
    indexOffset: num(t, 'index_offset', context),
    indexLen: num(t, 'index_len', context),
    filterOffset: num(t, 'filter_offset', context),
    filterLen: num(t, 'filter_len', context),
    statsOffset: num(t, 'stats_offset', context),
    statsLen: num(t, 'stats_len', context),
    compression,
    sstType: type === 1 ? 'wal' : 'compacted',
    filterFormat: typeof t.filter_format === 'number' ? t.filter_format : 0,
  };
}
