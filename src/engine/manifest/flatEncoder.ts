/**
 * Schema-driven FlatBuffers encoder (the inverse of flatDecoder), built on the
 * official `flatbuffers` runtime Builder.
 *
 * Like flatc-generated Rust code (what SlateDB uses), scalars equal to their
 * default are omitted, optional scalars are written whenever non-null, and
 * every other field is written when non-null. Decoding what we encode gives
 * back the same field values: that, not byte identity, is the contract.
 */

import { Builder } from 'flatbuffers';
import { EngineError } from '../errors';
import { FieldDef, ScalarKind, TableDef, TableName, TABLES, UNIONS } from './schema';
import type { DecodedTable, DecodedValue } from './flatDecoder';

function invalid(path: string, what: string): never {
  throw new EngineError('INVALID_ARGUMENT', `cannot encode ${path}: ${what}`);
}

function addScalar(b: Builder, slot: number, kind: ScalarKind, value: DecodedValue, optional: boolean, path: string): void {
  if (value === null) {
    if (!optional) invalid(path, 'a non-optional scalar is null');
    return; // optional and absent
  }
  const dflt = optional ? null : 0;
  switch (kind) {
    case 'bool':
      if (typeof value !== 'boolean') invalid(path, 'expected a boolean');
      b.addFieldInt8(slot, value ? 1 : 0, optional ? null : 0);
      return;
    case 'i8':
    case 'u8':
      if (typeof value !== 'number') invalid(path, 'expected a number');
      b.addFieldInt8(slot, value, dflt);
      return;
    case 'i16':
    case 'u16':
      if (typeof value !== 'number') invalid(path, 'expected a number');
      b.addFieldInt16(slot, value, dflt);
      return;
    case 'i32':
    case 'u32':
      if (typeof value !== 'number') invalid(path, 'expected a number');
      b.addFieldInt32(slot, value | 0, dflt);
      return;
    case 'i64':
    case 'u64':
      if (typeof value !== 'bigint') invalid(path, 'expected a bigint');
      // The builder writes the two's-complement bit pattern; u64 above 2^63 survives.
      b.addFieldInt64(slot, BigInt.asIntN(64, value), optional ? null : 0n);
      return;
  }
}

function scalarVector(b: Builder, kind: ScalarKind, values: DecodedValue[], path: string): number {
  const size = kind === 'u64' || kind === 'i64' ? 8 : kind === 'u32' || kind === 'i32' ? 4 : kind === 'u16' || kind === 'i16' ? 2 : 1;
  b.startVector(size, values.length, size);
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (size === 8) b.addInt64(BigInt.asIntN(64, v as bigint));
    else if (size === 4) b.addInt32((v as number) | 0);
    else if (size === 2) b.addInt16(v as number);
    else if (typeof v === 'boolean') b.addInt8(v ? 1 : 0);
    else if (typeof v === 'number') b.addInt8(v);
    else invalid(path, 'bad vector element');
  }
  return b.endVector();
}

function encodeTable(b: Builder, def: TableDef, obj: DecodedTable, path: string): number {
  // Children first: FlatBuffers builds bottom-up.
  const offsets = new Map<number, number>();
  let unionTag = 0;
  def.fields.forEach((field, slot) => {
    const value = obj[field.name];
    const fieldPath = `${path}.${field.name}`;
    if (value === undefined) invalid(fieldPath, 'field is missing from the decoded object');
    if (field.type.kind === 'unionType') unionTag = value as number;
    if (value === null) {
      if (field.required) invalid(fieldPath, 'required field is null');
      return;
    }
    const off = encodeChild(b, field, value, fieldPath, unionTag);
    if (off !== undefined) offsets.set(slot, off);
  });

  b.startObject(def.fields.length);
  def.fields.forEach((field, slot) => {
    const value = obj[field.name];
    const t = field.type;
    if (t.kind === 'scalar') addScalar(b, slot, t.scalar, value, t.optional === true, `${path}.${field.name}`);
    else if (t.kind === 'unionType') b.addFieldInt8(slot, value as number, 0);
    else {
      const off = offsets.get(slot);
      if (off !== undefined) b.addFieldOffset(slot, off, 0);
    }
  });
  return b.endObject();
}

function encodeChild(b: Builder, field: FieldDef, value: DecodedValue, path: string, unionTag: number): number | undefined {
  const t = field.type;
  switch (t.kind) {
    case 'scalar':
    case 'unionType':
      return undefined;
    case 'string':
      if (typeof value !== 'string') invalid(path, 'expected a string');
      return b.createString(value);
    case 'bytes':
      if (!(value instanceof Uint8Array)) invalid(path, 'expected bytes');
      return b.createByteVector(value);
    case 'table':
      return encodeTable(b, TABLES[t.table], value as DecodedTable, path);
    case 'unionValue': {
      const member: TableName | undefined = UNIONS[t.union][unionTag];
      if (member === undefined) invalid(path, `union tag ${unionTag} is unknown`);
      return encodeTable(b, TABLES[member], value as DecodedTable, path);
    }
    case 'scalarVector':
      if (!Array.isArray(value)) invalid(path, 'expected an array');
      return scalarVector(b, t.scalar, value, path);
    case 'tableVector': {
      if (!Array.isArray(value)) invalid(path, 'expected an array');
      const def = TABLES[t.table];
      const elems = value.map((v, i) => encodeTable(b, def, v as DecodedTable, `${path}[${i}]`));
      b.startVector(4, elems.length, 4);
      for (let i = elems.length - 1; i >= 0; i--) b.addOffset(elems[i]);
      return b.endVector();
    }
  }
}

/** Encode `root` as a FlatBuffer whose root table is `rootTable`. */
export function encodeFlatBuffer(root: DecodedTable, rootTable: TableName): Uint8Array {
  const b = new Builder(4096);
  const off = encodeTable(b, TABLES[rootTable], root, rootTable);
  b.finish(off);
  return b.asUint8Array().slice();
}
