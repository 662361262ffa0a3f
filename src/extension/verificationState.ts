/**
 * Which checkpoints were verified OK, and when: the one place the tree reads
 * it from (a checkpoint's tooltip says "Verified OK <time> (shallow|deep)").
 * A result holds only while the database's latest manifest is the one seen
 * when verifying: any new manifest (GC, a compaction, a checkpoint change)
 * may have touched what the checkpoint needs, so the mark lapses then.
 * Failed runs clear the mark. No vscode import: unit tests use it as is.
 */

import { IDisposable, toDisposable } from './common/disposable';
import { DatabaseTarget, targetKey } from './targets';

export interface Verified {
  /** ms since the epoch. */
  at: number;
  deep: boolean;
  /** The database's latest manifest id when it was verified. */
  latestManifestId: number;
}

export class VerificationState {
  private readonly results = new Map<string, Verified>();
  private readonly listeners = new Set<(target: DatabaseTarget) => void>();

  private static key(target: DatabaseTarget, checkpointId: string): string {
    return `${targetKey(target)}\u0000${checkpointId}`;
  }

  /** Called with the database whose marks changed. */
  onDidChange(listener: (target: DatabaseTarget) => void): IDisposable {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }

  recordOk(target: DatabaseTarget, checkpointId: string, result: Verified): void {
    const key = VerificationState.key(target, checkpointId);
    const old = this.results.get(key);
    // A shallow pass does not downgrade a deep one of the same manifest.
    if (old && old.deep && !result.deep && old.latestManifestId === result.latestManifestId) return;
    this.results.set(key, result);
    this.fire(target);
  }

  recordFailed(target: DatabaseTarget, checkpointId: string): void {
    if (this.results.delete(VerificationState.key(target, checkpointId))) this.fire(target);
  }

  /** The OK mark, while the database's latest manifest is still `latestManifestId`. */
  current(target: DatabaseTarget, checkpointId: string, latestManifestId: number | undefined): Verified | undefined {
    const v = this.results.get(VerificationState.key(target, checkpointId));
    return v && latestManifestId !== undefined && v.latestManifestId === latestManifestId ? v : undefined;
  }

  private fire(target: DatabaseTarget): void {
    for (const l of this.listeners) l({ connectionId: target.connectionId, dbPath: target.dbPath });
  }
}

/** The extension's one instance (the tree and the Verify command share it). */
export const verificationState = new VerificationState();
