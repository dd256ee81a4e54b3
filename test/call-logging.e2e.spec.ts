import request from 'supertest';
import { LogDestination, MemoryLogDestination } from '../src/logging/log-destination.js';
import { StreamTokenService } from '../src/twilio/stream-token.service.js';
import { createVoiceCompany, eventually, newCallSid, portOf } from './support/agent-session-fixtures.js';
import { addPhoneNumber } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { testConfig } from './support/test-config.js';
import { TwilioWsClient } from './support/twilio-ws-client.js';
import { signedPost, statusCallback, voiceWebhook } from './support/voice-webhooks.js';

let t: TestApp;
let logs: MemoryLogDestination;

beforeAll(async () => {
  logs = new MemoryLogDestination();
  t = await createTestApp({
    listen: true,
    config: testConfig({ logLevel: 'debug' }),
    override: (builder) => builder.overrideProvider(LogDestination).useValue(logs),
  });
});
afterAll(() => t.close());

/** The value of one sample in the Prometheus text. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('a simulated call', () => {
  it('binds its call SID to every log line, on the webhooks and on the WebSocket, and counts itself on /metrics', async () => {
    const before = await request(t.server).get('/metrics');
    const connectedBefore = sample(before.text, 'telephony_events_total{event="calls_connected"}');
    expect(connectedBefore).toBe(0);
    expect(sample(before.text, 'telephony_events_total{event="calls_apologised"}')).toBe(0);

    const company = await createVoiceCompany(t.db, { transfer: false });
    const number = await addPhoneNumber(t.db, company.id);
    const callSid = newCallSid();
    const first = logs.lines.length;

    // Twilio's incoming-call webhook, the ConversationRelay socket, then the final status callback.
    const incoming = await signedPost(t.server, `/voice/incoming/${company.id}`, voiceWebhook({ CallSid: callSid, To: number }));
    expect(incoming.status).toBe(200);
    const client = await TwilioWsClient.connect(`ws://127.0.0.1:${portOf(t.app)}/conversation-relay`);
    client.setup(callSid, t.app.get(StreamTokenService).issue(callSid, company.id, 'conversation_relay'));
    client.prompt('¿Cuánto cuesta una limpieza dental?');
    expect(await client.answer()).toContain('800 pesos');
    client.close();
    await client.closed;
    await eventually(async () => expect(logs.text()).toContain('relay_closed'));
    expect((await signedPost(t.server, '/voice/status', statusCallback(callSid, 'completed', { CallDuration: '20', To: number }))).status).toBe(204);
    await eventually(async () => expect(logs.text()).toContain('"event":"call_status"'));

    const records = logs.lines.slice(first).map((line) => JSON.parse(line) as Record<string, unknown>);
    // webhook lines, their "request completed" lines, and the socket's lines from start to close
    expect(records.length).toBeGreaterThanOrEqual(6);
    const without = records.filter((record) => record.call_sid !== callSid);
    expect(without.map((record) => `${String(record.context ?? '')}: ${String(record.msg)}`)).toEqual([]);
    expect(records.some((r) => r.msg === 'request completed' && (r.req as { url?: string } | undefined)?.url?.startsWith('/voice/status'))).toBe(true);
    expect(records.some((r) => r.event === 'relay_closed')).toBe(true);
    expect(records.filter((r) => r.event === 'relay_closed').every((r) => r.company_id === company.id)).toBe(true);

    const after = await request(t.server).get('/metrics');
    expect(sample(after.text, 'telephony_events_total{event="calls_connected"}')).toBe(1);
    expect(sample(after.text, 'telephony_events_total{event="status_callbacks"}')).toBe(1);
  });
});
