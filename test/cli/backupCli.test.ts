/**
 * The built CLI's `backup` and `restore` (CLI-CONTRACT "backup / restore") on a database the real
 * SlateDB 0.12.1 wrote: the output in the contract's shape; bad input — malformed options (exit 2),
 * an unknown checkpoint, a restore target that already holds a database, a target that cannot be
 * written (exit 1) — is a clear error on stdout and stderr, and nothing is written anywhere.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { copyFixtureDbs, dataFixtures, DataFixtures } from '../fixtures/dataDbs/index';
import { cli } from '../support/cliRun';
import { dirSnapshot } from '../support/dirSnapshot';

const DB = 'codec-zstd';
const UNKNOWN = '01234567-89ab-4def-8123-456789abcdef';

describe('CLI: backup and restore (real SlateDB database)', function () {
  this.timeout(180_000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-cli-'));
  const STORE = pathToFileURL(path.join(root, 'src')).href;
  const VAULT = pathToFileURL(path.join(root, 'vault')).href;
  let fx: DataFixtures;
  let checkpoint = '';
  const backup = (...args: string[]) => cli(['--store', STORE, '--path', DB, 'backup', ...args]);
  const restore = (...args: string[]) => cli(['--store', VAULT, '--path', 'repo', 'restore', ...args]);

  before(async function () {
    this.timeout(600_000);
    fx = await dataFixtures();
    await copyFixtureDbs(fx, path.join(root, 'src'), [DB]);
    checkpoint = fx.checkpoint(DB, 'final').id;
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  function assertError(r: ReturnType<typeof cli>, status: number, code: string, mentions: RegExp): void {
    assert.equal(r.status, status, r.stderr);
    assert.equal(r.json.error.code, code, JSON.stringify(r.json));
    assert.match(r.json.error.message, mentions);
    assert.match(r.stderr, /^error: /m);
  }

  it('malformed options: exit 2 with a clear message, nothing read or written', () => {
    const before = dirSnapshot(root);
    const cases: Array<[string[], RegExp]> = [
      [['--id', 'not-a-uuid', '--to-store', VAULT, '--to-path', 'repo'], /not a checkpoint id/],
      [['--id', checkpoint, '--latest', '--to-store', VAULT, '--to-path', 'repo'], /exactly one of --id UUID and --latest/],
      [['--to-store', VAULT, '--to-path', 'repo'], /exactly one of --id UUID and --latest/],
      [['--id', checkpoint, '--to-store', VAULT], /needs --to-path/],
      [['--id', checkpoint, '--to-path', 'repo'], /needs --to-store/],
      [['--id', checkpoint, '--to-store', 'ftp://x/y', '--to-path', 'repo'], /not a store URL/],
      [['--id', checkpoint, '--to-store', VAULT, '--to-path', 'repo', '--to-region', 'eu-west-1'], /s3:\/\/ --to-store only/],
      [['--id', checkpoint, '--to-store', VAULT, '--to-path', '../up'], /not valid/],
      [['--id', checkpoint, '--to-store', VAULT, '--to-path', 'repo', '--name', 'x backup:y'], /must not contain "backup:"/],
      [['--id', checkpoint, '--to-store', VAULT, '--to-path', 'repo', '--bogus'], /Unknown option '--bogus'/],
      [['--id', checkpoint, '--to-store', STORE, '--to-path', `${DB}/vault`], /one holds the other/],
    ];
    for (const [args, mentions] of cases) assertError(backup(...args), 2, 'INVALID_ARGUMENT', mentions);
    assertError(restore('--id', 'nope', '--to-store', VAULT, '--to-path', 'r'), 2, 'INVALID_ARGUMENT', /not a checkpoint id/);
    assertError(restore('--to-store', VAULT, '--to-path', 'r'), 2, 'INVALID_ARGUMENT', /needs --id/);
    assert.equal(dirSnapshot(root), before, 'nothing written');
  });

  it('an unknown checkpoint: exit 1, CHECKPOINT_NOT_FOUND naming it, nothing written', () => {
    const before = dirSnapshot(root);
    assertError(backup('--id', UNKNOWN, '--to-store', VAULT, '--to-path', 'repo'), 1, 'CHECKPOINT_NOT_FOUND', new RegExp(UNKNOWN));
    assert.equal(dirSnapshot(root), before);
  });

  it('a target that cannot be written (its root is a file): exit 1 naming the target, no manifest anywhere, the source untouched', () => {
    const blocked = path.join(root, 'blocked');
    fs.writeFileSync(blocked, 'not a directory');
    const before = dirSnapshot(root);
    const r = backup('--id', checkpoint, '--to-store', pathToFileURL(blocked).href, '--to-path', 'repo');
    assertError(r, 1, 'STORE_ERROR', /copying into database "repo".*No manifest was written/s);
    assert.equal(dirSnapshot(root), before);
  });

  it('backup and restore print the contract document; restore into a root that holds a database: exit 1 TARGET_NOT_EMPTY, nothing written', () => {
    const b = backup('--id', checkpoint, '--to-store', VAULT, '--to-path', 'repo', '--name', 'cli');
    assert.equal(b.status, 0, b.stderr);
    assert.deepEqual(Object.keys(b.json), ['source', 'target', 'copied', 'reused', 'server_side_copies']);
    assert.deepEqual(Object.keys(b.json.source), ['store', 'path', 'checkpoint', 'manifest_id']);
    assert.deepEqual(Object.keys(b.json.target), ['store', 'path', 'checkpoint_id', 'manifest_id']);
    assert.deepEqual(Object.keys(b.json.copied), ['ssts', 'wal_files', 'bytes']);
    assert.equal(b.json.source.checkpoint, checkpoint);
    assert.ok(b.json.copied.ssts > 0 && b.json.copied.bytes > 0);
    assert.match(b.stderr, /backup: copy/);

    const again = backup('--id', checkpoint, '--to-store', VAULT, '--to-path', 'repo');
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.json.target.checkpoint_id, b.json.target.checkpoint_id);
    assert.deepEqual(again.json.copied, { ssts: 0, wal_files: 0, bytes: 0 });

    const r = restore('--id', b.json.target.checkpoint_id, '--to-store', VAULT, '--to-path', 'restored');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json.target.manifest_id, 1);
    assert.deepEqual(r.json.copied, { ssts: b.json.copied.ssts, wal_files: b.json.copied.wal_files, bytes: b.json.copied.bytes });

    const before = dirSnapshot(root);
    for (const target of ['restored', 'repo']) {
      assertError(restore('--id', b.json.target.checkpoint_id, '--to-store', VAULT, '--to-path', target === 'repo' ? 'repo' : target), target === 'repo' ? 2 : 1, target === 'repo' ? 'INVALID_ARGUMENT' : 'TARGET_NOT_EMPTY', /Nothing was (read or )?written/);
    }
    assertError(restore('--id', b.json.target.checkpoint_id, '--to-store', STORE, '--to-path', DB), 1, 'TARGET_NOT_EMPTY', /already holds a SlateDB database/);
    assertError(restore('--id', UNKNOWN, '--to-store', VAULT, '--to-path', 'elsewhere'), 1, 'CHECKPOINT_NOT_FOUND', new RegExp(UNKNOWN));
    assert.equal(dirSnapshot(root), before, 'nothing written');
  });
});
