import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import type { CompanyEvent, SequencedEvent, WebhookEventType } from './company-event.js';

export interface StoredWebhook {
  url: string;
  events: WebhookEventType[];
  secret_hint: string;
  created_at: string;
  updated_at: string;
}

export interface ClaimedDelivery {
  delivery_id: string;
  attempt: number;
  url: string;
  secret: string;
  event: CompanyEvent;
}

export type DeliveryResult =
  | { result: 'delivered'; url: string; statusCode: number; durationMs: number }
  | { result: 'retry'; url: string; statusCode: number | null; error: string | null; durationMs: number; retryAfterSeconds: number }
  | { result: 'failed'; url: string; statusCode: number | null; error: string | null; durationMs: number };

/** The events module's SQL (sql/0100_company_events.sql); private to the module. */
@Injectable()
export class CompanyEventsRepository {
  constructor(private readonly db: Database) {}

  putWebhook(companyId: string, url: string, events: string[], secret: string): Promise<StoredWebhook> {
    return this.db.call('put_company_webhook', { p_company_id: companyId, p_url: url, p_events: events, p_secret: secret });
  }

  getWebhook(companyId: string): Promise<StoredWebhook | null> {
    return this.db.call('get_company_webhook', { p_company_id: companyId });
  }

  deleteWebhook(companyId: string): Promise<{ deleted: boolean }> {
    return this.db.call('delete_company_webhook', { p_company_id: companyId });
  }

  listDeliveries<T>(companyId: string, limit: number): Promise<T[]> {
    return this.db.call('list_webhook_deliveries', { p_company_id: companyId, p_limit: limit });
  }

  claimDeliveries(owner: string, limit: number, leaseSeconds: number): Promise<ClaimedDelivery[]> {
    return this.db.call('claim_webhook_deliveries', { p_owner: owner, p_limit: limit, p_lease_seconds: leaseSeconds });
  }

  finishDelivery(deliveryId: string, owner: string, outcome: DeliveryResult): Promise<{ applied: boolean }> {
    return this.db.call('finish_webhook_delivery', {
      p_delivery_id: deliveryId,
      p_owner: owner,
      p_result: outcome.result,
      p_url: outcome.url,
      p_status_code: outcome.statusCode,
      p_error: outcome.result === 'delivered' ? null : outcome.error,
      p_duration_ms: Math.round(outcome.durationMs),
      p_retry_after_seconds: outcome.result === 'retry' ? outcome.retryAfterSeconds : null,
    });
  }

  companyEventsAfter(companyId: string, afterSeq: number, limit: number): Promise<SequencedEvent[]> {
    return this.db.call('list_company_events', { p_company_id: companyId, p_after_seq: afterSeq, p_limit: limit });
  }

  /** With `afterSeq` null only the head is read (where a new poller starts). */
  recentEvents(afterSeq: number | null, window: number, limit: number): Promise<{ head: number; events: SequencedEvent[] }> {
    return this.db.call('list_recent_company_events', { p_after_seq: afterSeq, p_window: window, p_limit: limit });
  }

  pruneLiveEvents(keepHours: number, limit: number): Promise<{ deleted: number }> {
    return this.db.call('prune_live_company_events', { p_keep_hours: keepHours, p_limit: limit });
  }
}
