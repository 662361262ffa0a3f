/**
 * Security properties:
 *
 * 1. The local store never leaves its root. Property-based (fast-check): keys and list prefixes
 *    built from '..', '.', empty segments, absolute paths, backslashes, NUL, look-alikes ('...',
 *    '..a', '%2e%2e') and the names of symlinks that lead outside (a directory, a file, a chain, a
 *    loop) — for EVERY operation (get, head, putIfAbsent, delete, listPage with the key as prefix,
 *    with and without a delimiter). Nothing outside the root changes (names, sizes and contents
 *    compared), no byte from outside is ever returned, no listed key resolves outside, and every
 *    refusal is an EngineError with a known code. The engine on top (ManifestStore and checkpoint
 *    operations on a database path that is a symlink out, or whose manifest/ folder is) refuses too.
 *    A directory swapped for a symlink WHILE a write is under way (time-of-check / time-of-use) is
 *    tested deterministically by hooking the file-system calls.
 * 2. The CLI never prints a secret: `node dist/cli.js -v` with AWS_SECRET_ACCESS_KEY /
 *    AWS_SESSION_TOKEN from the environment or from --env-file, against an unreachable endpoint,
 *    an endpoint that resets connections, and (on Ceph RGW) a wrong secret and a bucket that does
 *    not exist: stdout + stderr never contain the secret, the session token, or any 8-character
 *    piece of them.
 * 3. The S3 store's request log (`logger` option) and its error messages never contain the secret,
 *    with a wrong secret and with the right one, on RGW.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import * as fc from 'fast-check';
import { createCheckpoint, deleteCheckpoint, listCheckpoints, refreshCheckpoint } from '../../src/engine/checkpoints';
import { EngineError, ErrorCode } from '../../src/engine/errors';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { checkpointTable, manifestV1, putManifest } from '../support/manifestKit';
import { useTestBucket } from '../store/s3TestServer';


const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist/cli.js');
const OUTSIDE_MARK = 'OUTSIDE-THE-ROOT-' + randomBytes(6).toString('hex');

// ─────────────────────────────────────────────────────── local fixtures ──

interface Tree {
  tmp: string;
  root: string;
  outside: string;
}

/** Every entry under `dir` with its type, size and content hash (symlinks not followed). */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        out.push(`${r}/`);
        walk(full, r);
      } else if (e.isSymbolicLink()) out.push(`${r} -> ${fs.readlinkSync(full)}`);
      else out.push(`${r} ${createHash('sha256').update(fs.readFileSync(full)).digest('hex').slice(0, 16)}`);
    }
  };
  walk(dir, '');
  return out.sort();
}

function makeTree(): Tree {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-sec-'));
  const root = path.join(tmp, 'root');
  const outside = path.join(tmp, 'outside');
  fs.mkdirSync(path.join(root, 'inside', 'deeper'), { recursive: true });
  fs.mkdirSync(path.join(outside, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'secret.txt'), OUTSIDE_MARK);
  fs.writeFileSync(path.join(outside, 'sub', 'x'), OUTSIDE_MARK);
  fs.writeFileSync(path.join(root, 'inside', 'ok.txt'), 'ok');
  fs.mkdirSync(path.join(root, 'plain'));
  for (const n of ['a', 'b', 'c']) fs.writeFileSync(path.join(root, 'plain', n), n);
  fs.symlinkSync(outside, path.join(root, 'link')); // directory symlink out
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'filelink')); // file symlink out
  fs.symlinkSync(path.join(root, 'link'), path.join(root, 'chain')); // symlink to a symlink out
  fs.symlinkSync('../outside', path.join(root, 'rel')); // relative symlink out
  fs.symlinkSync(path.join(root, 'inside'), path.join(root, 'inlink')); // stays inside: allowed
  fs.symlinkSync(path.join(root, 'inside', 'deeper', 'up'), path.join(root, 'inside', 'deeper', 'up')); // loop
  // A database outside the root that a symlinked database path would reach.
  fs.mkdirSync(path.join(root, 'dbs'));
  fs.symlinkSync(path.join(outside, 'db'), path.join(root, 'dbs', 'escaped'));
  fs.mkdirSync(path.join(root, 'half'), { recursive: true });
  fs.symlinkSync(path.join(outside, 'db', 'manifest'), path.join(root, 'half', 'manifest')); // only manifest/ leads out
  return { tmp, root, outside };
}

