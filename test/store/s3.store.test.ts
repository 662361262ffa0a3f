/**
 * S3-specific behaviour of S3ObjectStore. The generic contract is checked by
 * s3.conformance.test.ts. The server tests run against a real Ceph RGW:
 * the one named by SLATEDB_TEST_S3_* or, without them, one this run starts.
 */

import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { EngineError, isEngineError } from '../../src/engine/errors';
import { listAll } from '../../src/engine/store/objectStore';
import { openStore } from '../../src/engine/store/openStore';
import { mapS3Error, PROBE_FOLDER, S3ObjectStore, type S3StoreOptions } from '../../src/engine/store/s3/s3Store';
import { createTestBucket, deleteTestBucket, s3TestServer, type S3TestServer } from './s3TestServer';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function rejects(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof EngineError, `expected an EngineError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

/** Run `fn` with some environment variables replaced (undefined = removed). */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const ctx = { operation: 'ListObjectsV2', bucket: 'b', key: 'db/manifest/', region: 'us-east-1' };

describe('S3ObjectStore error messages (no server)', () => {
  it('names the region to use when the bucket lives elsewhere (AuthorizationHeaderMalformed)', () => {
    const err = Object.assign(new Error("The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'"), {
      name: 'AuthorizationHeaderMalformed',
      Region: 'eu-west-1',
      $metadata: { httpStatusCode: 400 },
    });
    const e = mapS3Error(err, ctx);
    assert.equal(e.code, 'STORE_ERROR');
    assert.match(e.message, /in region eu-west-1, not us-east-1: use region eu-west-1 \(CLI: --region/);
  });

  it('names the region from x-amz-bucket-region on a 301 redirect', () => {
    const err = Object.assign(new Error('PermanentRedirect'), {
      name: 'PermanentRedirect',
      $metadata: { httpStatusCode: 301 },
      $response: { statusCode: 301, headers: { 'x-amz-bucket-region': 'ap-south-1' } },
    });
    assert.match(mapS3Error(err, ctx).message, /use region ap-south-1 \(CLI: --region/);
  });

  it('explains the credential chain and --profile when no credentials are found', () => {
    const err = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    const e = mapS3Error(err, { ...ctx, profile: 'prod' });
    assert.match(e.message, /No AWS credentials found/);
    assert.match(e.message, /AWS_ACCESS_KEY_ID/);
    assert.match(e.message, /profile "prod"/);
    assert.match(e.message, /--profile/);
    assert.equal(e.retryable, false);
  });

  it('reports 501 NotImplemented as STORE_UNSUPPORTED', () => {
    const err = Object.assign(new Error('A header you provided implies functionality that is not implemented'), {
      name: 'NotImplemented',
      $metadata: { httpStatusCode: 501 },
    });
    const e = mapS3Error(err, { ...ctx, operation: 'PutObject', endpoint: 'http://s3.local' });
    assert.equal(e.code, 'STORE_UNSUPPORTED');
    assert.match(e.message, /If-None-Match/);
  });

  it('finds ECONNREFUSED inside an AggregateError (IPv4 + IPv6 attempts)', () => {
    const inner = Object.assign(new Error('connect ECONNREFUSED ::1:9000'), { code: 'ECONNREFUSED' });
    const err = Object.assign(new AggregateError([inner], ''), { $metadata: {} });
    const e = mapS3Error(err, { ...ctx, endpoint: 'http://localhost:9000' });
    assert.match(e.message, /Cannot reach the S3 endpoint http:\/\/localhost:9000 .*connection refused/);
    assert.equal(e.retryable, true);
  });

  it('never names the secret key', () => {
    const err = Object.assign(new Error('The request signature we calculated does not match'), { name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    assert.doesNotMatch(mapS3Error(err, ctx).message, /secret-value/);
  });
});

describe('openStore', () => {
  it('opens s3:// URLs as S3 stores with the path as prefix', async () => {
    const store = await openStore('s3://my-bucket/tenants/a/', { endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    assert.ok(store instanceof S3ObjectStore);
    assert.equal(store.description, 's3://my-bucket/tenants/a');
    await store.close?.();
  });

  it('rejects unknown schemes and malformed S3 URLs with INVALID_ARGUMENT', async () => {
    assert.equal((await rejects(openStore('gs://bucket/x'))).code, 'INVALID_ARGUMENT');
    assert.equal((await rejects(openStore('s3:///x'))).code, 'INVALID_ARGUMENT');
    assert.equal((await rejects(openStore('file://relative/dir'))).code, 'INVALID_ARGUMENT');
  });

  it('does not load the AWS SDK for file:// stores', async function () {
    this.timeout(30_000);
    const script = `
      const { openStore } = require(${JSON.stringify(path.resolve(__dirname, '../../src/engine/store/openStore.ts'))});
      openStore('file://' + ${JSON.stringify(os.tmpdir())}).then((s) => {
        const loaded = Object.keys(require.cache).filter((k) => k.includes('@aws-sdk'));
        console.log(JSON.stringify({ description: s.description, loaded: loaded.length }));
      });`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.resolve(__dirname, '../..') }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const result = JSON.parse(out.trim().split('\n').pop()!);
    assert.match(result.description, /^file:\/\//);
    assert.equal(result.loaded, 0);
  });
});

/** A tiny HTTP server that answers S3 requests from a script, recording what it saw. */
async function scriptedServer(handler: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void) {
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders }[] = [];
  const srv = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      handler(req, res, seen.length);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return {
    endpoint,
    seen,
    close: () => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }),
    store: (o: Partial<S3StoreOptions> = {}) =>
      new S3ObjectStore({ bucket: 'b', endpoint, credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' }, requestTimeoutMs: 5000, ...o }),
  };
}

describe('S3ObjectStore retries (scripted server)', () => {
  it('sends a conditional PUT once even when the server fails with 500 (the engine decides)', async () => {
    const s = await scriptedServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/xml' });
      res.end('<Error><Code>InternalError</Code><Message>boom</Message></Error>');
    });
    try {
      const e = await rejects(s.store({ verifyConditionalWrites: 'never' }).putIfAbsent('db/manifest/00000000000000000002.manifest', bytes('m')));
      assert.equal(e.code, 'STORE_ERROR');
      assert.equal(e.retryable, true);
      assert.match(e.message, /may or may not have landed/);
      assert.equal(s.seen.filter((r) => r.method === 'PUT').length, 1);
      assert.equal(s.seen[0].headers['if-none-match'], '*');
    } finally {
      await s.close();
    }
  });

  it('sends a conditional PUT once when the connection drops before the response', async () => {
    const s = await scriptedServer((req) => req.socket.destroy());
    try {
      const e = await rejects(s.store({ verifyConditionalWrites: 'never' }).putIfAbsent('k', bytes('m')));
      assert.equal(e.retryable, true);
      assert.match(e.message, /may or may not have landed/);
      assert.equal(s.seen.length, 1);
    } finally {
      await s.close();
    }
  });

  it('keeps the SDK retries for reads', async () => {
    const s = await scriptedServer((_req, res, n) => {
      if (n === 1) {
        res.writeHead(503, { 'content-type': 'application/xml' });
        res.end('<Error><Code>SlowDown</Code><Message>slow down</Message></Error>');
      } else {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '5', etag: '"x"', 'last-modified': new Date().toUTCString() });
        res.end('hello');
      }
    });
    try {
      const got = await s.store().get('k');
      assert.equal(text(got!.bytes), 'hello');
      assert.equal(s.seen.length, 2);
    } finally {
      await s.close();
    }
  });

  it('refuses to write (STORE_UNSUPPORTED) where the server ignores If-None-Match', async () => {
    const s = await scriptedServer((req, res) => {
      res.writeHead(req.method === 'DELETE' ? 204 : 200, { etag: '"e"' });
      res.end();
    });
    try {
      const store = s.store();
      assert.equal(await store.probeConditionalWrites(), false);
      const e = await rejects(store.putIfAbsent('db/manifest/00000000000000000002.manifest', bytes('m')));
      assert.equal(e.code, 'STORE_UNSUPPORTED');
      assert.match(e.message, /ignores conditional writes/);
      assert.ok(s.seen.every((r) => r.url.includes(PROBE_FOLDER)), 'only probe objects were written');
      assert.ok(s.seen.some((r) => r.method === 'DELETE'), 'the probe object was deleted');
    } finally {
      await s.close();
    }
  });
});

describe('S3ObjectStore on a real S3 server (Ceph RGW)', function () {
  let server: S3TestServer;
  let bucket: string;
  const stores: S3ObjectStore[] = [];
  const make = (o: Partial<S3StoreOptions> = {}) => {
    const store = new S3ObjectStore({
      bucket,
      endpoint: server.endpoint,
      region: server.region,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      ...o,
    });
    stores.push(store);
    return store;
  };

  before(async function () {
    this.timeout(240_000); // a cold install downloads ~60 MB of Debian packages
    server = await s3TestServer();
    bucket = await createTestBucket('s3store');
  });

  after(async function () {
    this.timeout(60_000);
    await Promise.all(stores.map((s) => s.close()));
    if (bucket) await deleteTestBucket(bucket);
  });

  it('probes conditional writes as supported and leaves no probe object behind', async () => {
    const store = make({ prefix: 'probe-test' });
    assert.equal(await store.probeConditionalWrites(), true);
    const left = await server.admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'probe-test/' }));
    assert.deepEqual(left.Contents ?? [], []);
  });

  it('stores keys under its prefix and lists them relative to it', async () => {
    const store = make({ prefix: '/tenants/a/' });
    assert.deepEqual(await store.putIfAbsent('db/manifest/00000000000000000001.manifest', bytes('one')), { created: true });
    await store.putIfAbsent('db/wal/00000000000000000001.sst', bytes('wal'));
    const raw = await server.admin.send(new GetObjectCommand({ Bucket: bucket, Key: 'tenants/a/db/manifest/00000000000000000001.manifest' }));
    assert.equal(await raw.Body!.transformToString(), 'one');
    const page = await store.listPage({ prefix: 'db/', delimiter: '/' });
    assert.deepEqual(page.commonPrefixes, ['db/manifest/', 'db/wal/']);
    const all = await listAll(store, { prefix: 'db/', maxKeys: 1 });
    assert.deepEqual(all.objects.map((o) => o.key), ['db/manifest/00000000000000000001.manifest', 'db/wal/00000000000000000001.sst']);
    assert.equal(all.objects[0].size, 3);
    const after = await store.listPage({ prefix: 'db/', startAfter: 'db/manifest/00000000000000000001.manifest' });
    assert.deepEqual(after.objects.map((o) => o.key), ['db/wal/00000000000000000001.sst']);
  });

  it('reports the common prefix that startAfter falls inside, which RGW itself skips, also one item per page', async () => {
    const store = make({ prefix: 'inside' });
    for (const k of ['h/a/1', 'h/a/2', 'h/b/1', 'h/c']) await store.putIfAbsent(k, bytes(k));
    const whole = await store.listPage({ prefix: 'h/', delimiter: '/', startAfter: 'h/a/1' });
    assert.deepEqual([whole.commonPrefixes, whole.objects.map((o) => o.key)], [['h/a/', 'h/b/'], ['h/c']]);
    const items: string[] = [];
    let token: string | undefined;
    do {
      const p = await store.listPage({ prefix: 'h/', delimiter: '/', startAfter: 'h/a/1', maxKeys: 1, continuationToken: token });
      assert.ok(p.objects.length + p.commonPrefixes.length <= 1);
      items.push(...p.commonPrefixes, ...p.objects.map((o) => o.key));
      token = p.nextContinuationToken;
    } while (token && items.length < 10);
    assert.deepEqual(items, ['h/a/', 'h/b/', 'h/c']);
    const none = await store.listPage({ prefix: 'h/', delimiter: '/', startAfter: 'h/a/2' });
    assert.deepEqual(none.commonPrefixes, ['h/b/']);
  });

  it('reports a second create-if-absent as not created and keeps the first bytes', async () => {
    const store = make({ prefix: 'cas' });
    assert.deepEqual(await store.putIfAbsent('m/1', bytes('first')), { created: true });
    assert.deepEqual(await store.putIfAbsent('m/1', bytes('second')), { created: false });
    assert.equal(text((await store.get('m/1'))!.bytes), 'first');
    assert.equal((await store.head('m/1'))!.size, 5);
    assert.equal(await store.get('m/2'), undefined);
    assert.equal(await store.head('m/2'), undefined);
    await store.delete('m/1');
    await store.delete('m/1'); // absent: still fine
    assert.equal(await store.head('m/1'), undefined);
  });

  it('lets exactly one of 20 racing clients create a key, 50 rounds in a row', async function () {
    this.timeout(180_000);
    const clients = Array.from({ length: 20 }, () => make({ prefix: 'race' }));
    const roundMs: number[] = [];
    for (let round = 0; round < 50; round++) {
      const key = `db/manifest/${String(round + 1).padStart(20, '0')}.manifest`;
      const t0 = Date.now();
      const results = await Promise.all(clients.map((c, i) => c.putIfAbsent(key, bytes(`client ${i} round ${round}`))));
      roundMs.push(Date.now() - t0);
      const winners = results.flatMap((r, i) => (r.created ? [i] : []));
      assert.equal(winners.length, 1, `round ${round}: winners ${JSON.stringify(winners)}`);
      assert.equal(text((await clients[0].get(key))!.bytes), `client ${winners[0]} round ${round}`);
    }
    roundMs.sort((a, b) => a - b);
    console.log(`      race: 50 rounds x 20 clients, one winner each; per round median ${roundMs[25]} ms, max ${roundMs[49]} ms`);
  });

  it('says "access denied" and names the bucket when the access key is unknown', async () => {
    const store = make({ credentials: { accessKeyId: 'NOSUCHKEY', secretAccessKey: 'whatever' } });
    const e = await rejects(store.listPage({ prefix: 'db/' }));
    assert.equal(e.code, 'STORE_ERROR');
    assert.equal(e.retryable, false);
    assert.match(e.message, /Access denied/);
    assert.match(e.message, new RegExp(`s3://${bucket}/`));
    assert.match(e.message, /ListObjectsV2/);
  });

  it('says "access denied" when the secret key is wrong, for reads and writes', async () => {
    const store = make({ credentials: { accessKeyId: server.accessKeyId, secretAccessKey: 'wrong-secret' }, verifyConditionalWrites: 'never' });
    assert.match((await rejects(store.get('x'))).message, /Access denied/);
    assert.match((await rejects(store.head('x'))).message, /Access denied.*HeadObject/);
    assert.match((await rejects(store.putIfAbsent('x', bytes('x')))).message, /Access denied.*PutObject/);
  });

  it('says the bucket does not exist, on list, get and write', async () => {
    const store = make({ bucket: `${bucket}-missing` });
    for (const call of [() => store.listPage({}), () => store.get('a'), () => store.putIfAbsent('a', bytes('a')), () => store.delete('a')]) {
      const e = await rejects(call());
      assert.match(e.message, new RegExp(`Bucket "${bucket}-missing" does not exist on the S3 endpoint ${server.endpoint}`));
    }
  });

  it('names the endpoint when nothing listens there', async function () {
    this.timeout(30_000);
    const srv = http.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const store = make({ endpoint: `http://127.0.0.1:${port}` });
    const e = await rejects(store.listPage({}));
    assert.match(e.message, new RegExp(`Cannot reach the S3 endpoint http://127.0.0.1:${port} .*connection refused.*endpoint URL is right`));
    assert.equal(e.retryable, true);
  });

  it('explains where it looked when no credentials are configured', async function () {
    this.timeout(30_000);
    const missing = path.join(os.tmpdir(), 'slatedb-no-such-aws-file');
    await withEnv(
      {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_SHARED_CREDENTIALS_FILE: missing,
        AWS_CONFIG_FILE: missing,
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      async () => {
        const store = make({ credentials: undefined });
        const e = await rejects(store.listPage({}));
        assert.match(e.message, /No AWS credentials found/);
        assert.match(e.message, /--profile/);
      },
    );
  });

  it('logs one line per request with operation, key, status and time, and never a secret', async () => {
    const lines: string[] = [];
    const store = make({ prefix: 'logged', logger: (l) => lines.push(l) });
    await store.putIfAbsent('a', bytes('a')); // probe (PUT, PUT, DELETE) + the write
    await store.putIfAbsent('a', bytes('a'));
    await store.get('a');
    await store.get('missing');
    await store.listPage({});
    assert.match(lines.at(-5)!, new RegExp(`^\\[s3\\] PutObject s3://${bucket}/logged/a 200 \\d+ ms$`));
    assert.match(lines.at(-4)!, /PutObject .*\/logged\/a 412 PreconditionFailed \d+ ms$/);
    assert.match(lines.at(-3)!, /GetObject .*\/logged\/a 200 \d+ ms$/);
    assert.match(lines.at(-2)!, /GetObject .*\/logged\/missing 404 NoSuchKey \d+ ms$/);
    assert.match(lines.at(-1)!, /ListObjectsV2 .*\/logged\/ 200 \d+ ms$/);
    assert.equal(lines.length, 8);
    for (const l of lines) {
      assert.ok(!l.includes(server.secretAccessKey) && !l.includes(server.accessKeyId) && !/signature/i.test(l), l);
    }
  });

  it('reads a range with one ranged GetObject, and a streamed create is one PutObject', async () => {
    const lines: string[] = [];
    const store = make({ prefix: 'ranged', logger: (l) => lines.push(l) });
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) & 0xff);
    await store.putIfAbsent('sst', { size: big.length, chunks: async function* () { for (let at = 0; at < big.length; at += 100_000) yield big.slice(at, at + 100_000); } });
    assert.equal(lines.filter((l) => / PutObject .*\/ranged\/sst /.test(l)).length, 1);
    lines.length = 0;
    const block = await store.getRange('sst', 1_000_000, 1_004_096);
    assert.ok(Buffer.from(block!).equals(Buffer.from(big.subarray(1_000_000, 1_004_096))));
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /GetObject .*\/ranged\/sst 206 /);
  });

  it('copies server-side between prefixes; RGW ignores If-None-Match on CopyObject, so the copy checks first and never overwrites', async () => {
    const lines: string[] = [];
    const source = make({ prefix: 'copy-src' });
    const target = make({ prefix: 'copy-dst', logger: (l) => lines.push(l) });
    await source.putIfAbsent('a.sst', bytes('the source bytes'));
    await target.putIfAbsent('taken', bytes('already here'));
    // Ceph RGW (17/18) copies over an existing key despite If-None-Match: * (measured); Amazon S3 refuses with 412.
    const atomic = await target.copyIsAtomic();
    assert.equal(typeof atomic, 'boolean');
    lines.length = 0;
    assert.deepEqual(await target.copyObjectFrom(source, 'a.sst', 'taken'), { created: false });
    assert.equal(text((await target.get('taken'))!.bytes), 'already here');
    lines.length = 0;
    const r = await target.copyObjectFrom(source, 'a.sst', 'b.sst');
    assert.ok(r !== 'unsupported' && r.created);
    assert.ok(lines.some((l) => / CopyObject .*\/copy-dst\/b\.sst 200 /.test(l)), lines.join('\n'));
    assert.ok(!lines.some((l) => / GetObject /.test(l)), 'a server-side copy reads no bytes');
    assert.equal(text((await target.get('b.sst'))!.bytes), 'the source bytes');
    // Other credentials or another endpoint: no server-side copy.
    const stranger = new S3ObjectStore({ bucket, prefix: 'copy-src', endpoint: server.endpoint, region: server.region, credentials: { accessKeyId: 'other', secretAccessKey: 'x' } });
    stores.push(stranger);
    assert.equal(await target.copyObjectFrom(stranger, 'a.sst', 'c.sst'), 'unsupported');
    assert.equal(await target.head('c.sst'), undefined);
    const left = await server.admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'copy-dst/.slatedb-explorer-probe/' }));
    assert.deepEqual(left.Contents ?? [], [], 'the copy probe cleans up');
  });

  it('opens s3:// URLs through openStore against the same server', async () => {
    const store = await openStore(`s3://${bucket}/via-url`, {
      endpoint: server.endpoint,
      region: server.region,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    assert.deepEqual(await store.putIfAbsent('k', bytes('v')), { created: true });
    assert.equal(text((await store.get('k'))!.bytes), 'v');
    assert.ok(isEngineError(await rejects(store.get('../escape')), 'PATH_OUTSIDE_ROOT'));
    await store.close?.();
  });
});
