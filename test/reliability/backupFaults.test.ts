/**
 * Backups under faults never leave a repository manifest that names a missing object, and running
 * the backup again completes it:
 *   - the fault-injecting store (errors, writes that land and then time out, stale listings) on the
 *     repository and on the source, several seeds: each attempt either succeeds or fails cleanly;
 *   - a child process running the backup is killed (SIGKILL) at several points of the copy and just
 *     as it starts to commit.
 * After every attempt, every manifest in the repository is checked against the repository's
 * listing; at the end the real engine reads the backup and it equals the source's state.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backupCheckpoint, BackupResult } from '../../src/engine/backup/backup';
import { isEngineError } from '../../src/engine/errors';
import { FaultInjectingStore } from '../../src/engine/store/faultInjectingStore';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { copyFixtureDbs, dataFixtures, DataFixtures } from '../fixtures/dataDbs/index';
import { engineRowsAt, rowsText } from '../support/engineRows';
import { assertRepositoryConsistent } from '../support/repositoryChecks';

const DB = 'codec-zstd';
const CLONE = 'clone';

function runChild(args: object, killAt: (line: string) => boolean): Promise<{ killed: boolean; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'support', 'backupChild.ts'), JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      if (!killed && lines.some(killAt)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve({ killed, out, err }));
  });
}

describe('backups under faults and kills', function () {
  this.timeout(300_000);
  let fx: DataFixtures;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-faults-'));
  const srcRoot = path.join(scratch, 'src');

  before(async function () {
    this.timeout(600_000);
    fx = await dataFixtures();
    await copyFixtureDbs(fx, srcRoot, [DB, CLONE]);
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  for (const [db, label] of [[DB, 'final'], [CLONE, 'clone-after-writes']] as const) {
    it(`${db}: injected store faults on both sides, 6 seeds: every attempt leaves a consistent repository; a clean rerun completes and reads back`, async function () {
      const cp = fx.checkpoint(db, label);
      const repoRoot = path.join(scratch, `faults-${db}`);
      fs.mkdirSync(repoRoot, { recursive: true });
      const repo = 'repo';
      let failures = 0;
      let successes = 0;
      for (let seed = 1; seed <= 6; seed++) {
        const faults = { errorRate: 0.15, landedThenTimeoutRate: 0.2, staleListRate: 0.1, seed };
        const target = new FaultInjectingStore(new LocalObjectStore(repoRoot), faults);
        // Odd seeds: a faulty source too (then nothing can be copied server-side: every object streams).
        const source = seed % 2 ? new FaultInjectingStore(new LocalObjectStore(srcRoot), { ...faults, seed: seed + 100 }) : new LocalObjectStore(srcRoot);
        try {
          await backupCheckpoint({ source: { store: source, path: db, storeLabel: 's' }, checkpointId: cp.id, target: { store: target, path: repo, storeLabel: 'r' }, concurrency: 3 });
          successes++;
        } catch (e) {
          assert.ok(isEngineError(e), `a typed error: ${String(e)}`);
          failures++;
        }
        await assertRepositoryConsistent(repoRoot, repo);
      }
      assert.ok(failures > 0, 'some attempts failed under faults');
      const clean = await backupCheckpoint({ source: { store: new LocalObjectStore(srcRoot), path: db, storeLabel: 's' }, checkpointId: cp.id, target: { store: new LocalObjectStore(repoRoot), path: repo, storeLabel: 'r' } });
      assert.equal(await assertRepositoryConsistent(repoRoot, repo) > 0, true);
      if (successes > 0) assert.deepEqual(clean.copied, { ssts: 0, wal_files: 0, bytes: 0 }, 'an earlier attempt had completed it');
      // The 0.12.1 reader ignores external_dbs (fx.truth took a clone's truth through a writer); the
      // backup has none, its parent's SSTs are its own, so the reader reads a clone's backup too.
      const truth = fx.truth(db, label);
      assert.ok('rows' in truth && truth.rows.length > 0);
      assert.deepEqual(rowsText(await engineRowsAt(repoRoot, repo, clean.target.checkpoint_id)), rowsText(truth.rows));
    });
  }

  it('a backup process killed at several points of the copy and at the commit never leaves a manifest naming a missing object; a rerun completes it', async function () {
    const cp = fx.checkpoint(DB, 'final');
    const truth = await engineRowsAt(srcRoot, DB, cp.id);
    const points: Array<{ name: string; at: (line: string) => boolean }> = [
      { name: 'after the first object', at: (l) => /^P copy [1-9]\d* /.test(l) },
      { name: 'half way', at: (l) => { const m = /^P copy (\d+) (\d+)$/.exec(l); return !!m && Number(m[2]) > 0 && Number(m[1]) * 2 >= Number(m[2]); } },
      { name: 'as the commit starts', at: (l) => l.startsWith('P commit') },
    ];
    for (const point of points) {
      const repoRoot = path.join(scratch, `kill-${points.indexOf(point)}`);
      fs.mkdirSync(repoRoot, { recursive: true });
      const run = await runChild({ srcRoot, db: DB, checkpointId: cp.id, repoRoot, repo: 'repo', latencyMs: 40 }, point.at);
      assert.ok(run.killed, `killed ${point.name} (child output: ${run.out} ${run.err})`);
      assert.ok(!run.out.includes('DONE'), point.name);
      const manifests = await assertRepositoryConsistent(repoRoot, 'repo');
      if (point.name !== 'as the commit starts') assert.equal(manifests, 0, `no manifest when killed ${point.name}`);

      const rerun: BackupResult = await backupCheckpoint({ source: { store: new LocalObjectStore(srcRoot), path: DB, storeLabel: 's' }, checkpointId: cp.id, target: { store: new LocalObjectStore(repoRoot), path: 'repo', storeLabel: 'r' } });
      assert.ok(await assertRepositoryConsistent(repoRoot, 'repo') >= 1);
      if (point.name !== 'as the commit starts') assert.ok(rerun.reused.ssts + rerun.reused.wal_files > 0, `the rerun reuses what the killed run copied (${point.name})`);
      assert.deepEqual(rowsText(await engineRowsAt(repoRoot, 'repo', rerun.target.checkpoint_id)), rowsText(truth), point.name);
    }
  });
});
