/**
 * Path globs (src/engine/glob.ts) and finding the databases they match (src/engine/multiDb.ts) on
 * an in-memory store, with the number of listings a bounded glob costs.
 */
import * as assert from 'node:assert/strict';
import { compileGlob } from '../../../src/engine/glob';
import { findDatabases } from '../../../src/engine/multiDb';
import { CountingObjectStore } from '../../../src/engine/store/countingStore';
import { MemoryObjectStore } from '../../../src/engine/store/memoryStore';
import { manifestV1, putManifest } from '../../support/manifestKit';

describe('path globs', () => {
  const table: Array<[string, string, boolean]> = [
    ['tenants/*', 'tenants/a', true],
    ['tenants/*', 'tenants/a/b', false],
    ['tenants/*', 'tenants', false],
    ['tenants/**', 'tenants/a/b', true],
    ['tenants/**', 'tenants', true], // ** is zero or more segments
    ['**/db', 'db', true],
    ['**/db', 'x/y/db', true],
    ['**/db', 'x/y/dbs', false],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/*/b', 'a/x/y/b', false],
    ['db-*', 'db-1', true],
    ['db-*', 'xdb-1', false],
    ['db.*', 'dbx1', false], // "." is literal
    ['*', '', false],
    ['**', '', true],
    ['orders', 'orders', true],
    ['/tenants/*/', 'tenants/a', true],
  ];
  for (const [glob, path, expected] of table) {
    it(`${glob} ${expected ? 'matches' : 'does not match'} "${path}"`, () => assert.equal(compileGlob(glob).matches(path), expected));
  }

  it('static prefix and depth', () => {
    assert.equal(compileGlob('a/b/*/c').staticPrefix, 'a/b');
    assert.equal(compileGlob('a/b/*/c').deep, false);
    assert.equal(compileGlob('**').staticPrefix, '');
    assert.equal(compileGlob('x/**/y').deep, true);
  });

  it('rejects empty globs, ".." and partial "**"', () => {
    assert.throws(() => compileGlob(''), /empty/);
    assert.throws(() => compileGlob('a/../b'), /invalid segment ".."/);
    assert.throws(() => compileGlob('a/b**'), /"\*\*" must be a whole segment/);
    assert.throws(() => compileGlob('a//b'), /invalid segment ""/);
  });
});

describe('finding databases by glob', () => {
  async function store(): Promise<MemoryObjectStore> {
    const s = new MemoryObjectStore();
    for (const db of ['tenants/a', 'tenants/b', 'tenants/c/nested', 'other/x', 'top']) await putManifest(s, db, 3, manifestV1());
    await putManifest(s, 'tenants/b', 5, manifestV1());
    await s.putIfAbsent('tenants/notadb/readme.txt', new Uint8Array([1]));
    await s.putIfAbsent('tenants/a/compacted/01HF7YAT0D006H4D2PF2DBSQQX.sst', new Uint8Array([1]));
    return s;
  }

  it('a bounded glob: one delimiter listing per wildcard folder, one manifest listing per candidate', async () => {
    const counting = new CountingObjectStore(await store());
    const found = await findDatabases(counting, 'tenants/*');
    assert.deepEqual(found, [
      { path: 'tenants/a', latestManifestId: 3 },
      { path: 'tenants/b', latestManifestId: 5 },
    ]);
    // tenants/ (1) + a, b, c, notadb manifest/ listings (4)
    assert.equal(counting.counts.list, 5);
    assert.equal(counting.counts.get, 0);
  });

  it('a deep glob walks with discovery and filters', async () => {
    const s = await store();
    assert.deepEqual((await findDatabases(s, 'tenants/**')).map((d) => d.path), ['tenants/a', 'tenants/b', 'tenants/c/nested']);
    assert.deepEqual((await findDatabases(s, '**/x')).map((d) => d.path), ['other/x']);
    assert.deepEqual((await findDatabases(s, '**')).map((d) => d.path), ['other/x', 'tenants/a', 'tenants/b', 'tenants/c/nested', 'top']);
  });

  it('literal segments and wildcards inside a segment', async () => {
    const s = await store();
    assert.deepEqual((await findDatabases(s, 'tenants/*/nested')).map((d) => d.path), ['tenants/c/nested']);
    assert.deepEqual((await findDatabases(s, 'tenants/[ab]')).map((d) => d.path), []);
    assert.deepEqual((await findDatabases(s, 't*')).map((d) => d.path), ['top']);
    assert.deepEqual((await findDatabases(s, 'top')).map((d) => d.path), ['top']);
    assert.deepEqual(await findDatabases(s, 'nothing/*'), []);
  });
});
