import { Inject, Injectable } from '@nestjs/common';
import twilio from 'twilio';
import type { TwilioRestClient } from '../twilio/twilio-rest-client.js';
import { TWILIO_REST_CLIENT } from '../twilio/twilio.tokens.js';

export type CallPrice = { kind: 'priced'; price: number; unit: string } | { kind: 'pending' } | { kind: 'not_found' };

/** Reads a call's price from Twilio (`GET /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json`). */
@Injectable()
export class TwilioCallPriceClient {
  constructor(@Inject(TWILIO_REST_CLIENT) private readonly client: TwilioRestClient) {}

  /** `pending` while Twilio has not priced the call yet; other failures throw (the caller retries). */
  async fetch(accountSid: string, callSid: string): Promise<CallPrice> {
    try {
      const call = await this.client.api.v2010.accounts(accountSid).calls(callSid).fetch();
      if (call.price === null || call.price === undefined || String(call.price).trim() === '') return { kind: 'pending' };
      const value = Number(call.price);
      if (!Number.isFinite(value)) throw new Error(`Twilio returned a price that is not a number: ${JSON.stringify(call.price)}`);
      // Twilio writes charges as negative amounts ("-0.01700").
      return { kind: 'priced', price: Math.abs(value), unit: (call.priceUnit ?? 'USD').toUpperCase() };
    } catch (error) {
      if (error instanceof twilio.RestException && error.status === 404) return { kind: 'not_found' };
      throw error;
    }
  }
}
