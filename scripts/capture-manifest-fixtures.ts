/**
 * DEVELOPER TOOL (not run by tests): regenerates the golden manifest fixtures in
 * test/fixtures/manifests/ from databases written by the REAL SlateDB engine (npm @slatedb/uniffi,
 * the version in package.json), each paired with the JSON that Debian's `flatc` decodes from it using
 * SlateDB's OWN schemas — an oracle independent of our codec.
 *
 *   node --import tsx scripts/capture-manifest-fixtures.ts [outDir]     (default test/fixtures/manifests)
 *
 * Needs:
 *   - flatc on PATH:  apt-get install -y flatbuffers-compiler
 *   - SlateDB's schemas: SLATEDB_SCHEMA_DIR=<folder with root.fbs ...>, or SLATEDB_REPO=<a SlateDB git
 *     checkout> (default /work/.mirror/slatedb+slatedb/repo) and optionally SLATEDB_SCHEMA_REV (default
 *     HEAD). The schemas are copied to a temp folder, never into the project.
 * Takes ~25 s. Output is not byte-reproducible (UUIDs, ULIDs, clock times differ per run): commit a
 * regenerated set as a whole, the .manifest files together with their .json files.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  buildDatabase,
  findFlatcOracle,
  FlatcOracle,
  listManifestIds,
  oracleCheckpoints,
  parseFlatcJson,
  readObject,
} from '../test/fixtures/realSlateDb';

const MAX_BYTES = 50 * 1024;

interface Decoded {
  l0?: unknown[];
  compacted?: Array<{ ssts?: unknown[] }>;
  checkpoints?: unknown[];
  writer_epoch?: number;
  compactor_epoch?: number;
}

interface Capture {
  name: string;
  title: string;
  how: string;
  source: { db: string; manifestId: number };
  bytes: Uint8Array;
  decoded: Decoded;
}

const manifestKey = (dbPath: string, id: number) => `${dbPath}/manifest/${String(id).padStart(20, '0')}.manifest`;

async function decodeAll(oracle: FlatcOracle, root: string, dbPath: string): Promise<Array<{ id: number; bytes: Uint8Array; decoded: Decoded }>> {
  const out = [];
  for (const id of await listManifestIds(root, dbPath)) {
    const bytes = (await readObject(root, manifestKey(dbPath, id)))!;
    out.push({ id, bytes, decoded: parseFlatcJson((await oracle.decodeManifest(bytes)).json) as Decoded });
  }
  return out;
}

const lifetimes = (d: Decoded) => oracleCheckpoints(d).map((c) => c.expireTimeS - c.createTimeS);

function summary(d: Decoded): string {
  const runs = d.compacted ?? [];
  const life = lifetimes(d);
  const count = (s: number) => life.filter((x) => x === s).length;
  return [
    `${(d.l0 ?? []).length} L0`,
    `${runs.length} sorted run(s)${runs.length ? ` (${runs.map((r) => (r.ssts ?? []).length).join('+')} SSTs)` : ''}`,
    `${life.length} checkpoint(s)${life.length ? ` (${count(900)} compactor 900 s, ${count(7200)} reader 7200 s${life.length - count(900) - count(7200) ? `, ${life.length - count(900) - count(7200)} other` : ''})` : ''}`,
    `writer_epoch ${d.writer_epoch ?? 0}`,
    `compactor_epoch ${d.compactor_epoch ?? 0}`,
  ].join(', ');
}

async function main(): Promise<void> {
  const outDir = path.resolve(process.argv[2] ?? 'test/fixtures/manifests');
  const oracle = await findFlatcOracle((why) => {
    throw new Error(`cannot capture fixtures: ${why}`);
  });
  if (!oracle) return;
  const engineVersion = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'node_modules', '@slatedb', 'uniffi', 'package.json'), 'utf8')).version as string;
  const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'capture-manifests-'));
  const t0 = Date.now();
  const log = (s: string) => process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)} s  ${s}\n`);
  const captures: Capture[] = [];
  try {
    // A: small database, no compactor, no GC; then a second writer session.
    const rootA = path.join(scratch, 'a');
    await buildDatabase({ rootDir: rootA, dbPath: 'small', rounds: 4, putsPerRound: 100, compaction: false, gc: false, readerCheckpoints: 0, closedReaders: 0, roundPauseMs: 0 });
    let a = await decodeAll(oracle, rootA, 'small');
    log(`small: manifests ${a.map((m) => m.id).join(',')}`);
    const first = a[0];
    captures.push({ name: 'v1-01-fresh-db', title: 'Manifest 1 of a brand-new database', how: 'The first manifest SlateDB writes when a writer opens a new path: initialized, empty l0/compacted/checkpoints, no writer epoch yet', source: { db: 'small', manifestId: first.id }, bytes: first.bytes, decoded: first.decoded });
    const lastA = a.at(-1)!;
    captures.push({ name: 'v1-02-l0-only', title: 'A handful of L0 SSTs, no compactor, no checkpoints', how: '4 rounds × 100 rows × 300 B, memtable flush after each round, compactor_options = null, garbage_collector_options = null; latest manifest after a clean shutdown', source: { db: 'small', manifestId: lastA.id }, bytes: lastA.bytes, decoded: lastA.decoded });
    await buildDatabase({ rootDir: rootA, dbPath: 'small', rounds: 1, putsPerRound: 100, keyPrefix: 'more-', compaction: false, gc: false, readerCheckpoints: 0, closedReaders: 0, roundPauseMs: 0 });
    a = await decodeAll(oracle, rootA, 'small');
    const reopened = a.at(-1)!;
    captures.push({ name: 'v1-03-second-writer', title: 'Same database after a second writer session (writer_epoch 2)', how: 'The database of v1-02 reopened by a new writer, 1 more round of 100 rows flushed, clean shutdown', source: { db: 'small', manifestId: reopened.id }, bytes: reopened.bytes, decoded: reopened.decoded });

    // B: one kept DbReader, nothing else making checkpoints.
    const rootB = path.join(scratch, 'b');
    await buildDatabase({ rootDir: rootB, dbPath: 'reader', rounds: 3, putsPerRound: 100, compaction: false, gc: false, readerCheckpoints: 1, closedReaders: 0, roundPauseMs: 0 });
    const b = await decodeAll(oracle, rootB, 'reader');
    const withReader = [...b].reverse().find((m) => lifetimes(m.decoded).length === 1)!;
    captures.push({ name: 'v1-04-reader-checkpoint', title: 'One DbReader checkpoint (lifetime 2 h)', how: '3 rounds × 100 rows, no compactor/GC; a DbReader (checkpoint_lifetime_ms 7 200 000, poll 3 600 000) opened after the 2nd round and kept open, so its own checkpoint stays; latest manifest', source: { db: 'reader', manifestId: withReader.id }, bytes: withReader.bytes, decoded: withReader.decoded });

    // C: the default build: compactor, GC, kept and closed readers.
    const rootC = path.join(scratch, 'c');
    const built = await buildDatabase({ rootDir: rootC, dbPath: 'compacted', readerCheckpoints: 1, closedReaders: 1 });
    const c = await decodeAll(oracle, rootC, 'compacted');
    log(`compacted: manifests ${c.map((m) => m.id).join(',')} (${built.timings.totalMs} ms)`);
    const mixed = [...c].reverse().find((m) => (m.decoded.l0 ?? []).length > 0 && (m.decoded.compacted ?? []).length > 0);
    if (mixed) captures.push({ name: 'v1-05-l0-and-sorted-runs', title: 'L0 SSTs and sorted runs side by side, compactor checkpoints', how: 'Defaults of buildDatabase (12 rounds × 400 rows × 300 B, l0_sst_size_bytes 65536, compactor poll 200ms, GC min_age 1s / interval 500ms) with 1 kept and 1 closed reader; the newest surviving manifest that has both L0s and sorted runs', source: { db: 'compacted', manifestId: mixed.id }, bytes: mixed.bytes, decoded: mixed.decoded });
    else log('no surviving manifest with both L0s and sorted runs this time: v1-05 skipped');
    const lastC = c.at(-1)!;
    captures.push({ name: 'v1-06-sorted-runs-checkpoints', title: 'Sorted runs, compactor checkpoints and a reader checkpoint, after GC', how: 'Same database as v1-05: latest manifest after the compactor settled and the writer shut down; manifest ids on disk had gaps: ' + c.map((m) => m.id).join(','), source: { db: 'compacted', manifestId: lastC.id }, bytes: lastC.bytes, decoded: lastC.decoded });

    // Write the fixtures.
    await fsp.mkdir(outDir, { recursive: true });
    for (const f of await fsp.readdir(outDir)) if (/^v\d+-\d\d-.*\.(manifest|json)$/.test(f)) await fsp.rm(path.join(outDir, f));
    for (const cap of captures) {
      if (cap.bytes.length > MAX_BYTES) throw new Error(`${cap.name}: ${cap.bytes.length} bytes > ${MAX_BYTES}`);
      await fsp.writeFile(path.join(outDir, `${cap.name}.manifest`), cap.bytes);
      await fsp.writeFile(path.join(outDir, `${cap.name}.json`), (await oracle.decodeManifest(cap.bytes)).json);
      await fsp.writeFile(path.join(outDir, `${cap.name}.defaults.json`), (await oracle.decodeManifest(cap.bytes, { defaults: true })).json);
      log(`wrote ${cap.name} (${cap.bytes.length} bytes): ${summary(cap.decoded)}`);
    }
    await fsp.writeFile(path.join(outDir, 'README.md'), readme(captures, { engineVersion, flatcVersion: oracle.flatcVersion, schemaSource: oracle.schemaSource }));
    log(`done: ${captures.length} fixtures in ${outDir}`);
  } finally {
    await fsp.rm(scratch, { recursive: true, force: true });
  }
}

function readme(caps: Capture[], v: { engineVersion: string; flatcVersion: string; schemaSource: string }): string {
  const rows = caps.map((c) => `| \`${c.name}\` | ${c.bytes.length} | **${c.title}.** ${c.how}. Was manifest ${c.source.manifestId} of db \`${c.source.db}\`. | ${summary(c.decoded)} |`);
  const [repo, commit] = v.schemaSource.includes('@') ? v.schemaSource.split('@') : [v.schemaSource, ''];
  const schemas = commit ? `github.com/slatedb/slatedb commit \`${commit}\` (read from \`${repo}\`)` : `\`${repo}\``;
  return `# Golden SlateDB manifests

Real manifest files written by SlateDB itself (npm \`@slatedb/uniffi@${v.engineVersion}\`), each with the
JSON that Debian's \`flatc\` decodes from it using SlateDB's own schemas. These JSON files are the
**independent oracle** for our codec's decoder: they share no code with it.

Generated on ${new Date().toISOString().slice(0, 10)} by \`node --import tsx scripts/capture-manifest-fixtures.ts\`
(a developer tool that needs \`flatc\` and SlateDB's schemas; tests never run it). Regenerate the whole
set together: every run writes new UUIDs, ULIDs and times.

- Engine: \`@slatedb/uniffi@${v.engineVersion}\` writing to a local directory (\`file://\`), driven by
  \`test/fixtures/realSlateDb.ts\` (\`buildDatabase\`).
- Decoder: \`${v.flatcVersion}\` (Debian package flatbuffers-compiler) with SlateDB's schemas
  (\`schemas/root.fbs\` + includes) of ${schemas}.
- Per fixture:
  - \`X.manifest\`: the file, byte for byte (2-byte big-endian format version — \`1\` here — then a
    FlatBuffer rooted at \`ManifestV1\`).
  - \`X.json\`: \`tail -c +3 X.manifest > m.bin; flatc --json --raw-binary --strict-json --root-type ManifestV1 root.fbs -- m.bin\`.
    flatc prints exactly the fields **present** in the buffer (a scalar equal to its default is
    shown only if the writer stored it), so this file also tells which fields 0.12.1 writes:
    \`manifest_id\` is never present, \`compactor_epoch\` only when a compactor ran.
  - \`X.defaults.json\`: the same with \`--defaults-json\`: every scalar field, absent ones with their
    schema default. Use it to compare decoded values, not presence.
- 64-bit integers (UUID/ULID \`high\`/\`low\`, ids) often exceed 2^53: \`JSON.parse\` rounds them. Parse
  with \`parseFlatcJson\` from \`test/fixtures/realSlateDb.ts\` (turns them into \`bigint\`).
  \`uuidFromHighLow\` formats a checkpoint id. Byte vectors (\`first_entry\`, \`sequence_tracker\`)
  are arrays of numbers.
- Checkpoint origins, told apart by lifetime (\`checkpoint_expire_time_s - checkpoint_create_time_s\`):
  900 s = the compactor's (one before each compaction manifest update), 7200 s = a fixture DbReader
  (\`readerCheckpointLifetimeMs\` default). No checkpoint carries a name or metadata (0.12.1).

| Fixture (\`.manifest\`, \`.json\`, \`.defaults.json\`) | Bytes | How it was made | Content (from the oracle) |
|---|---:|---|---|
${rows.join('\n')}
`;
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
