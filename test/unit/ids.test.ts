/**
 * UUID / ULID ids (src/engine/ids.ts), checked against SST files the real engine wrote.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { EngineError } from '../../src/engine/errors';
import { newCheckpointId, normalizeUuid, parseUuid, ulidToString, uuidToString } from '../../src/engine/ids';
import { decodeManifest } from '../../src/engine/manifest/codec';
import { sstsOf } from '../../src/engine/manifest/model';
import { buildDatabase } from '../fixtures/realSlateDb';
import { parseUlid, ulidTime } from '../support/ulid';

function isCode(code: string, message?: RegExp) {
  return (e: unknown) => e instanceof EngineError && e.code === code && (!message || message.test(e.message));
}

describe('ids', () => {
  it('UUID {high, low} ↔ text round-trips, high is the most significant half, any case and whitespace are normalised', () => {
    const text = '0123abcd-4567-89ef-fedc-ba9876543210';
    const id = parseUuid(text);
    assert.deepEqual(id, { high: 0x0123abcd456789efn, low: 0xfedcba9876543210n });
    assert.equal(uuidToString(id), text);
    assert.equal(normalizeUuid(`  ${text.toUpperCase()} `), text);
    assert.equal(uuidToString({ high: 0n, low: 1n }), '00000000-0000-0000-0000-000000000001');
    assert.equal(uuidToString({ high: (1n << 64n) - 1n, low: (1n << 64n) - 1n }), 'ffffffff-ffff-ffff-ffff-ffffffffffff');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (high, low) => {
        assert.deepEqual(parseUuid(uuidToString({ high, low })), { high, low });
      }),
      { numRuns: 1000, seed: 5 },
    );
    for (const bad of ['', 'abc', '0123abcd456789effedcba9876543210', '{0123abcd-4567-89ef-fedc-ba9876543210}', '0123abcd-4567-89ef-fedc-ba987654321g']) {
      assert.throws(() => parseUuid(bad), isCode('INVALID_ARGUMENT'));
    }
  });

  it('new checkpoint ids are distinct random v4 UUIDs', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => uuidToString(newCheckpointId())));
    assert.equal(ids.size, 1000);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('ULID {high, low} ↔ 26-char Crockford base32 round-trips and decodes the ULID spec example\'s time', () => {
    // From the ULID spec: ulid(1469918176385) → 01ARYZ6S41TSV4RRFFQ69G5FAV.
    const spec = parseUlid('01ARYZ6S41TSV4RRFFQ69G5FAV');
    assert.equal(ulidTime(spec), 1469918176385);
    assert.equal(ulidToString(spec), '01ARYZ6S41TSV4RRFFQ69G5FAV');
    assert.equal(ulidToString(parseUlid('01arz3ndektsv4rrffq69g5fav')), '01ARZ3NDEKTSV4RRFFQ69G5FAV');
    assert.equal(ulidToString({ high: 0n, low: 0n }), '00000000000000000000000000');
    assert.equal(ulidToString({ high: (1n << 64n) - 1n, low: (1n << 64n) - 1n }), '7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (high, low) => {
        const text = ulidToString({ high, low });
        assert.match(text, /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
        assert.deepEqual(parseUlid(text), { high, low });
      }),
      { numRuns: 1000, seed: 6 },
    );
    for (const bad of ['', '8ZZZZZZZZZZZZZZZZZZZZZZZZZ', '01ARZ3NDEKTSV4RRFFQ69G5FAI', '01ARZ3NDEKTSV4RRFFQ69G5FA']) assert.throws(() => parseUlid(bad), isCode('INVALID_ARGUMENT'));
  });

  it('SST ids in a manifest the real engine wrote are the names of its files in compacted/', async function () {
    this.timeout(90_000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ids-real-'));
    try {
      const t0 = Date.now();
      const built = await buildDatabase({ rootDir: root, dbPath: 'db', rounds: 4, putsPerRound: 100, compaction: false, gc: false, readerCheckpoints: 0, closedReaders: 0, roundPauseMs: 0 });
      const latest = built.manifestIds.at(-1)!;
      const m = decodeManifest(new Uint8Array(fs.readFileSync(path.join(root, 'db', 'manifest', `${String(latest).padStart(20, '0')}.manifest`))));
      const ids = sstsOf(m).map((x) => x.id).sort();
      const files = fs.readdirSync(path.join(root, 'db', 'compacted')).filter((f) => f.endsWith('.sst')).map((f) => f.slice(0, -4)).sort();
      assert.equal(ids.length, 4);
      assert.deepEqual(ids, files);
      for (const id of ids) {
        const t = ulidTime(parseUlid(id));
        assert.ok(t >= t0 - 1000 && t <= Date.now() + 1000, `ULID ${id} time ${t} is not within the build`);
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
