/**
 * One backup in its own process (for its peak RSS), printed as one JSON document:
 *   node --import tsx bench/support/backupChild.ts '<json BackupJob>'
 * Both stores are wrapped in ByteCountingStore: requests, and the bytes that passed through
 * this process (a server-side copy passes none). S3 stores use the test RGW of the environment
 * (SLATEDB_TEST_S3_ENDPOINT / _ACCESS_KEY / _SECRET_KEY / _REGION, `source /tmp/rgw-env.sh`).
 */

import { peakRssMb } from './peakRss';
import { openStore, OpenStoreOptions } from '../../src/engine/store/openStore';
import { ByteCounts, ByteCountingStore } from './byteCountingStore';

export interface S3Access {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** The test S3 server named by the environment, or undefined. */
export function s3FromEnv(env: NodeJS.ProcessEnv = process.env): S3Access | undefined {
  const { SLATEDB_TEST_S3_ENDPOINT: endpoint, SLATEDB_TEST_S3_ACCESS_KEY: accessKeyId, SLATEDB_TEST_S3_SECRET_KEY: secretAccessKey } = env;
  if (!endpoint || !accessKeyId || !secretAccessKey) return undefined;
  return { endpoint, accessKeyId, secretAccessKey, region: env.SLATEDB_TEST_S3_REGION ?? 'us-east-1' };
}

export interface BackupJob {
  source: { url: string; path: string };
  target: { url: string; path: string };
  checkpointId: string;
  concurrency?: number;
}

/** The part of BackupResult (src/engine/backup/backup.ts, CLI contract) the bench reads. */
export interface BackupResultJson {
  source: { store: string; path: string; checkpoint: string; manifest_id: number };
  target: { store: string; path: string; checkpoint_id: string; manifest_id: number };
  copied: { ssts: number; wal_files: number; bytes: number };
  reused: { ssts: number; wal_files: number; bytes: number };
  server_side_copies: number;
}

export interface BackupChildFigures {
  result: BackupResultJson;
  ms: number;
  source: ByteCounts;
  target: ByteCounts;
  maxRssMb: number;
}

interface Endpoint {
  store: unknown;
  path: string;
  storeLabel: string;
}

type BackupCheckpoint = (o: { source: Endpoint; target: Endpoint; checkpointId?: string; concurrency?: number }) => Promise<BackupResultJson>;

/** The backup engine (H3's src/engine/backup/backup.ts), loaded by a computed path so this file compiles before it lands. */
export function loadBackupEngine(): BackupCheckpoint {
  const modulePath = ['..', '..', 'src', 'engine', 'backup', 'backup'].join('/');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(modulePath) as { backupCheckpoint?: BackupCheckpoint };
  if (typeof mod.backupCheckpoint !== 'function') throw new Error('src/engine/backup/backup.ts has no backupCheckpoint yet');
  return mod.backupCheckpoint;
}

function storeOptions(url: string, s3: S3Access | undefined): OpenStoreOptions {
  if (!url.startsWith('s3://') || !s3) return {};
  return { endpoint: s3.endpoint, region: s3.region, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } };
}

export async function runBackupJob(job: BackupJob): Promise<Omit<BackupChildFigures, 'maxRssMb'>> {
  const backupCheckpoint = loadBackupEngine();
  const s3 = s3FromEnv();
  const source = new ByteCountingStore(await openStore(job.source.url, storeOptions(job.source.url, s3)));
  const target = new ByteCountingStore(await openStore(job.target.url, storeOptions(job.target.url, s3)));
  try {
    const t0 = performance.now();
    const result = await backupCheckpoint({
      source: { store: source, path: job.source.path, storeLabel: job.source.url },
      target: { store: target, path: job.target.path, storeLabel: job.target.url },
      checkpointId: job.checkpointId,
      ...(job.concurrency ? { concurrency: job.concurrency } : {}),
    });
    return { result, ms: performance.now() - t0, source: source.counts, target: target.counts };
  } finally {
    await source.close();
    await target.close();
  }
}

if (require.main === module) {
  runBackupJob(JSON.parse(process.argv[2]) as BackupJob)
    .then((f) => {
      process.stdout.write(JSON.stringify({ ...f, maxRssMb: peakRssMb() }) + '\n');
      process.exit(0);
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}
