/**
 * Property-based reliability of the manifest codec (fast-check).
 *
 * 1. Mutated REAL manifests (the 0.12.1 fixtures, their V2 conversions and a synthetic manifest using
 *    every schema feature): bit flips, byte overwrites, truncation at every length, corruption of the
 *    FlatBuffer's own structure (uoffsets, vector / string lengths, table soffsets, vtable size,
 *    inline size and entries — found by walking each seed buffer with the schema), random insertions
 *    and deletions, format-version damage, and combinations. `decodeManifest` must return or throw
 *    an EngineError MANIFEST_CORRUPT / MANIFEST_UNSUPPORTED_VERSION — never anything else (a
 *    RangeError would be an out-of-range read), never take long (max time measured and bounded).
 *    Out-of-range reads are also caught directly: every mutant is decoded twice, once from a tight
 *    copy and once as a view in the middle of a larger buffer full of guard bytes; both must give
 *    the same outcome (a decoder that read past its view would see the guard bytes).
 *    Whatever decodes must be usable by the model (checkpoints, SSTs, epochs, shape) with nothing but
 *    EngineErrors, and — unless read-only — re-encode and decode back field-identically.
 * 2. Random VALID manifests from arbitraries derived from our schema (every field of every table,
 *    V1 and V2, unicode names, random byte strings, u64 0 and 2^64-1, negative i64, u32 extremes,
 *    optional scalars absent/0/set, union NONE/WriterCheckpoint) round-trip encode → decode
 *    field-identically (util.isDeepStrictEqual).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as fc from 'fast-check';
import { EngineError, ErrorCode } from '../../src/engine/errors';
import { decodeManifest, DecodedManifest, encodeManifest } from '../../src/engine/manifest/codec';
import type { DecodedTable, DecodedValue } from '../../src/engine/manifest/flatDecoder';
import { checkpointsOf, epochsOf, shapeOf, sstsOf } from '../../src/engine/manifest/model';
import { FieldDef, ScalarKind, TableName, TABLES, UNIONS } from '../../src/engine/manifest/schema';
import { richManifestV1, toV2 } from '../support/manifestKit';

const FIXTURES = path.resolve(__dirname, '../fixtures/manifests');
const DECODE_CODES: ErrorCode[] = ['MANIFEST_CORRUPT', 'MANIFEST_UNSUPPORTED_VERSION'];
/**
 * Bound on one decode of a mutated (at most ~2 KB) manifest. Typical decodes take ~0.1 ms; the bound
 * leaves room for a garbage-collection pause on a loaded machine, and still catches any hang.
 */
const MAX_DECODE_MS = 1000;

// ───────────────────────────────────────────── structure of a valid buffer ──

type SpotKind = 'rootOffset' | 'uoffset' | 'length' | 'soffset' | 'vtSize' | 'vtInline' | 'vtEntry' | 'version';
interface Spot {
  kind: SpotKind;
  /** Position in the manifest FILE (2-byte version header included). */
  pos: number;
}

/**
 * Every structural position of a valid manifest file, found by walking it with the schema
 * (trusting the buffer: it is one we know decodes).
 */
function structureOf(file: Uint8Array): Spot[] {
  const version = (file[0] << 8) | file[1];
  const rootName: TableName = version === 1 ? 'ManifestV1' : 'ManifestV2';
  const dv = new DataView(file.buffer, file.byteOffset + 2, file.byteLength - 2);
  const spots = new Map<string, Spot>();
  const add = (kind: SpotKind, pos: number) => spots.set(`${kind}@${pos}`, { kind, pos: pos + 2 });
  const deref = (pos: number) => pos + dv.getUint32(pos, true);
  const walk = (pos: number, name: TableName) => {
    add('soffset', pos);
    const vt = pos - dv.getInt32(pos, true);
    add('vtSize', vt);
    add('vtInline', vt + 2);
    const slots = (dv.getUint16(vt, true) - 4) / 2;
    let tag = 0;
    TABLES[name].fields.forEach((field, s) => {
      if (s >= slots) return;
      add('vtEntry', vt + 4 + 2 * s);
      const rel = dv.getUint16(vt + 4 + 2 * s, true);
      if (rel === 0) return;
      const at = pos + rel;
      const t = field.type;
      if (t.kind === 'unionType') tag = dv.getUint8(at);
      if (t.kind === 'scalar' || t.kind === 'unionType') return;
      add('uoffset', at);
      const target = deref(at);
      if (t.kind === 'table') walk(target, t.table);
      else if (t.kind === 'unionValue') {
        const member = UNIONS[t.union][tag];
        if (member) walk(target, member);
      } else {
        add('length', target);
        if (t.kind === 'tableVector') {
          const n = dv.getUint32(target, true);
          for (let i = 0; i < n; i++) {
            add('uoffset', target + 4 + 4 * i);
            walk(deref(target + 4 + 4 * i), t.table);
          }
        }
      }
    });
  };
  add('rootOffset', 0);
  walk(deref(0), rootName);
  const out = [...spots.values()];
  out.push({ kind: 'version', pos: 0 }, { kind: 'version', pos: 1 });
  return out;
}

