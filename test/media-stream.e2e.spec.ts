import { LiveCallRegistry } from '../src/agent-session/live-calls.registry.js';
import { StreamTokenService } from '../src/twilio/stream-token.service.js';
import { createVoiceCompany, eventually, newCallSid, newStreamSid, openCallSession, transcriptOf, portOf } from './support/agent-session-fixtures.js';
import { FakeOpenAiRealtime, FakeRealtimeConnection } from './support/fake-openai-realtime.js';
import { FakeTwilioCalls } from './support/fake-twilio-calls.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { testConfig } from './support/test-config.js';
import { Frame, SILENCE_FRAME, TwilioWsClient } from './support/twilio-ws-client.js';

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
});
afterAll(async () => {
  await t.close();
  await openai.close();
  await twilioRest.close();
});

/** 20 ms of distinct μ-law audio, so that order can be checked. */
const frame = (n: number): string => Buffer.alloc(160, n % 250).toString('base64');

interface MediaCall {
  client: TwilioWsClient;
  provider: FakeRealtimeConnection;
  callSid: string;
  streamSid: string;
  companyId: string;
  transferNumber: string | null;
}

async function startCall(options: { transfer?: boolean; greeting?: string | null } = {}): Promise<MediaCall> {
  const company = await createVoiceCompany(t.db, { ...options, voicePath: 'media_stream' });
  const callSid = await openCallSession(t.db, company.id);
  const streamSid = newStreamSid();
  const client = await TwilioWsClient.connect(url);
  const opened = openai.nextConnection();
  client.start(callSid, streamSid, tokens.issue(callSid, company.id, 'media_stream'));
  const provider = await opened;
  await provider.waitFor((e) => e.type === 'session.update');
  return { client, provider, callSid, streamSid, companyId: company.id, transferNumber: company.transferNumber };
}

const media = (f: Frame): boolean => f.event === 'media';

