import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { signTwilioRequest } from '../src/twilio/twilio-request-validator.js';
import { addPhoneNumber, createCompany, linkUserToNumber, randomMexicanNumber } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_AUTH_TOKEN } from './support/test-config.js';

const URL = `${TEST_PUBLIC_BASE_URL}/whatsapp/webhook`;
const XML = '<?xml version="1.0" encoding="UTF-8"?>';
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const sid = (): string => `SM${randomBytes(16).toString('hex')}`;
function inbound(params: Record<string, string>, signature = signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, URL, params)): request.Test {
  const req = request(t.server).post('/whatsapp/webhook').type('form');
  if (signature) req.set('X-Twilio-Signature', signature);
  return req.send(params);
}
const message = (overrides: Record<string, string>): Record<string, string> => ({
  MessageSid: sid(),
  SmsSid: '',
  AccountSid: 'AC11111111111111111111111111111111',
  NumMedia: '0',
  NumSegments: '1',
  SmsStatus: 'received',
  ApiVersion: '2010-04-01',
  FromCountry: 'MX',
  ToCountry: 'MX',
  ...overrides,
});

async function company(language: string, entries: { title: string; content: string }[]): Promise<{ id: string; number: string; owner: string }> {
  const { id } = await createCompany(t.db);
  const number = await addPhoneNumber(t.db, id);
  const owner = randomUUID();
  await linkUserToNumber(t.db, number, owner, id);
  await t.db.call('save_agent_config', { p_company_id: id, p_config: { language }, p_replace: false });
  await t.db.call('create_knowledge_entries', { p_company_id: id, p_entries: entries.map((e) => ({ ...e, tags: [] })) });
  return { id, number, owner };
}
const usage = async (companyId: string): Promise<{ kind: string; user_id: string; quantity: string }[]> =>
  (await t.db.pool.query('select kind, user_id, quantity::text from public.usage_events where company_id = $1 order by kind', [companyId])).rows;
const turns = async (companyId: string): Promise<number> =>
  Number((await t.db.pool.query('select count(*) n from public.conversation_turns where company_id = $1', [companyId])).rows[0].n);

