/**
 * Does this S3 server honour `If-None-Match: *`? Checked once per store with
 * probe objects under `<prefix>/.slatedb-explorer-probe/` (removed after):
 *
 * - on PutObject, before the first create-if-absent write. A server that
 *   ignores it would let a manifest silently overwrite a concurrent writer's,
 *   so such a store refuses every write (STORE_UNSUPPORTED).
 * - on CopyObject, before the first server-side copy. Amazon S3 honours it;
 *   Ceph RGW does not (it copies over the existing object), so there the
 *   store checks with a HEAD first (see S3ObjectStore.copyObjectFrom).
 *
 * A probe that fails (network, permissions) is not remembered as a verdict:
 * the next write asks again.
 */

import { randomBytes } from 'node:crypto';
import { EngineError } from '../../errors';
import type { PutIfAbsentResult } from '../objectStore';

/** Where the probe objects go, under the store prefix. */
export const PROBE_FOLDER = '.slatedb-explorer-probe/';

/** The single-attempt conditional requests the probes make, on full keys in the store's bucket. */
export interface ProbeRequests {
  put(fullKey: string, body: Uint8Array): Promise<PutIfAbsentResult>;
  copy(fromFullKey: string, toFullKey: string): Promise<PutIfAbsentResult>;
  remove(fullKey: string): Promise<void>;
  /** Where a probe object that could not be removed is reported. */
  log?: (line: string) => void;
}

export interface ConditionalWritesOptions {
  /** The store prefix ('' or ending with '/'); probes go under it. */
  keyPrefix: string;
  /** Whether writes must be probed at all ('auto': only with a custom endpoint). */
  verify: 'auto' | 'always' | 'never';
  endpoint?: string;
  /** The store, for messages (`s3://bucket/prefix`). */
  description: string;
}

export class ConditionalWrites {
  private writesChecked?: Promise<void>;
  private copiesChecked?: Promise<boolean>;

  constructor(
    private readonly requests: ProbeRequests,
    private readonly options: ConditionalWritesOptions,
  ) {}

  private probeKey(): string {
    return this.options.keyPrefix + PROBE_FOLDER + randomBytes(12).toString('hex');
  }

  private static body(what: string): Uint8Array {
    return new TextEncoder().encode(`slatedb-checkpoint-explorer ${what} probe ${new Date().toISOString()}\n`);
  }

  private async removeAll(keys: string[]): Promise<void> {
    for (const k of keys) {
      await this.requests.remove(k).catch((err) => this.requests.log?.(`[s3] could not delete probe object ${k}: ${(err as Error).message}`));
    }
  }

  /** Writes a probe object twice, expects the second write to be refused, and deletes it. Needs PutObject and DeleteObject permission. */
  async probeWrites(): Promise<boolean> {
    const full = this.probeKey();
    const body = ConditionalWrites.body('conditional-write');
    try {
      const first = await this.requests.put(full, body);
      if (!first.created) return false; // a fresh random key cannot exist
      const second = await this.requests.put(full, body);
      return !second.created;
    } catch (err) {
      if (err instanceof EngineError && err.code === 'STORE_UNSUPPORTED') return false;
      throw err;
    } finally {
      await this.removeAll([full]);
    }
  }

  /** Throw STORE_UNSUPPORTED unless the server honours conditional writes (probed once per store). */
  ensureWrites(): Promise<void> {
    const { verify, endpoint, description } = this.options;
    const needed = verify === 'always' || (verify === 'auto' && endpoint !== undefined);
    if (!needed) return Promise.resolve();
    this.writesChecked ??= this.probeWrites().then((ok) => {
      if (!ok) {
        throw new EngineError(
          'STORE_UNSUPPORTED',
          `${endpoint ? `The S3 endpoint ${endpoint}` : 'This S3 server'} ignores conditional writes (PUT with If-None-Match: *) for ${description}: ` +
            "writing a manifest there could silently overwrite a concurrent writer's, so the explorer will not write to it. " +
            'Use an S3 server that supports conditional writes (Amazon S3, Ceph RGW, MinIO, ...), or open the database read-only.',
          { retryable: false },
        );
      }
    });
    this.writesChecked.catch((err) => {
      if (!(err instanceof EngineError && err.code === 'STORE_UNSUPPORTED')) this.writesChecked = undefined;
    });
    return this.writesChecked;
  }

  /** Does a CopyObject with `If-None-Match: *` onto an existing key get refused? (Probed once per store.) */
  copyIsAtomic(): Promise<boolean> {
    this.copiesChecked ??= this.probeCopies();
    this.copiesChecked.catch(() => (this.copiesChecked = undefined));
    return this.copiesChecked;
  }

  private async probeCopies(): Promise<boolean> {
    const base = this.probeKey();
    const body = ConditionalWrites.body('conditional-copy');
    try {
      await this.requests.put(`${base}.a`, body);
      await this.requests.put(`${base}.b`, body);
      return !(await this.requests.copy(`${base}.a`, `${base}.b`)).created;
    } finally {
      await this.removeAll([`${base}.a`, `${base}.b`]);
    }
  }
}
