/**
 * The WAL part of a point-in-time state (SST-FACTS §6.2): the rows of the WAL
 * files after the manifest's `replay_after_wal_id`, minus those already in L0
 * (seq ≤ last_l0_seq), as SlateDB's replay sees them:
 *   - files are read in id order; a missing file ends the replay quietly
 *     (SlateDB treats NotFound as the end of the WAL);
 *   - objects of ≤ 10 bytes and SSTs with no blocks are fences: empty.
 * WAL files are small (one memtable's worth), so their rows are held in
 * memory, sorted like a compacted SST: key ascending, seq descending.
 */

import { isEngineError, throwIfAborted } from '../errors';
import { dbKeys, formatId } from '../paths';
import { listAll, ObjectStore } from '../store/objectStore';
import type { BlockCache } from '../sst/blockCache';
import { SstReader } from '../sst/sstReader';
import type { RowEntry } from '../sst/types';
import { compareBytes } from './keyRange';

const WAL_FILE = /^(\d{20})\.sst$/;

export function walKey(dbPath: string, id: number): string {
  return `${dbKeys.walDir(dbPath)}${formatId(id)}.sst`;
}

/**
 * WAL ids after `replayAfter` that exist, by one listing of `wal/`: the
 * contiguous run replay_after+1, +2, ... (replay stops at the first gap).
 * `sizes` gets each listed file's size.
 */
export async function listWalIdsAfter(store: ObjectStore, dbPath: string, replayAfter: number, sizes?: Map<number, number>): Promise<number[]> {
  const dir = dbKeys.walDir(dbPath);
  const { objects } = await listAll(store, { prefix: dir, startAfter: walKey(dbPath, replayAfter) });
  const present = new Map<number, number>();
  for (const o of objects) {
    const m = WAL_FILE.exec(o.key.slice(dir.length));
    if (m) present.set(Number(m[1]), o.size);
  }
  const ids: number[] = [];
  for (let id = replayAfter + 1; present.has(id); id++) {
    ids.push(id);
    sizes?.set(id, present.get(id)!);
  }
  return ids;
}

export interface WalRows {
  /** Key ascending, seq descending; only seq > last_l0_seq. */
  rows: RowEntry[];
  /** Highest seq replayed (0n when none). */
  maxSeq: bigint;
  /** Ids actually read (a missing file ends the list). */
  replayedIds: number[];
}

export async function replayWal(
  store: ObjectStore,
  dbPath: string,
  walIds: number[],
  lastL0Seq: bigint,
  opts: { signal?: AbortSignal; cache?: BlockCache; sizes?: Map<number, number> } = {},
): Promise<WalRows> {
  const collected: RowEntry[] = [];
  let maxSeq = 0n;
  const replayedIds: number[] = [];
  for (const id of walIds) {
    throwIfAborted(opts.signal, 'reading the WAL');
    const key = walKey(dbPath, id);
    let reader: SstReader;
    try {
      reader = await SstReader.open(store, key, { allowEmpty: true, size: opts.sizes?.get(id) });
    } catch (e) {
      if (isEngineError(e, 'DATA_MISSING')) break; // SlateDB: a missing WAL file ends the replay
      throw e;
    }
    replayedIds.push(id);
    for await (const block of reader.blocks({ signal: opts.signal })) {
      for (const row of block) {
        if (row.seq <= lastL0Seq) continue;
        collected.push(row);
        if (row.seq > maxSeq) maxSeq = row.seq;
      }
    }
  }
  // Stable sort: of two entries with the same key and seq (one batch), the later-written one wins.
  const order = new Map<RowEntry, number>();
  collected.forEach((r, i) => order.set(r, i));
  collected.sort((a, b) => compareBytes(a.key, b.key) || (a.seq > b.seq ? -1 : a.seq < b.seq ? 1 : order.get(b)! - order.get(a)!));
  return { rows: collected, maxSeq, replayedIds };
}
