/**
 * The one lifetime picker (Create Checkpoint, Refresh Checkpoint Lifetime):
 * presets, or any humantime duration typed straight into the box — parsed as
 * you type and offered as the first item ("2h 30min = expires in 2 h 30 min");
 * text that is not a duration says why and keeps the picker open. "Custom…"
 * opens an input box for those who look for one.
 */

import * as vscode from 'vscode';
import { parseDuration } from '../../engine/duration';
import { messageOf } from '../../engine/errors';
import { relativeTime } from '../../shared/checkpointStatus';

export const LIFETIME_PRESETS: ReadonlyArray<{ label: string; lifetime: string | null; description?: string }> = [
  { label: '1 hour', lifetime: '1h' },
  { label: '1 day', lifetime: '1day' },
  { label: '7 days', lifetime: '7days' },
  { label: '30 days', lifetime: '30days' },
  { label: 'Never expires', lifetime: null, description: 'pins its SSTs until deleted' },
];

/** Undefined when `text` is a humantime duration the engine accepts, else why not. */
export function validateLifetime(text: string): string | undefined {
  try {
    parseDuration(text);
    return undefined;
  } catch (e) {
    return messageOf(e);
  }
}

type LifetimeItem = vscode.QuickPickItem & { lifetime?: string | null; invalid?: boolean };

/**
 * Asks for a lifetime. Resolves with humantime text, null for "never
 * expires", or undefined when the user cancelled.
 */
export async function pickLifetime(options: { title: string; placeholder: string }): Promise<string | null | undefined> {
  const custom: LifetimeItem = { label: 'Custom…', description: 'or just type a duration: "90min", "7days 12h"' };
  const presets: LifetimeItem[] = LIFETIME_PRESETS.map((p) => ({ label: p.label, description: p.description, lifetime: p.lifetime }));
  const qp = vscode.window.createQuickPick<LifetimeItem>();
  qp.title = options.title;
  qp.placeholder = options.placeholder;
  qp.items = [...presets, custom];
  qp.onDidChangeValue((value) => {
    const text = value.trim();
    if (!text || LIFETIME_PRESETS.some((p) => p.label.toLowerCase().startsWith(text.toLowerCase()))) {
      qp.items = [...presets, custom];
      return;
    }
    const problem = validateLifetime(text);
    const typed: LifetimeItem = problem
      ? { label: `$(error) "${text}" is not a duration`, detail: problem.replace(/^lifetime "[^"]*" is not valid: /, ''), alwaysShow: true, invalid: true }
      : { label: `$(clock) ${text}`, description: `expires ${relativeTime(Math.floor(parseDuration(text) / 1000), 0)}`, lifetime: text, alwaysShow: true };
    qp.items = [typed, ...presets, custom];
    qp.activeItems = [typed];
  });
  const picked = await new Promise<LifetimeItem | undefined>((resolve) => {
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (item?.invalid) return; // keep the picker open until the text is a duration
      resolve(item);
      qp.hide();
    });
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  if (!picked) return undefined;
  if (picked !== custom) return picked.lifetime;
  const text = await vscode.window.showInputBox({
    title: options.title,
    prompt: 'A humantime duration such as "1h", "90s" or "7days 30min 10s"',
    placeHolder: '7days 12h',
    validateInput: (v) => (v.trim() === '' ? 'Enter a duration, e.g. 2h' : validateLifetime(v)),
  });
  return text === undefined ? undefined : text.trim();
}
