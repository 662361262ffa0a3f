/**
 * Lifetimes, the vscode-pull-request-github way (`src/common/lifecycle.ts`):
 * a class that owns subscriptions extends `Disposable` and hands each one to
 * `_register`; `dispose()` releases them all, newest first, once. Timers are
 * disposables too (`timeout`, `interval`), so nothing is cleared by hand.
 *
 * Only the `{ dispose(): void }` shape is used, so this file has no runtime
 * dependency on `vscode` and unit tests can run it as is.
 */

export interface IDisposable {
  dispose(): void;
}

export function toDisposable(dispose: () => void): IDisposable {
  let done = false;
  return {
    dispose: () => {
      if (done) return;
      done = true;
      dispose();
    },
  };
}

/** Disposes every item, newest first, and empties the list. */
export function disposeAll(disposables: IDisposable[]): void {
  while (disposables.length > 0) disposables.pop()!.dispose();
}

/** Runs `fn` once after `ms`, unless disposed first. */
export function timeout(fn: () => void, ms: number): IDisposable {
  const handle = setTimeout(fn, ms);
  return toDisposable(() => clearTimeout(handle));
}

/** Runs `fn` every `ms` until disposed. */
export function interval(fn: () => void, ms: number): IDisposable {
  const handle = setInterval(fn, ms);
  return toDisposable(() => clearInterval(handle));
}

export abstract class Disposable implements IDisposable {
  private _isDisposed = false;
  private readonly _disposables: IDisposable[] = [];

  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    disposeAll(this._disposables);
  }

  protected get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Ties `value` to this object's lifetime (disposed at once if this object already is). */
  protected _register<T extends IDisposable>(value: T): T {
    if (this._isDisposed) value.dispose();
    else this._disposables.push(value);
    return value;
  }
}

/** Holds at most one disposable; setting a new one disposes the old (a timer that is rescheduled). */
export class MutableDisposable<T extends IDisposable> implements IDisposable {
  private current: T | undefined;

  get value(): T | undefined {
    return this.current;
  }

  set value(next: T | undefined) {
    if (next === this.current) return;
    this.current?.dispose();
    this.current = next;
  }

  dispose(): void {
    this.value = undefined;
  }
}
