/**
 * Object keys of a SlateDB database, relative to the store root. A database
 * root (`dbPath`) is a '/'-separated path inside the bucket or directory;
 * the empty string means the store root itself.
 */

import { EngineError } from './errors';

const MANIFEST_FILE_RE = /^(\d{20})\.manifest$/;

/** Normalise a user-supplied database path: no leading/trailing '/', no '.' or '..' segments. */
export function normalizeDbPath(input: string): string {
  const trimmed = input.trim().replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  const segments = trimmed.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0')) {
      throw new EngineError('INVALID_ARGUMENT', `database path "${input}" is not valid: use a plain path such as "mydb" or "tenants/a/db"`);
    }
  }
  return segments.join('/');
}

function under(dbPath: string, rest: string): string {
  return dbPath === '' ? rest : `${dbPath}/${rest}`;
}

export const dbKeys = {
  manifestDir: (db: string) => under(db, 'manifest/'),
  manifest: (db: string, id: number) => under(db, `manifest/${formatId(id)}.manifest`),
  compactedDir: (db: string) => under(db, 'compacted/'),
  compactedSst: (db: string, ulid: string) => under(db, `compacted/${ulid}.sst`),
  walDir: (db: string) => under(db, 'wal/'),
  manifestBoundary: (db: string) => under(db, 'gc/manifest.boundary'),
};

/** 20-digit zero-padded decimal, as SlateDB names manifests. */
export function formatId(id: number): string {
  if (!Number.isSafeInteger(id) || id < 0) throw new EngineError('INVALID_ARGUMENT', `manifest id ${id} is not a non-negative integer`);
  return String(id).padStart(20, '0');
}

/** The manifest id named by a key (any folder), or undefined when it is not a manifest file. */
export function manifestIdOfKey(key: string): number | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const m = MANIFEST_FILE_RE.exec(name);
  if (!m) return undefined;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}