// ───────────────────────────────────────────────────────────── mutations ──

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'byte'; at: number; value: number }
  | { op: 'truncate'; length: number }
  | { op: 'u32'; spot: number; value: number }
  | { op: 'u16'; spot: number; value: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'remove'; at: number; count: number }
  | { op: 'version'; value: number };

interface Seed {
  name: string;
  bytes: Uint8Array;
  spots: Spot[];
  /** Spots holding 32-bit structure (offsets, lengths) and 16-bit structure (vtables). */
  wide: Spot[];
  narrow: Spot[];
}

function interestingU32(len: number, original: number): number[] {
  return [0, 1, 2, 3, 4, 8, len - 4, len - 1, len, len + 1, len * 2, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff_fffc, (original + 4) >>> 0, (original - 4) >>> 0, (original + 1) >>> 0, (original * 1000) >>> 0];
}

function interestingU16(original: number): number[] {
  return [0, 1, 2, 3, 4, 5, 6, 0x7fff, 0x8000, 0xfffe, 0xffff, (original + 2) & 0xffff, (original - 2) & 0xffff, (original + 1) & 0xffff, (original * 4) & 0xffff];
}

function mutationArb(seed: Seed): fc.Arbitrary<Mutation> {
  const len = seed.bytes.length;
  const pos = fc.nat(len - 1);
  const dv = new DataView(seed.bytes.buffer, seed.bytes.byteOffset, seed.bytes.byteLength);
  const u32At = (p: number) => (p + 4 <= len ? dv.getUint32(p, true) : 0);
  const u16At = (p: number) => (p + 2 <= len ? dv.getUint16(p, true) : 0);
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ op: fc.constant('flip' as const), at: pos, bit: fc.nat(7) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('byte' as const), at: pos, value: fc.oneof(fc.nat(255), fc.constantFrom(0, 0xff, 0x7f, 0x80)) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('truncate' as const),
        // every length class: empty, header only, tiny, one short of a field, anywhere, one byte short
        length: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.nat(len - 1), fc.integer({ min: Math.max(0, len - 8), max: len - 1 })),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.nat(seed.wide.length - 1).chain((i) =>
        fc.record({
          op: fc.constant('u32' as const),
          spot: fc.constant(i),
          value: fc.oneof(fc.constantFrom(...interestingU32(len, u32At(seed.wide[i].pos))), fc.nat({ max: 0xffff_ffff })),
        }),
      ),
    },
    {
      weight: 4,
      arbitrary: fc.nat(seed.narrow.length - 1).chain((i) =>
        fc.record({
          op: fc.constant('u16' as const),
          spot: fc.constant(i),
          value: fc.oneof(fc.constantFrom(...interestingU16(u16At(seed.narrow[i].pos))), fc.nat({ max: 0xffff })),
        }),
      ),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(len), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), at: pos, count: fc.integer({ min: 1, max: 16 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('version' as const), value: fc.oneof(fc.constantFrom(0, 1, 2, 3, 0x100, 0x0201, 0xffff), fc.nat(0xffff)) }) },
  );
}

