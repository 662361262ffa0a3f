/**
 * How a checkpoint is presented (src/shared/checkpointStatus.ts), shared by the tree, the pickers,
 * the dialogs and the history page: labels, expiry states and phrases, likely origin, sizes.
 */
import * as assert from 'node:assert/strict';
import {
  checkpointLabel,
  CheckpointLike,
  expiryPhrase,
  expiryState,
  formatBytes,
  likelyOrigin,
  ORIGIN_LABEL,
  plural,
  relativeTime,
  shortId,
} from '../../src/shared/checkpointStatus';
import { databaseLabel, STORE_ROOT_LABEL } from '../../src/shared/databaseLabel';

const NOW = 1_700_000_000;
const ID = '0190b3a4-5c6d-7e8f-9a0b-1c2d3e4f5a6b';
const cp = (o: Partial<CheckpointLike>): CheckpointLike => ({ createTimeS: NOW - 3600, expireTimeS: 0, name: null, writerEpoch: null, ...o });

describe('checkpoint status', () => {
  it('labels a checkpoint by its name, else by the first 8 characters of its id', () => {
    assert.equal(shortId(ID), '0190b3a4');
    assert.equal(checkpointLabel({ id: ID, name: null }), '0190b3a4');
    assert.equal(checkpointLabel({ id: ID, name: 'nightly' }), 'nightly');
    // An empty name is a name (SlateDB stores it), not "no name".
    assert.equal(checkpointLabel({ id: ID, name: '' }), '');
  });

  it('names a database by its path, and the store root by one fixed label', () => {
    assert.equal(databaseLabel('orders'), 'orders');
    assert.equal(databaseLabel('a/b'), 'a/b');
    assert.equal(databaseLabel(''), STORE_ROOT_LABEL);
    assert.equal(STORE_ROOT_LABEL, '(store root)');
  });

  it('expiry state: never, expired, expiring (under an hour, or under a tenth of the lifetime left), active', () => {
    assert.equal(expiryState(cp({ expireTimeS: 0 }), NOW), 'never');
    assert.equal(expiryState(cp({ expireTimeS: NOW }), NOW), 'expired', 'expiring exactly now is expired');
    assert.equal(expiryState(cp({ expireTimeS: NOW - 1 }), NOW), 'expired');
    assert.equal(expiryState(cp({ expireTimeS: NOW + 3599 }), NOW), 'expiring', 'under an hour left');
    assert.equal(expiryState(cp({ createTimeS: NOW - 3600, expireTimeS: NOW + 3600 }), NOW), 'active', 'an hour left of two');
    // 30 days of lifetime, 2 days left: under a tenth.
    assert.equal(expiryState(cp({ createTimeS: NOW - 28 * 86400, expireTimeS: NOW + 2 * 86400 }), NOW), 'expiring');
    assert.equal(expiryState(cp({ createTimeS: NOW - 20 * 86400, expireTimeS: NOW + 10 * 86400 }), NOW), 'active');
  });

  it('likely origin: the writer by its metadata, the compactor and readers by their unnamed lifetimes', () => {
    assert.equal(likelyOrigin(cp({ writerEpoch: 3, name: 'x' })), 'writer', 'writer metadata wins over a name');
    assert.equal(likelyOrigin(cp({ name: 'before-migration' })), 'user');
    assert.equal(likelyOrigin(cp({ createTimeS: NOW, expireTimeS: NOW + 900 })), 'compactor');
    assert.equal(likelyOrigin(cp({ createTimeS: NOW, expireTimeS: NOW + 600 })), 'reader');
    assert.equal(likelyOrigin(cp({ createTimeS: NOW, expireTimeS: NOW + 60 })), 'reader');
    assert.equal(likelyOrigin(cp({ createTimeS: NOW, expireTimeS: NOW + 7200 })), 'unknown');
    assert.equal(likelyOrigin(cp({ expireTimeS: 0 })), 'unknown', 'unnamed and never expiring');
    for (const origin of ['writer', 'compactor', 'reader', 'user', 'unknown'] as const) assert.ok(ORIGIN_LABEL[origin].length > 0, origin);
  });

  it('relative times keep minutes under 10 h, then whole hours, then days', () => {
    assert.equal(relativeTime(NOW + 30, NOW), 'in 30 s');
    assert.equal(relativeTime(NOW - 5 * 60, NOW), '5 min ago');
    assert.equal(relativeTime(NOW, NOW), 'now', 'the second of expiry is not "in 0 s"');
    assert.equal(relativeTime(NOW + 2 * 3600 + 30 * 60, NOW), 'in 2 h 30 min');
    assert.equal(relativeTime(NOW + 3600, NOW), 'in 1 h');
    assert.equal(relativeTime(NOW + 2 * 3600 + 59 * 60 + 50, NOW), 'in 3 h', '59.8 minutes round up to the next hour');
    assert.equal(relativeTime(NOW + 24 * 3600, NOW), 'in 24 h');
    assert.equal(relativeTime(NOW - 7 * 86400, NOW), '7 days ago');
  });

  it('expiry phrases say "never expires", "expires in …" or "expired … ago"', () => {
    assert.equal(expiryPhrase(cp({ expireTimeS: 0 }), NOW), 'never expires');
    assert.equal(expiryPhrase(cp({ createTimeS: NOW, expireTimeS: NOW + 7 * 86400 }), NOW), 'expires in 7 days');
    assert.equal(expiryPhrase(cp({ expireTimeS: NOW - 42 }), NOW), 'expired 42 s ago');
  });

  it('sizes in binary units with one decimal under 10, and counted nouns', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1024), '1.0 KiB');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(200 * 1024), '200 KiB');
    assert.equal(formatBytes(5 * 1024 ** 3), '5.0 GiB');
    assert.equal(formatBytes(3 * 1024 ** 5), '3072 TiB', 'TiB is the largest unit');
    assert.equal(plural(1, 'checkpoint'), '1 checkpoint');
    assert.equal(plural(0, 'checkpoint'), '0 checkpoints');
    assert.equal(plural(2, 'SST'), '2 SSTs');
  });
});
