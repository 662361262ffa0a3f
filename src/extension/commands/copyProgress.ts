/**
 * The progress notification of a backup or restore: phase, bytes copied of
 * the total and objects, a bar that follows the bytes, and Cancel (which
 * aborts the engine's copy through an AbortSignal). The words are in
 * shared/backupText.ts.
 */

import * as vscode from 'vscode';
import type { BackupProgress } from '../../engine/backup/backup';
import { progressMessage } from '../../shared/backupText';

/**
 * Runs `work` under a cancellable notification. Reports are throttled (a
 * copy of many small objects would otherwise redraw per object); the bar
 * advances by the share of bytes copied.
 */
export function withCopyProgress<T>(title: string, work: (signal: AbortSignal, onProgress: (p: BackupProgress) => void) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    let shownPercent = 0;
    let lastMessage = '';
    let lastAt = 0;
    const onProgress = (p: BackupProgress) => {
      const message = progressMessage(p);
      // Copying moves the bar by bytes; once the objects are in, only the manifest is left.
      const percent = p.phase === 'copy' && p.bytesTotal > 0 ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : p.phase === 'commit' || p.phase === 'unpin' ? 100 : shownPercent;
      const now = Date.now();
      const last = p.phase === 'copy' && p.objectsDone === p.objectsTotal;
      if (message === lastMessage || (now - lastAt < 100 && !last && p.phase === 'copy')) return;
      progress.report({ message, increment: percent > shownPercent ? percent - shownPercent : undefined });
      shownPercent = Math.max(shownPercent, percent);
      lastMessage = message;
      lastAt = now;
    };
    try {
      return await work(controller.signal, onProgress);
    } finally {
      subscription.dispose();
    }
  });
}
