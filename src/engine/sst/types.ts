/**
 * What one SST or WAL object holds, as the rest of the engine sees it.
 * Field meanings follow SlateDB's row format (`format/row.rs`): seq numbers
 * are u64 and timestamps i64 milliseconds, so both are bigint.
 */

export type RowKind = 'value' | 'tombstone' | 'merge';

export interface RowEntry {
  key: Uint8Array;
  /**
   * Empty for tombstones. May be a view into a shared, decoded block: copy it
   * (`slice()`) before keeping many values for long.
   */
  value: Uint8Array;
  seq: bigint;
  kind: RowKind;
  /** ms since the epoch; SlateDB does not filter reads on it (no TTL filtering since 0.12). */
  expireTs: bigint | null;
  createTs: bigint | null;
}

export type CompressionName = 'none' | 'snappy' | 'zlib' | 'lz4' | 'zstd';

/** Typed `SsTableInfo` (schemas/sst.fbs), from an SST's own footer or from the manifest's copy. */
export interface SstInfo {
  /** Compacted: the first key. WAL: the first seq as 8 bytes big-endian. */
  firstEntry: Uint8Array | null;
  /** Compacted only, and only in SSTs written by SlateDB ≥ 0.11. */
  lastEntry: Uint8Array | null;
  indexOffset: number;
  indexLen: number;
  filterOffset: number;
  filterLen: number;
  statsOffset: number;
  statsLen: number;
  compression: CompressionName;
  sstType: 'compacted' | 'wal';
  filterFormat: number;
}

/** Codec numbers of `CompressionFormat` in schemas/sst.fbs. */
export const COMPRESSION_BY_CODE: readonly CompressionName[] = ['none', 'snappy', 'zlib', 'lz4', 'zstd'];

/** SST format versions this reader decodes: 1 = V1 blocks, 2 = V2 blocks (SST-FACTS §5). */
export const SUPPORTED_SST_VERSIONS: readonly number[] = [1, 2];
