/**
 * The behaviour every ObjectStore backend must have. Each backend's test file
 * calls `runObjectStoreConformance` with a factory; every test gets a fresh,
 * empty store and cleans it up afterwards.
 *
 * Key sets avoid holding both `a` and `a/b` (a directory cannot), which S3
 * and memory allow but nothing here relies on.
 */

import * as assert from 'node:assert/strict';
import { isEngineError } from '../../src/engine/errors';
import { bytesSource } from '../../src/engine/store/body';
import { copyObject } from '../../src/engine/store/copyObject';
import { MemoryObjectStore } from '../../src/engine/store/memoryStore';
import type { BodySource, ListOptions, ListPage, ObjectMeta, ObjectStore } from '../../src/engine/store/objectStore';
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

/** Chunks of uneven sizes (1 byte, then growing), so writers see boundaries anywhere. */
function unevenSource(bytes: Uint8Array): BodySource {
  return {
    size: bytes.byteLength,
    async *chunks() {
      let at = 0;
      for (let n = 1; at < bytes.byteLength; n = n * 3 + 7) {
        yield bytes.slice(at, Math.min(at + n, bytes.byteLength));
        at += n;
      }
    },
  };
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; largest: number; count: number }> {
  const parts: Buffer[] = [];
  let largest = 0;
  for await (const c of chunks) {
    assert.ok(c instanceof Uint8Array, 'a stream chunk is a Uint8Array');
    parts.push(Buffer.from(c));
    largest = Math.max(largest, c.byteLength);
  }
  return { bytes: Buffer.concat(parts), largest, count: parts.length };
}

const invalidArgument = (e: unknown) => isEngineError(e, 'INVALID_ARGUMENT');

/**
 * `peer`: a second, empty store of the same backend that `store.copyObjectFrom`
 * can copy from server-side (same endpoint and credentials; another directory).
 */
export interface ConformanceSubject {
  store: ObjectStore;
  cleanup: () => Promise<void>;
  peer?: ObjectStore;
}

