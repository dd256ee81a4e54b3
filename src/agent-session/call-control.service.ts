import { Inject, Injectable, Logger } from '@nestjs/common';
import twilio from 'twilio';
import { isDialOutNumber } from '../lookup/dial-out.js';
import type { TwilioRestClient } from '../twilio/twilio-rest-client.js';
import { TWILIO_REST_CLIENT } from '../twilio/twilio.tokens.js';

/** Apology words by language, for calls that can no longer be served by the agent. */
const APOLOGY: Record<string, { transfer: string; end: string }> = {
  es: {
    transfer: 'Lo sentimos, tuvimos un problema técnico. Le comunicamos con una persona.',
    end: 'Lo sentimos, tuvimos un problema técnico. Por favor llame de nuevo más tarde.',
  },
  en: {
    transfer: 'We are sorry, something went wrong. Let me connect you with a person.',
    end: 'We are sorry, something went wrong. Please call again later.',
  },
};

function apology(language: string): { transfer: string; end: string } {
  return APOLOGY[language.slice(0, 2).toLowerCase()] ?? APOLOGY.en;
}

/**
 * Changes a live call through Twilio's REST API (call update): works from any instance, whatever TwiML the call
 * is running. Updating a call's TwiML ends its `<Connect>` stream, so the gateway sees `stop` next.
 */
@Injectable()
export class CallControlService {
  private readonly logger = new Logger('CallControl');

  constructor(@Inject(TWILIO_REST_CLIENT) private readonly client: TwilioRestClient) {}

  /** `<Dial>`s the number: the caller leaves the agent and rings the person. */
  async transfer(callSid: string, to: string, options: { say?: string; language?: string } = {}): Promise<void> {
    // The platform's account pays for the dial: only numbers the dial-out rule allows (DESIGN §4).
    if (!isDialOutNumber(to)) throw new Error('The transfer number is not a fixed-line, mobile or toll-free number');
    const response = new twilio.twiml.VoiceResponse();
    if (options.say) response.say({ language: options.language as never }, options.say);
    response.dial({}, to);
    await this.client.calls(callSid).update({ twiml: response.toString() });
    this.logger.log({ event: 'call_transferred', call_sid: callSid }, 'Call transferred');
  }

  /** Hangs up, optionally after saying something. */
  async hangup(callSid: string, options: { say?: string; language?: string } = {}): Promise<void> {
    if (options.say) {
      const response = new twilio.twiml.VoiceResponse();
      response.say({ language: options.language as never }, options.say);
      response.hangup();
      await this.client.calls(callSid).update({ twiml: response.toString() });
    } else {
      await this.client.calls(callSid).update({ status: 'completed' });
    }
    this.logger.log({ event: 'call_hung_up', call_sid: callSid }, 'Call ended');
  }

  /** The agent can no longer serve the call: apologise, then a person if there is a number, else goodbye. */
  async rescue(callSid: string, language: string, transferNumber: string | null): Promise<'transferred' | 'ended'> {
    const words = apology(language);
    if (isDialOutNumber(transferNumber)) {
      await this.transfer(callSid, transferNumber, { say: words.transfer, language });
      return 'transferred';
    }
    await this.hangup(callSid, { say: words.end, language });
    return 'ended';
  }
}
