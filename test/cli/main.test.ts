/**
 * How the CLI entry point (src/cli/main.ts) reports a failure: its code and exit status.
 * The end-to-end behaviour of dist/cli.js is in cli.test.ts.
 */
import * as assert from 'node:assert/strict';
import { exitCodeOf, reportedError } from '../../src/cli/main';
import { EngineError } from '../../src/engine/errors';

describe('CLI failure reporting', () => {
  it('an EngineError is reported as it is', () => {
    const e = new EngineError('CHECKPOINT_NOT_FOUND', 'checkpoint x does not exist', { key: 'db/manifest/1.manifest' });
    assert.equal(reportedError(e), e);
    assert.equal(exitCodeOf(e), 1);
  });

  it('anything else is a bug of ours: INTERNAL, not retryable, with the original message and cause, exit 1', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    const err = reportedError(bug);
    assert.equal(err.code, 'INTERNAL');
    assert.equal(err.retryable, false);
    assert.match(err.message, /^unexpected error \(a bug in slatedb-checkpoints\): Cannot read properties of undefined/);
    assert.equal(err.cause, bug);
    assert.equal(exitCodeOf(err), 1);
    assert.equal(reportedError('thrown string').message, 'unexpected error (a bug in slatedb-checkpoints): thrown string');
  });

  it('bad usage or input exits 2', () => {
    assert.equal(exitCodeOf(new EngineError('INVALID_ARGUMENT', 'unknown command "x"')), 2);
  });
});
