/**
 * The data panel's query runner (src/extension/webview/dataLoader.ts) over a database the REAL
 * engine wrote (test/fixtures/dataDbs `codec-zstd`), against the engine's own scans: keyset paging
 * (each page starts right after the last key shown, pulls at most one row more than it shows, and
 * the pages together are exactly the engine's scan), searches, counts, and compare pages equal to
 * the difference of two engine scans.
 */
import * as assert from 'node:assert/strict';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { diffStates } from '../../src/engine/read/diff';
import type { KeyRange } from '../../src/engine/read/keyRange';
import { resolveState, scanState, StateSource } from '../../src/engine/read/pointInTime';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { DataQueryRunner, DataSource, searchRange } from '../../src/extension/webview/dataLoader';
import { DataCountMessage, DataDiffRowsMessage, DataExtensionToWebview, DataRowsMessage } from '../../src/shared/dataMessages';
import { DataFixtures, dataFixtures } from '../fixtures/dataDbs';
import { diffOf, TruthRow } from '../fixtures/dataHostFixtures';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const DB = 'codec-zstd';

describe('data panel queries on a real-engine database (keyset paging, search, count, compare)', function () {
  this.timeout(120_000);
  let fx: DataFixtures;
  let store: LocalObjectStore;
  let ms: ManifestStore;
  const truth = (state: string): TruthRow[] => {
    const scan = fx.truth(DB, state);
    if ('error' in scan) throw new Error(scan.error);
    return scan.rows.map((r) => ({ k: hex(r.key), v: hex(r.value) }));
  };
  const state = (label: string): Promise<StateSource> => resolveState(ms, label === 'latest' ? undefined : fx.checkpoint(DB, label).id);

  before(async () => {
    fx = await dataFixtures();
    store = new LocalObjectStore(fx.root);
    ms = new ManifestStore(store, fx.db(DB).path);
  });

  /** A browse source that counts the rows the runner pulls from the engine's scan. */
  function counted(s: StateSource): { source: DataSource; pulled: () => number } {
    let pulled = 0;
    return {
      source: {
        mode: 'browse',
        async *scan(range: KeyRange, signal: AbortSignal) {
          for await (const row of scanState(store, s, { range, signal })) {
            pulled++;
            yield row;
          }
        },
      },
      pulled: () => pulled,
    };
  }

  function runner(source: DataSource) {
    const sent: DataExtensionToWebview[] = [];
    return { r: new DataQueryRunner(source, (m) => sent.push(m), 100), sent };
  }

  it('pages follow each other after the last key shown, pull at most one extra row, and add up to the engine’s scan', async () => {
    const expected = truth('deletes');
    const c = counted(await state('deletes'));
    const { r, sent } = runner(c.source);
    await r.query({ type: 'data/query', queryId: 1, search: { kind: 'all' } });
    const first = sent.at(-1) as DataRowsMessage;
    assert.equal(first.type, 'data/rows');
    assert.equal(first.rows.length, 100);
    assert.equal(first.more, true);
    assert.ok(c.pulled() <= 101, `the first page pulled ${c.pulled()} rows of ${expected.length}`);
    const keys = first.rows.map((x) => x.keyHex);
    while ((sent.at(-1) as DataRowsMessage).more) {
      const before = c.pulled();
      await r.more(1);
      const page = sent.at(-1) as DataRowsMessage;
      assert.equal(page.first, false);
      assert.ok(page.rows[0].keyHex > keys.at(-1)!, 'the page starts after the last key shown');
      assert.ok(c.pulled() - before <= 101, `a page pulled ${c.pulled() - before} rows`);
      keys.push(...page.rows.map((x) => x.keyHex));
    }
    assert.deepEqual(keys, expected.map((x) => x.k));
    await r.countAll(1);
    const count = sent.filter((m): m is DataCountMessage => m.type === 'data/count').at(-1)!;
    assert.equal(count.state, 'done');
    assert.equal(count.counted, expected.length);
  });

  it('prefix, range and hex searches list the engine’s matching keys; an empty range is refused', async () => {
    const expected = truth('latest');
    const { r, sent } = runner(counted(await state('latest')).source);
    const keysOf = () => (sent.at(-1) as DataRowsMessage).rows.map((x) => x.keyHex);
    await r.query({ type: 'data/query', queryId: 1, search: { kind: 'prefix', prefix: 'user:002' } });
    assert.deepEqual(keysOf(), expected.filter((x) => x.k.startsWith(hex(Buffer.from('user:002')))).map((x) => x.k));
    await r.query({ type: 'data/query', queryId: 2, search: { kind: 'range', from: 'ttl:', to: 'user:' } });
    assert.deepEqual(keysOf(), expected.filter((x) => x.k >= hex(Buffer.from('ttl:')) && x.k < hex(Buffer.from('user:'))).map((x) => x.k));
    await r.query({ type: 'data/query', queryId: 3, search: { kind: 'prefix', prefix: '0xff' } });
    assert.deepEqual(keysOf(), expected.filter((x) => x.k.startsWith('ff')).map((x) => x.k));
    assert.ok(keysOf().length > 0);
    assert.throws(() => searchRange({ kind: 'range', from: 'b', to: 'a' }), /the range is empty/);
    await r.query({ type: 'data/query', queryId: 4, search: { kind: 'range', from: 'b', to: 'a' } });
    assert.equal(sent.at(-1)!.type, 'data/queryError');
  });

  it('compare pages and counts equal the difference of the engine’s two scans', async () => {
    const [from, to] = await Promise.all([state('base'), state('latest')]);
    const expected = diffOf(truth('base'), truth('latest'));
    const { r, sent } = runner({ mode: 'compare', diff: (range, signal) => diffStates(store, from, to, { range, signal }) });
    await r.query({ type: 'data/query', queryId: 1, search: { kind: 'all' } });
    const listed: string[] = [];
    for (;;) {
      const page = sent.at(-1) as DataDiffRowsMessage;
      listed.push(...page.rows.map((d) => `${d.kind} ${d.keyHex}`));
      if (!page.more) break;
      await r.more(1);
    }
    assert.deepEqual(listed, expected.map((d) => `${d.kind} ${d.k}`));
    await r.countAll(1);
    const count = sent.filter((m): m is DataCountMessage => m.type === 'data/count').at(-1)!;
    for (const kind of ['added', 'removed', 'changed'] as const) assert.equal(count[kind], expected.filter((d) => d.kind === kind).length, kind);
    // Only one kind.
    await r.query({ type: 'data/query', queryId: 2, search: { kind: 'all' }, kinds: ['removed'] });
    assert.deepEqual((sent.at(-1) as DataDiffRowsMessage).rows.map((d) => d.keyHex), expected.filter((d) => d.kind === 'removed').slice(0, 100).map((d) => d.k));
  });
});
