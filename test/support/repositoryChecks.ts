/**
 * Checks on a backup repository in a local directory: every manifest in it names only objects that
 * are there (what "an interrupted backup never leaves a manifest naming a missing object" means).
 */
import * as assert from 'node:assert/strict';
import { objectNamesOf } from '../../src/engine/backup/plan';
import { ManifestStore } from '../../src/engine/manifest/manifestStore';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { listAll } from '../../src/engine/store/objectStore';

/** Asserts that each manifest of `root`/`repo` names only present objects; returns how many manifests there are. */
export async function assertRepositoryConsistent(root: string, repo: string): Promise<number> {
  const store = new LocalObjectStore(root);
  const held = new Set((await listAll(store, { prefix: `${repo}/` })).objects.map((o) => o.key.slice(repo.length + 1)));
  const ms = new ManifestStore(store, repo);
  const manifests = await ms.listManifests();
  for (const m of manifests) {
    const decoded = (await ms.read(m.id)).manifest;
    for (const name of objectNamesOf(decoded, m.key)) assert.ok(held.has(name), `${m.key} names ${name}, which is not in the repository`);
  }
  return manifests.length;
}
