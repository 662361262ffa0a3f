/**
 * A local directory as an object store, with the semantics SlateDB's `file://`
 * backend (Rust `object_store::local::LocalFileSystem`) has, and S3 listing
 * semantics on top:
 *
 * - Create-if-absent writes the bytes to a staging file in the destination
 *   directory, fsyncs it, then hard-links it to the final name. `link(2)` fails
 *   with EEXIST instead of replacing, so the create is atomic and never
 *   clobbers, and no reader can ever see a partially written object.
 * - Keys never leave the root: `..`, `.`, empty segments, absolute keys,
 *   backslashes and NUL are refused, and every operation resolves the real
 *   path of the directories it touches and refuses a symlink that leads
 *   outside the root (PATH_OUTSIDE_ROOT). Symlinks that stay inside the root
 *   are followed, as `LocalFileSystem` does.
 * - Directories are not objects: a listing never reports one, and an empty
 *   directory (left behind by deletes) produces no common prefix.
 * - Staging files (ours, `.<name>.<16 hex>.tmp`, and `LocalFileSystem`'s,
 *   `<name>#<digits>`) are invisible to listings and refused as keys.
 *
 * Errors: PATH_OUTSIDE_ROOT for escapes, INVALID_ARGUMENT for keys this
 * backend cannot hold, STORE_ERROR (retryable when the errno is transient)
 * for I/O failures, STORE_UNSUPPORTED when the file system has no hard links.
 *
 * The key, prefix and listing helpers at the top of this file are shared with
 * the in-memory store so that both page, order and validate identically.
 */

import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import type { Dir, Dirent, Stats } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { EngineError, storeError } from '../errors';
import { STREAM_CHUNK_BYTES, checkBody, checkRange, clampRange, sizedChunks } from './body';
import type { GetResult, GetStreamResult, ListOptions, ListPage, ObjectMeta, ObjectStore, PutBody, PutIfAbsentResult } from './objectStore';

// ---------------------------------------------------------------------------
// Keys, prefixes and listing semantics shared by every backend in this folder
// ---------------------------------------------------------------------------

/** S3's ListObjectsV2 never returns more than 1000 entries per page; neither do we. */
export const MAX_KEYS_LIMIT = 1000;

/** A lone UTF-16 surrogate: not representable in UTF-8, so never part of a key. */
const LONE_SURROGATE = /\p{Cs}/u;

function outsideRoot(what: string, value: string, why: string): EngineError {
  return new EngineError('PATH_OUTSIDE_ROOT', `${what} ${JSON.stringify(value)} is refused: ${why}`, { key: value });
}

function checkSegment(what: string, value: string, segment: string): void {
  if (segment === '') throw outsideRoot(what, value, 'it has an empty path segment (leading, trailing or doubled "/")');
  if (segment === '.' || segment === '..') throw outsideRoot(what, value, `it has a "${segment}" path segment`);
}

function checkCharacters(what: string, value: string): void {
  if (value.includes('\\')) throw outsideRoot(what, value, 'it contains a backslash');
  if (value.includes('\0')) throw outsideRoot(what, value, 'it contains a NUL character');
  if (LONE_SURROGATE.test(value)) {
    throw new EngineError('INVALID_ARGUMENT', `${what} ${JSON.stringify(value)} is not valid Unicode (lone surrogate)`, { key: value });
  }
}

/**
 * Check an object key and return its segments. Keys are relative,
 * '/'-separated, and have no empty, '.' or '..' segments (PATH_OUTSIDE_ROOT).
 */
export function validateKey(key: string): string[] {
  if (typeof key !== 'string' || key === '') throw outsideRoot('key', String(key), 'it is empty');
  checkCharacters('key', key);
  if (key.startsWith('/')) throw outsideRoot('key', key, 'it is absolute (starts with "/")');
  const segments = key.split('/');
  for (const s of segments) checkSegment('key', key, s);
  return segments;
}

/**
 * Check a listing prefix. Every complete segment (before the last '/') must be
 * a valid key segment; the trailing partial name may be anything a name may
 * start with (a prefix may end mid-name, e.g. `db/manifest/0000`).
 */
export function validatePrefix(prefix: string): void {
  if (prefix === '') return;
  checkCharacters('prefix', prefix);
  if (prefix.startsWith('/')) throw outsideRoot('prefix', prefix, 'it is absolute (starts with "/")');
  const segments = prefix.split('/');
  segments.pop(); // partial name (may be empty when the prefix ends with '/')
  for (const s of segments) checkSegment('prefix', prefix, s);
}

