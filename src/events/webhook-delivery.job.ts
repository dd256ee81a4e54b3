import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { IntervalJob } from '../common/interval-job.js';
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
  private readonly job: IntervalJob;
  private lastPrune = 0;
  private stopped = false;

  constructor(
    private readonly config: AppConfig,
    scheduler: SchedulerRegistry,
    private readonly deliveries: WebhookDeliveryService,
    private readonly repository: CompanyEventsRepository,
    metrics: MetricsService,
  ) {
    const failure = { event: 'webhook_delivery_job_failed', message: 'Claiming webhook deliveries failed; it will run again' };
    this.job = new IntervalJob({ name: WEBHOOK_DELIVERY_JOB, run: () => this.claimLoop(), failure }, scheduler, metrics, new Logger('WebhookDeliveryJob'));
  }

  onApplicationBootstrap(): void {
    const { enabled, pollIntervalMs } = this.config.events.webhooks;
    if (enabled) this.job.start(pollIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.job.stop();
    // Attempts already sent are recorded; unsent claims return to the queue when their lease runs out.
    await this.deliveries.idle();
  }

  private claimLoop(): Promise<'success'> {
    return runWithLogContext({ job: WEBHOOK_DELIVERY_JOB }, async () => {
      // Claim again while there was work and free slots: a backlog does not wait a poll interval per event.
      while (!this.stopped && (await this.deliveries.claimAndStart()) > 0) {
        if (this.deliveries.busy >= this.config.events.webhooks.concurrency) break;
      }
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        await this.repository.pruneLiveEvents(LIVE_EVENTS_KEEP_HOURS, 5000);
      }
      return 'success' as const;
    });
  }
}
