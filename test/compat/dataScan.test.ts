/**
 * Our point-in-time scan (src/engine/read) against the REAL engine, entry by entry (key, value, seq,
 * expire_ts): every shared data fixture (test/fixtures/dataDbs: five codecs, merge operator, WAL
 * tail, V2 with views, clone) at every checkpoint and at latest. The engine's scans were taken when
 * the fixtures were built (DbReader with_checkpoint_id / latest; a writer on a copy for the clone).
 */
import * as assert from 'node:assert/strict';
import { isEngineError } from '../../src/engine/errors';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { resolveState, scanState } from '../../src/engine/read/pointInTime';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { DataFixtures, dataFixtures, OracleRow } from '../fixtures/dataDbs';

const show = (k: Uint8Array) => JSON.stringify(Buffer.from(k).toString('latin1'));

async function ours(fx: DataFixtures, db: string, checkpointId: string | undefined): Promise<OracleRow[]> {
  const store = new LocalObjectStore(fx.root);
  const state = await resolveState(new ManifestStore(store, fx.db(db).path), checkpointId);
  const rows: OracleRow[] = [];
  for await (const r of scanState(store, state)) rows.push({ key: r.key, value: r.value, seq: r.seq, expireTs: r.expireTs });
  return rows;
}

function assertSameRows(actual: OracleRow[], expected: OracleRow[], what: string): void {
  for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
    const a = actual[i];
    const e = expected[i];
    assert.ok(a && e, `${what}: row ${i}: ours ${a ? show(a.key) : 'missing'}, engine ${e ? show(e.key) : 'missing'} (${actual.length} vs ${expected.length} rows)`);
    assert.ok(Buffer.from(a.key).equals(Buffer.from(e.key)), `${what}: row ${i}: key ${show(a.key)} ≠ engine ${show(e.key)}`);
    assert.ok(Buffer.from(a.value).equals(Buffer.from(e.value)), `${what}: value of ${show(a.key)} differs`);
    assert.equal(a.seq, e.seq, `${what}: seq of ${show(a.key)}`);
    assert.equal(a.expireTs, e.expireTs, `${what}: expire_ts of ${show(a.key)}`);
  }
}

describe('scan equals the real engine (shared data fixtures)', function () {
  this.timeout(180_000);
  let fx: DataFixtures;
  before(async () => {
    fx = await dataFixtures();
  });

  it('the fixtures hold what they claim: L0 and sorted runs together, WAL-only rows, TTL rows, V2 views', () => {
    let expiredSeen = 0;
    for (const db of fx.databases.filter((d) => d.kind === 'codec')) {
      assert.ok(Object.values(db.shapes).some((s) => s.l0 > 0 && s.sortedRuns > 0), `${db.name}: a state with L0 over sorted runs`);
      const final = fx.truth(db.name, 'final');
      assert.ok('rows' in final);
      const lastL0 = BigInt(db.shapes.final.lastL0Seq);
      assert.ok(final.rows.some((r) => r.seq > lastL0), `${db.name}: rows only in the WAL at final`);
      // The engine does not filter reads on expire_ts: a TTL row stays visible while it lasts in the
      // files (a compaction may drop it once expired, so which state still holds one is timing).
      assert.ok(db.checkpoints.some((c) => { const t = fx.truth(db.name, c.label); return 'rows' in t && t.rows.some((r) => r.expireTs !== null); }), `${db.name}: a TTL row`);
      if (db.checkpoints.some((c) => { const t = fx.truth(db.name, c.label); return 'rows' in t && t.rows.some((r) => r.expireTs !== null && r.expireTs < BigInt(Date.now())); })) expiredSeen++;
    }
    assert.ok(expiredSeen > 0, 'some codec database holds an expired TTL row at some checkpoint (visible, as the engine reads it)');
    assert.ok(fx.db('v2-views').notes.some((n) => /split into two views/.test(n)) && fx.db('v2-views').notes.some((n) => /L0 view/.test(n)));
  });

  it('every database, every checkpoint and latest, entry by entry', async () => {
    let states = 0;
    for (const db of fx.databases.filter((d) => d.kind !== 'merge')) {
      for (const state of [...db.checkpoints.map((c) => c.label), 'latest']) {
        const truth = fx.truth(db.name, state);
        assert.ok('rows' in truth, `${db.name} ${state}: engine failed: ${'error' in truth ? truth.error : ''}`);
        const cp = state === 'latest' ? undefined : fx.checkpoint(db.name, state).id;
        assertSameRows(await ours(fx, db.name, cp), truth.rows, `${db.name} at ${state}`);
        states++;
      }
    }
    assert.ok(states >= 40, `${states} states compared`);
  });

  it('merge database: a key whose newest entry is an operand fails the scan naming the key, as the engine (without an operator) fails', async () => {
    for (const state of [...fx.db('merge').checkpoints.map((c) => c.label), 'latest']) {
      const engine = fx.truthWithoutOperator('merge', state);
      assert.ok('error' in engine && /merge operator missing/i.test(engine.error), `${state}: engine without operator: ${JSON.stringify(engine).slice(0, 200)}`);
      const cp = state === 'latest' ? undefined : fx.checkpoint('merge', state).id;
      // The first key whose newest entry is an operand fails the scan (count:a, or count:b once a
      // compaction has applied the operator to count:a's base and operands); the rows before it equal
      // the engine's (with its operator).
      const store0 = new LocalObjectStore(fx.root);
      const before: OracleRow[] = [];
      let failure: unknown;
      try {
        for await (const r of scanState(store0, await resolveState(new ManifestStore(store0, 'merge'), cp))) before.push(r);
      } catch (e) {
        failure = e;
      }
      assert.ok(isEngineError(failure, 'MERGE_OPERATOR_MISSING'), `${state}: ${String(failure)}`);
      const failed = /key "(count:[ab])"/.exec((failure as Error).message)?.[1];
      assert.ok(failed, (failure as Error).message);
      const withOperator = fx.truth('merge', state);
      assert.ok('rows' in withOperator);
      assertSameRows(before, withOperator.rows.filter((r) => Buffer.compare(Buffer.from(r.key), Buffer.from(failed)) < 0), `merge ${state}: rows before ${failed}`);
    }
  });
});
