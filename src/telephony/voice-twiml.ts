import twilio from 'twilio';
import { isDialOutNumber } from '../lookup/dial-out.js';
import type { StreamKind } from '../twilio/stream-token.service.js';

type VoiceResponse = InstanceType<typeof twilio.twiml.VoiceResponse>;
type SayLanguage = NonNullable<Parameters<VoiceResponse['say']>[0] extends infer A ? (A extends { language?: infer L } ? L : never) : never>;

/**
 * TwiML for the voice routes through the SDK's builders, which escape attribute values and text, so company-supplied
 * text (a greeting holding `</Say><Dial>`) can never become a verb. The incoming call's `<Connect>` is the one
 * written here: it is on every call's path, and the SDK's XML builder was about a twentieth of the webhook's own CPU. It
 * escapes as the SDK does (its spec compares the two), and drops what XML 1.0 cannot carry at all.
 */

type Message = 'apology' | 'limit' | 'after_hours' | 'transfer' | 'no_transfer';

const MESSAGES: Record<'es' | 'en', Record<Message, string>> = {
  es: {
    apology: 'Lo sentimos, no podemos atender su llamada en este momento.',
    limit: 'Todas nuestras líneas están ocupadas. Por favor, llame de nuevo en unos minutos.',
    after_hours: 'Gracias por llamar. En este momento estamos fuera de nuestro horario de atención. Por favor, llame más tarde.',
    transfer: 'Le comunico con una persona, un momento por favor.',
    no_transfer: 'Lo sentimos, en este momento no hay nadie disponible para atenderle. Por favor, llame más tarde.',
  },
  en: {
    apology: "We're sorry, we can't take your call right now.",
    limit: 'All our lines are busy. Please call again in a few minutes.',
    after_hours: "Thank you for calling. We're closed right now. Please call again during business hours.",
    transfer: 'Connecting you to a person, one moment please.',
    no_transfer: "We're sorry, nobody is available to take your call right now. Please call again later.",
  },
};

/** Says a message in the company's language; in Spanish and English when the language is unknown or neither. */
function say(response: VoiceResponse, message: Message, language: string | null | undefined): void {
  const primary = (language ?? '').toLowerCase().split('-')[0];
  if (primary === 'es' || primary === 'en') {
    const fallback = primary === 'es' ? 'es-MX' : 'en-US';
    response.say({ language: ((language ?? '').includes('-') ? language : fallback) as SayLanguage }, MESSAGES[primary][message]);
    return;
  }
  response.say({ language: 'es-MX' }, MESSAGES.es[message]);
  response.say({ language: 'en-US' }, MESSAGES.en[message]);
}

export interface ConnectTwimlInput {
  kind: StreamKind;
  /** The WebSocket URL on PUBLIC_BASE_URL's host (`wss://host/conversation-relay` or `/media-stream`). */
  streamUrl: string;
  /** Where Twilio posts when `<Connect>` ends (hand-off). */
  actionUrl: string;
  token: string;
  language: string;
  greeting?: string | null;
  /** ConversationRelay's voice: sent only with its provider (alone, Twilio reads it as an ElevenLabs voice). */
  voice?: string | null;
  ttsProvider?: string | null;
}

export function connectTwiml(input: ConnectTwimlInput): string {
  const parameter = `<Parameter${attribute('name', 'token')}${attribute('value', input.token)}/>`;
  let stream: string;
  if (input.kind === 'conversation_relay') {
    const attributes =
      attribute('url', input.streamUrl) +
      attribute('language', input.language) +
      (input.greeting ? attribute('welcomeGreeting', input.greeting) : '') +
      (input.ttsProvider ? attribute('ttsProvider', input.ttsProvider) : '') +
      (input.ttsProvider && input.voice ? attribute('voice', input.voice) : '') +
      // tokensPlayed receipts: the gateway sends `end` only once the goodbye has been heard
      attribute('debug', 'tokens-played');
    stream = `<ConversationRelay${attributes}>${parameter}</ConversationRelay>`;
  } else {
    stream = `<Stream${attribute('url', input.streamUrl)}>${parameter}</Stream>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Connect${attribute('action', input.actionUrl)}>${stream}</Connect></Response>`;
}

/** Characters XML 1.0 cannot carry even escaped (controls, lone surrogates, U+FFFE/U+FFFF); none can be spoken. */
const NOT_XML = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' };

/** ` name="value"`, escaped as the SDK's builder escapes attribute values. */
function attribute(name: string, value: string): string {
  return ` ${name}="${value.replace(NOT_XML, '').replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c])}"`;
}

export function refusalTwiml(reason: 'limit' | 'after_hours', language: string | null | undefined): string {
  const response = new twilio.twiml.VoiceResponse();
  say(response, reason, language);
  response.hangup();
  return response.toString();
}

/**
 * For any failure: an apology, then the company's fallback number when we know it. Every <Dial> checks the
 * dial-out rule again: a number saved before the rule existed is never dialed at the platform's expense.
 */
export function apologyTwiml(language: string | null | undefined, fallbackNumber?: string | null): string {
  const response = new twilio.twiml.VoiceResponse();
  say(response, 'apology', language);
  if (isDialOutNumber(fallbackNumber)) response.dial(fallbackNumber);
  else response.hangup();
  return response.toString();
}

export function transferTwiml(number: string, language: string | null | undefined): string {
  if (!isDialOutNumber(number)) return noTransferTwiml(language);
  const response = new twilio.twiml.VoiceResponse();
  say(response, 'transfer', language);
  response.dial(number);
  return response.toString();
}

export function noTransferTwiml(language: string | null | undefined): string {
  const response = new twilio.twiml.VoiceResponse();
  say(response, 'no_transfer', language);
  response.hangup();
  return response.toString();
}

export function hangupTwiml(): string {
  const response = new twilio.twiml.VoiceResponse();
  response.hangup();
  return response.toString();
}
