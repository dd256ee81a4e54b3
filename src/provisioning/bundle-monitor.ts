import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { IntervalJob } from '../common/interval-job.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { BundleSyncService } from './bundle-sync.service.js';
import { ProvisioningRepository } from './provisioning.repository.js';

const JOB_NAME = 'bundle-monitor';
const BATCH = 20;

export interface MonitorRunResult {
  claimed: number;
  failed: number;
}

/**
 * The scheduled poll of bundles under review and of approved bundles still without their number. Each run
 * claims due bundles in the database (SKIP LOCKED, with a lease), so any number of instances share the work
 * and none processes a bundle another holds. Registered only when BUNDLE_MONITOR_ENABLED is not false.
 */
@Injectable()
export class BundleMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('BundleMonitor');
  private readonly job: IntervalJob;

  constructor(
    private readonly repository: ProvisioningRepository,
    private readonly sync: BundleSyncService,
    scheduler: SchedulerRegistry,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    const failure = { event: 'bundle_monitor_run_failed', message: 'Bundle monitor run failed' };
    this.job = new IntervalJob({ name: JOB_NAME, run: () => this.poll(), failure }, scheduler, metrics, this.logger);
  }

  onApplicationBootstrap(): void {
    const { monitorEnabled, monitorIntervalSeconds } = this.config.provisioning;
    if (!monitorEnabled) {
      this.logger.log({ event: 'bundle_monitor_disabled' }, 'Bundle monitor is off (BUNDLE_MONITOR_ENABLED=false)');
      return;
    }
    this.job.start(monitorIntervalSeconds * 1000);
    this.logger.log({ event: 'bundle_monitor_started', interval_seconds: monitorIntervalSeconds }, 'Bundle monitor started');
  }

  onApplicationShutdown(): void {
    this.job.stop();
  }

  /** One poll: claim what is due and process it. Also called directly by tests and the debug route. */
  async runOnce(): Promise<MonitorRunResult> {
    const owner = this.sync.newOwner();
    const claimed = await this.repository.claimDue(owner, BATCH, this.config.provisioning.leaseSeconds);
    let failed = 0;
    for (const bundle of claimed) {
      try {
        await this.sync.processClaimed(bundle, owner, 'poll');
      } catch {
        failed += 1;
      }
    }
    return { claimed: claimed.length, failed };
  }

  /** The scheduled run: the poll, then the bundle-state gauges. */
  private async poll(): Promise<'success' | 'skipped'> {
    const result = await this.runOnce();
    if (result.claimed > 0) this.logger.log({ event: 'bundle_monitor_run', ...result }, 'Bundle monitor run');
    this.metrics.bundleStates(await this.repository.countByStatus());
    return result.claimed === 0 ? 'skipped' : 'success';
  }
}