/**
 * Compare two strings by their UTF-8 bytes (S3 key order), without encoding
 * them. UTF-16 code-unit order differs from UTF-8 byte order only when a
 * surrogate (a character above U+FFFF) meets a character in U+E000..U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs && !ys && y >= 0xe000) return 1;
    if (ys && !xs && x >= 0xe000) return -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

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

/** Validate listing options the same way for every backend. */
export function planList(options: ListOptions): ListPlan {
  const prefix = options.prefix ?? '';
  validatePrefix(prefix);
  const delimiter = options.delimiter === '' ? undefined : options.delimiter;
  if (delimiter !== undefined && LONE_SURROGATE.test(delimiter)) {
    throw new EngineError('INVALID_ARGUMENT', `delimiter ${JSON.stringify(delimiter)} is not valid Unicode`);
  }
  let maxKeys = options.maxKeys ?? MAX_KEYS_LIMIT;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) {
    throw new EngineError('INVALID_ARGUMENT', `maxKeys must be a positive integer, got ${String(options.maxKeys)}`);
  }
  maxKeys = Math.min(maxKeys, MAX_KEYS_LIMIT);
  let after = options.startAfter === '' ? undefined : options.startAfter;
  if (after !== undefined && LONE_SURROGATE.test(after)) {
    throw new EngineError('INVALID_ARGUMENT', `startAfter ${JSON.stringify(after)} is not valid Unicode`);
  }
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

// ---------------------------------------------------------------------------
// Local directory backend
// ---------------------------------------------------------------------------

/** Our staging files: `.<name>.<16 hex>.tmp` (the name is left out when long). */
const OUR_STAGING = /^\..*\.[0-9a-f]{16}\.tmp$/;
/** `object_store::local::LocalFileSystem` staging files (SlateDB's own in-flight writes): `<name>#<digits>`. */
const ARROW_STAGING = /#[0-9]+$/;

/** A file name that is an in-flight upload, never an object. */
export function isStagingName(name: string): boolean {
  return OUR_STAGING.test(name) || ARROW_STAGING.test(name);
}

function stagingNameFor(name: string): string {
  const embedded = Buffer.byteLength(name, 'utf8') <= 200 ? name : '';
  return `.${embedded}.${randomBytes(8).toString('hex')}.tmp`;
}

const ABSENT = new Set(['ENOENT', 'ENOTDIR']);
const TRANSIENT = new Set(['EIO', 'EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EINTR', 'ETIMEDOUT', 'ESTALE', 'ENOMEM']);
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
}

function isAbsent(e: unknown): boolean {
  const c = errno(e);
  return c !== undefined && ABSENT.has(c);
}

function ioError(operation: string, key: string, e: unknown): EngineError {
  const c = errno(e);
  return storeError(operation, key, e, c !== undefined && TRANSIENT.has(c));
}

function decodeName(raw: Buffer): string | undefined {
  try {
    return UTF8_STRICT.decode(raw);
  } catch {
    return undefined; // not UTF-8: cannot be an S3-style key
  }
}
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function metaFromStats(key: string, st: Stats): ObjectMeta {
  return {
    key,
    size: st.size,
    lastModified: new Date(st.mtimeMs),
    etag: `${st.ino.toString(16)}-${Math.round(st.mtimeMs * 1000).toString(16)}-${st.size.toString(16)}`,
  };
}

/** Write all of `chunk` at the handle's current position (a write may be short). */
async function writeAll(handle: fsp.FileHandle, chunk: Uint8Array): Promise<void> {
  for (let at = 0; at < chunk.byteLength; ) at += (await handle.write(chunk, at, chunk.byteLength - at)).bytesWritten;
}