function applyMutation(seed: Seed, bytes: Uint8Array, m: Mutation): Uint8Array {
  const out = bytes.slice();
  const dv = new DataView(out.buffer);
  const inRange = (p: number, n: number) => p >= 0 && p + n <= out.length;
  switch (m.op) {
    case 'flip':
      if (m.at < out.length) out[m.at] ^= 1 << m.bit;
      return out;
    case 'byte':
      if (m.at < out.length) out[m.at] = m.value;
      return out;
    case 'truncate':
      return out.slice(0, Math.min(m.length, out.length));
    case 'u32': {
      const p = seed.wide[m.spot].pos;
      if (inRange(p, 4)) dv.setUint32(p, m.value, true);
      return out;
    }
    case 'u16': {
      const p = seed.narrow[m.spot].pos;
      if (inRange(p, 2)) dv.setUint16(p, m.value, true);
      return out;
    }
    case 'insert': {
      const at = Math.min(m.at, out.length);
      const res = new Uint8Array(out.length + m.bytes.length);
      res.set(out.subarray(0, at), 0);
      res.set(m.bytes, at);
      res.set(out.subarray(at), at + m.bytes.length);
      return res;
    }
    case 'remove': {
      const at = Math.min(m.at, out.length);
      return new Uint8Array([...out.subarray(0, at), ...out.subarray(at + m.count)]);
    }
    case 'version':
      if (out.length >= 2) {
        out[0] = m.value >> 8;
        out[1] = m.value & 0xff;
      }
      return out;
  }
}

// ───────────────────────────────────────────────────────────── outcomes ──

type Outcome = { ok: true; manifest: DecodedManifest } | { ok: false; code: ErrorCode; message: string };

const timing = { decodes: 0, totalMs: 0, maxMs: 0, maxLen: 0, all: [] as number[] };

/** Decode, classify, and fail on any exception that is not an EngineError with a decode code. */
function decodeChecked(bytes: Uint8Array, what: string): Outcome {
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    // A fixed context, so that messages of two decodes of the same bytes can be compared.
    outcome = { ok: true, manifest: decodeManifest(bytes, 'mutant.manifest') };
  } catch (e) {
    if (!(e instanceof EngineError)) {
      throw new Error(`${what}: decodeManifest threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} (not an EngineError)`, { cause: e });
    }
    assert.ok(DECODE_CODES.includes(e.code), `${what}: unexpected code ${e.code}: ${e.message}`);
    assert.ok(e.message.length > 0, `${what}: empty message`);
    outcome = { ok: false, code: e.code, message: e.message };
  }
  const ms = performance.now() - t0;
  timing.decodes++;
  timing.totalMs += ms;
  timing.all.push(ms);
  if (ms > timing.maxMs) (timing.maxMs = ms), (timing.maxLen = bytes.length);
  assert.ok(ms < MAX_DECODE_MS, `${what}: a ${bytes.length}-byte decode took ${ms.toFixed(1)} ms`);
  return outcome;
}

/** The same bytes as a view in the middle of a bigger buffer full of guard bytes. */
function embedded(bytes: Uint8Array, guard: number): Uint8Array {
  const big = new Uint8Array(bytes.length + 256).fill(guard);
  big.set(bytes, 128);
  return big.subarray(128, 128 + bytes.length);
}

const counters = { decoded: 0, readOnly: 0, reencoded: 0, byCode: new Map<string, number>(), byOp: new Map<string, number>() };

