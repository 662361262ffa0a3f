/**
 * A database's health report: the things that quietly cost storage or lose
 * protection. Findings, each with a message that says what to do:
 *   - checkpoints that never expire and are older than a threshold;
 *   - unnamed checkpoints that keep more than X % of the bytes alive beyond
 *     the latest state (the compactor pin that held half a disk);
 *   - expired checkpoints still listed (they protect nothing any more);
 *   - checkpoints whose pinned manifest is gone;
 *   - manifest count and growth, and manifests nothing needs (GC not keeping
 *     up: the ~28,000-manifest pattern);
 *   - SST objects under compacted/ that no manifest of the database
 *     references, older than a day (reported, never deleted).
 * Reading only. Costs: one manifest listing, the latest manifest, every
 * other manifest (bounded parallel, capped; the orphan check needs them
 * all), one compacted/ listing (plus clone parents').
 */

import { likelyOrigin, ORIGIN_LABEL, CheckpointOrigin } from '../shared/checkpointStatus';
import { mapLimit } from './concurrency';
import { formatDuration } from './duration';
import { isEngineError, throwIfAborted } from './errors';
import { rfc3339 } from './json';
import { checkpointsOf, CheckpointInfo, sstsOf, SstRef } from './manifest/model';
import type { LoadedManifest, ManifestStore } from './manifest/manifestStore';
import { dbKeys } from './paths';
import { pinsOf, sizesFor } from './pinned';
import { listAll } from './store/objectStore';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface HealthOptions {
  /** The clock (tests, previews). */
  nowMs?: number;
  /** A never-expiring checkpoint older than this is a finding. Default 7 days. */
  noExpiryOlderThanMs?: number;
  /** An unnamed checkpoint keeping more than this share of all SST bytes alive (beyond the latest state). Default 25. */
  unnamedPinPercent?: number;
  /** An unreferenced SST younger than this may be in flight (a compaction, a flush): not reported. Default 1 day. */
  orphanMinAgeMs?: number;
  /** More manifests than this is a finding. Default 1,000. */
  manifestCountWarn?: number;
  /** The orphan check reads every manifest; above this many it is skipped (and says so). Default 5,000. */
  maxManifestReads?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export type FindingKind = 'no_expiry_old' | 'unnamed_big_pin' | 'expired_present' | 'pinned_manifest_missing' | 'manifest_growth' | 'orphan_ssts';

export interface HealthFinding {
  kind: FindingKind;
  severity: 'warning' | 'info';
  message: string;
  /** The checkpoint concerned, when there is one. */
  checkpoint?: string;
  bytes?: number;
}

export interface CheckpointHealth {
  checkpoint: CheckpointInfo;
  origin: CheckpointOrigin;
  state: 'never' | 'live' | 'expired';
  ageMs: number;
  manifestMissing: boolean;
  totalBytes: number;
  /** Bytes of its SSTs the latest manifest no longer references. */
  bytesNotInLatest: number;
  /** Bytes only it holds (deleting it lets GC reclaim them). */
  reclaimableBytes: number;
  /** bytesNotInLatest as a percentage of all SST bytes. */
  sharePercent: number;
}

export interface HealthReport {
  location: string;
  generatedAt: string;
  latestManifestId: number;
  manifests: {
    count: number;
    firstId: number;
    lastId: number;
    /** Written in the 24 hours before now (by last-modified time). */
    lastDay: number;
    /** Neither the latest nor pinned by a checkpoint: GC may delete them. */
    unneeded: number;
    oldest: string | null;
  };
  bytes: {
    /** Every SST under compacted/. */
    total: number;
    latestReferenced: number;
    pinnedByCheckpoints: number;
    onlyPinnedByCheckpoints: number;
    orphaned: number;
  };
  checkpoints: CheckpointHealth[];
  orphans: { checked: boolean; why?: string; ssts: Array<{ key: string; size: number; lastModified: string }> };
  findings: HealthFinding[];
}

const pct = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10);
const label = (c: CheckpointInfo) => (c.name !== null ? `"${c.name}" (${c.id})` : c.id);

