/**
 * JSON renderings shared by the CLI and the extension, in the shape of
 * SlateDB's own CLI: snake_case names, RFC 3339 UTC times, UUID / ULID
 * strings, byte strings as base64, enums and union members by name.
 */

import { ulidToString, uuidToString, U128 } from './ids';
import type { DecodedManifest } from './manifest/codec';
import type { DecodedTable, DecodedValue } from './manifest/flatDecoder';
import type { CheckpointInfo } from './manifest/model';
import { ENUMS, FieldDef, ROOT_TABLE_BY_VERSION, TableName, TABLES, UNIONS } from './manifest/schema';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Unix seconds → "2026-11-27T22:11:27Z". */
export function rfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** A checkpoint as the CLI prints it (`list-checkpoints`, `refresh-checkpoint`) and the extension's commands return it. */
export type CheckpointJson = {
  id: string;
  manifest_id: number;
  /** RFC 3339 UTC; null = never expires. */
  expire_time: string | null;
  create_time: string;
  name: string | null;
  /** Set for a writer's own checkpoint. */
  writer_epoch: number | null;
};

export function checkpointJson(c: CheckpointInfo): CheckpointJson {
  return {
    id: c.id,
    manifest_id: c.manifestId,
    expire_time: c.expireTimeS === 0 ? null : rfc3339(c.expireTimeS),
    create_time: rfc3339(c.createTimeS),
    name: c.name,
    writer_epoch: c.writerEpoch,
  };
}

/** u64 as a JSON number when exact, else as a decimal string (never silently rounded). */
function bigJson(v: bigint): Json {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
}

function fieldJson(field: FieldDef, value: DecodedValue, unionTag: number): Json {
  if (value === null) return null;
  const t = field.type;
  switch (t.kind) {
    case 'scalar':
      if (typeof value === 'bigint') return bigJson(value);
      if (field.enumName && typeof value === 'number') return ENUMS[field.enumName][value] ?? value;
      return value as Json;
    case 'unionType':
      return (value as number) === 0 ? 'NONE' : (UNIONS[t.union][value as number] ?? (value as number));
    case 'unionValue': {
      const member = UNIONS[t.union][unionTag];
      return member ? tableJson(member, value as DecodedTable) : null;
    }
    case 'string':
      return value as string;
    case 'bytes':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'scalarVector':
      return (value as DecodedValue[]).map((v) => (typeof v === 'bigint' ? bigJson(v) : (v as Json)));
    case 'table':
      return tableJson(t.table, value as DecodedTable);
    case 'tableVector':
      return (value as DecodedTable[]).map((v) => tableJson(t.table, v));
  }
}

function tableJson(name: TableName, table: DecodedTable): Json {
  if (name === 'Uuid') return uuidToString(table as unknown as U128);
  if (name === 'Ulid') return ulidToString(table as unknown as U128);
  const out: { [key: string]: Json } = {};
  let unionTag = 0;
  for (const field of TABLES[name].fields) {
    const value = table[field.name];
    if (field.type.kind === 'unionType') unionTag = value as number;
    out[field.name] = fieldJson(field, value, unionTag);
  }
  return out;
}

/** Every field of the manifest, as SlateDB's schema names it. */
export function manifestJson(m: DecodedManifest): Json {
  return tableJson(ROOT_TABLE_BY_VERSION[m.formatVersion], m.root);
}
