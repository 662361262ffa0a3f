/**
 * A backup in a child process, for tests that kill it mid-copy: copies checkpoint `checkpointId` of
 * `srcRoot`/`db` into `repoRoot`/`repo` one object at a time through a slow target store, printing
 * each progress step as a line `P <phase> <objectsDone> <objectsTotal>` on stdout, and `DONE` at the end.
 *
 *   node --import tsx backupChild.ts '<json args>'
 */
import { backupCheckpoint } from '../../../src/engine/backup/backup';
import { FaultInjectingStore } from '../../../src/engine/store/faultInjectingStore';
import { LocalObjectStore } from '../../../src/engine/store/local/localStore';

interface Args {
  srcRoot: string;
  db: string;
  checkpointId: string;
  repoRoot: string;
  repo: string;
  latencyMs: number;
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2]) as Args;
  const target = new FaultInjectingStore(new LocalObjectStore(a.repoRoot), { latencyMs: a.latencyMs });
  await backupCheckpoint({
    source: { store: new LocalObjectStore(a.srcRoot), path: a.db, storeLabel: 'source' },
    checkpointId: a.checkpointId,
    target: { store: target, path: a.repo, storeLabel: 'repo' },
    concurrency: 1,
    onProgress: (p) => process.stdout.write(`P ${p.phase} ${p.objectsDone} ${p.objectsTotal}\n`),
  });
  process.stdout.write('DONE\n');
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
