import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AppConfig } from '../config/app-config.js';
import { APPROVED_STATUSES, BundleRecord, BundleStatus, REVIEW_STATUSES } from './bundle.types.js';
import { NumberPurchaseService } from './number-purchase.service.js';
import { ProvisioningRepository } from './provisioning.repository.js';
import { TwilioProvisioningClient } from './twilio-provisioning.client.js';

const KNOWN_STATUSES: readonly string[] = ['draft', 'pending-review', 'in-review', 'twilio-rejected', 'twilio-approved', 'provisionally-approved'];

/**
 * Brings one bundle up to date with Twilio and acts on it: re-reads its status (never trusting a callback's
 * body), keeps the reason of a rejection, and buys the number of an approved bundle. Work on a bundle happens
 * only under its lease, so callbacks, polls and instances never process one bundle at the same time.
 */
@Injectable()
export class BundleSyncService implements OnApplicationShutdown {
  private readonly logger = new Logger('BundleSync');
  private readonly instance = `${hostname()}:${process.pid}`;
  /** Work handed to the background by Twilio's callbacks, awaited on shutdown. */
  private readonly background = new Set<Promise<unknown>>();

  constructor(
    private readonly repository: ProvisioningRepository,
    private readonly twilio: TwilioProvisioningClient,
    private readonly purchases: NumberPurchaseService,
    private readonly config: AppConfig,
  ) {}

  /** A fresh lease owner name: one per run, so two runs in one process are as separate as two instances. */
  newOwner(): string {
    return `${this.instance}:${randomUUID()}`;
  }

  /** Claims and processes one bundle; null when another worker holds it (it will do the work). */
  async syncOne(bundleId: string, source: string): Promise<BundleRecord | null> {
    const owner = this.newOwner();
    const bundle = await this.repository.claim(bundleId, owner, this.config.provisioning.leaseSeconds);
    if (!bundle) return null;
    return this.processClaimed(bundle, owner, source);
  }

  /**
   * For Twilio's callbacks, which must answer fast: claims the bundle now and processes it (status fetch, purchase)
   * in the background under that claim. False when another worker holds it (it does the work).
   */
  async claimForBackground(bundleId: string, source: string): Promise<boolean> {
    const owner = this.newOwner();
    const bundle = await this.repository.claim(bundleId, owner, this.config.provisioning.leaseSeconds);
    if (!bundle) return false;
    const work: Promise<unknown> = this.processClaimed(bundle, owner, source)
      .catch(() => undefined) // logged by processClaimed; the poll retries
      .finally(() => this.background.delete(work));
    this.background.add(work);
    return true;
  }

  /** Resolves when the background work started so far has finished. */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  async onApplicationShutdown(): Promise<void> {
    // A purchase under way finishes (or times out) before the process goes: its lease would otherwise block the bundle.
    await this.idle();
  }

  /** Processes a bundle whose lease `owner` holds, and releases the lease whatever happens. */
  async processClaimed(bundle: BundleRecord, owner: string, source: string, simulatedStatus?: BundleStatus): Promise<BundleRecord> {
    try {
      let current = bundle;
      if (simulatedStatus) {
        current = await this.repository.applyStatus(bundle.id, simulatedStatus, null, source);
      } else if (REVIEW_STATUSES.includes(current.status) && current.twilio_bundle_sid) {
        const status = await this.twilio.fetchBundleStatus(current.twilio_bundle_sid);
        if (!KNOWN_STATUSES.includes(status)) throw new Error(`Twilio reported an unknown bundle status ${status}`);
        const reason = status === 'twilio-rejected' ? await this.rejectionReason(current.twilio_bundle_sid) : null;
        current = await this.repository.applyStatus(current.id, status, reason, source);
      }
      if (APPROVED_STATUSES.includes(current.status) && (current.purchase_state === 'none' || current.purchase_state === 'purchasing')) {
        current = await this.purchases.purchase(current, owner);
      }
      return current;
    } catch (error) {
      this.logger.warn(
        { event: 'bundle_sync_failed', bundle_id: bundle.id, source, error: (error as Error).message },
        'Bundle sync failed; it is retried on the next poll',
      );
      throw error;
    } finally {
      await this.repository.releaseLease(bundle.id, owner, 0).catch(() => undefined);
    }
  }

  /** Why Twilio rejected the bundle: the failed requirements of its latest evaluation. */
  private async rejectionReason(bundleSid: string): Promise<string> {
    const fallback = 'Twilio rejected the bundle without a reason; see the bundle in the Twilio console';
    try {
      const evaluation = await this.twilio.latestEvaluation(bundleSid);
      const reasons = (evaluation?.results ?? [])
        .filter((r) => r.passed === false)
        .map((r) => String(r.failure_reason ?? r.friendly_name ?? ''))
        .filter(Boolean);
      return reasons.length > 0 ? reasons.join('; ') : fallback;
    } catch {
      return fallback;
    }
  }
}
