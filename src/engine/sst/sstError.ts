/**
 * Errors of the SST reader. Pure decoders (blocks, index, codecs) throw a
 * {@link DecodeFailure} that knows nothing about objects; the reader turns it
 * into a DATA_CORRUPT EngineError naming the object and the section, so every
 * message reads like "CRC mismatch in data block 3 of db/compacted/01H….sst".
 */

import { EngineError } from '../errors';

/** A decoder found bytes that cannot be what SlateDB wrote. */
export class DecodeFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeFailure';
  }
}

export function fail(message: string): never {
  throw new DecodeFailure(message);
}

/** DATA_CORRUPT naming the object and the part of it that is wrong. */
export function sstCorrupt(objectKey: string, section: string, problem: string, cause?: unknown): EngineError {
  return new EngineError(
    'DATA_CORRUPT',
    `${problem} in ${section} of ${objectKey}: the object is damaged or was not written by SlateDB; restore it from a backup or a replica`,
    { key: objectKey, cause },
  );
}

/**
 * Runs a decoding step and maps anything it throws (DecodeFailure, but also a
 * RangeError from a DataView or a codec's own error) to DATA_CORRUPT, so no
 * corrupt byte can escape as an untyped exception. EngineErrors pass through.
 */
export function decodingStep<T>(objectKey: string, section: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    throw asCorrupt(e, objectKey, section);
  }
}

export function asCorrupt(e: unknown, objectKey: string, section: string): EngineError {
  if (e instanceof EngineError) return e;
  const problem = e instanceof DecodeFailure ? e.message : `undecodable bytes (${e instanceof Error ? e.message : String(e)})`;
  return sstCorrupt(objectKey, section, problem, e);
}

export function sstMissing(objectKey: string, what: string): EngineError {
  return new EngineError(
    'DATA_MISSING',
    `${what} ${objectKey} does not exist on the store: it was deleted (by GC, or by hand) or the database is incomplete`,
    { key: objectKey },
  );
}
