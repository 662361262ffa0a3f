/**
 * Shared helpers for the manifest, CAS and checkpoint tests:
 *   - synthetic manifests built as decoded trees (every schema field present, as the encoder needs);
 *   - seeding a store with manifests;
 *   - a schema-driven canonical form so our decoded tree and flatc's JSON can be compared
 *     field by field (defaults dropped on both sides, u64 as bigint, enums and union tags by name,
 *     bytes as number arrays);
 *   - running Debian's flatc on bytes.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DecodedManifest, encodeManifest } from '../../src/engine/manifest/codec';
import type { DecodedTable, DecodedValue } from '../../src/engine/manifest/flatDecoder';
import { ENUMS, FieldDef, TableName, TABLES, UNIONS } from '../../src/engine/manifest/schema';
import { parseUuid, U128 } from '../../src/engine/ids';
import { parseUlid } from './ulid';
import { dbKeys } from '../../src/engine/paths';
import type { ObjectStore } from '../../src/engine/store/objectStore';
import { parseFlatcJson } from '../fixtures/realSlateDb';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const OUR_FBS = path.join(REPO_ROOT, 'src/engine/manifest/slatedb-manifest.fbs');

// ───────────────────────────────────────────── synthetic manifests ──

/** A deterministic ULID (as `{high, low}`) whose 48-bit time part is `1_700_000_000_000 + n`. */
export function ulidN(n: number): U128 {
  const time = BigInt(1_700_000_000_000 + n);
  return { high: (time << 16n) | BigInt(n & 0xffff), low: 0x1234_5678_9abc_def0n + BigInt(n) };
}

export function uuidTable(text: string): DecodedTable {
  const v = parseUuid(text);
  return { high: v.high, low: v.low };
}

export function ulidTable(id: U128 | string): DecodedTable {
  const v = typeof id === 'string' ? parseUlid(id) : id;
  return { high: v.high, low: v.low };
}

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

export function sstInfo(first: string, last: string, extra: Partial<DecodedTable> = {}): DecodedTable {
  return {
    first_entry: enc(first),
    index_offset: 1000n,
    index_len: 100n,
    filter_offset: 900n,
    filter_len: 100n,
    compression_format: 0,
    sst_type: 0,
    last_entry: enc(last),
    stats_offset: 1100n,
    stats_len: 50n,
    filter_format: 0,
    ...extra,
  };
}

export function compactedSst(id: U128, first = 'a', last = 'z', extra: Partial<DecodedTable> = {}): DecodedTable {
  return { id: ulidTable(id), info: sstInfo(first, last), visible_range: null, format_version: 2, ...extra };
}

export function checkpointTable(fields: { id: string; manifestId: number; expire?: number; create?: number; name?: string | null; writerEpoch?: number }): DecodedTable {
  return {
    id: uuidTable(fields.id),
    manifest_id: BigInt(fields.manifestId),
    checkpoint_expire_time_s: fields.expire ?? 0,
    checkpoint_create_time_s: fields.create ?? 1_700_000_000,
    metadata_type: fields.writerEpoch === undefined ? 0 : 1,
    metadata: fields.writerEpoch === undefined ? null : { epoch: BigInt(fields.writerEpoch) },
    name: fields.name ?? null,
  };
}

export interface V1Options {
  initialized?: boolean;
  checkpoints?: DecodedTable[];
  l0?: DecodedTable[];
  /** Sorted runs: `{id, ssts}`. */
  compacted?: Array<{ id: number; ssts: DecodedTable[] }>;
  writerEpoch?: number;
  extra?: Partial<DecodedTable>;
}

/** A complete ManifestV1 tree (every field present), like what 0.12.1 writes. */
export function manifestV1(o: V1Options = {}): DecodedManifest {
  const root: DecodedTable = {
    manifest_id: 0n,
    external_dbs: null,
    initialized: o.initialized ?? true,
    writer_epoch: BigInt(o.writerEpoch ?? 3),
    compactor_epoch: 2n,
    replay_after_wal_id: 10n,
    wal_id_last_seen: 12n,
    l0_last_compacted: null,
    l0: o.l0 ?? [],
    compacted: (o.compacted ?? []).map((r) => ({ id: r.id, ssts: r.ssts })),
    last_l0_clock_tick: 1_700_000_000_123n,
    checkpoints: o.checkpoints ?? [],
    last_l0_seq: 4242n,
    wal_object_store_uri: null,
    recent_snapshot_min_seq: 4000n,
    sequence_tracker: new Uint8Array([1, 1, 0, 0, 0]),
    ...o.extra,
  };
  return { formatVersion: 1, root };
}

