/**
 * The manifest timeline, newest first: one row per manifest on the store
 * (a placeholder until it has loaded), one per run of ids GC deleted, and on
 * each manifest the checkpoints that pin it, coloured by expiry state. Long
 * histories are paged (`timelineShown` rows) so drawing stays fast.
 */

import type { CheckpointData, DiffData, ManifestData, TimelineFilter } from '../../shared/messages';
import { el, replace } from './dom';
import { checkpointLabel, expiryPhrase, expiryState, formatBytes, localTime, plural, relativeTime, shortId, signedBytes } from './format';
import { diffHasChanges, HistoryModel, TIMELINE_PAGE, TimelineRow, timelineRows } from './model';

export interface TimelineHandlers {
  onSelectCheckpoint(id: string): void;
  onOpenManifest(id: number): void;
  onShowMore(): void;
  onFilter(filter: TimelineFilter): void;
  onScroll(scrollTop: number): void;
}

export interface TimelineResult {
  rows: number;
  gapRows: number;
}

function chip(text: string, kind: string, title?: string): HTMLElement {
  return el('span', { class: `chip chip-${kind}`, attrs: { title } }, text);
}

function checkpointName(id: string, ...sources: Array<ManifestData | undefined>): string {
  for (const m of sources) {
    const c = m?.checkpoints.find((x) => x.id === id);
    if (c) return checkpointLabel(c);
  }
  return shortId(id);
}

function changeChips(d: DiffData | undefined, m: ManifestData, older: ManifestData | undefined): HTMLElement[] {
  if (!d) return [];
  const out: HTMLElement[] = [];
  if (d.writerEpoch) out.push(chip(`writer epoch ${d.writerEpoch.from}→${d.writerEpoch.to}`, 'epoch', 'A new writer opened the database (it fences the previous one)'));
  if (d.compactorEpoch) out.push(chip(`compactor epoch ${d.compactorEpoch.from}→${d.compactorEpoch.to}`, 'epoch', 'A new compactor took over'));
  if (d.sstsAdded.length) out.push(chip(`+${plural(d.sstsAdded.length, 'SST')}`, 'added', d.sstsAdded.join('\n')));
  if (d.sstsRemoved.length) out.push(chip(`−${plural(d.sstsRemoved.length, 'SST')}`, 'removed', d.sstsRemoved.join('\n')));
  for (const id of d.checkpointsAdded) out.push(chip(`+ checkpoint ${checkpointName(id, m)}`, 'cp-added', id));
  for (const id of d.checkpointsRemoved) out.push(chip(`− checkpoint ${checkpointName(id, older)}`, 'cp-removed', id));
  for (const id of d.checkpointsRefreshed) out.push(chip(`↻ checkpoint ${checkpointName(id, m)}`, 'cp-refreshed', `${id}: new expiry time`));
  if (d.bytesDelta !== 0 && (d.sstsAdded.length || d.sstsRemoved.length)) out.push(chip(signedBytes(d.bytesDelta, formatBytes), 'bytes', 'Change in bytes referenced'));
  return out;
}

function marker(c: CheckpointData, now: number, selectedId: string | null, onSelect: (id: string) => void): HTMLElement {
  const state = c.writerEpoch !== null ? 'writer' : expiryState(c, now);
  return el(
    'button',
    {
      class: `cp-marker state-${state}${c.id === selectedId ? ' selected' : ''}`,
      attrs: { type: 'button', title: `Checkpoint ${c.name ?? c.id} pins this manifest; ${expiryPhrase(c, now)}. Show its SSTs.` },
      dataset: { checkpointId: c.id },
      on: { click: () => onSelect(c.id) },
    },
    el('span', { class: 'codicon codicon-pinned', attrs: { 'aria-hidden': 'true' } }),
    el('span', { class: 'cp-marker-name', text: checkpointLabel(c) }),
    el('span', { class: 'cp-marker-state', text: state === 'writer' ? 'writer' : expiryPhrase(c, now) }),
  );
}

function keep(model: HistoryModel, row: TimelineRow, filter: TimelineFilter): boolean {
  if (filter === 'all' || row.kind === 'gap') return filter === 'all';
  const d = model.diffs.get(row.id);
  if (filter === 'epochs') return !!d && (d.writerEpoch !== null || d.compactorEpoch !== null);
  return model.checkpointsPinning(row.id).length > 0 || (!!d && d.checkpointsAdded.length + d.checkpointsRemoved.length + d.checkpointsRefreshed.length > 0);
}

