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

/** A call update is tried this many times when Twilio does not answer or answers 5xx/429, each bounded. */
const UPDATE_ATTEMPTS = 3;
const UPDATE_ATTEMPT_TIMEOUT_MS = 1_500;
const UPDATE_BACKOFF_MS = [200, 500];

/** Twilio refusing for good (4xx other than 429) is not retried: the call is gone or the request is wrong. */
function retryable(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status !== 'number' || status >= 500 || status === 429;
}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Twilio did not answer the call update within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
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
    await this.update(callSid, { twiml: response.toString() });
    this.logger.log({ event: 'call_transferred', call_sid: callSid }, 'Call transferred');
  }

  /** Hangs up, optionally after saying something. */
  async hangup(callSid: string, options: { say?: string; language?: string } = {}): Promise<void> {
    if (options.say) {
      const response = new twilio.twiml.VoiceResponse();
      response.say({ language: options.language as never }, options.say);
      response.hangup();
      await this.update(callSid, { twiml: response.toString() });
    } else {
      await this.update(callSid, { status: 'completed' });
    }
    this.logger.log({ event: 'call_hung_up', call_sid: callSid }, 'Call ended');
  }

  /**
   * The agent can no longer serve the call: apologise, then dial a person when there is a number (the caller passes
   * the transfer number, else the fallback number), else goodbye.
   */
  async rescue(callSid: string, language: string, handoffNumber: string | null): Promise<'transferred' | 'ended'> {
    const words = apology(language);
    if (isDialOutNumber(handoffNumber)) {
      await this.transfer(callSid, handoffNumber, { say: words.transfer, language });
      return 'transferred';
    }
    await this.hangup(callSid, { say: words.end, language });
    return 'ended';
  }

  /** One call update, retried (bounded) while Twilio does not answer or answers 5xx/429; the last failure is thrown. */
  private async update(callSid: string, params: { twiml: string } | { status: 'completed' }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await within(this.client.calls(callSid).update(params), UPDATE_ATTEMPT_TIMEOUT_MS);
        return;
      } catch (error) {
        if (attempt >= UPDATE_ATTEMPTS || !retryable(error)) throw error;
        this.logger.warn({ event: 'call_update_retry', call_sid: callSid, attempt, err: error }, 'Twilio did not take the call update; retrying');
        await new Promise((resolve) => setTimeout(resolve, UPDATE_BACKOFF_MS[attempt - 1] ?? 500));
      }
    }
  }
}
