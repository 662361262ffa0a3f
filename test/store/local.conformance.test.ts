import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { listAll } from '../../src/engine/store/objectStore';
import { runObjectStoreConformance } from './conformance';

async function tempRoot(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'localstore-'));
  return { dir, cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }) };
}

runObjectStoreConformance('local directory', async () => {
  const { dir, cleanup } = await tempRoot();
  return { store: new LocalObjectStore(path.join(dir, 'root')), peer: new LocalObjectStore(path.join(dir, 'peer')), cleanup };
});

describe('LocalObjectStore listing of a big directory', function () {
  const N = 10_000;
  let dir: string;
  let cleanup: () => Promise<void>;
  let store: LocalObjectStore;
  const key = (i: number) => `db/manifest/${String(i).padStart(20, '0')}.manifest`;

  before(async () => {
    ({ dir, cleanup } = await tempRoot());
    const m = path.join(dir, 'db', 'manifest');
    fs.mkdirSync(m, { recursive: true });
    for (let i = 1; i <= N; i++) fs.writeFileSync(path.join(dir, key(i)), 'x');
    store = new LocalObjectStore(dir);
  });

  after(() => cleanup());

  /** Count the file-system metadata calls the store makes while `fn` runs. */
  async function countingStats<T>(fn: () => Promise<T>): Promise<{ result: T; calls: number }> {
    const p = fs.promises as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const names = ['stat', 'lstat', 'realpath'];
    const originals = names.map((n) => p[n]);
    let calls = 0;
    names.forEach((n, i) => {
      p[n] = (...a: unknown[]) => {
        calls++;
        return originals[i](...a);
      };
    });
    try {
      return { result: await fn(), calls };
    } finally {
      names.forEach((n, i) => (p[n] = originals[i]));
    }
  }

  it('with startAfter near the end of 10,000 files, stats only the keys it returns', async () => {
    const { result, calls } = await countingStats(() => store.listPage({ prefix: 'db/manifest/', startAfter: key(N - 5) }));
    assert.deepEqual(
      result.objects.map((o) => o.key),
      [N - 4, N - 3, N - 2, N - 1, N].map(key),
    );
    assert.equal(result.nextContinuationToken, undefined);
    assert.ok(calls <= 5 + 3, `expected about one stat per returned key, saw ${calls} metadata calls`);
  });

  it('a prefix ending mid-name near the end stats only the matches', async () => {
    const { result, calls } = await countingStats(() => store.listPage({ prefix: 'db/manifest/0000000000000000999' }));
    assert.deepEqual(
      result.objects.map((o) => o.key),
      [9990, 9991, 9992, 9993, 9994, 9995, 9996, 9997, 9998, 9999].map(key),
    );
    assert.ok(calls <= 10 + 3, `saw ${calls} metadata calls`);
  });

  it('pages through all 10,000 in order with the default page size', async () => {
    const all = await listAll(store, { prefix: 'db/' });
    assert.equal(all.objects.length, N);
    for (let i = 0; i < N; i++) assert.equal(all.objects[i].key, key(i + 1));
  });

  it('rolls the big directory into one common prefix without statting its files', async () => {
    const { result, calls } = await countingStats(() => store.listPage({ delimiter: '/' }));
    assert.deepEqual(result.commonPrefixes, ['db/']);
    assert.ok(calls <= 3, `saw ${calls} metadata calls`);
    const inner = await store.listPage({ prefix: 'db/', delimiter: '/' });
    assert.deepEqual(inner.commonPrefixes, ['db/manifest/']);
  });
});

