/**
 * `--path-glob` input errors are usage errors (exit 2) found once, before any database is listed,
 * read or written — not one failure per matched database (exit 1). Real SlateDB databases (copies of
 * the shared data fixture `codec-none`) under `tenants/`, the built CLI (`node dist/cli.js`).
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { dataFixtures } from '../fixtures/dataDbs';

const REPO = path.resolve(__dirname, '../..');
const CLI = path.join(REPO, 'dist/cli.js');

function cli(args: string[]): { status: number | null; json: any; stderr: string } {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|CLOUD_PROVIDER|LOCAL_PATH|SLATEDB_)/.test(k)) env[k] = v;
  const r = spawnSync(process.execPath, [CLI, ...args], { env, cwd: REPO, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, json: JSON.parse(r.stdout), stderr: r.stderr };
}

/** Every file with its size and mtime: equal before and after means nothing was written. */
function files(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${path.relative(dir, p)} ${fs.statSync(p).size} ${fs.statSync(p).mtimeMs}`);
    }
  };
  walk(dir);
  return out.sort().join('\n');
}

describe('CLI: --path-glob usage errors are exit 2 up front (real SlateDB databases)', function () {
  this.timeout(180_000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'multidb-cli-'));
  const STORE = pathToFileURL(root).href;

  before(async () => {
    const fx = await dataFixtures();
    for (const db of ['tenants/a', 'tenants/b']) fs.cpSync(path.join(fx.root, fx.db('codec-none').path), path.join(root, db), { recursive: true });
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a bad lifetime or name is one INVALID_ARGUMENT, exit 2, nothing written, whatever the glob matches', () => {
    const before = files(root);
    const cases: Array<[string[], RegExp]> = [
      [['--path-glob', 'x/*', 'create-checkpoint', '--lifetime', '0s'], /lifetime must be at least 1 second/],
      [['--path-glob', 'tenants/*', 'create-checkpoint', '--lifetime', '0s'], /lifetime must be at least 1 second/],
      [['--path-glob', 'tenants/*', 'create-checkpoint', '--lifetime', '500ms', '--name', 'n'], /lifetime must be at least 1 second/],
      [['--path-glob', 'tenants/*', 'create-checkpoint', '--lifetime', '200years'], /after 2106/],
      [['--path-glob', 'tenants/*', 'create-checkpoint', '--name', 'bad\u0001name'], /control characters/],
      [['--path-glob', 'tenants/*', 'refresh-checkpoint', '--name', 'n', '--lifetime', '0s'], /lifetime must be at least 1 second/],
      [['--path-glob', 'x/*', 'refresh-checkpoint', '--name', 'n', '--lifetime', '0s'], /lifetime must be at least 1 second/],
      [['--path-glob', 'tenants/*', 'create-checkpoint', '--lifetime', '2 parsecs'], /is not valid/],
    ];
    for (const [args, message] of cases) {
      const r = cli(['--store', STORE, ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.databases, undefined, 'no per-database results: nothing was attempted');
      assert.equal(r.json.error.code, 'INVALID_ARGUMENT', args.join(' '));
      assert.match(r.json.error.message, message, args.join(' '));
    }
    assert.equal(files(root), before, 'no file was written');
  });

  it('nothing is read either: the same input on an unreachable S3 endpoint is exit 2 at once', () => {
    const started = Date.now();
    const r = cli(['--store', 's3://no-such-bucket/p', '--endpoint-url', 'http://127.0.0.1:9', '--path-glob', 'tenants/*', 'create-checkpoint', '--lifetime', '0s']);
    assert.equal(r.status, 2, JSON.stringify(r.json));
    assert.match(r.json.error.message, /lifetime must be at least 1 second/);
    assert.ok(Date.now() - started < 20_000, 'no request was retried against the dead endpoint');
  });

  it('good input still runs on every matching database', () => {
    const r = cli(['--store', STORE, '--path-glob', 'tenants/*', 'create-checkpoint', '--lifetime', '1s', '--name', 'short']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.json.databases.map((d: any) => d.path), ['tenants/a', 'tenants/b']);
  });
});
