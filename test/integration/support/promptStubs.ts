// Answers a command's prompts inside the extension host, so an interactive flow (quick picks, input
// boxes, modal confirmations, notifications, progress) runs for real with scripted answers. The test
// files share the extension's `vscode` API object (the host hands one object per extension, and the
// suite lives inside the extension's folder), so replacing `vscode.window.<fn>` here replaces it for
// the extension's commands too; `restore()` puts the originals back.
import * as vscode from 'vscode';

type Item = vscode.QuickPickItem & Record<string, unknown>;

export interface PromptScript {
  /** One answer per quick pick, in order: picks the first item the predicate accepts (undefined = Escape). */
  quickPicks?: Array<((item: Item, all: Item[]) => boolean) | undefined>;
  /** One answer per input box, in order: the text to "type" (validateInput must accept it), or undefined = Escape. */
  inputBoxes?: Array<string | undefined | ((shown: vscode.InputBoxOptions) => string | undefined)>;
  /** Button to press on each modal / notification, by its message; undefined = dismiss. */
  answer?: (kind: 'info' | 'warning' | 'error', message: string, buttons: string[]) => string | undefined;
  /** Pretends the user pressed Cancel on every cancellable progress notification, before any work. */
  cancelProgress?: boolean;
}

export interface PromptLog {
  quickPicks: { title?: string; items: Item[] }[];
  inputBoxes: vscode.InputBoxOptions[];
  messages: { kind: 'info' | 'warning' | 'error'; message: string; buttons: string[] }[];
  progress: { title?: string; cancellable?: boolean; reports: { message?: string; increment?: number }[] }[];
  restore(): void;
}

const buttonsOf = (rest: unknown[]) =>
  rest.filter((b): b is string | vscode.MessageItem => typeof b === 'string' || (typeof b === 'object' && b !== null && 'title' in b)).map((b) => (typeof b === 'string' ? b : b.title));

export function scriptPrompts(script: PromptScript): PromptLog {
  const w = vscode.window as unknown as Record<string, unknown>;
  const saved = new Map<string, unknown>();
  const replace = (name: string, fn: unknown) => {
    saved.set(name, w[name]);
    w[name] = fn;
    if (w[name] !== fn) throw new Error(`vscode.window.${name} cannot be replaced in this host: the prompt script would not run`);
  };
  const picks = [...(script.quickPicks ?? [])];
  const inputs = [...(script.inputBoxes ?? [])];
  const log: PromptLog = {
    quickPicks: [],
    inputBoxes: [],
    messages: [],
    progress: [],
    restore: () => {
      for (const [name, fn] of saved) w[name] = fn;
      saved.clear();
    },
  };

  replace('showQuickPick', async (itemsOrPromise: Item[] | Thenable<Item[]>, options?: vscode.QuickPickOptions) => {
    const items = await itemsOrPromise;
    log.quickPicks.push({ title: options?.title, items });
    if (picks.length === 0) throw new Error(`unexpected quick pick "${options?.title}"`);
    const predicate = picks.shift();
    if (!predicate) return undefined;
    const item = items.find((i) => predicate(i, items));
    if (!item) throw new Error(`quick pick "${options?.title}": no item matches (${items.map((i) => i.label).join(' | ')})`);
    return item;
  });
  replace('showInputBox', async (options: vscode.InputBoxOptions = {}) => {
    log.inputBoxes.push(options);
    if (inputs.length === 0) throw new Error(`unexpected input box "${options.title}"`);
    const next = inputs.shift();
    const text = typeof next === 'function' ? next(options) : next;
    if (text === undefined) return undefined;
    const problem = await options.validateInput?.(text);
    if (problem) throw new Error(`input box "${options.title}" refuses "${text}": ${typeof problem === 'string' ? problem : problem.message}`);
    return text;
  });
  for (const [name, kind] of [['showInformationMessage', 'info'], ['showWarningMessage', 'warning'], ['showErrorMessage', 'error']] as const) {
    replace(name, async (message: string, ...rest: unknown[]) => {
      const buttons = buttonsOf(rest);
      log.messages.push({ kind, message, buttons });
      const pressed = script.answer?.(kind, message, buttons);
      return pressed === undefined ? undefined : rest.find((b) => b === pressed || (b as vscode.MessageItem)?.title === pressed);
    });
  }
  const withProgress = vscode.window.withProgress;
  replace('withProgress', (options: vscode.ProgressOptions, task: (p: vscode.Progress<{ message?: string; increment?: number }>, t: vscode.CancellationToken) => Thenable<unknown>) => {
    const entry = { title: options.title, cancellable: options.cancellable, reports: [] as { message?: string; increment?: number }[] };
    log.progress.push(entry);
    return withProgress(options, (progress, token) => {
      const recorded = { report: (v: { message?: string; increment?: number }) => (entry.reports.push(v), progress.report(v)) };
      if (!script.cancelProgress || !options.cancellable) return task(recorded, token);
      const cancelled: vscode.CancellationToken = {
        isCancellationRequested: true,
        onCancellationRequested: (listener: (e: unknown) => unknown) => {
          listener(undefined);
          return { dispose: () => undefined };
        },
      };
      return task(recorded, cancelled);
    });
  });
  return log;
}
