/**
 * The engine compatibility suite (engineCompat.ts) on S3ObjectStore against a real S3 server:
 * the one named by SLATEDB_TEST_S3_* or, without them, a Ceph RGW this run starts (see
 * s3TestServer.ts). One fresh bucket for this file, one fresh prefix per test; race clients each
 * open their own S3ObjectStore (own SDK clients and connections) on that prefix.
 */

import { randomBytes } from 'node:crypto';
import { S3ObjectStore } from '../../src/engine/store/s3/s3Store';
import { runEngineCompatibility } from './engineCompat';
import { createTestBucket, deleteTestBucket, emptyPrefix, s3TestServer, type S3TestServer } from './s3TestServer';

describe('engine on S3 (Ceph RGW)', function () {
  let server: S3TestServer;
  let bucket: string;

  before(async function () {
    this.timeout(240_000); // a cold install downloads ~60 MB of Debian packages
    server = await s3TestServer();
    bucket = await createTestBucket('engine');
  });

  after(async function () {
    this.timeout(60_000);
    if (bucket) await deleteTestBucket(bucket);
  });

  let n = 0;
  runEngineCompatibility('s3', async () => {
    const prefix = `t${++n}-${randomBytes(4).toString('hex')}`;
    const open = () =>
      new S3ObjectStore({
        bucket,
        prefix,
        endpoint: server.endpoint,
        region: server.region,
        credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
      });
    const store = open();
    return {
      store,
      openClient: open,
      cleanup: async () => {
        await store.close();
        await emptyPrefix(bucket, `${prefix}/`);
      },
    };
  });
});
