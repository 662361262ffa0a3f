/**
 * The engine compatibility suite (engineCompat.ts) on the in-memory store. A memory store cannot
 * be opened by a second process, so each race client reaches the one MemoryObjectStore through
 * its own FaultInjectingStore that injects no faults, only 1–4 ms of latency per request (seeded):
 * without it the clients would take turns instead of racing.
 */

import { FaultInjectingStore } from '../../src/engine/store/faultInjectingStore';
import { MemoryObjectStore } from '../../src/engine/store/memoryStore';
import { runEngineCompatibility } from './engineCompat';

runEngineCompatibility('memory', async () => {
  const store = new MemoryObjectStore();
  let seed = 0;
  return {
    store,
    openClient: () => new FaultInjectingStore(store, { latencyMs: 1, jitterMs: 3, seed: ++seed }),
    cleanup: async () => {},
  };
});
