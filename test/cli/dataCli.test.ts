/**
 * `scan`, `diff` and `verify-checkpoint` of the built CLI (dist/cli.js) on the REAL engine's databases
 * (test/fixtures/dataDbs). Expected text comes from the engine's own scans (fx.truth) rendered with
 * SlateDB's rules (render.ts, unit-tested against those rules in test/unit/render.test.ts), so these
 * tests check the rows, their order, the options and the exit codes of the contract.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { objectsOf, resolveState } from '../../src/engine/read/pointInTime';
import { renderKey, renderScanLine, renderValue } from '../../src/engine/read/render';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { copyFixtureDbs, DataFixtures, dataFixtures, OracleRow } from '../fixtures/dataDbs';
import { addSst, v1, writeManifest } from '../unit/sst/syntheticDb';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist/cli.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|CLOUD_PROVIDER|LOCAL_PATH|SLATEDB_)/.test(k)) out[k] = v;
  return out;
}

function run(root: string, db: string, args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, '--store', `file://${root}`, '--path', db, ...args], { env: env(), encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const text = (rows: OracleRow[], key: 'auto' | 'hex' | 'utf8' = 'auto', value: 'auto' | 'hex' | 'utf8' | 'len' | 'none' = 'auto') =>
  rows.map((r) => renderScanLine(r.key, r.value, key, value)).join('');

const startsWith = (k: Uint8Array, p: Uint8Array) => Buffer.from(k).subarray(0, p.length).equals(Buffer.from(p));
const cmp = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Every file under `dir` with its size and mtime: a command that writes nothing leaves it unchanged. */
async function snapshot(dir: string): Promise<string> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const p = path.join(e.parentPath, e.name);
    const st = await fs.stat(p);
    out.push(`${path.relative(dir, p)} ${st.size} ${st.mtimeMs}`);
  }
  return out.sort().join('\n');
}

