import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { BackfillResult, ClaimedBackfill, LedgerRepository } from './ledger.repository.js';
import { TelephonyMetrics } from './telephony-metrics.js';
import { TwilioCallPriceClient } from './twilio-call-price.client.js';

/** Long enough for one batch of fetches; a crashed worker's claims return to the queue after it. */
const LEASE_SECONDS = 300;
const BACKOFF_BASE_SECONDS = 60;
const BACKOFF_CAP_SECONDS = 6 * 3600;

/** Seconds before attempt `attempt + 1`: 1, 2, 4, 8… minutes, at most six hours. */
export function backoffSeconds(attempt: number): number {
  return Math.min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** Math.max(0, attempt - 1));
}

export interface BackfillRunSummary {
  claimed: number;
  priced: number;
  retried: number;
  stopped: number;
}

/**
 * Replaces the estimated cost of completed calls with Twilio's actual price. Twilio publishes it some time after
 * the call (null until then), so each call is retried with exponential backoff. Work is claimed in the database
 * with a lease: several instances can run this at once without fetching a call twice.
 */
@Injectable()
export class PriceBackfillService {
  private readonly logger = new Logger('PriceBackfill');
  /** Identifies this instance's leases. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly ledger: LedgerRepository,
    private readonly prices: TwilioCallPriceClient,
    private readonly config: AppConfig,
    private readonly metrics: TelephonyMetrics,
  ) {}

  async runOnce(): Promise<BackfillRunSummary> {
    const { batchSize } = this.config.telephony.priceBackfill;
    const claimed = await this.ledger.claimBackfills(this.owner, batchSize, LEASE_SECONDS);
    const summary: BackfillRunSummary = { claimed: claimed.length, priced: 0, retried: 0, stopped: 0 };
    for (const item of claimed) {
      const outcome = await this.priceOne(item);
      await this.ledger.finishBackfill(item.call_sid, this.owner, outcome);
      if (outcome.result === 'priced') summary.priced += 1;
      else if (outcome.result === 'retry') summary.retried += 1;
      else summary.stopped += 1;
    }
    if (summary.priced > 0) this.metrics.increment('prices_backfilled', summary.priced);
    if (claimed.length > 0) this.logger.log({ event: 'price_backfill_run', ...summary }, 'Call price backfill ran');
    return summary;
  }

  private async priceOne(item: ClaimedBackfill): Promise<BackfillResult> {
    const { maxAttempts } = this.config.telephony.priceBackfill;
    const exhausted = item.attempts >= maxAttempts;
    const later = (error: string): BackfillResult =>
      exhausted ? { result: 'gave_up', error } : { result: 'retry', retryAfterSeconds: backoffSeconds(item.attempts), error };
    try {
      const price = await this.prices.fetch(item.account_sid ?? this.config.twilio.accountSid, item.call_sid);
      if (price.kind === 'not_found') return { result: 'not_found', error: 'Twilio has no such call' };
      if (price.kind === 'pending') return later('Twilio has not priced the call yet');
      if (price.unit !== 'USD') return { result: 'unsupported_currency', error: `The account is billed in ${price.unit}` };
      return { result: 'priced', priceUsd: price.price };
    } catch (error) {
      this.logger.warn({ event: 'price_fetch_failed', call_sid: item.call_sid, attempt: item.attempts, err: error }, 'Fetching a call price failed');
      return later(error instanceof Error ? error.message.slice(0, 500) : String(error));
    }
  }
}
