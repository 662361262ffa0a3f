/**
 * Regenerates media/demo-db/: the small real SlateDB database shipped with the
 * extension for "Open Demo Database" (copied to the extension's storage on first
 * use, then given fresh named checkpoints by our engine). Written by the REAL
 * engine (@slatedb/uniffi 0.12.1): L0 SSTs, sorted runs, GC'd manifest ids.
 *
 *   node --import tsx scripts/make-demo-seed.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildDatabase, closeKeptReaders } from '../test/fixtures/realSlateDb';

async function main(): Promise<void> {
  const dir = path.resolve(__dirname, '..', 'media', 'demo-db');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const built = await buildDatabase({ rootDir: dir, dbPath: 'orders', keyPrefix: 'order-', rounds: 6, putsPerRound: 120, valueBytes: 120, readerCheckpoints: 1, closedReaders: 0 });
  await closeKeptReaders().catch(() => undefined);
  console.log(`media/demo-db/orders: manifests ${built.manifestIds.join(',')}, ${built.objects.ssts} SSTs`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
