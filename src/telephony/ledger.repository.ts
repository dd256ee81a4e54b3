import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';

export interface ClaimedBackfill {
  call_sid: string;
  account_sid: string | null;
  /** Including this one. */
  attempts: number;
}

export type BackfillResult =
  | { result: 'priced'; priceUsd: number }
  | { result: 'retry'; retryAfterSeconds: number; error?: string }
  | { result: 'not_found' | 'gave_up' | 'unsupported_currency'; error?: string };

export interface CallListFilter {
  from: Date | null;
  to: Date | null;
  status: string | null;
  limit: number;
  before: { startedAt: string; id: string } | null;
}

/** The cost ledger and call history in SQL; private to the telephony module. */
@Injectable()
export class LedgerRepository {
  constructor(private readonly db: Database) {}

  claimBackfills(owner: string, limit: number, leaseSeconds: number): Promise<ClaimedBackfill[]> {
    return this.db.call('claim_call_price_backfills', { p_owner: owner, p_limit: limit, p_lease_seconds: leaseSeconds });
  }

  finishBackfill(callSid: string, owner: string, outcome: BackfillResult): Promise<{ applied: boolean; state?: string }> {
    return this.db.call('finish_call_price_backfill', {
      p_call_sid: callSid,
      p_owner: owner,
      p_result: outcome.result,
      p_price_usd: outcome.result === 'priced' ? outcome.priceUsd : null,
      p_retry_after_seconds: outcome.result === 'retry' ? outcome.retryAfterSeconds : null,
      p_error: 'error' in outcome ? (outcome.error ?? null) : null,
    });
  }

  listCalls<T>(companyId: string, f: CallListFilter): Promise<T[]> {
    return this.db.call('list_company_calls', {
      p_company_id: companyId,
      p_from: f.from?.toISOString() ?? null,
      p_to: f.to?.toISOString() ?? null,
      p_status: f.status,
      p_limit: f.limit,
      p_before_started_at: f.before?.startedAt ?? null,
      p_before_id: f.before?.id ?? null,
    });
  }

  getCall<T>(companyId: string, callSid: string): Promise<T | null> {
    return this.db.call('get_company_call', { p_company_id: companyId, p_call_sid: callSid });
  }

  usageSummary<T>(companyId: string, from: Date, to: Date, groupBy: string): Promise<T> {
    return this.db.call('company_usage_summary', { p_company_id: companyId, p_from: from.toISOString(), p_to: to.toISOString(), p_group_by: groupBy });
  }
}
