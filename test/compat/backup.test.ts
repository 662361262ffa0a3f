/**
 * Backups of real SlateDB databases into a local repository, read back by the real engine
 * (scenario: test/support/backupScenario.ts). Two local directories copy in-kernel, the local
 * counterpart of S3 → S3 server-side copies.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalObjectStore } from '../../src/engine/store/local/localStore';
import { backupScenario, Side } from '../support/backupScenario';

describe('backups of real SlateDB databases', function () {
  this.timeout(300_000);

  describe('into a local repository', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backup-repo-'));
    const side = (sub: string): Side => {
      fs.mkdirSync(path.join(dir, sub), { recursive: true });
      return { label: sub, store: new LocalObjectStore(path.join(dir, sub)), storeLabel: `file://${path.join(dir, sub)}`, engine: path.join(dir, sub) };
    };
    const repo = side('repo');
    const restore = side('restore');
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    // Two local directories copy in-kernel (copyObjectFrom), like S3 → S3 on one endpoint.
    backupScenario(() => repo, () => restore, true);
  });
});
