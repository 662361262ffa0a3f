/**
 * media/policy.schema.json (contributed for .slatedb/policies.json) against the parser
 * (src/engine/policy/parse.ts), without a JSON Schema validator: at every level the schema's
 * properties are exactly the keys the parser allows (read from its own "allowed here: …" error), no
 * other key is accepted (additionalProperties false), every property has a description, and the
 * schema's patterns for durations, rule names, paths, globs and store URLs accept and reject what
 * the parser does. That VS Code's JSON language service applies it is the host test's part
 * (test/integration/policy.test.ts).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDuration } from '../../../src/engine/duration';
import { compileGlob } from '../../../src/engine/glob';
import { normalizeDbPath } from '../../../src/engine/paths';
import { validatePolicy } from '../../../src/engine/policy/parse';

interface Node {
  type?: string;
  properties?: Record<string, Node & { markdownDescription?: string; description?: string; pattern?: string; $ref?: string }>;
  additionalProperties?: boolean;
  items?: { $ref: string };
  pattern?: string;
}
const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'media', 'policy.schema.json'), 'utf8')) as Node & { definitions: Record<string, Node> };
const def = (name: string) => schema.definitions[name];
const re = (node: { pattern?: string } | undefined) => new RegExp(node!.pattern!, 'u');

/** The keys the parser allows where `value` puts an unknown key, from its error message. */
function allowedKeys(value: unknown): string[] {
  try {
    validatePolicy(value);
  } catch (e) {
    const m = /unknown key; allowed here: (.*)$/.exec((e as Error).message);
    assert.ok(m, (e as Error).message);
    return m[1].split(', ').sort();
  }
  throw new Error('the parser accepted an unknown key');
}

const base = { store: 'file:///d', path: 'db', rules: [{ name: 'a', every: '1h' }] };
const rule = (extra: Record<string, unknown>) => ({ targets: [{ ...base, rules: [{ name: 'a', every: '1h', ...extra }] }] });
const accepts = (f: () => unknown) => {
  try {
    f();
    return true;
  } catch {
    return false;
  }
};

describe('policy JSON schema (media/policy.schema.json) vs the parser', () => {
  const levels: Array<[string, Node, unknown]> = [
    ['root', schema, { targets: [base], zz: 1 }],
    ['target', def('target'), { targets: [{ ...base, zz: 1 }] }],
    ['rule', def('rule'), rule({ zz: 1 })],
    ['keep', def('keep'), rule({ keep: { last: 1, zz: 1 } })],
    ['backup', def('backup'), rule({ backup: { store: 's3://b', path: 'x', zz: 1 } })],
  ];
  for (const [name, node, value] of levels) {
    it(`${name}: the same keys as the parser, nothing else, each described`, () => {
      assert.deepEqual(Object.keys(node.properties!).sort(), allowedKeys(value));
      assert.equal(node.additionalProperties, false);
      for (const [key, p] of Object.entries(node.properties!)) assert.ok(p.markdownDescription || p.description, `${name}.${key} has a description`);
    });
  }

  it('durations: the pattern accepts exactly what parseDuration reads (≥ 1 s and whole seconds are left to the parser)', () => {
    const pattern = re(def('rule').properties!.every);
    assert.equal(def('rule').properties!.lifetime.pattern, def('rule').properties!.every.pattern);
    assert.equal(def('keep').properties!.within.pattern, def('rule').properties!.every.pattern);
    const samples = ['1h', '90s', '7days 30min 10s', '1h30min', ' 2days ', '1M', '3 weeks', '10ms', '1µs', '1 min', '1.5h', '7', '', ' ', '1 fortnight', '-1h', '+1h', '1hs', 'h', '1h x', '1d2', '5 y'];
    for (const s of samples) assert.equal(pattern.test(s), accepts(() => parseDuration(s)), JSON.stringify(s));
  });

  it('rule names, database paths, path globs and store URLs: the patterns agree with the parser', () => {
    const name = re(def('rule').properties!.name);
    for (const s of ['hourly', 'x.y_1', 'A9', 'my-rule', '_a', '.a', '', 'a b', 'a/b']) assert.equal(name.test(s), accepts(() => validatePolicy(rule({ name: s }))), `name ${JSON.stringify(s)}`);
    const dbPath = re(def('target').properties!.path);
    assert.equal(def('backup').properties!.path.pattern, def('target').properties!.path.pattern);
    for (const s of ['orders', 'tenants/a/db', '/', '/x/', 'a/.b', 'a..b', ' db ', 'a/../b', 'a//b', '..', './x', 'a/.', 'a\\b', ' ', '']) {
      assert.equal(dbPath.test(s), s.trim() !== '' && accepts(() => normalizeDbPath(s)), `path ${JSON.stringify(s)}`);
    }
    const glob = re(def('target').properties!.path_glob);
    for (const s of ['tenants/*', '**', 'a/**/db', 'db-*', '*/x*y', 'a/x**', '***', '', '/', 'a/../*', 'a//*', 'a\\*', '** /b']) {
      assert.equal(glob.test(s), s.trim() !== '' && accepts(() => compileGlob(s)), `glob ${JSON.stringify(s)}`);
    }
    const store = re(def('target').properties!.store);
    assert.equal(def('backup').properties!.store.pattern, def('target').properties!.store.pattern);
    for (const s of ['file:///d', 'FILE:///x', 's3://b', 'S3://b/p/q', ' s3://b ', 'file://rel/dir', 'file:///', 'gs://b', 's3://', 's3:///x', 's3://b?x', 'http://x']) {
      assert.equal(store.test(s), accepts(() => validatePolicy({ targets: [{ ...base, store: s }] })), `store ${JSON.stringify(s)}`);
    }
  });
});
