import { AgentService } from '../src/agent/agent.service.js';
import type { AgentEvent, AgentTurnRequest } from '../src/agent/agent-turn.js';
import { createCompany, randomMexicanNumber } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';

let t: TestApp;
let agent: AgentService;

beforeAll(async () => {
  t = await createTestApp();
  agent = t.app.get(AgentService);
});
afterAll(() => t.close());

async function setup(config: Record<string, unknown>): Promise<string> {
  const { id } = await createCompany(t.db);
  await t.db.call('save_agent_config', { p_company_id: id, p_config: config, p_replace: false });
  await t.db.call('create_knowledge_entries', {
    p_company_id: id,
    p_entries: [
      { title: '¿Cuál es el horario?', content: 'Abrimos de lunes a viernes de 9:00 a 19:00.', tags: [] },
      { title: 'What are your opening hours?', content: 'We open Monday to Friday from 9 am to 7 pm.', tags: [] },
      { title: 'Parking', content: 'There is free parking behind the building.', tags: [] },
    ],
  });
  return id;
}

async function say(
  companyId: string,
  contact: string,
  text: string,
  channel: AgentTurnRequest['channel'] = 'voice',
  callSid = `CA${'0'.repeat(32)}`,
): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const e of agent.respond({ companyId, channel, contact, text, callSid: channel === 'voice' ? callSid : undefined })) events.push(e);
  return events;
}
const textOf = (events: AgentEvent[]): string =>
  events
    .filter((e) => e.type === 'text')
    .map((e) => (e as { text: string }).text)
    .join('');
const ALWAYS_CLOSED = { time_zone: 'America/Mexico_City', weekly: {} };