describe('LocalObjectStore listings agree with the in-memory model', function () {
  /** xorshift32: deterministic cases. */
  function rng(seed: number): () => number {
    let x = seed >>> 0 || 1;
    return () => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x / 4294967296;
    };
  }
  const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const pieces = ['a', 'b', 'A', '-', '.', 'é', '\uE000', '😀', '0', 'a-b', 'x.y'] as const;

  /** Random keys a directory can hold: no key is also a "folder" of another. */
  function randomKeys(r: () => number, n: number): string[] {
    const keys = new Set<string>();
    while (keys.size < n) {
      const depth = 1 + Math.floor(r() * 3);
      const segs = Array.from({ length: depth }, () => Array.from({ length: 1 + Math.floor(r() * 2) }, () => pick(r, pieces)).join(''));
      if (segs.some((s) => s === '.' || s === '..')) continue;
      const k = segs.join('/');
      const clashes = [...keys].some((o) => o.startsWith(k + '/') || k.startsWith(o + '/') || o === k);
      if (!clashes) keys.add(k);
    }
    return [...keys];
  }

  function bruteForce(keys: string[], prefix: string, delimiter: string | undefined, startAfter: string | undefined) {
    const bytes = (s: string) => Buffer.from(s, 'utf8');
    const sorted = [...keys]
      .filter((k) => k.startsWith(prefix) && (startAfter === undefined || Buffer.compare(bytes(k), bytes(startAfter)) > 0))
      .sort((a, b) => Buffer.compare(bytes(a), bytes(b)));
    const objects: string[] = [];
    const commonPrefixes: string[] = [];
    for (const k of sorted) {
      const idx = delimiter === undefined ? -1 : k.indexOf(delimiter, prefix.length);
      if (idx < 0) objects.push(k);
      else {
        const cp = k.slice(0, idx + delimiter!.length);
        if (!commonPrefixes.includes(cp)) commonPrefixes.push(cp);
      }
    }
    return { objects, commonPrefixes };
  }

  let tmp: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir: tmp, cleanup } = await tempRoot()));
  after(() => cleanup());

  for (let seed = 1; seed <= 6; seed++) {
    it(`pages, prefixes, delimiters and startAfter give identical results (seed ${seed})`, async () => {
      const { MemoryObjectStore } = await import('../../src/engine/store/memoryStore');
      const r = rng(seed);
      const keys = randomKeys(r, 40);
      const local = new LocalObjectStore(path.join(tmp, `s${seed}`));
      const memory = new MemoryObjectStore();
      for (const k of keys) {
        await local.putIfAbsent(k, new TextEncoder().encode(k));
        await memory.putIfAbsent(k, new TextEncoder().encode(k));
      }
      for (let q = 0; q < 60; q++) {
        const base = pick(r, keys);
        const prefix = r() < 0.2 ? '' : base.slice(0, Math.floor(r() * (base.length + 1)));
        if (/(^|\/)\.{1,2}\//.test(prefix) || prefix.startsWith('/') || prefix.includes('//')) continue;
        // cutting through a surrogate pair makes an invalid prefix; skip those
        if (/[\uD800-\uDBFF]$/.test(prefix)) continue;
        const delimiter = pick(r, [undefined, '/', '-', '.', 'a/', '/0'] as const);
        const other = pick(r, keys);
        const startAfter = r() < 0.4 ? other.slice(0, Math.floor(r() * (other.length + 1))).replace(/[\uD800-\uDBFF]$/, '') : undefined;
        const maxKeys = pick(r, [1, 2, 3, 1000]);
        const run = async (s: typeof local | typeof memory) => {
          const pages: { objects: string[]; commonPrefixes: string[] }[] = [];
          let token: string | undefined;
          do {
            const p = await s.listPage({ prefix, delimiter, startAfter, maxKeys, continuationToken: token });
            pages.push({ objects: p.objects.map((o) => o.key), commonPrefixes: p.commonPrefixes });
            token = p.nextContinuationToken;
          } while (token && pages.length < 200);
          return pages;
        };
        const opts = JSON.stringify({ prefix, delimiter, startAfter, maxKeys });
        const fromLocal = await run(local);
        assert.deepEqual(fromLocal, await run(memory), `listing ${opts}`);
        // ...and both agree with a brute-force reading of S3 ListObjectsV2.
        const expected = bruteForce(keys, prefix, delimiter, startAfter);
        assert.deepEqual(fromLocal.flatMap((p) => p.objects), expected.objects, `objects of ${opts}`);
        assert.deepEqual(fromLocal.flatMap((p) => p.commonPrefixes), expected.commonPrefixes, `common prefixes of ${opts}`);
        fromLocal.forEach((p, i) => {
          const n = p.objects.length + p.commonPrefixes.length;
          assert.ok(i === fromLocal.length - 1 ? n <= maxKeys : n === maxKeys, `page ${i} of ${opts} has ${n} items`);
        });
      }
    });
  }
});
