/**
 * Path resolution that never leaves the store root: every directory a key
 * names is resolved to its real path and refused (PATH_OUTSIDE_ROOT) when a
 * symlink on the way leads outside the root. Symlinks that stay inside are
 * followed, as `object_store::local::LocalFileSystem` does.
 */

import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import type { Stats } from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../../errors';
import { outsideRoot } from '../keys';
import { errno, fsyncDir, orAbsent } from './fsUtil';

/** An existing entry: the path to read (a symlink's target) and the path of the entry itself. */
export interface ResolvedEntry {
  fsPath: string;
  linkPath: string;
  st: Stats;
}

export class SafePaths {
  private realRoot: string | undefined;

  /** @param root absolute, resolved path of the store's root directory */
  constructor(readonly root: string) {}

  /** Real path of the root, or undefined when it does not exist (and `create` is false). */
  async getRealRoot(create: boolean): Promise<string | undefined> {
    if (this.realRoot !== undefined) return this.realRoot;
    const real = await orAbsent(fsp.realpath(this.root));
    if (real !== undefined) return (this.realRoot = real);
    if (!create) return undefined;
    await fsp.mkdir(this.root, { recursive: true });
    return (this.realRoot = await fsp.realpath(this.root));
  }

  static inside(realRoot: string, real: string): boolean {
    if (real === realRoot) return true;
    const base = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
    return real.startsWith(base);
  }

  /** Real path of a directory inside the root given by key segments, or undefined when absent. */
  async realDir(realRoot: string, dirSegments: string[], what: string, value: string): Promise<string | undefined> {
    if (dirSegments.length === 0) return realRoot;
    const real = await orAbsent(fsp.realpath(path.join(realRoot, ...dirSegments)));
    if (real === undefined) {
      // Absent: still refuse when the part that exists leads outside, so an
      // escape is reported the same whether or not the rest of the path exists.
      for (let n = dirSegments.length - 1; n > 0; n--) {
        const partial = await orAbsent(fsp.realpath(path.join(realRoot, ...dirSegments.slice(0, n))));
        if (partial === undefined) continue;
        if (!SafePaths.inside(realRoot, partial)) throw outsideRoot(what, value, 'a symlink on its path leads outside the store root');
        break;
      }
      return undefined;
    }
    if (!SafePaths.inside(realRoot, real)) throw outsideRoot(what, value, 'a symlink on its path leads outside the store root');
    return real;
  }

  /**
   * The path to read for an existing entry `name` in real directory `dir`,
   * following a symlink only when it stays inside the root; undefined when
   * absent (a dangling symlink is absent).
   */
  async resolveEntry(realRoot: string, dir: string, name: string, key: string): Promise<ResolvedEntry | undefined> {
    const linkPath = path.join(dir, name);
    const st = await orAbsent(fsp.lstat(linkPath));
    if (st === undefined) return undefined;
    if (!st.isSymbolicLink()) return { fsPath: linkPath, linkPath, st };
    const real = await orAbsent(fsp.realpath(linkPath));
    if (real === undefined) return undefined;
    if (!SafePaths.inside(realRoot, real)) throw outsideRoot('key', key, 'it is a symlink that leads outside the store root');
    const target = await orAbsent(fsp.stat(real));
    return target === undefined ? undefined : { fsPath: real, linkPath, st: target };
  }

  /** The existing regular file for a key's segments (symlinks inside the root followed), or undefined. */
  async locate(key: string, segments: string[]): Promise<ResolvedEntry | undefined> {
    const realRoot = await this.getRealRoot(false);
    if (realRoot === undefined) return undefined;
    const dir = await this.realDir(realRoot, segments.slice(0, -1), 'key', key);
    if (dir === undefined) return undefined;
    const entry = await this.resolveEntry(realRoot, dir, segments[segments.length - 1], key);
    return entry !== undefined && entry.st.isFile() ? entry : undefined;
  }

  /**
   * Real path of the directory that will hold `key`, creating missing
   * directories one at a time (never through a symlink leading outside the
   * root) and fsyncing each parent whose entries changed.
   */
  async ensureDir(realRoot: string, dirSegments: string[], key: string): Promise<string> {
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
        const real = await orAbsent(fsp.realpath(next));
        if (real === undefined) throw new EngineError('STORE_ERROR', `put ${key} failed: "${here}" is a dangling symlink`, { key });
        if (!SafePaths.inside(realRoot, real)) throw outsideRoot('key', key, 'a symlink on its path leads outside the store root');
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
}

/** A directory held open so later path operations act on that very directory (see pinDirectory). */
export interface PinnedDirectory {
  path: string;
  close: () => Promise<void>;
}

/**
 * Open a directory without following a final symlink and name it through
 * /proc/self/fd, so later path operations act on that very directory even if
 * its path is swapped meanwhile. Linux only; elsewhere undefined (the caller
 * falls back to the checked path).
 */
export async function pinDirectory(dir: string): Promise<PinnedDirectory | undefined> {
  if (process.platform !== 'linux') return undefined;
  let handle: fsp.FileHandle;
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
