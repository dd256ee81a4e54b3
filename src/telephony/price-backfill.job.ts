import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PriceBackfillService } from './price-backfill.service.js';

export const PRICE_BACKFILL_JOB = 'telephony.price-backfill';

/**
 * Runs the price backfill on an interval when PRICE_BACKFILL_ENABLED is not false. Thin on purpose: the work and
 * its safety with several instances are in the service and the database.
 */
@Injectable()
export class PriceBackfillJob implements OnApplicationBootstrap {
  private readonly logger = new Logger('PriceBackfillJob');
  private running = false;

  constructor(
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly backfill: PriceBackfillService,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    const { enabled, intervalSeconds } = this.config.telephony.priceBackfill;
    if (!enabled) return;
    const handle = setInterval(() => void this.tick(), intervalSeconds * 1000);
    handle.unref();
    // The registry clears it on shutdown.
    this.scheduler.addInterval(PRICE_BACKFILL_JOB, handle);
  }

  /** One run at a time in this process; a slow run is not overlapped by the next tick. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const started = performance.now();
    try {
      await this.backfill.runOnce();
      this.metrics.jobRun(PRICE_BACKFILL_JOB, 'success', performance.now() - started);
    } catch (error) {
      this.metrics.jobRun(PRICE_BACKFILL_JOB, 'failure', performance.now() - started);
      this.logger.error({ event: 'price_backfill_failed', err: error }, 'Call price backfill failed; it will run again');
    } finally {
      this.running = false;
    }
  }
}
