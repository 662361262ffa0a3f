import * as assert from 'node:assert/strict';
import { isEngineError } from '../../src/engine/errors';
import { CountingObjectStore } from '../../src/engine/store/countingStore';
import { FaultInjectingStore } from '../../src/engine/store/faultInjectingStore';
import { MemoryObjectStore } from '../../src/engine/store/memoryStore';
import type { ObjectStore } from '../../src/engine/store/objectStore';
import { runObjectStoreConformance } from './conformance';

runObjectStoreConformance('memory', async () => ({ store: new MemoryObjectStore(), peer: new MemoryObjectStore('peer'), cleanup: async () => {} }));

// The test wrappers must not change semantics when they inject nothing.
runObjectStoreConformance('memory behind CountingObjectStore', async () => ({
  store: new CountingObjectStore(new MemoryObjectStore()),
  peer: new MemoryObjectStore('peer'),
  cleanup: async () => {},
}));
runObjectStoreConformance('memory behind FaultInjectingStore (every fault kind at rate 0)', async () => ({
  store: new FaultInjectingStore(new MemoryObjectStore(), {
    errorRate: 0,
    throttleErrorRate: 0,
    hangRate: 0,
    hangMs: 5,
    landedThenTimeoutRate: 0,
    deleteLandedThenTimeoutRate: 0,
    staleListRate: 0,
    staleGetRate: 0,
    seed: 9,
  }),
  peer: new MemoryObjectStore('peer'),
  cleanup: async () => {},
}));
runObjectStoreConformance('memory behind FaultInjectingStore (latency, throttled, no faults)', async () => ({
  store: new FaultInjectingStore(new MemoryObjectStore(), { latencyMs: 1, jitterMs: 2, maxConcurrent: 3, seed: 7 }),
  peer: new MemoryObjectStore('peer'),
  cleanup: async () => {},
}));

const bytes = (s: string) => new TextEncoder().encode(s);

describe('CountingObjectStore', () => {
  it('counts a range read, a streamed read and a server-side copy as one request each, by kind', async () => {
    const store = new CountingObjectStore(new MemoryObjectStore());
    const peer = new MemoryObjectStore('peer');
    await peer.putIfAbsent('src', bytes('0123456789'));
    await store.putIfAbsent('a', bytes('0123456789'));
    store.reset();
    assert.equal(Buffer.from((await store.getRange('a', 2, 5))!).toString(), '234');
    await store.getStream('a');
    await store.get('a');
    assert.equal(((await store.copyObjectFrom(peer, 'src', 'b')) as { created: boolean }).created, true);
    assert.deepEqual(store.counts, { list: 0, get: 3, head: 0, put: 1, delete: 0 });
    assert.deepEqual(store.reads, { whole: 1, range: 1, stream: 1, copy: 1 });
  });

  it('counts each request by operation, failed ones included, and reset zeroes the counts', async () => {
    const store = new CountingObjectStore(new MemoryObjectStore());
    await store.putIfAbsent('a', bytes('1'));
    await store.putIfAbsent('a', bytes('1'));
    await store.get('a');
    await store.get('b');
    await store.head('a');
    await store.listPage({});
    await store.delete('a');
    await assert.rejects(store.get('../x'));
    assert.deepEqual(store.counts, { list: 1, get: 3, head: 1, put: 2, delete: 1 });
    assert.equal(store.total, 8);
    store.reset();
    assert.deepEqual(store.counts, { list: 0, get: 0, head: 0, put: 0, delete: 0 });
  });
});

