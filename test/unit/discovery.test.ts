/**
 * Finding SlateDB databases under a prefix (src/engine/discovery.ts).
 */
import * as assert from 'node:assert/strict';
import { discoverDatabases } from '../../src/engine/discovery';
import { MemoryObjectStore } from '../../src/engine/store/memoryStore';
import { manifestV1, putManifest } from '../support/manifestKit';

describe('discoverDatabases', () => {
  it('finds nested databases (and one at the prefix itself), ignores folders that are not databases, never descends into a database', async () => {
    const store = new MemoryObjectStore();
    const manifest = manifestV1();
    await putManifest(store, 'a', 3, manifest);
    await putManifest(store, 'tenants/t1/orders', 12, manifest);
    await putManifest(store, 'tenants/t1/orders', 9, manifest);
    await putManifest(store, 'tenants/t2/deep/er/db', 1, manifest);
    // Not databases: an empty manifest folder, SSTs only, a stray file, a manifest-looking name elsewhere.
    await store.putIfAbsent('empty/manifest/README', new Uint8Array(1));
    await store.putIfAbsent('ssts-only/compacted/01ARZ3NDEKTSV4RRFFQ69G5FAV.sst', new Uint8Array(1));
    await store.putIfAbsent('notes.txt', new Uint8Array(1));
    await store.putIfAbsent('misc/00000000000000000001.manifest', new Uint8Array(1));
    // Inside a database: a database-looking folder under wal/ must not be reported.
    await putManifest(store, 'a/wal/x', 1, manifest);
    await putManifest(store, 'a/inner', 1, manifest);

    const found = await discoverDatabases(store);
    assert.deepEqual(found, [
      { path: 'a', latestManifestId: 3 },
      { path: 'tenants/t1/orders', latestManifestId: 12 },
      { path: 'tenants/t2/deep/er/db', latestManifestId: 1 },
    ]);
    assert.deepEqual(await discoverDatabases(store, '/tenants/'), [
      { path: 'tenants/t1/orders', latestManifestId: 12 },
      { path: 'tenants/t2/deep/er/db', latestManifestId: 1 },
    ]);
    assert.deepEqual(await discoverDatabases(store, 'tenants/t1/orders'), [{ path: 'tenants/t1/orders', latestManifestId: 12 }]);
    assert.deepEqual(await discoverDatabases(store, 'nothing'), []);
  });

  it('finds a database at the store root as path ""', async () => {
    const store = new MemoryObjectStore();
    await putManifest(store, '', 4, manifestV1());
    assert.deepEqual(await discoverDatabases(store), [{ path: '', latestManifestId: 4 }]);
  });

  it('stops at maxDepth: a database 4 folders down is found with maxDepth 4, not 3', async () => {
    const store = new MemoryObjectStore();
    await putManifest(store, 'l1/l2/l3/db', 1, manifestV1());
    assert.deepEqual(await discoverDatabases(store, '', { maxDepth: 3 }), []);
    assert.deepEqual(await discoverDatabases(store, '', { maxDepth: 4 }), [{ path: 'l1/l2/l3/db', latestManifestId: 1 }]);
  });
});
