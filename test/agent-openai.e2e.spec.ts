import type { AgentContext } from '../src/agent/agent-context.js';
import { AgentService } from '../src/agent/agent.service.js';
import { KnowledgeBrain } from '../src/agent/knowledge.brain.js';
import { OpenAiBrain } from '../src/agent/openai.brain.js';
import type { AgentEvent } from '../src/agent/agent-turn.js';
import { randomBytes } from 'node:crypto';
import { signTwilioRequest } from '../src/twilio/twilio-request-validator.js';
import { addPhoneNumber, createCompany, randomMexicanNumber } from './support/factories.js';
import { FakeOpenAiChatServer } from './support/fake-openai-chat-server.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_AUTH_TOKEN, testConfig } from './support/test-config.js';
import { bearer, testUser } from './support/tokens.js';
import request from 'supertest';

let t: TestApp;
let agent: AgentService;
const llm = new FakeOpenAiChatServer();
const TIMEOUT_MS = 400;
/** USD per million tokens of the priced test model (OPENAI_LLM_RATE_CARD). */
const PRICES = { 'priced-model': { input: 2, output: 8 } };

beforeAll(async () => {
  const baseUrl = await llm.start();
  t = await createTestApp({
    config: testConfig({ openai: { apiKey: 'sk-test-key', baseUrl, model: 'default-model' }, agent: { llmTimeoutMs: TIMEOUT_MS, llmRates: PRICES } }),
  });
  agent = t.app.get(AgentService);
});
afterAll(async () => {
  await t.close();
  await llm.stop();
});

/** One call per company: usage names its call, and a call belongs to one company (sql/0052). */
const callSidOf = (companyId: string): string => `CA${companyId.replace(/-/g, '')}`;

async function company(config: Record<string, unknown> = {}): Promise<string> {
  const { id } = await createCompany(t.db);
  await t.db.call('save_agent_config', {
    p_company_id: id,
    p_config: { language: 'en-US', brain: 'openai', name: 'Max', instructions: 'Be kind.', ...config },
    p_replace: false,
  });
  await t.db.call('create_knowledge_entries', {
    p_company_id: id,
    p_entries: [{ title: 'What are your opening hours?', content: 'We open Monday to Friday from 9 am to 7 pm.', tags: [] }],
  });
  return id;
}
async function say(companyId: string, contact: string, text: string): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const e of agent.respond({ companyId, channel: 'voice', contact, text, callSid: callSidOf(companyId) })) events.push(e);
  return events;
}
const usage = async (companyId: string): Promise<{ kind: string; quantity: string; unit: string; call_sid: string }[]> =>
  (await t.db.pool.query('select kind, quantity::text, unit, call_sid from public.usage_events where company_id = $1 order by kind', [companyId])).rows;

