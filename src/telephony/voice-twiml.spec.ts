import { handoffAsksForPerson } from './connect-action.service.js';
import { backoffSeconds } from './price-backfill.service.js';
import { billableMinutes, countryOfNumber, ratePerMinute } from './rate-card.js';
import twilio from 'twilio';
import { apologyTwiml, connectTwiml, ConnectTwimlInput, refusalTwiml, transferTwiml } from './voice-twiml.js';

/** The same <Connect> through the SDK's builder: what the hand-written one must equal. */
function sdkConnectTwiml(input: ConnectTwimlInput): string {
  const response = new twilio.twiml.VoiceResponse();
  const connect = response.connect({ action: input.actionUrl });
  if (input.kind === 'conversation_relay') {
    connect
      .conversationRelay({
        url: input.streamUrl,
        language: input.language,
        ...(input.greeting ? { welcomeGreeting: input.greeting } : {}),
        ...(input.ttsProvider ? { ttsProvider: input.ttsProvider } : {}),
        ...(input.ttsProvider && input.voice ? { voice: input.voice } : {}),
        debug: 'tokens-played',
      })
      .parameter({ name: 'token', value: input.token });
  } else {
    connect.stream({ url: input.streamUrl }).parameter({ name: 'token', value: input.token });
  }
  return response.toString();
}

describe('voice TwiML', () => {
  it('builds ConversationRelay with the token as a <Parameter>', () => {
    const xml = connectTwiml({
      kind: 'conversation_relay',
      streamUrl: 'wss://h/conversation-relay',
      actionUrl: 'https://h/voice/connect-action',
      token: 'a.b',
      language: 'es-MX',
      greeting: 'Hola',
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="https://h/voice/connect-action">' +
        '<ConversationRelay url="wss://h/conversation-relay" language="es-MX" welcomeGreeting="Hola" debug="tokens-played"><Parameter name="token" value="a.b"/></ConversationRelay>' +
        '</Connect></Response>',
    );
  });

  it('escapes text so that it cannot become a verb', () => {
    const xml = connectTwiml({
      kind: 'conversation_relay',
      streamUrl: 'wss://h/r',
      actionUrl: 'https://h/a',
      token: 't',
      language: 'es-MX',
      greeting: '</Say><Dial>+1555</Dial>"',
    });
    expect(xml).toContain('welcomeGreeting="&lt;/Say>&lt;Dial>+1555&lt;/Dial>&quot;"'); // '>' needs no escape in an attribute
    expect(xml).not.toContain('<Dial>');
  });

  it.each([
    'Hola, ¿en qué le ayudo?',
    '</Say><Dial>+1555</Dial>',
    `Tom & Jerry's "shop" <b>`,
    'already &amp; escaped &lt;',
    'tab\there\nnew line\r\nand CR',
    'emoji 📞 and 漢字 and ñ',
    '> alone',
  ])('writes <Connect> exactly as the SDK would, for a greeting like %j', (greeting) => {
    for (const kind of ['conversation_relay', 'media_stream'] as const) {
      const input: ConnectTwimlInput = {
        kind,
        streamUrl: 'wss://h.example/conversation-relay?x=1&y="2"',
        actionUrl: 'https://h.example/voice/connect-action',
        token: 'eyJ.a-b_c.d&e',
        language: 'es-MX',
        greeting,
        voice: 'es-MX-Neural2-A & "x"',
        ttsProvider: 'Google',
      };
      expect(connectTwiml(input)).toBe(sdkConnectTwiml(input));
      expect(connectTwiml({ ...input, greeting: null, voice: null, ttsProvider: null })).toBe(
        sdkConnectTwiml({ ...input, greeting: null, voice: null, ttsProvider: null }),
      );
      expect(connectTwiml({ ...input, ttsProvider: null })).toBe(sdkConnectTwiml({ ...input, ttsProvider: null }));
    }
  });

  it('drops what XML 1.0 cannot carry (controls, lone surrogates) instead of writing TwiML Twilio would refuse', () => {
    const xml = connectTwiml({
      kind: 'conversation_relay',
      streamUrl: 'wss://h/r',
      actionUrl: 'https://h/a',
      token: 't',
      language: 'es-MX',
      greeting: 'a\u0001b\u0008c\ud800d\udc00e\uffff f 📞',
    });
    expect(xml).toContain('welcomeGreeting="abcde f 📞"');
  });

  it('speaks the company language, or Spanish and English when it is neither', () => {
    expect(refusalTwiml('limit', 'en-GB')).toContain('<Say language="en-GB">All our lines are busy');
    expect(apologyTwiml('fr-FR')).toMatch(/<Say language="es-MX">Lo sentimos.*<Say language="en-US">We're sorry.*<Hangup\/>/);
    expect(apologyTwiml('es', '+525511112222')).toMatch(/<Say language="es-MX">.*<Dial>\+525511112222<\/Dial>/);
    expect(transferTwiml('+12025550111', 'en-US')).toMatch(/Connecting you.*<Dial>\+12025550111<\/Dial>/);
  });
});

describe('hand-off data', () => {
  it.each([
    ['{"reasonCode":"live-agent-handoff","reason":"x"}', true],
    ['{"reason_code":"transfer"}', true],
    ['{"transfer":true}', true],
    ['{"reasonCode":"end-of-conversation"}', false],
    ['"live-agent-handoff"', false],
    ['{broken', false],
    [null, false],
  ])('%s asks for a person: %s', (data, expected) => expect(handoffAsksForPerson(data)).toBe(expected));
});

describe('rates and backoff', () => {
  it('bills started minutes', () => {
    expect([0, 1, 59, 60, 61, 3600].map(billableMinutes)).toEqual([0, 1, 1, 1, 2, 60]);
  });
  it('prices by country with a default', () => {
    const card = { MX: 0.01, US: 0.0085, default: 0.013 };
    expect(ratePerMinute(card, countryOfNumber('+525512345678'))).toBe(0.01);
    expect(ratePerMinute(card, countryOfNumber('+14155550100'))).toBe(0.0085);
    expect(ratePerMinute(card, countryOfNumber('+442071838750'))).toBe(0.013);
    expect(ratePerMinute(card, countryOfNumber('client:alice'))).toBe(0.013);
  });
  it('backs off exponentially up to six hours', () => {
    expect([1, 2, 3, 4].map(backoffSeconds)).toEqual([60, 120, 240, 480]);
    expect(backoffSeconds(30)).toBe(6 * 3600);
  });
});
