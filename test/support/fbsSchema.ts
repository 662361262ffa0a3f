/**
 * A small reader of FlatBuffers schema text (tables, fields, unions), to
 * compare our schema.ts with our .fbs and with SlateDB's own schemas.
 */
import type { FieldDef } from '../../src/engine/manifest/schema';

export interface FbsSchema {
  tables: Map<string, Array<{ name: string; type: string; required: boolean }>>;
  unions: Set<string>;
}

export function parseFbs(text: string): FbsSchema {
  const clean = text.replace(/\/\/[^\n]*/g, '');
  const unions = new Set<string>();
  for (const m of clean.matchAll(/\bunion\s+(\w+)\s*\{/g)) unions.add(m[1]);
  const tables = new Map<string, Array<{ name: string; type: string; required: boolean }>>();
  for (const m of clean.matchAll(/\btable\s+(\w+)\s*\{([^}]*)\}/g)) {
    const fields: Array<{ name: string; type: string; required: boolean }> = [];
    for (const decl of m[2].split(';').map((s) => s.trim()).filter(Boolean)) {
      const f = /^(\w+)\s*:\s*([\w\[\]]+)\s*(=\s*[^(]+)?\s*(\(([^)]*)\))?$/.exec(decl);
      if (!f) throw new Error(`cannot parse field "${decl}" of table ${m[1]}`);
      fields.push({ name: f[1], type: f[2] + (f[3] ? ` ${f[3].replace(/\s+/g, '')}` : ''), required: /\brequired\b/.test(f[5] ?? '') });
    }
    tables.set(m[1], fields);
  }
  return { tables, unions };
}

/** Fields of a parsed table as vtable slots: a union field is two slots, `<name>_type` then `<name>`. */
export function slots(schema: FbsSchema, table: string): string[] {
  return schema.tables.get(table)!.flatMap((f) => (schema.unions.has(f.type) ? [`${f.name}_type`, f.name] : [f.name]));
}

export const FBS_SCALAR: Record<string, string> = {
  bool: 'bool', byte: 'i8', int8: 'i8', ubyte: 'u8', uint8: 'u8', short: 'i16', int16: 'i16', ushort: 'u16', uint16: 'u16',
  int: 'i32', int32: 'i32', uint: 'u32', uint32: 'u32', long: 'i64', int64: 'i64', ulong: 'u64', uint64: 'u64',
};
export const FBS_ENUM_BASE: Record<string, string> = { BoundType: 'i8', CompressionFormat: 'i8', SstType: 'i8', FilterFormat: 'i8' };

/** Our FieldDef → the .fbs type text it stands for (normalised: scalar kinds, `[T]`, `= null`). */
export function typeOfDef(f: FieldDef): string {
  const t = f.type;
  switch (t.kind) {
    case 'scalar':
      return t.optional ? `${t.scalar} =null` : t.scalar;
    case 'string':
      return 'string';
    case 'bytes':
      return '[u8]';
    case 'table':
      return t.table;
    case 'tableVector':
      return `[${t.table}]`;
    case 'scalarVector':
      return `[${t.scalar}]`;
    case 'unionType':
    case 'unionValue':
      return t.union;
  }
}

export function normaliseFbsType(type: string): string {
  const [base, dflt] = type.split(' ');
  const one = (b: string) => FBS_SCALAR[b] ?? FBS_ENUM_BASE[b] ?? b;
  const vec = /^\[(\w+)\]$/.exec(base);
  const core = vec ? `[${one(vec[1])}]` : one(base);
  return dflt === '=null' ? `${core} =null` : core;
}
