/**
 * Our own description of SlateDB's manifest FlatBuffers schema
 * (slatedb `schemas/{root,manifest,sst,common}.fbs`, current main).
 *
 * The ORDER of `fields` in every table is the wire contract: a field's
 * position is its vtable slot. Every field SlateDB declares is listed, also
 * those we never show, so that a manifest we rewrite keeps all of them.
 * A union occupies two slots (`<name>_type` then `<name>`), exactly as flatc
 * lays it out. Fields that a newer SlateDB appends show up as extra vtable
 * slots and make the manifest read-only (see decoder).
 *
 * `src/engine/manifest/slatedb-manifest.fbs` is the same schema in FlatBuffers
 * syntax, for people and for flatc; a unit test keeps the two in step.
 */

export type ScalarKind = 'bool' | 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64';

export type FieldType =
  /** `default: null` marks an optional scalar (`= null` in the .fbs): absent and 0 differ. */
  | { kind: 'scalar'; scalar: ScalarKind; optional?: boolean }
  | { kind: 'string' }
  | { kind: 'bytes' } // [ubyte]
  | { kind: 'table'; table: TableName }
  | { kind: 'tableVector'; table: TableName }
  | { kind: 'scalarVector'; scalar: ScalarKind }
  | { kind: 'unionType'; union: UnionName }
  | { kind: 'unionValue'; union: UnionName };

export interface FieldDef {
  name: string;
  type: FieldType;
  required?: boolean;
  /** Name of the enum whose numeric values this scalar holds (for JSON output only). */
  enumName?: EnumName;
}

export interface TableDef {
  name: TableName;
  fields: readonly FieldDef[];
}

export type TableName =
  | 'Uuid'
  | 'Ulid'
  | 'BytesBound'
  | 'BytesRange'
  | 'SsTableInfo'
  | 'CompactedSsTable'
  | 'CompactedSsTableV2'
  | 'CompactedSsTableView'
  | 'SortedRun'
  | 'SortedRunV2'
  | 'ExternalDb'
  | 'WriterCheckpoint'
  | 'Checkpoint'
  | 'Segment'
  | 'ManifestV1'
  | 'ManifestV2';

export type UnionName = 'CheckpointMetadata';
export type EnumName = 'BoundType' | 'CompressionFormat' | 'SstType' | 'FilterFormat';

const u64 = { kind: 'scalar', scalar: 'u64' } as const;
const i64 = { kind: 'scalar', scalar: 'i64' } as const;
const u32 = { kind: 'scalar', scalar: 'u32' } as const;
const bool = { kind: 'scalar', scalar: 'bool' } as const;
const i8 = { kind: 'scalar', scalar: 'i8' } as const;
const str = { kind: 'string' } as const;
const bytes = { kind: 'bytes' } as const;
const table = (t: TableName) => ({ kind: 'table', table: t }) as const;
const tables = (t: TableName) => ({ kind: 'tableVector', table: t }) as const;

export const ENUMS: Record<EnumName, readonly string[]> = {
  BoundType: ['Unknown', 'Unbounded', 'Included', 'Excluded'],
  CompressionFormat: ['None', 'Snappy', 'Zlib', 'Lz4', 'Zstd'],
  SstType: ['Compacted', 'Wal'],
  FilterFormat: ['Legacy', 'Composite'],
};

/** Union members by type tag; tag 0 is NONE. */
export const UNIONS: Record<UnionName, readonly (TableName | undefined)[]> = {
  CheckpointMetadata: [undefined, 'WriterCheckpoint'],
};

