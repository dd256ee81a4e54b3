import { StreamTokenService } from '../src/twilio/stream-token.service.js';
import { createVoiceCompany, eventually, newStreamSid, openCallSession, portOf, transcriptOf } from './support/agent-session-fixtures.js';
import { FakeOpenAiRealtime, FakeRealtimeConnection } from './support/fake-openai-realtime.js';
import { CallUpdate, FakeTwilioCalls } from './support/fake-twilio-calls.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { testConfig } from './support/test-config.js';
import { TwilioWsClient } from './support/twilio-ws-client.js';
import { parseTwiml, signedPost, verbs } from './support/voice-webhooks.js';

/** DESIGN §9: a provider that goes silent while the caller waits is detected and the call rescued within 5 s. */
const RESCUE_WITHIN_MS = 5_000;

let t: TestApp;
let openai: FakeOpenAiRealtime;
let twilioRest: FakeTwilioCalls;
let url: string;
let tokens: StreamTokenService;

beforeAll(async () => {
  openai = await new FakeOpenAiRealtime().listen();
  twilioRest = await new FakeTwilioCalls().listen();
  t = await createTestApp({
    listen: true,
    config: testConfig({ openai: { apiKey: 'test', baseUrl: openai.baseUrl, realtimeModel: 'gpt-realtime' }, twilio: { apiBaseUrl: twilioRest.baseUrl } }),
  });
  url = `ws://127.0.0.1:${portOf(t.app)}/media-stream`;
  tokens = t.app.get(StreamTokenService);
  // One ordinary call first: the timings below are of a warm instance, not of the first request's start-up costs.
  const opened = openai.nextConnection();
  const warm = await startCall();
  await greeted(await opened);
  await warm.client.waitFor((f) => f.event === 'media');
  warm.client.close();
  await warm.client.closed;
});
afterEach(() => {
  openai.behaviour = 'answer';
  twilioRest.failWith = null;
  twilioRest.failuresLeft = 0;
});
afterAll(async () => {
  await t.close();
  await openai.close();
  await twilioRest.close();
});

interface Numbers {
  transfer?: string | null;
  fallback?: string | null;
}

/** Starts a media-stream call; resolves once the stream is sent (the provider may never answer). */
async function startCall(numbers: Numbers = { transfer: '+525533334444' }): Promise<{ client: TwilioWsClient; callSid: string; startedAt: number }> {
  const company = await createVoiceCompany(t.db, { voicePath: 'media_stream', transfer: false });
  await t.db.pool.query('update public.agent_configs set transfer_number = $2, fallback_number = $3 where company_id = $1', [
    company.id,
    numbers.transfer ?? null,
    numbers.fallback ?? null,
  ]);
  const callSid = await openCallSession(t.db, company.id);
  const client = await TwilioWsClient.connect(url);
  client.start(callSid, newStreamSid(), tokens.issue(callSid, company.id, 'media_stream'));
  return { client, callSid, startedAt: Date.now() };
}

/** The next call update for this call, and how long after `since` it came. */
async function rescueOf(callSid: string, since: () => number): Promise<{ update: CallUpdate; afterMs: number }> {
  for (;;) {
    const update = await twilioRest.nextUpdate(15_000);
    if (update.callSid === callSid) return { update, afterMs: Date.now() - since() };
  }
}

/** The provider answers the greeting (as the real one does), so that only a later silence counts. */
async function greeted(provider: FakeRealtimeConnection): Promise<void> {
  await provider.waitFor((e) => e.type === 'response.create');
  provider.speak('resp_greeting', 'item_greeting', [Buffer.alloc(160, 1).toString('base64')], 'Hola, ¿en qué le ayudo?');
}

