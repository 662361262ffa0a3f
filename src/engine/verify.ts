/**
 * Is this checkpoint restorable? (CLI `verify-checkpoint`, the extension's Verify Checkpoint.)
 * API fixed here; implementation in progress (issue 11).
 */
import { EngineError } from './errors';
import type { ManifestStore } from './manifest/manifestStore';

export interface VerifyProblem {
  /** The object the problem is about (manifest, SST or WAL key). */
  key: string;
  problem: string;
}

export interface VerifyChecked {
  manifests: number;
  ssts: number;
  walFiles: number;
  bytes: number;
  blocks: number;
}

export interface VerifyProgress {
  phase: string;
  done: number;
  total: number;
  key?: string;
}

export interface VerifyResult {
  checkpoint: string;
  manifestId: number | null;
  ok: boolean;
  checked: VerifyChecked;
  problems: VerifyProblem[];
}

export interface VerifyOptions {
  deep: boolean;
  signal?: AbortSignal;
  onProgress?(p: VerifyProgress): void;
  concurrency?: number;
}

export async function verifyCheckpoint(_ms: ManifestStore, _checkpointId: string, _opts: VerifyOptions): Promise<VerifyResult> {
  throw new EngineError('INTERNAL', 'verifyCheckpoint: not implemented yet');
}
