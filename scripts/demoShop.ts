/**
 * The demo's `shop` database: rows worth browsing in Browse Data and Compare, written by the REAL
 * SlateDB engine (npm @slatedb/uniffi 0.12.1). JSON customers, products and orders (pretty-printed
 * in the data panel, JSON documents in Open Value), a few binary session tokens (hex), then a
 * named checkpoint `before-price-update` (made with our engine: 0.12.1 has no checkpoint API), and
 * a second writer session that changes prices, ships orders, adds new orders and deletes
 * cancelled ones — so "Compare with…" between the checkpoint and the latest state lists all three
 * kinds of change.
 */
import { createCheckpoint } from '../src/engine/checkpoints';
import { ManifestStore } from '../src/engine/manifest/manifestStore';
import { LocalObjectStore } from '../src/engine/store/local/localStore';
import { DEFAULT_STEP_TIMEOUT_MS, loadSlateDb, toStoreSpec, withTimeout } from '../test/fixtures/realSlateDb';
import { flushMemtable, openDb, shutdownDb, type Db } from '../test/fixtures/realEngine/engine';

const T = DEFAULT_STEP_TIMEOUT_MS;
const CITIES = ['Lisbon', 'Oslo', 'Austin', 'Kyoto', 'Nairobi', 'Montréal', 'Zürich', 'São Paulo'];
const FIRST = ['Ada', 'Grace', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Dennis', 'Frances', 'Edsger', 'Radia'];
const LAST = ['Lovelace', 'Hopper', 'Torvalds', 'Liskov', 'Thompson', 'Hamilton', 'Ritchie', 'Allen', 'Dijkstra', 'Perlman'];
const PRODUCTS = ['espresso beans', 'pour-over kettle', 'ceramic mug', 'burr grinder', 'milk frother', 'tea sampler', 'travel tumbler', 'cold-brew jar'];
const STATUSES = ['placed', 'paid', 'packed'];

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const json = (v: unknown) => new Uint8Array(Buffer.from(JSON.stringify(v)));
const text = (s: string) => new Uint8Array(Buffer.from(s));

function customer(i: number) {
  return { id: `c${pad(i, 4)}`, name: `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]}`, city: CITIES[i % CITIES.length], since: `20${pad(18 + (i % 7), 2)}-${pad(1 + (i % 12), 2)}-${pad(1 + (i % 28), 2)}`, vip: i % 11 === 0 };
}

function product(i: number, priceBump = 0) {
  return { sku: `P-${pad(i, 3)}`, name: PRODUCTS[i % PRODUCTS.length], price: Math.round((4.5 + i * 3.25 + priceBump) * 100) / 100, stock: 20 + ((i * 13) % 80) };
}

function order(i: number, status = STATUSES[i % STATUSES.length]) {
  const lines = 1 + (i % 3);
  const items = Array.from({ length: lines }, (_, j) => ({ sku: `P-${pad((i + j * 3) % PRODUCTS.length, 3)}`, qty: 1 + ((i + j) % 4) }));
  return { id: `o${pad(i, 5)}`, customer: `c${pad((i * 17) % 400, 4)}`, status, items, placedAt: new Date(Date.UTC(2026, 10, 1) + i * 3_600_000).toISOString() };
}

async function put(db: Db, rows: Array<[Uint8Array, Uint8Array]>, deletes: Uint8Array[] = []): Promise<void> {
  const S = await loadSlateDb();
  const batch = new S.WriteBatch();
  try {
    for (const [k, v] of rows) batch.put(k, v);
    for (const k of deletes) batch.delete(k);
    await withTimeout(db.write(batch), T, 'writing shop rows');
  } finally {
    batch.dispose();
  }
}

export async function buildShopDb(dir: string, log: (line: string) => void): Promise<{ rows: number; checkpointId: string }> {
  const spec = toStoreSpec(dir);
  const tuning = { compaction: true, gc: false };
  let rows = 0;
  {
    const { db, store } = await openDb(spec, 'shop', tuning, T);
    try {
      await put(db, Array.from({ length: 400 }, (_, i) => [text(`customer:${customer(i).id}`), json(customer(i))]));
      await put(db, Array.from({ length: 24 }, (_, i) => [text(`product:${product(i).sku}`), json(product(i))]));
      await flushMemtable(db, T);
      for (let part = 0; part < 4; part++) {
        await put(db, Array.from({ length: 300 }, (_, j) => part * 300 + j).map((i) => [text(`order:${order(i).id}`), json(order(i))]));
        await flushMemtable(db, T);
      }
      // Binary values: shown as hex (and a hex dump in the detail pane).
      await put(db, Array.from({ length: 12 }, (_, i) => [text(`session:${pad(i, 3)}`), new Uint8Array(Array.from({ length: 32 }, (_, j) => (i * 73 + j * 151) & 0xff))]));
      await put(db, [[text('config:shop'), json({ currency: 'EUR', taxRate: 0.21, openHours: { mon_fri: '08:00-18:00', sat: '09:00-14:00' } })], [text('readme'), text('Demo shop data: customers, products, orders.\nTry Browse Data → prefix "order:" and Compare with… latest.')]]);
      rows = 400 + 24 + 1200 + 12 + 2;
    } finally {
      await shutdownDb(db, T, 'shop (first session)');
      store.dispose();
    }
  }
  const ms = new ManifestStore(new LocalObjectStore(dir), 'shop');
  const checkpoint = await createCheckpoint(ms, { name: 'before-price-update' });
  log(`  shop: checkpoint before-price-update ${checkpoint.id}`);
  {
    const { db, store } = await openDb(spec, 'shop', tuning, T);
    try {
      // Changed: prices, shipped orders. Added: new orders. Removed: cancelled orders.
      await put(db, Array.from({ length: 24 }, (_, i) => [text(`product:${product(i).sku}`), json(product(i, 0.5))]));
      await put(db, Array.from({ length: 60 }, (_, i) => i * 5).map((i) => [text(`order:${order(i).id}`), json(order(i, 'shipped'))]), Array.from({ length: 15 }, (_, i) => text(`order:${order(1000 + i * 7).id}`)));
      await flushMemtable(db, T);
      // Orders placed since the last flush (shutdown flushes them).
      await put(db, Array.from({ length: 25 }, (_, i) => 1200 + i).map((i) => [text(`order:${order(i).id}`), json(order(i, 'placed'))]));
      rows += 25 - 15;
    } finally {
      await shutdownDb(db, T, 'shop (second session)');
      store.dispose();
    }
  }
  return { rows, checkpointId: checkpoint.id };
}
