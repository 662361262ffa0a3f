/**
 * A schema-driven, bounds-checked FlatBuffers decoder.
 *
 * Why our own instead of generated accessors: manifests come from other
 * people's buckets and may be truncated or corrupt. Every offset is checked
 * against the buffer before it is followed, so bad bytes give a typed
 * MANIFEST_CORRUPT error, never an out-of-range read, a hang or a crash. It
 * also sees the vtable itself, which is how we notice fields a newer SlateDB
 * added (slots beyond our schema) and refuse to rewrite such a manifest.
 *
 * Decoded tables are plain objects holding EVERY field of the schema:
 * absent scalars read as their default (optional scalars as null), absent
 * strings / vectors / tables as null. u64/i64 are bigint so no bit is lost.
 */

import { EngineError } from '../errors';
import { FieldDef, ScalarKind, TableDef, TableName, TABLES, UNIONS } from './schema';

export type DecodedValue = boolean | number | bigint | string | Uint8Array | DecodedTable | DecodedValue[] | null;
export interface DecodedTable {
  [field: string]: DecodedValue;
}

export interface DecodeResult {
  root: DecodedTable;
  /** Why this buffer must not be rewritten (fields or union members our schema lacks). Empty when safe. */
  unknown: string[];
}

/** Deepest nesting SlateDB's schema can produce is ~7; anything deeper is corruption. */
const MAX_DEPTH = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const SCALAR_SIZE: Record<ScalarKind, number> = { bool: 1, i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8 };

class Reader {
  private readonly view: DataView;
  private readonly buf: Uint8Array;
  private readonly len: number;
  /** Where we are, for error messages only: built into a string only when something is wrong. */
  private readonly path: (string | number)[] = [];
  readonly unknown: string[] = [];
  /**
   * Bytes of output we may still produce. Each table needs its own 4-byte
   * offset and each byte vector its own bytes, so a buffer of n bytes cannot
   * honestly decode to more than n; FlatBuffers that share tables can (1,000
   * runs × the same 1,000 SSTs = a million tables from 8 KB). SlateDB never
   * shares, so exceeding this means a crafted or corrupt file, not a big one.
   */
  private budget: number;

  constructor(
    input: Uint8Array,
    private readonly context: string,
  ) {
    // A plain Uint8Array view (never a Node Buffer), so decoded byte fields are plain Uint8Arrays.
    this.buf = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
    this.len = input.byteLength;
    this.budget = input.byteLength + 64;
  }

  private spend(n: number): void {
    this.budget -= n;
    if (this.budget < 0) this.corrupt('it decodes to more data than it holds (tables or vectors are shared or loop)');
  }

