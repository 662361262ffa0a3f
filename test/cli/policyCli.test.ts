/**
 * The built CLI (`node dist/cli.js`) on databases the real SlateDB 0.12.1 wrote: `apply-policy`
 * (4 concurrent processes create exactly one checkpoint per window; --dry-run writes nothing; exit
 * 2 with nothing read for a bad policy; exit 1 with the other databases applied when one fails),
 * the `--path-glob` forms of create / refresh / delete-checkpoint (per-database results, exit 1 on
 * any failure, --all-or-nothing rollback), and `health`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildDatabase, closeKeptReaders } from '../fixtures/realSlateDb';
import { cli, cliAsync } from '../support/cliRun';
import { dirSnapshot as tree } from '../support/dirSnapshot';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('CLI: apply-policy, --path-glob, health (real SlateDB databases)', function () {
  this.timeout(180_000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-cli-'));
  const STORE = pathToFileURL(root).href;
  const DBS = ['tenants/a', 'tenants/b', 'tenants/c'];
  const policyFile = path.join(root, 'policy.json');

  const list = (db: string) => cli(['--store', STORE, '--path', db, 'list-checkpoints']).json as Array<{ id: string; name: string | null; expire_time: string | null; create_time: string }>;

  before(async () => {
    for (const db of DBS) await buildDatabase({ rootDir: root, dbPath: db, rounds: 2, putsPerRound: 100, readerCheckpoints: 0, closedReaders: 0, compaction: false, gc: false, roundPauseMs: 0 });
    fs.writeFileSync(
      policyFile,
      JSON.stringify({
        targets: [{ store: STORE, path_glob: 'tenants/*', rules: [{ name: 'hourly', every: '1h', lifetime: '30days', keep: { last: 2 } }] }],
      }),
    );
  });

  after(async () => {
    assert.deepEqual(await closeKeptReaders(), []);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('4 concurrent apply-policy processes create exactly one checkpoint per window in every database', async () => {
    for (const hour of ['10', '11', '12']) {
      const now = `2031-03-04T${hour}:20:00Z`;
      const runs = await Promise.all([0, 1, 2, 3].map(() => cliAsync(['apply-policy', '--policy', policyFile, '--now', now])));
      for (const r of runs) {
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.json.databases.length, 3);
      }
      for (const db of DBS) {
        const created = runs.map((r) => r.json.databases.find((d: any) => d.path === db).planned.find((a: any) => a.action === 'create')?.result?.status);
        assert.equal(created.filter((s) => s === 'created').length, 1, `${db} ${hour}h: ${created}`);
        const named = list(db).filter((c) => c.name === `hourly-20310304T${hour}0000Z`);
        assert.equal(named.length, 1, `${db}: one checkpoint for window ${hour}h`);
        assert.equal(named[0].create_time, now);
      }
    }
    // keep {last: 2}: the 10h ones are gone everywhere.
    for (const db of DBS) assert.deepEqual(list(db).map((c) => c.name).filter((n) => n?.startsWith('hourly-')).sort(), ['hourly-20310304T110000Z', 'hourly-20310304T120000Z']);
  });

  it('--dry-run prints the plan in the contract shape and writes nothing', () => {
    const before = tree(root);
    const r = cli(['apply-policy', '--policy', policyFile, '--now', '2031-03-04T13:05:00Z', '--dry-run']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(tree(root), before);
    const a = r.json.databases[0];
    assert.deepEqual(Object.keys(a), ['store', 'path', 'planned', 'applied', 'error']);
    assert.equal(a.store, STORE);
    assert.equal(a.path, 'tenants/a');
    assert.equal(a.applied, false);
    assert.equal(a.error, null);
    assert.deepEqual(
      a.planned.map((p: any) => [p.action, p.rule, p.name, p.checkpoint === null || UUID_RE.test(p.checkpoint)]),
      [
        ['create', 'hourly', 'hourly-20310304T130000Z', true],
        ['delete', 'hourly', 'hourly-20310304T110000Z', true],
      ],
    );
    assert.equal(a.planned[0].checkpoint, null);
    for (const p of a.planned) assert.equal(typeof p.reason, 'string');
  });

  it('a bad policy file is exit 2 with the JSON path, and nothing is read or written', () => {
    const bad = path.join(root, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ targets: [{ store: STORE, path: 'tenants/a', rules: [{ name: 'x', every: '1h', keep: { dayly: 3 } }] }] }));
    const before = tree(root);
    const r = cli(['apply-policy', '--policy', bad]);
    assert.equal(r.status, 2);
    assert.equal(r.json.error.code, 'INVALID_ARGUMENT');
    assert.match(r.json.error.message, /bad\.json: targets\[0\]\.rules\[0\]\.keep\.dayly: unknown key/);
    assert.equal(tree(root), before);
    assert.equal(cli(['apply-policy', '--policy', policyFile, '--now', 'noon']).status, 2);
  });

  it('one failing database is reported, exit 1, and the others are still applied', () => {
    const corrupt = path.join(root, 'tenants/c/manifest/00000000000000009999.manifest');
    fs.writeFileSync(corrupt, Buffer.from([0, 1, 9, 9, 9]));
    try {
      const r = cli(['apply-policy', '--policy', policyFile, '--now', '2031-03-04T14:00:00Z']);
      assert.equal(r.status, 1);
      const byPath = Object.fromEntries(r.json.databases.map((d: any) => [d.path, d]));
      assert.equal(byPath['tenants/c'].applied, false);
      assert.equal(byPath['tenants/c'].error.code, 'MANIFEST_CORRUPT');
      for (const db of ['tenants/a', 'tenants/b']) {
        assert.equal(byPath[db].applied, true);
        assert.ok(list(db).some((c) => c.name === 'hourly-20310304T140000Z'));
      }
    } finally {
      fs.rmSync(corrupt);
    }
  });

  it('--path-glob create / refresh / delete by name report per database', () => {
    const created = cli(['--store', STORE, '--path-glob', 'tenants/*', 'create-checkpoint', '--name', 'release-7', '--lifetime', '1day']);
    assert.equal(created.status, 0, created.stderr);
    assert.deepEqual(created.json.databases.map((d: any) => d.path), DBS);
    for (const d of created.json.databases) assert.match(d.result.id, UUID_RE);
    // The glob after the command works too.
    const refreshed = cli(['--store', STORE, 'refresh-checkpoint', '--name', 'release-7', '--path-glob', 'tenants/*', '--lifetime', '7days']);
    assert.equal(refreshed.status, 0, refreshed.stderr);
    for (const d of refreshed.json.databases) {
      assert.equal(d.result.length, 1);
      assert.equal(d.result[0].name, 'release-7');
      assert.equal(d.result[0].id, created.json.databases.find((c: any) => c.path === d.path).result.id);
    }
    const missing = cli(['--store', STORE, '--path-glob', 'tenants/*', 'refresh-checkpoint', '--name', 'nope']);
    assert.equal(missing.status, 1);
    for (const d of missing.json.databases) assert.equal(d.error.code, 'CHECKPOINT_NOT_FOUND');
    const deleted = cli(['--store', STORE, '--path-glob', 'tenants/*', 'delete-checkpoint', '--name', 'release-7']);
    assert.equal(deleted.status, 0);
    for (const d of deleted.json.databases) assert.deepEqual(d.result, { name: 'release-7', deleted: true, ids: [created.json.databases.find((c: any) => c.path === d.path).result.id] });
    for (const db of DBS) assert.equal(list(db).filter((c) => c.name === 'release-7').length, 0);
    const again = cli(['--store', STORE, '--path-glob', 'tenants/*', 'delete-checkpoint', '--name', 'release-7']);
    assert.equal(again.status, 0);
    for (const d of again.json.databases) assert.deepEqual(d.result, { name: 'release-7', deleted: false, ids: [] });
  });

  it('--path-glob create --all-or-nothing rolls back when one database fails', () => {
    const corrupt = path.join(root, 'tenants/b/manifest/00000000000000009999.manifest');
    fs.writeFileSync(corrupt, Buffer.from([0, 1, 9, 9, 9]));
    try {
      const r = cli(['--store', STORE, '--path-glob', 'tenants/*', 'create-checkpoint', '--name', 'atomic', '--all-or-nothing']);
      assert.equal(r.status, 1);
      const byPath = Object.fromEntries(r.json.databases.map((d: any) => [d.path, d]));
      assert.equal(byPath['tenants/b'].error.code, 'MANIFEST_CORRUPT');
      for (const db of ['tenants/a', 'tenants/c']) {
        assert.equal(byPath[db].result.rolled_back, true);
        assert.equal(list(db).filter((c) => c.name === 'atomic').length, 0);
      }
      // Without --all-or-nothing the others keep theirs.
      const partial = cli(['--store', STORE, '--path-glob', 'tenants/*', 'create-checkpoint', '--name', 'partial']);
      assert.equal(partial.status, 1);
      assert.equal(list('tenants/a').filter((c) => c.name === 'partial').length, 1);
    } finally {
      fs.rmSync(corrupt);
    }
  });

  it('usage errors are exit 2 before anything is read', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--store', STORE, '--path', 'tenants/a', '--path-glob', 'tenants/*', 'create-checkpoint'], /either --path .* or --path-glob/],
      [['--store', STORE, '--path-glob', 'tenants/*', 'refresh-checkpoint'], /--path-glob needs --name/],
      [['--store', STORE, '--path-glob', 'tenants/*', 'delete-checkpoint', '--id', '5a5a5a5a-0000-4000-8000-000000000001'], /with --path-glob, select by --name/],
      [['--store', STORE, '--path', 'tenants/a', 'delete-checkpoint', '--name', 'x'], /on one database \(--path\) use --id/],
      [['--store', STORE, '--path-glob', 'a/x**', 'create-checkpoint'], /must be a whole segment/],
      [['--store', STORE, '--path-glob', 'tenants/*', 'list-checkpoints'], /list-checkpoints does not take --path-glob/],
      [['--store', STORE, '--path', 'tenants/a', 'create-checkpoint', '--all-or-nothing'], /--all-or-nothing applies with --path-glob only/],
      [['--store', STORE, 'apply-policy', '--policy', 'x.json'], /takes its stores and paths from its input/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.json.error.message, message);
    }
  });

  it('health prints the report as JSON, for one database or a glob', () => {
    const one = cli(['--store', STORE, '--path', 'tenants/a', 'health', '--now', '2031-04-30T00:00:00Z', '--no-expiry-age', '1h']);
    assert.equal(one.status, 0, one.stderr);
    assert.equal(one.json.latest_manifest_id > 0, true);
    assert.deepEqual(Object.keys(one.json.bytes), ['total', 'latest_referenced', 'pinned_by_checkpoints', 'only_pinned_by_checkpoints', 'orphaned']);
    // "partial" never expires and is weeks old as of --now; the hourly ones expired (30 days).
    assert.ok(one.json.findings.some((f: any) => f.kind === 'no_expiry_old' && /"partial"/.test(f.message)));
    assert.ok(one.json.findings.some((f: any) => f.kind === 'expired_present'));
    const many = cli(['--store', STORE, '--path-glob', 'tenants/*', 'health']);
    assert.equal(many.status, 0);
    assert.deepEqual(many.json.databases.map((d: any) => d.path), DBS);
  });
});