/** A V1 manifest using every field and feature the schema has (external dbs, visible ranges, writer checkpoints, names...). */
export function richManifestV1(): DecodedManifest {
  const range = {
    start_bound: { key: enc('b'), bound_type: 2 },
    end_bound: { key: null, bound_type: 1 },
  };
  return manifestV1({
    l0: [compactedSst(ulidN(10), 'k1', 'k9', { visible_range: range }), compactedSst(ulidN(11), 'a', 'c', { format_version: null })],
    compacted: [
      { id: 7, ssts: [compactedSst(ulidN(1), 'a', 'f'), compactedSst(ulidN(2), 'g', 'p', { info: sstInfo('g', 'p', { compression_format: 4, filter_format: 1 }) })] },
      { id: 0, ssts: [compactedSst(ulidN(3), 'a', 'z')] },
    ],
    checkpoints: [
      checkpointTable({ id: '0b7a1a52-6a0e-4e36-9f0c-1f1c2b4b5e01', manifestId: 5, expire: 1_800_000_000, name: 'backup' }),
      // u32 times above 2^31 (2096) and at the u32 limit (2106) survive.
      checkpointTable({ id: 'f0000000-0000-4000-8000-0000000000ff', manifestId: 6, writerEpoch: 3, expire: 0xffff_ffff, create: 4_000_000_000 }),
    ],
    extra: {
      manifest_id: 6n,
      external_dbs: [
        {
          path: 'parent/db',
          source_checkpoint_id: uuidTable('11111111-2222-4333-8444-555555555555'),
          final_checkpoint_id: null,
          sst_ids: [ulidTable(ulidN(3))],
        },
      ],
      l0_last_compacted: ulidTable(ulidN(9)),
      wal_object_store_uri: 's3://wal-bucket/x',
      // u64 above 2^63 survives.
      recent_snapshot_min_seq: 0xffff_ffff_ffff_fff0n,
      last_l0_clock_tick: -5n,
    },
  });
}

/**
 * Runs `fn` with TABLES / UNIONS entries temporarily replaced (a schema copy with appended fields or
 * union members), so the engine's own encoder writes a buffer a NEWER SlateDB could have written.
 * Synchronous, restored in finally.
 */
export function withSchemaCopy<T>(patch: { tables?: Partial<Record<TableName, FieldDef[]>>; checkpointMetadata?: (TableName | undefined)[] }, fn: () => T): T {
  const savedTables = new Map<TableName, (typeof TABLES)[TableName]>();
  const savedUnion = UNIONS.CheckpointMetadata;
  try {
    for (const [name, extra] of Object.entries(patch.tables ?? {}) as [TableName, FieldDef[]][]) {
      savedTables.set(name, TABLES[name]);
      TABLES[name] = { name, fields: [...TABLES[name].fields, ...extra] };
    }
    if (patch.checkpointMetadata) (UNIONS as Record<string, readonly (TableName | undefined)[]>).CheckpointMetadata = patch.checkpointMetadata;
    return fn();
  } finally {
    for (const [name, def] of savedTables) TABLES[name] = def;
    (UNIONS as Record<string, readonly (TableName | undefined)[]>).CheckpointMetadata = savedUnion;
  }
}

// ───────────────────────────────────────────────────── V1 → V2 ──

function u128Key(t: DecodedTable): bigint {
  return ((t.high as bigint) << 64n) | (t.low as bigint);
}

/**
 * SlateDB's V1 → V2 conversion (`flatbuffer_types.rs`: `manifest_v1` then `create_manifest`), on
 * decoded trees: view id = SST id, one `ssts` entry per distinct SST ordered by ULID, the V1 SST's
 * visible_range on its view, last_compacted_l0_sst_view_id = l0_last_compacted, no segments.
 */
