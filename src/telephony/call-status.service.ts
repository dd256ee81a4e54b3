import { BadRequestException, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { CallSessionRepository, RecordCallStatusParams } from './call-session.repository.js';
import { CALL_STATUSES, CallStatus, RecordedCallStatus } from './call-session.types.js';
import { countryOfNumber, ratePerMinute } from './rate-card.js';
import { bindLogContext } from '../logging/log-context.js';
import { TelephonyMetrics } from './telephony-metrics.js';
import { field, integerField, isValidCallSid, phoneField, timestampField, TwilioForm } from './twilio-form.js';

/**
 * `POST /voice/status`: Twilio's call status callbacks. The ordering and idempotency rules live in
 * `record_call_status`; here the callback is read and the call's rate chosen from the rate card.
 */
@Injectable()
export class CallStatusService {
  private readonly logger = new Logger('CallStatus');

  constructor(
    private readonly sessions: CallSessionRepository,
    private readonly config: AppConfig,
    private readonly metrics: TelephonyMetrics,
  ) {}

  async record(body: TwilioForm): Promise<void> {
    const callSid = field(body, 'CallSid');
    const status = field(body, 'CallStatus');
    if (!callSid) throw new BadRequestException('CallSid is required');
    if (!isValidCallSid(callSid)) throw new BadRequestException('CallSid is not a Twilio call SID');
    bindLogContext({ call_sid: callSid });
    if (!status || !(CALL_STATUSES as readonly string[]).includes(status)) {
      throw new BadRequestException(`CallStatus must be one of ${CALL_STATUSES.join(', ')}`);
    }
    const to = phoneField(body, 'To');
    const toCountry = field(body, 'ToCountry');
    const result = await this.recordStatus({
      callSid,
      status: status as CallStatus,
      sequenceNumber: integerField(body, 'SequenceNumber'),
      eventAt: timestampField(body, 'Timestamp'),
      durationSeconds: integerField(body, 'CallDuration'),
      to,
      from: phoneField(body, 'From'),
      accountSid: field(body, 'AccountSid'),
      country: toCountry && /^[A-Z]{2}$/.test(toCountry) ? toCountry : countryOfNumber(to),
    });
    this.metrics.increment('status_callbacks');
    if (!result.found) {
      this.metrics.increment('status_callbacks_unknown_call');
      this.logger.warn({ event: 'call_status_unknown_call', call_sid: callSid, status }, 'Status callback for a call on a number we do not know');
      return;
    }
    bindLogContext({ company_id: result.company_id });
    if (result.duplicate) this.metrics.increment('status_callbacks_duplicate');
    this.logger.log(
      {
        event: 'call_status',
        call_sid: callSid,
        company_id: result.company_id,
        status,
        applied: result.applied,
        duplicate: result.duplicate,
        session_status: result.status,
      },
      result.applied ? `Call is ${result.status}` : 'Status callback recorded without changing the call',
    );
  }

  /**
   * What a status callback records, from the callback or from Twilio's call resource (the reconciliation): the
   * same SQL function, so a call's final status, usage and price fetch are written once whichever comes first.
   */
  recordStatus(p: Omit<RecordCallStatusParams, 'ratePerMinuteUsd' | 'rateCountry' | 'priceFirstAttemptSeconds'> & { country: string | null }): Promise<RecordedCallStatus> {
    const { country, ...status } = p;
    return this.sessions.recordStatus({
      ...status,
      ratePerMinuteUsd: ratePerMinute(this.config.telephony.rateCard, country),
      rateCountry: country,
      priceFirstAttemptSeconds: this.config.telephony.priceBackfill.firstDelaySeconds,
    });
  }
}
