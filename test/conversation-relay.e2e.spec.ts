import request from 'supertest';
import type { AgentEvent, AgentTurnRequest } from '../src/agent/agent-turn.js';
import { LiveCallRegistry } from '../src/agent-session/live-calls.registry.js';
import { VoiceAgent } from '../src/agent-session/voice-agent.js';
import { StreamTokenService } from '../src/twilio/stream-token.service.js';
import { signTwilioRequest } from '../src/twilio/twilio-request-validator.js';
import { createVoiceCompany, eventually, newCallSid, openCallSession, transcriptOf, portOf } from './support/agent-session-fixtures.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_TWILIO_AUTH_TOKEN } from './support/test-config.js';
import { TwilioWsClient } from './support/twilio-ws-client.js';

let t: TestApp;
let url: string;
let tokens: StreamTokenService;

beforeAll(async () => {
  t = await createTestApp({ listen: true });
  url = `ws://127.0.0.1:${portOf(t.app)}/conversation-relay`;
  tokens = t.app.get(StreamTokenService);
});
afterAll(() => t.close());

async function startCall(options: { transfer?: boolean } = {}): Promise<{ client: TwilioWsClient; callSid: string; companyId: string }> {
  const company = await createVoiceCompany(t.db, options);
  const callSid = await openCallSession(t.db, company.id);
  const client = await TwilioWsClient.connect(url);
  client.setup(callSid, tokens.issue(callSid, company.id, 'conversation_relay'));
  return { client, callSid, companyId: company.id };
}

describe('WS /conversation-relay: a conversation with the knowledge brain', () => {
  it('answers from the knowledge base, hands off when asked for a person, and records the transcript with latency', async () => {
    const { client, callSid, companyId } = await startCall();
    client.prompt('¿Cuánto cuesta una limpieza dental?');
    expect(await client.answer()).toContain('800 pesos');

    client.prompt('Quiero hablar con una persona, por favor');
    const end = await client.waitFor((f) => f.type === 'end');
    expect(JSON.parse(String(end.handoffData))).toMatchObject({ reasonCode: 'live-agent-handoff' });
    client.close();
    await client.closed;

    const turns = await eventually(async () => {
      const rows = await transcriptOf(t.db, callSid);
      // the hand-off's system turn is written last, after the socket closes
      expect(rows.map((r) => r.role)).toContain('system');
      return rows;
    });
    expect(turns[0]).toMatchObject({ seq: 1, role: 'caller', text: '¿Cuánto cuesta una limpieza dental?' });
    expect(turns[1]).toMatchObject({ role: 'agent', interrupted: false });
    expect(turns[1].text).toContain('800 pesos');
    expect(turns[1].latency).toEqual({
      end_of_speech_to_first_output_ms: expect.any(Number),
      provider_ms: expect.any(Number),
      ours_ms: expect.any(Number),
    });
    expect(turns.map((r) => r.role)).toContain('system');

    // Twilio's <Connect action> callback then dials the transfer number.
    const connectUrl = `${t.config.publicBaseUrl}/voice/connect-action`;
    const params = { CallSid: callSid, AccountSid: t.config.twilio.accountSid, SessionStatus: 'ended', SessionId: 'VX1', HandoffData: String(end.handoffData) };
    const res = await request(t.server)
      .post('/voice/connect-action')
      .type('form')
      .set('X-Twilio-Signature', signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, connectUrl, params))
      .send(params);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<Dial[^>]*>[^<]*\+52/);
    expect(companyId).toBeTruthy();
  });

  it('pressing 0 asks for a person', async () => {
    const { client } = await startCall();
    client.send({ type: 'dtmf', digit: '0' });
    const end = await client.waitFor((f) => f.type === 'end');
    expect(JSON.parse(String(end.handoffData)).reasonCode).toBe('live-agent-handoff');
    client.close();
  });
});

describe('WS /conversation-relay: who may connect', () => {
  async function expectRefused(client: TwilioWsClient): Promise<void> {
    const { code } = await client.closed;
    expect(code).toBe(1008);
    expect(client.received.filter((f) => f.type === 'text')).toEqual([]);
  }

  it('closes the socket on a missing, forged, expired, other-kind or other-call token, and writes nothing', async () => {
    const company = await createVoiceCompany(t.db);
    const callSid = newCallSid();
    const valid = tokens.issue(callSid, company.id, 'conversation_relay');
    const [payload] = valid.split('.');
    const cases: (string | undefined)[] = [
      undefined,
      `${payload}.forged-signature`,
      tokens.issue(callSid, company.id, 'conversation_relay', 60, Date.now() - 10 * 60_000),
      tokens.issue(callSid, company.id, 'media_stream'),
      tokens.issue(newCallSid(), company.id, 'conversation_relay'),
      'not-a-token',
    ];
    for (const token of cases) {
      const client = await TwilioWsClient.connect(url);
      client.setup(callSid, token);
      client.prompt('hola');
      await expectRefused(client);
    }
    const { rows } = await t.db.pool.query('select 1 from public.call_sessions where call_sid = $1', [callSid]);
    expect(rows).toEqual([]);
  });

  it('a token serves one stream only: a replay is refused', async () => {
    const company = await createVoiceCompany(t.db);
    const callSid = await openCallSession(t.db, company.id);
    const token = tokens.issue(callSid, company.id, 'conversation_relay');
    const first = await TwilioWsClient.connect(url);
    first.setup(callSid, token);
    first.prompt('¿Cuál es el horario?');
    expect(await first.answer()).toContain('lunes a viernes');
    const replay = await TwilioWsClient.connect(url);
    replay.setup(callSid, token);
    replay.prompt('¿Cuál es el horario?');
    await expectRefused(replay);
    first.close();
  });

  it('checks x-twilio-signature of the upgrade over the wss:// URL when present', async () => {
    const wssUrl = `${t.config.publicBaseUrl.replace('https', 'wss')}/conversation-relay`;
    const forged = await TwilioWsClient.connect(url, { 'x-twilio-signature': signTwilioRequest('another-token', wssUrl, {}) });
    expect((await forged.closed).code).toBe(1008);

    const company = await createVoiceCompany(t.db);
    const callSid = await openCallSession(t.db, company.id);
    const signed = await TwilioWsClient.connect(url, { 'x-twilio-signature': signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, wssUrl, {}) });
    signed.setup(callSid, tokens.issue(callSid, company.id, 'conversation_relay'));
    signed.prompt('¿Cuál es el horario?');
    expect(await signed.answer()).toContain('9:00');
    signed.close();
  });
});

