/**
 * The behaviour every ObjectStore backend must have. Each backend's test file
 * calls `runObjectStoreConformance` with a factory; every test gets a fresh,
 * empty store and cleans it up afterwards.
 *
 * Key sets avoid holding both `a` and `a/b` (a directory cannot), which S3
 * and memory allow but nothing here relies on.
 */

import * as assert from 'node:assert/strict';
import type { ListOptions, ListPage, ObjectMeta, ObjectStore } from '../../src/engine/store/objectStore';
import { listAll } from '../../src/engine/store/objectStore';

const enc = new TextEncoder();
const bytesOf = (s: string): Uint8Array => enc.encode(s);

/** UTF-8 byte order, computed independently of the code under test. */
function byteOrder(keys: string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

function keysOf(objects: ObjectMeta[]): string[] {
  return objects.map((o) => o.key);
}

function pseudoRandomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function runObjectStoreConformance(
  name: string,
  makeStore: () => Promise<{ store: ObjectStore; cleanup: () => Promise<void> }>,
): void {
  describe(`ObjectStore conformance: ${name}`, function () {
    let store: ObjectStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      const made = await makeStore();
      store = made.store;
      cleanup = made.cleanup;
    });

    afterEach(async () => {
      await cleanup?.();
      cleanup = undefined;
    });

    async function putAll(keys: string[]): Promise<void> {
      for (const k of keys) {
        const r = await store.putIfAbsent(k, bytesOf(`content of ${k}`));
        assert.equal(r.created, true, `putIfAbsent(${k}) should create`);
      }
    }

    async function page(options: ListOptions): Promise<ListPage> {
      return store.listPage(options);
    }

    describe('reads of absent keys', () => {
      it('get and head of an absent key return undefined', async () => {
        assert.equal(await store.get('nothing/here.txt'), undefined);
        assert.equal(await store.head('nothing/here.txt'), undefined);
        assert.equal(await store.get('top-level'), undefined);
        assert.equal(await store.head('top-level'), undefined);
      });

      it('get and head of a key under an existing object return undefined', async () => {
        await putAll(['db/file']);
        assert.equal(await store.get('db/file/under'), undefined);
        assert.equal(await store.head('db/file/under'), undefined);
      });

      it('get and head of a "folder" (a prefix of other keys) return undefined', async () => {
        await putAll(['db/manifest/00000000000000000001.manifest']);
        assert.equal(await store.get('db/manifest'), undefined);
        assert.equal(await store.head('db/manifest'), undefined);
        assert.equal(await store.get('db'), undefined);
      });

      it('listing an empty store or a prefix with no objects returns nothing', async () => {
        assert.deepEqual(await page({}), { objects: [], commonPrefixes: [] });
        await putAll(['x/1']);
        const p = await page({ prefix: 'nothing/', delimiter: '/' });
        assert.deepEqual(p.objects, []);
        assert.deepEqual(p.commonPrefixes, []);
        assert.equal(p.nextContinuationToken, undefined);
      });
    });

    describe('putIfAbsent', () => {
      it('creates an object that get and head then return', async () => {
        const bytes = bytesOf('hello manifest');
        const r = await store.putIfAbsent('db/manifest/00000000000000000001.manifest', bytes);
        assert.equal(r.created, true);
        const got = await store.get('db/manifest/00000000000000000001.manifest');
        assert.ok(got);
        assert.deepEqual(Buffer.from(got.bytes), Buffer.from(bytes));
        assert.equal(got.meta.key, 'db/manifest/00000000000000000001.manifest');
        assert.equal(got.meta.size, bytes.byteLength);
        const head = await store.head('db/manifest/00000000000000000001.manifest');
        assert.ok(head);
        assert.equal(head.size, bytes.byteLength);
      });

      it('a second putIfAbsent of the same key reports created:false and leaves the content unchanged', async () => {
        assert.equal((await store.putIfAbsent('k/one', bytesOf('first'))).created, true);
        assert.deepEqual(await store.putIfAbsent('k/one', bytesOf('second, longer content')), { created: false });
        assert.deepEqual(await store.putIfAbsent('k/one', bytesOf('first')), { created: false });
        const got = await store.get('k/one');
        assert.equal(Buffer.from(got!.bytes).toString('utf8'), 'first');
        assert.equal(got!.meta.size, 5);
      });

      it('20 concurrent putIfAbsent of one key: exactly one is created and its bytes are stored', async () => {
        const payloads = Array.from({ length: 20 }, (_, i) => bytesOf(`writer ${i} `.repeat(100 + i)));
        const results = await Promise.all(payloads.map((p) => store.putIfAbsent('race/00000000000000000002.manifest', p)));
        const winners = results.map((r, i) => (r.created ? i : -1)).filter((i) => i >= 0);
        assert.equal(winners.length, 1, `expected exactly one winner, got ${JSON.stringify(winners)}`);
        const got = await store.get('race/00000000000000000002.manifest');
        assert.deepEqual(Buffer.from(got!.bytes), Buffer.from(payloads[winners[0]]));
        const listed = await listAll(store, { prefix: 'race/' });
        assert.deepEqual(keysOf(listed.objects), ['race/00000000000000000002.manifest']);
      });

      it('stores an empty object', async () => {
        assert.equal((await store.putIfAbsent('empty/zero', new Uint8Array(0))).created, true);
        const got = await store.get('empty/zero');
        assert.ok(got);
        assert.equal(got.bytes.byteLength, 0);
        assert.equal(got.meta.size, 0);
        assert.deepEqual(keysOf((await page({ prefix: 'empty/' })).objects), ['empty/zero']);
      });

      it('is not affected by later changes to the array that was written or read', async () => {
        const bytes = bytesOf('original');
        await store.putIfAbsent('alias/x', bytes);
        bytes.fill(0x41);
        const first = await store.get('alias/x');
        first!.bytes.fill(0x42);
        const second = await store.get('alias/x');
        assert.equal(Buffer.from(second!.bytes).toString('utf8'), 'original');
      });

      it('round-trips a 5 MB object byte for byte', async () => {
        const big = pseudoRandomBytes(5 * 1024 * 1024, 42);
        assert.equal((await store.putIfAbsent('big/object.sst', big)).created, true);
        const got = await store.get('big/object.sst');
        assert.ok(got);
        assert.equal(got.bytes.byteLength, big.byteLength);
        assert.ok(Buffer.from(got.bytes).equals(Buffer.from(big)), '5 MB object differs after the round trip');
        assert.equal((await store.head('big/object.sst'))!.size, big.byteLength);
      });
    });

    describe('listing', () => {
      it('lists keys in ascending UTF-8 byte order, not locale or UTF-16 order', async () => {
        // 'B' < 'a-' < 'a.' < 'a/' < 'a0' < 'b' < 'é' < U+E000 < U+1F600 in UTF-8 bytes;
        // UTF-16 order would put the emoji (a surrogate pair) before U+E000.
        const keys = ['k/b', 'k/\u{1F600}', 'k/a0', 'k/\uE000', 'k/a/b', 'k/B', 'k/a.b', 'k/é', 'k/a-b'];
        await putAll(keys);
        const expected = ['k/B', 'k/a-b', 'k/a.b', 'k/a/b', 'k/a0', 'k/b', 'k/é', 'k/\uE000', 'k/\u{1F600}'];
        assert.deepEqual(byteOrder(keys), expected); // the expectation itself is byte order
        const listed = await page({ prefix: 'k/' });
        assert.deepEqual(keysOf(listed.objects), expected);
        assert.deepEqual(listed.commonPrefixes, []);
      });

      it('with no prefix lists every object in the store', async () => {
        const keys = ['z', 'a/1', 'a/2/3', 'm n/o'];
        await putAll(keys);
        assert.deepEqual(keysOf((await listAll(store, {})).objects), byteOrder(keys));
      });

      it('a prefix that ends mid-name returns exactly the keys that start with it', async () => {
        const id = (n: number) => `db/manifest/${String(n).padStart(20, '0')}.manifest`;
        const keys = [1, 2, 9, 10, 11, 19, 100, 123].map(id);
        await putAll([...keys, 'db/manifestx', 'db/manifests/other', 'db/compactions/00000000000000000001.compactions', 'dbx/manifest/1']);
        const p1 = await page({ prefix: `db/manifest/${'0'.repeat(18)}1` });
        assert.deepEqual(keysOf(p1.objects), [id(10), id(11), id(19)]);
        const p2 = await page({ prefix: `db/manifest/${'0'.repeat(19)}` });
        assert.deepEqual(keysOf(p2.objects), [id(1), id(2), id(9)]);
        const p2b = await page({ prefix: `db/manifest/${'0'.repeat(17)}1` });
        assert.deepEqual(keysOf(p2b.objects), [id(100), id(123)]);
        const p3 = await page({ prefix: 'db/manifest' });
        assert.deepEqual(keysOf(p3.objects), [...keys, 'db/manifests/other', 'db/manifestx']);
        const p4 = await page({ prefix: 'db/manifest/' });
        assert.deepEqual(keysOf(p4.objects), keys);
      });

      it('a delimiter groups keys into commonPrefixes, each ending with the delimiter', async () => {
        await putAll([
          'db/manifest/00000000000000000001.manifest',
          'db/manifest/00000000000000000002.manifest',
          'db/wal/00000000000000000001.sst',
          'db/gc/manifest.boundary',
          'db/x.txt',
          'db/deep/er/still/1',
          'other/y',
          'top',
        ]);
        const root = await page({ delimiter: '/' });
        assert.deepEqual(keysOf(root.objects), ['top']);
        assert.deepEqual(root.commonPrefixes, ['db/', 'other/']);
        const db = await page({ prefix: 'db/', delimiter: '/' });
        assert.deepEqual(keysOf(db.objects), ['db/x.txt']);
        assert.deepEqual(db.commonPrefixes, ['db/deep/', 'db/gc/', 'db/manifest/', 'db/wal/']);
        const partial = await page({ prefix: 'db/m', delimiter: '/' });
        assert.deepEqual(keysOf(partial.objects), []);
        assert.deepEqual(partial.commonPrefixes, ['db/manifest/']);
        const inside = await page({ prefix: 'db/manifest/', delimiter: '/' });
        assert.deepEqual(keysOf(inside.objects), ['db/manifest/00000000000000000001.manifest', 'db/manifest/00000000000000000002.manifest']);
        assert.deepEqual(inside.commonPrefixes, []);
      });

      it('startAfter returns only keys strictly greater than it', async () => {
        const keys = ['s/1', 's/2', 's/3', 's/4'];
        await putAll(keys);
        assert.deepEqual(keysOf((await page({ prefix: 's/', startAfter: 's/2' })).objects), ['s/3', 's/4']);
        assert.deepEqual(keysOf((await page({ prefix: 's/', startAfter: 's/25' })).objects), ['s/3', 's/4']);
        assert.deepEqual(keysOf((await page({ prefix: 's/', startAfter: 's/' })).objects), keys);
        assert.deepEqual(keysOf((await page({ prefix: 's/', startAfter: 's/4' })).objects), []);
        assert.deepEqual(keysOf((await page({ startAfter: 'r' })).objects), keys);
        assert.deepEqual(keysOf((await page({ startAfter: 't' })).objects), []);
      });

      it('paging with maxKeys 2 over 7 objects returns all 7 in order, each exactly once', async () => {
        const keys = byteOrder(['p/a', 'p/b', 'p/c/1', 'p/c/2', 'p/d', 'p/e', 'p/ü']);
        await putAll([...keys].reverse());
        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const p = await page({ prefix: 'p/', maxKeys: 2, continuationToken: token });
          assert.ok(p.objects.length <= 2, `page ${pages} has ${p.objects.length} objects`);
          seen.push(...keysOf(p.objects));
          token = p.nextContinuationToken;
          pages++;
          assert.ok(pages <= 10, 'paging does not terminate');
        } while (token);
        assert.deepEqual(seen, keys);
      });

      it('paging with a delimiter counts common prefixes toward maxKeys and never repeats one', async () => {
        await putAll(['g/a', 'g/b/1', 'g/b/2', 'g/b/3', 'g/c', 'g/d/1', 'g/e']);
        const objects: string[] = [];
        const prefixes: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const p = await page({ prefix: 'g/', delimiter: '/', maxKeys: 1, continuationToken: token });
          assert.ok(p.objects.length + p.commonPrefixes.length <= 1);
          objects.push(...keysOf(p.objects));
          prefixes.push(...p.commonPrefixes);
          token = p.nextContinuationToken;
          assert.ok(++pages <= 10, 'paging does not terminate');
        } while (token);
        assert.deepEqual(objects, ['g/a', 'g/c', 'g/e']);
        assert.deepEqual(prefixes, ['g/b/', 'g/d/']);
      });

      it('startAfter inside a common prefix still reports that prefix when it holds later keys', async () => {
        await putAll(['h/a/1', 'h/a/2', 'h/b/1']);
        const p = await page({ prefix: 'h/', delimiter: '/', startAfter: 'h/a/1' });
        assert.deepEqual(p.commonPrefixes, ['h/a/', 'h/b/']);
        const q = await page({ prefix: 'h/', delimiter: '/', startAfter: 'h/a/2' });
        assert.deepEqual(q.commonPrefixes, ['h/b/']);
      });

      it('reports lastModified and size for listed objects and head', async () => {
        const before = Date.now();
        await store.putIfAbsent('meta/x', bytesOf('12345'));
        const after = Date.now();
        const [listed] = (await page({ prefix: 'meta/' })).objects;
        const head = await store.head('meta/x');
        for (const m of [listed, head!]) {
          assert.equal(m.key, 'meta/x');
          assert.equal(m.size, 5);
          assert.ok(m.lastModified instanceof Date && !Number.isNaN(m.lastModified.getTime()));
          // Generous bounds: file systems round mtimes; S3 to the second.
          assert.ok(m.lastModified.getTime() >= before - 2000 && m.lastModified.getTime() <= after + 2000, `lastModified ${m.lastModified.toISOString()} not near now`);
        }
      });
    });

    describe('keys', () => {
      it('keys with spaces and unicode round-trip, list and delete', async () => {
        const keys = ['u/with space.txt', 'u/ünïcödé/ファイル', 'u/emoji 😀/x', 'u/plus+percent%20=&?#hash'];
        for (const k of keys) {
          assert.equal((await store.putIfAbsent(k, bytesOf(k))).created, true);
        }
        for (const k of keys) {
          const got = await store.get(k);
          assert.equal(Buffer.from(got!.bytes).toString('utf8'), k);
          assert.equal(got!.meta.key, k);
        }
        assert.deepEqual(keysOf((await listAll(store, { prefix: 'u/' })).objects), byteOrder(keys));
        assert.deepEqual((await page({ prefix: 'u/', delimiter: '/' })).commonPrefixes, byteOrder(['u/ünïcödé/', 'u/emoji 😀/']));
        for (const k of keys) await store.delete(k);
        assert.deepEqual((await listAll(store, { prefix: 'u/' })).objects, []);
      });
    });

    describe('delete', () => {
      it('deleting an absent key succeeds', async () => {
        await store.delete('never/was');
        await store.delete('never');
      });

      it('removes the object from get, head and list, and allows creating it again', async () => {
        await putAll(['d/1', 'd/2']);
        await store.delete('d/1');
        await store.delete('d/1');
        assert.equal(await store.get('d/1'), undefined);
        assert.equal(await store.head('d/1'), undefined);
        assert.deepEqual(keysOf((await page({ prefix: 'd/' })).objects), ['d/2']);
        assert.equal((await store.putIfAbsent('d/1', bytesOf('again'))).created, true);
        assert.equal(Buffer.from((await store.get('d/1'))!.bytes).toString('utf8'), 'again');
      });

      it('after every object under a prefix is deleted, listings report no object and no common prefix for it', async () => {
        await putAll(['e/sub/deeper/1', 'e/sub/2', 'e/keep']);
        await store.delete('e/sub/deeper/1');
        await store.delete('e/sub/2');
        const p = await page({ prefix: 'e/', delimiter: '/' });
        assert.deepEqual(keysOf(p.objects), ['e/keep']);
        assert.deepEqual(p.commonPrefixes, []);
        assert.deepEqual(keysOf((await listAll(store, {})).objects), ['e/keep']);
        assert.deepEqual((await page({ prefix: 'e/sub/' })).objects, []);
        assert.equal(await store.get('e/sub'), undefined);
      });
    });
  });
}
