import { Injectable } from '@nestjs/common';
import twilio from 'twilio';
import { AppConfig } from '../config/app-config.js';

export type TwilioParams = Record<string, string | string[]>;

/**
 * Checks `X-Twilio-Signature` with the official algorithm. The URL is always PUBLIC_BASE_URL + the path and
 * query as received: never rebuilt from Host or X-Forwarded-* headers, which a caller controls.
 */
@Injectable()
export class TwilioRequestValidator {
  private readonly base: URL;

  constructor(private readonly config: AppConfig) {
    this.base = new URL(config.publicBaseUrl);
  }

  /** The URL Twilio signed for a request whose path and query we received (`originalUrl`). */
  publicUrl(originalUrl: string, protocol: 'http' | 'ws' = 'http'): string {
    const prefix = this.base.pathname.replace(/\/+$/, '');
    const scheme = protocol === 'ws' ? this.base.protocol.replace('http', 'ws') : this.base.protocol;
    return `${scheme}//${this.base.host}${prefix}${originalUrl}`;
  }

  isValidForm(url: string, signature: string | undefined, params: TwilioParams): boolean {
    if (!signature) return false;
    return twilio.validateRequest(this.config.twilio.authToken, signature, url, params);
  }

  /** JSON bodies: the signed URL carries `bodySHA256`, the hash of the raw body. */
  isValidJson(url: string, signature: string | undefined, rawBody: string): boolean {
    if (!signature || !new URL(url).searchParams.has('bodySHA256')) return false;
    return twilio.validateRequestWithBody(this.config.twilio.authToken, signature, url, rawBody);
  }
}

/** Signs like Twilio does: for tests, the call simulator and benchmarks. */
export function signTwilioRequest(authToken: string, url: string, params: TwilioParams = {}): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}
