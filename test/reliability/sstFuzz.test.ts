/**
 * Reliability of the SST decoder under corruption (seeded, reproducible).
 *
 * Seeds: SSTs and WAL files the REAL engine wrote with every codec
 * (test/unit/sst/realCodecDbs.ts) plus test-written V1 and V2 SSTs.
 * Mutants (> 10,000 in all):
 *   1. whole objects: bit flips, byte overwrites, truncation, insertion and deletion, read through
 *      SstReader.open + every row + verifyAll;
 *   2. one section rewritten with a VALID CRC (so the decoders behind the checksum run): a data
 *      block, the index, the SsTableInfo, or the footer's offset/version;
 *   3. the pure decoders directly (data blocks V1/V2, index, SsTableInfo, each codec) on mutated
 *      payloads, each decoded twice: from a tight copy and as a view inside a larger buffer of
 *      guard bytes — the outcomes must be the same (a decoder that read past its view would differ).
 * Every outcome must be success or a typed error: EngineError DATA_CORRUPT through the reader,
 * DecodeFailure from the pure decoders. Never a RangeError/TypeError, never a hang (each case's
 * time is bounded).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { EngineError } from '../../src/engine/errors';
import { blocksCovering } from '../../src/engine/sst/blockSpans';
import { checkedPayload } from '../../src/engine/sst/checksum';
import { decompress } from '../../src/engine/sst/compression';
import { decodeDataBlock } from '../../src/engine/sst/dataBlock';
import { decodeSsTableIndex, decodeSsTableInfo } from '../../src/engine/sst/flatTables';
import { DecodeFailure } from '../../src/engine/sst/sstError';
import { SstReader } from '../../src/engine/sst/sstReader';
import type { CompressionName } from '../../src/engine/sst/types';
import { mulberry32 } from '../../src/engine/store/seededRandom';
import { MemoryObjectStore } from '../../src/engine/store/memoryStore';
import { codecDbs } from '../unit/sst/realCodecDbs';
import { buildSst, BuildRow, withCrc } from '../unit/sst/sstBuilder';

/** Bound on one mutant (objects here are ≤ ~100 KB; typical cases take well under 5 ms). */
const MAX_CASE_MS = 2000;

interface Seed {
  name: string;
  bytes: Uint8Array;
  key: string;
}

function syntheticSeeds(): Seed[] {
  const rows: BuildRow[] = [];
  for (let i = 0; i < 400; i++) rows.push({ key: `k/${String(i).padStart(4, '0')}`, value: i % 9 === 0 ? '' : `value-${i}`.repeat(1 + (i % 5)), seq: 5000 - i, kind: i % 13 === 0 ? 'tombstone' : i % 17 === 0 ? 'merge' : 'value', expireTs: i % 3 ? undefined : 7n, createTs: i % 4 ? undefined : 9n });
  const out: Seed[] = [];
  for (const formatVersion of [1, 2] as const) {
    for (const codec of ['none', 'zlib', 'snappy'] as const) {
      out.push({ name: `synthetic v${formatVersion} ${codec}`, bytes: buildSst(rows, { formatVersion, codec, blockSize: 1024 }).bytes, key: `db/compacted/SYNTH${formatVersion}${codec}.sst` });
    }
  }
  return out;
}

async function realSeeds(): Promise<Seed[]> {
  const out: Seed[] = [];
  for (const db of await codecDbs()) {
    for (const dir of ['compacted', 'wal']) {
      const abs = path.join(db.rootDir, db.dbPath, dir);
      for (const f of fs.readdirSync(abs).sort()) {
        const bytes = new Uint8Array(fs.readFileSync(path.join(abs, f)));
        if (bytes.length > 120_000) continue; // keep the run fast: the big first WAL/L0 adds nothing new
        out.push({ name: `${db.codec} ${dir}/${f}`, bytes, key: `db/${dir}/${f}` });
      }
    }
  }
  return out;
}