export function renderTimeline(
  host: HTMLElement,
  model: HistoryModel,
  state: { shown: number; filter: TimelineFilter; selectedId: string | null; scrollTop: number },
  h: TimelineHandlers,
): TimelineResult {
  const now = model.nowS();
  const nowMsLocal = Date.now();
  const all = timelineRows(model).filter((r) => keep(model, r, state.filter));
  const visible = all.slice(0, state.shown);
  const selectedManifest = model.checkpoint(state.selectedId)?.manifestId;
  let gapRows = 0;

  // Redraws replace the list: keep where the user had scrolled it.
  const previous = host.querySelector('.timeline');
  const scrollTop = previous ? previous.scrollTop : state.scrollTop;
  let scrollTimer = 0;
  const list = el('div', {
    class: 'timeline',
    attrs: { role: 'list', 'aria-label': 'Manifests, newest first', tabindex: 0 },
    on: {
      scroll: () => {
        window.clearTimeout(scrollTimer);
        scrollTimer = window.setTimeout(() => h.onScroll(list.scrollTop), 200);
      },
    },
  });
  for (const row of visible) {
    if (row.kind === 'gap') {
      gapRows++;
      const n = row.gap.toId - row.gap.fromId + 1;
      list.appendChild(
        el(
          'div',
          { class: 'row gap', attrs: { role: 'listitem' }, dataset: { gapFrom: String(row.gap.fromId), gapTo: String(row.gap.toId) } },
          el('span', { class: 'id', text: n === 1 ? `#${row.gap.fromId}` : `#${row.gap.fromId}–#${row.gap.toId}` }),
          el('span', { class: 'gap-text', text: `${plural(n, 'manifest')} deleted by GC` }),
        ),
      );
      continue;
    }
    const m = model.manifests.get(row.id);
    const pinning = model.checkpointsPinning(row.id);
    const classes = ['row', 'manifest'];
    if (row.id === model.latestId) classes.push('latest');
    if (pinning.length) classes.push('pinned');
    if (row.id === selectedManifest) classes.push('selected-pin');
    if (!m) classes.push('pending');
    if (m?.error) classes.push('error');
    const idButton = el('button', {
      class: 'id link',
      attrs: { type: 'button', title: `Open manifest #${row.id} as JSON` },
      text: `#${row.id}`,
      on: { click: () => h.onOpenManifest(row.id) },
    });
    const time = el('span', {
      class: 'time',
      attrs: { title: `${new Date(row.listing.lastModified).toISOString()} (${relativeTime(Math.floor(row.listing.lastModified / 1000), Math.floor(nowMsLocal / 1000))}) · file ${row.listing.size} bytes` },
      text: localTime(row.listing.lastModified),
    });
    const cells: HTMLElement[] = [idButton, time];
    if (!m) {
      cells.push(el('span', { class: 'shape muted', text: 'loading…' }));
    } else if (m.error) {
      cells.push(el('span', { class: 'shape error-text', text: m.vanished ? 'deleted by GC while loading' : `cannot read: ${m.error}` }));
    } else {
      const older = model.listing.find((l) => l.id < row.id);
      const olderManifest = older ? model.manifests.get(older.id) : undefined;
      cells.push(
        el(
          'span',
          { class: 'shape' },
          el('span', { class: 'metric', attrs: { title: 'L0 SSTs' }, text: `L0 ${m.l0Count}` }),
          el('span', { class: 'metric', attrs: { title: 'Sorted runs' }, text: `SR ${m.sortedRuns}` }),
          el('span', { class: 'metric', attrs: { title: `${m.sstIds.length} SSTs referenced${m.missingSsts ? `, ${m.missingSsts} of them already deleted` : ''}` }, text: `${formatBytes(m.bytesReferenced)}` }),
          m.missingSsts ? el('span', { class: 'metric warn', attrs: { title: 'SSTs this manifest references that are no longer on the store (GC deleted them)' }, text: `${m.missingSsts} gone` }) : null,
          m.readOnlyReason ? el('span', { class: 'metric warn', attrs: { title: m.readOnlyReason }, text: 'read-only' }) : null,
        ),
      );
      const chips = changeChips(model.diffs.get(row.id), m, olderManifest);
      const d = model.diffs.get(row.id);
      cells.push(el('span', { class: 'changes' }, ...(chips.length ? chips : [el('span', { class: 'muted', text: d && !diffHasChanges(d) ? 'no SST, checkpoint or epoch change' : older ? '' : 'oldest manifest on the store' })])));
    }
    if (pinning.length) cells.push(el('span', { class: 'pins' }, ...pinning.map((c) => marker(c, now, state.selectedId, h.onSelectCheckpoint))));
    list.appendChild(el('div', { class: classes.join(' '), attrs: { role: 'listitem' }, dataset: { manifestId: String(row.id) } }, ...cells));
  }

  const filter = el(
    'vscode-single-select',
    {
      class: 'timeline-filter',
      attrs: { 'aria-label': 'Which manifests to show' },
      on: { change: (e: Event) => h.onFilter((e.target as HTMLInputElement).value as TimelineFilter) },
    },
    el('vscode-option', { attrs: { value: 'all', selected: state.filter === 'all' } }, 'All manifests and gaps'),
    el('vscode-option', { attrs: { value: 'checkpoints', selected: state.filter === 'checkpoints' } }, 'Checkpoint changes and pins'),
    el('vscode-option', { attrs: { value: 'epochs', selected: state.filter === 'epochs' } }, 'Writer / compactor changes'),
  );
  const rest = all.length - visible.length;
  replace(
    host,
    el('div', { class: 'section-tools' }, filter, el('span', { class: 'muted', text: `${plural(all.length, 'row')}` })),
    list,
    rest > 0
      ? el('vscode-button', { attrs: { secondary: true, icon: 'chevron-down' }, on: { click: () => h.onShowMore() } }, `Show ${Math.min(rest, TIMELINE_PAGE * 2)} more (${rest} not shown)`)
      : null,
  );
  if (scrollTop > 0) list.scrollTop = scrollTop;
  return { rows: list.querySelectorAll('.row.manifest').length, gapRows };
}
