/** The verified-OK marks a checkpoint's tooltip shows: they hold only while the latest manifest is the one seen. */
import * as assert from 'node:assert/strict';
import { VerificationState } from '../../src/extension/verificationState';

const db = { connectionId: 'c1', dbPath: 'orders' };
const CP = '0f9c5a1e-6a43-4a8e-9d7e-0b1f3c2d4e5f';

describe('VerificationState', () => {
  it('an OK mark holds while the latest manifest is the one seen when verifying, and lapses after', () => {
    const s = new VerificationState();
    s.recordOk(db, CP, { at: 1000, deep: false, latestManifestId: 7 });
    assert.equal(s.current(db, CP, 7)?.at, 1000);
    assert.equal(s.current(db, CP, 8), undefined, 'a newer manifest: the mark lapses');
    assert.equal(s.current(db, CP, undefined), undefined);
    assert.equal(s.current({ ...db, dbPath: 'other' }, CP, 7), undefined, 'per database');
  });

  it('a shallow pass does not downgrade a deep one of the same manifest; a failure clears the mark; listeners hear the database', () => {
    const s = new VerificationState();
    const heard: string[] = [];
    const sub = s.onDidChange((t) => heard.push(t.dbPath));
    s.recordOk(db, CP, { at: 1, deep: true, latestManifestId: 7 });
    s.recordOk(db, CP, { at: 2, deep: false, latestManifestId: 7 });
    assert.deepEqual(s.current(db, CP, 7), { at: 1, deep: true, latestManifestId: 7 });
    s.recordOk(db, CP, { at: 3, deep: false, latestManifestId: 9 });
    assert.equal(s.current(db, CP, 9)?.deep, false, 'a newer manifest replaces it');
    s.recordFailed(db, CP);
    assert.equal(s.current(db, CP, 9), undefined);
    s.recordFailed(db, CP);
    sub.dispose();
    s.recordOk(db, CP, { at: 4, deep: false, latestManifestId: 9 });
    assert.deepEqual(heard, ['orders', 'orders', 'orders'], 'one event per change, none after dispose');
  });
});
