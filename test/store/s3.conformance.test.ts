/**
 * The shared ObjectStore contract (conformance.ts) on S3ObjectStore against a
 * real S3 server: the one named by SLATEDB_TEST_S3_* or, without them, a Ceph
 * RGW this run starts (see s3TestServer.ts). One fresh bucket for this file,
 * one fresh prefix per test.
 */

import { randomBytes } from 'node:crypto';
import { S3ObjectStore } from '../../src/engine/store/s3/s3Store';
import { runObjectStoreConformance } from './conformance';
import { createTestBucket, deleteTestBucket, emptyPrefix, s3TestServer, type S3TestServer } from './s3TestServer';

describe('S3ObjectStore (Ceph RGW)', function () {
  let server: S3TestServer;
  let bucket: string;

  before(async function () {
    this.timeout(240_000); // a cold install downloads ~60 MB of Debian packages
    server = await s3TestServer();
    bucket = await createTestBucket('conformance');
  });

  after(async function () {
    this.timeout(60_000);
    if (bucket) await deleteTestBucket(bucket);
  });

  let n = 0;
  runObjectStoreConformance('s3', async () => {
    const prefix = `t${++n}-${randomBytes(4).toString('hex')}`;
    const open = (p: string) =>
      new S3ObjectStore({
        bucket,
        prefix: p,
        endpoint: server.endpoint,
        region: server.region,
        credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      });
    const store = open(prefix);
    const peer = open(`${prefix}-peer`); // same endpoint and keys: CopyObject works between them
    return {
      store,
      peer,
      cleanup: async () => {
        await store.close();
        await peer.close();
        await emptyPrefix(bucket, `${prefix}/`);
        await emptyPrefix(bucket, `${prefix}-peer/`);
      },
    };
  });
});
