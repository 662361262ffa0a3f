import * as assert from 'node:assert/strict';
import { isEngineError } from '../../src/engine/errors';
import { CountingObjectStore } from '../../src/engine/store/countingStore';
import { FaultInjectingStore } from '../../src/engine/store/faultyStore';
import { MemoryObjectStore } from '../../src/engine/store/memoryStore';
import type { ObjectStore } from '../../src/engine/store/objectStore';
import { runObjectStoreConformance } from './conformance';

runObjectStoreConformance('memory', async () => ({ store: new MemoryObjectStore(), cleanup: async () => {} }));

// The test wrappers must not change semantics when they inject nothing.
runObjectStoreConformance('memory behind CountingObjectStore', async () => ({
  store: new CountingObjectStore(new MemoryObjectStore()),
  cleanup: async () => {},
}));
runObjectStoreConformance('memory behind FaultInjectingStore (latency, throttled, no faults)', async () => ({
  store: new FaultInjectingStore(new MemoryObjectStore(), { latencyMs: 1, jitterMs: 2, maxConcurrent: 3, seed: 7 }),
  cleanup: async () => {},
}));

const bytes = (s: string) => new TextEncoder().encode(s);

describe('CountingObjectStore', () => {
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

  it('rejects rates outside 0..1', () => {
    assert.throws(() => new FaultInjectingStore(new MemoryObjectStore(), { errorRate: 1.5 }), (e: unknown) => isEngineError(e, 'INVALID_ARGUMENT'));
  });
});