/** Full check of one mutant: outcome class, no read outside the view, model usable, re-encode round trip. */
function checkMutant(bytes: Uint8Array, what: string): void {
  const tight = decodeChecked(bytes, what);
  for (const guard of [0x00, 0xff, 0x41]) {
    const viewOutcome = decodeChecked(embedded(bytes, guard), `${what} (as a view, guard 0x${guard.toString(16)})`);
    if (tight.ok !== viewOutcome.ok || (tight.ok ? !isDeepStrictEqual(tight.manifest, (viewOutcome as { manifest: DecodedManifest }).manifest) : tight.message !== (viewOutcome as { message: string }).message)) {
      assert.fail(`${what}: decoding a view inside a larger buffer (guard 0x${guard.toString(16)}) differs from decoding a copy: the decoder reads outside its input`);
    }
  }
  if (!tight.ok) {
    counters.byCode.set(tight.code, (counters.byCode.get(tight.code) ?? 0) + 1);
    return;
  }
  counters.decoded++;
  const m = tight.manifest;
  for (const [name, use] of [
    ['checkpointsOf', () => checkpointsOf(m)],
    ['sstsOf', () => sstsOf(m)],
    ['epochsOf', () => epochsOf(m)],
    ['shapeOf', () => shapeOf(m)],
  ] as const) {
    try {
      use();
    } catch (e) {
      if (!(e instanceof EngineError)) assert.fail(`${what}: ${name} on a decoded mutant threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  }
  if (m.readOnlyReason) {
    counters.readOnly++;
    return;
  }
  let again: Uint8Array;
  try {
    again = encodeManifest(m);
  } catch (e) {
    assert.fail(`${what}: a decoded, writable mutant could not be re-encoded: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  const back = decodeChecked(again, `${what} re-encoded`);
  assert.ok(back.ok && isDeepStrictEqual(back.manifest, m), `${what}: decode → encode → decode is not field-identical`);
  counters.reencoded++;
}

// ───────────────────────────────────────────── arbitraries over the schema ──

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function scalarArb(kind: ScalarKind): fc.Arbitrary<DecodedValue> {
  switch (kind) {
    case 'bool':
      return fc.boolean();
    case 'i8':
      return fc.integer({ min: -128, max: 127 });
    case 'u8':
      return fc.integer({ min: 0, max: 255 });
    case 'i16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'u16':
      return fc.oneof(fc.constantFrom(0, 1, 2, 0xffff), fc.integer({ min: 0, max: 0xffff }));
    case 'i32':
      return fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
    case 'u32':
      return fc.oneof(fc.constantFrom(0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff), fc.integer({ min: 0, max: 0xffff_ffff }));
    case 'u64':
      return fc.oneof(fc.constantFrom(0n, 1n, (1n << 53n) + 1n, 1n << 63n, U64_MAX), fc.bigInt(0n, U64_MAX));
    case 'i64':
      return fc.oneof(fc.constantFrom(0n, -1n, I64_MIN, I64_MAX, -5n), fc.bigInt(I64_MIN, I64_MAX));
  }
}

/** Names: unicode of every kind (emoji, CJK, combining marks, NUL, astral) and plain ASCII. */
const nameArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('', 'backup', 'nächtlich-🗄️', '检查点', 'a\u0000b', 'e\u0301', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'x'.repeat(300)),
);
const bytesArb = fc.oneof(fc.uint8Array({ maxLength: 24 }), fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 200, maxLength: 400 }));

const tableArbs = new Map<TableName, fc.Arbitrary<DecodedTable>>();

function fieldArb(field: FieldDef, parent: TableName): fc.Arbitrary<DecodedValue> {
  const t = field.type;
  const nullable = <T extends DecodedValue>(a: fc.Arbitrary<T>): fc.Arbitrary<DecodedValue> => (field.required ? a : fc.option(a, { nil: null, freq: 3 }));
  switch (t.kind) {
    case 'scalar':
      return t.optional ? fc.option(scalarArb(t.scalar), { nil: null, freq: 2 }) : scalarArb(t.scalar);
    case 'string':
      return nullable(parent === 'Checkpoint' ? nameArb : fc.string({ unit: 'grapheme', maxLength: 24 }));
    case 'bytes':
      return nullable(bytesArb);
    case 'table':
      return nullable(tableArb(t.table));
    case 'tableVector':
      return nullable(fc.array(tableArb(t.table), { maxLength: parent.startsWith('Manifest') ? 4 : 3 }));
    case 'scalarVector':
      return nullable(fc.array(scalarArb(t.scalar), { maxLength: 4 }));
    case 'unionType':
    case 'unionValue':
      throw new Error('unions are generated as a pair');
  }
}

/** An arbitrary for any table of the schema (no recursion in SlateDB's schema, so plain records). */
function tableArb(name: TableName): fc.Arbitrary<DecodedTable> {
  const cached = tableArbs.get(name);
  if (cached) return cached;
  const fields = TABLES[name].fields;
  const parts: fc.Arbitrary<Record<string, DecodedValue>>[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (f.type.kind === 'unionType') {
      const value = fields[i + 1];
      const union = UNIONS[f.type.union];
      // NONE, or a known member with its table (or with the table absent, which is legal too).
      const members = union.map((m, tag) => ({ m, tag })).filter((x) => x.m !== undefined) as { m: TableName; tag: number }[];
      parts.push(
        fc.oneof(
          fc.constant({ [f.name]: 0, [value.name]: null }),
          ...members.map(({ m, tag }) => fc.record({ [f.name]: fc.constant(tag), [value.name]: fc.option(tableArb(m), { nil: null, freq: 5 }) })),
        ),
      );
      i++;
      continue;
    }
    parts.push(fieldArb(f, name).map((v) => ({ [f.name]: v })));
  }
  const arb = fc.tuple(...parts).map((ps) => {
    const out: DecodedTable = {};
    for (const f of fields) {
      for (const p of ps) if (f.name in p) out[f.name] = p[f.name];
    }
    return out;
  });
  tableArbs.set(name, arb);
  return arb;
}

