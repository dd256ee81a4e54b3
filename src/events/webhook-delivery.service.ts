import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { runWithLogContext } from '../logging/log-context.js';
import { ClaimedDelivery, CompanyEventsRepository, DeliveryResult } from './company-events.repository.js';
import { WebhookSender } from './webhook-sender.js';

/**
 * Sends due webhook deliveries. Each is claimed in the database with a lease (one instance sends an attempt; a
 * crashed instance's claims come back when the lease runs out), at most one per company at a time, and sent
 * without waiting for the others: a slow or failing receiver holds one slot of this instance, never another
 * company's delivery, and never a call (deliveries run off every request path).
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger('WebhookDelivery');
  /** Identifies this instance's leases. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly repository: CompanyEventsRepository,
    private readonly sender: WebhookSender,
    private readonly config: AppConfig,
  ) {}

  /** Claims as many due deliveries as there are free slots and starts them; resolves with how many it started. */
  async claimAndStart(): Promise<number> {
    const { concurrency, leaseSeconds } = this.config.events.webhooks;
    const free = concurrency - this.inFlight.size;
    if (free <= 0) return 0;
    const claimed = await this.repository.claimDeliveries(this.owner, free, leaseSeconds);
    for (const delivery of claimed) {
      const work = this.deliver(delivery).finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    }
    return claimed.length;
  }

  /** Resolves when every delivery started so far has finished (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get busy(): number {
    return this.inFlight.size;
  }

  private deliver(delivery: ClaimedDelivery): Promise<void> {
    return runWithLogContext({ company_id: delivery.event.company_id }, async () => {
      const outcome = await this.attempt(delivery);
      try {
        await this.repository.finishDelivery(delivery.delivery_id, this.owner, outcome);
      } catch (error) {
        // The lease runs out and another attempt follows: at least once, never lost.
        this.logger.error({ event: 'webhook_delivery_not_recorded', delivery_id: delivery.delivery_id, err: error }, 'Could not record a webhook attempt');
        return;
      }
      const log = {
        event: 'webhook_attempt',
        delivery_id: delivery.delivery_id,
        event_id: delivery.event.id,
        type: delivery.event.type,
        attempt: delivery.attempt,
        result: outcome.result,
        status_code: outcome.statusCode,
        duration_ms: Math.round(outcome.durationMs),
      };
      if (outcome.result === 'delivered') this.logger.log(log, 'Webhook delivered');
      else
        this.logger.warn(
          { ...log, error: outcome.error },
          outcome.result === 'failed' ? 'Webhook delivery failed for good' : 'Webhook attempt failed; it will be retried',
        );
    });
  }

  private async attempt(delivery: ClaimedDelivery): Promise<DeliveryResult> {
    const schedule = this.config.events.webhooks.retryScheduleSeconds;
    let sent;
    try {
      sent = await this.sender.send(delivery.url, delivery.secret, delivery.event);
    } catch (error) {
      sent = { statusCode: null, error: (error as Error).message, durationMs: 0, permanent: false };
    }
    const base = { url: delivery.url, statusCode: sent.statusCode, durationMs: sent.durationMs };
    if (sent.statusCode !== null && sent.statusCode >= 200 && sent.statusCode < 300) return { ...base, result: 'delivered', statusCode: sent.statusCode };
    const error = sent.error ?? `the receiver answered ${sent.statusCode}`;
    // Attempt n (1-based) failed: wait schedule[n - 1] before the next; past the schedule's end, give up.
    const wait = schedule[delivery.attempt - 1];
    if (sent.permanent || wait === undefined) return { ...base, result: 'failed', error };
    return { ...base, result: 'retry', error, retryAfterSeconds: wait };
  }
}
