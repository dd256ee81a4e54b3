import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { CallSession, CallStatus, HandoffTarget, OpenedCallSession, RecordedCallStatus } from './call-session.types.js';

export interface OpenCallSessionParams {
  callSid: string;
  to: string | null;
  from: string | null;
  pathCompanyId: string | null;
  direction: string | null;
  accountSid: string | null;
}

export interface RecordCallStatusParams {
  callSid: string;
  status: CallStatus;
  sequenceNumber: number | null;
  eventAt: Date | null;
  durationSeconds: number | null;
  to: string | null;
  from: string | null;
  accountSid: string | null;
  ratePerMinuteUsd: number;
  rateCountry: string | null;
  priceFirstAttemptSeconds: number;
}

/** A session no live instance holds (its owner died, or its stream never connected), claimed for reconciliation. */
export interface OrphanedCall {
  call_sid: string;
  account_sid: string | null;
  company_id: string;
  owner_instance_id: string | null;
  /** Including this one. */
  attempts: number;
}

export type ReconciliationResult = 'recorded' | 'retry' | 'not_found' | 'gave_up';

/** Call sessions in SQL; private to the telephony module. */
@Injectable()
export class CallSessionRepository {
  constructor(private readonly db: Database) {}

  open(p: OpenCallSessionParams): Promise<OpenedCallSession> {
    return this.db.call('open_call_session', {
      p_call_sid: p.callSid,
      p_to: p.to,
      p_from: p.from,
      p_path_company_id: p.pathCompanyId,
      p_direction: p.direction,
      p_account_sid: p.accountSid,
    });
  }

  refuse(callSid: string, outcome: 'refused_limit' | 'refused_after_hours'): Promise<CallSession | null> {
    return this.db.call('refuse_call_session', { p_call_sid: callSid, p_outcome: outcome });
  }

  handoffTarget(callSid: string): Promise<HandoffTarget | null> {
    return this.db.call('get_call_handoff_target', { p_call_sid: callSid });
  }

  recordStatus(p: RecordCallStatusParams): Promise<RecordedCallStatus> {
    return this.db.call('record_call_status', {
      p_call_sid: p.callSid,
      p_status: p.status,
      p_sequence_number: p.sequenceNumber,
      p_event_at: p.eventAt?.toISOString() ?? null,
      p_duration_seconds: p.durationSeconds,
      p_to: p.to,
      p_from: p.from,
      p_account_sid: p.accountSid,
      p_rate_per_minute_usd: p.ratePerMinuteUsd,
      p_rate_country: p.rateCountry,
      p_price_first_attempt_seconds: p.priceFirstAttemptSeconds,
    });
  }

  claimOrphaned(owner: string, limit: number, leaseSeconds: number, deadAfterSeconds: number): Promise<OrphanedCall[]> {
    return this.db.call('claim_orphaned_calls', {
      p_owner: owner,
      p_limit: limit,
      p_lease_seconds: leaseSeconds,
      p_dead_after_seconds: deadAfterSeconds,
    });
  }

  finishReconciliation(callSid: string, owner: string, result: ReconciliationResult, retryAfterSeconds: number | null, error: string | null): Promise<{ finished: boolean }> {
    return this.db.call('finish_call_reconciliation', {
      p_call_sid: callSid,
      p_owner: owner,
      p_result: result,
      p_retry_after_seconds: retryAfterSeconds,
      p_error: error,
    });
  }

  pruneInstances(keepHours: number): Promise<number> {
    return this.db.call('prune_api_instances', { p_keep_hours: keepHours });
  }
}
