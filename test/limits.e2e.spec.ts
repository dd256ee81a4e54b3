import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import request from 'supertest';
import { MetricsService } from '../src/metrics/metrics.service.js';
import { signTwilioRequest } from '../src/twilio/twilio-request-validator.js';
import { TwilioWebhook } from '../src/twilio/twilio-webhook.decorator.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_AUTH_TOKEN, testConfig } from './support/test-config.js';
import { bearer, testUser } from './support/tokens.js';

@Controller('limits-probe')
class SignedProbeController {
  @Post('status')
  @HttpCode(204)
  @TwilioWebhook()
  receiveStatus(@Body() _body: Record<string, string>): void {}
}

const PROBE_PATH = '/limits-probe/status';
const signedPost = (server: TestApp['server'], params: Record<string, string>, forwardedFor?: string): request.Test => {
  const req = request(server)
    .post(PROBE_PATH)
    .set('X-Twilio-Signature', signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, `${TEST_PUBLIC_BASE_URL}${PROBE_PATH}`, params))
    .type('form');
  if (forwardedFor) req.set('X-Forwarded-For', forwardedFor);
  return req.send(params);
};

describe('rate limits (no proxy trusted)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      config: testConfig({ http: { rateLimit: { windowSeconds: 60, api: 3, twilio: 4 } } }),
      controllers: [SignedProbeController],
    });
  });
  afterAll(() => t.close());

  it('gives each user one budget across /api and answers 429 with a clear JSON error and Retry-After', async () => {
    const user = await testUser();
    const first = await request(t.server).get('/api/debug/auth-test').set(bearer(user));
    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-limit-api']).toBe('3');
    expect(first.headers['x-ratelimit-remaining-api']).toBe('2');
    await request(t.server).get('/api/debug/user-companies').set(bearer(user)).expect(200);
    await request(t.server).get('/api/debug/auth-test').set(bearer(user)).expect(200);

    const limited = await request(t.server).get('/api/debug/user-companies').set(bearer(user));
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/^Too many requests: the limit is 3 requests per 60 s for each user on \/api\. Retry after \d+ s\.$/),
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('counts per user, not per address: another user from the same address is not limited', async () => {
    const noisy = await testUser();
    for (let i = 0; i < 3; i++) await request(t.server).get('/api/debug/auth-test').set(bearer(noisy)).expect(200);
    await request(t.server).get('/api/debug/auth-test').set(bearer(noisy)).expect(429);
    const quiet = await testUser();
    await request(t.server).get('/api/debug/auth-test').set(bearer(quiet)).expect(200);
  });

  it('limits Twilio-facing routes per source address, before the signature is even checked', async () => {
    for (let i = 0; i < 3; i++) await signedPost(t.server, { CallSid: `CA${i}`, CallStatus: 'completed' }).expect(204);
    await request(t.server).post(PROBE_PATH).set('X-Twilio-Signature', 'forged').type('form').send({}).expect(403);
    const limited = await signedPost(t.server, { CallSid: 'CA9', CallStatus: 'completed' });
    expect(limited.status).toBe(429);
    expect(limited.body.message).toMatch(/the limit is 4 requests per 60 s for each source address on the Twilio webhooks/);
  });

  it('never limits health, metrics or the docs', async () => {
    for (let i = 0; i < 8; i++) {
      await request(t.server).get('/health').expect(200);
      await request(t.server).get('/metrics').expect(200);
      await request(t.server).get('/docs-json').expect(200);
    }
  });

  it('counts refusals in the metrics, by limit', async () => {
    const text = await (t.app.get(MetricsService) as MetricsService).render();
    expect(text).toMatch(/^rate_limited_requests_total\{scope="api"\} [2-9]/m);
    expect(text).toMatch(/^rate_limited_requests_total\{scope="twilio"\} 1$/m);
  });

  it('refuses bodies over the limits with 413 and a JSON error', async () => {
    const user = await testUser();
    const json = await request(t.server)
      .post('/api/debug/auth-test')
      .set(bearer(user))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 10) }));
    expect(json.status).toBe(413);
    expect(json.body).toMatchObject({ statusCode: 413, message: 'The request body is too large' });

    const form = await request(t.server)
      .post(PROBE_PATH)
      .type('form')
      .send({ Body: 'x'.repeat(256 * 1024 + 10) });
    expect(form.status).toBe(413);
    expect(form.body).toMatchObject({ statusCode: 413 });
  });
});

describe('rate limits behind a trusted proxy, and CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      config: testConfig({
        http: { trustProxy: true, corsOrigins: ['https://app.example.com'], rateLimit: { windowSeconds: 60, api: 100, twilio: 2 } },
      }),
      controllers: [SignedProbeController],
    });
  });
  afterAll(() => t.close());

  it('tells Twilio sources apart by X-Forwarded-For when the proxy is trusted', async () => {
    const params = { CallSid: 'CA1', CallStatus: 'completed' };
    await signedPost(t.server, params, '203.0.113.7').expect(204);
    await signedPost(t.server, params, '203.0.113.7').expect(204);
    await signedPost(t.server, params, '203.0.113.7').expect(429);
    await signedPost(t.server, params, '198.51.100.20').expect(204);
  });

  it('answers preflights for configured origins only', async () => {
    const allowed = await request(t.server)
      .options('/api/debug/auth-test')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers['access-control-allow-headers']).toMatch(/Authorization/);

    const other = await request(t.server).options('/api/debug/auth-test').set('Origin', 'https://evil.example.com').set('Access-Control-Request-Method', 'GET');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();

    const user = await testUser();
    const actual = await request(t.server).get('/api/debug/auth-test').set('Origin', 'https://app.example.com').set(bearer(user));
    expect(actual.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(actual.headers['access-control-expose-headers']).toMatch(/Retry-After/);
  });
});
