import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { CallSessionRepository, OrphanedCall, ReconciliationResult } from './call-session.repository.js';
import { CallStatusService } from './call-status.service.js';
import { FINAL_CALL_STATUSES } from './call-session.types.js';
import { countryOfNumber } from './rate-card.js';
import { TwilioCallStatusClient } from './twilio-call-status.client.js';

/** Longer than one Twilio request (10 s) and the write after it; the claimed calls are asked in parallel. */
const LEASE_SECONDS = 60;
const RETRY_BASE_SECONDS = 15;
const RETRY_CAP_SECONDS = 300;
/** About four and a half hours of asking at the cap: past Twilio's longest call (4 h). */
const MAX_ATTEMPTS = 60;
const PRUNE_EVERY_MS = 3_600_000;
const KEEP_INSTANCES_HOURS = 24;

/** Seconds before attempt `attempt + 1`: 15, 30, 60, 120 s, then every 5 minutes. */
export function reconcileRetrySeconds(attempt: number): number {
  return Math.min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** Math.max(0, attempt - 1));
}

export interface ReconcileRunSummary {
  claimed: number;
  recorded: number;
  retried: number;
  stopped: number;
}

interface Outcome {
  result: ReconciliationResult;
  retryAfterSeconds: number | null;
  error: string | null;
  twilioStatus?: string;
}

/**
 * DESIGN §10: the calls no live instance holds any more (their owner stopped heartbeating, or their stream never
 * connected) are claimed with a lease, which also frees their concurrent-call place, and Twilio's call status
 * decides the rest. A final status is recorded exactly as its status callback would be (record_call_status: the
 * session closes, usage is written once, whichever of the two comes first).
 *
 * A call Twilio still reports in progress is left to Twilio, not ended through the REST API: its owner's
 * WebSocket died with the owner, so Twilio has already left <Connect> and asked the connect action (which any
 * live instance answers) what to do; a call still going after that is one that action passed to a person, and
 * ending it would cut a caller off mid-conversation. Its place is already free; it is asked about again, with
 * backoff, until Twilio reports how it ended.
 */
@Injectable()
export class CallReconciliationService {
  private readonly logger = new Logger('CallReconciliation');
  /** Identifies this instance's leases. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private lastPruneAt = 0;

  constructor(
    private readonly sessions: CallSessionRepository,
    private readonly statuses: TwilioCallStatusClient,
    private readonly callStatus: CallStatusService,
    private readonly config: AppConfig,
  ) {}

  async runOnce(): Promise<ReconcileRunSummary> {
    const { reconcileBatchSize, deadAfterSeconds } = this.config.callOwners;
    const claimed = await this.sessions.claimOrphaned(this.owner, reconcileBatchSize, LEASE_SECONDS, deadAfterSeconds);
    const outcomes = await Promise.all(claimed.map((call) => this.reconcileOne(call)));
    const summary: ReconcileRunSummary = { claimed: claimed.length, recorded: 0, retried: 0, stopped: 0 };
    for (const outcome of outcomes) {
      if (outcome.result === 'recorded') summary.recorded += 1;
      else if (outcome.result === 'retry') summary.retried += 1;
      else summary.stopped += 1;
    }
    if (claimed.length > 0) this.logger.log({ event: 'call_reconcile_run', ...summary }, 'Orphaned calls reconciled with Twilio');
    await this.pruneNowAndThen();
    return summary;
  }

  private async reconcileOne(call: OrphanedCall): Promise<Outcome> {
    const outcome = await this.askTwilio(call);
    await this.sessions.finishReconciliation(call.call_sid, this.owner, outcome.result, outcome.retryAfterSeconds, outcome.error);
    this.logger.log(
      {
        event: 'call_reconciled',
        call_sid: call.call_sid,
        company_id: call.company_id,
        dead_owner: call.owner_instance_id,
        attempt: call.attempts,
        result: outcome.result,
        twilio_status: outcome.twilioStatus,
        retry_after_s: outcome.retryAfterSeconds ?? undefined,
      },
      outcome.result === 'recorded' ? `Orphaned call recorded as ${outcome.twilioStatus}` : `Orphaned call: ${outcome.result}`,
    );
    return outcome;
  }

  private async askTwilio(call: OrphanedCall): Promise<Outcome> {
    const later = (error: string, twilioStatus?: string): Outcome =>
      call.attempts >= MAX_ATTEMPTS
        ? { result: 'gave_up', retryAfterSeconds: null, error, twilioStatus }
        : { result: 'retry', retryAfterSeconds: reconcileRetrySeconds(call.attempts), error, twilioStatus };
    try {
      const lookup = await this.statuses.fetch(call.account_sid ?? this.config.twilio.accountSid, call.call_sid);
      if (lookup.kind === 'not_found') return { result: 'not_found', retryAfterSeconds: null, error: 'Twilio has no such call' };
      const state = lookup.call;
      if (!FINAL_CALL_STATUSES.includes(state.status)) return later(`Twilio reports the call ${state.status}`, state.status);
      await this.callStatus.recordStatus({
        callSid: call.call_sid,
        status: state.status,
        sequenceNumber: null,
        eventAt: state.endedAt,
        durationSeconds: state.durationSeconds,
        to: state.to,
        from: state.from,
        accountSid: state.accountSid ?? call.account_sid,
        country: countryOfNumber(state.to),
      });
      return { result: 'recorded', retryAfterSeconds: null, error: null, twilioStatus: state.status };
    } catch (error) {
      this.logger.warn({ event: 'call_reconcile_failed', call_sid: call.call_sid, attempt: call.attempts, err: error }, 'Asking Twilio about an orphaned call failed');
      return later(error instanceof Error ? error.message.slice(0, 500) : String(error));
    }
  }

  private async pruneNowAndThen(): Promise<void> {
    if (Date.now() - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = Date.now();
    await this.sessions.pruneInstances(KEEP_INSTANCES_HOURS);
  }
}
