/**
 * Finds SlateDB databases under a prefix: a folder that holds `manifest/`
 * with at least one `.manifest` file. Walks folders with delimiter listings
 * (never lists SST folders), does not descend into a database it found, and
 * stops at a bounded depth so a huge bucket cannot run away.
 */

import { mapLimit } from './concurrency';
import { isEngineError } from './errors';
import { ManifestStore } from './manifest/manifestStore';
import { ObjectStore } from './store/objectStore';

export interface FoundDatabase {
  /** Database root relative to the store ('' = the store root itself). */
  path: string;
  latestManifestId: number;
}

async function folders(store: ObjectStore, prefix: string): Promise<{ subfolders: string[]; hasManifestDir: boolean }> {
  const subfolders: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.listPage({ prefix, delimiter: '/', continuationToken: token });
    subfolders.push(...page.commonPrefixes);
    token = page.nextContinuationToken;
  } while (token);
  return { subfolders, hasManifestDir: subfolders.includes(prefix + 'manifest/') };
}

/** The latest manifest id of the database at `folder` ('' or 'a/b/'), or undefined when it has none. */
async function latestManifestOf(store: ObjectStore, folder: string): Promise<number | undefined> {
  let ms: ManifestStore;
  try {
    ms = new ManifestStore(store, folder);
  } catch (e) {
    // A folder name no database path can have (e.g. a '.' segment): not a database we could open.
    if (isEngineError(e, 'INVALID_ARGUMENT')) return undefined;
    throw e;
  }
  return ms.latestId({ cold: true });
}

export async function discoverDatabases(store: ObjectStore, prefixInput = '', options: { maxDepth?: number; concurrency?: number } = {}): Promise<FoundDatabase[]> {
  const maxDepth = options.maxDepth ?? 6;
  const concurrency = options.concurrency ?? 8;
  const trimmed = prefixInput.trim().replace(/^\/+|\/+$/g, '');
  const start = trimmed ? `${trimmed}/` : '';
  const found: FoundDatabase[] = [];

  let level = [start];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const results = await mapLimit(level, concurrency, async (folder) => {
      const { subfolders, hasManifestDir } = await folders(store, folder);
      if (hasManifestDir) {
        const latest = await latestManifestOf(store, folder);
        if (latest !== undefined) return { db: { path: folder.replace(/\/$/, ''), latestManifestId: latest }, next: [] as string[] };
      }
      // Not a database: look inside (a folder named like a database part, e.g. "wal", may still hold databases).
      return { db: undefined, next: subfolders };
    });
    level = [];
    for (const r of results) {
      if (r.db) found.push(r.db);
      level.push(...r.next);
    }
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