function mutateBytes(b: Uint8Array, rnd: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  const kind = pick(6);
  let out = b.slice();
  const at = pick(Math.max(1, b.length));
  switch (kind) {
    case 0: // bit flips
      for (let i = 0, n = 1 + pick(4); i < n && out.length > 0; i++) out[pick(out.length)] ^= 1 << pick(8);
      break;
    case 1: // overwrite a run with random or extreme bytes
      for (let i = 0, n = 1 + pick(8), v = pick(3); i < n && at + i < out.length; i++) out[at + i] = v === 0 ? 0xff : v === 1 ? 0 : pick(256);
      break;
    case 2: // truncate
      out = out.slice(0, at);
      break;
    case 3: {
      // insert
      const ins = new Uint8Array(1 + pick(16)).map(() => pick(256));
      out = new Uint8Array([...b.subarray(0, at), ...ins, ...b.subarray(at)]);
      break;
    }
    case 4: // delete a run
      out = new Uint8Array([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at + 1 + pick(16)))]);
      break;
    default: {
      // a big-endian u16/u32 field set to an extreme (lengths, counts, offsets)
      const v = [0, 1, 0xffff, 0x7fffffff, 0xffffffff][pick(5)];
      const view = new DataView(out.buffer);
      if (at + 4 <= out.length) view.setUint32(at, v >>> 0, pick(2) === 0);
      else if (at + 2 <= out.length) view.setUint16(at, v & 0xffff);
    }
  }
  return out;
}

function timed<T>(what: string, f: () => T): T {
  const t = Date.now();
  const r = f();
  const ms = Date.now() - t;
  assert.ok(ms < MAX_CASE_MS, `${what} took ${ms} ms`);
  return r;
}

/** Reads an object to the end the way a scan and verify do; returns 'ok' or the error code. */
async function readAll(store: MemoryObjectStore, key: string): Promise<string> {
  const t = Date.now();
  try {
    const reader = await SstReader.open(store, key);
    let n = 0;
    for await (const _ of reader.rows()) n++;
    await reader.verifyAll();
    // a seek too, when the index says the file is compacted
    const spans = await reader.spans();
    if (!reader.isWal && spans.ends.length > 0) {
      const mid = spans.index.firstKeys[spans.ends.length >> 1];
      blocksCovering(spans.index, mid, undefined);
      for await (const _ of reader.rows({ from: mid })) n++;
    }
    return 'ok';
  } catch (e) {
    if (!(e instanceof EngineError)) throw new Error(`untyped ${e instanceof Error ? e.name : typeof e}: ${String(e)} (${key})`);
    assert.ok(e.code === 'DATA_CORRUPT', `${e.code}: ${e.message}`);
    assert.equal(e.key, key);
    return e.code;
  } finally {
    assert.ok(Date.now() - t < MAX_CASE_MS, `reading mutant of ${key} took ${Date.now() - t} ms`);
  }
}

/** Outcome of a pure decoder: 'ok:<json-ish>' or 'fail:<message>'. Anything else is a bug. */
function pure(f: () => unknown): string {
  try {
    const v = f();
    return 'ok:' + (Array.isArray(v) ? v.length : typeof v);
  } catch (e) {
    if (e instanceof DecodeFailure) return 'fail:' + e.message;
    throw new Error(`untyped ${e instanceof Error ? e.name : typeof e} from a pure decoder: ${String(e)}`);
  }
}

/** The same bytes as a view inside a bigger buffer with guard bytes on both sides. */
function guarded(b: Uint8Array, guard: number): Uint8Array {
  const big = new Uint8Array(b.length + 64).fill(guard);
  big.set(b, 32);
  return big.subarray(32, 32 + b.length);
}

