/**
 * Small databases written by the REAL engine (`@slatedb/uniffi` 0.12.1), one per
 * compression codec, so the SST reader is tested on bytes SlateDB produced.
 * Built once per machine under the temp dir (keyed by FIXTURE_VERSION) and
 * shared by every test file in the run.
 *
 * Each database: 3 rounds of rows flushed to L0 (overwrites, deletes, TTL
 * rows, empty and 3 KB values), then one batch left only in the WAL (the
 * writer shuts down cleanly, which flushes the WAL but not the memtable).
 * The expected live rows are computed alongside, so a test knows the truth
 * without another reader.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSlateDb, makeSettings, withTimeout } from '../../fixtures/realSlateDb';

export type CodecSetting = 'None' | 'Snappy' | 'Zlib' | 'Lz4' | 'Zstd';
export const CODECS: readonly CodecSetting[] = ['None', 'Snappy', 'Zlib', 'Lz4', 'Zstd'];

const FIXTURE_VERSION = 'v2';

export interface CodecDb {
  codec: CodecSetting;
  rootDir: string;
  dbPath: string;
  /** Live rows after all writes: key → value (UTF-8 keys and values). */
  expected: Map<string, string>;
}

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

function valueOf(round: number, i: number): string {
  if (i % 37 === 0) return '';
  const len = i % 41 === 0 ? 3000 : 20 + ((i * 7 + round) % 90);
  return `r${round}-i${i}-`.padEnd(len, String.fromCharCode(97 + ((i + round) % 26)));
}

async function build(codec: CodecSetting, rootDir: string, dbPath: string): Promise<Map<string, string>> {
  const S = await loadSlateDb();
  const settingsOverride: Record<string, string> = {};
  if (codec !== 'None') settingsOverride.compression_codec = JSON.stringify(codec);
  const settings = await makeSettings({ compaction: false, gc: false, settings: settingsOverride });
  fs.mkdirSync(rootDir, { recursive: true });
  const store = S.ObjectStore.resolve(`file://${rootDir}`);
  const builder = new S.DbBuilder(dbPath, store);
  builder.with_settings(settings);
  const db = await withTimeout(builder.build(), 30_000, `opening ${codec} db`);
  builder.dispose();
  settings.dispose();
  const expected = new Map<string, string>();
  const write = async (round: number, from: number, to: number) => {
    const batch = new S.WriteBatch();
    for (let i = from; i < to; i++) {
      const key = `key-${String(i).padStart(5, '0')}`;
      if (round > 0 && i % 5 === 0) {
        batch.delete(enc(key));
        expected.delete(key);
      } else {
        const v = valueOf(round, i);
        if (i % 11 === 0) batch.put_with_options(enc(key), enc(v), { ttl: S.Ttl.ExpireAfterTicks(3_600_000n) });
        else batch.put(enc(key), enc(v));
        expected.set(key, v);
      }
    }
    await withTimeout(db.write(batch), 30_000, 'write');
    batch.dispose();
  };
  try {
    await write(0, 0, 600);
    await withTimeout(db.flush_with_options({ flush_type: S.FlushType.MemTable }), 30_000, 'flush');
    await write(1, 300, 900);
    await withTimeout(db.flush_with_options({ flush_type: S.FlushType.MemTable }), 30_000, 'flush');
    await write(2, 850, 1000);
    await withTimeout(db.flush_with_options({ flush_type: S.FlushType.MemTable }), 30_000, 'flush');
    await write(3, 990, 1010); // stays in the WAL: shutdown flushes the WAL, not the memtable
  } finally {
    await withTimeout(db.shutdown(), 30_000, 'shutdown');
    db.dispose();
    store.dispose();
  }
  return expected;
}

let built: Promise<CodecDb[]> | undefined;

/** The five databases (built on first use, then reused from the temp dir). */
export function codecDbs(): Promise<CodecDb[]> {
  built ??= (async () => {
    const root = path.join(os.tmpdir(), `slatedb-sst-codecs-${FIXTURE_VERSION}`);
    const out: CodecDb[] = [];
    for (const codec of CODECS) {
      const rootDir = path.join(root, codec);
      const dbPath = 'db';
      const done = path.join(rootDir, 'expected.json');
      if (!fs.existsSync(done)) {
        fs.rmSync(rootDir, { recursive: true, force: true });
        const expected = await build(codec, rootDir, dbPath);
        fs.writeFileSync(done, JSON.stringify([...expected]));
      }
      out.push({ codec, rootDir, dbPath, expected: new Map(JSON.parse(fs.readFileSync(done, 'utf8')) as [string, string][]) });
    }
    return out;
  })();
  return built;
}
