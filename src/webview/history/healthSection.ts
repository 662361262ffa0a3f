/**
 * The history page's health section: the database's health report
 * (src/engine/health.ts) as findings, a few numbers, and the checkpoints
 * that pin the most. Everything from storage (names, ids, keys, messages)
 * goes through dom.ts's `el`, i.e. as text.
 */

import type { HealthReport } from '../../engine/health';
import { HealthMessage, HealthMessageType, HealthThresholds } from '../../shared/healthMessages';
import { el, replace } from './dom';
import { checkpointLabel, formatBytes, ORIGIN_LABEL, plural } from './format';

const ORIGIN_SHORT: Record<keyof typeof ORIGIN_LABEL, string> = { writer: 'writer', compactor: 'compactor?', reader: 'reader?', user: 'named', unknown: 'unknown' };

interface HealthState {
  running: boolean;
  report: HealthReport | null;
  thresholds: HealthThresholds | null;
  durationMs: number | null;
  error: string | null;
}

const state: HealthState = { running: false, report: null, thresholds: null, durationMs: null, error: null };

export const healthHost = el('section', { class: 'panel health', attrs: { id: 'health', 'aria-label': 'Health report' } });

/** Applies a health message; false for a message that is not one of ours. */
export function applyHealthMessage(m: HealthMessage): void {
  switch (m.type) {
    case HealthMessageType.running:
      state.running = true;
      break;
    case HealthMessageType.report:
      Object.assign(state, { running: false, report: m.report, thresholds: m.thresholds, durationMs: m.durationMs, error: null });
      break;
    case HealthMessageType.error:
      Object.assign(state, { running: false, error: m.message });
      break;
    case HealthMessageType.reveal:
      requestAnimationFrame(() => healthHost.scrollIntoView({ block: 'start', behavior: 'smooth' }));
      break;
  }
}

/** For the test probe: what the section shows. */
export function healthDump(): { running: boolean; findings: Array<{ kind: string; message: string }>; error: string | null } {
  return { running: state.running, findings: state.report?.findings.map((f) => ({ kind: f.kind, message: f.message })) ?? [], error: state.error };
}

const KIND_TITLE: Record<string, string> = {
  no_expiry_old: 'Never expires',
  unnamed_big_pin: 'Big unnamed pin',
  expired_present: 'Expired, still listed',
  pinned_manifest_missing: 'Pinned manifest missing',
  manifest_growth: 'Manifest growth',
  orphan_ssts: 'Unreferenced SSTs',
};

function stat(label: string, value: string, detail: string): HTMLElement {
  return el('div', { class: 'health-stat' }, el('div', { class: 'card-label', text: label }), el('div', { class: 'health-value', text: value }), el('div', { class: 'card-detail', text: detail }));
}

function findingsList(r: HealthReport): HTMLElement {
  if (r.findings.length === 0) {
    return el('p', { class: 'health-ok' }, el('span', { class: 'codicon codicon-pass', attrs: { 'aria-hidden': 'true' } }), ' No findings: nothing pins storage beyond the thresholds, nothing expired is left, no unreferenced SSTs.');
  }
  return el(
    'ul',
    { class: 'findings' },
    ...r.findings.map((f) =>
      el(
        'li',
        { class: `finding ${f.severity}`, dataset: { kind: f.kind } },
        el('span', { class: `codicon codicon-${f.severity === 'warning' ? 'warning' : 'info'}`, attrs: { 'aria-hidden': 'true' } }),
        el('div', {}, el('div', { class: 'finding-title', text: KIND_TITLE[f.kind] ?? f.kind }), el('div', { class: 'finding-message', text: f.message })),
      ),
    ),
  );
}

function pinTable(r: HealthReport): HTMLElement | null {
  const rows = r.checkpoints.filter((c) => c.bytesNotInLatest > 0 || c.state !== 'live').sort((a, b) => b.bytesNotInLatest - a.bytesNotInLatest).slice(0, 8);
  if (rows.length === 0) return null;
  return el(
    'table',
    { class: 'health-pins' },
    el('thead', {}, el('tr', {}, ...['Checkpoint', 'Made by', 'Expiry', 'Beyond latest', 'Share', 'Only it holds'].map((h) => el('th', { text: h })))),
    el(
      'tbody',
      {},
      ...rows.map((c) =>
        el(
          'tr',
          {},
          el('td', { class: 'mono', text: checkpointLabel(c.checkpoint) }),
          el('td', { attrs: { title: ORIGIN_LABEL[c.origin] }, text: ORIGIN_SHORT[c.origin] }),
          el('td', { text: c.state === 'never' ? 'never' : c.state }),
          el('td', { text: formatBytes(c.bytesNotInLatest) }),
          el('td', { text: `${c.sharePercent}%` }),
          el('td', { text: formatBytes(c.reclaimableBytes) }),
        ),
      ),
    ),
  );
}

export function renderHealth(): void {
  const { report: r, thresholds: t } = state;
  const heading = el('h2', { text: 'Health report' });
  if (!r) {
    replace(healthHost, heading, el('p', { class: state.error ? 'warning-text' : 'muted', text: state.error ? `Could not compute the health report: ${state.error}` : 'Checking checkpoints, manifests and SSTs…' }));
    return;
  }
  const m = r.manifests;
  const b = r.bytes;
  replace(
    healthHost,
    heading,
    el(
      'p',
      { class: 'muted' },
      `${plural(r.findings.length, 'finding')} as of ${r.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}${state.durationMs !== null ? ` (${state.durationMs} ms)` : ''}${state.running ? ' · checking again…' : ''}${state.error ? ` · last check failed: ${state.error}` : ''}`,
    ),
    findingsList(r),
    el(
      'div',
      { class: 'health-stats' },
      stat('Manifests', String(m.count), `ids ${m.firstId}–${m.lastId}, ${m.lastDay} in the last 24 h, ${m.unneeded} neither latest nor pinned`),
      stat('Pinned by checkpoints', formatBytes(b.pinnedByCheckpoints), `${formatBytes(b.onlyPinnedByCheckpoints)} only by checkpoints; latest state ${formatBytes(b.latestReferenced)}`),
      stat('SSTs under compacted/', formatBytes(b.total), r.orphans.checked ? `${formatBytes(b.orphaned)} referenced by no manifest (${plural(r.orphans.ssts.length, 'object')})` : `orphan check skipped: ${r.orphans.why ?? ''}`),
    ),
    pinTable(r),
    t
      ? el(
          'p',
          { class: 'muted health-thresholds' },
          `Thresholds (settings slatedb.health.*): never-expiring older than ${t.noExpiryOlderThan}; unnamed pins above ${t.unnamedPinPercent}% of SST bytes; unreferenced SSTs older than ${t.orphanMinAge} (reported, never deleted); more than ${t.manifestCountWarn} manifests.`,
        )
      : null,
  );
}
