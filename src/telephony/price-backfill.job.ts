import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { IntervalJob } from '../common/interval-job.js';
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
  private readonly job: IntervalJob;

  constructor(
    private readonly config: AppConfig,
    scheduler: SchedulerRegistry,
    backfill: PriceBackfillService,
    metrics: MetricsService,
  ) {
    const run = async (): Promise<'success'> => {
      await backfill.runOnce();
      return 'success';
    };
    const failure = { event: 'price_backfill_failed', message: 'Call price backfill failed; it will run again' };
    this.job = new IntervalJob({ name: PRICE_BACKFILL_JOB, run, failure }, scheduler, metrics, new Logger('PriceBackfillJob'));
  }

  onApplicationBootstrap(): void {
    const { enabled, intervalSeconds } = this.config.telephony.priceBackfill;
    if (enabled) this.job.start(intervalSeconds * 1000);
  }

  /** One run now (tests); otherwise the interval's. */
  tick(): Promise<void> {
    return this.job.tick();
  }
}
