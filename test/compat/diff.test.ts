/**
 * diffStates against the REAL engine: for every shared data fixture (five codecs, WAL tail, V2 views,
 * clone) and every pair of consecutive states (checkpoints in order, then latest), our diff equals the
 * difference of the engine's two scans (fx.truth), entry by entry, and nothing is written.
 */
import * as assert from 'node:assert/strict';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { diffStates, DiffRow } from '../../src/engine/read/diff';
import { resolveState } from '../../src/engine/read/pointInTime';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { DataFixtures, dataFixtures, OracleRow } from '../fixtures/dataDbs';
import { RecordingStore } from '../unit/sst/recordingStore';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The difference of two engine scans, in key order. */
function engineDiff(from: OracleRow[], to: OracleRow[]): string[] {
  const a = new Map(from.map((r) => [hex(r.key), hex(r.value)]));
  const b = new Map(to.map((r) => [hex(r.key), hex(r.value)]));
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => Buffer.compare(Buffer.from(x, 'hex'), Buffer.from(y, 'hex')));
  const out: string[] = [];
  for (const k of keys) {
    const x = a.get(k);
    const y = b.get(k);
    if (x === undefined) out.push(`+ ${k} ${y}`);
    else if (y === undefined) out.push(`- ${k} ${x}`);
    else if (x !== y) out.push(`~ ${k} ${x} ${y}`);
  }
  return out;
}

function line(d: DiffRow): string {
  if (d.kind === 'added') return `+ ${hex(d.key)} ${hex(d.newValue!)}`;
  if (d.kind === 'removed') return `- ${hex(d.key)} ${hex(d.oldValue!)}`;
  return `~ ${hex(d.key)} ${hex(d.oldValue!)} ${hex(d.newValue!)}`;
}

describe('diff equals the difference of two real-engine scans (shared data fixtures)', function () {
  this.timeout(300_000);
  let fx: DataFixtures;
  before(async () => {
    fx = await dataFixtures();
  });

  it('every database, every pair of consecutive states, and nothing is written', async () => {
    const store = new RecordingStore(new LocalObjectStore(fx.root));
    let pairs = 0;
    let differences = 0;
    for (const db of fx.databases.filter((d) => d.kind !== 'merge')) {
      const ms = new ManifestStore(store, db.path);
      const states = [...db.checkpoints.map((c) => c.label), 'latest'];
      for (let i = 0; i + 1 < states.length; i++) {
        const [from, to] = [states[i], states[i + 1]];
        const [tf, tt] = [fx.truth(db.name, from), fx.truth(db.name, to)];
        assert.ok('rows' in tf && 'rows' in tt, `${db.name}: engine scans of ${from} and ${to}`);
        const a = await resolveState(ms, fx.checkpoint(db.name, from).id);
        const b = await resolveState(ms, to === 'latest' ? undefined : fx.checkpoint(db.name, to).id);
        const ours: string[] = [];
        for await (const d of diffStates(store, a, b)) ours.push(line(d));
        const expected = engineDiff(tf.rows, tt.rows);
        assert.deepEqual(ours, expected, `${db.name}: ${from} → ${to}`);
        // and backwards: every added is removed, every change reversed
        const back: string[] = [];
        for await (const d of diffStates(store, b, a)) back.push(line(d));
        assert.deepEqual(back, engineDiff(tt.rows, tf.rows), `${db.name}: ${to} → ${from}`);
        pairs++;
        differences += ours.length;
      }
    }
    assert.ok(pairs >= 30, `${pairs} pairs compared`);
    assert.ok(differences > 1000, `${differences} differences`);
    assert.deepEqual(store.writes(), [], 'a diff never writes');
  });

  it('a range limits both sides; a diff of a state with itself is empty', async () => {
    const store = new LocalObjectStore(fx.root);
    const ms = new ManifestStore(store, 'codec-zstd');
    const a = await resolveState(ms, fx.checkpoint('codec-zstd', 'base').id);
    const b = await resolveState(ms);
    const same: DiffRow[] = [];
    for await (const d of diffStates(store, b, b)) same.push(d);
    assert.deepEqual(same, []);
    const prefix = Buffer.from('user:');
    const ranged: string[] = [];
    for await (const d of diffStates(store, a, b, { range: { start: prefix, end: Buffer.from('user;') } })) ranged.push(line(d));
    const tf = fx.truth('codec-zstd', 'base');
    const tt = fx.truth('codec-zstd', 'latest');
    assert.ok('rows' in tf && 'rows' in tt);
    const only = (rows: OracleRow[]) => rows.filter((r) => Buffer.from(r.key).subarray(0, 5).equals(prefix));
    assert.deepEqual(ranged, engineDiff(only(tf.rows), only(tt.rows)));
    assert.ok(ranged.length > 0);
  });
});