describe('the openai brain', () => {
  it('streams the answer chunk by chunk, sends the right request and records token usage', async () => {
    const id = await company({ model: 'company-model' });
    const caller = randomMexicanNumber();
    llm.enqueue({ kind: 'text', chunks: ['We open ', 'at 9 am', ' on weekdays.'], usage: { prompt_tokens: 321, completion_tokens: 12 } });
    const events = await say(id, caller, 'when do you open?');
    expect(events).toEqual([
      { type: 'text', text: 'We open ' },
      { type: 'text', text: 'at 9 am' },
      { type: 'text', text: ' on weekdays.' },
    ]);
    const sent = llm.requests.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-test-key');
    expect(sent.body).toMatchObject({ model: 'company-model', stream: true, stream_options: { include_usage: true } });
    expect(sent.body.tools!.map((tool) => tool.function.name)).toEqual(['transfer_call', 'end_call', 'take_message']);
    expect(sent.body.messages[0].role).toBe('system');
    expect(sent.body.messages[0].content).toContain('We open Monday to Friday from 9 am to 7 pm.');
    expect(sent.body.messages[0].content).toContain('Be kind.');
    expect(sent.body.messages.at(-1)).toEqual({ role: 'user', content: 'when do you open?' });
    expect(await usage(id)).toEqual([
      { kind: 'llm_input_tokens', quantity: '321.0000', unit: 'tokens', call_sid: callSidOf(id) },
      { kind: 'llm_output_tokens', quantity: '12.0000', unit: 'tokens', call_sid: callSidOf(id) },
    ]);

    // The next turn carries the history.
    llm.enqueue({ kind: 'text', chunks: ['You are welcome.'] });
    await say(id, caller, 'thanks');
    expect(llm.requests.at(-1)!.body.messages.slice(1)).toEqual([
      { role: 'user', content: 'when do you open?' },
      { role: 'assistant', content: 'We open at 9 am on weekdays.' },
      { role: 'user', content: 'thanks' },
    ]);
  });

  it('turns tool calls into actions, and speaks a sentence when the model only called a tool', async () => {
    const id = await company({ transfer_number: '+525511112222' });
    llm.enqueue({ kind: 'tool', name: 'transfer_call', args: { reason: 'wants billing' } });
    expect(await say(id, randomMexicanNumber(), 'put me through to billing')).toEqual([
      { type: 'text', text: 'Of course, I am transferring you to a person now. Please hold.' },
      { type: 'transfer', reason: 'wants billing' },
    ]);
    llm.enqueue({ kind: 'tool', name: 'take_message', args: { message: 'Ana called about her bill' }, text: 'I will pass it on.' });
    expect(await say(id, randomMexicanNumber(), 'tell them Ana called')).toEqual([
      { type: 'text', text: 'I will pass it on.' },
      { type: 'message_taken', message: 'Ana called about her bill' },
    ]);
    llm.enqueue({ kind: 'tool', name: 'end_call', args: { reason: 'done' } });
    expect((await say(id, randomMexicanNumber(), 'bye')).at(-1)).toEqual({ type: 'end_call', reason: 'done' });
  });

  it("prices tokens from the model's rate, shows the LLM cost in the usage summary, and records a message taken by the tool", async () => {
    const id = await company({ model: 'priced-model-2025-01-01' });
    const caller = randomMexicanNumber();
    llm.enqueue({
      kind: 'tool',
      name: 'take_message',
      args: { message: 'Ana: call back' },
      text: 'I will pass it on.',
      usage: { prompt_tokens: 250_000, completion_tokens: 50_000 },
    });
    expect((await say(id, caller, 'Ana here, please call me back tomorrow')).at(-1)).toEqual({ type: 'message_taken', message: 'Ana: call back' });
    const { rows } = await t.db.pool.query('select kind, cost_usd::float as cost from public.usage_events where company_id = $1 order by kind', [id]);
    // 250k input tokens at $2/M and 50k output tokens at $8/M (the dated snapshot takes its family's price)
    expect(rows).toEqual([
      { kind: 'llm_input_tokens', cost: 0.5 },
      { kind: 'llm_output_tokens', cost: 0.4 },
    ]);
    const user = await testUser({ admin: true });
    const summary = await request(t.server).get(`/api/companies/${id}/usage?group_by=kind`).set(bearer(user));
    expect(summary.status).toBe(200);
    expect(summary.body.total_cost_usd).toBeCloseTo(0.9, 6);
    expect(summary.body.groups).toEqual([
      expect.objectContaining({ key: 'llm_input_tokens', cost_usd: 0.5 }),
      expect.objectContaining({ key: 'llm_output_tokens', cost_usd: 0.4 }),
    ]);
    // The stored turn says a message was taken (not just "llm"), so the message and its event are written with it.
    const taken = await t.db.pool.query('select channel, contact, text from public.taken_messages where company_id = $1', [id]);
    expect(taken.rows).toEqual([{ channel: 'voice', contact: caller, text: 'Ana here, please call me back tomorrow' }]);
    const events = await t.db.pool.query(`select type from public.company_events where company_id = $1 and type = 'message.taken'`, [id]);
    expect(events.rowCount).toBe(1);
  });

  it('falls back to the knowledge agent when the server answers 500', async () => {
    const id = await company();
    llm.enqueue({ kind: 'status', status: 500 });
    expect(await say(id, randomMexicanNumber(), 'what are your opening hours?')).toEqual([
      { type: 'text', text: 'We open Monday to Friday from 9 am to 7 pm.' },
    ]);
    expect(await usage(id)).toEqual([]);
  });

  it('falls back to the knowledge agent when the server does not answer in time', async () => {
    const id = await company();
    llm.enqueue({ kind: 'stall' });
    const started = Date.now();
    expect(await say(id, randomMexicanNumber(), 'what are your opening hours?')).toEqual([
      { type: 'text', text: 'We open Monday to Friday from 9 am to 7 pm.' },
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 5);
  });

  it('keeps what was already said when the stream stalls midway', async () => {
    const id = await company();
    llm.enqueue({ kind: 'stall', afterChunks: ['We open at nine'] });
    expect(await say(id, randomMexicanNumber(), 'what are your opening hours?')).toEqual([{ type: 'text', text: 'We open at nine' }]);
  });

  it('gives a text reply one deadline in all: a server that keeps sending chunks slowly forever still gets a fallback answer', async () => {
    // A chunk every quarter of the timeout: each would re-arm a per-chunk timeout, so only a deadline for the whole
    // reply ends this turn. The texter gets the knowledge agent's answer, not the half-written reply.
    const id = await company();
    const chunksBefore = llm.requests.length;
    llm.enqueue({ kind: 'drip', chunk: 'and so on, ', everyMs: TIMEOUT_MS / 4 });
    const events: AgentEvent[] = [];
    for await (const e of agent.respond({ companyId: id, channel: 'sms', contact: randomMexicanNumber(), text: 'what are your opening hours?' }))
      events.push(e);
    expect(events).toEqual([{ type: 'text', text: 'We open Monday to Friday from 9 am to 7 pm.' }]);
    expect(llm.requests.length).toBe(chunksBefore + 1);
  }, 20_000);

  it('answers the texter within the deadline through the SMS webhook while the server drips chunks forever', async () => {
    const id = await company();
    const number = await addPhoneNumber(t.db, id);
    llm.enqueue({ kind: 'drip', chunk: 'and so on, ', everyMs: TIMEOUT_MS / 4 });
    const params = {
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      AccountSid: 'AC11111111111111111111111111111111',
      From: randomMexicanNumber(),
      To: number,
      Body: 'what are your opening hours?',
      NumMedia: '0',
    };
    const res = await request(t.server)
      .post('/whatsapp/webhook')
      .type('form')
      .set('X-Twilio-Signature', signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, `${TEST_PUBLIC_BASE_URL}/whatsapp/webhook`, params))
      .send(params);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Message>We open Monday to Friday from 9 am to 7 pm.</Message>');
  }, 20_000);

  it('still streams a slow but steady answer on a call, where the timeout is per chunk', async () => {
    const id = await company();
    llm.enqueue({ kind: 'drip', chunk: 'and so on, ', everyMs: TIMEOUT_MS / 4 });
    const events: AgentEvent[] = [];
    const controller = new AbortController();
    // Past the whole-reply deadline a call keeps hearing the answer; the test hangs up after enough of it.
    for await (const e of agent.respond({
      companyId: id,
      channel: 'voice',
      contact: randomMexicanNumber(),
      text: 'tell me everything',
      callSid: callSidOf(id),
      signal: controller.signal,
    })) {
      events.push(e);
      if (events.length >= 8) controller.abort();
    }
    expect(events.length).toBeGreaterThanOrEqual(8);
    expect(events.slice(0, 8)).toEqual(Array.from({ length: 8 }, () => ({ type: 'text', text: 'and so on, ' })));
  }, 20_000);

  it('answers with the knowledge agent when no API key is configured, without calling the server', async () => {
    const brain = new OpenAiBrain(testConfig({ openai: { apiKey: undefined, baseUrl: llm.baseUrl, model: 'm' } }), new KnowledgeBrain());
    const before = llm.requests.length;
    const context = await t.db.call<'get_agent_context', AgentContext>('get_agent_context', {
      p_company_id: await company(),
      p_channel: 'sms',
      p_contact: randomMexicanNumber(),
      p_call_sid: null,
      p_text: 'opening hours?',
      p_passages: 3,
      p_history_turns: 5,
      p_history_hours: 24,
    });
    const outputs = [];
    for await (const o of brain.run({
      request: { companyId: context.config.company_id, channel: 'sms', contact: '+525500000000', text: 'opening hours?' },
      context,
      now: new Date(),
      turnUuid: 'u1',
    }))
      outputs.push(o);
    expect(outputs).toEqual([
      { type: 'text', text: 'We open Monday to Friday from 9 am to 7 pm.' },
      { type: 'outcome', action: 'answer', brain: 'knowledge', usage: [] },
    ]);
    expect(llm.requests.length).toBe(before);
  });
});
