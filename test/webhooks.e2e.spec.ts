import { existsSync } from 'node:fs';
import type { PoolConfig } from 'pg';
import request from 'supertest';
import { WebhookVerificationError } from 'standardwebhooks';
import { WebhookDeliveryService } from '../src/events/webhook-delivery.service.js';
import { WebhookSender } from '../src/events/webhook-sender.js';
import { StreamTokenService } from '../src/twilio/stream-token.service.js';
import { createVoiceCompany, eventually, openCallSession, portOf } from './support/agent-session-fixtures.js';
import { companyWithRoles } from './support/company-roles.js';
import { createCompany } from './support/factories.js';
import { ApiProcess, freePort, MAIN } from './support/api-process.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { testConfig, TEST_JWT_SECRET, TEST_PUBLIC_BASE_URL } from './support/test-config.js';
import { openIsolatedTestDatabase } from './support/test-database.js';
import { bearer, testUser } from './support/tokens.js';
import { TwilioWsClient } from './support/twilio-ws-client.js';
import { signedPost, statusCallback } from './support/voice-webhooks.js';
import { ReceivedWebhook, WebhookReceiver } from './support/webhook-receiver.js';
import type { PgDatabase } from '../src/database/pg-database.js';

const delivering = (overrides: { retryScheduleSeconds?: number[]; timeoutMs?: number; enabled?: boolean } = {}) =>
  testConfig({ events: { webhooks: { enabled: true, pollIntervalMs: 100, retryScheduleSeconds: [0.2, 0.2, 0.2], ...overrides } } });

/** Sets the company's webhook through the API as its owner; returns the secret. */
async function putWebhook(t: TestApp, companyId: string, url: string, events?: string[]): Promise<string> {
  const owner = await testUser();
  await t.db.pool.query(`insert into public.company_members (company_id, user_id, role) values ($1, $2, 'owner')`, [companyId, owner.id]);
  const res = await request(t.server)
    .put(`/api/companies/${companyId}/webhook`)
    .set(bearer(owner))
    .send(events ? { url, events } : { url });
  expect(res.status).toBe(200);
  return res.body.secret as string;
}

/** A fact that the outbox reports: a message taken on the media path (the same function the realtime tool uses). */
async function takeMessage(db: PgDatabase, companyId: string, text = 'Llámenme mañana'): Promise<string> {
  const { rows } = await db.pool.query(`select public.record_taken_message($1, 'voice', '+525500000009', null, $2) as m`, [companyId, text]);
  return (rows[0].m as { id: string }).id;
}

