import { createHmac } from 'node:crypto';
import request from 'supertest';
import { signTwilioRequest } from '../src/twilio/twilio-request-validator.js';
import { TwilioWebhookMetrics } from '../src/twilio/twilio-webhook-metrics.js';
import { addPhoneNumber, createCompany } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_AUTH_TOKEN, testConfig } from './support/test-config.js';
import { newCallSid, signedPost, statusCallback, verbs, voiceWebhook } from './support/voice-webhooks.js';

let t: TestApp;
let companyId: string;
let number: string;

beforeAll(async () => {
  t = await createTestApp();
  companyId = (await createCompany(t.db)).id;
  number = await addPhoneNumber(t.db, companyId);
});
afterAll(() => t.close());

async function rowsFor(callSid: string): Promise<{ sessions: number; events: number }> {
  const { rows } = await t.db.pool.query(
    `select (select count(*)::int from public.call_sessions where call_sid = $1) as sessions,
            (select count(*)::int from public.call_status_events where call_sid = $1) as events`,
    [callSid],
  );
  return rows[0];
}

interface Mutation {
  name: string;
  /** Builds the request from a fresh, correctly signable webhook. */
  send(path: string, params: Record<string, string>): request.Test;
}

const url = (path: string): string => `${TEST_PUBLIC_BASE_URL}${path}`;
const sign = (u: string, p: Record<string, string>, token = TEST_TWILIO_AUTH_TOKEN): string => signTwilioRequest(token, u, p);
const post = (path: string, body: Record<string, string> | string, signature?: string): request.Test => {
  const req = request(t.server).post(path).type('form').send(body);
  return signature === undefined ? req : req.set('X-Twilio-Signature', signature);
};

const mutations: Mutation[] = [
  { name: 'a changed parameter value (From)', send: (path, p) => post(path, { ...p, From: '+525500000000' }, sign(url(path), p)) },
  { name: 'a changed To', send: (path, p) => post(path, { ...p, To: '+525500000001' }, sign(url(path), p)) },
  {
    name: 'a changed CallSid',
    send: (path, p) => post(path, { ...p, CallSid: p.CallSid.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }, sign(url(path), { ...p })),
  },
  { name: 'an added parameter', send: (path, p) => post(path, { ...p, Extra: 'x' }, sign(url(path), p)) },
  {
    name: 'a removed parameter',
    send: (path, p) => {
      const { FromCountry: _removed, ...rest } = p;
      return post(path, rest, sign(url(path), p));
    },
  },
  {
    name: 'a renamed parameter (case)',
    send: (path, p) => {
      const { Direction, ...rest } = p;
      return post(path, { ...rest, direction: Direction }, sign(url(path), p));
    },
  },
  { name: 'a value with trailing whitespace', send: (path, p) => post(path, { ...p, CallStatus: `${p.CallStatus} ` }, sign(url(path), p)) },
  // (the same value twice is the same signed content: Twilio's algorithm de-duplicates repeated values)
  {
    name: 'a parameter repeated with another value',
    send: (path, p) => post(path, `${new URLSearchParams(p).toString()}&From=${encodeURIComponent('+525500000000')}`, sign(url(path), p)),
  },
  { name: 'signed for another path', send: (path, p) => post(path, p, sign(url('/voice/incoming/00000000-0000-4000-8000-000000000999'), p)) },
  { name: 'signed with a trailing slash', send: (path, p) => post(path, p, sign(url(`${path}/`), p)) },
  { name: 'signed for another host', send: (path, p) => post(path, p, sign(`https://evil.example${path}`, p)) },
  { name: 'signed for http instead of https', send: (path, p) => post(path, p, sign(`http://api.test.example${path}`, p)) },
  { name: 'signed with a non-standard port', send: (path, p) => post(path, p, sign(`https://api.test.example:8443${path}`, p)) },
  { name: 'signed with a query that was not sent', send: (path, p) => post(path, p, sign(url(`${path}?rc=1`), p)) },
  { name: 'sent with a query that was not signed', send: (path, p) => post(`${path}?x=1`, p, sign(url(path), p)) },
  { name: 'another auth token', send: (path, p) => post(path, p, sign(url(path), p, 'another-auth-token-0123456789')) },
  { name: 'an empty header', send: (path, p) => post(path, p, '') },
  { name: 'no header', send: (path, p) => post(path, p) },
  { name: "another call's signature (replay)", send: (path, p) => post(path, p, sign(url(path), { ...p, CallSid: newCallSid() })) },
  { name: 'a truncated signature', send: (path, p) => post(path, p, sign(url(path), p).slice(0, -4)) },
  {
    name: 'one flipped character',
    send: (path, p) => {
      const s = sign(url(path), p);
      return post(path, p, `${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`);
    },
  },
  {
    name: 'HMAC-SHA256 instead of SHA1',
    send: (path, p) => {
      const data =
        url(path) +
        Object.keys(p)
          .sort()
          .map((k) => k + p[k])
          .join('');
      return post(path, p, createHmac('sha256', TEST_TWILIO_AUTH_TOKEN).update(data).digest('base64'));
    },
  },
  {
    name: 'parameters concatenated unsorted',
    send: (path, p) => {
      const data =
        url(path) +
        Object.keys(p)
          .reverse()
          .map((k) => k + p[k])
          .join('');
      return post(path, p, createHmac('sha1', TEST_TWILIO_AUTH_TOKEN).update(data).digest('base64'));
    },
  },
  { name: 'the URL signed without parameters', send: (path, p) => post(path, p, sign(url(path), {})) },
  {
    name: 'a JSON body without bodySHA256',
    send: (path, p) =>
      request(t.server)
        .post(path)
        .set('Content-Type', 'application/json')
        .set('X-Twilio-Signature', sign(url(path), {}))
        .send(JSON.stringify(p)),
  },
  { name: 'a lower-cased signature', send: (path, p) => post(path, p, sign(url(path), p).toLowerCase()) },
];