const KNOWN: ErrorCode[] = ['PATH_OUTSIDE_ROOT', 'INVALID_ARGUMENT', 'STORE_ERROR'];

function classify(e: unknown, what: string): ErrorCode {
  if (!(e instanceof EngineError)) throw new Error(`${what}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}, not an EngineError`);
  assert.ok(KNOWN.includes(e.code), `${what}: code ${e.code}`);
  assert.ok(e.message.length > 0);
  return e.code;
}

const SEGMENTS = ['..', '.', '', 'a', 'inside', 'deeper', 'up', 'link', 'filelink', 'chain', 'rel', 'inlink', 'sub', 'secret.txt', '...', '..a', 'a..', '%2e%2e', '..\\..', 'x\0y', 'dbs', 'escaped', 'half', 'manifest', '\u2025'];

const keyArb = fc
  .tuple(fc.boolean(), fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 5 }), fc.constantFrom('', '/', '//'))
  .map(([abs, segs, tail]) => (abs ? '/' : '') + segs.join('/') + tail);

describe('reliability: security', function () {
  this.timeout(600_000);

  describe('the local store stays inside its root', () => {
    let t: Tree;
    let store: LocalObjectStore;
    let outsideBefore: string[];
    let tmpBefore: string[];

    before(async () => {
      t = makeTree();
      store = new LocalObjectStore(t.root);
      await putManifest(new LocalObjectStore(t.outside), 'db', 1, manifestV1({ checkpoints: [checkpointTable({ id: '0b7a1a52-6a0e-4e36-9f0c-1f1c2b4b5e01', manifestId: 1, name: 'outside' })] }));
      outsideBefore = snapshot(t.outside);
      tmpBefore = fs.readdirSync(t.tmp).sort();
    });

    after(() => fs.rmSync(t.tmp, { recursive: true, force: true }));

    function assertOutsideUntouched(what: string) {
      assert.deepEqual(snapshot(t.outside), outsideBefore, `${what}: something outside the root changed`);
      assert.deepEqual(fs.readdirSync(t.tmp).sort(), tmpBefore, `${what}: something was created next to the root`);
    }

    function resolvesInside(key: string): boolean {
      try {
        const real = fs.realpathSync(path.join(t.root, key));
        const realRoot = fs.realpathSync(t.root);
        return real === realRoot || real.startsWith(realRoot + path.sep);
      } catch {
        return true; // vanished: nothing outside
      }
    }

    it('every operation on 1,500 generated hostile keys: refused with PATH_OUTSIDE_ROOT / INVALID_ARGUMENT (never another exception), nothing outside changes, nothing from outside is returned', async () => {
      const outcomes = new Map<string, number>();
      const note = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
      await fc.assert(
        fc.asyncProperty(keyArb, async (key) => {
          const lexicalEscape = key.startsWith('/') || key.split('/').includes('..');
          // A listing prefix may end in the middle of a name ('a/..' = names under a/ starting with '..').
          const prefixEscape = (prefix: string) => prefix.startsWith('/') || prefix.split('/').slice(0, -1).includes('..');
          const ops: Array<[string, () => Promise<unknown>]> = [
            ['get', () => store.get(key)],
            ['head', () => store.head(key)],
            ['putIfAbsent', () => store.putIfAbsent(key, new TextEncoder().encode('written by the test'))],
            ['delete', () => store.delete(key)],
            ['list prefix', () => store.listPage({ prefix: key })],
            ['list prefix/ delimiter', () => store.listPage({ prefix: key.endsWith('/') ? key : key + '/', delimiter: '/' })],
            ['list startAfter', () => store.listPage({ prefix: 'plain/', startAfter: key })],
          ];
          for (const [op, run] of ops) {
            const what = `${op} ${JSON.stringify(key)}`;
            try {
              const r = await run();
              note(`${op} ok`);
              const escapes = op === 'list prefix' ? prefixEscape(key) : op === 'list prefix/ delimiter' ? prefixEscape(key.endsWith('/') ? key : key + '/') : op === 'list startAfter' ? false : lexicalEscape;
              if (escapes) assert.fail(`${what} succeeded although it leaves the root lexically`);
              const text = JSON.stringify(r, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
              assert.ok(!text?.includes(OUTSIDE_MARK), `${what} returned bytes from outside the root`);
              if (r && typeof r === 'object' && 'objects' in r) {
                for (const o of (r as { objects: { key: string }[] }).objects) assert.ok(resolvesInside(o.key), `${what} listed ${o.key}, which resolves outside`);
              }
            } catch (e) {
              if (e instanceof assert.AssertionError) throw e;
              const code = classify(e, what);
              note(`${op} ${code}`);
              // A key that leaves the root lexically is refused as such (NUL and backslash are refused as such too).
              if (lexicalEscape && !op.startsWith('list')) assert.equal(code, 'PATH_OUTSIDE_ROOT', what);
            }
          }
          assertOutsideUntouched(`key ${JSON.stringify(key)}`);
        }),
        { numRuns: 1500, seed: 1337, endOnFailure: true },
      );
      console.log(`      outcomes: ${[...outcomes.entries()].sort().map(([k, v]) => `${k} ${v}`).join(', ')}`);
    });

    it('named symlink escapes are refused for every operation, also as list prefixes (PATH_OUTSIDE_ROOT)', async () => {
      for (const key of ['link/secret.txt', 'link/new', 'link/sub/x', 'link/a/b/c', 'filelink', 'chain/secret.txt', 'chain/new', 'rel/secret.txt', 'rel/new', 'dbs/escaped/manifest/00000000000000000001.manifest', 'half/manifest/00000000000000000002.manifest']) {
        for (const [op, run] of [
          ['get', () => store.get(key)],
          ['head', () => store.head(key)],
          ['put', () => store.putIfAbsent(key, new Uint8Array([1]))],
          ['delete', () => store.delete(key)],
        ] as const) {
          await assert.rejects(run(), (e: unknown) => classify(e, `${op} ${key}`) === 'PATH_OUTSIDE_ROOT', `${op} ${key}`);
        }
      }
      for (const prefix of ['link/', 'link/s', 'link/sub/', 'chain/', 'rel/', 'dbs/escaped/', 'dbs/escaped/manifest/', 'half/manifest/', 'half/manifest/0000']) {
        for (const delimiter of [undefined, '/']) {
          await assert.rejects(store.listPage({ prefix, delimiter }), (e: unknown) => classify(e, `list ${prefix}`) === 'PATH_OUTSIDE_ROOT', `list ${prefix} ${delimiter}`);
        }
      }
      // A loop inside the root is an error, not a hang.
      await assert.rejects(store.listPage({ prefix: 'inside/' }), (e: unknown) => classify(e, 'list loop') !== undefined);
      assertOutsideUntouched('named escapes');
    });

    it('the engine refuses a database path that leads outside (lexically, through a symlink, or only its manifest/ folder) for list, create, refresh and delete', async () => {
      const id = '0b7a1a52-6a0e-4e36-9f0c-1f1c2b4b5e01';
      for (const dbPath of ['../outside/db', '/../outside/db', 'dbs/../../outside/db']) {
        assert.throws(() => new ManifestStore(store, dbPath), (e: unknown) => classify(e, dbPath) === 'INVALID_ARGUMENT');
      }
      for (const dbPath of ['link/db', 'chain/db', 'rel/db', 'dbs/escaped', 'half']) {
        const ms = new ManifestStore(store, dbPath);
        for (const [op, run] of [
          ['list', () => listCheckpoints(ms)],
          ['create', () => createCheckpoint(ms, { name: 'pwn' })],
          ['refresh', () => refreshCheckpoint(ms, { id, lifetimeMs: 3_600_000 })],
          ['delete', () => deleteCheckpoint(ms, { id })],
        ] as const) {
          await assert.rejects(run(), (e: unknown) => classify(e, `${op} ${dbPath}`) === 'PATH_OUTSIDE_ROOT', `${op} on ${dbPath}`);
        }
      }
      assertOutsideUntouched('engine on escaping database paths');
    });

    it('the CLI refuses them too (exit 2 for a path with "..", exit 1 PATH_OUTSIDE_ROOT through a symlink), writing nothing outside', function () {
      this.timeout(300_000);
      ensureCliBuilt();
      const run = (args: string[]) => spawnSync(process.execPath, [CLI, '--store', `file://${t.root}`, ...args], { encoding: 'utf8', timeout: 60_000, env: cleanEnv() });
      const a = run(['--path', '../outside/db', 'create-checkpoint', '--name', 'pwn']);
      assert.equal(a.status, 2, a.stderr);
      for (const p of ['link/db', 'dbs/escaped', 'half']) {
        const b = run(['--path', p, 'create-checkpoint', '--name', 'pwn']);
        assert.equal(b.status, 1, b.stderr);
        assert.equal(JSON.parse(b.stdout).error.code, 'PATH_OUTSIDE_ROOT');
      }
      assertOutsideUntouched('CLI');
    });
  });

  describe('a directory swapped for a symlink while a write is under way (time of check / time of use)', () => {
    /**
     * Hooks one fs.promises function (the local store uses the same module object) so that the
     * swap happens exactly between the store's checks and its use of the path.
     */
    async function withSwap(hookName: 'open' | 'link', when: (args: unknown[]) => boolean, swap: () => void, run: () => Promise<unknown>): Promise<unknown> {
      const p = fs.promises as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const original = p[hookName];
      let done = false;
      p[hookName] = function (this: unknown, ...args: unknown[]) {
        if (!done && when(args)) {
          done = true;
          swap();
        }
        return original.apply(this, args);
      };
      try {
        return await run().catch((e) => e);
      } finally {
        p[hookName] = original;
      }
    }

    it('putIfAbsent must not write outside the root when a directory on the key\'s path becomes a symlink after it was checked', async () => {
      const t = makeTree();
      try {
        const store = new LocalObjectStore(t.root);
        fs.mkdirSync(path.join(t.root, 'db', 'manifest'), { recursive: true });
        const before = snapshot(t.outside);
        // Between ensureDir (realpath says: inside) and the creation of the staging file, db/manifest
        // is replaced by a symlink to a folder outside (someone else with write access to the root).
        const outcome = await withSwap(
          'open',
          // the creation of the staging file (whatever path the store uses to name it)
          (args) => args[1] === 'wx',
          () => {
            fs.rmSync(path.join(t.root, 'db', 'manifest'), { recursive: true });
            fs.symlinkSync(t.outside, path.join(t.root, 'db', 'manifest'));
          },
          () => store.putIfAbsent('db/manifest/00000000000000000002.manifest', new TextEncoder().encode('written by the test')),
        );
        const after = snapshot(t.outside);
        const escaped = after.filter((x) => !before.includes(x));
        console.log(`      swap before the staging file is created: ${outcome instanceof Error ? `${(outcome as EngineError).code ?? ''} ${outcome.message}` : JSON.stringify(outcome)}; new entries outside the root: ${JSON.stringify(escaped)}`);
        assert.deepEqual(escaped, [], 'files were written outside the root');
      } finally {
        fs.rmSync(t.tmp, { recursive: true, force: true });
      }
    });

    it('a racing attacker flipping a directory between a real folder and a symlink out never gets a write outside (2,000 writes)', async () => {
      const t = makeTree();
      try {
        const store = new LocalObjectStore(t.root);
        const d = path.join(t.root, 'flip');
        fs.mkdirSync(d);
        let stop = false;
        let flips = 0;
        const flipper = (async () => {
          while (!stop) {
            try {
              fs.rmSync(d, { recursive: true, force: true });
              fs.symlinkSync(t.outside, d);
              await new Promise((r) => setImmediate(r));
              fs.unlinkSync(d);
              fs.mkdirSync(d);
              flips++;
            } catch {
              // the store may have created the folder meanwhile
            }
            await new Promise((r) => setImmediate(r));
          }
        })();
        const codes = new Map<string, number>();
        for (let i = 0; i < 2000; i++) {
          try {
            await store.putIfAbsent(`flip/f${i}`, new Uint8Array([1]));
            codes.set('ok', (codes.get('ok') ?? 0) + 1);
          } catch (e) {
            const c = classify(e, `put flip/f${i}`);
            codes.set(c, (codes.get(c) ?? 0) + 1);
          }
        }
        stop = true;
        await flipper;
        const outsideNow = fs.readdirSync(t.outside);
        const objects = outsideNow.filter((n) => /^f\d+$/.test(n));
        const staging = outsideNow.filter((n) => n.endsWith('.tmp'));
        console.log(
          `      ${flips} flips during 2000 writes (${[...codes.entries()].map(([k, v]) => `${k} ${v}`).join(', ')}): ` +
            `${objects.length} objects and ${staging.length} staging files landed OUTSIDE the root`,
        );
        assert.equal(objects.length + staging.length, 0, 'writes landed outside the root');
      } finally {
        fs.rmSync(t.tmp, { recursive: true, force: true });
      }
    });
  });

  // ──────────────────────────────────────────────────────────── secrets ──

  describe('secrets never reach the output', () => {
    const SECRET = `SeCrEtKeY${randomBytes(12).toString('hex')}XyZ`;
    const TOKEN = `SeSsIoNtOkEn${randomBytes(16).toString('base64url')}`;
    const ACCESS_KEY_ID = `AKIATESTONLY${randomBytes(4).toString('hex').toUpperCase()}`;
    let scratch = '';
    before(() => {
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-secrets-'));
    });
    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    /** Every 8-character piece of a secret (so a truncated or partly masked leak is found too). */
    function pieces(secret: string): string[] {
      const out: string[] = [];
      for (let i = 0; i + 8 <= secret.length; i++) out.push(secret.slice(i, i + 8));
      return out;
    }

    /**
     * Our random secrets must not appear whole, URL-encoded, base64-encoded, or as any 8-character
     * piece; `plainSecrets` (the RGW test user's fixed, not random, key) only whole or encoded.
     */
    function assertNoSecret(text: string, secrets: string[], what: string, plainSecrets: string[] = []) {
      for (const s of [...secrets, ...plainSecrets]) {
        for (const form of [s, encodeURIComponent(s), Buffer.from(s).toString('base64')]) {
          assert.ok(!text.includes(form), `${what}: the secret ${s.slice(0, 4)}… appears in the output`);
        }
      }
      for (const s of secrets) {
        const leaked = pieces(s).filter((p) => text.includes(p));
        assert.deepEqual(leaked, [], `${what}: pieces of a secret appear in the output`);
      }
    }

    /** A server that accepts connections and never answers (a black hole, a half-open firewall, a non-HTTP port). */
    async function silentServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
      const socks: net.Socket[] = [];
      const srv = net.createServer((sock) => {
        socks.push(sock);
        sock.on('data', () => undefined);
      });
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      return {
        port: (srv.address() as net.AddressInfo).port,
        connections: () => socks.length,
        close: async () => {
          for (const s of socks) s.destroy();
          await new Promise<void>((r) => srv.close(() => r()));
        },
      };
    }

    /** A server that accepts and immediately resets every connection. */
    async function resettingServer(): Promise<{ port: number; close: () => Promise<void> }> {
      const srv = net.createServer((sock) => sock.resetAndDestroy());
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      return { port: (srv.address() as net.AddressInfo).port, close: () => new Promise<void>((r) => srv.close(() => r())) };
    }

    /** Runs the CLI asynchronously (a synchronous spawn would block the test's own fake servers). */
    async function runCli(args: string[], env: Record<string, string>): Promise<{ status: number | null; out: string; ms: number; json: { error?: { code: string; message: string } } }> {
      const t0 = Date.now();
      const child = spawn(process.execPath, [CLI, '-v', ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      const status = await new Promise<number | null>((r) => child.on('close', (code) => r(code)));
      clearTimeout(killer);
      const out = `${stdout}\n${stderr}`;
      let json: { error?: { code: string; message: string } } = {};
      try {
        json = JSON.parse(stdout);
      } catch {
        assert.fail(`stdout of ${args.join(' ')} is not one JSON document after ${Date.now() - t0} ms: ${stdout}\n${stderr}`);
      }
      return { status, out, ms: Date.now() - t0, json };
    }

    it('the CLI with -v never prints AWS_SECRET_ACCESS_KEY or AWS_SESSION_TOKEN (environment and --env-file; unreachable endpoint, resetting endpoint)', async function () {
      this.timeout(300_000);
      ensureCliBuilt();
      // Port 1 (tcpmux): nothing listens there and no other process can take it without root privileges... we are
      // root here, but no test binds it; a random free port could be taken by another process meanwhile.
      const refused = 1;
      const reset = await resettingServer();
      const envFile = path.join(scratch, 'aws.env');
      try {
        const summary: string[] = [];
        for (const [label, endpoint] of [
          ['connection refused', `http://127.0.0.1:${refused}`],
          ['connection reset', `http://127.0.0.1:${reset.port}`],
        ] as const) {
          const creds = { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN };
          const base = { CLOUD_PROVIDER: 'aws', AWS_BUCKET: 'no-such-bucket', AWS_ENDPOINT: endpoint, AWS_ALLOW_HTTP: 'true', AWS_REGION: 'us-east-1' };
          fs.writeFileSync(envFile, Object.entries({ ...base, ...creds }).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
          const cases: Array<[string, string[], Record<string, string>]> = [
            ['env, list-checkpoints', ['--path', 'db', 'list-checkpoints'], { ...base, ...creds }],
            ['env, create-checkpoint', ['--path', 'db', 'create-checkpoint', '--name', 'x'], { ...base, ...creds }],
            ['env, list-dbs', ['list-dbs'], { ...base, ...creds }],
            ['--env-file, list-checkpoints', ['--env-file', envFile, '--path', 'db', 'list-checkpoints'], {}],
            ['--env-file, delete-checkpoint', ['--env-file', envFile, '--path', 'db', 'delete-checkpoint', '--id', '0b7a1a52-6a0e-4e36-9f0c-1f1c2b4b5e01'], {}],
            ['--store + --endpoint-url, keys in env', ['--store', 's3://bad-bucket/p', '--endpoint-url', endpoint, '--path', 'db', 'read-manifest'], creds],
          ];
          for (const [name, args, env] of cases) {
            const r = await runCli(args, env);
            assert.equal(r.status, 1, `${label}, ${name}: exit code\n${r.out}`);
            assertNoSecret(r.out, [SECRET, TOKEN], `${label}, ${name}`);
            summary.push(`${label} / ${name}: ${r.json.error?.code} in ${r.ms} ms (${r.out.split('\n').filter(Boolean).length} lines; access key id printed: ${r.out.includes(ACCESS_KEY_ID)})`);
          }
        }
        for (const s of summary) console.log(`      ${s}`);
      } finally {
        await reset.close();
      }
    });

    it('an endpoint that accepts and never answers: a request fails after the S3 store\'s requestTimeoutMs (it must not hang)', async function () {
      this.timeout(120_000);
      const silent = await silentServer();
      const { S3ObjectStore } = await import('../../src/engine/store/s3/s3Store');
      const store = new S3ObjectStore({
        bucket: 'b',
        endpoint: `http://127.0.0.1:${silent.port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET },
        requestTimeoutMs: 1500,
      });
      const t0 = Date.now();
      let outcome = 'still waiting';
      const guard = 20_000;
      try {
        outcome = await Promise.race([
          store.listPage({ prefix: 'db/manifest/' }).then(
            () => 'answered?!',
            (e: unknown) => `${(e as EngineError).code}: ${(e as Error).message.slice(0, 120)}`,
          ),
          new Promise<string>((r) => setTimeout(() => r(`no answer after ${guard} ms`), guard).unref()),
        ]);
      } finally {
        await store.close();
        await silent.close();
      }
      const ms = Date.now() - t0;
      console.log(`      silent endpoint, requestTimeoutMs 1500: ${outcome} after ${ms} ms (${silent.connections()} connection(s))`);
      assert.ok(outcome.startsWith('STORE_ERROR'), `listPage must fail with STORE_ERROR once requestTimeoutMs has passed; got: ${outcome}`);
      assert.ok(!outcome.includes(SECRET.slice(0, 8)));
    });

    describe('against Ceph RGW', () => {
      const s3 = useTestBucket('secrets');

      it('the CLI with -v never prints the secret: wrong secret (SignatureDoesNotMatch), unknown bucket, and the right secret', async function () {
        const { server, bucket } = s3();
        this.timeout(300_000);
        ensureCliBuilt();
        const base = { CLOUD_PROVIDER: 'aws', AWS_ENDPOINT: server.endpoint, AWS_ALLOW_HTTP: 'true', AWS_REGION: server.region };
        const summary: string[] = [];
        const cases: Array<[string, Record<string, string>, string[], number]> = [
          ['wrong secret', { ...base, AWS_BUCKET: bucket, AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: SECRET }, ['--path', 'db', 'create-checkpoint'], 1],
          ['wrong secret + token', { ...base, AWS_BUCKET: bucket, AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN }, ['list-dbs'], 1],
          ['unknown access key', { ...base, AWS_BUCKET: bucket, AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET }, ['--path', 'db', 'list-checkpoints'], 1],
          ['bad bucket, right secret', { ...base, AWS_BUCKET: 'no-such-bucket-' + randomBytes(3).toString('hex'), AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey }, ['--path', 'db', 'list-checkpoints'], 1],
          ['right secret, no database', { ...base, AWS_BUCKET: bucket, AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey }, ['--path', 'db', 'list-checkpoints'], 1],
          ['right secret, list-dbs', { ...base, AWS_BUCKET: bucket, AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey }, ['list-dbs'], 0],
        ];
        for (const [name, env, args, status] of cases) {
          const r = await runCli(args, env);
          assert.equal(r.status, status, `${name}: exit code\n${r.out}`);
          assertNoSecret(r.out, [SECRET, TOKEN], name, [server.secretAccessKey]);
          summary.push(`${name}: ${r.json.error ? `${r.json.error.code} "${r.json.error.message.slice(0, 90)}…"` : 'ok'} (${r.out.split('\n').filter((l) => l.includes('[s3]')).length} request log lines)`);
        }
        for (const s of summary) console.log(`      ${s}`);
      });

      it('the S3 store\'s logger lines, error messages and error objects never contain the secret (wrong secret and right secret, every operation)', async function () {
        const { server, bucket } = s3();
        const { S3ObjectStore } = await import('../../src/engine/store/s3/s3Store');
        const lines: string[] = [];
        const messages: string[] = [];
        const inspected: string[] = [];
        const exercise = async (secretAccessKey: string, sessionToken?: string) => {
          const store = new S3ObjectStore({
            bucket,
            prefix: 'sec',
            endpoint: server.endpoint,
            region: server.region,
            credentials: { accessKeyId: server.accessKeyId, secretAccessKey, sessionToken },
            logger: (l) => lines.push(l),
          });
          inspected.push(inspect(store, { depth: 4 }), store.description);
          const ops: Array<() => Promise<unknown>> = [
            () => store.listPage({ prefix: 'db/' }),
            () => store.get('db/manifest/00000000000000000001.manifest'),
            () => store.head('db/x'),
            () => store.putIfAbsent(`db/obj-${randomBytes(3).toString('hex')}`, new Uint8Array([1, 2, 3])),
            () => store.delete('db/x'),
            () => listCheckpoints(new ManifestStore(store, 'db')),
          ];
          for (const op of ops) {
            try {
              await op();
            } catch (e) {
              messages.push(e instanceof Error ? e.message : String(e));
              inspected.push(inspect(e, { depth: 8 }));
            }
          }
          await store.close();
        };
        await exercise(SECRET);
        await exercise(SECRET, TOKEN);
        await exercise(server.secretAccessKey);
        console.log(`      ${lines.length} log lines, ${messages.length} error messages; e.g. "${lines[0]}" / "${messages[0]?.slice(0, 120)}…"`);
        assert.ok(lines.length >= 12 && messages.length >= 6);
        assertNoSecret(lines.join('\n'), [SECRET, TOKEN], 'logger lines', [server.secretAccessKey]);
        assertNoSecret(messages.join('\n'), [SECRET, TOKEN], 'error messages', [server.secretAccessKey]);
        // Error objects (with their SDK causes) and the store object itself, as a careless `console.log(err)` would print them.
        assertNoSecret(inspected.join('\n'), [SECRET, TOKEN], 'util.inspect of errors and of the store', [server.secretAccessKey]);
      });
    });
  });
});

// ──────────────────────────────────────────────────────────── helpers ──

let built = false;
/** `node esbuild.js` once per run (dist/cli.js is what users run). */
function ensureCliBuilt(): void {
  if (built) return;
  const r = spawnSync(process.execPath, ['esbuild.js'], { cwd: REPO, encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, `node esbuild.js failed:\n${r.stdout}\n${r.stderr}`);
  assert.ok(fs.existsSync(CLI), 'dist/cli.js built');
  built = true;
}

/** The test's environment without any store or AWS settings of the machine. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|CLOUD_PROVIDER|LOCAL_PATH|SLATEDB_)/.test(k)) env[k] = v;
  // The SDK must not find shared credential files of the machine either.
  env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials';
  env.AWS_CONFIG_FILE = '/nonexistent/config';
  env.AWS_EC2_METADATA_DISABLED = 'true';
  return { ...env, ...extra };
}
