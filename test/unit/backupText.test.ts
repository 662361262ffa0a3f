/**
 * How a backup is put in words: the progress notification and the result message
 * (src/shared/backupText.ts), and a backup checkpoint's row in the tree
 * (src/extension/tree/backupPresentation.ts, the parts without vscode), from names made by the
 * engine's own formatBackupName.
 */
import * as assert from 'node:assert/strict';
import { formatBackupName, parseBackupName } from '../../src/engine/backup/naming';
import { backupDescription, backupLabel, backupRows, utcMinute } from '../../src/extension/tree/backupPresentation';
import { copiedVsReused, progressMessage, totalsText } from '../../src/shared/backupText';

const SOURCE_CP = '0193c0de-5d5c-7a8e-9f00-1c2d3e4f5a6b';
const TAKEN = new Date('2026-12-02T08:15:42Z');

describe('backup words (progress, results, tree rows)', () => {
  it('progress: bytes of the total and objects while copying, the phase otherwise', () => {
    const p = { objectsDone: 3, objectsTotal: 9, bytesDone: 12 * 1024 * 1024, bytesTotal: 40 * 1024 * 1024 };
    assert.equal(progressMessage({ phase: 'copy', ...p }), 'copying 12 MiB of 40 MiB · 3 of 9 objects');
    assert.equal(progressMessage({ phase: 'copy', objectsDone: 0, objectsTotal: 1, bytesDone: 0, bytesTotal: 512 }), 'copying 0 B of 512 B · 0 of 1 object');
    assert.equal(progressMessage({ phase: 'pin', ...p }), 'pinning the source with a temporary checkpoint');
    assert.equal(progressMessage({ phase: 'plan', ...p }), 'listing what to copy');
    assert.equal(progressMessage({ phase: 'commit', ...p }), 'every object checked; writing the manifest');
    assert.equal(progressMessage({ phase: 'unpin', ...p }), 'removing the temporary checkpoint');
  });

  it('result: copied vs reused, singular and plural, server-side copies only when there were some', () => {
    assert.equal(totalsText({ ssts: 1, wal_files: 1, bytes: 2048 }), '1 SST + 1 WAL file (2.0 KiB)');
    const r = { copied: { ssts: 2, wal_files: 0, bytes: 800 * 1024 }, reused: { ssts: 5, wal_files: 3, bytes: 3 * 1024 * 1024 }, server_side_copies: 0 };
    assert.equal(copiedVsReused(r), 'copied 2 SSTs + 0 WAL files (800 KiB), reused 5 SSTs + 3 WAL files (3.0 MiB)');
    assert.equal(copiedVsReused({ ...r, server_side_copies: 1 }), 'copied 2 SSTs + 0 WAL files (800 KiB), reused 5 SSTs + 3 WAL files (3.0 MiB), 1 server-side copy');
  });

  it('tree row of a backup: what it is a backup of, the source checkpoint, when; a label goes first', () => {
    const plain = parseBackupName(formatBackupName({ label: null, sourcePath: 'tenants/a/orders', sourceCheckpoint: SOURCE_CP, takenAt: TAKEN }))!;
    assert.equal(backupLabel(plain), 'backup of tenants/a/orders');
    const nowS = Date.parse('2026-12-02T11:15:42Z') / 1000;
    assert.equal(backupDescription(plain, 12, nowS), '@ 0193c0de · 2026-12-02 08:15 UTC (3 h ago) · → #12');
    assert.equal(utcMinute(TAKEN), '2026-12-02 08:15 UTC');
    const labelled = parseBackupName(formatBackupName({ label: 'nightly', sourcePath: '', sourceCheckpoint: SOURCE_CP, takenAt: TAKEN }))!;
    assert.equal(backupLabel(labelled), 'nightly: backup of (store root)');
    const rows = backupRows(labelled);
    assert.match(rows, /^\| Backup of \| `\/` \|$/m);
    assert.match(rows, new RegExp(`^\\| Source checkpoint \\| \`${SOURCE_CP}\` \\|$`, 'm'));
    assert.match(rows, /^\| Taken at \| 2026-12-02T08:15:42\.000Z \|$/m);
    assert.match(rows, /^\| Label \| `nightly` \|$/m);
    // A backquote in a path cannot end the code span early.
    assert.match(backupRows({ ...plain, sourcePath: 'we`ird' }), /\| `we'ird` \|/);
  });
});