/** fsync a directory so entries created or removed in it are durable; a no-op where directories cannot be synced. */
async function fsyncDir(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch (e) {
    const c = errno(e);
    if (c !== 'EISDIR' && c !== 'EINVAL' && c !== 'EPERM' && c !== 'EACCES' && c !== 'ENOTSUP') throw e;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

interface Candidate {
  name: string;
  key: string;
  /** The key for a file, key + '/' for a directory: what orders it among its siblings. */
  sortKey: string;
  dir: boolean;
  /** Real path of a directory to descend into / path of a file to stat. */
  fsPath: string;
}

export class LocalObjectStore implements ObjectStore {
  readonly description: string;
  private readonly root: string;
  private realRoot: string | undefined;

  /** @param rootDir absolute path of the directory that holds the objects (it is created on the first write). */
  constructor(rootDir: string) {
    if (typeof rootDir !== 'string' || !path.isAbsolute(rootDir)) {
      throw new EngineError('INVALID_ARGUMENT', `local store root must be an absolute path, got ${JSON.stringify(rootDir)}`);
    }
    this.root = path.resolve(rootDir);
    this.description = `file://${this.root.split(path.sep).join('/').replace(/^(?!\/)/, '/')}`;
  }

  // ---- path resolution ------------------------------------------------------

  /** Real path of the root, or undefined when it does not exist (and `create` is false). */
  private async getRealRoot(create: boolean): Promise<string | undefined> {
    if (this.realRoot !== undefined) return this.realRoot;
    try {
      this.realRoot = await fsp.realpath(this.root);
    } catch (e) {
      if (!isAbsent(e)) throw e;
      if (!create) return undefined;
      await fsp.mkdir(this.root, { recursive: true });
      this.realRoot = await fsp.realpath(this.root);
    }
    return this.realRoot;
  }

  private inside(realRoot: string, real: string): boolean {
    if (real === realRoot) return true;
    const base = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
    return real.startsWith(base);
  }

  /** Real path of a directory inside the root given by key segments, or undefined when absent. */
  private async realDir(realRoot: string, dirSegments: string[], what: string, value: string): Promise<string | undefined> {
    if (dirSegments.length === 0) return realRoot;
    let real: string;
    try {
      real = await fsp.realpath(path.join(realRoot, ...dirSegments));
    } catch (e) {
      if (!isAbsent(e)) throw e;
      // Absent: still refuse when the part that exists leads outside, so an
      // escape is reported the same whether or not the rest of the path exists.
      for (let n = dirSegments.length - 1; n > 0; n--) {
        let partial: string;
        try {
          partial = await fsp.realpath(path.join(realRoot, ...dirSegments.slice(0, n)));
        } catch (e2) {
          if (isAbsent(e2)) continue;
          throw e2;
        }
        if (!this.inside(realRoot, partial)) throw outsideRoot(what, value, 'a symlink on its path leads outside the store root');
        break;
      }
      return undefined;
    }
    if (!this.inside(realRoot, real)) throw outsideRoot(what, value, 'a symlink on its path leads outside the store root');
    return real;
  }

  /**
   * The path to read for an existing entry `name` in real directory `dir`,
   * following a symlink only when it stays inside the root; undefined when absent.
   */
  private async resolveEntry(realRoot: string, dir: string, name: string, key: string): Promise<{ fsPath: string; linkPath: string; st: Stats } | undefined> {
    const linkPath = path.join(dir, name);
    let st: Stats;
    try {
      st = await fsp.lstat(linkPath);
    } catch (e) {
      if (isAbsent(e)) return undefined;
      throw e;
    }
    if (!st.isSymbolicLink()) return { fsPath: linkPath, linkPath, st };
    let real: string;
    try {
      real = await fsp.realpath(linkPath);
    } catch (e) {
      if (isAbsent(e)) return undefined; // dangling symlink: no object
      throw e;
    }
    if (!this.inside(realRoot, real)) throw outsideRoot('key', key, 'it is a symlink that leads outside the store root');
    try {
      st = await fsp.stat(real);
    } catch (e) {
      if (isAbsent(e)) return undefined;
      throw e;
    }
    return { fsPath: real, linkPath, st };
  }

  private checkKey(key: string): string[] {
    const segments = validateKey(key);
    if (isStagingName(segments[segments.length - 1])) {
      throw new EngineError(
        'INVALID_ARGUMENT',
        `key ${JSON.stringify(key)} is refused: a local store reserves names like ".<name>.<16 hex>.tmp" and "<name>#<digits>" for in-flight writes`,
        { key },
      );
    }
    return segments;
  }

  /** The existing regular file for `key` (symlinks inside the root followed), or undefined. */
  private async locate(key: string, segments: string[]): Promise<{ fsPath: string; st: Stats } | undefined> {
    const realRoot = await this.getRealRoot(false);
    if (realRoot === undefined) return undefined;
    const dir = await this.realDir(realRoot, segments.slice(0, -1), 'key', key);
    if (dir === undefined) return undefined;
    const entry = await this.resolveEntry(realRoot, dir, segments[segments.length - 1], key);
    if (entry === undefined || !entry.st.isFile()) return undefined;
    return entry;
  }

  // ---- reads ------------------------------------------------------------------

  async get(key: string): Promise<GetResult | undefined> {
    const segments = this.checkKey(key);
    try {
      const found = await this.locate(key, segments);
      if (found === undefined) return undefined;
      let handle: fsp.FileHandle;
      try {
        handle = await fsp.open(found.fsPath, 'r');
      } catch (e) {
        if (isAbsent(e) || errno(e) === 'EISDIR') return undefined;
        throw e;
      }
      try {
        const st = await handle.stat();
        if (!st.isFile()) return undefined;
        const buf = await handle.readFile();
        // A plain Uint8Array (not a Buffer, so deepEqual sees the same type from every backend) that owns its
        // whole ArrayBuffer: a small Buffer may be a view into Node's shared pool, which a decoder reading
        // `bytes.buffer` without the offset would misread.
        const ownsBuffer = buf.byteOffset === 0 && buf.buffer.byteLength === buf.byteLength;
        const bytes = ownsBuffer ? new Uint8Array(buf.buffer) : new Uint8Array(buf);
        return { bytes, meta: metaFromStats(key, st) };
      } finally {
        await handle.close().catch(() => undefined);
      }
    } catch (e) {
      throw ioError('get', key, e);
    }
  }

  /** An open handle on the regular file for `key`, with its stats; undefined when absent. The caller closes it. */
  private async openObject(key: string, segments: string[]): Promise<{ handle: fsp.FileHandle; st: Stats } | undefined> {
    const found = await this.locate(key, segments);
    if (found === undefined) return undefined;
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(found.fsPath, 'r');
    } catch (e) {
      if (isAbsent(e) || errno(e) === 'EISDIR') return undefined;
      throw e;
    }
    try {
      const st = await handle.stat();
      if (st.isFile()) return { handle, st };
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw e;
    }
    await handle.close().catch(() => undefined);
    return undefined;
  }

  /** Positional reads of just [start, end): the rest of the file is never read. */
  async getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined> {
    const segments = this.checkKey(key);
    checkRange(key, start, end);
    try {
      const opened = await this.openObject(key, segments);
      if (opened === undefined) return undefined;
      const { handle, st } = opened;
      try {
        const r = clampRange(st.size, start, end);
        const out = new Uint8Array(r.end - r.start);
        let at = 0;
        while (at < out.byteLength) {
          const { bytesRead } = await handle.read(out, at, out.byteLength - at, r.start + at);
          if (bytesRead === 0) break; // the file shrank meanwhile (objects are immutable, so only if misused)
          at += bytesRead;
        }
        return at === out.byteLength ? out : out.slice(0, at);
      } finally {
        await handle.close().catch(() => undefined);
      }
    } catch (e) {
      throw ioError('get', key, e);
    }
  }

  /** A read stream on the file opened now: a delete after this call does not cut the stream short. */
  async getStream(key: string): Promise<GetStreamResult | undefined> {
    const segments = this.checkKey(key);
    let opened: { handle: fsp.FileHandle; st: Stats } | undefined;
    try {
      opened = await this.openObject(key, segments);
    } catch (e) {
      throw ioError('get', key, e);
    }
    if (opened === undefined) return undefined;
    const { handle, st } = opened;
    // autoClose: the handle closes at the end of the stream, on an error, or when the reader breaks out.
    const stream = handle.createReadStream({ start: 0, highWaterMark: STREAM_CHUNK_BYTES, autoClose: true });
    async function* chunks(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of stream) yield chunk as Buffer;
      } catch (e) {
        throw ioError('get', key, e);
      } finally {
        stream.destroy();
      }
    }
    return { meta: metaFromStats(key, st), chunks: chunks() };
  }

  async head(key: string): Promise<ObjectMeta | undefined> {
    const segments = this.checkKey(key);
    try {
      const found = await this.locate(key, segments);
      return found === undefined ? undefined : metaFromStats(key, found.st);
    } catch (e) {
      throw ioError('head', key, e);
    }
  }

  // ---- writes -----------------------------------------------------------------

  /**
   * Real path of the directory that will hold `key`, creating missing
   * directories one at a time (never through a symlink leading outside the
   * root) and fsyncing each parent whose entries changed.
   */
  private async ensureDir(realRoot: string, dirSegments: string[], key: string): Promise<string> {
    const existing = await this.realDir(realRoot, dirSegments, 'key', key);
    if (existing !== undefined) return existing;
    let current = realRoot;
    for (let i = 0; i < dirSegments.length; i++) {
      const next = path.join(current, dirSegments[i]);
      try {
        await fsp.mkdir(next);
        await fsyncDir(current);
        current = next;
        continue;
      } catch (e) {
        if (errno(e) !== 'EEXIST') throw e;
      }
      const st = await fsp.lstat(next);
      if (st.isDirectory()) {
        current = next;
        continue;
      }
      const here = dirSegments.slice(0, i + 1).join('/');
      if (st.isSymbolicLink()) {
        let real: string;
        try {
          real = await fsp.realpath(next);
        } catch (e) {
          if (isAbsent(e)) throw new EngineError('STORE_ERROR', `put ${key} failed: "${here}" is a dangling symlink`, { key });
          throw e;
        }
        if (!this.inside(realRoot, real)) throw outsideRoot('key', key, 'a symlink on its path leads outside the store root');
        if ((await fsp.stat(real)).isDirectory()) {
          current = real;
          continue;
        }
      }
      throw new EngineError(
        'STORE_ERROR',
        `put ${key} failed: "${here}" is an object, and a local directory cannot hold both "${here}" and keys under "${here}/"`,
        { key },
      );
    }
    return current;
  }

  async putIfAbsent(key: string, body: PutBody): Promise<PutIfAbsentResult> {
    const segments = this.checkKey(key);
    checkBody(key, body);
    return this.createStaged(key, segments, async (stagingPath) => {
      const handle = await fsp.open(stagingPath, 'wx', 0o644);
      try {
        // A streamed body is checked against its declared size before the link: a short or long one creates nothing.
        if (body instanceof Uint8Array) await handle.writeFile(body);
        else for await (const chunk of sizedChunks(key, body)) await writeAll(handle, chunk);
        await handle.sync();
      } finally {
        await handle.close(); // a close error (NFS, FUSE) means the data may not be there: fail
      }
    });
  }

  /**
   * Local → local: `copyFile` (a reflink or an in-kernel copy where the file
   * system offers one) into a staging file, then the same hard-link create as
   * putIfAbsent. Any other source: 'unsupported'.
   */
  async copyObjectFrom(source: ObjectStore, sourceKey: string, targetKey: string): Promise<PutIfAbsentResult | 'unsupported'> {
    if (!(source instanceof LocalObjectStore)) return 'unsupported';
    const sourceSegments = source.checkKey(sourceKey);
    const segments = this.checkKey(targetKey);
    let found: { fsPath: string; st: Stats } | undefined;
    try {
      found = await source.locate(sourceKey, sourceSegments);
    } catch (e) {
      throw ioError('copy', sourceKey, e);
    }
    if (found === undefined) {
      throw new EngineError('DATA_MISSING', `copy ${source.description}/${sourceKey} failed: the object does not exist there`, { key: sourceKey });
    }
    const from = found.fsPath;
    const size = found.st.size;
    return this.createStaged(targetKey, segments, async (stagingPath) => {
      await fsp.copyFile(from, stagingPath, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE);
      const handle = await fsp.open(stagingPath, 'r+');
      try {
        const st = await handle.stat();
        if (st.size !== size) throw new EngineError('STORE_ERROR', `copy ${sourceKey} to ${targetKey} failed: copied ${st.size} of ${size} bytes`, { key: targetKey, retryable: true });
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  /**
   * Create-if-absent through a staging file: `fill` creates and fsyncs the
   * staging file (exclusively), then it is hard-linked to the final name,
   * which fails with EEXIST rather than replace an object.
   */
  private async createStaged(key: string, segments: string[], fill: (stagingPath: string) => Promise<void>): Promise<PutIfAbsentResult> {
    const name = segments[segments.length - 1];
    try {
      const realRoot = (await this.getRealRoot(true)) as string;
      const checkedDir = await this.ensureDir(realRoot, segments.slice(0, -1), key);
      // Pin the directory we just checked: a folder swapped for a symlink between the
      // check and the write must not redirect the write outside the root.
      const pinned = await pinDirectory(checkedDir);
      if (pinned && !this.inside(realRoot, await fsp.realpath(pinned.path))) {
        await pinned.close();
        throw outsideRoot('key', key, 'its folder was replaced by a link outside the store root while writing');
      }
      try {
        const dir = pinned?.path ?? checkedDir;
        const finalPath = path.join(dir, name);
        const stagingPath = path.join(dir, stagingNameFor(name));
        try {
          await fill(stagingPath);
          try {
            await fsp.link(stagingPath, finalPath);
          } catch (e) {
            const c = errno(e);
            if (c === 'EEXIST') return await this.alreadyThere(realRoot, dir, name, key);
            if (c !== undefined && NO_HARD_LINKS.has(c)) {
              throw new EngineError('STORE_UNSUPPORTED', `put ${key} failed: the file system under ${this.description} does not support hard links, which create-if-absent needs (${c})`, {
                key,
                cause: e,
              });
            }
            throw e;
          }
          await fsyncDir(dir);
        } finally {
          await fsp.unlink(stagingPath).catch(() => undefined);
        }
        const st = await fsp.stat(finalPath).catch(() => undefined);
        return st ? { created: true, meta: metaFromStats(key, st) } : { created: true };
      } finally {
        await pinned?.close();
      }
    } catch (e) {
      throw ioError('put', key, e);
    }
  }

  /** `link` said EEXIST: only an object (a file) there means "already exists". */
  private async alreadyThere(realRoot: string, dir: string, name: string, key: string): Promise<PutIfAbsentResult> {
    const entry = await this.resolveEntry(realRoot, dir, name, key);
    if (entry !== undefined && entry.st.isFile()) return { created: false };
    const what = entry === undefined ? 'a dangling symlink' : entry.st.isDirectory() ? 'a directory' : 'something that is not a file';
    throw new EngineError('STORE_ERROR', `put ${key} failed: ${what} occupies that path, so the object cannot be created`, { key });
  }

  async delete(key: string): Promise<void> {
    const segments = this.checkKey(key);
    try {
      const realRoot = await this.getRealRoot(false);
      if (realRoot === undefined) return;
      const dir = await this.realDir(realRoot, segments.slice(0, -1), 'key', key);
      if (dir === undefined) return;
      const entry = await this.resolveEntry(realRoot, dir, segments[segments.length - 1], key);
      if (entry === undefined) {
        // Absent, or a dangling symlink: no object. Remove nothing we cannot vouch for.
        return;
      }
      if (!entry.st.isFile()) return; // a directory is not an object
      try {
        await fsp.unlink(entry.linkPath); // a symlink (inside the root) is removed, not its target
      } catch (e) {
        if (isAbsent(e)) return;
        throw e;
      }
      await fsyncDir(dir);
    } catch (e) {
      throw ioError('delete', key, e);
    }
  }

  // ---- listing ----------------------------------------------------------------

  async listPage(options: ListOptions): Promise<ListPage> {
    const plan = planList(options);
    const what = plan.prefix === '' ? '(root)' : plan.prefix;
    try {
      const realRoot = await this.getRealRoot(false);
      if (realRoot === undefined) return { objects: [], commonPrefixes: [] };
      const cut = plan.prefix.lastIndexOf('/');
      const dirKey = plan.prefix.slice(0, cut + 1); // '' or ends with '/'
      const namePrefix = plan.prefix.slice(cut + 1);
      const dirSegments = dirKey === '' ? [] : dirKey.slice(0, -1).split('/');
      const start = await this.realDir(realRoot, dirSegments, 'prefix', plan.prefix);
      if (start === undefined) return { objects: [], commonPrefixes: [] };

      const collector = new PageCollector<string>(plan);
      await this.walk(realRoot, plan, collector, start, dirKey, namePrefix, [start]);
      const { items, nextContinuationToken } = collector.finish();

      const commonPrefixes: string[] = [];
      const statted = await Promise.all(
        items.map(async (item) => {
          if (item.kind === 'prefix') {
            commonPrefixes.push(item.prefix);
            return undefined;
          }
          try {
            const st = await fsp.stat(item.payload);
            return st.isFile() ? metaFromStats(item.key, st) : undefined;
          } catch (e) {
            if (isAbsent(e)) return undefined; // deleted since the directory was read
            throw e;
          }
        }),
      );
      const objects = statted.filter((m): m is ObjectMeta => m !== undefined);
      return nextContinuationToken === undefined ? { objects, commonPrefixes } : { objects, commonPrefixes, nextContinuationToken };
    } catch (e) {
      throw ioError('list', what, e);
    }
  }

  /** Follow a symlinked entry found while listing: its target (inside the root), or undefined when dangling. */
  private async followListed(realRoot: string, linkPath: string, key: string): Promise<{ real: string; st: Stats } | undefined> {
    let real: string;
    try {
      real = await fsp.realpath(linkPath);
    } catch (e) {
      if (isAbsent(e)) return undefined;
      throw e;
    }
    if (!this.inside(realRoot, real)) throw outsideRoot('listing', key, 'it would follow a symlink that leads outside the store root');
    try {
      return { real, st: await fsp.stat(real) };
    } catch (e) {
      if (isAbsent(e)) return undefined;
      throw e;
    }
  }

  /** Could any key under `subtree` (a directory's key plus '/') pass the plan's bounds? */
  private static subtreeMayPass(plan: ListPlan, subtree: string): boolean {
    if (plan.skipPrefix !== undefined && subtree.startsWith(plan.skipPrefix)) return false;
    if (plan.after === undefined) return true;
    return compareUtf8(subtree, plan.after) > 0 || plan.after.startsWith(subtree);
  }

  /**
   * One directory entry as a listing candidate, or undefined when it cannot
   * contribute. Uses only the entry's name and type (no syscall) except for
   * symlinks, which are resolved (and refused when they leave the root).
   */
  private async classify(realRoot: string, plan: ListPlan, base: string, dirKey: string, name: string, ent: Dirent<string | Buffer>): Promise<Candidate | undefined> {
    const c = LocalObjectStore.classifyPlain(plan, base, dirKey, name, ent);
    return c === 'symlink' ? this.classifySymlink(realRoot, plan, base, dirKey, name) : c;
  }

  /** Classify without any I/O; symlinks are left to `classifySymlink`. `base` is the directory path ending with a separator. */
  private static classifyPlain(plan: ListPlan, base: string, dirKey: string, name: string, ent: Dirent<string | Buffer>): Candidate | 'symlink' | undefined {
    const key = dirKey + name;
    if (ent.isFile()) {
      return !isStagingName(name) && keyPassesBounds(plan, key) ? { name, key, sortKey: key, dir: false, fsPath: base + name } : undefined;
    }
    if (ent.isDirectory()) {
      const sub = key + '/';
      return LocalObjectStore.subtreeMayPass(plan, sub) ? { name, key, sortKey: sub, dir: true, fsPath: base + name } : undefined;
    }
    if (ent.isSymbolicLink()) return 'symlink';
    return undefined; // sockets, FIFOs, devices: not objects
  }

  private async classifySymlink(realRoot: string, plan: ListPlan, base: string, dirKey: string, name: string): Promise<Candidate | undefined> {
    const key = dirKey + name;
    const mayFile = !isStagingName(name) && keyPassesBounds(plan, key);
    const mayDir = LocalObjectStore.subtreeMayPass(plan, key + '/');
    if (!mayFile && !mayDir) return undefined;
    const target = await this.followListed(realRoot, base + name, key);
    if (target === undefined) return undefined; // dangling symlinks are ignored, as LocalFileSystem does
    if (target.st.isFile() && mayFile) return { name, key, sortKey: key, dir: false, fsPath: target.real };
    if (target.st.isDirectory() && mayDir) return { name, key, sortKey: key + '/', dir: true, fsPath: target.real };
    return undefined;
  }

  /**
   * A directory's entries as (name, type). Names are read as strings (fast);
   * only when one looks undecodable (contains U+FFFD) is the directory read
   * again as bytes, so names that are not UTF-8 are skipped rather than
   * mangled into keys that do not exist.
   */
  private static async readEntries(dir: string): Promise<{ name: string; ent: Dirent<string | Buffer> }[]> {
    let entries: Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isAbsent(e)) return []; // removed while listing
      throw e;
    }
    if (!entries.some((e) => e.name.includes('\uFFFD'))) return entries.map((ent) => ({ name: ent.name, ent }));
    let raw: Dirent<Buffer>[];
    try {
      raw = await fsp.readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (e) {
      if (isAbsent(e)) return [];
      throw e;
    }
    const out: { name: string; ent: Dirent<string | Buffer> }[] = [];
    for (const ent of raw) {
      const name = decodeName(ent.name);
      if (name !== undefined) out.push({ name, ent });
    }
    return out;
  }

  /**
   * The entries of one directory that can contribute, in key order. Only
   * names and types are read here (one readdir, no stat), so a startAfter near
   * the end of a big directory costs a string comparison per skipped file.
   */
  private async candidates(realRoot: string, plan: ListPlan, dir: string, dirKey: string, namePrefix: string): Promise<Candidate[]> {
    const base = dir.endsWith(path.sep) ? dir : dir + path.sep;
    const out: Candidate[] = [];
    const links: Promise<Candidate | undefined>[] = [];
    for (const { name, ent } of await LocalObjectStore.readEntries(dir)) {
      if (!name.startsWith(namePrefix)) continue;
      const c = LocalObjectStore.classifyPlain(plan, base, dirKey, name, ent);
      if (c === 'symlink') links.push(this.classifySymlink(realRoot, plan, base, dirKey, name));
      else if (c !== undefined) out.push(c);
    }
    for (const c of await Promise.all(links)) if (c !== undefined) out.push(c);
    out.sort((x, y) => compareUtf8(x.sortKey, y.sortKey));
    return out;
  }

  /**
   * Depth-first walk in key order. Sorting siblings by name for files and
   * name + '/' for directories yields global UTF-8 byte order, because a
   * directory's keys all start with its name + '/'.
   */
  private async walk(
    realRoot: string,
    plan: ListPlan,
    collector: PageCollector<string>,
    dir: string,
    dirKey: string,
    namePrefix: string,
    ancestors: string[],
  ): Promise<void> {
    const cands = await this.candidates(realRoot, plan, dir, dirKey, namePrefix);
    for (const c of cands) {
      if (collector.full) return;
      const current = collector.currentPrefix;
      if (current !== undefined && c.sortKey.startsWith(current)) continue; // already rolled up
      if (!c.dir) {
        collector.offerKey(c.key, c.fsPath);
        continue;
      }
      const cp = commonPrefixOf(plan, c.sortKey);
      if (cp !== undefined && cp.length <= c.sortKey.length) {
        // The whole directory rolls up into one common prefix: report it only if it holds an object in bounds.
        if (await this.subtreeHasKey(realRoot, plan, c.fsPath, c.sortKey, [...ancestors, c.fsPath])) collector.offerPrefix(cp);
        continue;
      }
      if (ancestors.includes(c.fsPath)) {
        throw new EngineError('STORE_ERROR', `list ${plan.prefix} failed: symlink loop at "${c.key}"`, { key: c.key });
      }
      await this.walk(realRoot, plan, collector, c.fsPath, c.sortKey, '', [...ancestors, c.fsPath]);
    }
  }

  /**
   * Does this directory (recursively) hold at least one object in bounds?
   * Streams the directory and stops at the first one, so rolling a huge
   * directory (e.g. `compacted/`) into a common prefix stays cheap.
   */
  private async subtreeHasKey(realRoot: string, plan: ListPlan, dir: string, dirKey: string, ancestors: string[]): Promise<boolean> {
    let handle: Dir;
    try {
      handle = await fsp.opendir(dir, { encoding: 'buffer' as BufferEncoding });
    } catch (e) {
      if (isAbsent(e)) return false;
      throw e;
    }
    const base = dir.endsWith(path.sep) ? dir : dir + path.sep;
    const subdirs: Candidate[] = [];
    try {
      for (;;) {
        const ent = (await handle.read()) as Dirent<Buffer> | null;
        if (ent === null) break;
        const name = decodeName(ent.name);
        if (name === undefined) continue;
        const c = await this.classify(realRoot, plan, base, dirKey, name, ent);
        if (c === undefined) continue;
        if (!c.dir) return true;
        subdirs.push(c);
      }
    } finally {
      await handle.close().catch(() => undefined);
    }
    for (const c of subdirs) {
      if (ancestors.includes(c.fsPath)) {
        throw new EngineError('STORE_ERROR', `list ${plan.prefix} failed: symlink loop at "${c.key}"`, { key: c.key });
      }
      if (await this.subtreeHasKey(realRoot, plan, c.fsPath, c.sortKey, [...ancestors, c.fsPath])) return true;
    }
    return false;
  }
}

/**
 * Open a directory without following a final symlink and name it through
 * /proc/self/fd, so later path operations act on that very directory even if
 * its path is swapped meanwhile. Linux only; elsewhere undefined (the caller
 * falls back to the checked path).
 */
async function pinDirectory(dir: string): Promise<{ path: string; close: () => Promise<void> } | undefined> {
  if (process.platform !== 'linux') return undefined;
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await fsp.open(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
  } catch (e) {
    if (errno(e) === 'ELOOP') throw new EngineError('PATH_OUTSIDE_ROOT', `folder ${dir} turned into a link while writing; refused`);
    if (errno(e) === 'ENOTDIR') throw new EngineError('STORE_ERROR', `${dir} is an object, so it cannot hold other objects`);
    throw e;
  }
  const fdPath = `/proc/self/fd/${handle.fd}`;
  if (!fs.existsSync(fdPath)) {
    await handle.close();
    return undefined;
  }
  let closed = false;
  return {
    path: fdPath,
    close: async () => {
      if (!closed) {
        closed = true;
        await handle.close();
      }
    },
  };
}