export function toV2(v1: DecodedManifest): DecodedManifest {
  if (v1.formatVersion !== 1) throw new Error('toV2 needs a V1 manifest');
  const r = v1.root;
  const unique = new Map<bigint, DecodedTable>();
  const view = (sst: DecodedTable): DecodedTable => {
    const key = u128Key(sst.id as DecodedTable);
    if (!unique.has(key)) unique.set(key, { id: sst.id, info: sst.info, format_version: sst.format_version });
    return { id: sst.id, sst_id: sst.id, visible_range: sst.visible_range };
  };
  const l0 = (r.l0 as DecodedTable[]).map(view);
  const compacted = (r.compacted as DecodedTable[]).map((run) => ({ id: run.id, ssts: (run.ssts as DecodedTable[]).map(view) }));
  const ssts = [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return {
    formatVersion: 2,
    root: {
      manifest_id: r.manifest_id,
      external_dbs: r.external_dbs,
      initialized: r.initialized,
      writer_epoch: r.writer_epoch,
      compactor_epoch: r.compactor_epoch,
      replay_after_wal_id: r.replay_after_wal_id,
      wal_id_last_seen: r.wal_id_last_seen,
      last_compacted_l0_sst_view_id: r.l0_last_compacted,
      ssts,
      l0,
      compacted,
      last_l0_clock_tick: r.last_l0_clock_tick,
      checkpoints: r.checkpoints,
      last_l0_seq: r.last_l0_seq,
      recent_snapshot_min_seq: r.recent_snapshot_min_seq,
      sequence_tracker: r.sequence_tracker,
      segments: null,
      segment_extractor_name: null,
    },
  };
}

// ─────────────────────────────────────────────────── store seeding ──

export async function putManifest(store: ObjectStore, dbPath: string, id: number, m: DecodedManifest | Uint8Array): Promise<void> {
  const bytes = m instanceof Uint8Array ? m : encodeManifest(m);
  const res = await store.putIfAbsent(dbKeys.manifest(dbPath, id), bytes);
  if (!res.created) throw new Error(`manifest ${id} already exists`);
}

/** Every key in the store (sorted), following continuation tokens. */
export async function allKeys(store: ObjectStore, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.listPage({ prefix, continuationToken: token });
    out.push(...page.objects.map((o) => o.key));
    token = page.nextContinuationToken;
  } while (token);
  return out.sort();
}

// ─────────────────────────────────────────────── canonical form ──

export type Canon = null | boolean | number | bigint | string | Canon[] | { [k: string]: Canon };

function isDefault(field: FieldDef, v: Canon): boolean {
  const t = field.type;
  if (t.kind !== 'scalar' || t.optional) return false;
  if (field.enumName) return v === ENUMS[field.enumName][0] || v === 0;
  return v === 0 || v === 0n || v === false;
}

/** Our decoded tree → canonical form. */
export function canonOurs(name: TableName, table: DecodedTable): { [k: string]: Canon } {
  const def = TABLES[name];
  const out: { [k: string]: Canon } = {};
  let tag = 0;
  for (const field of def.fields) {
    const v = table[field.name];
    const t = field.type;
    if (v === undefined) throw new Error(`${name}.${field.name} missing from the decoded tree`);
    if (t.kind === 'unionType') tag = v as number;
    let c: Canon | undefined;
    if (v === null) c = undefined;
    else if (t.kind === 'scalar') {
      c = typeof v === 'bigint' ? v : t.scalar === 'u64' || t.scalar === 'i64' ? BigInt(v as number) : (v as boolean | number);
      if (field.enumName && typeof c === 'number') c = ENUMS[field.enumName][c] ?? c;
    } else if (t.kind === 'unionType') c = tag === 0 ? undefined : (UNIONS[t.union][tag] ?? tag);
    else if (t.kind === 'unionValue') c = UNIONS[t.union][tag] ? canonOurs(UNIONS[t.union][tag]!, v as DecodedTable) : undefined;
    else if (t.kind === 'string') c = v as string;
    else if (t.kind === 'bytes') c = Array.from(v as Uint8Array);
    else if (t.kind === 'table') c = canonOurs(t.table, v as DecodedTable);
    else if (t.kind === 'tableVector') c = (v as DecodedTable[]).map((x) => canonOurs(t.table, x));
    else if (t.kind === 'scalarVector') c = (v as DecodedValue[]).map((x) => (typeof x === 'bigint' ? x : (x as number)));
    if (c === undefined || isDefault(field, c)) continue;
    out[field.name] = c;
  }
  return out;
}

