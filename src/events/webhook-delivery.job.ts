import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../config/app-config.js';
import { runWithLogContext } from '../logging/log-context.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { CompanyEventsRepository } from './company-events.repository.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';

export const WEBHOOK_DELIVERY_JOB = 'events.webhook-delivery';
/** Live-only stream events (call.started, call.transcript) are kept this long for resumption. */
const LIVE_EVENTS_KEEP_HOURS = 24;
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Looks for due webhook deliveries every WEBHOOK_POLL_INTERVAL_MS when WEBHOOK_DELIVERY_ENABLED is not false,
 * and at once again while it finds some. Thin: the claiming and its safety with several instances are in the
 * service and the database.
 */
@Injectable()
export class WebhookDeliveryJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhookDeliveryJob');
  private running = false;
  private lastPrune = 0;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly deliveries: WebhookDeliveryService,
    private readonly repository: CompanyEventsRepository,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    const { enabled, pollIntervalMs } = this.config.events.webhooks;
    if (!enabled) return;
    const handle = setInterval(() => void this.tick(), pollIntervalMs);
    handle.unref();
    this.scheduler.addInterval(WEBHOOK_DELIVERY_JOB, handle);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    // Attempts already sent are recorded; unsent claims return to the queue when their lease runs out.
    await this.deliveries.idle();
  }

  /** One claim loop at a time in this process. */
  async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    const started = performance.now();
    try {
      await runWithLogContext({ job: WEBHOOK_DELIVERY_JOB }, async () => {
        // Claim again while there was work and free slots: a backlog does not wait a poll interval per event.
        while (!this.stopped && (await this.deliveries.claimAndStart()) > 0) {
          if (this.deliveries.busy >= this.config.events.webhooks.concurrency) break;
        }
        if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
          this.lastPrune = Date.now();
          await this.repository.pruneLiveEvents(LIVE_EVENTS_KEEP_HOURS, 5000);
        }
      });
      this.metrics.jobRun(WEBHOOK_DELIVERY_JOB, 'success', performance.now() - started);
    } catch (error) {
      this.metrics.jobRun(WEBHOOK_DELIVERY_JOB, 'failure', performance.now() - started);
      this.logger.error({ event: 'webhook_delivery_job_failed', err: error }, 'Claiming webhook deliveries failed; it will run again');
    } finally {
      this.running = false;
    }
  }
}
