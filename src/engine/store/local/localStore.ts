/**
 * A local directory as an object store, with the semantics SlateDB's `file://`
 * backend (Rust `object_store::local::LocalFileSystem`) has, and S3 listing
 * semantics on top:
 *
 * - Create-if-absent writes the bytes (or streams the body) to a staging file
 *   in the destination directory, fsyncs it, then hard-links it to the final
 *   name. `link(2)` fails with EEXIST instead of replacing, so the create is
 *   atomic and never clobbers, and no reader can ever see a partially written
 *   object. A local → local copy fills the staging file with `copyFile`.
 * - Keys never leave the root (keys.ts refuses '..', '.', empty segments,
 *   absolute keys, backslashes and NUL), and every operation resolves the real
 *   path of the directories it touches and refuses a symlink that leads
 *   outside the root (PATH_OUTSIDE_ROOT; safePaths.ts). Symlinks that stay
 *   inside the root are followed, as `LocalFileSystem` does.
 * - Directories are not objects: a listing never reports one, and an empty
 *   directory (left behind by deletes) produces no common prefix (walk.ts).
 * - Staging files (ours, `.<name>.<16 hex>.tmp`, and `LocalFileSystem`'s,
 *   `<name>#<digits>`) are invisible to listings and refused as keys.
 * - Range reads are positional reads of just that range; streamed reads come
 *   from the file opened when the stream was asked for.
 *
 * Errors: PATH_OUTSIDE_ROOT for escapes, INVALID_ARGUMENT for keys this
 * backend cannot hold, STORE_ERROR (retryable when the errno is transient)
 * for I/O failures, STORE_UNSUPPORTED when the file system has no hard links.
 */

import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import type { Stats } from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../../errors';
import { STREAM_CHUNK_BYTES, checkBody, checkRange, clampRange, sizedChunks } from '../body';
import { outsideRoot, stagingNameFor, validateKey } from '../keys';
import { PageCollector, planList, toListPage } from '../listing';
import type { GetResult, GetStreamResult, ListOptions, ListPage, ObjectMeta, ObjectStore, PutBody, PutIfAbsentResult } from '../objectStore';
import { NO_HARD_LINKS, errno, fsyncDir, ioError, isAbsent, metaFromStats, orAbsent, writeAll } from './fsUtil';
import { SafePaths, pinDirectory } from './safePaths';
import { ListWalk } from './walk';

export class LocalObjectStore implements ObjectStore {
  readonly description: string;
  private readonly paths: SafePaths;

  /** @param rootDir absolute path of the directory that holds the objects (it is created on the first write). */
  constructor(rootDir: string) {
    if (typeof rootDir !== 'string' || !path.isAbsolute(rootDir)) {
      throw new EngineError('INVALID_ARGUMENT', `local store root must be an absolute path, got ${JSON.stringify(rootDir)}`);
    }
    const root = path.resolve(rootDir);
    this.paths = new SafePaths(root);
    this.description = `file://${root.split(path.sep).join('/').replace(/^(?!\/)/, '/')}`;
  }

  // ---- reads ------------------------------------------------------------------

