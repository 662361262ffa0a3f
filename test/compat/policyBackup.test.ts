/**
 * The policy `backup` action on a database the REAL SlateDB 0.12.1 wrote, over four simulated days
 * with real writes in between: each nightly checkpoint the rule creates is also backed up, and the
 * repository's backups of the rule are pruned with the same keep clause (`last: 2`) as the source's
 * checkpoints. After every run the repository is consistent (no manifest names a missing object),
 * holds exactly the backups of the checkpoints the source keeps, and the real engine reads each
 * backup as it read the source; a second run in the window plans and writes nothing; the CLI's
 * apply-policy runs the backup too.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseBackupName } from '../../src/engine/backup/naming';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { checkpointsOf } from '../../src/engine/manifest/model';
import { applyPolicy, DatabaseReport } from '../../src/engine/policy/apply';
import { validatePolicy } from '../../src/engine/policy/parse';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { openStore } from '../../src/engine/store/openStore';
import { copyFixtureDbs, dataFixtures, OracleRow } from '../fixtures/dataDbs/index';
import { cli } from '../support/cliRun';
import { closeWriter, engineRowsAt, openWriter, rowsText, writeAndFlush } from '../support/engineRows';
import { assertRepositoryConsistent } from '../support/repositoryChecks';

const DAY = 24 * 3_600_000;
const DB = 'codec-zstd';
const VAULT = 'vault';

describe('policy backup action on a real SlateDB database', function () {
  this.timeout(300_000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-backup-'));
  const srcRoot = path.join(root, 'src');
  const repoRoot = path.join(root, 'repo');
  const T0 = Math.floor(Date.now() / DAY) * DAY + 2 * DAY;
  const policyJson = {
    targets: [
      {
        store: pathToFileURL(srcRoot).href,
        path: DB,
        rules: [{ name: 'nightly', every: '1day', keep: { last: 2 }, backup: { store: pathToFileURL(repoRoot).href, path: VAULT } }],
      },
    ],
  };
  const policy = validatePolicy(policyJson);
  const run = (nowMs: number, dryRun = false): Promise<DatabaseReport[]> => applyPolicy(policy, { nowMs, dryRun, openStore: (s) => openStore(s.url) });
  /** Source checkpoint id → the source's own rows at it (taken when it was made). */
  const truth = new Map<string, OracleRow[]>();

  before(async function () {
    this.timeout(600_000);
    await copyFixtureDbs(await dataFixtures(), srcRoot, [DB]);
    fs.mkdirSync(repoRoot, { recursive: true });
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  async function sourceNightlies() {
    return checkpointsOf((await new ManifestStore(new LocalObjectStore(srcRoot), DB).readLatest()).manifest).filter((c) => c.name?.startsWith('nightly-'));
  }
  async function repoBackups() {
    return checkpointsOf((await new ManifestStore(new LocalObjectStore(repoRoot), VAULT).readLatest()).manifest).map((c) => ({ c, b: parseBackupName(c.name) }));
  }

  it('four nights with real writes: each new checkpoint is backed up, the repository pruned like the source, always consistent and readable', async () => {
    for (let day = 0; day < 4; day++) {
      if (day > 0) {
        const db = await openWriter(srcRoot, DB);
        try {
          await writeAndFlush(db, day * 100, day * 100 + 100, `night-${day}-`, true);
          await writeAndFlush(db, day * 100 + 100, day * 100 + 120, `night-${day}-`, false);
        } finally {
          await closeWriter(db);
        }
      }
      const [report] = await run(T0 + day * DAY + 3_600_000);
      assert.equal(report.error, null, JSON.stringify(report.error));
      assert.equal(report.applied, true);
      const created = report.planned.find((a) => a.action === 'create');
      const backedUp = report.planned.find((a) => a.action === 'backup');
      assert.equal(created?.result?.status, 'created');
      assert.equal(backedUp?.result?.status, 'backed-up', JSON.stringify(report.planned));
      truth.set(created!.result!.id!, await engineRowsAt(srcRoot, DB, created!.result!.id!));
      if (day >= 2) {
        const prunes = report.planned.filter((a) => a.action === 'delete' && a.repository);
        assert.equal(prunes.length, 1, 'the oldest backup is pruned');
        assert.equal(prunes[0].result?.status, 'deleted');
      }

      assert.ok((await assertRepositoryConsistent(repoRoot, VAULT)) > 0);
      const kept = await sourceNightlies();
      const backups = await repoBackups();
      assert.equal(kept.length, Math.min(day + 1, 2));
      assert.deepEqual(
        backups.map(({ b }) => ({ label: b?.label, source: b?.sourceCheckpoint, path: b?.sourcePath })).sort((x, y) => String(x.label).localeCompare(String(y.label))),
        kept.map((c) => ({ label: c.name, source: c.id, path: DB })).sort((x, y) => String(x.label).localeCompare(String(y.label))),
        'the repository holds exactly the backups of the checkpoints the source keeps',
      );
      for (const { c, b } of backups) assert.deepEqual(rowsText(await engineRowsAt(repoRoot, VAULT, c.id)), rowsText(truth.get(b!.sourceCheckpoint)!), `backup ${c.name}`);
    }
  });

  it('a second run in the same window plans nothing and writes nothing to the repository', async () => {
    const before = await new ManifestStore(new LocalObjectStore(repoRoot), VAULT).listManifests();
    const [report] = await run(T0 + 3 * DAY + 7_200_000);
    assert.equal(report.error, null);
    assert.deepEqual(report.planned, []);
    assert.deepEqual(await new ManifestStore(new LocalObjectStore(repoRoot), VAULT).listManifests(), before);
  });

  it('the CLI apply-policy backs up and prunes too (exit 0)', async () => {
    const file = path.join(root, 'policy.json');
    fs.writeFileSync(file, JSON.stringify(policyJson));
    const r = cli(['apply-policy', '--policy', file, '--now', new Date(T0 + 4 * DAY + 3_600_000).toISOString().replace('.000', '')]);
    assert.equal(r.status, 0, r.stderr);
    const planned = r.json.databases[0].planned as Array<{ action: string; repository?: unknown; result?: { status: string } }>;
    assert.equal(planned.find((a) => a.action === 'backup')?.result?.status, 'backed-up', JSON.stringify(planned));
    assert.equal(planned.filter((a) => a.action === 'delete' && a.repository).length, 1);
    await assertRepositoryConsistent(repoRoot, VAULT);
    assert.equal((await repoBackups()).length, 2);
  });
});
