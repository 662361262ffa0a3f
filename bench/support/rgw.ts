/** The test RGW for the benches: a bucket of our own, and removal of a run's objects afterwards. */

import { CreateBucketCommand, DeleteObjectCommand, HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { S3Access } from './backupChild';

export const BENCH_BUCKET = 'h7-bench';

function client(s3: S3Access): S3Client {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
}

/** Creates the bucket unless it exists (HEAD first: this RGW never answers a CreateBucket of an existing bucket). */
export async function ensureBucket(s3: S3Access, bucket = BENCH_BUCKET): Promise<void> {
  const c = client(s3);
  try {
    const exists = await c.send(new HeadBucketCommand({ Bucket: bucket })).then(
      () => true,
      () => false,
    );
    if (!exists) await c.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw e;
  } finally {
    c.destroy();
  }
}

/** Deletes every object under `prefix` in the bench bucket. */
export async function removePrefix(s3: S3Access, prefix: string, bucket = BENCH_BUCKET): Promise<number> {
  const c = client(s3);
  let removed = 0;
  try {
    for (;;) {
      const page = await c.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000 }));
      const keys = (page.Contents ?? []).map((o) => o.Key!);
      if (keys.length === 0) return removed;
      for (let i = 0; i < keys.length; i += 16) {
        await Promise.all(keys.slice(i, i + 16).map((Key) => c.send(new DeleteObjectCommand({ Bucket: bucket, Key }))));
      }
      removed += keys.length;
    }
  } finally {
    c.destroy();
  }
}
