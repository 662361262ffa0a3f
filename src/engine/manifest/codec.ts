/**
 * Manifest file codec: a big-endian u16 format version, then a FlatBuffer
 * whose root is `ManifestV1` (version 1) or `ManifestV2` (version 2).
 *
 * We always write an update in the version that was read: SlateDB before
 * 0.12 cannot read V2, and turning V2 into V1 would lose views.
 */

import { EngineError } from '../errors';
import { decodeFlatBuffer, DecodedTable } from './flatDecoder';
import { encodeFlatBuffer } from './flatEncoder';
import { ROOT_TABLE_BY_VERSION } from './schema';

export type ManifestFormatVersion = 1 | 2;

export interface DecodedManifest {
  formatVersion: ManifestFormatVersion;
  /** Every field of the file, named as in SlateDB's schema. */
  root: DecodedTable;
  /**
   * Set when the file holds something our schema does not know (fields or
   * union members from a newer SlateDB). Such a manifest is shown but never
   * rewritten: re-encoding it would silently drop those fields.
   */
  readOnlyReason?: string;
}

export const SUPPORTED_FORMAT_VERSIONS: readonly number[] = [1, 2];

/** The format version in a manifest's first two bytes. */
export function manifestFormatVersion(bytes: Uint8Array, context: string): number {
  if (bytes.length < 2) {
    throw new EngineError('MANIFEST_CORRUPT', `${context} is not a valid SlateDB manifest: it has only ${bytes.length} bytes`);
  }
  return (bytes[0] << 8) | bytes[1];
}

export function decodeManifest(bytes: Uint8Array, context = 'manifest'): DecodedManifest {
  const version = manifestFormatVersion(bytes, context);
  const rootTable = ROOT_TABLE_BY_VERSION[version];
  if (!rootTable) {
    throw new EngineError(
      'MANIFEST_UNSUPPORTED_VERSION',
      `${context} has manifest format version ${version}; this tool understands versions ${SUPPORTED_FORMAT_VERSIONS.join(' and ')}. ` +
        'It was probably written by a newer SlateDB: the database is shown read-only. Update SlateDB Checkpoint Explorer to manage it.',
    );
  }
  const { root, unknown } = decodeFlatBuffer(bytes.subarray(2), rootTable, context);
  const result: DecodedManifest = { formatVersion: version as ManifestFormatVersion, root };
  if (unknown.length > 0) {
    const more = unknown.length > 3 ? ` (and ${unknown.length - 3} more)` : '';
    result.readOnlyReason =
      `${context} contains data this tool does not understand, probably from a newer SlateDB: ` +
      `${unknown.slice(0, 3).join('; ')}${more}. It is shown read-only and will never be rewritten.`;
  }
  return result;
}

export function encodeManifest(manifest: DecodedManifest): Uint8Array {
  if (manifest.readOnlyReason) {
    throw new EngineError('MANIFEST_READ_ONLY', manifest.readOnlyReason);
  }
  const rootTable = ROOT_TABLE_BY_VERSION[manifest.formatVersion];
  if (!rootTable) throw new EngineError('MANIFEST_UNSUPPORTED_VERSION', `cannot write manifest format version ${manifest.formatVersion}`);
  const body = encodeFlatBuffer(manifest.root, rootTable);
  const out = new Uint8Array(body.length + 2);
  out[0] = manifest.formatVersion >> 8;
  out[1] = manifest.formatVersion & 0xff;
  out.set(body, 2);
  return out;
}
