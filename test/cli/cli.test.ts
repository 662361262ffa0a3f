/**
 * The built CLI (`node dist/cli.js`) as a user runs it, on a database the real SlateDB 0.12.1 wrote:
 * every command's JSON shape, the store taken from the environment (as SlateDB's CLI does) or an
 * --env-file, and every failure: the exit code (2 = bad usage/input, 1 = the operation failed),
 * exactly one JSON document on stdout, and the manifest directory untouched.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeManifest, encodeManifest } from '../../src/engine/manifest/codec';
import { TableName, TABLES, UNIONS } from '../../src/engine/manifest/schema';
import { toV2, withSchemaCopy } from '../support/manifestKit';
import { buildDatabase, closeKeptReaders, findFlatcOracle, FlatcOracle, parseFlatcJson, uuidFromHighLow } from '../fixtures/realSlateDb';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist/cli.js');
const DB = 'db';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const CHECKPOINT_KEYS = ['create_time', 'expire_time', 'id', 'manifest_id', 'name', 'writer_epoch'];

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  json: any;
}

/** An environment without any store or AWS settings from the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|CLOUD_PROVIDER|LOCAL_PATH|SLATEDB_)/.test(k)) env[k] = v;
  return { ...env, ...extra };
}

function cli(args: string[], o: { env?: Record<string, string>; cwd?: string } = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: cleanEnv(o.env), cwd: o.cwd ?? REPO, encoding: 'utf8', timeout: 60_000 });
  let json: unknown;
  try {
    json = JSON.parse(r.stdout); // exactly one JSON document: a second one would not parse
  } catch (e) {
    assert.fail(`stdout of "${args.join(' ')}" is not exactly one JSON document (${(e as Error).message}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

/** Crockford base32 of a 128-bit {high, low} (the test's own encoder). */
function ulidText(v: { high?: bigint | number; low?: bigint | number }): string {
  let n = (BigInt(v.high ?? 0) << 64n) | BigInt(v.low ?? 0);
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let out = '';
  for (let i = 0; i < 26; i++) {
    out = alphabet[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}

/**
 * What read-manifest should print, derived from flatc's `--defaults-json` decoding with SlateDB's
 * schema: UUID / ULID strings, bytes as base64, u64 as numbers, absent fields as null.
 */
function expectedManifestJson(table: TableName, flatc: Record<string, unknown>): unknown {
  if (table === 'Uuid') return uuidFromHighLow(flatc as { high?: bigint; low?: bigint });
  if (table === 'Ulid') return ulidText(flatc as { high?: bigint; low?: bigint });
  const out: Record<string, unknown> = {};
  let member: string | undefined;
  for (const field of TABLES[table].fields) {
    const v = flatc[field.name];
    const t = field.type;
    if (t.kind === 'unionType') member = typeof v === 'string' ? v : 'NONE';
    if (v === undefined || v === null) {
      out[field.name] = t.kind === 'unionType' ? 'NONE' : null;
      continue;
    }
    switch (t.kind) {
      case 'scalar':
        out[field.name] = typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v;
        break;
      case 'bytes':
        out[field.name] = Buffer.from(v as number[]).toString('base64');
        break;
      case 'table':
        out[field.name] = expectedManifestJson(t.table, v as Record<string, unknown>);
        break;
      case 'tableVector':
        out[field.name] = (v as Record<string, unknown>[]).map((x) => expectedManifestJson(t.table, x));
        break;
      case 'unionValue':
        out[field.name] = member && member !== 'NONE' && UNIONS[t.union].includes(member as TableName) ? expectedManifestJson(member as TableName, v as Record<string, unknown>) : null;
        break;
      default:
        out[field.name] = v;
    }
  }
  return out;
}

describe('slatedb-checkpoints CLI (dist/cli.js)', function () {
  this.timeout(120_000);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-test-'));
  const storeDir = path.join(scratch, 'store');
  const storeUrl = pathToFileURL(storeDir).href;
  const base = ['--store', storeUrl, '--path', DB];
  let oracle: FlatcOracle;

  /** Names, sizes and hashes of every file under `<db>/manifest/`. */
  function manifestDir(db = DB): string[] {
    const dir = path.join(storeDir, db, 'manifest');
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .sort()
      .map((f) => `${f} ${createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')}`);
  }

  function manifestIds(db = DB): number[] {
    return manifestDir(db).map((l) => Number(l.slice(0, 20)));
  }

  function manifestJsonViaFlatc(id: number): Promise<Record<string, unknown>> {
    const bytes = fs.readFileSync(path.join(storeDir, DB, 'manifest', `${String(id).padStart(20, '0')}.manifest`));
    return oracle.decodeManifest(bytes, { defaults: true }).then((r) => parseFlatcJson(r.json) as Record<string, unknown>);
  }

  before(async function () {
    const build = spawnSync(process.execPath, ['esbuild.js'], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
    assert.equal(build.status, 0, `node esbuild.js failed:\n${build.stdout}\n${build.stderr}`);
    assert.ok(fs.existsSync(CLI), 'dist/cli.js was not built');
    oracle = (await findFlatcOracle((why) => assert.fail(`flatc oracle needed: ${why}`)))!;
    await buildDatabase({ rootDir: storeDir, dbPath: DB, rounds: 6, putsPerRound: 300, readerCheckpoints: 1, closedReaders: 0 });
    // A second database, nested, and one written by a "newer SlateDB" (format version 3).
    const fixture = path.join(REPO, 'test/fixtures/manifests/v1-02-l0-only.manifest');
    fs.mkdirSync(path.join(storeDir, 'tenants/a/db2/manifest'), { recursive: true });
    fs.copyFileSync(fixture, path.join(storeDir, 'tenants/a/db2/manifest/00000000000000000007.manifest'));
    const v3 = Buffer.concat([Buffer.from([0, 3]), fs.readFileSync(fixture).subarray(2)]);
    fs.mkdirSync(path.join(storeDir, 'future/manifest'), { recursive: true });
    fs.writeFileSync(path.join(storeDir, 'future/manifest/00000000000000000004.manifest'), v3);
    // The same manifest as format version 2 (SlateDB main), and with a field from a newer SlateDB.
    const decoded = decodeManifest(new Uint8Array(fs.readFileSync(fixture)));
    fs.mkdirSync(path.join(storeDir, 'v2db/manifest'), { recursive: true });
    fs.writeFileSync(path.join(storeDir, 'v2db/manifest/00000000000000000007.manifest'), encodeManifest(toV2(decoded)));
    const newer = withSchemaCopy({ tables: { ManifestV1: [{ name: 'from_the_future', type: { kind: 'string' } }] } }, () =>
      encodeManifest({ ...decoded, root: { ...decoded.root, from_the_future: 'x' } }),
    );
    fs.mkdirSync(path.join(storeDir, 'newer/manifest'), { recursive: true });
    fs.writeFileSync(path.join(storeDir, 'newer/manifest/00000000000000000007.manifest'), newer);
    fs.mkdirSync(path.join(storeDir, 'not-a-db/compacted'), { recursive: true });
    fs.writeFileSync(path.join(storeDir, 'not-a-db/compacted/x.sst'), 'x');
  });

  after(async () => {
    await closeKeptReaders();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  describe('happy paths', () => {
    let created: { id: string; manifest_id: number };

    it('list-checkpoints prints [{id, manifest_id, expire_time, create_time, name, writer_epoch}] matching the latest manifest (flatc)', async () => {
      const r = cli([...base, 'list-checkpoints']);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(Array.isArray(r.json) && r.json.length >= 2, 'a reader and compactor checkpoints expected');
      const latest = manifestIds().at(-1)!;
      const truth = (await manifestJsonViaFlatc(latest)).checkpoints as Array<Record<string, any>>;
      assert.equal(r.json.length, truth.length);
      r.json.forEach((c: Record<string, unknown>, i: number) => {
        assert.deepEqual(Object.keys(c).sort(), CHECKPOINT_KEYS);
        const t = truth[i];
        const expire = Number(t.checkpoint_expire_time_s);
        assert.deepEqual(c, {
          id: uuidFromHighLow(t.id),
          manifest_id: Number(t.manifest_id),
          expire_time: expire === 0 ? null : new Date(expire * 1000).toISOString().replace('.000Z', 'Z'),
          create_time: new Date(Number(t.checkpoint_create_time_s) * 1000).toISOString().replace('.000Z', 'Z'),
          name: t.name ?? null,
          writer_epoch: null,
        });
      });
    });

    it('create-checkpoint prints exactly {id, manifest_id}: manifest_id is the new manifest, and list shows name and lifetime', () => {
      const before = manifestIds().at(-1)!;
      const r = cli([...base, 'create-checkpoint', '--lifetime', '1h 30min', '--name', 'cli-made']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(Object.keys(r.json).sort(), ['id', 'manifest_id']);
      assert.match(r.json.id, UUID_RE);
      assert.equal(r.json.manifest_id, before + 1);
      assert.equal(manifestIds().at(-1), before + 1);
      created = r.json;
      const listed = cli([...base, 'list-checkpoints', '--name', 'cli-made']).json;
      assert.equal(listed.length, 1);
      assert.equal(listed[0].id, created.id);
      assert.match(listed[0].create_time, RFC3339_RE);
      assert.equal(Date.parse(listed[0].expire_time) - Date.parse(listed[0].create_time), 5400_000);
      assert.deepEqual(cli([...base, 'list-checkpoints', '--name', 'no-such-name']).json, []);
    });

    it('create-checkpoint --source pins the source\'s manifest; without --lifetime it never expires', () => {
      const r = cli([...base, 'create-checkpoint', '--source', created.id.toUpperCase()]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.json.manifest_id, created.manifest_id);
      const listed = cli([...base, 'list-checkpoints']).json.find((c: any) => c.id === r.json.id);
      assert.equal(listed.expire_time, null);
      assert.equal(listed.name, null);
    });

    it('refresh-checkpoint prints the refreshed checkpoint object; without --lifetime expire_time becomes null', () => {
      const r = cli([...base, 'refresh-checkpoint', '--id', created.id, '--lifetime', '2h']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(Object.keys(r.json).sort(), CHECKPOINT_KEYS);
      assert.equal(r.json.id, created.id);
      assert.equal(r.json.name, 'cli-made');
      const delta = Date.parse(r.json.expire_time) - Date.now();
      assert.ok(delta > 7_190_000 && delta <= 7_201_000, `expires in ${delta} ms`);
      const forever = cli([...base, 'refresh-checkpoint', '--id', created.id]);
      assert.equal(forever.status, 0, forever.stderr);
      assert.equal(forever.json.expire_time, null);
    });

    it('read-manifest prints {id, format_version, read_only_reason, manifest} with snake_case fields, UUID/ULID strings and base64 bytes, equal to flatc\'s decoding', async () => {
      const latest = manifestIds().at(-1)!;
      const r = cli([...base, 'read-manifest']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(Object.keys(r.json).sort(), ['format_version', 'id', 'manifest', 'read_only_reason']);
      assert.equal(r.json.id, latest);
      assert.equal(r.json.format_version, 1);
      assert.equal(r.json.read_only_reason, null);
      assert.deepEqual(Object.keys(r.json.manifest), TABLES.ManifestV1.fields.map((f) => f.name));
      const cps = r.json.manifest.checkpoints as any[];
      assert.ok(cps.some((c) => c.id === created.id));
      for (const c of cps) assert.match(c.id, UUID_RE);
      const ssts = [...r.json.manifest.l0, ...r.json.manifest.compacted.flatMap((run: any) => run.ssts)];
      assert.ok(ssts.length > 0);
      for (const s of ssts) {
        assert.match(s.id, ULID_RE);
        assert.ok(fs.existsSync(path.join(storeDir, DB, 'compacted', `${s.id}.sst`)), `${s.id}.sst exists`);
        assert.equal(typeof s.info.first_entry, 'string');
        assert.match(Buffer.from(s.info.first_entry, 'base64').toString(), /^key-\d{6}$/);
        assert.equal(s.info.compression_format, 'None');
      }
      assert.deepEqual(r.json.manifest, expectedManifestJson('ManifestV1', await manifestJsonViaFlatc(latest)));

      const older = manifestIds()[0];
      const r2 = cli([...base, 'read-manifest', '--id', String(older)]);
      assert.equal(r2.status, 0, r2.stderr);
      assert.equal(r2.json.id, older);
      assert.deepEqual(r2.json.manifest, expectedManifestJson('ManifestV1', await manifestJsonViaFlatc(older)));
    });

    it('list-manifests prints [{id, location, size, last_modified}]; --start is inclusive and --end exclusive', () => {
      const ids = manifestIds();
      assert.ok(ids.length >= 4, `${ids}`);
      const all = cli([...base, 'list-manifests']);
      assert.equal(all.status, 0, all.stderr);
      assert.deepEqual(all.json.map((m: any) => m.id), ids);
      for (const m of all.json) {
        assert.deepEqual(Object.keys(m).sort(), ['id', 'last_modified', 'location', 'size']);
        assert.equal(m.location, `${DB}/manifest/${String(m.id).padStart(20, '0')}.manifest`);
        const stat = fs.statSync(path.join(storeDir, m.location));
        assert.equal(m.size, stat.size);
        assert.ok(Math.abs(Date.parse(m.last_modified) - stat.mtimeMs) < 1000);
      }
      const range = (args: string[]) => cli([...base, 'list-manifests', ...args]).json.map((m: any) => m.id);
      assert.deepEqual(range(['--start', String(ids[1]), '--end', String(ids[3])]), [ids[1], ids[2]]);
      assert.deepEqual(range(['--start', String(ids[2])]), ids.slice(2));
      assert.deepEqual(range(['--end', String(ids[1])]), [ids[0]]);
      assert.deepEqual(range(['--start', String(ids[1]), '--end', String(ids[1])]), []);
      assert.deepEqual(range(['--start', String(ids.at(-1)! + 1)]), []);
    });

    it('pinned-ssts prints {checkpoint, manifest_id, ssts: [{id, level, sorted_run, size_bytes, exclusive, ...}], total_bytes, reclaimable_bytes} with real file sizes', () => {
      const r = cli([...base, 'pinned-ssts', '--id', created.id]);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(Object.keys(r.json).sort(), ['checkpoint', 'manifest_id', 'reclaimable_bytes', 'ssts', 'total_bytes']);
      assert.deepEqual(Object.keys(r.json.checkpoint).sort(), CHECKPOINT_KEYS);
      assert.equal(r.json.checkpoint.id, created.id);
      assert.equal(r.json.manifest_id, created.manifest_id);
      assert.ok(r.json.ssts.length > 0);
      let total = 0;
      let reclaimable = 0;
      for (const s of r.json.ssts) {
        // The contract's keys, plus first_key (base64) and external_db (clone parent path or null).
        assert.deepEqual(Object.keys(s).sort(), ['exclusive', 'external_db', 'first_key', 'id', 'level', 'size_bytes', 'sorted_run']);
        assert.match(s.id, ULID_RE);
        assert.ok(s.level === 'l0' || s.level === 'sorted_run');
        assert.equal(s.sorted_run === null, s.level === 'l0');
        assert.equal(s.size_bytes, fs.statSync(path.join(storeDir, DB, 'compacted', `${s.id}.sst`)).size);
        assert.equal(typeof s.exclusive, 'boolean');
        total += s.size_bytes;
        if (s.exclusive) reclaimable += s.size_bytes;
      }
      assert.equal(r.json.total_bytes, total);
      assert.equal(r.json.reclaimable_bytes, reclaimable);
      // The checkpoint pins the manifest we wrote, which the latest manifest still shares SSTs with.
      assert.equal(r.json.reclaimable_bytes, 0);
    });

    it('delete-checkpoint prints {id, deleted}: true when present, then false with no new manifest', () => {
      const r = cli([...base, 'delete-checkpoint', '--id', created.id]);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.json, { id: created.id, deleted: true });
      const before = manifestDir();
      const again = cli([...base, 'delete-checkpoint', '--id', created.id]);
      assert.equal(again.status, 0, again.stderr);
      assert.deepEqual(again.json, { id: created.id, deleted: false });
      assert.deepEqual(manifestDir(), before);
    });

    it('list-dbs prints [{path, latest_manifest_id, checkpoints, error}] for every database, nested ones included, and no non-database', () => {
      const r = cli(['--store', storeUrl, 'list-dbs']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.json.map((d: any) => d.path), ['db', 'future', 'newer', 'tenants/a/db2', 'v2db']);
      for (const d of r.json) assert.deepEqual(Object.keys(d).sort(), ['checkpoints', 'error', 'latest_manifest_id', 'path']);
      const [db, future, , db2] = r.json;
      assert.equal(db.latest_manifest_id, manifestIds().at(-1));
      assert.deepEqual(db.checkpoints, cli([...base, 'list-checkpoints']).json);
      assert.equal(db.error, null);
      assert.deepEqual({ ...db2, checkpoints: db2.checkpoints.length }, { path: 'tenants/a/db2', latest_manifest_id: 7, checkpoints: 0, error: null });
      assert.equal(future.checkpoints, null);
      assert.match(future.error, /format version 3/);
      assert.deepEqual(cli(['--store', storeUrl, 'list-dbs', '--prefix', 'tenants']).json.map((d: any) => d.path), ['tenants/a/db2']);
    });

    it('read-manifest of a V2 database prints format_version 2 and every ManifestV2 field (ssts once, views referencing them)', () => {
      const r = cli(['--store', storeUrl, '--path', 'v2db', 'read-manifest']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.json.format_version, 2);
      assert.deepEqual(Object.keys(r.json.manifest), TABLES.ManifestV2.fields.map((f) => f.name));
      const ssts = r.json.manifest.ssts as any[];
      assert.equal(ssts.length, 4);
      for (const s of ssts) assert.match(s.id, ULID_RE);
      assert.deepEqual(r.json.manifest.l0.map((v: any) => v.sst_id).sort(), ssts.map((s) => s.id).sort());
      assert.equal(r.json.manifest.segments, null);
      const created = cli(['--store', storeUrl, '--path', 'v2db', 'create-checkpoint', '--name', 'on-v2']);
      assert.equal(created.status, 0, created.stderr);
      assert.equal(cli(['--store', storeUrl, '--path', 'v2db', 'read-manifest']).json.format_version, 2);
    });

    it('a manifest with fields from a newer SlateDB is listed, and read-manifest names the reason', () => {
      const listed = cli(['--store', storeUrl, '--path', 'newer', 'list-checkpoints']);
      assert.equal(listed.status, 0, listed.stderr);
      assert.deepEqual(listed.json, []);
      const read = cli(['--store', storeUrl, '--path', 'newer', 'read-manifest']);
      assert.equal(read.status, 0, read.stderr);
      assert.match(read.json.read_only_reason, /slot 16/);
    });

    it('-v logs requests to stderr and stdout stays one JSON document', () => {
      const r = cli([...base, '-v', 'list-checkpoints']);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(Array.isArray(r.json));
      assert.match(r.stderr, /manifest/);
    });

    it('--help prints usage to stderr and {"help": true} to stdout, exit 0', () => {
      const r = cli(['--help']);
      assert.equal(r.status, 0);
      assert.deepEqual(r.json, { help: true });
      assert.match(r.stderr, /list-checkpoints/);
    });
  });

  describe('the store from the environment, as SlateDB\'s CLI', () => {
    it('CLOUD_PROVIDER=local + LOCAL_PATH opens the directory', () => {
      const r = cli(['--path', DB, 'list-checkpoints'], { env: { CLOUD_PROVIDER: 'local', LOCAL_PATH: storeDir } });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.json, cli([...base, 'list-checkpoints']).json);
    });

    it('--env-file supplies CLOUD_PROVIDER and LOCAL_PATH (relative paths resolved from the working directory)', () => {
      const envFile = path.join(scratch, 'slatedb.env');
      fs.writeFileSync(envFile, `# SlateDB CLI settings\nCLOUD_PROVIDER=local\nLOCAL_PATH=${path.relative(scratch, storeDir)}\n`);
      const r = cli(['--env-file', envFile, '--path', DB, 'list-manifests'], { cwd: scratch });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.json.map((m: any) => m.id), manifestIds());
    });

    it('a variable already set wins over the --env-file, as with dotenv', () => {
      const envFile = path.join(scratch, 'wrong.env');
      fs.writeFileSync(envFile, `CLOUD_PROVIDER=local\nLOCAL_PATH=${path.join(scratch, 'elsewhere')}\n`);
      const r = cli(['--env-file', envFile, '--path', DB, 'list-manifests'], { env: { LOCAL_PATH: storeDir } });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.json.map((m: any) => m.id), manifestIds());
    });

    it('no store at all is a usage error (2) that says how to give one', () => {
      const r = cli(['--path', DB, 'list-checkpoints']);
      assert.equal(r.status, 2);
      assert.equal(r.json.error.code, 'INVALID_ARGUMENT');
      assert.match(r.json.error.message, /CLOUD_PROVIDER=local/);
    });
  });

  describe('failures: exit code, one JSON error document, nothing written', () => {
    const missingCp = '00000000-0000-4000-8000-00000000dead';
    const cases: Array<[string, string[], number, string, RegExp?]> = [
      ['missing --path', ['--store', '@STORE', 'list-checkpoints'], 2, 'INVALID_ARGUMENT', /--path/],
      ['missing --path for a write', ['--store', '@STORE', 'create-checkpoint'], 2, 'INVALID_ARGUMENT', /--path/],
      ['an unknown command', ['@BASE', 'drop-database'], 2, 'INVALID_ARGUMENT', /unknown command "drop-database"/],
      ['no command', ['@BASE'], 2, 'INVALID_ARGUMENT', /no command/],
      ['an unknown option', ['@BASE', 'create-checkpoint', '--lifetyme', '1h'], 2, 'INVALID_ARGUMENT', /lifetyme/],
      ['an unknown global option', ['@BASE', '--force', 'list-checkpoints'], 2, 'INVALID_ARGUMENT', /force/],
      ['a stray argument', ['@BASE', 'list-checkpoints', 'extra'], 2, 'INVALID_ARGUMENT', /unexpected argument "extra"/],
      ['refresh without --id', ['@BASE', 'refresh-checkpoint'], 2, 'INVALID_ARGUMENT', /--id/],
      ['a malformed UUID for refresh', ['@BASE', 'refresh-checkpoint', '--id', 'not-a-uuid'], 2, 'INVALID_ARGUMENT', /not-a-uuid/],
      ['a malformed UUID for delete', ['@BASE', 'delete-checkpoint', '--id', '1234'], 2, 'INVALID_ARGUMENT', /1234/],
      ['a malformed UUID for --source', ['@BASE', 'create-checkpoint', '--source', 'xyz'], 2, 'INVALID_ARGUMENT', /xyz/],
      ['a malformed UUID for pinned-ssts', ['@BASE', 'pinned-ssts', '--id', 'nope'], 2, 'INVALID_ARGUMENT', /nope/],
      ['a malformed lifetime', ['@BASE', 'create-checkpoint', '--lifetime', '5 parsecs'], 2, 'INVALID_ARGUMENT', /5 parsecs/],
      ['a lifetime without unit', ['@BASE', 'create-checkpoint', '--lifetime', '10'], 2, 'INVALID_ARGUMENT', /needs a unit/],
      ['a malformed lifetime for refresh', ['@BASE', 'refresh-checkpoint', '--id', missingCp, '--lifetime', '1.5h'], 2, 'INVALID_ARGUMENT', /1\.5h/],
      ['--id abc for read-manifest', ['@BASE', 'read-manifest', '--id', 'abc'], 2, 'INVALID_ARGUMENT', /abc/],
      ['--start abc for list-manifests', ['@BASE', 'list-manifests', '--start', 'abc'], 2, 'INVALID_ARGUMENT', /abc/],
      ['an absent checkpoint on refresh', ['@BASE', 'refresh-checkpoint', '--id', missingCp, '--lifetime', '1h'], 1, 'CHECKPOINT_NOT_FOUND', /00000000-0000-4000-8000-00000000dead/],
      ['an absent source on create', ['@BASE', 'create-checkpoint', '--source', missingCp], 1, 'CHECKPOINT_NOT_FOUND', /checkpoint missing/],
      ['an absent checkpoint on pinned-ssts', ['@BASE', 'pinned-ssts', '--id', missingCp], 1, 'CHECKPOINT_NOT_FOUND'],
      ['read-manifest of an absent id', ['@BASE', 'read-manifest', '--id', '999999'], 1, 'MANIFEST_NOT_FOUND', /999999/],
      ['a missing database', ['--store', '@STORE', '--path', 'no/such/db', 'list-checkpoints'], 1, 'DATABASE_NOT_FOUND', /no\/such\/db/],
      ['a missing database on create', ['--store', '@STORE', '--path', 'no/such/db', 'create-checkpoint'], 1, 'DATABASE_NOT_FOUND'],
      ['an unknown manifest version', ['--store', '@STORE', '--path', 'future', 'list-checkpoints'], 1, 'MANIFEST_UNSUPPORTED_VERSION', /version 3/],
      ['an unknown manifest version on create', ['--store', '@STORE', '--path', 'future', 'create-checkpoint'], 1, 'MANIFEST_UNSUPPORTED_VERSION'],
      ['an unknown manifest version on read-manifest', ['--store', '@STORE', '--path', 'future', 'read-manifest'], 1, 'MANIFEST_UNSUPPORTED_VERSION'],
      ['a create on a manifest with fields from a newer SlateDB', ['--store', '@STORE', '--path', 'newer', 'create-checkpoint'], 1, 'MANIFEST_READ_ONLY', /newer SlateDB/],
    ];
    for (const [what, template, exit, code, message] of cases) {
      it(`${what}: exit ${exit}, {"error": {"code": "${code}"}} and the manifest directories are unchanged`, () => {
        const args = template.flatMap((a) => (a === '@BASE' ? base : a === '@STORE' ? [storeUrl] : [a]));
        const snapshot = () => [manifestDir(), manifestDir('future'), manifestDir('newer'), fs.readdirSync(storeDir).sort()];
        const before = snapshot();
        const r = cli(args);
        assert.equal(r.status, exit, `exit code; stderr: ${r.stderr}`);
        assert.deepEqual(Object.keys(r.json), ['error']);
        assert.equal(r.json.error.code, code, r.json.error.message);
        assert.equal(typeof r.json.error.message, 'string');
        if (message) assert.match(r.json.error.message, message);
        assert.match(r.stderr, /error: /);
        assert.deepEqual(snapshot(), before);
      });
    }
  });
});