describe('POST /whatsapp/webhook', () => {
  let en: { id: string; number: string; owner: string };
  let es: { id: string; number: string; owner: string };
  beforeAll(async () => {
    en = await company('en-US', [
      { title: 'What are your opening hours?', content: 'We open Monday to Friday, 9 am to 7 pm.' },
      { title: 'Prices', content: 'Cleaning costs < 100 dollars & includes a check-up.' },
    ]);
    es = await company('es-MX', [{ title: '¿Cuál es el horario?', content: 'Abrimos de lunes a viernes de 9:00 a 19:00.' }]);
  });

  it("answers an SMS in English with TwiML <Message>, records usage for the company and the number's user", async () => {
    const from = '+14155550123';
    const res = await inbound(message({ From: from, To: en.number, Body: 'When are you open?' }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.text).toBe(`${XML}<Response><Message>We open Monday to Friday, 9 am to 7 pm.</Message></Response>`);
    expect(await usage(en.id)).toEqual([
      { kind: 'sms_message_inbound', user_id: en.owner, quantity: '1.0000' },
      { kind: 'sms_message_outbound', user_id: en.owner, quantity: '1.0000' },
    ]);
    const stored = await t.db.call<'list_conversation_turns', { role: string }[]>('list_conversation_turns', {
      p_company_id: en.id,
      p_channel: 'sms',
      p_contact: from,
    });
    expect(stored.map((x) => x.role)).toEqual(['user', 'agent']);
  });

  it('escapes the reply text in the TwiML', async () => {
    const res = await inbound(message({ From: '+14155550124', To: en.number, Body: 'how much does cleaning cost?' }));
    expect(res.text).toBe(`${XML}<Response><Message>Cleaning costs &lt; 100 dollars &amp; includes a check-up.</Message></Response>`);
  });

  it('answers WhatsApp in Spanish with Mexican +521 numbers, and the texter continues the conversation', async () => {
    const local = randomMexicanNumber().slice(3);
    const from = `whatsapp:+521${local}`;
    const to = `whatsapp:+521${es.number.slice(3)}`;
    const first = await inbound(message({ From: from, To: to, Body: '¿A qué hora abren?', ProfileName: 'Ana', WaId: `521${local}` }));
    expect(first.status).toBe(200);
    expect(first.text).toBe(`${XML}<Response><Message>Abrimos de lunes a viernes de 9:00 a 19:00.</Message></Response>`);
    const again = await inbound(message({ From: from, To: to, Body: '¿Me lo repite?' }));
    expect(again.text).toBe(`${XML}<Response><Message>Abrimos de lunes a viernes de 9:00 a 19:00.</Message></Response>`);
    const stored = await t.db.call<'list_conversation_turns', { action: string | null }[]>('list_conversation_turns', {
      p_company_id: es.id,
      p_channel: 'whatsapp',
      p_contact: `+52${local}`,
    });
    expect(stored.map((x) => x.action)).toEqual([null, 'answer', null, 'repeat']);
    expect((await usage(es.id)).map((u) => u.kind)).toEqual(expect.arrayContaining(['whatsapp_message_inbound', 'whatsapp_message_outbound']));
  });

  it('answers a media-only message with a polite text in the company language', async () => {
    const res = await inbound(
      message({
        From: 'whatsapp:+5215511112222',
        To: `whatsapp:${es.number}`,
        Body: '',
        NumMedia: '1',
        MediaUrl0: 'https://api.twilio.com/media/ME1',
        MediaContentType0: 'image/jpeg',
      }),
    );
    expect(res.text).toBe(
      `${XML}<Response><Message>¡Gracias por su mensaje! Por ahora solo puedo leer texto: escríbame su pregunta y con gusto le ayudo.</Message></Response>`,
    );
  });

  it('gives an unknown number an empty <Response/> and stores nothing', async () => {
    // Counted by this message's sid (the usage key): other suites write usage on a shared server at the same time.
    const messageSid = sid();
    const res = await inbound(message({ MessageSid: messageSid, From: '+14155550125', To: randomMexicanNumber(), Body: 'hello?' }));
    expect(res.status).toBe(200);
    expect(res.text).toBe(`${XML}<Response/>`);
    const stored = await t.db.pool.query('select count(*) n from public.usage_events where idempotency_key like $1', [`message:${messageSid}:%`]);
    expect(Number(stored.rows[0].n)).toBe(0);
  });

  it('counts a redelivered message once', async () => {
    const c = await company('en-US', [{ title: 'Parking', content: 'Free parking behind the building.' }]);
    const params = message({ From: '+14155550126', To: c.number, Body: 'where do I park?' });
    await inbound(params).expect(200);
    await inbound(params).expect(200);
    expect((await usage(c.id)).length).toBe(2);
    expect(await turns(c.id)).toBe(2);
  });

  it.each([
    ['a missing signature', ''],
    ['a signature made with another token', signTwilioRequest('not-the-token', URL, { Body: 'x' })],
  ])('refuses %s with 403 and stores nothing', async (_, signature) => {
    const c = await company('en-US', [{ title: 'Parking', content: 'Free parking.' }]);
    const res = await inbound(message({ From: '+14155550127', To: c.number, Body: 'parking?' }), signature);
    expect(res.status).toBe(403);
    expect(await usage(c.id)).toEqual([]);
    expect(await turns(c.id)).toBe(0);
  });

  it('refuses a forged body (signed params changed) with 403 and stores nothing', async () => {
    const c = await company('en-US', [{ title: 'Parking', content: 'Free parking.' }]);
    const signed = message({ From: '+14155550128', To: c.number, Body: 'parking?' });
    const res = await inbound({ ...signed, Body: 'something else' }, signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, URL, signed));
    expect(res.status).toBe(403);
    expect(await usage(c.id)).toEqual([]);
  });
});
