/**
 * The search bar: all keys, a prefix, or a range [from, to) — each bound
 * typed as text, or as 0x… hex, exactly as SlateDB's CLI reads `--prefix` /
 * `--from` / `--to` — plus, in Compare, which kinds of change to list, and
 * how keys and values are drawn (auto / text / hex).
 */

import type { DataMode, DiffKind, DisplayMode, SearchSpec } from '../../shared/dataMessages';
import { el } from '../history/dom';
import { searchProblem } from './format';
import { ALL_KINDS } from './model';

export interface SearchHandlers {
  onSearch(spec: SearchSpec): void;
  onKinds(kinds: DiffKind[]): void;
  onDisplay(mode: DisplayMode): void;
}

type Input = HTMLElement & { value: string };

function option(value: string, label: string): HTMLElement {
  return el('vscode-option', { attrs: { value } }, label);
}

function select(cls: string, label: string, options: HTMLElement[], onChange: (value: string) => void): Input {
  return el('vscode-single-select', { class: cls, attrs: { 'aria-label': label, title: label }, on: { change: (e: Event) => onChange((e.target as Input).value) } }, ...options) as Input;
}

function textField(cls: string, placeholder: string, label: string, onEnter: () => void): Input {
  return el('vscode-textfield', {
    class: cls,
    attrs: { placeholder, 'aria-label': label },
    on: {
      keydown: (e: Event) => {
        if ((e as KeyboardEvent).key === 'Enter') {
          e.preventDefault();
          onEnter();
        }
      },
    },
  }) as Input;
}

export function makeSearchBar(h: SearchHandlers): { element: HTMLElement; setMode(mode: DataMode): void; show(spec: SearchSpec, kinds: DiffKind[], display: DisplayMode): void } {
  const problem = el('span', { class: 'search-problem error-text', attrs: { role: 'alert' } });
  let kind: SearchSpec['kind'] = 'all';

  const submit = () => {
    const spec: SearchSpec = kind === 'prefix' ? { kind, prefix: prefix.value } : kind === 'range' ? { kind, from: from.value, to: to.value } : { kind: 'all' };
    const texts = spec.kind === 'prefix' ? [spec.prefix] : spec.kind === 'range' ? [spec.from, spec.to] : [];
    const wrong = texts.map(searchProblem).find((p) => p !== null) ?? null;
    problem.textContent = wrong ?? '';
    if (!wrong) h.onSearch(spec);
  };

  const mode = select('search-kind', 'What to list', [option('all', 'All keys'), option('prefix', 'Keys with prefix'), option('range', 'Key range')], (v) => {
    kind = v as SearchSpec['kind'];
    layout();
    if (kind === 'all') submit();
  });
  const prefix = textField('search-prefix', 'Prefix: text, or 0x… for bytes', 'Key prefix', submit);
  const from = textField('search-from', 'From (inclusive)', 'First key of the range (inclusive)', submit);
  const to = textField('search-to', 'To (exclusive; empty = to the end)', 'End of the range (exclusive)', submit);
  const go = el('vscode-button', { attrs: { icon: 'search', title: 'List the matching keys' }, dataset: { action: 'search' }, on: { click: submit } }, 'Search');
  const kinds = select('search-changes', 'Which changes to list', [option('all', 'All changes'), option('added', 'Added'), option('removed', 'Removed'), option('changed', 'Changed')], (v) => h.onKinds(v === 'all' ? [...ALL_KINDS] : [v as DiffKind]));
  const display = select('display-mode', 'How keys and values are shown', [option('auto', 'Auto (JSON, text or hex)'), option('text', 'Text'), option('hex', 'Hex')], (v) => h.onDisplay(v as DisplayMode));

  const layout = () => {
    prefix.hidden = kind !== 'prefix';
    from.hidden = kind !== 'range';
    to.hidden = kind !== 'range';
    go.hidden = kind === 'all';
    if (kind === 'all') problem.textContent = '';
  };

  const element = el(
    'div',
    { class: 'searchbar', attrs: { role: 'search' } },
    el('div', { class: 'search-fields' }, mode, prefix, from, to, go),
    el('div', { class: 'search-options' }, kinds, el('label', { class: 'muted display-label', text: 'Show as' }), display),
    problem,
  );
  layout();

  return {
    element,
    setMode(m: DataMode) {
      kinds.hidden = m !== 'compare';
    },
    show(spec: SearchSpec, k: DiffKind[], d: DisplayMode) {
      kind = spec.kind;
      mode.value = spec.kind;
      prefix.value = spec.kind === 'prefix' ? spec.prefix : '';
      from.value = spec.kind === 'range' ? spec.from : '';
      to.value = spec.kind === 'range' ? spec.to : '';
      kinds.value = k.length === 1 ? k[0] : 'all';
      display.value = d;
      layout();
    },
  };
}
