/**
 * Backups of real SlateDB databases into Ceph RGW (scenario: test/support/backupScenario.ts):
 * local → S3 backups stream; the restore is S3 → S3 on one endpoint, every object server-side.
 */
import { S3ObjectStore } from '../../src/engine/store/s3/s3Store';
import { backupScenario, Side } from '../support/backupScenario';

describe('backups of real SlateDB databases', function () {
  this.timeout(300_000);

  describe('into Ceph RGW (local → S3 streamed; restore S3 → S3 server-side)', function () {
    let repo: Side | undefined;
    let restore: Side | undefined;
    let bucket = '';
    before(async function () {
      this.timeout(300_000);
      const { s3TestServer, createTestBucket } = await import('../store/s3TestServer');
      const server = await s3TestServer();
      bucket = await createTestBucket('backup');
      const env = { AWS_ENDPOINT: server.endpoint, AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_REGION: server.region, AWS_ALLOW_HTTP: 'true' };
      const side = (prefix: string): Side => ({
        label: prefix,
        store: new S3ObjectStore({ bucket, prefix, endpoint: server.endpoint, region: server.region, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } }),
        storeLabel: `s3://${bucket}/${prefix}`,
        engine: { storeUrl: `s3://${bucket}/${prefix}`, env },
      });
      repo = side('repo');
      restore = side('restore');
    });
    after(async () => {
      const { deleteTestBucket } = await import('../store/s3TestServer');
      if (bucket) await deleteTestBucket(bucket).catch(() => undefined);
    });
    backupScenario(() => repo!, () => restore!, true);
  });
});