describe('X-Twilio-Signature on POST /voice/incoming/{company_id}', () => {
  it('has at least 20 mutations', () => expect(mutations.length).toBeGreaterThanOrEqual(20));

  it('accepts the unmutated request (the control)', async () => {
    const params = voiceWebhook({ To: number });
    const res = await signedPost(t.server, `/voice/incoming/${companyId}`, params);
    expect(res.status).toBe(200);
    expect(verbs(res.text)).toEqual(['Connect']);
    expect(await rowsFor(params.CallSid)).toEqual({ sessions: 1, events: 0 });
  });

  it.each(mutations.map((m) => [m.name, m] as const))('refuses %s with 403 and writes nothing', async (_name, mutation) => {
    const failures = t.app.get(TwilioWebhookMetrics);
    const before = [...failures.signatureFailures().values()].reduce((a, b) => a + b, 0);
    const params = voiceWebhook({ To: number });
    const res = await mutation.send(`/voice/incoming/${companyId}`, params);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, message: 'Invalid or missing X-Twilio-Signature' });
    expect(res.text).not.toContain('<Response');
    expect(await rowsFor(params.CallSid)).toEqual({ sessions: 0, events: 0 });
    expect([...failures.signatureFailures().values()].reduce((a, b) => a + b, 0)).toBe(before + 1);
  });
});

describe('X-Twilio-Signature on the other voice routes', () => {
  it('refuses an unsigned or mis-signed status callback and records nothing', async () => {
    const params = voiceWebhook({ To: number });
    await signedPost(t.server, `/voice/incoming/${companyId}`, params);
    const status = statusCallback(params.CallSid, 'completed', { CallDuration: '61', SequenceNumber: '3' });
    expect((await post('/voice/status', status)).status).toBe(403);
    expect((await post('/voice/status', status, sign(url('/voice/status'), { ...status, CallDuration: '1' }))).status).toBe(403);
    expect((await post('/voice/status', status, sign(url('/voice/status'), status, 'another-auth-token-0123456789'))).status).toBe(403);
    expect(await rowsFor(params.CallSid)).toEqual({ sessions: 1, events: 0 });
    const { rows } = await t.db.pool.query('select count(*)::int as n from public.usage_events where call_sid = $1', [params.CallSid]);
    expect(rows[0].n).toBe(0);
    // the control: signed correctly, it is recorded
    expect((await signedPost(t.server, '/voice/status', status)).status).toBe(204);
    expect(await rowsFor(params.CallSid)).toEqual({ sessions: 1, events: 1 });
  });

  it('refuses an unsigned connect-action callback', async () => {
    const body = { CallSid: newCallSid(), HandoffData: '{"reasonCode":"live-agent-handoff"}' };
    expect((await post('/voice/connect-action', body)).status).toBe(403);
    expect((await post('/voice/connect-action', body, sign(url('/voice/status'), body))).status).toBe(403);
    expect((await signedPost(t.server, '/voice/connect-action', body)).status).toBe(200);
  });
});

describe('behind a proxy', () => {
  it('validates against PUBLIC_BASE_URL while the app listens on an internal URL, ignoring forwarded headers', async () => {
    const behind = await createTestApp({ db: undefined, config: testConfig({ publicBaseUrl: 'https://voice.example.com/phone' }), listen: true });
    try {
      const company = await createCompany(behind.db);
      const n = await addPhoneNumber(behind.db, company.id);
      const address = behind.app.getHttpServer().address() as { port: number };
      const internal = `http://127.0.0.1:${address.port}`;
      const path = `/voice/incoming/${company.id}`;
      const params = voiceWebhook({ To: n });

      // Twilio signed the public URL (with the proxy's path prefix); the proxy forwarded it to the internal one.
      const ok = await request(internal)
        .post(path)
        .type('form')
        .set('Host', 'internal-service:3000')
        .set('X-Forwarded-Proto', 'https')
        .set('X-Forwarded-Host', 'voice.example.com')
        .set('X-Twilio-Signature', signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, `https://voice.example.com/phone${path}`, params))
        .send(params);
      expect(ok.status).toBe(200);
      expect(verbs(ok.text)).toEqual(['Connect']);
      expect(ok.text).toContain('url="wss://voice.example.com/phone/conversation-relay"');
      expect(ok.text).toContain('action="https://voice.example.com/phone/voice/connect-action"');

      // A signature over the URL the app sees, or over forwarded headers an attacker controls, is refused.
      const other = voiceWebhook({ To: n });
      for (const signedUrl of [`${internal}${path}`, `https://internal-service:3000${path}`, `https://attacker.example${path}`]) {
        const res = await request(internal)
          .post(path)
          .type('form')
          .set('X-Forwarded-Host', 'attacker.example')
          .set('X-Twilio-Signature', signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, signedUrl, other))
          .send(other);
        expect(res.status).toBe(403);
      }
      const { rows } = await behind.db.pool.query('select count(*)::int as n from public.call_sessions where call_sid = $1', [other.CallSid]);
      expect(rows[0].n).toBe(0);
    } finally {
      await behind.close();
    }
  });
});
