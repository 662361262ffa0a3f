/**
 * One full scan in its own process (for its peak RSS), printed as one JSON document:
 *   node --import tsx bench/support/scanChild.ts <ours|engine|baseline> <rootDir> <dbPath> <checkpointId>
 * `ours`: resolveState + scanStateBatches over a LocalObjectStore; `engine`: the real engine's
 * DbReader at that checkpoint, one `next()` per row; `baseline`: ours with the state resolved but
 * no row read (what node + tsx + the modules cost before scanning).
 */

import { peakRssMb } from './peakRss';
import { pathToFileURL } from 'node:url';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { resolveState, scanStateBatches } from '../../src/engine/read/pointInTime';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { loadSlateDb } from '../../test/fixtures/realEngine/engine';

export interface ScanFigures {
  rows: number;
  /** Σ key + value bytes. */
  bytes: number;
  ms: number;
  maxRssMb: number;
}

export async function ourScan(root: string, dbPath: string, checkpointId: string | undefined, readRows = true): Promise<Omit<ScanFigures, 'maxRssMb'>> {
  const store = new LocalObjectStore(root);
  const t0 = performance.now();
  const state = await resolveState(new ManifestStore(store, dbPath), checkpointId);
  if (!readRows) return { rows: 0, bytes: 0, ms: performance.now() - t0 };
  let rows = 0;
  let bytes = 0;
  for await (const batch of scanStateBatches(store, state)) {
    rows += batch.length;
    for (const r of batch) bytes += r.key.length + r.value.length;
  }
  return { rows, bytes, ms: performance.now() - t0 };
}

export async function engineScanCount(root: string, dbPath: string, checkpointId: string): Promise<Omit<ScanFigures, 'maxRssMb'>> {
  const S = await loadSlateDb();
  const store = S.ObjectStore.resolve(pathToFileURL(root).href);
  const t0 = performance.now();
  const builder = new S.DbReaderBuilder(dbPath, store);
  let reader;
  try {
    builder.with_options({ manifest_poll_interval_ms: 60_000, checkpoint_lifetime_ms: 600_000, max_memtable_bytes: 64 * 1024 * 1024, skip_wal_replay: false });
    builder.with_checkpoint_id(checkpointId);
    reader = await builder.build();
  } finally {
    builder.dispose();
  }
  let rows = 0;
  let bytes = 0;
  try {
    const it = await reader.scan({ start: undefined, start_inclusive: true, end: undefined, end_inclusive: false });
    try {
      for (let kv = await it.next(); kv; kv = await it.next()) {
        rows++;
        bytes += kv.key.length + kv.value.length;
      }
    } finally {
      it.dispose();
    }
  } finally {
    await reader.shutdown().finally(() => reader.dispose());
    store.dispose();
  }
  return { rows, bytes, ms: performance.now() - t0 };
}

if (require.main === module) {
  const [mode, root, dbPath, checkpointId] = process.argv.slice(2);
  (mode === 'engine' ? engineScanCount(root, dbPath, checkpointId) : ourScan(root, dbPath, checkpointId, mode !== 'baseline'))
    .then((f) => {
      const out: ScanFigures = { ...f, maxRssMb: peakRssMb() };
      process.stdout.write(JSON.stringify(out) + '\n');
      process.exit(0); // the engine's runtime threads must not keep the child alive
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}
