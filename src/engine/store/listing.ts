/**
 * S3 ListObjectsV2 semantics for backends that list by themselves (memory,
 * local directory): option checks, continuation tokens, delimiter roll-up and
 * the page collector. S3 lists on the server but checks its options with
 * `checkListOptions`, so all three refuse the same options the same way.
 */

import { EngineError } from '../errors';
import { compareUtf8, hasLoneSurrogate, validatePrefix } from './keys';
import type { ListOptions, ListPage, ObjectMeta } from './objectStore';

/** S3's ListObjectsV2 never returns more than 1000 entries per page; neither do we. */
export const MAX_KEYS_LIMIT = 1000;

/** Listing options after validation, with the continuation token decoded. */
export interface ListPlan {
  prefix: string;
  /** Undefined when not grouping. */
  delimiter?: string;
  /** Only keys strictly greater than this (startAfter or the token's last item). */
  after?: string;
  /** Skip every key starting with this (the common prefix the previous page ended on). */
  skipPrefix?: string;
  maxKeys: number;
}

interface TokenBody {
  v: 1;
  /** Last key or common prefix returned. */
  a: string;
  /** Set when that last item was a common prefix. */
  p?: 1;
}

export function encodeContinuationToken(lastItem: string, isCommonPrefix: boolean): string {
  const body: TokenBody = isCommonPrefix ? { v: 1, a: lastItem, p: 1 } : { v: 1, a: lastItem };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function decodeContinuationToken(token: string): { after: string; skipPrefix?: string } {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    body = undefined;
  }
  const b = body as Partial<TokenBody> | undefined;
  if (!b || typeof b !== 'object' || b.v !== 1 || typeof b.a !== 'string' || (b.p !== undefined && b.p !== 1)) {
    throw new EngineError('INVALID_ARGUMENT', `continuation token ${JSON.stringify(token)} was not issued by this store`);
  }
  return b.p === 1 ? { after: b.a, skipPrefix: b.a } : { after: b.a };
}

/**
 * The checks every backend makes on listing options (prefix, delimiter,
 * startAfter, maxKeys), with empty strings read as "not given".
 */
export function checkListOptions(options: ListOptions): { prefix: string; delimiter?: string; startAfter?: string; maxKeys: number } {
  const prefix = options.prefix ?? '';
  validatePrefix(prefix);
  const delimiter = options.delimiter === '' ? undefined : options.delimiter;
  if (delimiter !== undefined && hasLoneSurrogate(delimiter)) {
    throw new EngineError('INVALID_ARGUMENT', `delimiter ${JSON.stringify(delimiter)} is not valid Unicode`);
  }
  const maxKeys = options.maxKeys ?? MAX_KEYS_LIMIT;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new EngineError('INVALID_ARGUMENT', `maxKeys must be a positive integer, got ${String(options.maxKeys)}`);
  }
  const startAfter = options.startAfter === '' ? undefined : options.startAfter;
  if (startAfter !== undefined && hasLoneSurrogate(startAfter)) {
    throw new EngineError('INVALID_ARGUMENT', `startAfter ${JSON.stringify(startAfter)} is not valid Unicode`);
  }
  return { prefix, delimiter, startAfter, maxKeys: Math.min(maxKeys, MAX_KEYS_LIMIT) };
}

/** Validate listing options and decode our continuation token. */
export function planList(options: ListOptions): ListPlan {
  const { prefix, delimiter, startAfter, maxKeys } = checkListOptions(options);
  let after = startAfter;
  let skipPrefix: string | undefined;
  if (options.continuationToken !== undefined && options.continuationToken !== '') {
    const t = decodeContinuationToken(options.continuationToken);
    if (after === undefined || compareUtf8(t.after, after) >= 0) after = t.after;
    skipPrefix = t.skipPrefix;
  }
  return { prefix, delimiter, after, skipPrefix, maxKeys };
}

/** The common prefix `key` rolls up into under `plan`, if any. `key` starts with `plan.prefix`. */
export function commonPrefixOf(plan: ListPlan, key: string): string | undefined {
  if (plan.delimiter === undefined) return undefined;
  const idx = key.indexOf(plan.delimiter, plan.prefix.length);
  return idx < 0 ? undefined : key.slice(0, idx + plan.delimiter.length);
}

/** Is `key` in the range the plan asks for (ignoring the prefix)? */
export function keyPassesBounds(plan: ListPlan, key: string): boolean {
  if (plan.after !== undefined && compareUtf8(key, plan.after) <= 0) return false;
  if (plan.skipPrefix !== undefined && key.startsWith(plan.skipPrefix)) return false;
  return true;
}

export type ListItem<T> = { kind: 'key'; key: string; payload: T } | { kind: 'prefix'; prefix: string };

/**
 * Accumulates one page from keys offered in ascending byte order: groups them
 * into common prefixes, and stops once it holds one item more than a page
 * (which tells whether a continuation token is needed).
 */
export class PageCollector<T> {
  readonly items: ListItem<T>[] = [];
  private lastPrefix: string | undefined;

  constructor(private readonly plan: ListPlan) {}

  get full(): boolean {
    return this.items.length > this.plan.maxKeys;
  }

  /** The most recent common prefix added (keys under it must not be offered again). */
  get currentPrefix(): string | undefined {
    return this.lastPrefix;
  }

  /** Offer a key that starts with the prefix and passes the bounds. Returns the common prefix it rolled into, if any. */
  offerKey(key: string, payload: T): string | undefined {
    const cp = commonPrefixOf(this.plan, key);
    if (cp === undefined) {
      this.items.push({ kind: 'key', key, payload });
      return undefined;
    }
    this.offerPrefix(cp);
    return cp;
  }

  /** Offer a common prefix known to hold at least one key in bounds. */
  offerPrefix(cp: string): void {
    if (cp === this.lastPrefix) return;
    this.lastPrefix = cp;
    this.items.push({ kind: 'prefix', prefix: cp });
  }

  /** The page's items (at most maxKeys) and the token for the next page. */
  finish(): { items: ListItem<T>[]; nextContinuationToken?: string } {
    if (!this.full) return { items: this.items };
    const items = this.items.slice(0, this.plan.maxKeys);
    const last = items[items.length - 1];
    const token = last.kind === 'key' ? encodeContinuationToken(last.key, false) : encodeContinuationToken(last.prefix, true);
    return { items, nextContinuationToken: token };
  }
}

/**
 * A finished page as a ListPage: `metaOf` turns a key's payload into its
 * metadata (undefined drops the key, e.g. a file deleted since it was listed).
 */
export async function toListPage<T>(
  page: { items: ListItem<T>[]; nextContinuationToken?: string },
  metaOf: (key: string, payload: T) => ObjectMeta | undefined | Promise<ObjectMeta | undefined>,
): Promise<ListPage> {
  const commonPrefixes: string[] = [];
  const metas = await Promise.all(
    page.items.map((item) => {
      if (item.kind === 'key') return metaOf(item.key, item.payload);
      commonPrefixes.push(item.prefix);
      return undefined;
    }),
  );
  const objects = metas.filter((m): m is ObjectMeta => m !== undefined);
  return page.nextContinuationToken === undefined ? { objects, commonPrefixes } : { objects, commonPrefixes, nextContinuationToken: page.nextContinuationToken };
}
