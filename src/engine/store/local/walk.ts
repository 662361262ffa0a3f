/**
 * One listing page of a local directory store: a depth-first walk in key
 * order that reads names and types only (one readdir per directory, no stat),
 * rolls directories into common prefixes, follows symlinks that stay inside
 * the root and refuses those that leave it.
 */

import { promises as fsp } from 'node:fs';
import type { Dir, Dirent } from 'node:fs';
import * as path from 'node:path';
import { EngineError } from '../../errors';
import { compareUtf8, isStagingName, outsideRoot } from '../keys';
import { type ListPlan, type PageCollector, commonPrefixOf, keyPassesBounds } from '../listing';
import { decodeName, orAbsent } from './fsUtil';
import { SafePaths } from './safePaths';

interface Candidate {
  key: string;
  /** The key for a file, key + '/' for a directory: what orders it among its siblings. */
  sortKey: string;
  dir: boolean;
  /** Real path of a directory to descend into / path of a file to stat. */
  fsPath: string;
}

/** A directory being walked: its real path, the key prefix it stands for ('' or ending with '/'), and the real paths above it (loop check). */
interface Visit {
  dir: string;
  dirKey: string;
  ancestors: string[];
}

type Entry = { name: string; ent: Dirent<string | Buffer> };

/** The walk of one listing page: the root it stays inside, what to list, and where the page collects. */
export class ListWalk {
  constructor(
    readonly realRoot: string,
    readonly plan: ListPlan,
    readonly collector: PageCollector<string>,
  ) {}

  /** Walk from directory `dir` (whose keys start with `dirKey`), only names there that start with `namePrefix`. */
  run(dir: string, dirKey: string, namePrefix: string): Promise<void> {
    return this.walk({ dir, dirKey, ancestors: [dir] }, namePrefix);
  }

