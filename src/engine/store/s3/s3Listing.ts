/**
 * One page of ListObjectsV2 under a store prefix, with keys made relative to
 * it, and a workaround for Ceph RGW: RGW skips the whole common prefix that
 * StartAfter falls inside, even when it holds keys after StartAfter, while the
 * contract (and a directory listing) reports it. That one prefix is asked
 * about separately, and a token of our own continues after it.
 */

import type { ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { checkListOptions } from '../listing';
import type { ListOptions, ListPage, ObjectMeta } from '../objectStore';

/** Continuation token we issue ourselves: "continue after this common prefix" (base64url of it follows). */
const AFTER_PREFIX_TOKEN = 'slatedb-explorer:after-prefix:';

export interface ListRawInput {
  Prefix?: string;
  Delimiter?: string;
  StartAfter?: string;
  ContinuationToken?: string;
  MaxKeys?: number;
}

/** One ListObjectsV2 request in the store's bucket. */
export type ListRaw = (input: ListRawInput) => Promise<Pick<ListObjectsV2CommandOutput, 'Contents' | 'CommonPrefixes' | 'IsTruncated' | 'NextContinuationToken'>>;

/**
 * The common prefix (full key) that `startAfter` falls inside under `prefix`
 * and `delimiter`, e.g. `h/a/` for prefix `h/`, delimiter `/`, startAfter `h/a/1`.
 */
export function skippedPrefixOf(prefix: string, delimiter: string | undefined, startAfter: string | undefined): string | undefined {
  if (!delimiter || startAfter === undefined || !startAfter.startsWith(prefix)) return undefined;
  const idx = startAfter.indexOf(delimiter, prefix.length);
  return idx < 0 ? undefined : startAfter.slice(0, idx + delimiter.length);
}

/** A listing page of the store rooted at `keyPrefix` ('' or ending with '/'). */
export async function listS3Page(listRaw: ListRaw, keyPrefix: string, options: ListOptions): Promise<ListPage> {
  const checked = checkListOptions(options);
  const { delimiter, maxKeys } = checked;
  const relativeKey = (full: string) => (full.startsWith(keyPrefix) ? full.slice(keyPrefix.length) : full);
  const prefix = keyPrefix + checked.prefix;
  let startAfter = checked.startAfter !== undefined ? keyPrefix + checked.startAfter : undefined;
  let token = options.continuationToken || undefined;
  /** A common prefix already reported, to leave out of this page (see skippedPrefixOf). */
  let reported: string | undefined;
  if (token?.startsWith(AFTER_PREFIX_TOKEN)) {
    reported = Buffer.from(token.slice(AFTER_PREFIX_TOKEN.length), 'base64url').toString('utf8');
    startAfter = reported;
    token = undefined;
  }

  let lead: string | undefined;
  const inside = token === undefined && reported === undefined ? skippedPrefixOf(prefix, delimiter, startAfter) : undefined;
  if (inside !== undefined) {
    const probe = await listRaw({ Prefix: inside, StartAfter: startAfter, MaxKeys: 1 });
    if ((probe.Contents ?? []).length > 0) lead = inside;
  }
  if (lead !== undefined && maxKeys === 1) {
    return { objects: [], commonPrefixes: [relativeKey(lead)], nextContinuationToken: AFTER_PREFIX_TOKEN + Buffer.from(lead, 'utf8').toString('base64url') };
  }
  reported ??= lead;

  const out = await listRaw({
    Prefix: prefix === '' ? undefined : prefix,
    Delimiter: delimiter,
    StartAfter: startAfter,
    ContinuationToken: token,
    MaxKeys: lead !== undefined ? maxKeys - 1 : maxKeys,
  });
  const objects: ObjectMeta[] = (out.Contents ?? [])
    .filter((o) => o.Key !== undefined && o.Key.startsWith(keyPrefix) && !(reported !== undefined && o.Key.startsWith(reported)))
    .map((o) => ({
      key: relativeKey(o.Key!),
      size: o.Size ?? 0,
      lastModified: o.LastModified ?? new Date(0),
      ...(o.ETag ? { etag: o.ETag } : {}),
    }));
  const commonPrefixes = (out.CommonPrefixes ?? [])
    .map((p) => p.Prefix)
    .filter((p): p is string => p !== undefined && p !== reported)
    .map(relativeKey);
  if (lead !== undefined) commonPrefixes.unshift(relativeKey(lead));
  return {
    objects,
    commonPrefixes,
    ...(out.IsTruncated && out.NextContinuationToken ? { nextContinuationToken: out.NextContinuationToken } : {}),
  };
}
