/**
 * Typed views over a decoded manifest: checkpoints and the SSTs a manifest
 * references, for V1 and V2 alike. Reading never changes the decoded tree;
 * `withCheckpoints` returns a new root that shares everything else, so every
 * field we do not touch is written back exactly as it was read.
 */

import { EngineError } from '../errors';
import { U128, ulidToString, uuidToString } from '../ids';
import type { DecodedManifest } from './codec';
import type { DecodedTable } from './flatDecoder';

export interface CheckpointInfo {
  /** Lowercase hyphenated UUID. */
  id: string;
  manifestId: number;
  /** Unix seconds; 0 = never expires. */
  expireTimeS: number;
  createTimeS: number;
  name: string | null;
  /** Set for a writer's own checkpoint (`WriterCheckpoint` metadata). */
  writerEpoch: number | null;
}

export type SstLevel = 'l0' | 'sorted_run';

export interface SstRef {
  /** ULID, also the file name stem under `<db>/compacted/`. */
  id: string;
  level: SstLevel;
  /** Sorted run id for `sorted_run`, null for L0. */
  sortedRun: number | null;
  /** Segment prefix (V2 segments, RFC-0024) or null for the root tree. */
  segment: Uint8Array | null;
  firstKey: Uint8Array | null;
  lastKey: Uint8Array | null;
  /** For SSTs owned by another database (clones): that database's path. Null when owned by this one. */
  externalDbPath: string | null;
}

export function u64ToNumber(value: unknown, what: string): number {
  if (typeof value !== 'bigint') throw new EngineError('MANIFEST_CORRUPT', `${what} is not a u64`);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new EngineError('MANIFEST_CORRUPT', `${what} = ${value} is larger than this tool can handle`);
  }
  return Number(value);
}

function asU128(t: unknown): U128 {
  const table = t as DecodedTable;
  return { high: table.high as bigint, low: table.low as bigint };
}

function tables(v: unknown): DecodedTable[] {
  return (v as DecodedTable[] | null) ?? [];
}

export function checkpointInfo(cp: DecodedTable): CheckpointInfo {
  const metadata = cp.metadata as DecodedTable | null;
  return {
    id: uuidToString(asU128(cp.id)),
    manifestId: u64ToNumber(cp.manifest_id, 'checkpoint manifest_id'),
    expireTimeS: cp.checkpoint_expire_time_s as number,
    createTimeS: cp.checkpoint_create_time_s as number,
    name: (cp.name as string | null) ?? null,
    writerEpoch: cp.metadata_type === 1 && metadata ? u64ToNumber(metadata.epoch, 'writer checkpoint epoch') : null,
  };
}

export function checkpointsOf(m: DecodedManifest): CheckpointInfo[] {
  return tables(m.root.checkpoints).map(checkpointInfo);
}

export function rawCheckpoints(m: DecodedManifest): DecodedTable[] {
  return tables(m.root.checkpoints);
}

/** A new root with `checkpoints` replaced and every other field shared. */
export function withCheckpoints(m: DecodedManifest, checkpoints: DecodedTable[]): DecodedManifest {
  return { ...m, root: { ...m.root, checkpoints } };
}

export function newCheckpointTable(fields: {
  id: U128;
  manifestId: number;
  expireTimeS: number;
  createTimeS: number;
  name: string | null;
}): DecodedTable {
  return {
    id: { high: fields.id.high, low: fields.id.low },
    manifest_id: BigInt(fields.manifestId),
    checkpoint_expire_time_s: fields.expireTimeS,
    checkpoint_create_time_s: fields.createTimeS,
    metadata_type: 0,
    metadata: null,
    name: fields.name,
  };
}

/** Epochs and counters shown in summaries. */
export function epochsOf(m: DecodedManifest): { writerEpoch: number; compactorEpoch: number; initialized: boolean } {
  return {
    writerEpoch: u64ToNumber(m.root.writer_epoch, 'writer_epoch'),
    compactorEpoch: u64ToNumber(m.root.compactor_epoch, 'compactor_epoch'),
    initialized: m.root.initialized === true,
  };
}

function externalOwners(m: DecodedManifest): Map<string, string> {
  const owners = new Map<string, string>();
  for (const ext of tables(m.root.external_dbs)) {
    for (const id of tables(ext.sst_ids)) owners.set(ulidToString(asU128(id)), ext.path as string);
  }
  return owners;
}

function bytesOrNull(v: unknown): Uint8Array | null {
  return v instanceof Uint8Array ? v : null;
}

/**
 * Every SST the manifest references, each once (V2 may reference one SST from
 * several views: the first view, in L0-then-sorted-run order, decides level).
 */
export function sstsOf(m: DecodedManifest): SstRef[] {
  const owners = externalOwners(m);
  const out: SstRef[] = [];
  const seen = new Set<string>();
  const push = (
    idTable: unknown,
    info: DecodedTable | null,
    level: SstLevel,
    sortedRun: number | null,
    segment: Uint8Array | null,
  ) => {
    const id = ulidToString(asU128(idTable));
    if (seen.has(id)) return;
    seen.add(id);
    out.push({
      id,
      level,
      sortedRun,
      segment,
      firstKey: info ? bytesOrNull(info.first_entry) : null,
      lastKey: info ? bytesOrNull(info.last_entry) : null,
      externalDbPath: owners.get(id) ?? null,
    });
  };

  if (m.formatVersion === 1) {
    for (const sst of tables(m.root.l0)) push(sst.id, sst.info as DecodedTable, 'l0', null, null);
    for (const run of tables(m.root.compacted)) {
      for (const sst of tables(run.ssts)) push(sst.id, sst.info as DecodedTable, 'sorted_run', run.id as number, null);
    }
    return out;
  }

  const infoById = new Map<string, DecodedTable>();
  for (const sst of tables(m.root.ssts)) infoById.set(ulidToString(asU128(sst.id)), sst.info as DecodedTable);
  const views = (l0: unknown, compacted: unknown, segment: Uint8Array | null) => {
    for (const view of tables(l0)) push(view.sst_id, infoById.get(ulidToString(asU128(view.sst_id))) ?? null, 'l0', null, segment);
    for (const run of tables(compacted)) {
      for (const view of tables(run.ssts)) {
        push(view.sst_id, infoById.get(ulidToString(asU128(view.sst_id))) ?? null, 'sorted_run', run.id as number, segment);
      }
    }
  };
  views(m.root.l0, m.root.compacted, null);
  for (const seg of tables(m.root.segments)) views(seg.l0, seg.compacted, seg.prefix as Uint8Array);
  return out;
}

/** Counts for summaries: L0 views/SSTs and sorted runs at the root and in segments. */
export function shapeOf(m: DecodedManifest): { l0: number; sortedRuns: number; segments: number } {
  let l0 = tables(m.root.l0).length;
  let sortedRuns = tables(m.root.compacted).length;
  const segments = tables(m.root.segments);
  for (const seg of segments) {
    l0 += tables(seg.l0).length;
    sortedRuns += tables(seg.compacted).length;
  }
  return { l0, sortedRuns, segments: segments.length };
}
