/**
 * What a manifest says a read consists of (SST-FACTS §6): the L0 views
 * (index 0 = newest), then the sorted runs (list order = newest first), each
 * view naming an SST, its format version, its SsTableInfo (the manifest's
 * copy) and its visible_range. ManifestV1 embeds the SST in each entry;
 * ManifestV2 keeps SSTs once in `ssts` and views reference them by ULID.
 * When V2 `segments` is non-empty only the segments are read (RFC-0024).
 * SSTs listed in `external_dbs` live under the parent's `compacted/`.
 */

import { EngineError } from '../errors';
import { U128, ulidToString } from '../ids';
import type { DecodedManifest } from '../manifest/codec';
import type { DecodedTable } from '../manifest/flatDecoder';
import { dbKeys, normalizeDbPath } from '../paths';
import { sstInfoFromTable } from '../sst/sstInfo';
import type { SstInfo } from '../sst/types';
import { keyAfter, KeyRange, prefixRange } from './keyRange';

export interface ViewSpec {
  sstId: string;
  /** Object key of the SST file. */
  key: string;
  /** Database whose `compacted/` holds the file (the parent's path for a clone's external SSTs). */
  ownerDbPath: string;
  info: SstInfo;
  formatVersion: number;
  /** The view's visible_range (keys outside it are not part of the view), or null for the whole SST. */
  visible: KeyRange | null;
}

export interface SourceSpec {
  kind: 'l0' | 'sorted_run';
  /** For messages: "L0 view 01H…", "sorted run 3". */
  label: string;
  /** One view for L0; a sorted run's views in key order. */
  views: ViewSpec[];
  /** Keys the source may hold (a segment's prefix range), for pruning; {} = any. */
  bounds: KeyRange;
}

function tables(v: unknown): DecodedTable[] {
  return (v as DecodedTable[] | null) ?? [];
}

function ulidOf(t: unknown): string {
  const id = t as DecodedTable;
  return ulidToString({ high: id.high, low: id.low } as U128);
}

/** BytesRange → KeyRange. BoundType: 0 Unknown, 1 Unbounded, 2 Included, 3 Excluded (schemas/common.fbs). */
export function visibleRangeOf(range: DecodedTable | null, context: string): KeyRange | null {
  if (!range) return null;
  const out: KeyRange = {};
  const bound = (b: DecodedTable, side: 'start' | 'end') => {
    const type = b.bound_type as number;
    const key = b.key instanceof Uint8Array ? b.key : null;
    if (type === 1) return;
    if ((type !== 2 && type !== 3) || key === null) {
      throw new EngineError('MANIFEST_CORRUPT', `${context}: visible_range ${side} bound has type ${type}${key === null ? ' and no key' : ''}`);
    }
    // Included start = the key; Excluded start = the key after it; Excluded end = the key; Included end = the key after.
    if (side === 'start') out.start = type === 2 ? key : keyAfter(key);
    else out.end = type === 3 ? key : keyAfter(key);
  };
  bound(range.start_bound as DecodedTable, 'start');
  bound(range.end_bound as DecodedTable, 'end');
  return out;
}

function formatVersionOf(v: unknown): number {
  return typeof v === 'number' ? v : 1; // absent = the original format (flatbuffer_types.rs ORIGINAL_SST_FORMAT_VERSION)
}

/** Resolves SST ids to files: own `compacted/` or, for external SSTs, the parent's. */
class SstLocator {
  private readonly owners = new Map<string, string>();
  constructor(
    private readonly dbPath: string,
    manifest: DecodedManifest,
  ) {
    for (const ext of tables(manifest.root.external_dbs)) {
      const path = normalizeDbPath(ext.path as string);
      for (const id of tables(ext.sst_ids)) this.owners.set(ulidOf(id), path);
    }
  }
  locate(sstId: string): { key: string; ownerDbPath: string } {
    const ownerDbPath = this.owners.get(sstId) ?? this.dbPath;
    return { key: dbKeys.compactedSst(ownerDbPath, sstId), ownerDbPath };
  }
}

