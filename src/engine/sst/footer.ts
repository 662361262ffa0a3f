/**
 * Finding an SST's metadata from its end (SST-FACTS §2):
 *
 *   ...[SsTableInfo][CRC32 BE][meta_offset: u64 BE][format_version: u16 BE]
 *
 * Only WAL SSTs (and verification) need this: SlateDB reads compacted SSTs
 * with the SsTableInfo copy in the manifest.
 */

import { checkedPayload } from './checksum';
import { decodeSsTableInfo } from './flatTables';
import { fail } from './sstError';
import { SstInfo, SUPPORTED_SST_VERSIONS } from './types';

export const FOOTER_BYTES = 10;

export interface Footer {
  metaOffset: number;
  formatVersion: number;
}

/** Parses the last 10 bytes of an object of `size` bytes. */
export function parseFooter(last10: Uint8Array, size: number): Footer {
  if (last10.length !== FOOTER_BYTES) fail(`the footer is ${last10.length} bytes, not ${FOOTER_BYTES}`);
  const view = new DataView(last10.buffer, last10.byteOffset, FOOTER_BYTES);
  const meta = view.getBigUint64(0);
  const formatVersion = view.getUint16(8);
  if (!SUPPORTED_SST_VERSIONS.includes(formatVersion)) fail(`SST format version ${formatVersion} is not one this tool reads (1 or 2)`);
  // The metadata needs at least its 4-byte CRC before the footer.
  if (meta > BigInt(size - FOOTER_BYTES - 4)) fail(`meta_offset ${meta} points past the ${size}-byte object`);
  return { metaOffset: Number(meta), formatVersion };
}

/** Decodes the SsTableInfo section `[metaOffset, size - 10)` and checks its offsets against the object. */
export function parseInfoSection(section: Uint8Array, metaOffset: number): SstInfo {
  const info = decodeSsTableInfo(checkedPayload(section));
  checkLayout(info, metaOffset);
  return info;
}

/** Every section must lie before the metadata (`limit`), in SlateDB's order: data, filter, index, stats. */
export function checkLayout(info: SstInfo, limit: number): void {
  const end = (o: number, l: number) => o + l;
  if (end(info.indexOffset, info.indexLen) > limit) fail(`the index [${info.indexOffset}, +${info.indexLen}) runs past byte ${limit}`);
  if (info.filterLen > 0 && end(info.filterOffset, info.filterLen) > info.indexOffset) fail('the filter overlaps the index');
  if (info.statsLen > 0 && end(info.statsOffset, info.statsLen) > limit) fail('the stats block runs past the metadata');
  if (info.filterOffset > info.indexOffset && info.filterLen === 0) fail(`filter_offset ${info.filterOffset} lies after the index`);
}
