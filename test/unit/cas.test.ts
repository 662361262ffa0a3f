/**
 * The generic compare-and-swap loop (src/engine/cas.ts) on a toy protocol: an in-memory sequence
 * of versions whose test hooks play the other writers. What the loop decides on its own — retry,
 * re-check, give up — without knowing what a version holds. The manifest protocol on a real store
 * is tested in manifest/manifestCommit.test.ts.
 */
import * as assert from 'node:assert/strict';
import { applyUpdate, backoff, CasProtocol, CreateOutcome, decidedOn, Step } from '../../src/engine/cas';
import { EngineError, isEngineError } from '../../src/engine/errors';

interface Version {
  id: number;
  text: string;
}

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Versions 1..n in memory; every protocol call is recorded, and each can be overridden. */
class ToyProtocol implements CasProtocol<Version> {
  readonly versions = new Map<number, string>([[1, 'a']]);
  readonly calls: string[] = [];
  readonly noted: number[] = [];
  /** Runs before each create: another writer can win the id here. */
  beforeCreate: ((id: number) => void) | undefined;
  createOverride: ((id: number, bytes: Uint8Array) => CreateOutcome) | undefined;
  confirmOverride: ((id: number) => string | undefined) | undefined;
  readOverride: (() => Version) | undefined;

  private latest(): Version {
    const id = Math.max(...this.versions.keys());
    return { id, text: this.versions.get(id)! };
  }
  async readLatest(): Promise<Version> {
    this.calls.push('read');
    return this.readOverride ? this.readOverride() : this.latest();
  }
  async newerExists(id: number): Promise<boolean> {
    this.calls.push(`newer?${id}`);
    return this.versions.has(id + 1);
  }
  async create(id: number, bytes: Uint8Array): Promise<CreateOutcome> {
    this.calls.push(`create${id}`);
    this.beforeCreate?.(id);
    if (this.createOverride) return this.createOverride(id, bytes);
    if (this.versions.has(id)) return 'exists';
    this.versions.set(id, dec(bytes));
    return 'created';
  }
  async confirm(write: { id: number }): Promise<string | undefined> {
    this.calls.push(`confirm${write.id}`);
    return this.confirmOverride?.(write.id);
  }
  noteExists(id: number): void {
    this.noted.push(id);
  }
  label(id: number): string {
    return `version ${id}`;
  }
  gaveUp(s: { attempts: number; lastReason: string; unconfirmedOnly: boolean }): Error {
    return new EngineError(s.unconfirmedOnly ? 'BEHIND_GC_BOUNDARY' : 'COMMIT_CONFLICT', `gave up after ${s.attempts}: ${s.lastReason}`, { retryable: true });
  }
}

const append = (suffix: string) => (v: Version): Step<string> => ({ bytes: enc(v.text + suffix), result: `${v.id}→${v.id + 1}` });
const noSleep = { sleep: async () => undefined, random: () => 0.5 };