describe('WS /conversation-relay: malformed frames', () => {
  it('survives garbage, binary, unknown types and a huge payload', async () => {
    const { client } = await startCall();
    client.sendRaw('not json');
    client.sendRaw('{"type":');
    client.sendRaw('[1,2,3]');
    client.sendRaw(Buffer.from([0, 1, 2, 3]), true);
    client.send({ type: 'something-new', value: 1 });
    client.send({ type: 'prompt', voicePrompt: 42 });
    client.send({ type: 'info', name: 'agentSpeaking', value: 'on' });
    client.prompt('¿Cuál es el horario?');
    expect(await client.answer()).toContain('9:00');

    client.sendRaw(JSON.stringify({ type: 'prompt', voicePrompt: 'x'.repeat(200_000), last: true }));
    expect((await client.closed).code).toBe(1009);

    // The process and the gateway are fine: the next call works.
    const next = await startCall();
    next.client.prompt('¿Cuál es el horario?');
    expect(await next.client.answer()).toContain('9:00');
    next.client.close();
  });

  it('closes after 10 consecutive unidentified messages, as Twilio does', async () => {
    const { client } = await startCall();
    for (let i = 0; i < 10; i++) client.sendRaw(`garbage ${i}`);
    expect((await client.closed).code).toBe(1003);
  });
});

describe('WS /conversation-relay: interruptions and hang-ups', () => {
  /** Streams a long answer slowly and reports whether it was told to stop. */
  class SlowBrain extends VoiceAgent {
    aborted = 0;
    async *respond(request: AgentTurnRequest): AsyncIterable<AgentEvent> {
      for (let i = 0; i < 50; i++) {
        if (request.signal?.aborted) {
          this.aborted++;
          return;
        }
        yield { type: 'text', text: `palabra${i} ` };
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  let slow: TestApp;
  let brain: SlowBrain;
  let slowUrl: string;

  beforeAll(async () => {
    brain = new SlowBrain();
    slow = await createTestApp({ listen: true, db: t.db, override: (b) => b.overrideProvider(VoiceAgent).useValue(brain) });
    slowUrl = `ws://127.0.0.1:${portOf(slow.app)}/conversation-relay`;
  });
  afterAll(async () => {
    // Both apps share the test database: keep it open for the first app.
    (slow.app.get(LiveCallRegistry) as LiveCallRegistry).stopAccepting();
    await new Promise((resolve) => slow.app.getHttpServer().close(resolve));
  });

  it('interrupt cancels the running answer and records what the caller heard', async () => {
    const company = await createVoiceCompany(t.db);
    const callSid = await openCallSession(t.db, company.id);
    const client = await TwilioWsClient.connect(slowUrl);
    client.setup(callSid, tokens.issue(callSid, company.id, 'conversation_relay'));
    client.prompt('cuéntame algo largo');
    await client.waitFor((f) => f.type === 'text' && f.token === 'palabra3 ');
    client.send({ type: 'interrupt', utteranceUntilInterrupt: 'palabra0 palabra1', durationUntilInterruptMs: 460 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const count = client.received.filter((f) => f.type === 'text').length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(client.received.filter((f) => f.type === 'text').length).toBe(count);
    expect(count).toBeLessThan(20);
    expect(brain.aborted).toBeGreaterThanOrEqual(1);
    const turns = await eventually(async () => {
      const rows = await transcriptOf(t.db, callSid);
      expect(rows.some((r) => r.role === 'agent')).toBe(true);
      return rows;
    });
    expect(turns.find((r) => r.role === 'agent')).toMatchObject({ text: 'palabra0 palabra1', interrupted: true });
    client.close();
  });

  it('a hang-up mid-answer stops the brain and leaves no live call', async () => {
    const company = await createVoiceCompany(t.db);
    const callSid = await openCallSession(t.db, company.id);
    const client = await TwilioWsClient.connect(slowUrl);
    client.setup(callSid, tokens.issue(callSid, company.id, 'conversation_relay'));
    client.prompt('cuéntame algo largo');
    await client.waitFor((f) => f.type === 'text');
    const before = brain.aborted;
    client.socket.terminate();
    const registry = slow.app.get(LiveCallRegistry) as LiveCallRegistry;
    await eventually(async () => {
      expect(registry.size).toBe(0);
      expect(brain.aborted).toBe(before + 1);
    });
  });
});
