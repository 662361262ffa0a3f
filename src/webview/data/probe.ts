/**
 * The page side of the test probe (shared/dataProbeMessages.ts): answers
 * "what do you show?" with the model's rows and what the DOM holds, including
 * any element that data must never create (<img>, <iframe>, a script
 * without our nonce, an on* attribute).
 */

import type { SearchSpec } from '../../shared/dataMessages';
import { DataPageDump, DataProbeAction, DataProbeType } from '../../shared/dataProbeMessages';
import { keyCell } from './format';
import type { DataModel } from './model';
import { vscode } from './vscodeApi';

interface Parts {
  model: DataModel;
  tbody: HTMLElement;
  detail: HTMLElement;
  status: HTMLElement;
}

/** What the probe may make the page do: the handlers a user's input runs. */
export interface ProbeActions {
  search(spec: SearchSpec): void;
  select(keyHex: string): void;
}

function dump({ model, tbody, detail, status }: Parts): DataPageDump {
  // VS Code's own API script (`_vscodeApiScript`) is the one script without our nonce that belongs here.
  const suspicious = Array.from(document.querySelectorAll('img, iframe, object, embed, script')).filter((e) => !(e.tagName === 'SCRIPT' && (e.hasAttribute('nonce') || e.id === '_vscodeApiScript')));
  for (const e of Array.from(document.querySelectorAll('*'))) {
    if (Array.from(e.attributes).some((a) => a.name.toLowerCase().startsWith('on'))) suspicious.push(e);
  }
  const compare = model.init?.mode === 'compare';
  const rows = compare ? model.diffRows : model.rows;
  return {
    mode: model.init?.mode ?? null,
    queryId: model.queryId,
    loading: model.loading,
    more: model.more,
    error: model.error,
    keys: rows.map((r) => keyCell(r, 'auto', Number.MAX_SAFE_INTEGER)),
    keyHexes: rows.map((r) => r.keyHex),
    diffKinds: model.diffRows.map((r) => r.kind),
    count: model.count,
    dom: {
      rows: tbody.querySelectorAll('tr.row').length,
      keyCells: Array.from(tbody.querySelectorAll('td.key-cell')).map((e) => e.textContent ?? ''),
      valueCells: Array.from(tbody.querySelectorAll(compare ? 'td.value-cell.new' : 'td.value-cell')).map((e) => e.textContent ?? ''),
      detailText: detail.textContent ?? '',
      statusText: status.textContent ?? '',
      injectedElements: suspicious.length,
      injectedDescriptions: suspicious.map((e) => `<${e.tagName.toLowerCase()} ${Array.from(e.attributes).map((a) => a.name).join(' ')}>`),
    },
  };
}

function act(a: DataProbeAction, actions: ProbeActions): void {
  if (a.kind === 'search') actions.search(a.search);
  else if (a.kind === 'select') actions.select(a.keyHex);
  else {
    const scope = a.keyHex === undefined ? document : Array.from(document.querySelectorAll<HTMLElement>('tr.row')).find((tr) => tr.dataset.keyHex === a.keyHex);
    const target = Array.from(scope?.querySelectorAll<HTMLElement>('[data-action]') ?? []).find((e) => e.dataset.action === a.action && !e.hidden);
    target?.click();
  }
}

export function answerProbe(parts: () => Parts, actions: ProbeActions): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const m = event.data as { type?: unknown; requestId?: unknown; action?: DataProbeAction } | null;
    if (m?.type === DataProbeType.act && m.action) return act(m.action, actions);
    if (!m || m.type !== DataProbeType.dump || !Number.isSafeInteger(m.requestId)) return;
    vscode.postMessage({ type: DataProbeType.state, requestId: m.requestId as number, state: dump(parts()) });
  });
}
