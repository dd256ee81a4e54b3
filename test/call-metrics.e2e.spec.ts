import request from 'supertest';
import { PriceBackfillJob } from '../src/telephony/price-backfill.job.js';
import { addPhoneNumber } from './support/factories.js';
import { createVoiceCompany, portOf } from './support/agent-session-fixtures.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TwilioWsClient } from './support/twilio-ws-client.js';
import { parseTwiml, signedPost, TwimlNode, voiceWebhook } from './support/voice-webhooks.js';

/** The value of one Prometheus series in the text exposition (0 when absent). */
function sample(metrics: string, series: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('metrics after a simulated call', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ listen: true });
  });
  afterAll(() => t.close());

  it('count the call, its stream and the agent turn, and the live gauges return to zero', async () => {
    const company = await createVoiceCompany(t.db);
    const number = await addPhoneNumber(t.db, company.id);
    const params = voiceWebhook({ To: number });
    const webhook = await signedPost(t.server, `/voice/incoming/${company.id}`, params);
    expect(webhook.status).toBe(200);
    const relay = (parseTwiml(webhook.text).Response.Connect as TwimlNode).ConversationRelay as TwimlNode;
    const token = (relay.Parameter as TwimlNode[])[0]['@_value'] as string;

    const client = await TwilioWsClient.connect(`ws://127.0.0.1:${portOf(t.app)}/conversation-relay`);
    client.setup(params.CallSid, token);
    client.prompt('¿Cuánto cuesta una limpieza dental?');
    expect(await client.answer()).toContain('800 pesos');

    const during = (await request(t.server).get('/metrics')).text;
    expect(sample(during, 'streams_active{voice_path="conversation_relay"}')).toBe(1);
    expect(sample(during, 'calls_active{voice_path="conversation_relay"}')).toBe(1);

    client.close();
    await client.closed;
    let after = '';
    for (let i = 0; i < 50; i++) {
      after = (await request(t.server).get('/metrics')).text;
      if (sample(after, 'streams_active{voice_path="conversation_relay"}') === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(sample(after, 'streams_total{voice_path="conversation_relay"}')).toBe(1);
    expect(sample(after, 'calls_total{voice_path="conversation_relay"}')).toBe(1);
    expect(sample(after, 'streams_active{voice_path="conversation_relay"}')).toBe(0);
    expect(sample(after, 'calls_active{voice_path="conversation_relay"}')).toBe(0);
    expect(sample(after, 'agent_turn_latency_seconds_count{brain="conversation_relay"}')).toBe(1);
    expect(sample(after, 'http_request_duration_seconds_count{method="POST",route="/voice/incoming/:company_id",status_code="200"}')).toBe(1);
  });

  it('count scheduled job runs', async () => {
    await t.app.get(PriceBackfillJob).tick();
    const metrics = (await request(t.server).get('/metrics')).text;
    expect(sample(metrics, 'scheduled_job_runs_total{job="telephony.price-backfill",outcome="success"}')).toBe(1);
  });
});
