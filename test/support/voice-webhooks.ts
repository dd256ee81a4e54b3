import { randomBytes } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import request from 'supertest';
import { signTwilioRequest } from '../../src/twilio/twilio-request-validator.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN } from './test-config.js';

type App = Parameters<typeof request>[0];

/** A fresh Twilio-shaped call SID. */
export function newCallSid(): string {
  return `CA${randomBytes(16).toString('hex')}`;
}

/** The form Twilio posts to the voice URL for an inbound call (with the legacy and geographic duplicates it adds). */
export function voiceWebhook(overrides: Record<string, string> = {}): Record<string, string> {
  const to = overrides.To ?? '+525512345678';
  const from = overrides.From ?? '+525598765432';
  return {
    AccountSid: TEST_TWILIO_ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: newCallSid(),
    CallStatus: 'ringing',
    Called: to,
    CalledCountry: 'MX',
    Caller: from,
    CallerCountry: 'MX',
    Direction: 'inbound',
    From: from,
    FromCountry: 'MX',
    To: to,
    ToCountry: 'MX',
    ...overrides,
  };
}

/** A call status callback. */
export function statusCallback(callSid: string, status: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AccountSid: TEST_TWILIO_ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: status,
    CallbackSource: 'call-progress-events',
    Direction: 'inbound',
    From: '+525598765432',
    To: '+525512345678',
    ToCountry: 'MX',
    Timestamp: new Date().toUTCString().replace('GMT', '+0000'),
    ...overrides,
  };
}

export interface SignOptions {
  /** The URL base Twilio signs with (PUBLIC_BASE_URL). */
  baseUrl?: string;
  authToken?: string;
  /** Override the header value entirely (null: no header). */
  signature?: string | null;
}

/** POSTs a form the way Twilio does: signed over PUBLIC_BASE_URL + path with every parameter. */
export function signedPost(server: App, path: string, params: Record<string, string>, options: SignOptions = {}): request.Test {
  const url = `${options.baseUrl ?? TEST_PUBLIC_BASE_URL}${path}`;
  const signature = options.signature === undefined ? signTwilioRequest(options.authToken ?? TEST_TWILIO_AUTH_TOKEN, url, params) : options.signature;
  const req = request(server).post(path).type('form').send(params);
  return signature === null ? req : req.set('X-Twilio-Signature', signature);
}

export type TwimlNode = Record<string, unknown>;

/** Parses TwiML, failing on anything that is not well-formed XML; attributes come as `@_name`. */
export function parseTwiml(xml: string): { Response: TwimlNode } {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`Not well-formed XML: ${JSON.stringify(valid.err)}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    isArray: (name) => ['Say', 'Parameter', 'Dial'].includes(name),
  });
  return parser.parse(xml) as { Response: TwimlNode };
}

/** The verbs of a TwiML response, in order. */
export function verbs(xml: string): string[] {
  const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: true });
  const doc = parser.parse(xml) as Array<Record<string, unknown>>;
  const response = doc.find((node) => 'Response' in node)?.Response as Array<Record<string, unknown>> | undefined;
  return (response ?? []).flatMap((node) => Object.keys(node).filter((k) => k !== ':@' && k !== '#text'));
}
