/**
 * The host side of the history panel's health section: computes the
 * database's health report (src/engine/health.ts, thresholds from settings)
 * after each history load and on Show Health Report, posts it to the page,
 * and replays the last state to a page that (re)starts. One computation at a
 * time; a request while one runs is served by a fresh one after it.
 */

import { messageOf } from '../../engine/errors';
import { healthReport, HealthReport } from '../../engine/health';
import { HealthMessage, HealthMessageType } from '../../shared/healthMessages';
import type { DatabaseRegistry } from '../databaseRegistry';
import { createLogger } from '../log';
import type { DatabaseTarget } from '../targets';
import { healthSettings } from './healthSettings';

const log = createLogger('health');

export class HealthSection {
  private last: HealthMessage | undefined;
  private running: Promise<HealthReport> | undefined;
  private disposed = false;
  private revealPending = false;

  constructor(
    private readonly target: DatabaseTarget,
    private readonly databases: DatabaseRegistry,
    /** Posts to the page; false when the page is not up (then `replay` carries it). */
    private readonly post: (m: HealthMessage) => boolean,
  ) {}

  /** The last report computed, if any. */
  report: HealthReport | undefined;

  /** What a page that just started needs. */
  replay(): HealthMessage[] {
    const out: HealthMessage[] = this.last ? [this.last] : [];
    if (this.revealPending) out.push({ type: HealthMessageType.reveal });
    this.revealPending = false;
    return out;
  }

  /** Computes a fresh report (joining one that starts after the running one, if any). */
  refresh(): Promise<HealthReport> {
    if (this.running) {
      return this.running.catch(() => undefined).then(() => this.refresh());
    }
    const run = this.compute().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  dispose(): void {
    this.disposed = true;
  }

  private send(m: HealthMessage): boolean {
    if (m.type !== HealthMessageType.reveal) this.last = m;
    return !this.disposed && this.post(m);
  }

  private async compute(): Promise<HealthReport> {
    const started = Date.now();
    this.send({ type: HealthMessageType.running });
    try {
      const { options, thresholds } = healthSettings();
      const ms = await this.databases.manifestStore(this.target);
      const report = await healthReport(ms, options);
      this.report = report;
      this.send({ type: HealthMessageType.report, report, thresholds, durationMs: Date.now() - started });
      log.info(`${report.location}: ${report.findings.length} findings in ${Date.now() - started} ms`);
      return report;
    } catch (e) {
      log.warn(`health report of ${this.target.dbPath || '/'}: ${messageOf(e)}`);
      this.send({ type: HealthMessageType.error, message: messageOf(e) });
      throw e;
    }
  }

  reveal(): void {
    if (!this.send({ type: HealthMessageType.reveal })) this.revealPending = true;
  }
}
