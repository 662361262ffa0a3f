/**
 * Policy file validation (src/engine/policy/parse.ts): the contract's example parses; every kind
 * of mistake is an INVALID_ARGUMENT whose message names the JSON path of the bad value.
 */
import * as assert from 'node:assert/strict';
import { EngineError } from '../../../src/engine/errors';
import { parsePolicy, validatePolicy } from '../../../src/engine/policy/parse';

const CONTRACT_EXAMPLE = {
  targets: [
    {
      store: 'file:///abs/dir',
      path: 'orders',
      rules: [
        { name: 'hourly', every: '1h', lifetime: '2days', keep: { last: 24 } },
        { name: 'nightly', every: '1day', keep: { daily: 7, weekly: 4, monthly: 6 }, backup: { store: 's3://backups/slatedb', path: 'orders' } },
        { name: 'bulk', everyWrites: 100000, lifetime: '7days', keep: { last: 5 } },
      ],
    },
    {
      store: 's3://prod-bucket',
      endpoint_url: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      profile: 'minio',
      path_glob: 'tenants/*',
      rules: [{ name: 'daily', every: '1day', keep: { within: '7days' } }],
    },
  ],
};

function rejects(value: unknown, message: RegExp): void {
  assert.throws(
    () => validatePolicy(value, 'p.json'),
    (e: unknown) => {
      assert.ok(e instanceof EngineError, String(e));
      assert.equal(e.code, 'INVALID_ARGUMENT');
      assert.match(e.message, message);
      return true;
    },
  );
}

function withRule(rule: Record<string, unknown>): unknown {
  return { targets: [{ store: 'file:///d', path: 'db', rules: [rule] }] };
}