export function runObjectStoreConformance(name: string, makeStore: () => Promise<ConformanceSubject>): void {
  describe(`ObjectStore conformance: ${name}`, function () {
    let store: ObjectStore;
    let peer: ObjectStore | undefined;
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      const made = await makeStore();
      store = made.store;
      peer = made.peer;
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

    describe('getRange', () => {
      const text = '0123456789abcdefghij'; // 20 bytes
      const str = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('utf8'));

      it('returns bytes [start, end) of the object, end exclusive', async () => {
        await store.putIfAbsent('r/obj', bytesOf(text));
        assert.equal(str(await store.getRange('r/obj', 0, 20)), text);
        assert.equal(str(await store.getRange('r/obj', 0, 1)), '0');
        assert.equal(str(await store.getRange('r/obj', 5, 12)), '56789ab');
        assert.equal(str(await store.getRange('r/obj', 19, 20)), 'j');
        const r = await store.getRange('r/obj', 3, 6);
        assert.ok(r instanceof Uint8Array && r.byteLength === 3);
      });

      it('clamps the end to the object size; a start at or past the end gives an empty array', async () => {
        await store.putIfAbsent('r/obj', bytesOf(text));
        assert.equal(str(await store.getRange('r/obj', 15, 1000)), 'fghij');
        assert.equal(str(await store.getRange('r/obj', 0, Number.MAX_SAFE_INTEGER)), text);
        for (const [s0, e0] of [[20, 30], [25, 30], [1000, 1000], [7, 7], [20, 20]]) {
          const got = await store.getRange('r/obj', s0, e0);
          assert.ok(got instanceof Uint8Array, `[${s0}, ${e0}) of a present object is an array`);
          assert.equal(got.byteLength, 0, `[${s0}, ${e0})`);
        }
      });

      it('of a zero-byte object is an empty array; of an absent key undefined', async () => {
        await store.putIfAbsent('r/zero', new Uint8Array(0));
        for (const [s0, e0] of [[0, 10], [0, 0], [5, 9]]) assert.equal((await store.getRange('r/zero', s0, e0))?.byteLength, 0);
        assert.equal(await store.getRange('r/absent', 0, 10), undefined);
        assert.equal(await store.getRange('r/absent', 3, 3), undefined);
        await store.putIfAbsent('r/file', bytesOf('x'));
        assert.equal(await store.getRange('r/file/under', 0, 1), undefined);
        assert.equal(await store.getRange('r', 0, 1), undefined, 'a "folder" is not an object');
      });

      it('refuses negative, reversed, fractional and non-numeric bounds with INVALID_ARGUMENT', async () => {
        await store.putIfAbsent('r/obj', bytesOf(text));
        for (const [s0, e0] of [[-1, 5], [5, 4], [0.5, 3], [0, 2.5], [Number.NaN, 3], [0, Number.POSITIVE_INFINITY], ['1' as unknown as number, 3]]) {
          await assert.rejects(store.getRange('r/obj', s0, e0), invalidArgument, `[${String(s0)}, ${String(e0)})`);
        }
      });

      it('a range inside a 5 MB object equals that slice of it', async () => {
        const big = pseudoRandomBytes(5 * 1024 * 1024, 7);
        await store.putIfAbsent('r/big.sst', big);
        for (const [s0, e0] of [[0, 4096], [3 * 1024 * 1024 + 17, 3 * 1024 * 1024 + 70_000], [big.byteLength - 9, big.byteLength + 100]]) {
          const got = await store.getRange('r/big.sst', s0, e0);
          assert.ok(Buffer.from(got!).equals(Buffer.from(big.subarray(s0, Math.min(e0, big.byteLength)))), `[${s0}, ${e0})`);
        }
      });
    });

    describe('getStream', () => {
      it('of an absent key is undefined', async () => {
        assert.equal(await store.getStream('s/absent'), undefined);
        await store.putIfAbsent('s/file', bytesOf('x'));
        assert.equal(await store.getStream('s/file/under'), undefined);
      });

      it('streams a 5 MB object in bounded chunks, byte for byte, with its metadata', async () => {
        const big = pseudoRandomBytes(5 * 1024 * 1024, 11);
        await store.putIfAbsent('s/big.sst', big);
        const got = await store.getStream('s/big.sst');
        assert.ok(got);
        assert.equal(got.meta.key, 's/big.sst');
        assert.equal(got.meta.size, big.byteLength);
        const { bytes, largest, count } = await readAll(got.chunks);
        assert.ok(bytes.equals(Buffer.from(big)), 'streamed bytes differ');
        assert.ok(count > 1 && largest <= 1024 * 1024, `${count} chunks, largest ${largest} bytes`);
      });

      it('streams an empty object as no bytes', async () => {
        await store.putIfAbsent('s/zero', new Uint8Array(0));
        const got = await store.getStream('s/zero');
        assert.equal(got?.meta.size, 0);
        assert.equal((await readAll(got!.chunks)).bytes.length, 0);
      });

      it('a reader that stops after the first chunk leaves the object readable and deletable', async () => {
        await store.putIfAbsent('s/big', pseudoRandomBytes(3 * 1024 * 1024, 5));
        const got = await store.getStream('s/big');
        for await (const chunk of got!.chunks) {
          assert.ok(chunk.byteLength > 0);
          break;
        }
        assert.equal((await store.head('s/big'))?.size, 3 * 1024 * 1024);
        await store.delete('s/big');
        assert.equal(await store.head('s/big'), undefined);
      });
    });

    describe('putIfAbsent with a streamed body (BodySource)', () => {
      it('creates the object from chunks of any size, byte for byte', async () => {
        const big = pseudoRandomBytes(3 * 1024 * 1024 + 5, 3);
        const r = await store.putIfAbsent('b/streamed.sst', unevenSource(big));
        assert.equal(r.created, true);
        const got = await store.get('b/streamed.sst');
        assert.ok(Buffer.from(got!.bytes).equals(Buffer.from(big)));
        assert.equal((await store.head('b/streamed.sst'))?.size, big.byteLength);
        assert.deepEqual(keysOf((await page({ prefix: 'b/' })).objects), ['b/streamed.sst']);
      });

      it('a zero-size body creates an empty object', async () => {
        assert.equal((await store.putIfAbsent('b/zero', { size: 0, chunks: async function* () {} })).created, true);
        assert.equal((await store.head('b/zero'))?.size, 0);
      });

      it('reports created:false over an existing object and leaves it unchanged', async () => {
        await store.putIfAbsent('b/one', bytesOf('first'));
        assert.deepEqual(await store.putIfAbsent('b/one', bytesSource(bytesOf('second, longer'))), { created: false });
        assert.equal(Buffer.from((await store.get('b/one'))!.bytes).toString('utf8'), 'first');
      });

      it('a body shorter or longer than its declared size fails with INVALID_ARGUMENT and creates nothing', async () => {
        const body = pseudoRandomBytes(200_000, 9);
        const short: BodySource = { size: body.byteLength + 1, chunks: () => unevenSource(body).chunks() };
        const long: BodySource = { size: body.byteLength - 1, chunks: () => unevenSource(body).chunks() };
        const wrongLast: BodySource = { size: 10, chunks: async function* () { yield bytesOf('0123456789'); yield bytesOf('!'); } };
        for (const [k, b] of [['b/short', short], ['b/long', long], ['b/exact-then-more', wrongLast]] as const) {
          await assert.rejects(store.putIfAbsent(k, b), invalidArgument, k);
          assert.equal(await store.head(k), undefined, `${k} must not exist`);
        }
        assert.deepEqual((await listAll(store, { prefix: 'b/' })).objects, []);
        assert.equal((await store.putIfAbsent('b/short', bytesSource(body))).created, true, 'the key is still free');
      });

      it('a body whose source fails midway creates nothing and reports the failure', async () => {
        const failing: BodySource = {
          size: 1_000_000,
          chunks: async function* () {
            yield pseudoRandomBytes(300_000, 1);
            throw new Error('source went away');
          },
        };
        await assert.rejects(store.putIfAbsent('b/failing', failing), /source went away/);
        assert.equal(await store.head('b/failing'), undefined);
      });

      it('refuses a body that is neither bytes nor a BodySource, or has a bad size', async () => {
        for (const b of [{ size: -1, chunks: async function* () {} }, { size: 1.5, chunks: async function* () {} }, 'text', { size: 3 }]) {
          await assert.rejects(store.putIfAbsent('b/bad', b as unknown as BodySource), invalidArgument, JSON.stringify(b));
        }
        assert.equal(await store.head('b/bad'), undefined);
      });

      it('10 concurrent streamed creates of one key: exactly one wins and its bytes are stored', async () => {
        const payloads = Array.from({ length: 10 }, (_, i) => pseudoRandomBytes(100_000 + i * 1000, 100 + i));
        const results = await Promise.all(payloads.map((p) => store.putIfAbsent('b/race', unevenSource(p))));
        const winners = results.map((r, i) => (r.created ? i : -1)).filter((i) => i >= 0);
        assert.equal(winners.length, 1, `winners ${JSON.stringify(winners)}`);
        assert.ok(Buffer.from((await store.get('b/race'))!.bytes).equals(Buffer.from(payloads[winners[0]])));
      });

      it('getStream piped into putIfAbsent copies a 5 MB object byte for byte', async () => {
        const big = pseudoRandomBytes(5 * 1024 * 1024, 13);
        await store.putIfAbsent('b/src', big);
        const src = await store.getStream('b/src');
        const r = await store.putIfAbsent('b/dst', { size: src!.meta.size, chunks: () => src!.chunks });
        assert.equal(r.created, true);
        assert.ok(Buffer.from((await store.get('b/dst'))!.bytes).equals(Buffer.from(big)));
      });
    });

    describe('copying objects', () => {
      it('copyObject from another kind of store streams the object (create-if-absent)', async () => {
        const other = new MemoryObjectStore('copy-source');
        const big = pseudoRandomBytes(2 * 1024 * 1024 + 3, 21);
        await other.putIfAbsent('src/x.sst', big);
        const first = await copyObject(other, 'src/x.sst', store, 'c/x.sst');
        assert.equal(first.result.created, true);
        assert.ok(Buffer.from((await store.get('c/x.sst'))!.bytes).equals(Buffer.from(big)));
        await other.putIfAbsent('src/y', bytesOf('different'));
        const second = await copyObject(other, 'src/y', store, 'c/x.sst');
        assert.equal(second.result.created, false);
        assert.equal((await store.head('c/x.sst'))?.size, big.byteLength, 'an existing object is never overwritten');
        await assert.rejects(copyObject(other, 'src/absent', store, 'c/z'), (e: unknown) => isEngineError(e, 'DATA_MISSING'));
        assert.equal(await store.head('c/z'), undefined);
      });

      it('copyObjectFrom a store it cannot copy from server-side answers unsupported and writes nothing', async function () {
        if (!store.copyObjectFrom) this.skip(); // optional in the contract; every backend here has it
        const other = new MemoryObjectStore('foreign');
        await other.putIfAbsent('k', bytesOf('v'));
        const foreign: ObjectStore = { description: 'foreign', listPage: (o) => other.listPage(o), get: (k) => other.get(k), getRange: (k, s0, e0) => other.getRange(k, s0, e0), getStream: (k) => other.getStream(k), head: (k) => other.head(k), putIfAbsent: (k, b) => other.putIfAbsent(k, b), delete: (k) => other.delete(k) };
        assert.equal(await store.copyObjectFrom(foreign, 'k', 'c/k'), 'unsupported');
        assert.equal(await store.head('c/k'), undefined);
      });

      it('copyObjectFrom a peer store copies server-side, never overwrites, and names a missing source', async function () {
        if (!peer || !store.copyObjectFrom) this.skip();
        const big = pseudoRandomBytes(1024 * 1024 + 77, 31);
        await peer!.putIfAbsent('p/a.sst', big);
        await peer!.putIfAbsent('p/b', bytesOf('other bytes'));
        const first = await copyObject(peer!, 'p/a.sst', store, 'c/a.sst');
        assert.deepEqual([first.serverSide, first.result.created], [true, true]);
        assert.ok(Buffer.from((await store.get('c/a.sst'))!.bytes).equals(Buffer.from(big)));
        assert.deepEqual(await store.copyObjectFrom(peer!, 'p/b', 'c/a.sst'), { created: false });
        assert.ok(Buffer.from((await store.get('c/a.sst'))!.bytes).equals(Buffer.from(big)), 'the existing object is unchanged');
        await assert.rejects(store.copyObjectFrom(peer!, 'p/absent', 'c/none'), (e: unknown) => isEngineError(e, 'DATA_MISSING'));
        assert.equal(await store.head('c/none'), undefined);
        assert.deepEqual(keysOf((await listAll(store, { prefix: 'c/' })).objects), ['c/a.sst']);
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

    describe('invalid keys (refused the same way by every backend, before any request)', () => {
      const outside: [string, string][] = [
        ['empty', ''],
        ['absolute', '/abs/key'],
        ['leading "/" only', '/'],
        ['trailing "/"', 'db/dir/'],
        ['doubled "/"', 'db//x'],
        ['"." segment', 'db/./x'],
        ['lone "."', '.'],
        ['".." segment', 'db/../x'],
        ['lone ".."', '..'],
        ['leading ".."', '../escape'],
        ['backslash', 'db\\x'],
        ['backslash escape', '..\\escape'],
        ['NUL', 'db/x\0y'],
      ];
      const invalid: [string, string][] = [
        ['lone high surrogate', 'db/x\uD800y'],
        ['lone low surrogate', 'db/\uDC00'],
        ['our staging name', 'db/.x.0123456789abcdef.tmp'],
        ["object_store's staging name", 'db/x#12'],
      ];
      const operations: [string, (k: string) => Promise<unknown>][] = [
        ['get', (k) => store.get(k)],
        ['getRange', (k) => store.getRange(k, 0, 10)],
        ['getStream', (k) => store.getStream(k)],
        ['head', (k) => store.head(k)],
        ['putIfAbsent', (k) => store.putIfAbsent(k, bytesOf('x'))],
        ['putIfAbsent (streamed)', (k) => store.putIfAbsent(k, bytesSource(bytesOf('x')))],
        ['delete', (k) => store.delete(k)],
      ];
      for (const [code, cases] of [['PATH_OUTSIDE_ROOT', outside], ['INVALID_ARGUMENT', invalid]] as const) {
        it(`refuses keys with ${cases.map(([what]) => what).join(', ')}: ${code} on every operation, nothing written`, async () => {
          for (const [what, key] of cases) {
            for (const [op, run] of operations) {
              await assert.rejects(run(key), (e: unknown) => isEngineError(e, code), `${op} of a key with ${what} (${JSON.stringify(key)})`);
            }
            if (store.copyObjectFrom) {
              await assert.rejects(store.copyObjectFrom(peer ?? store, 'ok', key), (e: unknown) => isEngineError(e, code), `copyObjectFrom to ${JSON.stringify(key)}`);
            }
          }
          assert.deepEqual((await listAll(store, {})).objects, []);
        });
      }

      it('refuses listing prefixes with an absolute, empty, "." or ".." segment, a backslash or NUL (PATH_OUTSIDE_ROOT) or a lone surrogate (INVALID_ARGUMENT)', async () => {
        await putAll(['db/x']);
        for (const prefix of ['/db', '/', 'db//', 'db/./', './', '../', 'db/../x', '..\\x', 'db\\', 'db/\0']) {
          await assert.rejects(store.listPage({ prefix }), (e: unknown) => isEngineError(e, 'PATH_OUTSIDE_ROOT'), `prefix ${JSON.stringify(prefix)}`);
        }
        for (const options of [{ prefix: 'db/\uD800' }, { startAfter: 'db/\uDFFF' }, { delimiter: '\uD800' }, { maxKeys: 0 }, { maxKeys: 1.5 }]) {
          await assert.rejects(store.listPage(options), invalidArgument, JSON.stringify(options));
        }
        // A partial last name may be anything a name may start with, "." and ".." included.
        assert.deepEqual(keysOf((await page({ prefix: 'db/' })).objects), ['db/x']);
        assert.deepEqual((await page({ prefix: 'db/..' })).objects, []);
        assert.deepEqual((await page({ prefix: 'db/.' })).objects, []);
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