  /** An open handle on the regular file for `key`, with its stats; undefined when absent. The caller closes it. */
  private async openObject(key: string, segments: string[]): Promise<{ handle: fsp.FileHandle; st: Stats } | undefined> {
    const found = await this.paths.locate(key, segments);
    if (found === undefined) return undefined;
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(found.fsPath, 'r');
    } catch (e) {
      if (isAbsent(e) || errno(e) === 'EISDIR') return undefined;
      throw e;
    }
    let st: Stats | undefined;
    try {
      st = await handle.stat();
    } finally {
      if (!st?.isFile()) await handle.close().catch(() => undefined);
    }
    return st.isFile() ? { handle, st } : undefined;
  }

  async get(key: string): Promise<GetResult | undefined> {
    const segments = validateKey(key);
    try {
      const opened = await this.openObject(key, segments);
      if (opened === undefined) return undefined;
      try {
        const buf = await opened.handle.readFile();
        // A plain Uint8Array (not a Buffer, so deepEqual sees the same type from every backend) that owns its
        // whole ArrayBuffer: a small Buffer may be a view into Node's shared pool, which a decoder reading
        // `bytes.buffer` without the offset would misread.
        const ownsBuffer = buf.byteOffset === 0 && buf.buffer.byteLength === buf.byteLength;
        const bytes = ownsBuffer ? new Uint8Array(buf.buffer) : new Uint8Array(buf);
        return { bytes, meta: metaFromStats(key, opened.st) };
      } finally {
        await opened.handle.close().catch(() => undefined);
      }
    } catch (e) {
      throw ioError('get', key, e);
    }
  }

  /** Positional reads of just [start, end): the rest of the file is never read. */
  async getRange(key: string, start: number, end: number): Promise<Uint8Array | undefined> {
    const segments = validateKey(key);
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
    const segments = validateKey(key);
    let opened: { handle: fsp.FileHandle; st: Stats } | undefined;
    try {
      opened = await this.openObject(key, segments);
    } catch (e) {
      throw ioError('get', key, e);
    }
    if (opened === undefined) return undefined;
    // autoClose: the handle closes at the end of the stream, on an error, or when the reader breaks out.
    const stream = opened.handle.createReadStream({ start: 0, highWaterMark: STREAM_CHUNK_BYTES, autoClose: true });
    async function* chunks(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of stream) yield chunk as Buffer;
      } catch (e) {
        throw ioError('get', key, e);
      } finally {
        stream.destroy();
      }
    }
    return { meta: metaFromStats(key, opened.st), chunks: chunks() };
  }

  async head(key: string): Promise<ObjectMeta | undefined> {
    const segments = validateKey(key);
    try {
      const found = await this.paths.locate(key, segments);
      return found === undefined ? undefined : metaFromStats(key, found.st);
    } catch (e) {
      throw ioError('head', key, e);
    }
  }

  // ---- writes -----------------------------------------------------------------

  async putIfAbsent(key: string, body: PutBody): Promise<PutIfAbsentResult> {
    const segments = validateKey(key);
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
    const segments = validateKey(targetKey);
    if (!(source instanceof LocalObjectStore)) return 'unsupported';
    const sourceSegments = validateKey(sourceKey);
    let found: { fsPath: string; st: Stats } | undefined;
    try {
      found = await source.paths.locate(sourceKey, sourceSegments);
    } catch (e) {
      throw ioError('copy', sourceKey, e);
    }
    if (found === undefined) {
      throw new EngineError('DATA_MISSING', `copy ${source.description}/${sourceKey} failed: the object does not exist there`, { key: sourceKey });
    }
    const { fsPath: from, st: sourceStats } = found;
    return this.createStaged(targetKey, segments, async (stagingPath) => {
      await fsp.copyFile(from, stagingPath, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE);
      const handle = await fsp.open(stagingPath, 'r+');
      try {
        const st = await handle.stat();
        if (st.size !== sourceStats.size) {
          throw new EngineError('STORE_ERROR', `copy ${sourceKey} to ${targetKey} failed: copied ${st.size} of ${sourceStats.size} bytes`, { key: targetKey, retryable: true });
        }
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
      const realRoot = (await this.paths.getRealRoot(true)) as string;
      const checkedDir = await this.paths.ensureDir(realRoot, segments.slice(0, -1), key);
      // Pin the directory we just checked: a folder swapped for a symlink between the
      // check and the write must not redirect the write outside the root.
      const pinned = await pinDirectory(checkedDir);
      if (pinned && !SafePaths.inside(realRoot, await fsp.realpath(pinned.path))) {
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
    const entry = await this.paths.resolveEntry(realRoot, dir, name, key);
    if (entry !== undefined && entry.st.isFile()) return { created: false };
    const what = entry === undefined ? 'a dangling symlink' : entry.st.isDirectory() ? 'a directory' : 'something that is not a file';
    throw new EngineError('STORE_ERROR', `put ${key} failed: ${what} occupies that path, so the object cannot be created`, { key });
  }

  async delete(key: string): Promise<void> {
    const segments = validateKey(key);
    try {
      const realRoot = await this.paths.getRealRoot(false);
      if (realRoot === undefined) return;
      const dir = await this.paths.realDir(realRoot, segments.slice(0, -1), 'key', key);
      if (dir === undefined) return;
      const entry = await this.paths.resolveEntry(realRoot, dir, segments[segments.length - 1], key);
      // Absent, a dangling symlink or a directory: no object. Remove nothing we cannot vouch for.
      if (entry === undefined || !entry.st.isFile()) return;
      // A symlink (inside the root) is removed, not its target.
      if ((await orAbsent(fsp.unlink(entry.linkPath).then(() => true))) === undefined) return;
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
      const realRoot = await this.paths.getRealRoot(false);
      if (realRoot === undefined) return { objects: [], commonPrefixes: [] };
      const cut = plan.prefix.lastIndexOf('/');
      const dirKey = plan.prefix.slice(0, cut + 1); // '' or ends with '/'
      const dirSegments = dirKey === '' ? [] : dirKey.slice(0, -1).split('/');
      const start = await this.paths.realDir(realRoot, dirSegments, 'prefix', plan.prefix);
      if (start === undefined) return { objects: [], commonPrefixes: [] };

      const collector = new PageCollector<string>(plan);
      await new ListWalk(realRoot, plan, collector).run(start, dirKey, plan.prefix.slice(cut + 1));
      // Only the keys returned are statted; one deleted since the directory was read is left out.
      return await toListPage(collector.finish(), async (key, fsPath) => {
        const st = await orAbsent(fsp.stat(fsPath));
        return st?.isFile() ? metaFromStats(key, st) : undefined;
      });
    } catch (e) {
      throw ioError('list', what, e);
    }
  }
}
