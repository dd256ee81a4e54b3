import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { IntervalJob } from '../common/interval-job.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { CallReconciliationService } from './call-reconciliation.service.js';

export const CALL_RECONCILE_JOB = 'telephony.call-reconcile';

/**
 * Sweeps for orphaned calls every CALL_RECONCILE_INTERVAL_SECONDS when CALL_RECONCILE_ENABLED is not false. With
 * the defaults (dead after 30 s, a sweep every 15 s) a dead owner's calls are reconciled within 45 s.
 */
@Injectable()
export class CallReconciliationJob implements OnApplicationBootstrap {
  private readonly job: IntervalJob;

  constructor(
    private readonly config: AppConfig,
    scheduler: SchedulerRegistry,
    reconciliation: CallReconciliationService,
    metrics: MetricsService,
  ) {
    const run = async (): Promise<'success'> => {
      await reconciliation.runOnce();
      return 'success';
    };
    const failure = { event: 'call_reconcile_job_failed', message: 'The orphaned-call sweep failed; it will run again' };
    this.job = new IntervalJob({ name: CALL_RECONCILE_JOB, run, failure }, scheduler, metrics, new Logger('CallReconciliationJob'));
  }

  onApplicationBootstrap(): void {
    const { reconcileEnabled, reconcileIntervalSeconds } = this.config.callOwners;
    if (reconcileEnabled) this.job.start(reconcileIntervalSeconds * 1000);
  }
}
