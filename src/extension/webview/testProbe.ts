/**
 * The host side of the history page's test probe (see
 * shared/testProbeMessages.ts): `state()` asks the page what it holds and
 * shows, once the page is up, and resolves with its answer. Not part of the
 * product protocol: the panel offers each incoming message here first.
 */

import { DumpStateMessage, parseStateDump, ProbeType, WebviewStateDump } from '../../shared/testProbeMessages';
import { Disposable, disposeAll, IDisposable, interval, timeout, toDisposable } from '../common/disposable';

interface Question {
  answer: (state: WebviewStateDump) => void;
  fail: (error: Error) => void;
  /** Its timers: the wait for the page, the time limit. */
  timers: IDisposable[];
}

export class HistoryTestProbe extends Disposable {
  private nextRequestId = 1;
  private readonly questions = new Map<number, Question>();

  constructor(
    private readonly post: (message: DumpStateMessage) => void,
    private readonly pageReady: () => boolean,
  ) {
    super();
    this._register(
      toDisposable(() => {
        for (const [id, question] of [...this.questions]) {
          this.forget(id);
          question.fail(new Error('the history panel was closed before the page answered'));
        }
      }),
    );
  }

  state(timeoutMs = 10_000): Promise<WebviewStateDump> {
    const requestId = this.nextRequestId++;
    return new Promise<WebviewStateDump>((resolve, reject) => {
      const question: Question = { answer: resolve, fail: reject, timers: [] };
      this.questions.set(requestId, question);
      question.timers.push(
        timeout(() => {
          this.forget(requestId);
          question.fail(new Error(`the history page did not answer within ${timeoutMs} ms (ready: ${this.pageReady()})`));
        }, timeoutMs),
      );
      // Not replayed: if the page is not up (or restarts), wait until it is, then ask.
      const ask = () => this.post({ type: ProbeType.dumpState, requestId });
      if (this.pageReady()) ask();
      else {
        const wait = interval(() => {
          if (!this.pageReady()) return;
          wait.dispose();
          ask();
        }, 50);
        question.timers.push(wait);
      }
    });
  }

  /** True when `raw` was the page's answer to a question of ours (then nothing else handles it). */
  accept(raw: unknown): boolean {
    const answer = parseStateDump(raw);
    if (!answer) return false;
    const question = this.questions.get(answer.requestId);
    this.forget(answer.requestId);
    question?.answer(answer.state);
    return true;
  }

  private forget(requestId: number): void {
    const question = this.questions.get(requestId);
    this.questions.delete(requestId);
    if (question) disposeAll(question.timers);
  }
}
