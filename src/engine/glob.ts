/**
 * Database path globs (`--path-glob`, a policy's `path_glob`): `*` matches
 * one path segment (or, inside a segment such as `db-*`, any run of
 * characters other than "/"), `**` as a whole segment matches any number of
 * segments, zero included. Everything else is literal. Matching is on
 * normalised database paths (no leading or trailing "/").
 */

import { EngineError } from './errors';

export interface CompiledGlob {
  source: string;
  segments: string[];
  /** The leading segments without wildcards: the folder to search under. */
  staticPrefix: string;
  /** True when a `**` segment occurs (depth unbounded). */
  deep: boolean;
  matches(path: string): boolean;
}

function segmentRegExp(segment: string): RegExp {
  const body = segment
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${body}$`);
}

/** Whether one path segment matches one (non-`**`) glob segment. */
export function segmentMatcher(segment: string): (name: string) => boolean {
  const re = segmentRegExp(segment);
  return (name) => re.test(name);
}

export function compileGlob(source: string): CompiledGlob {
  const trimmed = source.trim().replace(/^\/+|\/+$/g, '');
  if (trimmed === '') throw new EngineError('INVALID_ARGUMENT', `path glob "${source}" is empty: use e.g. "tenants/*" or "**"`);
  const segments = trimmed.split('/');
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0')) {
      throw new EngineError('INVALID_ARGUMENT', `path glob "${source}" has an invalid segment "${s}": use plain segments, "*" and "**", e.g. "tenants/*/db"`);
    }
    if (s.includes('**') && s !== '**') {
      throw new EngineError('INVALID_ARGUMENT', `path glob "${source}": "**" must be a whole segment (as in "a/**/db"), not part of "${s}"`);
    }
  }
  const firstWild = segments.findIndex((s) => s.includes('*'));
  const staticSegments = firstWild < 0 ? segments : segments.slice(0, firstWild);
  const matchers = segments.map((s) => (s === '**' ? null : segmentRegExp(s)));

  const matchFrom = (parts: string[], pi: number, si: number): boolean => {
    if (si === matchers.length) return pi === parts.length;
    const m = matchers[si];
    if (m === null) {
      for (let k = pi; k <= parts.length; k++) if (matchFrom(parts, k, si + 1)) return true;
      return false;
    }
    return pi < parts.length && m.test(parts[pi]) && matchFrom(parts, pi + 1, si + 1);
  };

  return {
    source,
    segments,
    staticPrefix: staticSegments.join('/'),
    deep: matchers.includes(null),
    matches(path: string) {
      const normal = path.replace(/^\/+|\/+$/g, '');
      return matchFrom(normal === '' ? [] : normal.split('/'), 0, 0);
    },
  };
}
