/**
 * The engine compatibility suite (engineCompat.ts) on a local directory (LocalObjectStore, the
 * equivalent of SlateDB's `file://`). Every test gets a fresh temporary directory; race clients
 * each open their own LocalObjectStore on it, as separate processes would.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { runEngineCompatibility } from './engineCompat';

runEngineCompatibility('local directory', async () => {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'engine-compat-'));
  const root = path.join(dir, 'root');
  return {
    store: new LocalObjectStore(root),
    openClient: () => new LocalObjectStore(root),
    cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }),
  };
});