describe('generic CAS loop', () => {
  it('commits N+1 on the first attempt: read, create, confirm, and notes the new id', async () => {
    const p = new ToyProtocol();
    const out = await applyUpdate(p, append('b'), noSleep);
    assert.deepEqual(out, { result: '1→2', committedId: 2, baseId: 1, attempts: 1 });
    assert.deepEqual(p.calls, ['read', 'create2', 'confirm2']);
    assert.deepEqual(p.noted, [2]);
    assert.equal(p.versions.get(2), 'ab');
  });

  it('after losing the create to another writer, re-reads and applies the step to the winner, with backoff in between', async () => {
    const p = new ToyProtocol();
    p.beforeCreate = (id) => {
      if (id === 2) p.versions.set(2, 'theirs');
    };
    const sleeps: number[] = [];
    const out = await applyUpdate(p, append('+ours'), { sleep: async (ms) => void sleeps.push(ms), random: () => 1 });
    assert.equal(out.committedId, 3);
    assert.equal(out.attempts, 2);
    assert.equal(p.versions.get(3), 'theirs+ours');
    assert.deepEqual(p.noted, [2, 3], 'the id that was taken is noted as existing');
    assert.deepEqual(sleeps, [25]);
  });

  it('gives up with the protocol\'s error after maxAttempts lost races; no sleep after the last attempt', async () => {
    const p = new ToyProtocol();
    p.createOverride = () => 'exists';
    const sleeps: number[] = [];
    await assert.rejects(applyUpdate(p, append('x'), { maxAttempts: 3, sleep: async (ms) => void sleeps.push(ms), random: () => 1 }), (e: unknown) =>
      isEngineError(e, 'COMMIT_CONFLICT') && /gave up after 3: version 2 was created by another writer first/.test(e.message),
    );
    assert.deepEqual(sleeps, [25, 50]);
  });

  it('a write whose outcome is unknown is retried on a fresh read (the step is applied again, not the same bytes blindly)', async () => {
    const p = new ToyProtocol();
    let first = true;
    p.createOverride = (id, bytes) => {
      if (first) {
        first = false;
        return 'unknown';
      }
      p.versions.set(id, dec(bytes));
      return 'created';
    };
    const out = await applyUpdate(p, append('b'), noSleep);
    assert.deepEqual(p.calls, ['read', 'create2', 'read', 'create2', 'confirm2']);
    assert.equal(out.committedId, 2);
    assert.deepEqual(p.noted, [2], 'an unknown outcome is not noted as existing');
  });

  it('a landed write the protocol does not confirm is retried; when no attempt is confirmed, gaveUp is told so', async () => {
    const p = new ToyProtocol();
    p.confirmOverride = (id) => (id < 4 ? `version ${id} is below the boundary` : undefined);
    const out = await applyUpdate(p, append('!'), noSleep);
    assert.equal(out.committedId, 4);
    assert.equal(out.attempts, 3);

    const never = new ToyProtocol();
    never.confirmOverride = (id) => `version ${id} is below the boundary`;
    await assert.rejects(applyUpdate(never, append('!'), { ...noSleep, maxAttempts: 2 }), (e: unknown) => isEngineError(e, 'BEHIND_GC_BOUNDARY') && /version 3 is below/.test(e.message));
  });

  describe('decisions about version N', () => {
    it('a no-op is final when no N+1 exists: one check, nothing created', async () => {
      const p = new ToyProtocol();
      const out = await applyUpdate(p, () => ({ noop: true, result: 'nothing' }), noSleep);
      assert.deepEqual(out, { result: 'nothing', baseId: 1, attempts: 1 });
      assert.deepEqual(p.calls, ['read', 'newer?1']);
    });

    it('a no-op on a version a lagging read returned is re-decided on N+1, which is noted as existing', async () => {
      const p = new ToyProtocol();
      p.versions.set(2, 'ab');
      let lagging = true;
      p.readOverride = () => {
        if (!lagging) return { id: 2, text: 'ab' };
        lagging = false;
        return { id: 1, text: 'a' };
      };
      const seen: number[] = [];
      const out = await applyUpdate(p, (v) => (seen.push(v.id), v.id === 1 ? { noop: true, result: 'stale' } : append('c')(v)), noSleep);
      assert.deepEqual(seen, [1, 2]);
      assert.equal(out.committedId, 3);
      assert.deepEqual(p.noted, [2, 3]);
    });

    it('an error marked with decidedOn is thrown when N is the latest, and re-decided when N+1 exists', async () => {
      const notFound = () => decidedOn(new EngineError('CHECKPOINT_NOT_FOUND', 'no such thing'));
      const p = new ToyProtocol();
      await assert.rejects(applyUpdate(p, () => { throw notFound(); }, noSleep), (e: unknown) => isEngineError(e, 'CHECKPOINT_NOT_FOUND'));
      assert.deepEqual(p.calls, ['read', 'newer?1']);

      const lag = new ToyProtocol();
      lag.versions.set(2, 'a+thing');
      let reads = 0;
      lag.readOverride = () => (reads++ === 0 ? { id: 1, text: 'a' } : { id: 2, text: 'a+thing' });
      const step = (v: Version): Step<string> => {
        if (v.text.includes('thing')) return { noop: true, result: 'found' };
        throw notFound();
      };
      const out = await applyUpdate(lag, step, noSleep);
      assert.equal(out.result, 'found');
      assert.equal(out.baseId, 2);
    });

    it('an unmarked error from a step ends the loop at once, without checking for a newer version', async () => {
      const p = new ToyProtocol();
      await assert.rejects(applyUpdate(p, () => { throw new EngineError('MANIFEST_READ_ONLY', 'do not touch'); }, noSleep), (e: unknown) => isEngineError(e, 'MANIFEST_READ_ONLY'));
      assert.deepEqual(p.calls, ['read']);
    });
  });

  describe('read failures', () => {
    it('a retryable read failure costs an attempt, not the operation', async () => {
      const p = new ToyProtocol();
      let failures = 2;
      p.readOverride = () => {
        if (failures-- > 0) throw new EngineError('STORE_ERROR', 'get failed: 503', { retryable: true });
        return { id: 1, text: 'a' };
      };
      const out = await applyUpdate(p, append('b'), noSleep);
      assert.equal(out.attempts, 3);
      assert.equal(out.committedId, 2);
    });

    it('a non-retryable read failure, or a retryable one on the last attempt, is thrown as it is', async () => {
      const denied = new ToyProtocol();
      denied.readOverride = () => {
        throw new EngineError('STORE_ERROR', 'access denied', { retryable: false });
      };
      await assert.rejects(applyUpdate(denied, append('b'), noSleep), /access denied/);
      assert.deepEqual(denied.calls, ['read']);

      const flaky = new ToyProtocol();
      flaky.readOverride = () => {
        throw new EngineError('STORE_ERROR', 'timeout', { retryable: true });
      };
      await assert.rejects(applyUpdate(flaky, append('b'), { ...noSleep, maxAttempts: 3 }), (e: unknown) => isEngineError(e, 'STORE_ERROR') && e.message === 'timeout');
      assert.deepEqual(flaky.calls, ['read', 'read', 'read']);
    });
  });

  it('backoff is full jitter below min(cap, base·2^(attempt-1)), the exponent capped at 16', () => {
    const top = { random: () => 0.999999 };
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((a) => backoff(a, top)), [24, 49, 99, 199, 399, 799, 999]);
    assert.equal(backoff(3, { random: () => 0 }), 0);
    assert.equal(backoff(40, { baseDelayMs: 1, maxDelayMs: 1e9, random: () => 0.5 }), 32768, '2^16 at most');
    assert.equal(backoff(2, { baseDelayMs: 10, maxDelayMs: 15, random: () => 0.5 }), 7);
  });
});