describe('company webhooks: a ConversationRelay call that takes a message', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await createTestApp({ listen: true, config: delivering() });
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('delivers a signed message.taken and call.completed that the standardwebhooks package verifies', async () => {
    const company = await createVoiceCompany(t.db, { transfer: false });
    const secret = await putWebhook(t, company.id, receiver.url());
    const callSid = await openCallSession(t.db, company.id, undefined, '+525511112222');
    const client = await TwilioWsClient.connect(`ws://127.0.0.1:${portOf(t.app)}/conversation-relay`);
    client.setup(callSid, t.app.get(StreamTokenService).issue(callSid, company.id, 'conversation_relay'));
    client.prompt('Quiero hablar con una persona, por favor');
    await client.answer();
    client.prompt('Soy Ana, por favor llámenme al 5512345678 sobre mi cita');
    expect(await client.answer()).toMatch(/mensaje/i);
    client.close();
    await client.closed;

    const taken = await eventually(async () => {
      const [hit] = receiver.ofType('message.taken').filter((h) => h.json.company_id === company.id);
      expect(hit).toBeDefined();
      return hit;
    }, 10_000);
    expect(() => WebhookReceiver.verify(taken, secret)).not.toThrow();
    expect(taken.headers['webhook-id']).toBe(taken.json.id);
    expect(taken.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Object.keys(taken.json).sort()).toEqual(['company_id', 'created_at', 'data', 'id', 'type']);
    expect(taken.json.data).toMatchObject({
      channel: 'voice',
      call_sid: callSid,
      contact: '+525511112222',
      text: 'Soy Ana, por favor llámenme al 5512345678 sobre mi cita',
    });
    // A forged body or a wrong secret does not verify.
    expect(() => WebhookReceiver.verify({ ...taken, body: taken.body.replace('Ana', 'Eve') }, secret)).toThrow(WebhookVerificationError);
    expect(() => WebhookReceiver.verify(taken, 'whsec_' + Buffer.from('another secret of 24 b!!').toString('base64'))).toThrow(WebhookVerificationError);

    // Twilio's final status callback closes the call: call.completed follows with the transcript, outcome and costs.
    const res = await signedPost(t.server, '/voice/status', statusCallback(callSid, 'completed', { CallDuration: '75', To: '+525512345678' }));
    expect(res.status).toBe(204);
    const completed = await eventually(async () => {
      const [hit] = receiver.ofType('call.completed').filter((h) => (h.json.data.call as { call_sid: string }).call_sid === callSid);
      expect(hit).toBeDefined();
      return hit;
    }, 10_000);
    expect(() => WebhookReceiver.verify(completed, secret)).not.toThrow();
    const data = completed.json.data as {
      outcome: string;
      call: Record<string, unknown>;
      transcript: { role: string; latency: Record<string, number> | null }[];
      latency: { agent_turns: number };
      cost: Record<string, unknown>;
    };
    expect(data.outcome).toBe('message_taken');
    expect(data.call).toMatchObject({ call_sid: callSid, status: 'completed', duration_seconds: 75 });
    expect(data.transcript.map((turn) => turn.role)).toEqual(expect.arrayContaining(['caller', 'agent']));
    expect(data.transcript.find((turn) => turn.role === 'agent')?.latency).toMatchObject({ end_of_speech_to_first_output_ms: expect.any(Number) });
    expect(data.latency.agent_turns).toBeGreaterThanOrEqual(2);
    // Two started minutes at the test rate card's MX estimate, until Twilio's price replaces it.
    expect(data.cost).toMatchObject({
      currency: 'USD',
      telephony_usd: 0.02,
      llm_usd: 0,
      realtime_usd: 0,
      messaging_usd: 0,
      total_usd: 0.02,
      telephony_price_source: 'estimate',
    });

    // The deliveries route lists both, delivered on the first attempt.
    const owner = await testUser();
    await t.db.pool.query(`insert into public.company_members (company_id, user_id, role) values ($1, $2, 'admin')`, [company.id, owner.id]);
    // (each result is recorded just after the receiver answered)
    await eventually(async () => {
      const list = await request(t.server).get(`/api/companies/${company.id}/webhook/deliveries`).set(bearer(owner));
      expect(list.status).toBe(200);
      expect(list.body.items.map((d: { event_type: string }) => d.event_type).sort()).toEqual(['call.completed', 'message.taken']);
      for (const delivery of list.body.items) {
        expect(delivery).toMatchObject({ state: 'delivered', attempts: 1, last_status_code: 200 });
        expect(delivery.attempt_log).toEqual([expect.objectContaining({ attempt: 1, status_code: 200 })]);
      }
    }, 10_000);
  });

  it('retries a failing receiver with backoff and the same id: delivered on the third attempt', async () => {
    const company = await createCompany(t.db);
    const failing = await WebhookReceiver.start();
    try {
      failing.respond = (_hit, index) => (index < 2 ? [500, 503][index] : 200);
      const secret = await putWebhook(t, company.id, failing.url());
      await takeMessage(t.db, company.id);
      await eventually(async () => expect(failing.received).toHaveLength(3), 10_000);
      const ids = failing.received.map((hit) => hit.headers['webhook-id']);
      expect(new Set(ids).size).toBe(1);
      expect(failing.received.every((hit) => hit.json.id === ids[0])).toBe(true);
      for (const hit of failing.received) expect(() => WebhookReceiver.verify(hit, secret)).not.toThrow();
      // backoff: each retry waited at least the schedule's 0.2 s
      expect(failing.received[1].at - failing.received[0].at).toBeGreaterThanOrEqual(150);
      // the result is recorded after the receiver answered
      await eventually(async () => {
        const { rows } = await t.db.pool.query(
          `select d.state, d.attempts, array_agg(a.status_code order by a.attempt) as codes
             from public.webhook_deliveries d join public.webhook_delivery_attempts a on a.delivery_id = d.id
            where d.company_id = $1 group by d.id`,
          [company.id],
        );
        expect(rows).toEqual([{ state: 'delivered', attempts: 3, codes: [500, 503, 200] }]);
      }, 10_000);
    } finally {
      await failing.close();
    }
  });

  it('gives up after the last attempt of the schedule and says so', async () => {
    const company = await createCompany(t.db);
    const down = await WebhookReceiver.start();
    try {
      down.respond = () => 500;
      await putWebhook(t, company.id, down.url());
      await takeMessage(t.db, company.id);
      // the schedule has 3 waits: 4 attempts in all
      await eventually(async () => {
        const { rows } = await t.db.pool.query('select state, attempts from public.webhook_deliveries where company_id = $1', [company.id]);
        expect(rows).toEqual([{ state: 'failed', attempts: 4 }]);
      }, 10_000);
      expect(down.received).toHaveLength(4);
    } finally {
      await down.close();
    }
  });

  it("a receiver that hangs does not delay another company's deliveries", async () => {
    const slow = await WebhookReceiver.start();
    const fast = await WebhookReceiver.start();
    try {
      slow.respond = () => 'hang';
      const slowCompany = await createCompany(t.db);
      const fastCompany = await createCompany(t.db);
      await putWebhook(t, slowCompany.id, slow.url());
      await putWebhook(t, fastCompany.id, fast.url());
      await takeMessage(t.db, slowCompany.id);
      await eventually(async () => expect(slow.received).toHaveLength(1), 10_000);
      // the slow receiver holds its attempt open (up to the 2 s test timeout) while the other company's event goes out
      const started = Date.now();
      await takeMessage(t.db, fastCompany.id);
      await eventually(async () => expect(fast.received).toHaveLength(1), 10_000);
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(slow.received).toHaveLength(1);
    } finally {
      await slow.close();
      await fast.close();
    }
  });
});

