/**
 * The page side of the test probe (shared/testProbeMessages.ts): on
 * `debug/dumpState` it draws what is pending, then answers with what the
 * model holds and what the DOM shows — including a scan for elements that
 * data must never create (<img>, <script> without our nonce, <iframe>,
 * inline handlers). Not part of the product protocol: it listens on its own.
 */

import { ProbeType, WebviewStateDump } from '../../shared/testProbeMessages';
import type { PersistedState } from '../../shared/messages';
import type { HistoryModel } from './model';
import { vscode } from './vscodeApi';

export interface ProbeSource {
  model: HistoryModel;
  ui: () => PersistedState;
  timing: WebviewStateDump['timing'];
  /** Counts the last draw reported (the DOM is read again for the ones it can show). */
  counts: Pick<WebviewStateDump['dom'], 'chartBars' | 'chartPoints'>;
  /** Draws now, so the DOM figures describe what the data says. */
  renderNow: () => void;
}

/** Elements data must never create. VS Code's own API script (`_vscodeApiScript`) is the one script without our nonce that belongs here. */
function injectedElements(): Element[] {
  const suspicious = Array.from(document.querySelectorAll('img, iframe, object, embed, script')).filter((e) => !(e.tagName === 'SCRIPT' && (e.hasAttribute('nonce') || e.id === '_vscodeApiScript')));
  for (const e of Array.from(document.querySelectorAll('*'))) {
    if (Array.from(e.attributes).some((a) => a.name.toLowerCase().startsWith('on'))) suspicious.push(e);
  }
  return suspicious;
}

function dump(source: ProbeSource): WebviewStateDump {
  const { model } = source;
  const injected = injectedElements();
  return {
    generation: model.generation,
    latestId: model.latestId,
    loaded: model.loaded,
    total: model.total,
    done: model.done,
    manifests: [...model.manifests.values()].sort((a, b) => b.id - a.id),
    diffs: [...model.diffs.values()].sort((a, b) => b.toId - a.toId),
    gaps: model.gaps,
    pins: model.pins ?? [],
    bytes: model.bytes,
    selectedCheckpointId: source.ui().selectedCheckpointId,
    timing: source.timing,
    dom: {
      ...source.counts,
      timelineRows: document.querySelectorAll('.timeline .row.manifest').length,
      gapRows: document.querySelectorAll('.timeline .row.gap').length,
      checkpointRows: document.querySelectorAll('.cp-table .cp-row').length,
      sstRows: document.querySelectorAll('.sst-table .sst-row').length,
      injectedElements: injected.length,
      injectedDescriptions: injected.map((e) => `<${e.tagName.toLowerCase()} ${Array.from(e.attributes).map((a) => a.name).join(' ')}>`),
      checkpointNamesShown: Array.from(document.querySelectorAll('.cp-table .cp-name')).map((e) => e.textContent ?? ''),
    },
  };
}

export function installTestProbe(source: ProbeSource): void {
  window.addEventListener('message', (event: MessageEvent<{ type?: unknown; requestId?: unknown }>) => {
    const m = event.data;
    if (!m || m.type !== ProbeType.dumpState || !Number.isSafeInteger(m.requestId)) return;
    source.renderNow();
    // postMessage is typed for the product protocol; the probe's answer is its own message.
    (vscode.postMessage as (message: unknown) => void)({ type: ProbeType.stateDump, requestId: m.requestId, state: dump(source) });
  });
}
