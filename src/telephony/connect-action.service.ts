import { Injectable, Logger } from '@nestjs/common';
import { isDialOutNumber } from '../lookup/dial-out.js';
import { CallSessionRepository } from './call-session.repository.js';
import { bindLogContext } from '../logging/log-context.js';
import { field, isValidCallSid, TwilioForm } from './twilio-form.js';
import { apologyTwiml, hangupTwiml, noTransferTwiml, transferTwiml } from './voice-twiml.js';

/**
 * The `reasonCode` values (in ConversationRelay's `HandoffData` JSON string) that ask for a person. The gateway
 * ends the session with `{"type":"end","handoffData":"{\"reasonCode\":\"live-agent-handoff\",\"reason\":\"…\"}"}`.
 */
export const PERSON_HANDOFF_REASONS = ['live-agent-handoff', 'transfer', 'human'] as const;

export function handoffAsksForPerson(handoffData: string | null): boolean {
  if (!handoffData) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(handoffData);
  } catch {
    return false;
  }
  if (!parsed || typeof parsed !== 'object') return false;
  const record = parsed as Record<string, unknown>;
  const reason = record.reasonCode ?? record.reason_code;
  return (typeof reason === 'string' && (PERSON_HANDOFF_REASONS as readonly string[]).includes(reason)) || record.transfer === true;
}

/**
 * `POST /voice/connect-action`: Twilio's `<Connect action>` callback when the agent session ends. A hand-off
 * asking for a person dials the company's transfer number (its fallback number when no transfer number is set);
 * a session that failed apologises and dials the fallback number; a media stream whose agent failed (the session
 * is marked for rescue) apologises and dials the transfer or fallback number; anything else hangs up.
 */
@Injectable()
export class ConnectActionService {
  private readonly logger = new Logger('ConnectAction');

  constructor(private readonly sessions: CallSessionRepository) {}

  async handle(body: TwilioForm): Promise<string> {
    const callSid = field(body, 'CallSid');
    if (isValidCallSid(callSid)) bindLogContext({ call_sid: callSid });
    const wantsPerson = handoffAsksForPerson(field(body, 'HandoffData'));
    const failed = field(body, 'SessionStatus') === 'failed';
    // A Media Streams <Connect> ends without a SessionStatus when our socket closes: the session says whether the
    // agent failed the call (and the rescue's call update did not reach Twilio).
    const mayBeRescue = !field(body, 'SessionStatus') && field(body, 'CallStatus') !== 'completed';
    if (!wantsPerson && !failed && !mayBeRescue) return hangupTwiml();
    try {
      const target = isValidCallSid(callSid) ? await this.sessions.handoffTarget(callSid) : null;
      const log = { call_sid: callSid, company_id: target?.company_id, error_code: field(body, 'ErrorCode') };
      if (!wantsPerson && !failed) {
        if (!target?.rescue_requested) return hangupTwiml();
        this.logger.warn({ event: 'agent_rescue_by_action', ...log }, 'The agent failed and the rescue did not reach Twilio; apologising and dialling');
        return apologyTwiml(target.language, target.transfer_number ?? target.fallback_number);
      }
      if (failed) {
        this.logger.warn({ event: 'agent_session_failed', ...log }, 'The agent session failed; apologising');
        return apologyTwiml(target?.language, target?.fallback_number);
      }
      const number = [target?.transfer_number, target?.fallback_number].find(isDialOutNumber);
      this.logger.log(
        { event: 'call_handoff', ...log, transferred: Boolean(number) },
        number ? 'Transferring the caller to a person' : 'No transfer number: telling the caller',
      );
      return number ? transferTwiml(number, target?.language) : noTransferTwiml(target?.language);
    } catch (error) {
      this.logger.error({ event: 'call_handoff_failed', call_sid: callSid, err: error }, 'Hand-off failed; apologising');
      return wantsPerson || failed ? apologyTwiml(undefined) : hangupTwiml();
    }
  }
}
