import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LiveCallRegistry } from '../src/agent-session/live-calls.registry.js';
import { HEARTBEAT_INTERVAL_MS } from '../src/agent-session/socket-heartbeat.js';
import WebSocket from 'ws';
import { StreamTokenService } from '../src/twilio/stream-token.service.js';
import { createVoiceCompany, eventually, newStreamSid, openCallSession, portOf } from './support/agent-session-fixtures.js';
import { FakeOpenAiRealtime } from './support/fake-openai-realtime.js';
import { FakeTwilioCalls } from './support/fake-twilio-calls.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { testConfig } from './support/test-config.js';
import { TwilioWsClient } from './support/twilio-ws-client.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const frame = (n: number): string => Buffer.alloc(160, n % 250).toString('base64');

/** Open handles by kind (sockets, timers, ...), as Node reports them. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('100 calls in a row leave nothing behind', () => {
  let t: TestApp;
  let openai: FakeOpenAiRealtime;
  let rest: FakeTwilioCalls;
  let port: number;

  beforeAll(async () => {
    openai = await new FakeOpenAiRealtime().listen();
    rest = await new FakeTwilioCalls().listen();
    t = await createTestApp({
      listen: true,
      config: testConfig({ openai: { apiKey: 'test', baseUrl: openai.baseUrl }, twilio: { apiBaseUrl: rest.baseUrl } }),
    });
    port = portOf(t.app);
  });
  afterAll(async () => {
    await t.close();
    await openai.close();
    await rest.close();
  });

  async function mediaCall(companyId: string): Promise<void> {
    const tokens = t.app.get(StreamTokenService);
    const callSid = await openCallSession(t.db, companyId);
    const streamSid = newStreamSid();
    const client = await TwilioWsClient.connect(`ws://127.0.0.1:${port}/media-stream`);
    const opened = openai.nextConnection();
    client.start(callSid, streamSid, tokens.issue(callSid, companyId, 'media_stream'));
    const provider = await opened;
    for (let i = 0; i < 5; i++) client.media(streamSid, frame(i));
    await provider.waitFor((e) => e.type === 'input_audio_buffer.append');
    provider.speak('resp_1', 'item_1', [frame(1), frame(2)], 'hola', {
      total_tokens: 10,
      input_tokens: 5,
      output_tokens: 5,
      output_token_details: { audio_tokens: 5 },
    });
    const mark = await client.waitFor((f) => f.event === 'mark');
    client.echoMark(streamSid, (mark.mark as { name: string }).name);
    client.stop(callSid, streamSid);
    await Promise.all([client.closed, provider.closed]);
  }

  async function relayCall(companyId: string): Promise<void> {
    const tokens = t.app.get(StreamTokenService);
    const callSid = await openCallSession(t.db, companyId);
    const client = await TwilioWsClient.connect(`ws://127.0.0.1:${port}/conversation-relay`);
    client.setup(callSid, tokens.issue(callSid, companyId, 'conversation_relay'));
    client.prompt('¿Cuál es el horario?');
    await client.answer();
    client.close();
    await client.closed;
  }

  it.each([
    ['media', mediaCall],
    ['relay', relayCall],
  ] as const)(
    '%s: no open handles, no live calls, no provider sockets, no growing heap',
    async (_name, call) => {
      const company = await createVoiceCompany(t.db, { voicePath: 'media_stream', greeting: null });
      const registry = t.app.get(LiveCallRegistry) as LiveCallRegistry;
      for (let i = 0; i < 20; i++) await call(company.id); // warm-up: JIT, pools, caches
      await eventually(async () => expect(registry.size).toBe(0));
      const baseline = resources();
      // On the rpc pass the in-process PostgREST stand-in logs every request for other tests' assertions: that log is
      // the test's memory, not the app's, so it is emptied before each measurement.
      t.postgrest?.calls.splice(0);
      const heapBefore = heapUsed();

      for (let i = 0; i < 100; i++) await call(company.id);

      await eventually(async () => {
        expect(registry.size).toBe(0);
        expect(openai.openConnections()).toBe(0);
        // Sockets and timers of the calls are gone: no more handles than before the 100 calls (+1 for a pool connection;
        // fewer is fine: idle keep-alive connections, such as the rpc transport's, may have closed meanwhile).
        const now = resources();
        for (const kind of new Set([...Object.keys(baseline), ...Object.keys(now)])) {
          expect((now[kind] ?? 0) - (baseline[kind] ?? 0), `${kind}: ${JSON.stringify({ baseline, now })}`).toBeLessThanOrEqual(1);
        }
        // An idle keep-alive connection to one of the in-process fakes counts twice (both ends, each with its timer) until
        // the fake's server closes it after its 5 s keep-alive timeout (seen in CI); a leak never goes away, so wait past it.
      }, 15_000);
      t.postgrest?.calls.splice(0);
      const growth = heapUsed() - heapBefore;
      // A leaked session (sockets, buffers, closures) is tens of KB: 100 of them would pass 2 MB. On the rpc pass the
      // PostgREST stand-in and supabase-js share this heap (about 2.3 MB after 100 calls, seen 2026-12-03: to be looked
      // into), so the bound there is 4 MB, which a leak of 40 KB a call would still exceed.
      expect(growth).toBeLessThan((t.postgrest ? 4 : 2) * 1024 * 1024);
    },
    120_000,
  );
});

describe('graceful shutdown', () => {
  it('stops taking streams, lets live calls run for the drain time, then ends them politely', async () => {
    const t = await createTestApp({ listen: true, config: testConfig({ agentSession: { drainSeconds: 1 } }) });
    const port = portOf(t.app);
    const company = await createVoiceCompany(t.db);
    const callSid = await openCallSession(t.db, company.id);
    const client = await TwilioWsClient.connect(`ws://127.0.0.1:${port}/conversation-relay`);
    client.setup(callSid, t.app.get(StreamTokenService).issue(callSid, company.id, 'conversation_relay'));
    client.prompt('¿Cuál es el horario?');
    await client.answer();

    const started = Date.now();
    const closing = t.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Still serving the live call during the drain...
    client.prompt('¿Cuánto cuesta una limpieza dental?');
    expect(await client.answer()).toContain('800 pesos');
    // ...but no new streams.
    const late = await TwilioWsClient.connect(`ws://127.0.0.1:${port}/conversation-relay`);
    expect((await late.closed).code).toBe(1012);

    const end = await client.waitFor((f) => f.type === 'end', 5_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(JSON.parse(String(end.handoffData)).reasonCode).toBe('end-call');
    const goodbye = client.received.filter((f) => f.type === 'text').at(-1);
    expect(goodbye).toMatchObject({ last: true });
    expect(String(goodbye!.token)).toMatch(/terminar la llamada/);
    client.close(); // as Twilio does after `end`
    await closing;
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

describe('half-open sockets', () => {
  it('a peer that stops answering pings is dropped and its call cleaned up', async () => {
    const t = await createTestApp({ listen: true, override: (b) => b.overrideProvider(HEARTBEAT_INTERVAL_MS).useValue(100) });
    try {
      const company = await createVoiceCompany(t.db);
      const callSid = await openCallSession(t.db, company.id);
      const registry = t.app.get(LiveCallRegistry) as LiveCallRegistry;
      // A vanished peer: the TCP connection stays up, nothing answers (no pongs, no close).
      const socket = new WebSocket(`ws://127.0.0.1:${portOf(t.app)}/conversation-relay`, { autoPong: false });
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send(
        JSON.stringify({
          type: 'setup',
          callSid,
          from: '+525500000001',
          customParameters: { token: t.app.get(StreamTokenService).issue(callSid, company.id, 'conversation_relay') },
        }),
      );
      await eventually(async () => expect(registry.size).toBe(1));
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      await eventually(async () => expect(registry.size).toBe(0), 3_000);
      expect(await closed).toBe(1006); // terminated, not closed politely
    } finally {
      await t.close();
    }
  });
});