function mib(n: number): string {
  return n < 1024 * 1024 ? `${n} bytes` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export async function healthReport(ms: ManifestStore, options: HealthOptions = {}): Promise<HealthReport> {
  const now = options.nowMs ?? Date.now();
  const nowS = Math.floor(now / 1000);
  const noExpiryAge = options.noExpiryOlderThanMs ?? 7 * DAY;
  const pinPercent = options.unnamedPinPercent ?? 25;
  const orphanAge = options.orphanMinAgeMs ?? DAY;
  const countWarn = options.manifestCountWarn ?? 1000;
  const maxReads = options.maxManifestReads ?? 5000;
  const concurrency = options.concurrency ?? 8;
  const what = `health report of ${ms.location}`;

  const listing = await ms.listManifests();
  throwIfAborted(options.signal, what);
  const latest = await ms.readLatest();
  const checkpoints = checkpointsOf(latest.manifest);
  const pinnedIds = new Set(checkpoints.map((c) => c.manifestId));

  // Every manifest when the orphan check can afford it, else only the pinned ones.
  const readAll = listing.length <= maxReads;
  const toRead = (readAll ? listing.map((m) => m.id) : [...pinnedIds]).filter((id) => id !== latest.id);
  const loaded = new Map<number, LoadedManifest>([[latest.id, latest]]);
  let done = 0;
  await mapLimit(toRead, concurrency, async (id) => {
    throwIfAborted(options.signal, what);
    try {
      loaded.set(id, await ms.read(id));
    } catch (e) {
      if (!isEngineError(e, 'MANIFEST_NOT_FOUND')) throw e; // GC deleted it meanwhile
    }
    options.onProgress?.(++done, toRead.length);
  });

  const refsCache = new Map<number, SstRef[]>();
  const refsOf = (id: number) => {
    const m = loaded.get(id);
    if (!m) return undefined;
    let refs = refsCache.get(id);
    if (!refs) refsCache.set(id, (refs = sstsOf(m.manifest)));
    return refs;
  };
  const latestRefs = refsOf(latest.id)!;
  const allRefs = checkpoints.flatMap((c) => refsOf(c.manifestId) ?? []);

  const compactedPrefix = dbKeys.compactedDir(ms.dbPath);
  const { objects } = await listAll(ms.store, { prefix: compactedPrefix });
  const ownSsts = objects.filter((o) => o.key.endsWith('.sst') && !o.key.slice(compactedPrefix.length).includes('/'));
  const listedOwn = new Map(ownSsts.map((o) => [o.key.slice(compactedPrefix.length, -4), o.size]));
  const sizes = await sizesFor(ms, [...latestRefs, ...allRefs], new Map([[ms.dbPath, listedOwn]]));
  const totalBytes = ownSsts.reduce((n, o) => n + o.size, 0);
  const { pins, totals } = pinsOf(latestRefs, checkpoints, refsOf, sizes);

  const findings: HealthFinding[] = [];
  const health: CheckpointHealth[] = pins.map((p) => {
    const c = p.checkpoint;
    const state = c.expireTimeS === 0 ? 'never' : c.expireTimeS <= nowS ? 'expired' : 'live';
    return {
      checkpoint: c,
      origin: likelyOrigin(c),
      state,
      ageMs: now - c.createTimeS * 1000,
      manifestMissing: !loaded.has(c.manifestId),
      totalBytes: p.totalBytes,
      bytesNotInLatest: p.bytesNotInLatest,
      reclaimableBytes: p.reclaimableBytes,
      sharePercent: pct(p.bytesNotInLatest, totalBytes),
    };
  });

  for (const h of health) {
    const c = h.checkpoint;
    if (h.state === 'never' && h.ageMs > noExpiryAge && h.origin !== 'writer') {
      findings.push({
        kind: 'no_expiry_old',
        severity: 'warning',
        checkpoint: c.id,
        bytes: h.bytesNotInLatest,
        message: `checkpoint ${label(c)} never expires and was created ${formatDuration(h.ageMs)} ago (${rfc3339(c.createTimeS)}); it keeps ${mib(h.bytesNotInLatest)} alive beyond the latest state. Give it a lifetime (refresh) or delete it if nobody needs it.`,
      });
    }
    if (c.name === null && h.origin !== 'writer' && h.sharePercent > pinPercent) {
      findings.push({
        kind: 'unnamed_big_pin',
        severity: 'warning',
        checkpoint: c.id,
        bytes: h.bytesNotInLatest,
        message: `unnamed checkpoint ${c.id} (${ORIGIN_LABEL[h.origin]}) keeps ${mib(h.bytesNotInLatest)} alive that the latest state no longer uses: ${h.sharePercent}% of all ${mib(totalBytes)} of SSTs (threshold ${pinPercent}%); ${mib(h.reclaimableBytes)} would be reclaimed by deleting it.`,
      });
    }
    if (h.state === 'expired') {
      findings.push({
        kind: 'expired_present',
        severity: 'info',
        checkpoint: c.id,
        message: `checkpoint ${label(c)} expired at ${rfc3339(c.expireTimeS)} but is still listed: it protects nothing (GC may already have removed what it pinned). SlateDB drops it on its next manifest update; delete it to tidy up now.`,
      });
    }
    if (h.manifestMissing) {
      findings.push({
        kind: 'pinned_manifest_missing',
        severity: 'warning',
        checkpoint: c.id,
        message: `checkpoint ${label(c)} pins manifest ${c.manifestId}, which does not exist: it protects nothing, and a reader opened on it fails. Delete it and make a new one.`,
      });
    }
  }

  const unneeded = listing.filter((m) => m.id !== latest.id && !pinnedIds.has(m.id)).length;
  const lastDay = listing.filter((m) => m.lastModified.getTime() > now - DAY).length;
  if (listing.length > countWarn) {
    findings.push({
      kind: 'manifest_growth',
      severity: 'warning',
      message: `${listing.length} manifests are kept (ids ${listing[0].id}–${listing.at(-1)!.id}; ${lastDay} written in the last 24 h), ${unneeded} of them neither the latest nor pinned by a checkpoint. SlateDB's GC deletes those: check that it runs (garbage_collector_options) and that no reader keeps replacing its checkpoint in a loop.`,
    });
  }

  // Orphans: SSTs under compacted/ that no manifest of this database references, older than the threshold.
  const orphans: HealthReport['orphans'] = { checked: readAll, ssts: [] };
  if (readAll) {
    const referenced = new Set<string>();
    for (const id of loaded.keys()) for (const r of refsOf(id) ?? []) referenced.add(r.id);
    for (const o of ownSsts) {
      const ulid = o.key.slice(compactedPrefix.length, -4);
      if (referenced.has(ulid) || o.lastModified.getTime() > now - orphanAge) continue;
      orphans.ssts.push({ key: o.key, size: o.size, lastModified: o.lastModified.toISOString() });
    }
    if (orphans.ssts.length > 0) {
      const bytes = orphans.ssts.reduce((n, s) => n + s.size, 0);
      findings.push({
        kind: 'orphan_ssts',
        severity: 'warning',
        bytes,
        message: `${orphans.ssts.length} SST objects (${mib(bytes)}) under ${compactedPrefix} are older than ${formatDuration(orphanAge)} and referenced by none of the ${loaded.size} manifests of this database (e.g. ${orphans.ssts[0].key}). SlateDB's GC normally deletes them; a clone of this database may still use them. Reported only: nothing was deleted.`,
      });
    }
  } else {
    orphans.why = `${listing.length} manifests exceed the limit of ${maxReads} reads for the orphan check`;
  }

  return {
    location: ms.location,
    generatedAt: new Date(now).toISOString(),
    latestManifestId: latest.id,
    manifests: { count: listing.length, firstId: listing[0]?.id ?? latest.id, lastId: listing.at(-1)?.id ?? latest.id, lastDay, unneeded, oldest: listing[0]?.lastModified.toISOString() ?? null },
    bytes: { total: totalBytes, ...totals, orphaned: orphans.ssts.reduce((n, s) => n + s.size, 0) },
    checkpoints: health,
    orphans,
    findings,
  };
}
