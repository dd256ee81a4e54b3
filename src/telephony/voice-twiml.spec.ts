import { handoffAsksForPerson } from './connect-action.service.js';
import { backoffSeconds } from './price-backfill.service.js';
import { billableMinutes, countryOfNumber, ratePerMinute } from './rate-card.js';
import { apologyTwiml, connectTwiml, refusalTwiml, transferTwiml } from './voice-twiml.js';

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
