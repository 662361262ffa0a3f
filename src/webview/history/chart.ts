/**
 * The bytes chart: for each manifest on the store (x = manifest id, oldest
 * left), the bytes of the SSTs it references; GC gaps as hatched bands; and at
 * each manifest a checkpoint pins, a bar of the bytes it keeps alive that the
 * latest manifest no longer references (darker: what deleting it would free),
 * with a marker coloured by the checkpoint's expiry state. Plain SVG built
 * with the DOM; colours come from the theme (media/history.css).
 */

import type { CheckpointData } from '../../shared/messages';
import { el, replace, svg } from './dom';
import { checkpointLabel, expiryPhrase, expiryState, formatBytes, plural } from './format';
import type { HistoryModel } from './model';

export interface ChartResult {
  points: number;
  bars: number;
}

const H = 220;
const M = { left: 70, right: 18, top: 14, bottom: 30 };

/** Round tick values in the unit the labels use (B, KiB, MiB…), so labels read 256 KiB, not 262 KiB. */
export function niceTicks(max: number, count: number): number[] {
  if (max <= 0) return [0];
  let unit = 1;
  while (max / unit >= 1024 && unit < 1024 ** 4) unit *= 1024;
  const raw = max / unit / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = ([1, 2, 2.5, 5, 10].map((s) => s * mag).find((s) => s >= raw) ?? raw) * unit;
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(v);
  return out;
}