const defs: TableDef[] = [
  // common.fbs
  { name: 'Uuid', fields: [{ name: 'high', type: u64 }, { name: 'low', type: u64 }] },
  { name: 'Ulid', fields: [{ name: 'high', type: u64 }, { name: 'low', type: u64 }] },
  {
    name: 'BytesBound',
    fields: [
      { name: 'key', type: bytes },
      { name: 'bound_type', type: i8, enumName: 'BoundType' },
    ],
  },
  {
    name: 'BytesRange',
    fields: [
      { name: 'start_bound', type: table('BytesBound'), required: true },
      { name: 'end_bound', type: table('BytesBound'), required: true },
    ],
  },
  // sst.fbs
  {
    name: 'SsTableInfo',
    fields: [
      { name: 'first_entry', type: bytes },
      { name: 'index_offset', type: u64 },
      { name: 'index_len', type: u64 },
      { name: 'filter_offset', type: u64 },
      { name: 'filter_len', type: u64 },
      { name: 'compression_format', type: i8, enumName: 'CompressionFormat' },
      { name: 'sst_type', type: i8, enumName: 'SstType' },
      { name: 'last_entry', type: bytes },
      { name: 'stats_offset', type: u64 },
      { name: 'stats_len', type: u64 },
      { name: 'filter_format', type: i8, enumName: 'FilterFormat' },
    ],
  },
  {
    name: 'CompactedSsTable',
    fields: [
      { name: 'id', type: table('Ulid'), required: true },
      { name: 'info', type: table('SsTableInfo'), required: true },
      { name: 'visible_range', type: table('BytesRange') },
      { name: 'format_version', type: { kind: 'scalar', scalar: 'u16', optional: true } },
    ],
  },
  {
    name: 'CompactedSsTableV2',
    fields: [
      { name: 'id', type: table('Ulid'), required: true },
      { name: 'info', type: table('SsTableInfo'), required: true },
      { name: 'format_version', type: { kind: 'scalar', scalar: 'u16', optional: true } },
    ],
  },
  {
    name: 'CompactedSsTableView',
    fields: [
      { name: 'id', type: table('Ulid'), required: true },
      { name: 'sst_id', type: table('Ulid'), required: true },
      { name: 'visible_range', type: table('BytesRange') },
    ],
  },
  {
    name: 'SortedRun',
    fields: [
      { name: 'id', type: u32 },
      { name: 'ssts', type: tables('CompactedSsTable'), required: true },
    ],
  },
  {
    name: 'SortedRunV2',
    fields: [
      { name: 'id', type: u32 },
      { name: 'ssts', type: tables('CompactedSsTableView'), required: true },
    ],
  },
  // root.fbs
  {
    name: 'ExternalDb',
    fields: [
      { name: 'path', type: str, required: true },
      { name: 'source_checkpoint_id', type: table('Uuid'), required: true },
      { name: 'final_checkpoint_id', type: table('Uuid') },
      { name: 'sst_ids', type: tables('Ulid'), required: true },
    ],
  },
  // manifest.fbs
  { name: 'WriterCheckpoint', fields: [{ name: 'epoch', type: u64 }] },
  {
    name: 'Checkpoint',
    fields: [
      { name: 'id', type: table('Uuid'), required: true },
      { name: 'manifest_id', type: u64 },
      { name: 'checkpoint_expire_time_s', type: u32 },
      { name: 'checkpoint_create_time_s', type: u32 },
      { name: 'metadata_type', type: { kind: 'unionType', union: 'CheckpointMetadata' } },
      { name: 'metadata', type: { kind: 'unionValue', union: 'CheckpointMetadata' } },
      { name: 'name', type: str },
    ],
  },
  {
    name: 'Segment',
    fields: [
      { name: 'prefix', type: bytes, required: true },
      { name: 'last_compacted_l0_sst_view_id', type: table('Ulid') },
      { name: 'l0', type: tables('CompactedSsTableView'), required: true },
      { name: 'compacted', type: tables('SortedRunV2'), required: true },
    ],
  },
  {
    name: 'ManifestV1',
    fields: [
      { name: 'manifest_id', type: u64 },
      { name: 'external_dbs', type: tables('ExternalDb') },
      { name: 'initialized', type: bool },
      { name: 'writer_epoch', type: u64 },
      { name: 'compactor_epoch', type: u64 },
      { name: 'replay_after_wal_id', type: u64 },
      { name: 'wal_id_last_seen', type: u64 },
      { name: 'l0_last_compacted', type: table('Ulid') },
      { name: 'l0', type: tables('CompactedSsTable'), required: true },
      { name: 'compacted', type: tables('SortedRun'), required: true },
      { name: 'last_l0_clock_tick', type: i64 },
      { name: 'checkpoints', type: tables('Checkpoint'), required: true },
      { name: 'last_l0_seq', type: u64 },
      { name: 'wal_object_store_uri', type: str },
      { name: 'recent_snapshot_min_seq', type: u64 },
      { name: 'sequence_tracker', type: bytes },
    ],
  },
  {
    name: 'ManifestV2',
    fields: [
      { name: 'manifest_id', type: u64 },
      { name: 'external_dbs', type: tables('ExternalDb') },
      { name: 'initialized', type: bool },
      { name: 'writer_epoch', type: u64 },
      { name: 'compactor_epoch', type: u64 },
      { name: 'replay_after_wal_id', type: u64 },
      { name: 'wal_id_last_seen', type: u64 },
      { name: 'last_compacted_l0_sst_view_id', type: table('Ulid') },
      { name: 'ssts', type: tables('CompactedSsTableV2'), required: true },
      { name: 'l0', type: tables('CompactedSsTableView'), required: true },
      { name: 'compacted', type: tables('SortedRunV2'), required: true },
      { name: 'last_l0_clock_tick', type: i64 },
      { name: 'checkpoints', type: tables('Checkpoint'), required: true },
      { name: 'last_l0_seq', type: u64 },
      { name: 'recent_snapshot_min_seq', type: u64 },
      { name: 'sequence_tracker', type: bytes },
      { name: 'segments', type: tables('Segment') },
      { name: 'segment_extractor_name', type: str },
    ],
  },
];

export const TABLES: Record<TableName, TableDef> = Object.fromEntries(defs.map((d) => [d.name, d])) as Record<
  TableName,
  TableDef
>;

/** Manifest file format version (the file's first two bytes, big-endian) → root table. */
export const ROOT_TABLE_BY_VERSION: Readonly<Record<number, TableName>> = { 1: 'ManifestV1', 2: 'ManifestV2' };