  where(): string {
    return this.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '');
  }

  corrupt(what: string): never {
    throw new EngineError('MANIFEST_CORRUPT', `${this.context} is not a valid SlateDB manifest: ${what}${this.path.length ? ` (at ${this.where()})` : ''}`);
  }

  /** Bounds check; the message is only built on failure (this runs for every field). */
  private check(pos: number, size: number): void {
    if (pos < 0 || pos + size > this.len) this.corrupt(`${size} bytes at offset ${pos} lie outside the ${this.len}-byte buffer`);
  }

  u32(pos: number): number {
    this.check(pos, 4);
    return this.view.getUint32(pos, true);
  }

  scalar(pos: number, kind: ScalarKind): boolean | number | bigint {
    this.check(pos, SCALAR_SIZE[kind]);
    const v = this.view;
    switch (kind) {
      case 'bool':
        return v.getUint8(pos) !== 0;
      case 'i8':
        return v.getInt8(pos);
      case 'u8':
        return v.getUint8(pos);
      case 'i16':
        return v.getInt16(pos, true);
      case 'u16':
        return v.getUint16(pos, true);
      case 'i32':
        return v.getInt32(pos, true);
      case 'u32':
        return v.getUint32(pos, true);
      case 'i64':
        return v.getBigInt64(pos, true);
      case 'u64':
        return v.getBigUint64(pos, true);
    }
  }

  /** Follow a uoffset stored at `pos`. */
  deref(pos: number): number {
    const target = pos + this.u32(pos);
    this.check(target, 4);
    return target;
  }

  table(pos: number, def: TableDef, depth: number): DecodedTable {
    if (depth > MAX_DEPTH) this.corrupt(`tables nested deeper than ${MAX_DEPTH}`);
    this.spend(4);
    this.check(pos, 4);
    const view = this.view;
    const vtable = pos - view.getInt32(pos, true);
    this.check(vtable, 4);
    const vtableSize = view.getUint16(vtable, true);
    const inlineSize = view.getUint16(vtable + 2, true);
    if (vtableSize < 4 || vtableSize % 2 !== 0) this.corrupt(`table ${def.name} has a vtable of ${vtableSize} bytes`);
    this.check(vtable, vtableSize);
    this.check(pos, inlineSize);
    const slots = (vtableSize - 4) / 2;
    const fields = def.fields;

    // Slots beyond our schema that hold a value: a field from a newer SlateDB.
    for (let s = fields.length; s < slots; s++) {
      if (view.getUint16(vtable + 4 + 2 * s, true) !== 0) {
        this.unknown.push(`${this.where() || def.name} (table ${def.name}) has field slot ${s}, which this schema does not know`);
      }
    }

    const out: DecodedTable = {};
    let unionTag = 0;
    for (let s = 0; s < fields.length; s++) {
      const field = fields[s];
      const rel = s < slots ? view.getUint16(vtable + 4 + 2 * s, true) : 0;
      this.path.push(field.name);
      if (rel !== 0 && rel >= inlineSize) this.corrupt(`field offset ${rel} is beyond its table's ${inlineSize} bytes`);
      const value = rel === 0 ? this.absent(field) : this.field(pos + rel, field, depth, unionTag);
      this.path.pop();
      if (field.type.kind === 'unionType') unionTag = value as number;
      out[field.name] = value;
    }
    return out;
  }

  private absent(field: FieldDef): DecodedValue {
    if (field.required) this.corrupt('a required field is missing');
    const t = field.type;
    if (t.kind === 'scalar') {
      if (t.optional) return null;
      if (t.scalar === 'bool') return false;
      return t.scalar === 'u64' || t.scalar === 'i64' ? 0n : 0;
    }
    if (t.kind === 'unionType') return 0;
    return null;
  }

  private field(pos: number, field: FieldDef, depth: number, unionTag: number): DecodedValue {
    const t = field.type;
    switch (t.kind) {
      case 'scalar':
        return this.scalar(pos, t.scalar);
      case 'unionType': {
        const tag = this.scalar(pos, 'u8') as number;
        if (tag !== 0 && UNIONS[t.union][tag] === undefined) {
          this.unknown.push(`${this.where()} is union member ${tag} of ${t.union}, which this schema does not know`);
        }
        return tag;
      }
      case 'unionValue': {
        const member = UNIONS[t.union][unionTag];
        if (member === undefined) return null; // unknown member: recorded above, bytes not interpreted
        return this.table(this.deref(pos), TABLES[member], depth + 1);
      }
      case 'string': {
        const start = this.deref(pos);
        const len = this.u32(start);
        this.check(start + 4, len);
        this.spend(len);
        try {
          return utf8.decode(this.buf.subarray(start + 4, start + 4 + len));
        } catch {
          return this.corrupt('a string is not valid UTF-8');
        }
      }
      case 'bytes': {
        const start = this.deref(pos);
        const len = this.u32(start);
        this.check(start + 4, len);
        this.spend(len);
        return this.buf.slice(start + 4, start + 4 + len);
      }
      case 'scalarVector': {
        const start = this.deref(pos);
        const len = this.u32(start);
        const size = SCALAR_SIZE[t.scalar];
        this.check(start + 4, len * size);
        this.spend(len * size);
        const out: DecodedValue[] = new Array(len);
        for (let i = 0; i < len; i++) out[i] = this.scalar(start + 4 + i * size, t.scalar);
        return out;
      }
      case 'table':
        return this.table(this.deref(pos), TABLES[t.table], depth + 1);
      case 'tableVector': {
        const start = this.deref(pos);
        const len = this.u32(start);
        // Checked before allocating: a corrupt length cannot make us loop or allocate wildly.
        this.check(start + 4, len * 4);
        const def = TABLES[t.table];
        const out: DecodedTable[] = new Array(len);
        for (let i = 0; i < len; i++) {
          this.path.push(i);
          out[i] = this.table(this.deref(start + 4 + i * 4), def, depth + 1);
          this.path.pop();
        }
        return out;
      }
    }
  }
}

/**
 * Decode a FlatBuffer (no size prefix, no file identifier) whose root is `rootTable`.
 * `context` names the object for error messages (e.g. the manifest's key).
 */
export function decodeFlatBuffer(buf: Uint8Array, rootTable: TableName, context: string): DecodeResult {
  const reader = new Reader(buf, context);
  if (buf.length < 8) reader.corrupt(`only ${buf.length} bytes of FlatBuffer data`);
  const root = reader.table(reader.deref(0), TABLES[rootTable], 0);
  return { root, unknown: reader.unknown };
}