/** Every source of a read, newest first. `context` names the manifest for errors. */
export function sourcesOf(dbPath: string, manifest: DecodedManifest, context: string): SourceSpec[] {
  const locator = new SstLocator(dbPath, manifest);
  const root = manifest.root;
  const out: SourceSpec[] = [];
  if (manifest.formatVersion === 1) {
    const view = (t: DecodedTable): ViewSpec => {
      const sstId = ulidOf(t.id);
      return {
        sstId,
        ...locator.locate(sstId),
        info: sstInfoFromTable(t.info as DecodedTable, `SST ${sstId} in ${context}`),
        formatVersion: formatVersionOf(t.format_version),
        visible: visibleRangeOf(t.visible_range as DecodedTable | null, `SST ${sstId} in ${context}`),
      };
    };
    for (const t of tables(root.l0)) out.push({ kind: 'l0', label: `L0 SST ${ulidOf(t.id)}`, views: [view(t)], bounds: {} });
    for (const run of tables(root.compacted)) {
      out.push({ kind: 'sorted_run', label: `sorted run ${run.id as number}`, views: tables(run.ssts).map(view), bounds: {} });
    }
    return out;
  }

  const ssts = new Map<string, DecodedTable>();
  for (const t of tables(root.ssts)) ssts.set(ulidOf(t.id), t);
  const view = (v: DecodedTable): ViewSpec => {
    const sstId = ulidOf(v.sst_id);
    const sst = ssts.get(sstId);
    if (!sst) throw new EngineError('MANIFEST_CORRUPT', `${context}: view ${ulidOf(v.id)} references SST ${sstId}, which the manifest's ssts list lacks`);
    return {
      sstId,
      ...locator.locate(sstId),
      info: sstInfoFromTable(sst.info as DecodedTable, `SST ${sstId} in ${context}`),
      formatVersion: formatVersionOf(sst.format_version),
      visible: visibleRangeOf(v.visible_range as DecodedTable | null, `view ${ulidOf(v.id)} in ${context}`),
    };
  };
  const tree = (l0: unknown, compacted: unknown, bounds: KeyRange, where: string) => {
    for (const v of tables(l0)) out.push({ kind: 'l0', label: `L0 view ${ulidOf(v.id)}${where}`, views: [view(v)], bounds });
    for (const run of tables(compacted)) {
      out.push({ kind: 'sorted_run', label: `sorted run ${run.id as number}${where}`, views: tables(run.ssts).map(view), bounds });
    }
  };
  const segments = tables(root.segments);
  if (segments.length === 0) {
    tree(root.l0, root.compacted, {}, '');
    return out;
  }
  // RFC-0024: with segments, the top-level tree is empty by construction and is not read.
  for (const seg of segments) {
    const prefix = seg.prefix as Uint8Array;
    tree(seg.l0, seg.compacted, prefixRange(prefix), ` of segment 0x${Buffer.from(prefix).toString('hex')}`);
  }
  return out;
}

/** Every compacted SST the manifest references (V2: also `ssts` entries no view uses), each once. */
export function referencedSsts(dbPath: string, manifest: DecodedManifest, context: string): ViewSpec[] {
  const seen = new Map<string, ViewSpec>();
  for (const source of sourcesOf(dbPath, manifest, context)) for (const v of source.views) if (!seen.has(v.key)) seen.set(v.key, v);
  if (manifest.formatVersion === 2) {
    const locator = new SstLocator(dbPath, manifest);
    // Top-level views are skipped by sourcesOf when segments exist; list their SSTs too.
    for (const t of tables(manifest.root.ssts)) {
      const sstId = ulidOf(t.id);
      const loc = locator.locate(sstId);
      if (seen.has(loc.key)) continue;
      seen.set(loc.key, {
        sstId,
        ...loc,
        info: sstInfoFromTable(t.info as DecodedTable, `SST ${sstId} in ${context}`),
        formatVersion: formatVersionOf(t.format_version),
        visible: null,
      });
    }
  }
  return [...seen.values()];
}
