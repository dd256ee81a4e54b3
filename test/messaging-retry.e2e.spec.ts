import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { signTwilioRequest } from '../src/twilio/twilio-request-validator.js';
import { addPhoneNumber, createCompany, linkUserToNumber } from './support/factories.js';
import { FakeOpenAiChatServer } from './support/fake-openai-chat-server.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_AUTH_TOKEN, testConfig } from './support/test-config.js';

const URL = `${TEST_PUBLIC_BASE_URL}/whatsapp/webhook`;
let t: TestApp;
const llm = new FakeOpenAiChatServer();

beforeAll(async () => {
  const baseUrl = await llm.start();
  t = await createTestApp({ config: testConfig({ openai: { apiKey: 'sk-test-key', baseUrl, model: 'default-model' }, agent: { llmTimeoutMs: 2_000 } }) });
});
afterAll(async () => {
  await t.close();
  await llm.stop();
});

function inbound(params: Record<string, string>): request.Test {
  return request(t.server)
    .post('/whatsapp/webhook')
    .type('form')
    .set('X-Twilio-Signature', signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, URL, params))
    .send(params);
}

describe('POST /whatsapp/webhook retried by Twilio (same MessageSid)', () => {
  it('answers with the reply already stored: no second LLM call, no second usage row, no second turn', async () => {
    const { id } = await createCompany(t.db);
    const number = await addPhoneNumber(t.db, id);
    await linkUserToNumber(t.db, number, randomUUID(), id);
    await t.db.call('save_agent_config', { p_company_id: id, p_config: { language: 'en-US', brain: 'openai' }, p_replace: false });
    const params = {
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      AccountSid: 'AC11111111111111111111111111111111',
      From: 'whatsapp:+14155550123',
      To: `whatsapp:${number}`,
      Body: 'Do you open on Saturdays?',
      NumMedia: '0',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    };
    llm.enqueue({ kind: 'text', chunks: ['Yes, ', 'from 9 to 2.'], usage: { prompt_tokens: 100, completion_tokens: 8 } });
    // a second script, which only a second LLM call would use
    llm.enqueue({ kind: 'text', chunks: ['Something else entirely.'], usage: { prompt_tokens: 100, completion_tokens: 4 } });
    const llmCallsBefore = llm.requests.length;

    const first = await inbound(params);
    const rows = async () => (await t.db.pool.query('select kind, quantity::text from public.usage_events where company_id = $1 order by kind, id', [id])).rows;
    const turns = async () => Number((await t.db.pool.query('select count(*) n from public.conversation_turns where company_id = $1', [id])).rows[0].n);
    const usageAfterFirst = await rows();
    expect(first.text).toContain('<Message>Yes, from 9 to 2.</Message>');
    expect(usageAfterFirst.map((r) => r.kind)).toContain('llm_input_tokens');

    const retry = await inbound(params);
    expect(retry.status).toBe(200);
    expect(retry.text).toBe(first.text);
    expect(llm.requests.length - llmCallsBefore).toBe(1);
    expect(await rows()).toEqual(usageAfterFirst);
    expect(await turns()).toBe(2);
  });
});
