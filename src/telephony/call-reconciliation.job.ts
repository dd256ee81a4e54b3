import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
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
  private readonly logger = new Logger('CallReconciliationJob');
  private running = false;

  constructor(
    private readonly config: AppConfig,
    private readonly scheduler: SchedulerRegistry,
    private readonly reconciliation: CallReconciliationService,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    const { reconcileEnabled, reconcileIntervalSeconds } = this.config.callOwners;
    if (!reconcileEnabled) return;
    const handle = setInterval(() => void this.tick(), reconcileIntervalSeconds * 1000);
    handle.unref();
    // The registry clears it on shutdown.
    this.scheduler.addInterval(CALL_RECONCILE_JOB, handle);
  }

  /** One run at a time in this process; a slow run is not overlapped by the next tick. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const started = performance.now();
    try {
      await this.reconciliation.runOnce();
      this.metrics.jobRun(CALL_RECONCILE_JOB, 'success', performance.now() - started);
    } catch (error) {
      this.metrics.jobRun(CALL_RECONCILE_JOB, 'failure', performance.now() - started);
      this.logger.error({ event: 'call_reconcile_job_failed', err: error }, 'The orphaned-call sweep failed; it will run again');
    } finally {
      this.running = false;
    }
  }
}
