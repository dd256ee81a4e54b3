import { randomBytes, randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Logger, Post } from '@nestjs/common';
import request from 'supertest';
import { LogDestination, MemoryLogDestination } from '../src/logging/log-destination.js';
import { bindLogContext } from '../src/logging/log-context.js';
import { signTwilioRequest } from '../src/twilio/twilio-request-validator.js';
import { TwilioWebhook } from '../src/twilio/twilio-webhook.decorator.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_AUTH_TOKEN, testConfig } from './support/test-config.js';
import { bearer, testUser, TestUser } from './support/tokens.js';

/** A signed Twilio-style route that binds the call to the log context and logs the caller, as telephony will. */
@Controller('observability-probe')
class SignedProbeController {
  private readonly logger = new Logger('Probe');

  @Post('voice')
  @HttpCode(200)
  @TwilioWebhook()
  answerCall(@Body() body: Record<string, string>): string {
    bindLogContext({ call_sid: body.CallSid, company_id: body.CompanyId });
    this.logger.log({ event: 'probe_call', from: body.From, to: body.To }, `Call from ${body.From}`);
    return '<Response/>';
  }
}

const PROBE_PATH = '/observability-probe/voice';

let t: TestApp;
let logs: MemoryLogDestination;
let admin: TestUser;

beforeAll(async () => {
  logs = new MemoryLogDestination();
  t = await createTestApp({
    config: testConfig({ logLevel: 'info' }),
    controllers: [SignedProbeController],
    override: (builder) => builder.overrideProvider(LogDestination).useValue(logs),
  });
  admin = await testUser({ admin: true });
});
afterAll(() => t.close());

const metricsText = async (): Promise<string> => {
  const res = await request(t.server).get('/metrics');
  expect(res.status).toBe(200);
  return res.text;
};

/** The value of one sample in the Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('logs', () => {
  it('a request carrying a token and a phone number logs neither, but keeps the last four digits and a request id', async () => {
    const number = `+5255${String(Date.now()).slice(-8)}`;
    const before = logs.lines.length;
    const res = await request(t.server)
      .get(`/api/debug/phone-lookup/${encodeURIComponent(number)}`)
      .set(bearer(admin));
    expect(res.status).toBe(404); // unknown number: the error path logs too
    const written = logs.lines.slice(before).join('');
    expect(written.length).toBeGreaterThan(0);
    expect(written).not.toContain(admin.token);
    for (const part of admin.token.split('.')) expect(written).not.toContain(part);
    expect(written).not.toContain(number.slice(1));
    expect(written).not.toContain(number.slice(3)); // the national number alone
    expect(written).toContain(`***${number.slice(-4)}`);

    const completed = logs.records().find((r) => (r.req as { id?: string } | undefined)?.id === res.headers['x-request-id']);
    expect(completed, 'the request-completed line carries the id sent back in X-Request-Id').toBeDefined();
    expect(completed).toMatchObject({ level: 40, res: { status_code: 404 } });
  });

  it('binds the call SID and company to every line of a signed webhook, and masks the caller', async () => {
    const callSid = `CA${randomBytes(16).toString('hex')}`;
    const companyId = randomUUID();
    const params = { CallSid: callSid, CompanyId: companyId, From: '+525598761234', To: '+525512340000' };
    const signature = signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, `${TEST_PUBLIC_BASE_URL}${PROBE_PATH}`, params);
    const before = logs.lines.length;
    const res = await request(t.server).post(PROBE_PATH).set('X-Twilio-Signature', signature).type('form').send(params);
    expect(res.status).toBe(200);
    const records = logs.records().slice(before);
    const probe = records.find((r) => r.event === 'probe_call');
    expect(probe).toMatchObject({ call_sid: callSid, company_id: companyId, from: '***1234', to: '***0000', msg: 'Call from ***1234' });
    const completed = records.find((r) => r.msg === 'request completed');
    expect(completed, 'the request-completed line carries the bindings too').toMatchObject({ call_sid: callSid, company_id: companyId });
    const text = logs.lines.slice(before).join('');
    expect(text).not.toContain('525598761234');
    expect(text).not.toContain(signature);
  });

  it('does not carry one request’s bindings into the next', async () => {
    const before = logs.lines.length;
    await request(t.server).get('/api/debug/auth-test').set(bearer(admin));
    const records = logs.records().slice(before);
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(r).not.toHaveProperty('call_sid');
  });
});

describe('metrics', () => {
  it('serves Prometheus text without a token, with process defaults and both voice paths at zero', async () => {
    const res = await request(t.server).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toContain('nodejs_eventloop_lag_seconds');
    expect(sample(res.text, 'calls_active{voice_path="media_stream"}')).toBe(0);
    expect(sample(res.text, 'calls_active{voice_path="conversation_relay"}')).toBe(0);
  });

  it('counts a request by route template and status, never by raw URL', async () => {
    const series = 'http_request_duration_seconds_count{method="GET",route="/api/debug/auth-test",status_code="200"}';
    const before = sample(await metricsText(), series) ?? 0;
    await request(t.server).get('/api/debug/auth-test').set(bearer(admin)).expect(200);
    await request(t.server).get('/api/debug/auth-test').expect(401);
    const text = await metricsText();
    expect(sample(text, series)).toBe(before + 1);
    expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/api/debug/auth-test",status_code="401"}')).toBeGreaterThanOrEqual(1);

    await request(t.server).get('/api/debug/phone-lookup/%2B525512345678').set(bearer(admin));
    await request(t.server).get('/no-such-route/+525512345678').expect(404);
    const after = await metricsText();
    expect(after).toContain('route="/api/debug/phone-lookup/:phone_number"');
    expect(sample(after, 'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}')).toBeGreaterThanOrEqual(1);
    expect(after).not.toContain('525512345678');
  });

  it('counts a signature failure by route', async () => {
    const series = `twilio_signature_failures_total{route="${PROBE_PATH}"}`;
    const before = sample(await metricsText(), series) ?? 0;
    const res = await request(t.server).post(PROBE_PATH).set('X-Twilio-Signature', 'forged').type('form').send({ CallSid: 'CA1' });
    expect(res.status).toBe(403);
    const text = await metricsText();
    expect(sample(text, series)).toBe(before + 1);
    expect(sample(text, `http_request_duration_seconds_count{method="POST",route="${PROBE_PATH}",status_code="403"}`)).toBeGreaterThanOrEqual(1);
  });
});

describe('security headers and CORS', () => {
  it('sets strict helmet headers on /api and Twilio routes, Swagger-compatible ones on /docs', async () => {
    const api = await request(t.server).get('/api/debug/auth-test').set(bearer(admin));
    expect(api.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(api.headers['x-powered-by']).toBeUndefined();

    const docs = await request(t.server).get('/docs/');
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    expect(docs.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');

    // Issue 10: every route carries them, Twilio's webhooks included (Twilio ignores them; a browser does not).
    const twilio = await request(t.server).post(PROBE_PATH).type('form').send({});
    expect(twilio.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  });

  it('sends no CORS headers when CORS_ORIGINS is empty', async () => {
    const res = await request(t.server).get('/api/debug/auth-test').set('Origin', 'https://app.example.com').set(bearer(admin));
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
