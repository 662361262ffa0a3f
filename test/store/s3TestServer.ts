/**
 * The S3 server the S3 tests run against.
 *
 * With SLATEDB_TEST_S3_ENDPOINT, SLATEDB_TEST_S3_ACCESS_KEY and
 * SLATEDB_TEST_S3_SECRET_KEY set (e.g. `eval "$(node scripts/rgw.mjs start)"`)
 * the tests use that server. Otherwise the first test file that asks starts a
 * throwaway Ceph RGW (scripts/lib/rgw.mjs) and it is stopped after the last
 * test of the run (a root-level mocha `after` hook registered here), so several
 * S3 test files in one run share one cluster.
 *
 * Every test file makes its own fresh bucket(s) and removes them.
 */

import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import type { RgwInstance } from '../../scripts/lib/rgw.mjs';

export interface S3TestServer {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** 'env' when given by environment variables, 'rgw' when started by this run. */
  origin: 'env' | 'rgw';
  /** Raw SDK client with the test keys, for set-up and for checking what the store wrote. */
  admin: S3Client;
}

let server: Promise<S3TestServer> | undefined;
let rgw: RgwInstance | undefined;

/** The shared test server (started on first use when the environment names none). Allow ~3 min the first time. */
export function s3TestServer(): Promise<S3TestServer> {
  server ??= (async () => {
    const env = process.env;
    let base: Omit<S3TestServer, 'admin'>;
    if (env.SLATEDB_TEST_S3_ENDPOINT && env.SLATEDB_TEST_S3_ACCESS_KEY && env.SLATEDB_TEST_S3_SECRET_KEY) {
      base = {
        endpoint: env.SLATEDB_TEST_S3_ENDPOINT,
        accessKeyId: env.SLATEDB_TEST_S3_ACCESS_KEY,
        secretAccessKey: env.SLATEDB_TEST_S3_SECRET_KEY,
        region: env.SLATEDB_TEST_S3_REGION ?? 'us-east-1',
        origin: 'env',
      };
    } else {
      const { startRgw } = await import('../../scripts/lib/rgw.mjs');
      const log = (line: string) => process.stderr.write(`      ${line}\n`);
      rgw = await startRgw({ log });
      base = { endpoint: rgw.endpoint, accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey, region: rgw.region, origin: 'rgw' };
    }
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // we pin an SDK that supports Node 20
    const admin = new S3Client({
      endpoint: base.endpoint,
      region: base.region,
      forcePathStyle: true,
      credentials: { accessKeyId: base.accessKeyId, secretAccessKey: base.secretAccessKey },
    });
    return { ...base, admin };
  })();
  server.catch(() => (server = undefined));
  return server;
}

/** Stop the RGW this run started (no-op for a server from the environment). */
export async function stopS3TestServer(): Promise<void> {
  const s = server;
  server = undefined;
  if (s) (await s.catch(() => undefined))?.admin.destroy();
  const r = rgw;
  rgw = undefined;
  await r?.stop();
}

// Runs once after the whole mocha run, whichever S3 test file came last.
if (typeof after === 'function') {
  after(async function () {
    this.timeout(60_000);
    await stopS3TestServer();
  });
}

/** A new, empty bucket with a unique name (`tag` says which test file made it). */
export async function createTestBucket(tag: string): Promise<string> {
  const { admin } = await s3TestServer();
  const name = `slatedb-${tag}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`.toLowerCase().slice(0, 63);
  await admin.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

/** Delete every object under `prefix` ('' = all). */
export async function emptyPrefix(bucket: string, prefix = ''): Promise<void> {
  const { admin } = await s3TestServer();
  let token: string | undefined;
  do {
    const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }));
    await Promise.all((page.Contents ?? []).map((o) => admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }))));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** Empty and delete a bucket made by createTestBucket. */
export async function deleteTestBucket(bucket: string): Promise<void> {
  const { admin } = await s3TestServer();
  await emptyPrefix(bucket);
  await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/**
 * In a describe block: the shared S3 test server and a fresh bucket for it,
 * emptied and deleted afterwards. A server that does not start fails the
 * block's `before` hook with its own error.
 */
export function useTestBucket(tag: string): () => { server: S3TestServer; bucket: string } {
  let state: { server: S3TestServer; bucket: string } | undefined;
  before(async function () {
    this.timeout(300_000);
    const server = await s3TestServer();
    state = { server, bucket: await createTestBucket(tag) };
  });
  after(async () => {
    if (state) await deleteTestBucket(state.bucket).catch(() => undefined);
  });
  return () => {
    if (!state) throw new Error('the S3 test bucket is used before its before() hook ran');
    return state;
  };
}
