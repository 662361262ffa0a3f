// The demo workspace's policy file (`npm start` opens the demo folder as the workspace): `.slatedb/policies.json`
// for the demo databases, so Apply Policy Now and the schema's completion have something to show. Written once;
// a file that is already there (edited in the demo) is kept. test/unit/policy/demoPolicy.test.ts parses it.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The demo policy for the store at `demoDir`: schedules with keep clauses, a write-volume rule, a backup. */
export function demoPolicy(demoDir) {
  const store = pathToFileURL(demoDir).href;
  return {
    targets: [
      {
        store,
        path: 'orders',
        rules: [
          { name: 'hourly', every: '1h', lifetime: '2days', keep: { last: 24 } },
          { name: 'nightly', every: '1day', keep: { daily: 7, weekly: 4 }, backup: { store, path: 'backups/orders' } },
        ],
      },
      { store, path: 'events', rules: [{ name: 'bulk', everyWrites: 1000, lifetime: '7days', keep: { last: 5 } }] },
      { store, path: 'shop', rules: [{ name: 'hourly', every: '1h', lifetime: '1day', keep: { last: 3, within: '6h' } }] },
    ],
  };
}

/** Writes `<demoDir>/.slatedb/policies.json` unless it exists; returns its path. */
export function writeDemoPolicy(demoDir) {
  const file = path.join(demoDir, '.slatedb', 'policies.json');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(demoPolicy(demoDir), null, 2) + '\n');
  }
  return file;
}
