import * as assert from 'node:assert/strict';
import { EngineError } from '../../src/engine/errors';

describe('engine errors', () => {
  it('carry a stable code and the object key', () => {
    const e = new EngineError('MANIFEST_NOT_FOUND', 'manifest 7 is missing', { key: 'db/manifest/00000000000000000007.manifest' });
    assert.equal(e.code, 'MANIFEST_NOT_FOUND');
    assert.equal(e.key, 'db/manifest/00000000000000000007.manifest');
  });
});
