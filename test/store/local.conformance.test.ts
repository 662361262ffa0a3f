import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalObjectStore } from '../../src/engine/store/localStore';
import { listAll } from '../../src/engine/store/objectStore';
import { runObjectStoreConformance } from './conformance';

async function tempRoot(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'localstore-'));
  return { dir, cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }) };
}

runObjectStoreConformance('local directory', async () => {
  const { dir, cleanup } = await tempRoot();
  return { store: new LocalObjectStore(path.join(dir, 'root')), cleanup };
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
