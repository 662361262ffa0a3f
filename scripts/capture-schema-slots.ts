/**
 * Developer tool: records, from SlateDB's own schemas, every manifest table's
 * fields in slot order with their types (facts, not code) into
 * test/fixtures/slatedb-schema-slots.json. The unit tests compare schema.ts
 * with it when no SlateDB checkout is at hand (CI), and with the schemas
 * themselves when one is (SLATEDB_REPO, default the local mirror).
 *
 *   node --import tsx scripts/capture-schema-slots.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normaliseFbsType, parseFbs, slots } from '../test/support/fbsSchema';
import { TABLES } from '../src/engine/manifest/schema';
import { slatedbSchemaDir } from '../test/support/manifestKit';

async function main(): Promise<void> {
  const schemas = await slatedbSchemaDir();
  if (!('dir' in schemas) || schemas.ours) throw new Error(`SlateDB's schemas are needed: ${'why' in schemas ? schemas.why : 'only our own .fbs was found'}`);
  const theirs = parseFbs(['common.fbs', 'sst.fbs', 'manifest.fbs'].map((f) => fs.readFileSync(path.join(schemas.dir, f), 'utf8')).join('\n'));
  const tables: Record<string, { slots: string[]; fields: string[] }> = {};
  for (const name of Object.keys(TABLES)) {
    tables[name] = {
      slots: slots(theirs, name),
      fields: theirs.tables.get(name)!.map((f) => `${f.name}: ${normaliseFbsType(f.type)}${f.required ? ' required' : ''}`),
    };
  }
  const out = path.resolve(__dirname, '..', 'test', 'fixtures', 'slatedb-schema-slots.json');
  fs.writeFileSync(out, JSON.stringify({ source: schemas.source, tables }, null, 2) + '\n');
  console.log(`wrote ${out} from ${schemas.source}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
