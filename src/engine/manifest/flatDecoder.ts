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
import { ENUMS, FieldDef, ScalarKind, TableDef, TableName, TABLES, UNIONS } from './schema';

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
  readonly unknown: string[] = [];

  private readonly buf: Uint8Array;

  constructor(
    input: Uint8Array,
    private readonly context: string,
  ) {
    // A plain Uint8Array view (not a Node Buffer, whose slice() would alias): decoded bytes are copies.
    this.buf = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  corrupt(what: string): never {
    throw new EngineError('MANIFEST_CORRUPT', `${this.context} is not a valid SlateDB manifest: ${what}`);
  }

  private check(pos: number, size: number, what: string): void {
    if (!Number.isInteger(pos) || pos < 0 || pos + size > this.buf.length) {
      this.corrupt(`${what} at byte ${pos} (+${size}) lies outside the ${this.buf.length}-byte buffer`);
    }
  }

  u32(pos: number, what: string): number {
    this.check(pos, 4, what);
    return this.view.getUint32(pos, true);
  }

  scalar(pos: number, kind: ScalarKind, what: string): boolean | number | bigint {
    this.check(pos, SCALAR_SIZE[kind], what);
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
  deref(pos: number, what: string): number {
    const target = pos + this.u32(pos, what);
    this.check(target, 4, what);
    return target;
  }

  table(pos: number, def: TableDef, path: string, depth: number): DecodedTable {
    if (depth > MAX_DEPTH) this.corrupt(`tables nested deeper than ${MAX_DEPTH} at ${path}`);
    this.check(pos, 4, `${path} table`);
    const vtable = pos - this.view.getInt32(pos, true);
    this.check(vtable, 4, `${path} vtable`);
    const vtableSize = this.view.getUint16(vtable, true);
    const inlineSize = this.view.getUint16(vtable + 2, true);
    if (vtableSize < 4 || vtableSize % 2 !== 0) this.corrupt(`${path} has a vtable of ${vtableSize} bytes`);
    this.check(vtable, vtableSize, `${path} vtable`);
    this.check(pos, inlineSize, `${path} inline data`);
    const slots = (vtableSize - 4) / 2;

    // Slots beyond our schema that hold a value: a field from a newer SlateDB.
    for (let s = def.fields.length; s < slots; s++) {
      if (this.view.getUint16(vtable + 4 + 2 * s, true) !== 0) {
        this.unknown.push(`${path} (table ${def.name}) has field slot ${s}, which this schema does not know`);
      }
    }

    const out: DecodedTable = {};
    let unionTag = 0;
    for (let s = 0; s < def.fields.length; s++) {
      const field = def.fields[s];
      const rel = s < slots ? this.view.getUint16(vtable + 4 + 2 * s, true) : 0;
      if (rel !== 0 && rel >= inlineSize) this.corrupt(`${path}.${field.name} has offset ${rel} beyond its table's ${inlineSize} bytes`);
      const fieldPath = `${path}.${field.name}`;
      const value = rel === 0 ? this.absent(field, fieldPath) : this.field(pos + rel, field, fieldPath, depth, unionTag);
      if (field.type.kind === 'unionType') unionTag = value as number;
      out[field.name] = value;
    }
    return out;
  }

  private absent(field: FieldDef, path: string): DecodedValue {
    if (field.required) this.corrupt(`required field ${path} is missing`);
    const t = field.type;
    if (t.kind === 'scalar') {
      if (t.optional) return null;
      if (t.scalar === 'bool') return false;
      return t.scalar === 'u64' || t.scalar === 'i64' ? 0n : 0;
    }
    if (t.kind === 'unionType') return 0;
    return null;
  }

  private field(pos: number, field: FieldDef, path: string, depth: number, unionTag: number): DecodedValue {
    const t = field.type;
    switch (t.kind) {
      case 'scalar':
        return this.scalar(pos, t.scalar, path);
      case 'unionType': {
        const tag = this.scalar(pos, 'u8', path) as number;
        if (tag !== 0 && UNIONS[t.union][tag] === undefined) {
          this.unknown.push(`${path} is union member ${tag} of ${t.union}, which this schema does not know`);
        }
        return tag;
      }
      case 'unionValue': {
        const member = UNIONS[t.union][unionTag];
        if (member === undefined) return null; // unknown member: recorded above, bytes not interpreted
        return this.table(this.deref(pos, path), TABLES[member], path, depth + 1);
      }
      case 'string': {
        const start = this.deref(pos, path);
        const len = this.u32(start, path);
        this.check(start + 4, len, `${path} string`);
        try {
          return utf8.decode(this.buf.subarray(start + 4, start + 4 + len));
        } catch {
          return this.corrupt(`${path} is not valid UTF-8`);
        }
      }
      case 'bytes': {
        const start = this.deref(pos, path);
        const len = this.u32(start, path);
        this.check(start + 4, len, `${path} bytes`);
        return this.buf.slice(start + 4, start + 4 + len);
      }
      case 'scalarVector': {
        const start = this.deref(pos, path);
        const len = this.u32(start, path);
        const size = SCALAR_SIZE[t.scalar];
        this.check(start + 4, len * size, `${path} vector`);
        const out: DecodedValue[] = new Array(len);
        for (let i = 0; i < len; i++) out[i] = this.scalar(start + 4 + i * size, t.scalar, path);
        return out;
      }
      case 'table':
        return this.table(this.deref(pos, path), TABLES[t.table], path, depth + 1);
      case 'tableVector': {
        const start = this.deref(pos, path);
        const len = this.u32(start, path);
        this.check(start + 4, len * 4, `${path} vector of ${len}`);
        const def = TABLES[t.table];
        const out: DecodedTable[] = new Array(len);
        for (let i = 0; i < len; i++) {
          const elem = start + 4 + i * 4;
          out[i] = this.table(this.deref(elem, `${path}[${i}]`), def, `${path}[${i}]`, depth + 1);
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
  const root = reader.table(reader.deref(0, 'root offset'), TABLES[rootTable], rootTable, 0);
  return { root, unknown: reader.unknown };
}

/** Enum value → its name in SlateDB's schema (or the number when unknown). */
export function enumLabel(field: FieldDef, value: number): string | number {
  if (!field.enumName) return value;
  return ENUMS[field.enumName][value] ?? value;
}