describe('WS /media-stream: a conversation through the realtime provider', () => {
  it('configures the provider (GA), relays audio both ways in order with marks, and records transcript and usage', async () => {
    const call = await startCall();
    const update = call.provider.events[0];
    expect(update.type).toBe('session.update');
    expect(call.provider.request.url).toBe('/v1/realtime?model=gpt-realtime');
    expect(update.session).toMatchObject({
      type: 'realtime',
      model: 'gpt-realtime',
      output_modalities: ['audio'],
      audio: {
        input: { format: { type: 'audio/pcmu' }, turn_detection: { type: 'server_vad' } },
        output: { format: { type: 'audio/pcmu' }, voice: 'marin' },
      },
    });
    const session = update.session as { instructions: string; tools: { name: string }[] };
    expect(session.instructions).toContain('Eres la recepcionista');
    expect(session.instructions).toContain('800 pesos');
    expect(session.tools.map((tool) => tool.name).sort()).toEqual(['end_call', 'search_knowledge', 'take_message', 'transfer_call']);
    await call.provider.waitFor((e) => e.type === 'response.create'); // the greeting

    for (let i = 1; i <= 5; i++) call.client.media(call.streamSid, frame(i));
    await eventually(async () => expect(call.provider.count('input_audio_buffer.append')).toBe(5));
    expect(call.provider.events.filter((e) => e.type === 'input_audio_buffer.append').map((e) => e.audio)).toEqual([1, 2, 3, 4, 5].map(frame));

    call.provider.emit({ type: 'input_audio_buffer.speech_stopped', event_id: 'e1', audio_end_ms: 100, item_id: 'item_caller1' });
    call.provider.emit({
      type: 'conversation.item.input_audio_transcription.completed',
      event_id: 'e2',
      item_id: 'item_caller1',
      content_index: 0,
      transcript: '¿Cuánto cuesta?',
    });
    const chunks = [frame(100), frame(101), frame(102)];
    call.provider.speak('resp_1', 'item_a1', chunks, 'Cuesta 800 pesos.', {
      total_tokens: 1300,
      input_tokens: 1000,
      output_tokens: 300,
      input_token_details: { text_tokens: 200, audio_tokens: 800, cached_tokens: 100, cached_tokens_details: { text_tokens: 100, audio_tokens: 0 } },
      output_token_details: { text_tokens: 50, audio_tokens: 250 },
    });
    await eventually(async () => expect(call.client.received.filter(media)).toHaveLength(3));
    const out = call.client.received.filter((f) => f.event === 'media' || f.event === 'mark');
    expect(out.map((f) => f.event)).toEqual(['media', 'mark', 'media', 'mark', 'media', 'mark']);
    expect(out.filter(media).map((f) => (f.media as { payload: string }).payload)).toEqual(chunks);
    expect(out.every((f) => f.streamSid === call.streamSid)).toBe(true);
    expect(new Set(out.filter((f) => f.event === 'mark').map((f) => (f.mark as { name: string }).name)).size).toBe(3);

    const turns = await eventually(async () => {
      const rows = await transcriptOf(t.db, call.callSid);
      expect(rows.map((r) => r.role)).toEqual(['caller', 'agent']);
      return rows;
    });
    expect(turns[1]).toMatchObject({ text: 'Cuesta 800 pesos.', interrupted: false });
    expect(turns[1].latency).toMatchObject({
      end_of_speech_to_first_output_ms: expect.any(Number),
      provider_ms: expect.any(Number),
      ours_ms: expect.any(Number),
    });

    // (800 audio in × 32 + 100 text in × 4 + 100 cached text × 0.4 + 250 audio out × 64 + 50 text out × 16) / 1e6
    // Usage is written after the transcript turn, on its own round trip: wait for it rather than race it.
    await eventually(async () => {
      const { rows: usage } = await t.db.pool.query('select kind, quantity, unit, cost_usd, company_id from public.usage_events where call_sid = $1', [
        call.callSid,
      ]);
      expect(usage).toEqual([{ kind: 'realtime_tokens', quantity: '1300.0000', unit: 'tokens', cost_usd: '0.042840', company_id: call.companyId }]);
    });

    call.client.stop(call.callSid, call.streamSid);
    await call.provider.closed;
    await call.client.closed;
  });

  it('barge-in: clear within one frame of speech-started, truncate at the heard position, late audio dropped', async () => {
    const call = await startCall({ greeting: null });
    call.provider.emit({ type: 'response.created', event_id: 'e', response: { id: 'resp_b' } });
    for (let i = 0; i < 4; i++) {
      call.provider.emit({
        type: 'response.output_audio.delta',
        event_id: `d${i}`,
        response_id: 'resp_b',
        item_id: 'item_b',
        output_index: 0,
        content_index: 0,
        delta: frame(i),
      });
    }
    await eventually(async () => expect(call.client.received.filter((f) => f.event === 'mark')).toHaveLength(4));
    const marks = call.client.received.filter((f) => f.event === 'mark').map((f) => (f.mark as { name: string }).name);
    // The caller has heard two chunks (40 ms) when they start talking.
    call.client.echoMark(call.streamSid, marks[0]);
    call.client.echoMark(call.streamSid, marks[1]);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const before = call.client.received.length;
    call.provider.emit({ type: 'input_audio_buffer.speech_started', event_id: 's', audio_start_ms: 900, item_id: 'item_caller2' });
    call.provider.emit({
      type: 'response.output_audio.delta',
      event_id: 'late',
      response_id: 'resp_b',
      item_id: 'item_b',
      output_index: 0,
      content_index: 0,
      delta: frame(9),
    });
    const clear = await call.client.next((f) => f.event === 'clear');
    expect(clear).toEqual({ event: 'clear', streamSid: call.streamSid });
    expect(call.client.received.indexOf(clear)).toBe(before); // the very next frame after speech started
    const truncate = await call.provider.waitFor((e) => e.type === 'conversation.item.truncate');
    expect(truncate).toEqual({ type: 'conversation.item.truncate', item_id: 'item_b', content_index: 0, audio_end_ms: 40 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(call.client.received.slice(before).filter(media)).toEqual([]);

    // Twilio echoes the flushed marks after a clear: they must not count as heard audio of a later item.
    call.client.echoMark(call.streamSid, marks[2]);
    call.client.echoMark(call.streamSid, marks[3]);
    call.provider.emit({
      type: 'response.output_audio_transcript.done',
      event_id: 't',
      response_id: 'resp_b',
      item_id: 'item_b',
      output_index: 0,
      content_index: 0,
      transcript: 'Una respuesta larga',
    });
    call.provider.done('resp_b', 'cancelled');
    const turns = await eventually(async () => {
      const rows = await transcriptOf(t.db, call.callSid);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(turns[0]).toMatchObject({ role: 'agent', interrupted: true });
    call.client.close();
    await call.provider.closed;
  });

  it('transfer_call: a REST call update with <Dial> to the transfer number', async () => {
    const call = await startCall();
    const next = twilioRest.nextUpdate();
    call.provider.emit({
      type: 'response.function_call_arguments.done',
      event_id: 'f',
      response_id: 'r',
      item_id: 'fc',
      output_index: 0,
      call_id: 'call_1',
      name: 'transfer_call',
      arguments: '{"reason":"wants a person"}',
    });
    const update = await next;
    expect(update.callSid).toBe(call.callSid);
    expect(update.accountSid).toBe(t.config.twilio.accountSid);
    expect(update.authorization).toBe(`Basic ${Buffer.from(`${t.config.twilio.accountSid}:${t.config.twilio.authToken}`).toString('base64')}`);
    expect(update.params.Twiml).toMatch(new RegExp(`<Dial>\\${call.transferNumber}</Dial>`));
    call.client.stop(call.callSid, call.streamSid); // Twilio ends the stream when the call's TwiML changes
    await call.provider.closed;
  });

  it('transfer_call without a transfer number tells the model instead', async () => {
    const call = await startCall({ transfer: false });
    call.provider.emit({
      type: 'response.function_call_arguments.done',
      event_id: 'f',
      response_id: 'r',
      item_id: 'fc',
      output_index: 0,
      call_id: 'call_2',
      name: 'transfer_call',
      arguments: '{}',
    });
    const output = await call.provider.waitFor((e) => e.type === 'conversation.item.create');
    expect(output.item).toMatchObject({ type: 'function_call_output', call_id: 'call_2' });
    expect(JSON.parse((output.item as { output: string }).output).ok).toBe(false);
    call.client.close();
  });

  it('end_call hangs up through the REST API and closes the stream', async () => {
    const call = await startCall();
    const next = twilioRest.nextUpdate();
    call.provider.emit({
      type: 'response.function_call_arguments.done',
      event_id: 'f',
      response_id: 'r',
      item_id: 'fc',
      output_index: 0,
      call_id: 'call_3',
      name: 'end_call',
      arguments: '{"reason":"done"}',
    });
    expect((await next).params).toEqual({ Status: 'completed' });
    await call.client.closed;
    await call.provider.closed;
  });

  it('search_knowledge answers the model from the knowledge base', async () => {
    const call = await startCall();
    call.provider.emit({
      type: 'response.function_call_arguments.done',
      event_id: 'f',
      response_id: 'r',
      item_id: 'fc',
      output_index: 0,
      call_id: 'call_4',
      name: 'search_knowledge',
      arguments: '{"query":"precio de la limpieza dental"}',
    });
    const output = await call.provider.waitFor((e) => e.type === 'conversation.item.create');
    expect((output.item as { output: string }).output).toContain('800 pesos');
    await call.provider.waitFor((e) => e.type === 'response.create' && call.provider.events.indexOf(e) > call.provider.events.indexOf(output));
    call.client.close();
  });

  it('take_message stores the message for the company, emits message.taken and answers the model', async () => {
    const call = await startCall({ transfer: false });
    call.provider.emit({
      type: 'response.function_call_arguments.done',
      event_id: 'f',
      response_id: 'r',
      item_id: 'fc',
      output_index: 0,
      call_id: 'call_5',
      name: 'take_message',
      arguments: '{"message":"Soy Ana López, quiero cambiar mi cita del martes.","callback_number":"+525511112222"}',
    });
    const output = await call.provider.waitFor((e) => e.type === 'conversation.item.create');
    expect(output.item).toMatchObject({ type: 'function_call_output', call_id: 'call_5' });
    expect(JSON.parse((output.item as { output: string }).output)).toMatchObject({ ok: true });
    await call.provider.waitFor((e) => e.type === 'response.create' && call.provider.events.indexOf(e) > call.provider.events.indexOf(output));

    const { rows: messages } = await t.db.pool.query('select id, company_id, channel, contact, call_sid, text from public.taken_messages where call_sid = $1', [
      call.callSid,
    ]);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ company_id: call.companyId, channel: 'voice', contact: '+525500000001', call_sid: call.callSid });
    expect(messages[0].text).toContain('Soy Ana López, quiero cambiar mi cita del martes.');
    expect(messages[0].text).toContain('+525511112222');
    const { rows: events } = await t.db.pool.query(`select subject, data from public.company_events where company_id = $1 and type = 'message.taken'`, [
      call.companyId,
    ]);
    expect(events).toHaveLength(1);
    expect(events[0].subject).toBe(messages[0].id);
    expect(events[0].data).toMatchObject({ call_sid: call.callSid, contact: '+525500000001', channel: 'voice' });
    call.client.close();
  });

  it('take_message without a message stores nothing and tells the model to ask for one', async () => {
    const call = await startCall({ transfer: false });
    call.provider.emit({
      type: 'response.function_call_arguments.done',
      event_id: 'f',
      response_id: 'r',
      item_id: 'fc',
      output_index: 0,
      call_id: 'call_6',
      name: 'take_message',
      arguments: '{"message":"  "}',
    });
    const output = await call.provider.waitFor((e) => e.type === 'conversation.item.create');
    expect(JSON.parse((output.item as { output: string }).output).ok).toBe(false);
    const { rows } = await t.db.pool.query('select 1 from public.taken_messages where call_sid = $1', [call.callSid]);
    expect(rows).toHaveLength(0);
    call.client.close();
  });

  it('the provider dropping mid-call: the caller hears an apology and is transferred', async () => {
    const call = await startCall();
    const next = twilioRest.nextUpdate();
    call.provider.drop();
    const update = await next;
    expect(update.callSid).toBe(call.callSid);
    expect(update.params.Twiml).toMatch(/<Say[^>]*>Lo sentimos/);
    expect(update.params.Twiml).toContain(`<Dial>${call.transferNumber}</Dial>`);
    await call.client.closed;
  });

  it('the provider dropping with no transfer number: apology and hang-up', async () => {
    const call = await startCall({ transfer: false });
    const next = twilioRest.nextUpdate();
    call.provider.drop();
    const update = await next;
    expect(update.params.Twiml).toMatch(/<Say[^>]*>Lo sentimos.*<\/Say><Hangup\/>/);
    await call.client.closed;
  });
});

describe('WS /media-stream: who may connect', () => {
  it('a missing, forged, expired, other-kind or replayed token closes the socket and opens no provider', async () => {
    const company = await createVoiceCompany(t.db, { voicePath: 'media_stream' });
    const callSid = await openCallSession(t.db, company.id);
    const used = tokens.issue(callSid, company.id, 'media_stream');
    const first = await startWith(callSid, used);
    await openai.nextConnection();
    const opened = openai.connections.length;
    const [payload] = used.split('.');
    const bad = [
      undefined,
      `${payload}.forged`,
      tokens.issue(callSid, company.id, 'media_stream', 60, Date.now() - 600_000),
      tokens.issue(callSid, company.id, 'conversation_relay'),
      tokens.issue(newCallSid(), company.id, 'media_stream'),
      used,
    ];
    for (const token of bad) {
      const client = await startWith(callSid, token);
      client.media('MZ0', SILENCE_FRAME);
      expect((await client.closed).code).toBe(1008);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(openai.connections.length).toBe(opened);
    first.close();
  });

  async function startWith(callSid: string, token: string | undefined): Promise<TwilioWsClient> {
    const client = await TwilioWsClient.connect(url);
    client.start(callSid, newStreamSid(), token);
    return client;
  }
});

describe('WS /media-stream: malformed frames never crash the process', () => {
  it('garbage, binary, unknown events, bad payload types and an oversized frame', async () => {
    const call = await startCall();
    call.client.sendRaw('garbage');
    call.client.sendRaw(Buffer.alloc(1000, 7), true);
    call.client.sendRaw('{"event":"media","media":null}');
    call.client.sendRaw('{"event":"media","media":{"payload":12}}');
    call.client.sendRaw('{"event":"mark","mark":{"name":"no:such:mark"}}');
    call.client.sendRaw('{"event":"dtmf","dtmf":{"digit":"<script>"}}');
    call.client.send({ event: 'brand-new-event', x: 1 });
    call.client.media(call.streamSid, frame(1));
    await eventually(async () => expect(call.provider.count('input_audio_buffer.append')).toBe(1));
    call.client.sendRaw(JSON.stringify({ event: 'media', media: { payload: 'A'.repeat(100_000) } }));
    expect((await call.client.closed).code).toBe(1009);
    await call.provider.closed;
    const registry = t.app.get(LiveCallRegistry) as LiveCallRegistry;
    await eventually(async () => expect(registry.list().map((c) => c.callSid)).not.toContain(call.callSid));

    const next = await startCall();
    next.client.media(next.streamSid, frame(2));
    await eventually(async () => expect(next.provider.count('input_audio_buffer.append')).toBe(1));
    next.client.close();
  });
});

describe('WS /media-stream: before admission (issue 10)', () => {
  it('keeps tens of KB of early audio, not MB, and forwards only that once admitted', async () => {
    const company = await createVoiceCompany(t.db, { voicePath: 'media_stream' });
    const callSid = await openCallSession(t.db, company.id);
    const streamSid = newStreamSid();
    const client = await TwilioWsClient.connect(url);
    const early = Buffer.alloc(3_000, 7).toString('base64'); // 4 KB of base64 a frame: 200 of them are 800 KB
    for (let i = 0; i < 200; i++) client.media(streamSid, early);
    const opened = openai.nextConnection();
    client.start(callSid, streamSid, tokens.issue(callSid, company.id, 'media_stream'));
    const provider = await opened;
    await provider.waitFor((e) => e.type === 'session.update');
    const marker = frame(9);
    client.media(streamSid, marker);
    await provider.waitFor((e) => e.type === 'input_audio_buffer.append' && e.audio === marker);
    const appended = provider.events.filter((e) => e.type === 'input_audio_buffer.append' && e.audio !== marker);
    const bytes = appended.reduce((sum, e) => sum + String(e.audio).length, 0);
    expect(appended.length).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(32 * 1024);
    client.close();
  });

  it('closes a socket that never starts a stream within a few seconds', async () => {
    const client = await TwilioWsClient.connect(url);
    const opened = Date.now();
    client.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    const closed = await client.closed;
    expect(closed.code).toBe(1008);
    expect(Date.now() - opened).toBeLessThan(8_000);
  });
});
