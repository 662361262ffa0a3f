/**
 * The real engine's view of a database on any store (local or S3), for tests whose truth must be
 * SlateDB's own: every row a reader pinned to a checkpoint sees, or what a writer (`Db`) opened on
 * the root sees, plus small writer steps (write rows, flush, shut down, reopen). Every native call
 * runs under a timeout.
 */
import { Db, DEFAULT_STEP_TIMEOUT_MS, flushMemtable, loadSlateDb, openDb, resolveStore, shutdownDb, StoreLike, toStoreSpec, withTimeout, writeRows } from '../fixtures/realEngine/engine';
import type { OracleRow } from '../fixtures/dataDbs/index';

const T = DEFAULT_STEP_TIMEOUT_MS;
const FULL_RANGE = { start: undefined, start_inclusive: true, end: undefined, end_inclusive: false };
type KeyValue = { key: Uint8Array; value: Uint8Array; seq: bigint | number; expire_ts: bigint | number | undefined };

async function drain(it: { next(): Promise<KeyValue | undefined>; dispose(): void }): Promise<OracleRow[]> {
  const rows: OracleRow[] = [];
  try {
    for (;;) {
      const kv = await withTimeout(it.next(), T, 'engine iterator next()');
      if (!kv) return rows;
      rows.push({ key: new Uint8Array(kv.key), value: new Uint8Array(kv.value), seq: BigInt(kv.seq), expireTs: kv.expire_ts === undefined ? null : BigInt(kv.expire_ts) });
    }
  } finally {
    it.dispose();
  }
}

/** Every row of `dbPath` as a real DbReader pinned to `checkpointId` sees it (writes nothing). */
export async function engineRowsAt(store: StoreLike, dbPath: string, checkpointId: string): Promise<OracleRow[]> {
  const S = await loadSlateDb();
  const engineStore = await resolveStore(toStoreSpec(store));
  try {
    const builder = new S.DbReaderBuilder(dbPath, engineStore);
    let reader;
    try {
      builder.with_options({ manifest_poll_interval_ms: 60_000, checkpoint_lifetime_ms: 600_000, max_memtable_bytes: 64 * 1024 * 1024, skip_wal_replay: false });
      builder.with_checkpoint_id(checkpointId);
      reader = await withTimeout(builder.build(), T, `opening a reader on ${dbPath} at ${checkpointId}`);
    } finally {
      builder.dispose();
    }
    try {
      return await drain(await withTimeout(reader.scan(FULL_RANGE), T, 'reader scan'));
    } finally {
      await withTimeout(reader.shutdown(), T, 'reader shutdown').finally(() => reader.dispose());
    }
  } finally {
    engineStore.dispose();
  }
}

/** A real writer on `dbPath` (no compactor, no GC: the test decides what changes). */
export async function openWriter(store: StoreLike, dbPath: string): Promise<Db> {
  return (await openDb(toStoreSpec(store), dbPath, { compaction: false, gc: false }, T)).db;
}

export async function writerRows(db: Db): Promise<OracleRow[]> {
  return drain(await withTimeout(db.scan(FULL_RANGE), T, 'writer scan'));
}

export async function writeAndFlush(db: Db, from: number, to: number, prefix: string, flush: boolean): Promise<void> {
  await writeRows(db, from, to, prefix, 200, T);
  if (flush) await flushMemtable(db, T);
}

export async function closeWriter(db: Db): Promise<void> {
  await shutdownDb(db, T, 'writer shutdown');
}

/** Rows as comparable text: key, value, seq, expire_ts (base64 / decimal). */
export function rowsText(rows: OracleRow[]): string[] {
  return rows.map((r) => `${Buffer.from(r.key).toString('base64')} ${Buffer.from(r.value).toString('base64')} ${r.seq} ${r.expireTs ?? '-'}`);
}

/** Rows as key → value text, for states read through a writer (whose seqs may be renumbered by replay). */
export function keyValueText(rows: OracleRow[]): string[] {
  return rows.map((r) => `${Buffer.from(r.key).toString('base64')} ${Buffer.from(r.value).toString('base64')}`);
}
