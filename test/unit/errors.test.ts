/**
 * The engine's typed errors (src/engine/errors.ts): stable codes, the object key, what `retryable`
 * means, and the helpers every layer uses instead of open-coded checks.
 */
import * as assert from 'node:assert/strict';
import { EngineError, isEngineError, messageOf, storeError, throwIfAborted } from '../../src/engine/errors';

describe('engine errors', () => {
  it('carry a stable code and the object key', () => {
    const e = new EngineError('MANIFEST_NOT_FOUND', 'manifest 7 is missing', { key: 'db/manifest/00000000000000000007.manifest' });
    assert.equal(e.code, 'MANIFEST_NOT_FOUND');
    assert.equal(e.key, 'db/manifest/00000000000000000007.manifest');
    assert.equal(e.name, 'EngineError');
  });

  it('are not retryable unless the thrower says so', () => {
    assert.equal(new EngineError('STORE_ERROR', 'x').retryable, false);
    assert.equal(new EngineError('STORE_ERROR', 'x', { retryable: true }).retryable, true);
  });

  it('storeError names the request and keeps the cause; the backend decides whether it is retryable', () => {
    const cause = new Error('socket hang up');
    const transient = storeError('get', 'db/manifest/1.manifest', cause, true);
    assert.equal(transient.code, 'STORE_ERROR');
    assert.equal(transient.message, 'get db/manifest/1.manifest failed: socket hang up');
    assert.equal(transient.key, 'db/manifest/1.manifest');
    assert.equal(transient.retryable, true);
    assert.equal(transient.cause, cause);
    assert.equal(storeError('put', 'k', 'access denied', false).retryable, false);
    assert.equal(storeError('put', 'k', 'access denied', false).message, 'put k failed: access denied');
  });

  it('storeError passes an EngineError through unchanged', () => {
    const original = new EngineError('PATH_OUTSIDE_ROOT', 'outside', { key: '../x' });
    assert.equal(storeError('get', '../x', original, true), original);
  });

  it('isEngineError checks the class and, when given, the code', () => {
    const e = new EngineError('CHECKPOINT_NOT_FOUND', 'gone');
    assert.ok(isEngineError(e));
    assert.ok(isEngineError(e, 'CHECKPOINT_NOT_FOUND'));
    assert.ok(!isEngineError(e, 'STORE_ERROR'));
    assert.ok(!isEngineError(new Error('plain')));
    assert.ok(!isEngineError({ code: 'CHECKPOINT_NOT_FOUND', message: 'look-alike' }));
  });

  it('messageOf gives the message of an Error and the text of anything else', () => {
    assert.equal(messageOf(new TypeError('bad type')), 'bad type');
    assert.equal(messageOf('a string'), 'a string');
    assert.equal(messageOf(42), '42');
    assert.equal(messageOf(undefined), 'undefined');
  });

  it('throwIfAborted throws CANCELLED naming the work once the signal is aborted, and nothing before', () => {
    const controller = new AbortController();
    throwIfAborted(controller.signal, 'loading history');
    throwIfAborted(undefined, 'loading history');
    controller.abort();
    assert.throws(
      () => throwIfAborted(controller.signal, 'loading history'),
      (e: unknown) => isEngineError(e, 'CANCELLED') && e.message === 'loading history was cancelled' && !e.retryable,
    );
  });
});
