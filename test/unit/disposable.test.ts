/** Lifetimes of the extension's parts (src/extension/common/disposable.ts): pure, no vscode needed. */
import * as assert from 'node:assert/strict';
import { Disposable, IDisposable, interval, MutableDisposable, timeout, toDisposable } from '../../src/extension/common/disposable';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Owner extends Disposable {
  own<T extends IDisposable>(d: T): T {
    return this._register(d);
  }
  get gone(): boolean {
    return this.isDisposed;
  }
}

describe('Disposable', () => {
  it('disposes what it registered once, newest first', () => {
    const order: string[] = [];
    const owner = new Owner();
    owner.own(toDisposable(() => order.push('first')));
    owner.own(toDisposable(() => order.push('second')));
    owner.dispose();
    owner.dispose();
    assert.deepEqual(order, ['second', 'first']);
    assert.equal(owner.gone, true);
  });

  it('disposes at once what is registered after it was disposed', () => {
    const owner = new Owner();
    owner.dispose();
    let disposed = false;
    owner.own(toDisposable(() => (disposed = true)));
    assert.equal(disposed, true);
  });

  it('a disposed timeout never fires; a disposed interval stops', async () => {
    let fired = 0;
    timeout(() => fired++, 5).dispose();
    let ticks = 0;
    const every = interval(() => ticks++, 5);
    await sleep(40);
    every.dispose();
    const seen = ticks;
    await sleep(30);
    assert.equal(fired, 0);
    assert.ok(seen > 0, 'the interval ticked');
    assert.equal(ticks, seen, 'no tick after dispose');
  });

  it('MutableDisposable disposes the value it replaces', () => {
    const disposed: string[] = [];
    const slot = new MutableDisposable<IDisposable>();
    slot.value = toDisposable(() => disposed.push('a'));
    slot.value = toDisposable(() => disposed.push('b'));
    assert.deepEqual(disposed, ['a']);
    slot.dispose();
    assert.deepEqual(disposed, ['a', 'b']);
    assert.equal(slot.value, undefined);
  });
});