describe('the knowledge agent', () => {
  it('greets with the configured greeting, and a default one without', async () => {
    const id = await setup({ language: 'es-MX', name: 'Sofía', greeting: 'Hola, Clínica Demo.' });
    expect(await agent.greeting(id)).toEqual({ text: 'Hola, Clínica Demo.', language: 'es-MX', voice: null, within_business_hours: true });
    expect(textOf(await say(id, randomMexicanNumber(), 'hola'))).toBe('Hola, Clínica Demo.');
    const en = await setup({ language: 'en-US', name: 'Max' });
    expect((await agent.greeting(en)).text).toBe('Hello, this is Max. How can I help you?');
  });

  it('answers from the best passage, in Spanish and English', async () => {
    const es = await setup({ language: 'es-MX' });
    expect(await say(es, randomMexicanNumber(), '¿a qué hora abren?')).toEqual([{ type: 'text', text: 'Abrimos de lunes a viernes de 9:00 a 19:00.' }]);
    const en = await setup({ language: 'en-US' });
    expect(textOf(await say(en, randomMexicanNumber(), 'can I park my car there?'))).toBe('There is free parking behind the building.');
  });

  it('with no answer offers a transfer, and transfers on yes', async () => {
    const id = await setup({ language: 'en-US', transfer_number: '+525511112222' });
    const caller = randomMexicanNumber();
    expect(textOf(await say(id, caller, 'do you sell motorcycles?'))).toBe(
      "I'm sorry, I don't have that information. Would you like me to connect you with a person?",
    );
    expect(await say(id, caller, 'yes please')).toEqual([
      { type: 'text', text: 'Of course, I am transferring you to a person now. Please hold.' },
      { type: 'transfer', reason: 'caller asked for a person' },
    ]);
  });

  it('with no answer and no transfer number takes a message', async () => {
    const id = await setup({ language: 'es-MX' });
    const caller = randomMexicanNumber();
    expect(textOf(await say(id, caller, '¿venden bicicletas eléctricas?'))).toBe(
      'Lo siento, no tengo esa información. Si me deja su nombre y su mensaje, lo haré llegar.',
    );
    const events = await say(id, caller, 'Soy Ana, por favor llámenme al 5512345678');
    expect(events).toEqual([
      { type: 'text', text: 'Gracias, ya dejé su mensaje. Nos pondremos en contacto con usted lo antes posible.' },
      { type: 'message_taken', message: 'Soy Ana, por favor llámenme al 5512345678' },
    ]);
  });

  it('hands a caller who asks for a person to the transfer number; a texter gets the number', async () => {
    const id = await setup({ language: 'es-MX', transfer_number: '+525511112222' });
    expect(await say(id, randomMexicanNumber(), 'quiero hablar con una persona')).toEqual([
      { type: 'text', text: 'Claro, le comunico con una persona. Por favor espere en la línea.' },
      { type: 'transfer', reason: 'caller asked for a person' },
    ]);
    expect(await say(id, randomMexicanNumber(), 'talk to a human', 'sms')).toEqual([
      { type: 'text', text: 'Puede hablar con una persona llamando al +525511112222.' },
    ]);
  });

  it('says goodbye and ends the call', async () => {
    const id = await setup({ language: 'en-US' });
    expect(await say(id, randomMexicanNumber(), "ok that's all, bye")).toEqual([
      { type: 'text', text: 'Thank you for getting in touch. Goodbye!' },
      { type: 'end_call', reason: 'caller said goodbye' },
    ]);
  });

  it('says the last answer again', async () => {
    const id = await setup({ language: 'es-MX' });
    const caller = randomMexicanNumber();
    const first = textOf(await say(id, caller, '¿cuál es su horario?'));
    expect(textOf(await say(id, caller, '¿me lo repite, por favor?'))).toBe(first);
    expect(textOf(await say(id, caller, 'no le entendí'))).toBe(first);
  });

  it('outside business hours says so, and takes a message instead of transferring', async () => {
    const id = await setup({ language: 'en-US', transfer_number: '+525511112222', business_hours: ALWAYS_CLOSED });
    const greeting = await agent.greeting(id);
    expect(greeting.within_business_hours).toBe(false);
    const caller = randomMexicanNumber();
    expect(textOf(await say(id, caller, 'what are your opening hours?'))).toBe('We are closed right now. We open Monday to Friday from 9 am to 7 pm.');
    const person = await say(id, caller, 'can I speak to a person');
    expect(person).toEqual([
      {
        type: 'text',
        text: 'We are closed right now. Nobody can take your call right now. Please tell me your name and your message, and we will get back to you.',
      },
    ]);
  });

  it('stores the conversation per channel and contact, so a texter continues', async () => {
    const id = await setup({ language: 'en-US' });
    const texter = randomMexicanNumber();
    await say(id, texter, 'where can I park?', 'whatsapp');
    await say(id, texter, 'say that again', 'whatsapp');
    const turns = await t.db.call<'list_conversation_turns', { role: string; text: string; action: string }[]>('list_conversation_turns', {
      p_company_id: id,
      p_channel: 'whatsapp',
      p_contact: texter,
    });
    expect(turns.map((x) => [x.role, x.action])).toEqual([
      ['user', null],
      ['agent', 'answer'],
      ['user', null],
      ['agent', 'repeat'],
    ]);
    expect(turns[3].text).toBe('There is free parking behind the building.');
    // Another channel is another conversation.
    expect(await t.db.call('list_conversation_turns', { p_company_id: id, p_channel: 'sms', p_contact: texter })).toEqual([]);
  });

  it("starts every call afresh: a new call does not inherit the last call's pending message", async () => {
    const id = await setup({ language: 'en-US' });
    const caller = randomMexicanNumber();
    expect((await say(id, caller, 'do you sell boats?', 'voice', `CA${'a'.repeat(32)}`)).map((e) => e.type)).toEqual(['text']);
    // Same caller, next call: a question is a question, not the message asked for on the previous call.
    expect(textOf(await say(id, caller, 'where can I park?', 'voice', `CA${'b'.repeat(32)}`))).toBe('There is free parking behind the building.');
  });

  it('records nothing for a turn aborted by barge-in', async () => {
    const id = await setup({ language: 'en-US' });
    const caller = randomMexicanNumber();
    const controller = new AbortController();
    for await (const e of agent.respond({ companyId: id, channel: 'voice', contact: caller, text: 'where can I park?', signal: controller.signal })) {
      expect(e.type).toBe('text');
      controller.abort();
    }
    expect(await t.db.call('list_conversation_turns', { p_company_id: id, p_channel: 'voice', p_contact: caller })).toEqual([]);
  });
});