describe('company webhooks: nothing is lost, nothing is sent twice', () => {
  let db: PgDatabase;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    // a database of its own: claims take every due delivery, and other files' apps must not take these
    db = await openIsolatedTestDatabase();
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver.close();
    await db.close();
  });

  /** A delivering instance started now sends the company's waiting message.taken event, signed with its secret. */
  async function expectDeliveredByANewInstance(companyId: string, message: { id: string; text: string }, secret: string): Promise<void> {
    const next = await createTestApp({ db, config: delivering() });
    try {
      const hit = await eventually(async () => {
        const [found] = receiver.received.filter((h) => h.json.company_id === companyId);
        expect(found).toBeDefined();
        return found;
      }, 10_000);
      expect(hit.json).toMatchObject({ type: 'message.taken', data: message });
      expect(() => WebhookReceiver.verify(hit, secret)).not.toThrow();
    } finally {
      await next.close();
    }
  }

  it('an event written while no instance delivers (the app stopped after the fact) is delivered after the restart', async () => {
    const first = await createTestApp({ db, config: delivering({ enabled: false }) });
    const company = await createCompany(db);
    const secret = await putWebhook(first, company.id, receiver.url());
    const messageId = await takeMessage(db, company.id, 'Antes del reinicio');
    await first.close();
    expect(receiver.received.filter((h) => h.json.company_id === company.id)).toHaveLength(0);

    await expectDeliveredByANewInstance(company.id, { id: messageId, text: 'Antes del reinicio' }, secret);
  });

  it('an event whose instance was killed with SIGKILL before delivering it is delivered by the next instance', async () => {
    expect(existsSync(MAIN), 'build first: npm test runs nest build').toBe(true);
    // The real server process, which does not deliver, so that it dies with the event still in the outbox.
    const doomed = await ApiProcess.start('doomed', await freePort(), {
      NODE_ENV: 'test',
      DATABASE_URL: (db.pool.options as PoolConfig).connectionString!,
      DEMO_SEED: 'false',
      LOG_LEVEL: 'warn',
      PUBLIC_BASE_URL: TEST_PUBLIC_BASE_URL,
      SUPABASE_JWT_SECRET: TEST_JWT_SECRET,
      SESSION_TOKEN_SECRET: 'webhooks-test-session-token-secret-0123456789',
      WEBHOOK_DELIVERY_ENABLED: 'false',
      CALL_RECONCILE_ENABLED: 'false',
      PRICE_BACKFILL_ENABLED: 'false',
      BUNDLE_MONITOR_ENABLED: 'false',
    });
    const company = await createCompany(db);
    const owner = await testUser();
    await db.pool.query(`insert into public.company_members (company_id, user_id, role) values ($1, $2, 'owner')`, [company.id, owner.id]);
    const put = await request(doomed.url).put(`/api/companies/${company.id}/webhook`).set(bearer(owner)).send({ url: receiver.url() });
    expect(put.status).toBe(200);
    const messageId = await takeMessage(db, company.id, 'Antes del SIGKILL');
    doomed.signal('SIGKILL');
    expect(await doomed.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(receiver.received.filter((h) => h.json.company_id === company.id)).toHaveLength(0);

    await expectDeliveredByANewInstance(company.id, { id: messageId, text: 'Antes del SIGKILL' }, put.body.secret as string);
  }, 90_000);

  it('a delivery claimed by an instance that crashed is sent by another once the lease runs out', async () => {
    const app = await createTestApp({ db, config: delivering({ enabled: false }) });
    const company = await createCompany(db);
    await putWebhook(app, company.id, receiver.url());
    await takeMessage(db, company.id, 'Reclamado por una instancia caída');
    // A dead instance claimed it (one-second lease) and never reported.
    const { rows } = await db.pool.query(`select public.claim_webhook_deliveries('dead-instance', 100, 1) as claimed`);
    expect((rows[0].claimed as unknown[]).length).toBeGreaterThanOrEqual(1);
    await app.close();

    const survivor = await createTestApp({ db, config: delivering() });
    try {
      await eventually(async () => expect(receiver.received.filter((h) => h.json.company_id === company.id)).toHaveLength(1), 10_000);
      // the dead instance's claim counts as an attempt that never reported; the result is recorded after the answer
      await eventually(async () => {
        const { rows: after } = await db.pool.query('select state, attempts from public.webhook_deliveries where company_id = $1', [company.id]);
        expect(after).toEqual([{ state: 'delivered', attempts: 2 }]);
      }, 10_000);
    } finally {
      await survivor.close();
    }
  });

  it('two instances deliver each event once', async () => {
    const a = await createTestApp({ db, config: delivering() });
    const b = await createTestApp({ db, config: delivering() });
    try {
      const companies = await Promise.all(Array.from({ length: 4 }, () => createCompany(db)));
      for (const company of companies) await putWebhook(a, company.id, receiver.url());
      const ids = new Set(companies.map((c) => c.id));
      for (let i = 0; i < 5; i++) for (const company of companies) await takeMessage(db, company.id, `mensaje ${i}`);
      const mine = (): ReceivedWebhook[] => receiver.received.filter((h) => ids.has(h.json.company_id));
      await eventually(async () => expect(mine()).toHaveLength(20), 15_000);
      // a little longer: nothing more arrives
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(mine()).toHaveLength(20);
      expect(new Set(mine().map((h) => h.json.id)).size).toBe(20);
      // both instances took part
      const { rows } = await db.pool.query(
        `select count(distinct a.url) as urls, count(*) as attempts from public.webhook_delivery_attempts a
           join public.webhook_deliveries d on d.id = a.delivery_id where d.company_id = any($1)`,
        [[...ids]],
      );
      expect(Number(rows[0].attempts)).toBe(20);
      expect(a.app.get(WebhookDeliveryService).owner).not.toBe(b.app.get(WebhookDeliveryService).owner);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('company webhooks: SSRF', () => {
  it('in production refuses loopback and private addresses, also when a name resolves to one at delivery time', async () => {
    const receiver = await WebhookReceiver.start();
    const sender = new WebhookSender(testConfig({ env: 'production', events: { webhooks: { allowLoopback: false } } }));
    const event = { id: 'evt_1', type: 'message.taken' as const, created_at: new Date().toISOString(), company_id: 'c', data: {} };
    const secret = 'whsec_' + Buffer.alloc(24, 7).toString('base64');
    try {
      expect(await sender.send(receiver.url(), secret, event)).toMatchObject({ statusCode: null, permanent: true, error: expect.stringMatching(/https/) });
      expect(await sender.send(`https://127.0.0.1:${receiver.port}/hooks`, secret, event)).toMatchObject({ statusCode: null, permanent: true });
      // DNS rebinding: a public-looking name that answers with a private or loopback address
      sender.resolveHost = async () => [{ address: '10.0.0.7', family: 4 }];
      expect(await sender.send('https://hooks.example.com/in', secret, event)).toMatchObject({
        statusCode: null,
        error: expect.stringMatching(/refused address/),
      });
      sender.resolveHost = async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ];
      expect(await sender.send('https://hooks.example.com/in', secret, event)).toMatchObject({
        statusCode: null,
        error: expect.stringMatching(/refused address/),
      });
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it('connects to the address it checked, not to a second answer of the resolver', async () => {
    const receiver = await WebhookReceiver.start();
    const sender = new WebhookSender(testConfig());
    const event = { id: 'evt_2', type: 'message.taken' as const, created_at: new Date().toISOString(), company_id: 'c', data: {} };
    const secret = 'whsec_' + Buffer.alloc(24, 9).toString('base64');
    let lookups = 0;
    sender.resolveHost = async () => {
      lookups += 1;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    try {
      const result = await sender.send(`http://receiver.localhost:${receiver.port}/hooks`, secret, event);
      expect(result.statusCode).toBe(200);
      expect(lookups).toBe(1);
      expect(receiver.received[0].headers.host).toBe(`receiver.localhost:${receiver.port}`);
    } finally {
      await receiver.close();
    }
  });
});

describe('webhook routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('need a token, and the role owner or admin of the company', async () => {
    const roles = await companyWithRoles(t);
    const path = `/api/companies/${roles.companyId}/webhook`;
    const body = { url: 'http://127.0.0.1:9/hooks' };
    expect((await request(t.server).put(path).send(body)).status).toBe(401);
    expect((await request(t.server).get(path)).status).toBe(401);
    expect((await request(t.server).get(`${path}/deliveries`)).status).toBe(401);
    expect((await request(t.server).put(path).set(bearer(roles.outsider)).send(body)).status).toBe(403);
    expect((await request(t.server).put(path).set(bearer(roles.member)).send(body)).status).toBe(403);
    expect((await request(t.server).get(`${path}/deliveries`).set(bearer(roles.member))).status).toBe(403);
    expect((await request(t.server).delete(path).set(bearer(roles.outsider))).status).toBe(403);
    const { rows } = await t.db.pool.query('select count(*)::int as n from public.company_webhooks where company_id = $1', [roles.companyId]);
    expect(rows[0].n).toBe(0);
  });

  it('set, read (with a hint, never the secret), replace with a new secret, delete', async () => {
    const roles = await companyWithRoles(t);
    const path = `/api/companies/${roles.companyId}/webhook`;
    expect((await request(t.server).get(path).set(bearer(roles.owner))).status).toBe(404);
    const put = await request(t.server)
      .put(path)
      .set(bearer(roles.admin))
      .send({ url: 'http://127.0.0.1:9/hooks', events: ['message.taken'] });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ url: 'http://127.0.0.1:9/hooks', events: ['message.taken'], secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/) });
    const get = await request(t.server).get(path).set(bearer(roles.owner));
    expect(get.status).toBe(200);
    expect(get.body.secret).toBeUndefined();
    expect(get.body.secret_hint).toBe(`whsec_…${put.body.secret.slice(-4)}`);
    const again = await request(t.server).put(path).set(bearer(roles.owner)).send({ url: 'https://hooks.example.com/x' });
    expect(again.body.secret).not.toBe(put.body.secret);
    expect(again.body.events).toEqual(['call.completed', 'call.cost_updated', 'message.taken', 'bundle.updated']);
    expect((await request(t.server).delete(path).set(bearer(roles.owner))).status).toBe(204);
    expect((await request(t.server).get(path).set(bearer(roles.owner))).status).toBe(404);
    expect((await request(t.server).delete(path).set(bearer(roles.owner))).status).toBe(404);
  });

  it('refuse bad input and change nothing', async () => {
    const roles = await companyWithRoles(t);
    const path = `/api/companies/${roles.companyId}/webhook`;
    for (const body of [
      {},
      { url: 'http://hooks.example.com/x' },
      { url: 'ftp://hooks.example.com/x' },
      { url: 'https://10.0.0.1/x' },
      { url: 'https://169.254.169.254/latest' },
      { url: 'not a url' },
      { url: 'https://hooks.example.com/x', events: ['call.transcript'] },
      { url: 'https://hooks.example.com/x', events: [] },
      { url: 'https://hooks.example.com/x', secret: 'whsec_mine' },
    ]) {
      const res = await request(t.server).put(path).set(bearer(roles.owner)).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
    }
    expect((await request(t.server).put('/api/companies/not-a-uuid/webhook').set(bearer(roles.owner)).send({ url: 'https://a.example/x' })).status).toBe(400);
    expect((await request(t.server).get(`${path}/deliveries?limit=0`).set(bearer(roles.owner))).status).toBe(400);
    const { rows } = await t.db.pool.query('select count(*)::int as n from public.company_webhooks where company_id = $1', [roles.companyId]);
    expect(rows[0].n).toBe(0);
  });
});
