/** The demo workspace's policy (scripts/demoPolicy.mjs, written by `npm start`) is one apply-policy accepts. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parsePolicy } from '../../../src/engine/policy/parse';
// @ts-expect-error: a plain .mjs script without types
import { writeDemoPolicy } from '../../../scripts/demoPolicy.mjs';

describe('demo policy file', () => {
  it('is written once, parses, and names the demo databases', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-policy-'));
    try {
      const file = (writeDemoPolicy as (d: string) => string)(dir);
      assert.equal(file, path.join(dir, '.slatedb', 'policies.json'));
      const policy = parsePolicy(fs.readFileSync(file, 'utf8'), 'policies.json');
      assert.deepEqual(policy.targets.map((t) => t.path), ['orders', 'events', 'shop']);
      assert.ok(policy.targets.every((t) => t.store.url === `file://${dir}`));
      assert.equal(policy.targets[0].rules[1].backup?.path, 'backups/orders');
      fs.writeFileSync(file, '{"targets": []}');
      (writeDemoPolicy as (d: string) => string)(dir);
      assert.equal(fs.readFileSync(file, 'utf8'), '{"targets": []}', 'an existing file is kept');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
