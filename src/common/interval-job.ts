import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { MetricsService } from '../metrics/metrics.service.js';

export interface IntervalJobOptions {
  /** The scheduler's key and the `job` label of the job metrics. */
  name: string;
  /** One run; 'skipped' counts a run that found nothing to do. */
  run: () => Promise<'success' | 'skipped'>;
  /** The log line of a failed run (the next tick runs again). */
  failure: { event: string; message: string };
}

/**
 * Work run every few seconds in this process, one run at a time (a slow run is not overlapped by the next tick),
 * each run counted and timed in the job metrics. The interval is registered with Nest's scheduler, which clears it
 * at shutdown. Safety across instances is the work's own: its rows are claimed in the database with leases.
 */
export class IntervalJob {
  private running = false;
  private stopped = false;

  constructor(
    private readonly options: IntervalJobOptions,
    private readonly scheduler: SchedulerRegistry,
    private readonly metrics: MetricsService,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    const handle = setInterval(() => void this.tick(), intervalMs);
    handle.unref();
    this.scheduler.addInterval(this.options.name, handle);
  }

  /** No run starts after this; one under way finishes. */
  stop(): void {
    this.stopped = true;
    if (this.scheduler.doesExist('interval', this.options.name)) this.scheduler.deleteInterval(this.options.name);
  }

  async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    const started = performance.now();
    try {
      const outcome = await this.options.run();
      this.metrics.jobRun(this.options.name, outcome, performance.now() - started);
    } catch (error) {
      this.metrics.jobRun(this.options.name, 'failure', performance.now() - started);
      this.logger.error({ event: this.options.failure.event, err: error }, this.options.failure.message);
    } finally {
      this.running = false;
    }
  }
}