describe('policy file validation', () => {
  it('accepts the contract example, durations in ms', () => {
    const p = validatePolicy(CONTRACT_EXAMPLE);
    assert.equal(p.targets.length, 2);
    const [hourly, nightly, bulk] = p.targets[0].rules;
    assert.equal(hourly.everyMs, 3_600_000);
    assert.equal(hourly.lifetimeMs, 2 * 86_400_000);
    assert.deepEqual({ last: hourly.keep?.last }, { last: 24 });
    assert.equal(nightly.lifetimeMs, undefined);
    assert.deepEqual(nightly.backup, { url: 's3://backups/slatedb', path: 'orders' });
    assert.equal(bulk.everyWrites, 100000);
    assert.equal(bulk.everyMs, undefined);
    assert.equal(p.targets[1].pathGlob, 'tenants/*');
    assert.deepEqual(p.targets[1].store, { url: 's3://prod-bucket', endpointUrl: 'http://127.0.0.1:9000', region: 'us-east-1', profile: 'minio' });
    assert.equal(p.targets[1].rules[0].keep?.withinMs, 7 * 86_400_000);
    assert.equal(nightly.keep?.text, 'keep {daily: 7, weekly: 4, monthly: 6}');
  });

  it('accepts a $schema key at the top (editors use it)', () => {
    validatePolicy({ $schema: './policy.schema.json', ...CONTRACT_EXAMPLE });
  });

  it('reports JSON syntax errors with line and column', () => {
    assert.throws(() => parsePolicy('{\n  "targets": [\n    ,\n  ]\n}', 'x.json'), /x\.json is not valid JSON \(line 3, column 5\): ValueExpected/);
    assert.throws(() => parsePolicy('{"targets": [] // no\n}', 'x.json'), /line 1, column 16\): InvalidCommentToken/);
    assert.throws(() => parsePolicy('', 'x.json'), /x\.json is not valid JSON/);
  });

  it('rejects a key given twice, naming its path and line', () => {
    const text = JSON.stringify(CONTRACT_EXAMPLE, null, 2).replace('"lifetime": "2days",', '"lifetime": "2days",\n "lifetime": "1h",');
    assert.throws(() => parsePolicy(text, 'x.json'), /x\.json: targets\[0\]\.rules\[0\]\.lifetime: given twice \(line 11, column 2\)/);
  });

  it('parses text the same as the value', () => {
    assert.deepEqual(parsePolicy(JSON.stringify(CONTRACT_EXAMPLE)), validatePolicy(CONTRACT_EXAMPLE));
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['an unknown top-level key', { ...CONTRACT_EXAMPLE, target: [] }, /p\.json: \(root\)\.target: unknown key; allowed here: \$schema, targets/],
    ['no targets', {}, /targets: missing \(required\)/],
    ['targets not an array', { targets: {} }, /targets: expected an array, found an object/],
    ['an empty target list', { targets: [] }, /targets: is empty/],
    ['an unknown key in a target', { targets: [{ store: 'file:///d', path: 'db', rules: [], paths: 'x' }] }, /targets\[0\]\.paths: unknown key/],
    ['both path and path_glob', { targets: [{ store: 'file:///d', path: 'db', path_glob: '*', rules: [] }] }, /targets\[0\]: give exactly one of path .* or path_glob/],
    ['neither path nor path_glob', { targets: [{ store: 'file:///d', rules: [] }] }, /targets\[0\]: give exactly one of path/],
    ['a relative file store', { targets: [{ store: 'file://rel/dir', path: 'db', rules: [{ name: 'a', every: '1h' }] }] }, /targets\[0\]\.store: "file:\/\/rel\/dir" must be an absolute file URL/],
    ['an unknown store scheme', { targets: [{ store: 'gs://b', path: 'db', rules: [{ name: 'a', every: '1h' }] }] }, /targets\[0\]\.store: "gs:\/\/b" is not a supported store URL/],
    ['S3 options on a file store', { targets: [{ store: 'file:///d', region: 'x', path: 'db', rules: [{ name: 'a', every: '1h' }] }] }, /targets\[0\]: endpoint_url, region and profile apply to s3:\/\/ stores only/],
    ['a bad path', { targets: [{ store: 'file:///d', path: 'a/../b', rules: [{ name: 'a', every: '1h' }] }] }, /targets\[0\]\.path: database path "a\/\.\.\/b" is not valid/],
    ['a bad glob', { targets: [{ store: 'file:///d', path_glob: 'a/x**', rules: [{ name: 'a', every: '1h' }] }] }, /targets\[0\]\.path_glob: .*"\*\*" must be a whole segment/],
    ['empty rules', { targets: [{ store: 'file:///d', path: 'db', rules: [] }] }, /targets\[0\]\.rules: is empty/],
    ['a rule without a trigger', withRule({ name: 'a', keep: { last: 1 } }), /targets\[0\]\.rules\[0\]: has no trigger: give every .*, everyWrites .* or both/],
    ['a rule without a name', withRule({ every: '1h' }), /targets\[0\]\.rules\[0\]\.name: missing \(required\)/],
    ['a rule name with "-"', withRule({ name: 'my-rule', every: '1h' }), /rules\[0\]\.name: "my-rule" is not a valid rule name: .*no "-"/],
    ['an unknown rule key', withRule({ name: 'a', every: '1h', lifetme: '1h' }), /targets\[0\]\.rules\[0\]\.lifetme: unknown key; allowed here: name, every, everyWrites, lifetime, keep, backup/],
    ['a bad duration', withRule({ name: 'a', every: '1 fortnight' }), /targets\[0\]\.rules\[0\]\.every: "1 fortnight" is not valid: unknown unit "fortnight"/],
    ['a duration given as a number', withRule({ name: 'a', every: 3600 }), /rules\[0\]\.every: expected a non-empty string, found the number 3600/],
    ['every below a second', withRule({ name: 'a', every: '500ms' }), /rules\[0\]\.every: "500ms" is shorter than 1 second/],
    ['every not whole seconds', withRule({ name: 'a', every: '1s 500ms' }), /rules\[0\]\.every: "1s 500ms" is not a whole number of seconds/],
    ['everyWrites zero', withRule({ name: 'a', everyWrites: 0 }), /rules\[0\]\.everyWrites: expected a whole number of at least 1, found the number 0/],
    ['everyWrites fractional', withRule({ name: 'a', everyWrites: 1.5 }), /rules\[0\]\.everyWrites: expected a whole number/],
    ['an unknown keep clause', withRule({ name: 'a', every: '1h', keep: { yearly: 1 } }), /rules\[0\]\.keep\.yearly: unknown key; allowed here: last, hourly, daily, weekly, monthly, within/],
    ['an empty keep', withRule({ name: 'a', every: '1h', keep: {} }), /rules\[0\]\.keep: has no clause/],
    ['a keep count of zero', withRule({ name: 'a', every: '1h', keep: { daily: 0 } }), /rules\[0\]\.keep\.daily: expected a whole number of at least 1, found the number 0 \(omit the clause instead\)/],
    ['a negative keep count', withRule({ name: 'a', every: '1h', keep: { last: -1 } }), /rules\[0\]\.keep\.last: expected a whole number of at least 1/],
    ['a bad within', withRule({ name: 'a', every: '1h', keep: { within: '7' } }), /rules\[0\]\.keep\.within: "7" is not valid: the number 7 needs a unit/],
    ['a backup without path', withRule({ name: 'a', every: '1h', backup: { store: 's3://b' } }), /rules\[0\]\.backup\.path: missing \(required\)/],
    ['an unknown backup key', withRule({ name: 'a', every: '1h', backup: { store: 's3://b', path: 'x', connection: 'c' } }), /rules\[0\]\.backup\.connection: unknown key/],
    ['a lifetime too long for u32 seconds', withRule({ name: 'a', every: '1h', lifetime: '100years' }), /rules\[0\]\.lifetime: "100years" is too long/],
    [
      'two rules with one name',
      { targets: [{ store: 'file:///d', path: 'db', rules: [{ name: 'a', every: '1h' }, { name: 'a', every: '1day' }] }] },
      /targets\[0\]\.rules\[1\]\.name: "a" is also the name of targets\[0\]\.rules\[0\]/,
    ],
    ['a rule that is not an object', withRule(['a'] as never), /targets\[0\]\.rules\[0\]: expected an object, found an array/],
  ];
  for (const [title, value, message] of cases) {
    it(`rejects ${title}`, () => rejects(value, message));
  }
});