describe('FaultInjectingStore', () => {
  async function outcomes(store: ObjectStore, n: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      try {
        await store.head('k');
        out.push('ok');
      } catch (e) {
        assert.ok(isEngineError(e, 'STORE_ERROR') && e.retryable && e.message.includes('injected fault'));
        out.push('fail');
      }
    }
    return out;
  }

  it('errorRate fails about that share of requests with a retryable STORE_ERROR, the same ones for the same seed', async () => {
    const a = await outcomes(new FaultInjectingStore(new MemoryObjectStore(), { errorRate: 0.3, seed: 11 }), 400);
    const b = await outcomes(new FaultInjectingStore(new MemoryObjectStore(), { errorRate: 0.3, seed: 11 }), 400);
    const c = await outcomes(new FaultInjectingStore(new MemoryObjectStore(), { errorRate: 0.3, seed: 12 }), 400);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    const failures = a.filter((x) => x === 'fail').length;
    assert.ok(failures > 80 && failures < 160, `${failures} of 400 failed`);
  });

  it('a failed request never reaches the store', async () => {
    const inner = new CountingObjectStore(new MemoryObjectStore());
    const store = new FaultInjectingStore(inner, { errorRate: 1 });
    await assert.rejects(store.putIfAbsent('k', bytes('x')));
    assert.equal(inner.counts.put, 0);
    assert.equal(store.injected.errors, 1);
  });

  it('landedThenTimeoutRate: the put really creates the object, then reports a retryable timeout', async () => {
    const inner = new MemoryObjectStore();
    const store = new FaultInjectingStore(inner, { landedThenTimeoutRate: 1 });
    await assert.rejects(store.putIfAbsent('m/1', bytes('mine')), (e: unknown) => isEngineError(e, 'STORE_ERROR') && e.retryable);
    assert.equal(Buffer.from((await inner.get('m/1'))!.bytes).toString(), 'mine');
    // A retry finds the object (ours): the caller must compare bytes.
    assert.deepEqual(await store.putIfAbsent('m/1', bytes('mine')), { created: false });
    assert.equal(store.injected.landedThenTimeout, 1);
  });

  it('staleListRate: a page omits its newest object', async () => {
    const inner = new MemoryObjectStore();
    for (const k of ['m/1', 'm/2', 'm/3']) {
      await inner.putIfAbsent(k, bytes(k));
      await new Promise((r) => setTimeout(r, 3));
    }
    const store = new FaultInjectingStore(inner, { staleListRate: 1 });
    const page = await store.listPage({ prefix: 'm/' });
    assert.deepEqual(
      page.objects.map((o) => o.key),
      ['m/1', 'm/2'],
    );
    store.configure({ staleListRate: 0 });
    assert.equal((await store.listPage({ prefix: 'm/' })).objects.length, 3);
  });

  it('throttled mode keeps at most maxConcurrent requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const inner = new MemoryObjectStore();
    const probe: ObjectStore = {
      description: 'probe',
      listPage: (o) => inner.listPage(o),
      head: (k) => inner.head(k),
      getRange: (k, s, e) => inner.getRange(k, s, e),
      getStream: (k) => inner.getStream(k),
      putIfAbsent: (k, b) => inner.putIfAbsent(k, b),
      delete: (k) => inner.delete(k),
      get: async (k) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return inner.get(k);
      },
    };
    const store = new FaultInjectingStore(probe, { maxConcurrent: 3, latencyMs: 1 });
    await Promise.all(Array.from({ length: 20 }, () => store.get('x')));
    assert.equal(peak, 3);
  });

  it('throttleErrorRate: a 503 SlowDown before the store, retryable, counted, deterministic per seed', async () => {
    const run = async (seed: number) => {
      const inner = new CountingObjectStore(new MemoryObjectStore());
      const store = new FaultInjectingStore(inner, { throttleErrorRate: 0.3, seed });
      const out: string[] = [];
      for (let i = 0; i < 300; i++) {
        try {
          await store.head('k');
          out.push('ok');
        } catch (e) {
          assert.ok(isEngineError(e, 'STORE_ERROR') && e.retryable && /throttling/.test(e.message) && e.message.includes('SlowDown: reduce request rate'), String(e));
          out.push('slowdown');
        }
      }
      const n = out.filter((x) => x === 'slowdown').length;
      assert.equal(store.injected.throttled, n);
      assert.equal(inner.counts.head, 300 - n, 'a throttled request never reaches the store');
      return out;
    };
    const a = await run(5);
    assert.deepEqual(a, await run(5));
    assert.notDeepEqual(a, await run(6));
    const n = a.filter((x) => x === 'slowdown').length;
    assert.ok(n > 60 && n < 120, `${n} of 300 throttled`);
  });

  it('hangRate: no answer for hangMs, then a retryable timeout, without reaching the store', async () => {
    const inner = new CountingObjectStore(new MemoryObjectStore());
    const store = new FaultInjectingStore(inner, { hangRate: 1, hangMs: 40 });
    const t0 = Date.now();
    await assert.rejects(store.putIfAbsent('k', bytes('x')), (e: unknown) => isEngineError(e, 'STORE_ERROR') && e.retryable && /timed out after 40 ms/.test(e.message));
    assert.ok(Date.now() - t0 >= 35, `answered after ${Date.now() - t0} ms`);
    assert.equal(inner.counts.put, 0);
    assert.equal(await inner.head('k'), undefined);
    assert.equal(store.injected.hangs, 1);
  });

  it('deleteLandedThenTimeoutRate: the delete really happens, then reports a retryable timeout', async () => {
    const inner = new MemoryObjectStore();
    await inner.putIfAbsent('d/1', bytes('x'));
    const store = new FaultInjectingStore(inner, { deleteLandedThenTimeoutRate: 1 });
    await assert.rejects(store.delete('d/1'), (e: unknown) => isEngineError(e, 'STORE_ERROR') && e.retryable && e.message.includes('timed out'));
    assert.equal(await inner.head('d/1'), undefined);
    assert.equal(store.injected.deleteLandedThenTimeout, 1);
    // Other requests are not affected.
    assert.deepEqual((await store.putIfAbsent('d/2', bytes('y'))).created, true);
    assert.equal(store.injected.landedThenTimeout, 0);
  });

  it('staleGetRate: a GET of an existing manifest answers absent; other keys and absent keys are untouched', async () => {
    const inner = new MemoryObjectStore();
    const manifest = 'db/manifest/00000000000000000007.manifest';
    await inner.putIfAbsent(manifest, bytes('m'));
    await inner.putIfAbsent('db/gc/manifest.boundary', bytes('3'));
    const store = new FaultInjectingStore(inner, { staleGetRate: 1 });
    assert.equal(await store.get(manifest), undefined);
    assert.equal(await store.get('db/manifest/00000000000000000008.manifest'), undefined);
    assert.equal(Buffer.from((await store.get('db/gc/manifest.boundary'))!.bytes).toString(), '3');
    assert.ok(await store.head(manifest), 'HEAD is not affected');
    assert.equal(store.injected.staleGets, 1);
    store.configure({ staleGetRate: 0 });
    assert.ok(await store.get(manifest));
  });

  it('the later fault kinds leave the choices of errorRate unchanged for a seed', async () => {
    const plain = await outcomes(new FaultInjectingStore(new MemoryObjectStore(), { errorRate: 0.3, seed: 11 }), 200);
    const withMore = await outcomes(new FaultInjectingStore(new MemoryObjectStore(), { errorRate: 0.3, staleGetRate: 0.5, deleteLandedThenTimeoutRate: 0.5, seed: 11 }), 200);
    assert.deepEqual(withMore, plain);
  });

  it('rejects new rates outside 0..1 and a negative hangMs', () => {
    for (const o of [{ throttleErrorRate: 2 }, { hangRate: -0.1 }, { deleteLandedThenTimeoutRate: 1.1 }, { staleGetRate: Number.NaN }, { hangMs: -1 }]) {
      assert.throws(() => new FaultInjectingStore(new MemoryObjectStore(), o), (e: unknown) => isEngineError(e, 'INVALID_ARGUMENT'), JSON.stringify(o));
    }
  });

  it('rejects rates outside 0..1', () => {
    assert.throws(() => new FaultInjectingStore(new MemoryObjectStore(), { errorRate: 1.5 }), (e: unknown) => isEngineError(e, 'INVALID_ARGUMENT'));
  });
});