/** flatc's JSON (parsed with bigints kept exact) → canonical form. Throws on keys our schema lacks. */
export function canonFlatc(name: TableName, json: Record<string, unknown>): { [k: string]: Canon } {
  const def = TABLES[name];
  const known = new Set(def.fields.map((f) => f.name));
  for (const k of Object.keys(json)) if (!known.has(k)) throw new Error(`flatc printed ${name}.${k}, which our schema lacks`);
  const out: { [k: string]: Canon } = {};
  let tagName: string | undefined;
  for (const field of def.fields) {
    const v = json[field.name];
    const t = field.type;
    if (t.kind === 'unionType') tagName = typeof v === 'string' ? v : undefined;
    if (v === undefined || v === null) continue;
    let c: Canon | undefined;
    if (t.kind === 'scalar') c = t.scalar === 'u64' || t.scalar === 'i64' ? BigInt(v as number | bigint) : (v as Canon);
    else if (t.kind === 'unionType') c = v === 'NONE' ? undefined : (v as string);
    else if (t.kind === 'unionValue') c = tagName && tagName !== 'NONE' ? canonFlatc(tagName as TableName, v as Record<string, unknown>) : undefined;
    else if (t.kind === 'string') c = v as string;
    else if (t.kind === 'bytes') c = (v as number[]).map(Number);
    else if (t.kind === 'table') c = canonFlatc(t.table, v as Record<string, unknown>);
    else if (t.kind === 'tableVector') c = (v as Record<string, unknown>[]).map((x) => canonFlatc(t.table, x));
    else if (t.kind === 'scalarVector') c = v as Canon[];
    if (c === undefined || isDefault(field, c)) continue;
    out[field.name] = c;
  }
  return out;
}

/** Parses flatc's JSON keeping 64-bit integers exact (integers beyond 2^53 become bigint). */
export const parseJsonBig = parseFlatcJson;

// ─────────────────────────────────────────────────────────── flatc ──

export function flatcAvailable(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, 'flatc');
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: 60_000, maxBuffer: 256 * 1024 * 1024 }, (err, _out, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve();
    });
  });
}

/**
 * Decodes a whole manifest file (2-byte version + FlatBuffer) with flatc and `schemaFile`
 * (our .fbs or SlateDB's root.fbs); returns flatc's JSON text.
 */
export async function flatcDecode(schemaFile: string, bytes: Uint8Array, o: { defaults?: boolean } = {}): Promise<{ rootType: string; json: string }> {
  const version = (bytes[0] << 8) | bytes[1];
  const rootType = version === 1 ? 'ManifestV1' : version === 2 ? 'ManifestV2' : '';
  if (!rootType) throw new Error(`manifest format version ${version}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flatc-kit-'));
  try {
    fs.writeFileSync(path.join(work, 'm.bin'), bytes.subarray(2));
    const args = ['--json', '--raw-binary', '--strict-json', ...(o.defaults ? ['--defaults-json'] : []), '--root-type', rootType, '-o', work, schemaFile, '--', path.join(work, 'm.bin')];
    await run('flatc', args, work);
    return { rootType, json: fs.readFileSync(path.join(work, 'm.json'), 'utf8') };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * SlateDB's own schemas (current main) from a SlateDB checkout (SLATEDB_SCHEMA_DIR,
 * SLATEDB_REPO, or the local mirror). Without one (CI machines), our own
 * slatedb-manifest.fbs stands in as root.fbs — `ours: true` — which the schema
 * test proves slot-for-slot equal to SlateDB's through the recorded
 * test/fixtures/slatedb-schema-slots.json; flatc then still decodes
 * independently of our TypeScript codec.
 */
export async function slatedbSchemaDir(): Promise<{ dir: string; source: string; ours: boolean } | { why: string }> {
  if (process.env.SLATEDB_SCHEMA_DIR) return { dir: process.env.SLATEDB_SCHEMA_DIR, source: process.env.SLATEDB_SCHEMA_DIR, ours: false };
  const repo = process.env.SLATEDB_REPO ?? '/work/.mirror/slatedb+slatedb/repo';
  const files = ['root.fbs', 'manifest.fbs', 'sst.fbs', 'common.fbs', 'compactor.fbs'];
  const git = (args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile('git', ['-C', repo, ...args], { maxBuffer: 16 * 1024 * 1024 }, (err, out) => (err ? reject(err) : resolve(String(out)))),
    );
  let commit: string;
  try {
    commit = (await git(['rev-parse', 'HEAD^{commit}'])).trim();
  } catch {
    const dir = path.join(os.tmpdir(), `slatedb-schemas-ours-${process.pid}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(OUR_FBS, path.join(dir, 'root.fbs'));
    return { dir, source: `our ${path.relative(REPO_ROOT, OUR_FBS)} (no SlateDB checkout at ${repo})`, ours: true };
  }
  const dir = path.join(os.tmpdir(), `slatedb-schemas-kit-${commit.slice(0, 12)}`);
  if (!files.every((f) => fs.existsSync(path.join(dir, f)))) {
    fs.mkdirSync(dir, { recursive: true });
    for (const f of files) fs.writeFileSync(path.join(dir, f), await git(['show', `${commit}:schemas/${f}`]));
  }
  return { dir, source: `${repo}@${commit}`, ours: false };
}
