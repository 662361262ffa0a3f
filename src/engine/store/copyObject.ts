/**
 * Copy one object between two stores with create-if-absent semantics: a
 * server-side copy when the target can do one from that source
 * (`copyObjectFrom`), otherwise a streamed read piped into a streamed
 * create, so memory stays bounded whatever the object's size.
 */

import { EngineError } from '../errors';
import type { ObjectStore, PutIfAbsentResult } from './objectStore';

export interface CopyOutcome {
  result: PutIfAbsentResult;
  /** True when the bytes never passed through this process. */
  serverSide: boolean;
}

export async function copyObject(source: ObjectStore, sourceKey: string, target: ObjectStore, targetKey: string): Promise<CopyOutcome> {
  const direct = await target.copyObjectFrom?.(source, sourceKey, targetKey);
  if (direct !== undefined && direct !== 'unsupported') return { result: direct, serverSide: true };

  const stream = await source.getStream(sourceKey);
  if (stream === undefined) {
    throw new EngineError('DATA_MISSING', `copy ${source.description}/${sourceKey} failed: the object does not exist there`, { key: sourceKey });
  }
  const it = stream.chunks[Symbol.asyncIterator]();
  try {
    const result = await target.putIfAbsent(targetKey, {
      size: stream.meta.size,
      chunks: () => ({ [Symbol.asyncIterator]: () => it }),
    });
    return { result, serverSide: false };
  } finally {
    // The target may answer "exists" before reading the body: release the source's handle / connection.
    await it.return?.();
  }
}