  /**
   * Depth-first walk in key order. Sorting siblings by name for files and
   * name + '/' for directories yields global UTF-8 byte order, because a
   * directory's keys all start with its name + '/'.
   */
  private async walk(visit: Visit, namePrefix: string): Promise<void> {
    const { plan, collector } = this;
    for (const c of await this.candidates(visit, namePrefix)) {
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
        if (await this.subtreeHasKey(childOf(visit, c))) collector.offerPrefix(cp);
        continue;
      }
      await this.walk(this.enter(visit, c), '');
    }
  }

  /** Descend into a directory, refusing a symlink loop. */
  private enter(parent: Visit, c: Candidate): Visit {
    if (parent.ancestors.includes(c.fsPath)) {
      throw new EngineError('STORE_ERROR', `list ${this.plan.prefix} failed: symlink loop at "${c.key}"`, { key: c.key });
    }
    return childOf(parent, c);
  }

  /**
   * The entries of one directory that can contribute, in key order. Only
   * names and types are read here, so a startAfter near the end of a big
   * directory costs a string comparison per skipped file.
   */
  private async candidates(visit: Visit, namePrefix: string): Promise<Candidate[]> {
    const base = withSep(visit.dir);
    const out: Candidate[] = [];
    const links: Promise<Candidate | undefined>[] = [];
    for (const { name, ent } of await readEntries(visit.dir)) {
      if (!name.startsWith(namePrefix)) continue;
      const c = this.classifyPlain(base, visit.dirKey, name, ent);
      if (c === 'symlink') links.push(this.classifySymlink(base, visit.dirKey, name));
      else if (c !== undefined) out.push(c);
    }
    for (const c of await Promise.all(links)) if (c !== undefined) out.push(c);
    out.sort((x, y) => compareUtf8(x.sortKey, y.sortKey));
    return out;
  }

  /** Could any key under `subtree` (a directory's key plus '/') pass the plan's bounds? */
  private subtreeMayPass(subtree: string): boolean {
    const { plan } = this;
    if (plan.skipPrefix !== undefined && subtree.startsWith(plan.skipPrefix)) return false;
    if (plan.after === undefined) return true;
    return compareUtf8(subtree, plan.after) > 0 || plan.after.startsWith(subtree);
  }

  /** Classify an entry without any I/O; symlinks are left to `classifySymlink`. `base` ends with a separator. */
  private classifyPlain(base: string, dirKey: string, name: string, ent: Dirent<string | Buffer>): Candidate | 'symlink' | undefined {
    const key = dirKey + name;
    if (ent.isFile()) {
      return !isStagingName(name) && keyPassesBounds(this.plan, key) ? { key, sortKey: key, dir: false, fsPath: base + name } : undefined;
    }
    if (ent.isDirectory()) {
      const sub = key + '/';
      return this.subtreeMayPass(sub) ? { key, sortKey: sub, dir: true, fsPath: base + name } : undefined;
    }
    if (ent.isSymbolicLink()) return 'symlink';
    return undefined; // sockets, FIFOs, devices: not objects
  }

  private async classifySymlink(base: string, dirKey: string, name: string): Promise<Candidate | undefined> {
    const key = dirKey + name;
    const mayFile = !isStagingName(name) && keyPassesBounds(this.plan, key);
    const mayDir = this.subtreeMayPass(key + '/');
    if (!mayFile && !mayDir) return undefined;
    // Dangling symlinks are ignored, as LocalFileSystem does.
    const real = await orAbsent(fsp.realpath(base + name));
    if (real === undefined) return undefined;
    if (!SafePaths.inside(this.realRoot, real)) throw outsideRoot('listing', key, 'it would follow a symlink that leads outside the store root');
    const st = await orAbsent(fsp.stat(real));
    if (st?.isFile() && mayFile) return { key, sortKey: key, dir: false, fsPath: real };
    if (st?.isDirectory() && mayDir) return { key, sortKey: key + '/', dir: true, fsPath: real };
    return undefined;
  }

  /**
   * Does this directory (recursively) hold at least one object in bounds?
   * Streams the directory and stops at the first one, so rolling a huge
   * directory (e.g. `compacted/`) into a common prefix stays cheap.
   */
  private async subtreeHasKey(visit: Visit): Promise<boolean> {
    const handle = await orAbsent<Dir>(fsp.opendir(visit.dir, { encoding: 'buffer' as BufferEncoding }));
    if (handle === undefined) return false;
    const base = withSep(visit.dir);
    const subdirs: Candidate[] = [];
    try {
      for (;;) {
        const ent = (await handle.read()) as Dirent<Buffer> | null;
        if (ent === null) break;
        const name = decodeName(ent.name);
        if (name === undefined) continue;
        const plain = this.classifyPlain(base, visit.dirKey, name, ent);
        const c = plain === 'symlink' ? await this.classifySymlink(base, visit.dirKey, name) : plain;
        if (c === undefined) continue;
        if (!c.dir) return true;
        subdirs.push(c);
      }
    } finally {
      await handle.close().catch(() => undefined);
    }
    for (const c of subdirs) if (await this.subtreeHasKey(this.enter(visit, c))) return true;
    return false;
  }
}

function childOf(parent: Visit, c: Candidate): Visit {
  return { dir: c.fsPath, dirKey: c.sortKey, ancestors: [...parent.ancestors, c.fsPath] };
}

function withSep(dir: string): string {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}

/**
 * A directory's entries as (name, type). Names are read as strings (fast);
 * only when one looks undecodable (contains U+FFFD) is the directory read
 * again as bytes, so names that are not UTF-8 are skipped rather than
 * mangled into keys that do not exist.
 */
async function readEntries(dir: string): Promise<Entry[]> {
  const entries = await orAbsent(fsp.readdir(dir, { withFileTypes: true })); // absent: removed while listing
  if (entries === undefined) return [];
  if (!entries.some((e) => e.name.includes('\uFFFD'))) return entries.map((ent) => ({ name: ent.name, ent }));
  const raw = await orAbsent(fsp.readdir(dir, { withFileTypes: true, encoding: 'buffer' }));
  const out: Entry[] = [];
  for (const ent of raw ?? []) {
    const name = decodeName(ent.name);
    if (name !== undefined) out.push({ name, ent });
  }
  return out;
}
