/**
 * The host side of the data page's test probe (shared/dataProbeMessages.ts):
 * `state()` asks the page what it holds and shows, once the page is up, and
 * resolves with its answer. Not product protocol: the panel offers each
 * incoming message here first.
 */

import { DataPageDump, DataProbeDumpMessage, DataProbeType, parseDataProbeAnswer } from '../../shared/dataProbeMessages';
import { Disposable, disposeAll, IDisposable, interval, timeout, toDisposable } from '../common/disposable';

interface Question {
  answer: (state: DataPageDump) => void;
  fail: (error: Error) => void;
  timers: IDisposable[];
}

export class DataTestProbe extends Disposable {
  private nextRequestId = 1;
  private readonly questions = new Map<number, Question>();

  constructor(
    private readonly post: (message: DataProbeDumpMessage) => void,
    private readonly pageReady: () => boolean,
  ) {
    super();
    this._register(
      toDisposable(() => {
        for (const [id, question] of [...this.questions]) {
          this.forget(id);
          question.fail(new Error('the data panel was closed before the page answered'));
        }
      }),
    );
  }

  state(timeoutMs = 10_000): Promise<DataPageDump> {
    const requestId = this.nextRequestId++;
    return new Promise<DataPageDump>((resolve, reject) => {
      const question: Question = { answer: resolve, fail: reject, timers: [] };
      this.questions.set(requestId, question);
      question.timers.push(
        timeout(() => {
          this.forget(requestId);
          question.fail(new Error(`the data page did not answer within ${timeoutMs} ms (ready: ${this.pageReady()})`));
        }, timeoutMs),
      );
      const ask = () => this.post({ type: DataProbeType.dump, requestId });
      if (this.pageReady()) ask();
      else {
        const wait = interval(() => {
          if (!this.pageReady()) return;
          wait.dispose();
          ask();
        }, 25);
        question.timers.push(wait);
      }
    });
  }

  /** True when `raw` was the page's answer to a question of ours (then nothing else handles it). */
  accept(raw: unknown): boolean {
    const answer = parseDataProbeAnswer(raw);
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