const manifestArb: fc.Arbitrary<DecodedManifest> = fc.oneof(
  tableArb('ManifestV1').map((root) => ({ formatVersion: 1 as const, root })),
  tableArb('ManifestV2').map((root) => ({ formatVersion: 2 as const, root })),
);

// ────────────────────────────────────────────────────────────────── tests ──

describe('reliability: manifest codec under fuzzing (fast-check)', function () {
  this.timeout(600_000);
  const seeds: Seed[] = [];

  before(() => {
    const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.manifest')).sort();
    assert.ok(files.length >= 6, `real fixtures in ${FIXTURES}`);
    const raw: Array<[string, Uint8Array]> = files.map((f) => [f, new Uint8Array(fs.readFileSync(path.join(FIXTURES, f)))]);
    // V2 conversions of the real ones, and the synthetic manifest that uses every schema feature (V1 and V2).
    for (const [f, bytes] of [...raw]) raw.push([`${f} as V2`, encodeManifest(toV2(decodeManifest(bytes)))]);
    raw.push(['rich-synthetic V1', encodeManifest(richManifestV1())], ['rich-synthetic V2', encodeManifest(toV2(richManifestV1()))]);
    for (const [name, bytes] of raw) {
      const spots = structureOf(bytes);
      seeds.push({
        name,
        bytes,
        spots,
        wide: spots.filter((s) => ['rootOffset', 'uoffset', 'length', 'soffset'].includes(s.kind)),
        narrow: spots.filter((s) => ['vtSize', 'vtInline', 'vtEntry'].includes(s.kind)),
      });
    }
    const count = (k: SpotKind) => seeds.reduce((n, s) => n + s.spots.filter((x) => x.kind === k).length, 0);
    console.log(
      `      ${seeds.length} seed manifests (${seeds.map((s) => s.bytes.length).join(', ')} bytes); structure targets: ` +
        `${count('uoffset')} uoffsets, ${count('length')} vector/string lengths, ${count('soffset')} table soffsets, ` +
        `${count('vtSize') + count('vtInline') + count('vtEntry')} vtable fields`,
    );
  });

  after(() => {
    const sorted = timing.all.sort((a, b) => a - b);
    const q = (p: number) => (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0).toFixed(3);
    console.log(
      `      decodes: ${timing.decodes}, mean ${(timing.totalMs / Math.max(1, timing.decodes)).toFixed(3)} ms, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, ` +
        `p99.99 ${q(0.9999)} ms, max ${timing.maxMs.toFixed(2)} ms (a ${timing.maxLen}-byte input; bound ${MAX_DECODE_MS} ms per decode)`,
    );
  });

  it('every seed decodes, is writable, and round-trips (sanity of the seeds)', () => {
    for (const s of seeds) {
      const out = decodeChecked(s.bytes, s.name);
      assert.ok(out.ok && !out.manifest.readOnlyReason, `${s.name} decodes writable`);
      checkMutant(s.bytes, s.name);
    }
  });

  it('truncation at EVERY length of every seed is MANIFEST_CORRUPT, or (only when the cut bytes are trailing padding) the very same manifest', () => {
    const t0 = performance.now();
    let n = 0;
    let paddingOnly = 0;
    for (const s of seeds) {
      const whole = decodeManifest(s.bytes);
      for (let len = 0; len < s.bytes.length; len++) {
        const cut = s.bytes.slice(0, len);
        const out = decodeChecked(cut, `${s.name} truncated to ${len}`);
        if (out.ok) {
          // The flatbuffers JS builder may end a buffer with alignment padding that nothing references.
          assert.ok(isDeepStrictEqual(out.manifest, whole), `${s.name} truncated to ${len} bytes decoded to something else`);
          assert.ok(s.bytes.length - len <= 7, `${s.name} truncated to ${len} of ${s.bytes.length} bytes still decoded`);
          paddingOnly++;
        } else {
          assert.equal(out.code, 'MANIFEST_CORRUPT', `${s.name} truncated to ${len} bytes`);
        }
        checkMutant(cut, `${s.name} truncated to ${len}`);
        n++;
      }
    }
    console.log(`      ${n} truncations in ${(performance.now() - t0).toFixed(0)} ms (${paddingOnly} cut only trailing padding and decoded identically)`);
  });

  it('12,000 mutated real manifests: decode returns or throws MANIFEST_CORRUPT / MANIFEST_UNSUPPORTED_VERSION, reads nothing outside the input, and whatever decodes is usable and re-encodes identically', () => {
    const numRuns = 12_000;
    const t0 = performance.now();
    const arb = fc.nat(seeds.length - 1).chain((i) =>
      fc.tuple(fc.constant(i), fc.array(mutationArb(seeds[i]), { minLength: 1, maxLength: 4 })),
    );
    fc.assert(
      fc.property(arb, ([i, mutations]) => {
        const seed = seeds[i];
        let bytes = seed.bytes;
        for (const m of mutations) {
          bytes = applyMutation(seed, bytes, m);
          counters.byOp.set(m.op, (counters.byOp.get(m.op) ?? 0) + 1);
        }
        checkMutant(bytes, `${seed.name} with ${JSON.stringify(mutations.map((m) => ('bytes' in m ? { ...m, bytes: Array.from(m.bytes) } : m)))}`);
      }),
      { numRuns, seed: 20261127, endOnFailure: true },
    );
    const ms = performance.now() - t0;
    const rejected = [...counters.byCode.entries()].map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(
      `      ${numRuns} mutants in ${(ms / 1000).toFixed(1)} s (${((ms / numRuns) * 1000).toFixed(0)} µs each incl. 4 decodes); ` +
        `mutations applied: ${[...counters.byOp.entries()].map(([k, v]) => `${k} ${v}`).join(', ')}`,
    );
    console.log(`      outcomes so far: decoded ${counters.decoded} (read-only ${counters.readOnly}, re-encoded identically ${counters.reencoded}); rejected: ${rejected}`);
    // The structure-targeted mutations must really exercise the error paths.
    assert.ok((counters.byCode.get('MANIFEST_CORRUPT') ?? 0) > numRuns / 4, 'most mutants should be rejected as corrupt');
    assert.ok(counters.reencoded > numRuns / 20, 'many mutants should still decode (and re-encode)');
  });

  it('crafted amplification (shared tables at three nesting levels of a V2 manifest) is rejected fast, not decoded into millions of tables', () => {
    // segments → compacted runs → SST views, every vector holding the SAME table n times: n^3 views from O(n) bytes.
    const { Builder } = require('flatbuffers') as typeof import('flatbuffers');
    for (const n of [10, 40, 160]) {
      const b = new Builder(1024);
      const ulid = () => {
        b.startObject(2);
        b.addFieldInt64(0, 1n, 0n);
        b.addFieldInt64(1, 2n, 0n);
        return b.endObject();
      };
      const vec = (off: number, count: number) => {
        b.startVector(4, count, 4);
        for (let i = 0; i < count; i++) b.addOffset(off);
        return b.endVector();
      };
      const id = ulid();
      b.startObject(3);
      b.addFieldOffset(0, id, 0);
      b.addFieldOffset(1, id, 0);
      const view = b.endObject();
      const views = vec(view, n);
      b.startObject(2);
      b.addFieldOffset(1, views, 0);
      const run = b.endObject();
      const runs = vec(run, n);
      const empty = vec(0, 0);
      const prefix = b.createByteVector(new Uint8Array([1]));
      b.startObject(4);
      b.addFieldOffset(0, prefix, 0);
      b.addFieldOffset(2, empty, 0);
      b.addFieldOffset(3, runs, 0);
      const segment = b.endObject();
      const segments = vec(segment, n);
      b.startObject(18);
      b.addFieldOffset(8, empty, 0);
      b.addFieldOffset(9, empty, 0);
      b.addFieldOffset(10, empty, 0);
      b.addFieldOffset(12, empty, 0);
      b.addFieldOffset(16, segments, 0);
      b.finish(b.endObject());
      const bytes = new Uint8Array([0, 2, ...b.asUint8Array()]);
      const t0 = performance.now();
      let outcome: string;
      try {
        const m = decodeManifest(bytes, `amplification n=${n}`);
        outcome = `decoded (${shapeOf(m).sortedRuns} sorted runs)`;
      } catch (e) {
        outcome = e instanceof EngineError ? e.code : `${(e as Error).name}: ${(e as Error).message}`;
      }
      const ms = performance.now() - t0;
      console.log(`      amplification n=${n}: ${bytes.length} bytes → ${n ** 3} views if followed: ${outcome} in ${ms.toFixed(1)} ms`);
      if (n >= 40) assert.equal(outcome, 'MANIFEST_CORRUPT', `${bytes.length} bytes that expand to ${n ** 3} views`);
      assert.ok(ms < MAX_DECODE_MS, `took ${ms.toFixed(0)} ms`);
    }
  });

  it('2,500 random VALID manifests (every field, V1 and V2, unicode names, u64/i64/u32 extremes) round-trip encode → decode field-identically', () => {
    const numRuns = 2500;
    let v1 = 0;
    let checkpoints = 0;
    let bytesTotal = 0;
    let encodeMs = 0;
    let decodeMs = 0;
    const t0 = performance.now();
    fc.assert(
      fc.property(manifestArb, (m) => {
        const te = performance.now();
        const bytes = encodeManifest(m);
        const td = performance.now();
        const back = decodeManifest(bytes, 'generated');
        decodeMs += performance.now() - td;
        encodeMs += td - te;
        bytesTotal += bytes.length;
        if (m.formatVersion === 1) v1++;
        checkpoints += ((m.root.checkpoints as unknown[] | null) ?? []).length;
        if (!isDeepStrictEqual(back, m)) {
          assert.deepStrictEqual(back, m); // shows the difference
        }
        // And what we decode is what flat bytes say again: a second encoding decodes the same.
        assert.ok(isDeepStrictEqual(decodeManifest(encodeManifest(back)), m));
      }),
      { numRuns, seed: 4242, endOnFailure: true },
    );
    const ms = performance.now() - t0;
    console.log(
      `      ${numRuns} valid manifests (${v1} V1, ${numRuns - v1} V2; ${checkpoints} checkpoints; mean ${(bytesTotal / numRuns).toFixed(0)} bytes) in ${(ms / 1000).toFixed(1)} s ` +
        `(encode ${(encodeMs / numRuns).toFixed(3)} ms, decode ${(decodeMs / numRuns).toFixed(3)} ms each)`,
    );
  });

  it('the valid-manifest arbitrary really reaches the extremes (u64 2^64-1 and 0, negative i64, unicode names, absent optionals, writer checkpoints)', () => {
    const sample = fc.sample(manifestArb, { numRuns: 400, seed: 99 });
    const seen = { u64max: false, zero: false, negI64: false, unicodeName: false, nullOptional: false, zeroOptional: false, writerCp: false, v2segments: false };
    const visit = (name: TableName, t: DecodedTable) => {
      let tag = 0;
      for (const f of TABLES[name].fields) {
        const v = t[f.name];
        const k = f.type;
        if (k.kind === 'unionType') tag = v as number;
        if (k.kind === 'scalar' && k.scalar === 'u64' && v === U64_MAX) seen.u64max = true;
        if (k.kind === 'scalar' && k.scalar === 'u64' && v === 0n) seen.zero = true;
        if (k.kind === 'scalar' && k.scalar === 'i64' && typeof v === 'bigint' && v < 0n) seen.negI64 = true;
        if (k.kind === 'scalar' && k.optional && v === null) seen.nullOptional = true;
        if (k.kind === 'scalar' && k.optional && v === 0) seen.zeroOptional = true;
        if (name === 'Checkpoint' && f.name === 'name' && typeof v === 'string' && /[^\x00-\x7f]/.test(v)) seen.unicodeName = true;
        if (name === 'Checkpoint' && f.name === 'metadata' && tag === 1 && v !== null) seen.writerCp = true;
        if (name === 'ManifestV2' && f.name === 'segments' && Array.isArray(v) && v.length > 0) seen.v2segments = true;
        if (v === null) continue;
        if (k.kind === 'table') visit(k.table, v as DecodedTable);
        if (k.kind === 'tableVector') for (const x of v as DecodedTable[]) visit(k.table, x);
        if (k.kind === 'unionValue' && UNIONS[k.union][tag]) visit(UNIONS[k.union][tag]!, v as DecodedTable);
      }
    };
    for (const m of sample) visit(m.formatVersion === 1 ? 'ManifestV1' : 'ManifestV2', m.root);
    assert.deepEqual(Object.entries(seen).filter(([, v]) => !v).map(([k]) => k), [], 'every extreme appears in 400 samples');
  });
});