describe('CLI scan / diff / verify-checkpoint on real-engine databases', function () {
  this.timeout(300_000);
  let fx: DataFixtures;
  let root: string;
  before(async () => {
    fx = await dataFixtures();
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'data-cli-'));
    await copyFixtureDbs(fx, root, ['codec-zstd', 'codec-snappy', 'merge', 'clone']);
  });
  after(async () => {
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  function truth(db: string, state: string): OracleRow[] {
    const t = fx.truth(db, state);
    assert.ok('rows' in t, `${db} ${state}: the engine's scan failed`);
    return t.rows;
  }

  it('scan at every checkpoint and at latest prints exactly the engine\'s rows, rendered as SlateDB does', () => {
    for (const db of ['codec-zstd', 'codec-snappy', 'clone']) {
      for (const state of [...fx.db(db).checkpoints.map((c) => c.label), 'latest']) {
        const args = state === 'latest' ? ['scan'] : ['scan', '--checkpoint', fx.checkpoint(db, state).id];
        const r = run(root, db, args);
        assert.equal(r.status, 0, `${db} ${state}: ${r.stderr}`);
        assert.equal(r.stdout, text(truth(db, state)), `${db} at ${state}`);
        assert.equal(r.stderr, '');
      }
    }
  });

  it('--key / --value renderings, --format jsonl, --count, --max-keys', () => {
    const rows = truth('codec-zstd', 'deletes');
    const cp = ['--checkpoint', fx.checkpoint('codec-zstd', 'deletes').id];
    for (const [k, v] of [['hex', 'len'], ['utf8', 'utf8'], ['auto', 'hex'], ['auto', 'none']] as const) {
      assert.equal(run(root, 'codec-zstd', ['scan', ...cp, '--key', k, '--value', v]).stdout, text(rows, k, v), `--key ${k} --value ${v}`);
    }
    const jsonl = run(root, 'codec-zstd', ['scan', ...cp, '--format', 'jsonl']).stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(jsonl.length, rows.length);
    jsonl.forEach((j, i) => {
      assert.equal(j.key, Buffer.from(rows[i].key).toString('base64'));
      assert.equal(j.value, Buffer.from(rows[i].value).toString('base64'));
      assert.equal(BigInt(j.seq), rows[i].seq);
      assert.equal(j.expire_ts === null ? null : BigInt(j.expire_ts), rows[i].expireTs);
    });
    const bytes = rows.reduce((n, r) => n + r.key.length + r.value.length, 0);
    assert.equal(run(root, 'codec-zstd', ['scan', ...cp, '--count']).stdout, `${rows.length} entries, ${bytes} bytes\n`);
    assert.equal(run(root, 'codec-zstd', ['scan', ...cp, '--max-keys', '7']).stdout, text(rows.slice(0, 7)));
    assert.equal(run(root, 'codec-zstd', ['scan', ...cp, '--max-keys', '0']).stdout, '');
    const seven = rows.slice(0, 7).reduce((n, r) => n + r.key.length + r.value.length, 0);
    assert.equal(run(root, 'codec-zstd', ['scan', ...cp, '--max-keys', '7', '--count']).stdout, `7 entries, ${seven} bytes\n`);
  });

  it('--prefix and --from / --to select what the engine\'s rows hold there (text and hex bounds)', () => {
    const rows = truth('codec-zstd', 'latest');
    const user = Buffer.from('user:');
    assert.ok(rows.some((r) => startsWith(r.key, user)), 'fixture has user: keys');
    assert.equal(run(root, 'codec-zstd', ['scan', '--prefix', 'user:']).stdout, text(rows.filter((r) => startsWith(r.key, user))));
    const from = rows[Math.floor(rows.length / 3)].key;
    const to = rows[Math.floor((2 * rows.length) / 3)].key;
    const between = rows.filter((r) => cmp(r.key, from) >= 0 && cmp(r.key, to) < 0);
    const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex');
    assert.equal(run(root, 'codec-zstd', ['scan', '--from', hex(from), '--to', hex(to)]).stdout, text(between));
    assert.equal(run(root, 'codec-zstd', ['scan', '--key', 'hex', '--from', Buffer.from(from).toString('hex')]).stdout, text(rows.filter((r) => cmp(r.key, from) >= 0), 'hex'));
  });

  it('bad input exits 2 before reading, with a message on stderr and nothing on stdout', async () => {
    const before = await snapshot(root);
    const cases: Array<[string[], RegExp]> = [
      [['scan', '--prefix', 'a', '--from', 'b'], /--prefix cannot be combined/],
      [['scan', '--from', 'b', '--to', 'a'], /empty/],
      [['scan', '--from', 'a', '--to', 'a'], /empty/],
      [['scan', '--key', 'base64'], /--key "base64"/],
      [['scan', '--value', 'json'], /--value "json"/],
      [['scan', '--format', 'csv'], /--format "csv"/],
      [['scan', '--max-keys', '-1'], /max-keys/],
      [['scan', '--max-keys', 'ten'], /max-keys/],
      [['scan', '--checkpoint', 'not-a-uuid'], /uuid|UUID/],
      [['scan', '--from', '0xabc'], /even number of digits/],
      [['scan', '--key', 'hex', '--prefix', 'zz'], /invalid hex/],
      [['scan', '--bogus'], /bogus/],
      [['diff'], /--from/],
      [['diff', '--from', 'nope'], /uuid|UUID/],
      [['verify-checkpoint'], /--id/],
    ];
    for (const [args, message] of cases) {
      const r = run(root, 'codec-zstd', args);
      assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status} ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      if (args[0] !== 'verify-checkpoint') assert.equal(r.stdout, '', `${args.join(' ')}: stdout stays empty for text commands`);
    }
    assert.equal(await snapshot(root), before, 'nothing written');
  });

  it('an unknown checkpoint, a merge operand and a corrupt SST exit 1 naming what failed', async () => {
    const unknown = run(root, 'codec-zstd', ['scan', '--checkpoint', '00000000-0000-4000-8000-000000000000']);
    assert.equal(unknown.status, 1);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /00000000-0000-4000-8000-000000000000/);

    const merge = run(root, 'merge', ['scan']);
    assert.equal(merge.status, 1);
    assert.match(merge.stderr, /key "count:[ab]".*merge operator/);

    const ms = new ManifestStore(new LocalObjectStore(root), 'codec-snappy');
    const cp = fx.checkpoint('codec-snappy', 'final').id;
    const sst = objectsOf(await resolveState(ms, cp)).find((o) => o.kind === 'sst')!;
    const file = path.join(root, sst.key);
    const original = await fs.readFile(file);
    const bad = Buffer.from(original);
    bad[20] ^= 0xff;
    await fs.writeFile(file, bad);
    try {
      const r = run(root, 'codec-snappy', ['scan', '--checkpoint', cp]);
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(sst.key), r.stderr);
      const v = run(root, 'codec-snappy', ['verify-checkpoint', '--id', cp, '--deep']);
      assert.equal(v.status, 1);
      const doc = JSON.parse(v.stdout);
      assert.equal(doc.ok, false);
      assert.deepEqual(doc.problems.map((p: { key: string }) => p.key), [sst.key]);
      const shallow = run(root, 'codec-snappy', ['verify-checkpoint', '--id', cp]);
      assert.equal(shallow.status, 0, 'a shallow verify reads no block');
    } finally {
      await fs.writeFile(file, original);
    }
  });

  it('diff equals the difference of two engine scans, in key order; --count', () => {
    const db = 'codec-zstd';
    const labels = fx.db(db).checkpoints.map((c) => c.label);
    for (let i = 0; i + 1 <= labels.length; i++) {
      const fromLabel = labels[i];
      const toLabel = labels[i + 1] ?? 'latest';
      const a = new Map(truth(db, fromLabel).map((r) => [Buffer.from(r.key).toString('hex'), r]));
      const b = new Map(truth(db, toLabel).map((r) => [Buffer.from(r.key).toString('hex'), r]));
      const keys = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => Buffer.compare(Buffer.from(x, 'hex'), Buffer.from(y, 'hex')));
      let expected = '';
      const counts = { added: 0, removed: 0, changed: 0 };
      for (const k of keys) {
        const x = a.get(k);
        const y = b.get(k);
        if (!x) {
          expected += `+\t${renderKey(y!.key)}\t${renderValue(y!.value)}\n`;
          counts.added++;
        } else if (!y) {
          expected += `-\t${renderKey(x.key)}\t${renderValue(x.value)}\n`;
          counts.removed++;
        } else if (!Buffer.from(x.value).equals(Buffer.from(y.value))) {
          expected += `~\t${renderKey(x.key)}\t${renderValue(x.value)}\t${renderValue(y.value)}\n`;
          counts.changed++;
        }
      }
      const args = ['diff', '--from', fx.checkpoint(db, fromLabel).id, ...(toLabel === 'latest' ? [] : ['--to', fx.checkpoint(db, toLabel).id])];
      const r = run(root, db, args);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, expected, `${fromLabel} → ${toLabel}`);
      assert.equal(run(root, db, [...args, '--count']).stdout, `${counts.added} added, ${counts.removed} removed, ${counts.changed} changed\n`);
    }
  });

  it('verify-checkpoint prints the contract\'s document', () => {
    const cp = fx.checkpoint('clone', fx.db('clone').checkpoints[0].label);
    for (const deep of [false, true]) {
      const r = run(root, 'clone', ['verify-checkpoint', '--id', cp.id, ...(deep ? ['--deep'] : [])]);
      assert.equal(r.status, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.deepEqual(Object.keys(doc), ['checkpoint', 'manifest_id', 'ok', 'checked', 'problems']);
      assert.deepEqual(Object.keys(doc.checked), ['manifests', 'ssts', 'wal_files', 'bytes', 'blocks']);
      assert.equal(doc.checkpoint, cp.id);
      assert.equal(doc.manifest_id, cp.manifestId);
      assert.equal(doc.ok, true);
      assert.ok(doc.checked.ssts > 0);
      assert.equal(doc.checked.blocks > 0, deep);
    }
  });

  it('a reader slower than the scan gets every line, and the waits leave no listener behind (no leak warning)', async () => {
    // 3 × 20,000 rows of 64 bytes into a pipe nobody reads for a while: hundreds of blocked writes.
    const store = new LocalObjectStore(root);
    const ssts = [];
    for (let s = 0; s < 3; s++) {
      const rows = [];
      for (let i = 0; i < 20_000; i++) rows.push({ key: `k${String(s * 20_000 + i).padStart(7, '0')}`, value: 'v'.repeat(64), seq: 1 + s * 20_000 + i });
      ssts.push(await addSst(store, 'slow-reader', s + 1, rows));
    }
    await writeManifest(store, 'slow-reader', 1, v1({ runs: [ssts] }));
    const child = spawn(process.execPath, [CLI, '--store', `file://${root}`, '--path', 'slow-reader', 'scan', '--value', 'hex'], { env: env() });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.pause();
    await new Promise((r) => setTimeout(r, 1500));
    let lines = 0;
    child.stdout.on('data', (d: Buffer) => {
      for (const b of d) if (b === 0x0a) lines++;
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), 20); // a slow reader: every chunk waits
    });
    child.stdout.resume();
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(status, 0, stderr);
    assert.equal(lines, 60_000);
    assert.equal(stderr, '', 'no MaxListenersExceededWarning or other message');
  });

  it('a reader that stops early (scan | head) ends the scan quietly with exit 0', async () => {
    const child = spawn(process.execPath, [CLI, '--store', `file://${root}`, '--path', 'codec-zstd', 'scan', '--value', 'hex'], { env: env() });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(status, 0, stderr);
    assert.doesNotMatch(stderr, /error|fatal/i);
  });
});
