/**
 * The host side of a page's test probe (shared/testProbeMessages.ts for the
 * history page, shared/dataProbeMessages.ts for the data page): `state()`
 * asks the page what it holds and shows, once the page is up, and resolves
 * with its answer. Not part of the product protocol: a panel offers each
 * incoming message here first.
 */

import { DumpStateMessage, parseStateDump, ProbeType, WebviewStateDump } from '../../shared/testProbeMessages';
import { DataPageDump, DataProbeDumpMessage, DataProbeType, parseDataProbeAnswer } from '../../shared/dataProbeMessages';
import { Disposable, disposeAll, IDisposable, interval, timeout, toDisposable } from '../common/disposable';

/** How one page's probe talks: the question it is sent, and how its answer is recognised. */
export interface ProbeProtocol<Question, State> {
  /** "the history page", "the data page" (for errors). */
  page: string;
  question(requestId: number): Question;
  answer(raw: unknown): { requestId: number; state: State } | undefined;
}

export const HISTORY_PROBE: ProbeProtocol<DumpStateMessage, WebviewStateDump> = {
  page: 'the history page',
  question: (requestId) => ({ type: ProbeType.dumpState, requestId }),
  answer: parseStateDump,
};

export const DATA_PROBE: ProbeProtocol<DataProbeDumpMessage, DataPageDump> = {
  page: 'the data page',
  question: (requestId) => ({ type: DataProbeType.dump, requestId }),
  answer: parseDataProbeAnswer,
};

interface Pending<State> {
  answer: (state: State) => void;
  fail: (error: Error) => void;
  /** Its timers: the wait for the page, the time limit. */
  timers: IDisposable[];
}

export class PageProbe<Question, State> extends Disposable {
  private nextRequestId = 1;
  private readonly questions = new Map<number, Pending<State>>();

  constructor(
    private readonly protocol: ProbeProtocol<Question, State>,
    private readonly post: (message: Question) => void,
    private readonly pageReady: () => boolean,
  ) {
    super();
    this._register(
      toDisposable(() => {
        for (const [id, question] of [...this.questions]) {
          this.forget(id);
          question.fail(new Error(`the panel was closed before ${protocol.page} answered`));
        }
      }),
    );
  }

  state(timeoutMs = 10_000): Promise<State> {
    const requestId = this.nextRequestId++;
    return new Promise<State>((resolve, reject) => {
      const question: Pending<State> = { answer: resolve, fail: reject, timers: [] };
      this.questions.set(requestId, question);
      question.timers.push(
        timeout(() => {
          this.forget(requestId);
          question.fail(new Error(`${this.protocol.page} did not answer within ${timeoutMs} ms (ready: ${this.pageReady()})`));
        }, timeoutMs),
      );
      // Not replayed: if the page is not up (or restarts), wait until it is, then ask.
      const ask = () => this.post(this.protocol.question(requestId));
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
    const answer = this.protocol.answer(raw);
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