export function renderChart(host: HTMLElement, model: HistoryModel, selectedId: string | null, onSelect: (checkpointId: string) => void): ChartResult {
  const width = Math.max(320, Math.floor(host.clientWidth || 800));
  const plotW = width - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const ids = model.listing.map((l) => l.id);
  if (ids.length === 0) {
    replace(host, el('p', { class: 'muted', text: 'No manifests yet.' }));
    return { points: 0, bars: 0 };
  }
  const minId = Math.min(...ids, ...model.gaps.map((g) => g.fromId));
  const maxId = Math.max(...ids);
  const span = Math.max(1, maxId - minId);
  const x = (id: number) => M.left + ((id - minId) / span) * plotW;

  const loaded = model.listing
    .map((l) => model.manifests.get(l.id))
    .filter((m): m is NonNullable<typeof m> => m !== undefined && m.error === null)
    .sort((a, b) => a.id - b.id);

  // Pinned manifests and what their checkpoints keep alive.
  const byManifest = new Map<number, CheckpointData[]>();
  for (const c of model.checkpoints) byManifest.set(c.manifestId, [...(byManifest.get(c.manifestId) ?? []), c]);
  const pinValues = [...byManifest.entries()].map(([manifestId, cps]) => {
    const pins = cps.map((c) => model.pin(c.id)).filter((p) => p !== undefined);
    return {
      manifestId,
      cps,
      notInLatest: pins.length ? Math.max(...pins.map((p) => p!.bytesNotInLatest)) : 0,
      reclaimable: pins.reduce((a, p) => a + p!.reclaimableBytes, 0),
      known: pins.length > 0,
      exists: ids.includes(manifestId),
    };
  });

  const maxY = Math.max(1, ...loaded.map((m) => m.bytesReferenced), ...pinValues.map((p) => p.notInLatest)) * 1.08;
  const y = (v: number) => M.top + plotH - (v / maxY) * plotH;

  const root = svg('svg', {
    class: 'chart',
    attrs: { width, height: H, viewBox: `0 0 ${width} ${H}`, role: 'img', 'aria-label': `Bytes referenced by ${plural(loaded.length, 'manifest')} and pinned by ${plural(model.checkpoints.length, 'checkpoint')}` },
  });

  // Hatching for GC gaps.
  const defs = svg('defs');
  const pattern = svg('pattern', { attrs: { id: 'gap-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' } });
  pattern.appendChild(svg('line', { class: 'gap-hatch-line', attrs: { x1: 0, y1: 0, x2: 0, y2: 6 } }));
  defs.appendChild(pattern);
  root.appendChild(defs);

  // Grid and y axis.
  for (const t of niceTicks(maxY / 1.08, 4)) {
    root.appendChild(svg('line', { class: 'grid', attrs: { x1: M.left, x2: width - M.right, y1: y(t), y2: y(t) } }));
    root.appendChild(svg('text', { class: 'axis-label', attrs: { x: M.left - 6, y: y(t) + 4, 'text-anchor': 'end' }, text: formatBytes(Math.round(t)) }));
  }
  root.appendChild(svg('line', { class: 'axis', attrs: { x1: M.left, x2: width - M.right, y1: M.top + plotH, y2: M.top + plotH } }));
  const xTicks = [...new Set(Array.from({ length: 6 }, (_, i) => Math.round(minId + (span * i) / 5)))];
  for (const t of xTicks) {
    root.appendChild(svg('text', { class: 'axis-label', attrs: { x: x(t), y: H - 10, 'text-anchor': 'middle' }, text: `#${t}` }));
  }

  // GC gaps.
  for (const g of model.gaps) {
    const x0 = Math.max(M.left, x(g.fromId - 0.5));
    const x1 = Math.min(width - M.right, x(g.toId + 0.5));
    root.appendChild(
      svg('rect', {
        class: 'gap-band',
        attrs: { x: x0, y: M.top, width: Math.max(1, x1 - x0), height: plotH },
        title: g.fromId === g.toId ? `#${g.fromId} deleted by GC` : `#${g.fromId}–#${g.toId}: ${g.toId - g.fromId + 1} manifests deleted by GC`,
      }),
    );
  }

  // Bytes referenced: an area and a line; dashed across gaps and not-yet-loaded ids.
  if (loaded.length > 0) {
    let solid = '';
    let dashed = '';
    let area = `M${x(loaded[0].id)},${y(0)}`;
    loaded.forEach((m, i) => {
      area += ` L${x(m.id)},${y(m.bytesReferenced)}`;
      if (i === 0) return;
      const prev = loaded[i - 1];
      const seg = `M${x(prev.id)},${y(prev.bytesReferenced)} L${x(m.id)},${y(m.bytesReferenced)} `;
      if (m.id - prev.id === 1) solid += seg;
      else dashed += seg;
    });
    area += ` L${x(loaded[loaded.length - 1].id)},${y(0)} Z`;
    root.appendChild(svg('path', { class: 'series-area', attrs: { d: area } }));
    if (solid) root.appendChild(svg('path', { class: 'series-line', attrs: { d: solid } }));
    if (dashed) root.appendChild(svg('path', { class: 'series-line dashed', attrs: { d: dashed } }));
    const dots = loaded.length <= 160;
    for (const m of loaded) {
      const title = `Manifest #${m.id}: references ${formatBytes(m.bytesReferenced)} in ${plural(m.sstIds.length, 'SST')}${m.missingSsts ? ` (${m.missingSsts} already deleted)` : ''}`;
      root.appendChild(svg('circle', { class: dots ? 'series-point' : 'series-point hidden-point', attrs: { cx: x(m.id), cy: y(m.bytesReferenced), r: dots ? 2.5 : 4 }, title }));
    }
  }

  // Checkpoint bars and markers.
  const barW = Math.max(4, Math.min(14, plotW / Math.max(8, ids.length) / 1.5));
  let bars = 0;
  const now = model.nowS();
  for (const p of pinValues) {
    const cx = x(Math.min(maxId, Math.max(minId, p.manifestId)));
    const isSelected = p.cps.some((c) => c.id === selectedId);
    const names = p.cps.map((c) => `${checkpointLabel(c)} (${expiryPhrase(c, now)})`).join(', ');
    const title = p.exists
      ? `Manifest #${p.manifestId}, pinned by ${names}: keeps ${formatBytes(p.notInLatest)} alive that the latest manifest no longer references; ${formatBytes(p.reclaimable)} reclaimable if deleted`
      : `Manifest #${p.manifestId} no longer exists; pinned by ${names}`;
    const group = svg('g', {
      class: `pin${isSelected ? ' selected' : ''}`,
      attrs: { tabindex: 0, role: 'button', 'aria-label': title },
      dataset: { manifestId: String(p.manifestId) },
      on: {
        click: () => onSelect(p.cps[0].id),
        keydown: (e: Event) => {
          if ((e as KeyboardEvent).key === 'Enter' || (e as KeyboardEvent).key === ' ') onSelect(p.cps[0].id);
        },
      },
    });
    group.appendChild(svg('line', { class: 'pin-rule', attrs: { x1: cx, x2: cx, y1: M.top, y2: M.top + plotH } }));
    if (p.known && p.notInLatest > 0) {
      group.appendChild(svg('rect', { class: 'bar-pinned', attrs: { x: cx - barW / 2, y: y(p.notInLatest), width: barW, height: Math.max(1, y(0) - y(p.notInLatest)) }, title }));
      if (p.reclaimable > 0) {
        group.appendChild(svg('rect', { class: 'bar-reclaimable', attrs: { x: cx - barW / 2, y: y(p.reclaimable), width: barW, height: Math.max(1, y(0) - y(p.reclaimable)) }, title }));
      }
      bars++;
    }
    // One diamond per checkpoint, stacked, coloured by its expiry state.
    p.cps.forEach((c, i) => {
      const cy = M.top + 5 + i * 9;
      group.appendChild(
        svg('path', {
          class: `pin-marker state-${c.writerEpoch !== null ? 'writer' : expiryState(c, now)}${c.id === selectedId ? ' selected' : ''}`,
          attrs: { d: `M${cx},${cy - 4.5} L${cx + 4.5},${cy} L${cx},${cy + 4.5} L${cx - 4.5},${cy} Z` },
          title: `${checkpointLabel(c)} → #${c.manifestId}, ${expiryPhrase(c, now)}`,
          on: {
            click: (e: Event) => {
              e.stopPropagation();
              onSelect(c.id);
            },
          },
        }),
      );
    });
    root.appendChild(group);
  }

  const legend = el(
    'div',
    { class: 'legend' },
    el('span', { class: 'legend-item' }, el('span', { class: 'swatch swatch-line' }), 'bytes referenced by the manifest'),
    el('span', { class: 'legend-item' }, el('span', { class: 'swatch swatch-pinned' }), 'kept alive only by checkpoints'),
    el('span', { class: 'legend-item' }, el('span', { class: 'swatch swatch-reclaimable' }), 'freed if the checkpoint is deleted'),
    el('span', { class: 'legend-item' }, el('span', { class: 'swatch swatch-gap' }), 'ids deleted by GC'),
    el('span', { class: 'legend-item' }, el('span', { class: 'swatch swatch-marker' }), 'checkpoint (colour: expiry)'),
  );
  replace(host, root, legend);
  return { points: loaded.length, bars };
}
