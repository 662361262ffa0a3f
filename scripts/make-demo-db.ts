/**
 * Creates the demo store used by `npm start`: a folder (default `.demo/`) holding two databases
 * written by the REAL SlateDB engine (npm @slatedb/uniffi 0.12.1):
 *
 *   <dir>/orders   compactor + GC on: sorted runs, manifest-id gaps, compactor checkpoints (15 min),
 *                  2 reader checkpoints (30 days) left by DbReaders kept open until this script exits
 *   <dir>/events   no GC: every manifest kept (ids 1..N), compactor on, 1 reader checkpoint (2 h)
 *   <dir>/shop     data worth browsing (scripts/demoShop.ts): JSON customers / products / orders,
 *                  binary sessions, checkpoint `before-price-update`, then changes, adds and deletes
 *
 *   node --import tsx scripts/make-demo-db.ts [dir] [--force]
 *
 * Idempotent: if both databases already have manifests it does nothing, unless `--force` (which
 * deletes and rebuilds only `<dir>/orders` and `<dir>/events`).
 *
 * Named checkpoints: the real engine cannot make them here. @slatedb/uniffi 0.12.1 exposes no
 * checkpoint create/refresh/delete API (only `DbReaderBuilder.with_checkpoint_id` to read at one);
 * SlateDB's `Admin` binding with `create_detached_checkpoint` / `refresh_checkpoint` /
 * `delete_checkpoint` first ships in 0.13.0. Named checkpoints are added with our own engine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildDatabase, BuiltDatabase, listManifestIds } from '../test/fixtures/realSlateDb';
import { buildShopDb } from './demoShop';

const DBS = ['orders', 'events', 'shop'] as const;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const dir = path.resolve(args.find((a) => !a.startsWith('--')) ?? '.demo');
  const t0 = Date.now();

  const present = await Promise.all(DBS.map(async (db) => (await listManifestIds(dir, db)).length > 0));
  if (present.every(Boolean) && !force) {
    console.log(`demo store ${dir} already has ${DBS.join(' and ')}; nothing to do (--force rebuilds them)`);
    return;
  }
  for (const db of DBS) fs.rmSync(path.join(dir, db), { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });

  const log = (line: string) => console.log(line);
  const shop = buildShopDb(dir, log);
  const built: BuiltDatabase[] = await Promise.all([
    buildDatabase({
      rootDir: dir,
      dbPath: 'orders',
      keyPrefix: 'order-',
      rounds: 10,
      putsPerRound: 300,
      valueBytes: 250,
      readerCheckpoints: 2,
      closedReaders: 1,
      readerCheckpointLifetimeMs: 30 * 24 * 3600 * 1000,
      log,
    }),
    buildDatabase({
      rootDir: dir,
      dbPath: 'events',
      keyPrefix: 'event-',
      rounds: 8,
      putsPerRound: 250,
      valueBytes: 400,
      gc: false,
      readerCheckpoints: 1,
      closedReaders: 1,
      readerCheckpointLifetimeMs: 2 * 3600 * 1000,
      log,
    }),
  ]);

  const shopBuilt = await shop;
  console.log(`\ndemo store: ${dir} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  for (const b of built) {
    console.log(
      `  ${b.dbPath}: ${b.totalRows} rows, manifests ${b.manifestIds.join(',')}, ${b.objects.ssts} SSTs, ` +
        `${b.objects.wals} WAL SSTs, ${b.keptReaders.length} reader checkpoint(s) (${b.keptReaders[0]?.lifetimeSeconds ?? 0} s lifetime)`,
    );
  }
  console.log(`  shop: ${shopBuilt.rows} rows, checkpoint before-price-update ${shopBuilt.checkpointId}`);
  console.log('  named checkpoints: not created (no checkpoint API in @slatedb/uniffi 0.12.1; add them with our engine)');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exitCode = 1;
});
