import { Inject, Injectable } from '@nestjs/common';
import twilio from 'twilio';
import type { TwilioRestClient } from '../twilio/twilio-rest-client.js';
import { TWILIO_REST_CLIENT } from '../twilio/twilio.tokens.js';
import { CALL_STATUSES, CallStatus } from './call-session.types.js';

/** A call as Twilio reports it now: what its status callback would have told us. */
export interface TwilioCallState {
  status: CallStatus;
  durationSeconds: number | null;
  endedAt: Date | null;
  to: string | null;
  from: string | null;
  accountSid: string | null;
}

export type TwilioCallLookup = { kind: 'found'; call: TwilioCallState } | { kind: 'not_found' };

/** Reads a call's status from Twilio (`GET /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json`). */
@Injectable()
export class TwilioCallStatusClient {
  constructor(@Inject(TWILIO_REST_CLIENT) private readonly client: TwilioRestClient) {}

  /** `not_found` when Twilio has no such call; anything else that fails throws (the caller retries later). */
  async fetch(accountSid: string, callSid: string): Promise<TwilioCallLookup> {
    try {
      const call = await this.client.api.v2010.accounts(accountSid).calls(callSid).fetch();
      const status = String(call.status);
      if (!(CALL_STATUSES as readonly string[]).includes(status)) throw new Error(`Twilio returned an unknown call status: ${JSON.stringify(status)}`);
      const duration = call.duration === null || call.duration === undefined ? null : Number(call.duration);
      return {
        kind: 'found',
        call: {
          status: status as CallStatus,
          durationSeconds: duration !== null && Number.isInteger(duration) && duration >= 0 ? duration : null,
          endedAt: call.endTime instanceof Date && !Number.isNaN(call.endTime.getTime()) ? call.endTime : null,
          to: call.to || null,
          from: call.from || null,
          accountSid: call.accountSid || null,
        },
      };
    } catch (error) {
      if (error instanceof twilio.RestException && error.status === 404) return { kind: 'not_found' };
      throw error;
    }
  }
}