describe('WS /media-stream: a silent realtime provider is a failed provider', () => {
  it('an upgrade the provider never answers: the caller is transferred within 5 s', async () => {
    openai.behaviour = 'no-upgrade';
    const call = await startCall({ transfer: '+525533334444' });
    const { update, afterMs } = await rescueOf(call.callSid, () => call.startedAt);
    expect(afterMs).toBeLessThan(RESCUE_WITHIN_MS);
    expect(update.params.Twiml).toMatch(/<Say[^>]*>Lo sentimos.*<Dial>\+525533334444<\/Dial>/);
    await call.client.closed;
  });

  it('a provider that connects and never says anything: rescued within 5 s', async () => {
    openai.behaviour = 'silent';
    const opened = openai.nextConnection();
    const call = await startCall({ transfer: '+525533334444' });
    await opened;
    const { update, afterMs } = await rescueOf(call.callSid, () => call.startedAt);
    expect(afterMs).toBeLessThan(RESCUE_WITHIN_MS);
    expect(update.params.Twiml).toContain('<Dial>+525533334444</Dial>');
    // the transcript line is written off the call path, after the call update
    await eventually(
      async () => expect((await transcriptOf(t.db, call.callSid)).map((r) => r.text)).toContainEqual(expect.stringMatching(/^rescued: .*silent/)),
      15_000,
    );
  });

  it('a provider that answers the greeting, then stays silent after the caller stopped speaking: rescued within 5 s of the caller stopping', async () => {
    const opened = openai.nextConnection();
    const call = await startCall({ transfer: '+525533334444' });
    const provider = await opened;
    await greeted(provider);
    await call.client.waitFor((f) => f.event === 'media');
    provider.emit({ type: 'input_audio_buffer.speech_started', event_id: 'e1', audio_start_ms: 1000, item_id: 'item_caller' });
    provider.emit({ type: 'input_audio_buffer.speech_stopped', event_id: 'e2', audio_end_ms: 2500, item_id: 'item_caller' });
    const stoppedAt = Date.now();
    provider.stall();
    const { update, afterMs } = await rescueOf(call.callSid, () => stoppedAt);
    expect(afterMs).toBeLessThan(RESCUE_WITHIN_MS);
    expect(update.params.Twiml).toContain('<Dial>+525533334444</Dial>');
  });

  it('a provider that answers in time is left alone', async () => {
    const opened = openai.nextConnection();
    const call = await startCall({ transfer: '+525533334444' });
    const provider = await opened;
    await greeted(provider);
    for (let turn = 0; turn < 3; turn++) {
      provider.emit({ type: 'input_audio_buffer.speech_stopped', event_id: `s${turn}`, audio_end_ms: 1000 * turn, item_id: `item_c${turn}` });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      provider.speak(`resp_${turn}`, `item_a${turn}`, [Buffer.alloc(160, 2).toString('base64')], 'Claro.');
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(twilioRest.updates.filter((u) => u.callSid === call.callSid)).toEqual([]);
    call.client.close();
  });
});

describe('WS /media-stream: where the rescue takes the caller', () => {
  it('a company with only a fallback number: the rescue dials the fallback number', async () => {
    const opened = openai.nextConnection();
    const call = await startCall({ fallback: '+525511112222' });
    const provider = await opened;
    await greeted(provider);
    const rescue = rescueOf(call.callSid, () => 0);
    provider.drop();
    const { update } = await rescue;
    expect(update.params.Twiml).toMatch(/<Say[^>]*>Lo sentimos.*<Dial>\+525511112222<\/Dial>/);
    expect(update.params.Twiml).not.toContain('<Hangup');
  });

  it('Twilio answering 500 to the call update: retried until it takes', async () => {
    const opened = openai.nextConnection();
    const call = await startCall({ transfer: '+525533334444' });
    const provider = await opened;
    await greeted(provider);
    twilioRest.failuresLeft = 2;
    const attemptsBefore = twilioRest.attempts;
    const rescue = rescueOf(call.callSid, () => 0);
    provider.drop();
    const { update } = await rescue;
    expect(update.params.Twiml).toContain('<Dial>+525533334444</Dial>');
    expect(twilioRest.attempts - attemptsBefore).toBe(3);
  });

  it('Twilio refusing every update: the stream ends and the connect-action apologises and dials instead of hanging up', async () => {
    const opened = openai.nextConnection();
    const call = await startCall({ fallback: '+525511112222' });
    const provider = await opened;
    await greeted(provider);
    twilioRest.failWith = 500;
    provider.drop();
    await call.client.closed;
    // <Connect><Stream> ends when our socket closes: Twilio posts the action URL with the call's standard parameters
    const res = await signedPost(t.server, '/voice/connect-action', {
      AccountSid: 'AC11111111111111111111111111111111',
      CallSid: call.callSid,
      CallStatus: 'in-progress',
      Direction: 'inbound',
    });
    expect(res.status).toBe(200);
    expect(verbs(res.text)).toEqual(['Say', 'Dial']);
    expect(parseTwiml(res.text).Response.Dial).toEqual(['+525511112222']);
  });

  it('a stream that ended without the agent failing: the connect-action still just hangs up', async () => {
    const company = await createVoiceCompany(t.db, { voicePath: 'media_stream' });
    const callSid = await openCallSession(t.db, company.id);
    const res = await signedPost(t.server, '/voice/connect-action', {
      AccountSid: 'AC11111111111111111111111111111111',
      CallSid: callSid,
      CallStatus: 'in-progress',
    });
    expect(verbs(res.text)).toEqual(['Hangup']);
  });
});