describe('SST decoder fuzzing (seeded)', function () {
  this.timeout(120_000);
  let seeds: Seed[];
  const counts = { whole: 0, section: 0, pure: 0, corrupt: 0, ok: 0 };

  before(async () => {
    seeds = [...(await realSeeds()), ...syntheticSeeds()];
    assert.ok(seeds.length >= 30, `${seeds.length} seeds`);
  });

  after(() => {
    console.log(`      ${counts.whole} whole-object + ${counts.section} CRC-valid section + ${counts.pure} pure-decoder mutants; reader outcomes: ${counts.ok} ok, ${counts.corrupt} DATA_CORRUPT`);
  });

  it('whole-object mutants: only DATA_CORRUPT, no hang', async () => {
    const rnd = mulberry32(0x55f1);
    for (let i = 0; i < 3000; i++) {
      const seed = seeds[i % seeds.length];
      const store = new MemoryObjectStore();
      await store.putIfAbsent(seed.key, mutateBytes(seed.bytes, rnd));
      (await readAll(store, seed.key)) === 'ok' ? counts.ok++ : counts.corrupt++;
      counts.whole++;
    }
  });

  it('mutants with a valid CRC (data block, index, SsTableInfo, footer): only DATA_CORRUPT, no hang', async () => {
    const rnd = mulberry32(0xc0ffee);
    for (const seed of seeds) {
      const base = new MemoryObjectStore();
      await base.putIfAbsent(seed.key, seed.bytes);
      const reader = await SstReader.open(base, seed.key);
      if (reader.info === null) continue;
      const info = reader.info;
      const spans = await reader.spans();
      const metaOffset = info.indexOffset + info.indexLen + (info.statsLen > 0 ? info.statsLen : 0);
      const sections: Array<[number, number]> = [[info.indexOffset, info.indexOffset + info.indexLen], [metaOffset, seed.bytes.length - 10]];
      spans.ends.forEach((end, b) => sections.push([spans.index.offsets[b], end]));
      for (let i = 0; i < 60; i++) {
        const kind = Math.floor(rnd() * 4);
        let bytes: Uint8Array;
        if (kind === 3) {
          // footer: meta_offset or version
          bytes = seed.bytes.slice();
          const view = new DataView(bytes.buffer);
          if (rnd() < 0.5) view.setBigUint64(bytes.length - 10, BigInt(Math.floor(rnd() * bytes.length * 2)));
          else view.setUint16(bytes.length - 2, [0, 1, 2, 3, 0xffff][Math.floor(rnd() * 5)]);
        } else {
          const [s, e] = kind === 0 ? sections[1] : kind === 1 ? sections[0] : sections[2 + Math.floor(rnd() * Math.max(1, sections.length - 2))] ?? sections[0];
          const payload = mutateBytes(seed.bytes.subarray(s, e - 4), rnd);
          const section = withCrc(payload);
          bytes = new Uint8Array([...seed.bytes.subarray(0, s), ...section, ...seed.bytes.subarray(e)]);
        }
        const store = new MemoryObjectStore();
        await store.putIfAbsent(seed.key, bytes);
        (await readAll(store, seed.key)) === 'ok' ? counts.ok++ : counts.corrupt++;
        counts.section++;
      }
    }
    assert.ok(counts.section >= 1500, `${counts.section} section mutants`);
  });

  it('pure decoders on mutated payloads: only DecodeFailure, same outcome inside guard bytes', async () => {
    const rnd = mulberry32(0xb10c);
    type Target = { what: string; payload: Uint8Array; decode: (b: Uint8Array) => unknown };
    const targets: Target[] = [];
    for (const seed of seeds) {
      const base = new MemoryObjectStore();
      await base.putIfAbsent(seed.key, seed.bytes);
      const reader = await SstReader.open(base, seed.key);
      if (reader.info === null) continue;
      const { compression, indexOffset, indexLen } = reader.info;
      const spans = await reader.spans();
      const version = reader.formatVersion;
      const codec = compression as CompressionName;
      const indexRaw = checkedPayload(seed.bytes.subarray(indexOffset, indexOffset + indexLen));
      targets.push({ what: `${seed.name} index (${codec})`, payload: indexRaw, decode: (b) => decodeSsTableIndex(decompress(codec, b)) });
      targets.push({ what: `${seed.name} index`, payload: decompress(codec, indexRaw).slice(), decode: decodeSsTableIndex });
      const metaOffset = Number(new DataView(seed.bytes.buffer, seed.bytes.byteOffset).getBigUint64(seed.bytes.length - 10));
      targets.push({ what: `${seed.name} info`, payload: checkedPayload(seed.bytes.subarray(metaOffset, seed.bytes.length - 10)).slice(), decode: decodeSsTableInfo });
      for (let b = 0; b < Math.min(3, spans.ends.length); b++) {
        const raw = checkedPayload(seed.bytes.subarray(spans.index.offsets[b], spans.ends[b]));
        targets.push({ what: `${seed.name} block ${b} (${codec})`, payload: raw.slice(), decode: (x) => decodeDataBlock(decompress(codec, x), version) });
        targets.push({ what: `${seed.name} block ${b} v${version}`, payload: decompress(codec, raw).slice(), decode: (x) => decodeDataBlock(x, version) });
        targets.push({ what: `${seed.name} block ${b} as v${3 - version}`, payload: decompress(codec, raw).slice(), decode: (x) => decodeDataBlock(x, 3 - version) });
      }
    }
    const perTarget = Math.ceil(6000 / targets.length);
    for (const t of targets) {
      for (let i = 0; i < perTarget; i++) {
        const m = mutateBytes(t.payload, rnd);
        const tight = timed(t.what, () => pure(() => t.decode(m.slice())));
        const inside = timed(t.what, () => pure(() => t.decode(guarded(m, i % 2 ? 0xff : 0x00))));
        assert.ok(isDeepStrictEqual(tight, inside), `${t.what}: ${tight} vs ${inside} inside guard bytes`);
        counts.pure++;
      }
    }
    assert.ok(counts.whole + counts.section + counts.pure >= 10_000);
  });
});
