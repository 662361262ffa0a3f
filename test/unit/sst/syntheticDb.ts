/**
 * Databases assembled from test-written SSTs and synthetic manifests in a
 * memory store, for read-path semantics that real 0.12.1 databases cannot
 * show on demand (views with visible ranges, segments, clones, max_seq,
 * missing WAL files). Real-engine equality is tested in realCodecs.test.ts
 * and by the scan-vs-DbReader comparison suite.
 */
import type { DecodedManifest } from '../../../src/engine/manifest/codec';
import type { DecodedTable } from '../../../src/engine/manifest/flatDecoder';
import { ulidToString } from '../../../src/engine/ids';
import { dbKeys } from '../../../src/engine/paths';
import { compareBytes } from '../../../src/engine/read/keyRange';
import { walKey } from '../../../src/engine/read/walReplay';
import type { ObjectStore } from '../../../src/engine/store/objectStore';
import { manifestV1, putManifest, ulidN, ulidTable } from '../../support/manifestKit';
import { BuildOptions, BuildRow, buildSst } from './sstBuilder';

const bytesOf = (k: Uint8Array | string) => (typeof k === 'string' ? new Uint8Array(Buffer.from(k)) : k);

/** Sorts rows the way a compacted SST holds them: key asc, seq desc. */
export function sstOrder(rows: BuildRow[]): BuildRow[] {
  return [...rows].sort((a, b) => compareBytes(bytesOf(a.key), bytesOf(b.key)) || Number(BigInt(b.seq) - BigInt(a.seq)));
}

/** Writes a compacted SST under `<owner>/compacted/` and returns its V1 manifest entry. */
export async function addSst(store: ObjectStore, ownerDbPath: string, n: number, rows: BuildRow[], o: BuildOptions = {}): Promise<DecodedTable> {
  const sst = buildSst(sstOrder(rows), o);
  const id = ulidN(n);
  await store.putIfAbsent(dbKeys.compactedSst(ownerDbPath, ulidToString(id)), sst.bytes);
  return { id: ulidTable(id), info: sst.infoTable, visible_range: null, format_version: o.formatVersion ?? 2 };
}

export async function addWal(store: ObjectStore, dbPath: string, id: number, rows: BuildRow[]): Promise<void> {
  await store.putIfAbsent(walKey(dbPath, id), buildSst(rows, { sstType: 'wal', blockSize: 200 }).bytes);
}

export function sstKeyOf(entry: DecodedTable, ownerDbPath = 'db'): string {
  const id = entry.id as DecodedTable;
  return dbKeys.compactedSst(ownerDbPath, ulidToString({ high: id.high as bigint, low: id.low as bigint }));
}

export function v1(o: { l0?: DecodedTable[]; runs?: DecodedTable[][]; lastL0Seq?: number; replayAfter?: number; lastSeenWal?: number; checkpoints?: DecodedTable[]; extra?: Partial<DecodedTable> }): DecodedManifest {
  return manifestV1({
    l0: o.l0 ?? [],
    compacted: (o.runs ?? []).map((ssts, i, all) => ({ id: all.length - 1 - i, ssts })),
    checkpoints: o.checkpoints ?? [],
    extra: {
      last_l0_seq: BigInt(o.lastL0Seq ?? 1_000_000),
      replay_after_wal_id: BigInt(o.replayAfter ?? 0),
      wal_id_last_seen: BigInt(o.lastSeenWal ?? 0),
      ...o.extra,
    },
  });
}

export async function writeManifest(store: ObjectStore, dbPath: string, id: number, m: DecodedManifest): Promise<void> {
  await putManifest(store, dbPath, id, m);
}

export function range(start: string | undefined, startType: 2 | 3 | 1, end: string | undefined, endType: 2 | 3 | 1): DecodedTable {
  const bound = (k: string | undefined, t: number) => ({ key: k === undefined ? null : new Uint8Array(Buffer.from(k)), bound_type: t });
  return { start_bound: bound(start, startType), end_bound: bound(end, endType) };
}
