import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { LiveCallRegistry } from '../src/agent-session/live-calls.registry.js';
import { CacheNotices } from '../src/coherence/cache-notices.service.js';
import type { AppConfig } from '../src/config/app-config.js';
import type { PgDatabase } from '../src/database/pg-database.js';
import { PhoneNumberResolver } from '../src/lookup/phone-number-resolver.js';
import { RedisConnections } from '../src/redis/redis-connections.js';
import { StreamTokenService } from '../src/twilio/stream-token.service.js';
import { createVoiceCompany, eventually, newStreamSid, openCallSession, portOf } from './support/agent-session-fixtures.js';
import { prepare } from '../src/database/database.factory.js';
import { openPostgresDatabase } from '../src/database/embedded-postgres.js';
import { addPhoneNumber, createCompany, randomMexicanNumber } from './support/factories.js';
import { DisposablePostgres } from './support/disposable-postgres.js';
import { FakeOpenAiRealtime } from './support/fake-openai-realtime.js';
import { FakeTwilioCalls } from './support/fake-twilio-calls.js';
import { FakeTwilioProvisioning } from './support/fake-twilio-provisioning.js';
import { createTestApp, rpcTransportByDefault, TestApp } from './support/test-app.js';
import { TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN, testConfig } from './support/test-config.js';
import { openTestDatabase } from './support/test-database.js';
import { bearer, testUser } from './support/tokens.js';
import { TwilioWsClient } from './support/twilio-ws-client.js';

/**
 * Two instances of the API on one database (DESIGN §10, issue 14). The machine's Redis (127.0.0.1:6379) is used with
 * a key prefix of each test's own. On the rpc transport (supabase-js cannot LISTEN) the notices travel over Redis,
 * so those apps get REDIS_URL; on the SQL transports the database's own NOTIFY is what is tested, without Redis.
 */
const REDIS_URL = 'redis://127.0.0.1:6379';
const rpc = rpcTransportByDefault();
const redisPrefix = (): string => `test:${randomUUID()}:`;
/** The notice channel the transport has: PostgreSQL LISTEN on SQL transports, Redis on the rpc transport. */
const noticeRedis = (): Partial<AppConfig['redis']> => (rpc ? { url: REDIS_URL, keyPrefix: redisPrefix() } : { keyPrefix: redisPrefix() });

async function twoApps(
  config: (shared: { prefix: string }) => AppConfig,
  listen = false,
): Promise<{ db: PgDatabase; a: TestApp; b: TestApp; close(): Promise<void> }> {
  const db = await openTestDatabase();
  const shared = { prefix: redisPrefix() };
  const a = await createTestApp({ db, config: config(shared), listen });
  const b = await createTestApp({ db, config: config(shared), listen });
  return {
    db,
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
      await db.close();
    },
  };
}

describe('cache coherence across instances', () => {
  let fake: FakeTwilioProvisioning;
  let apps: Awaited<ReturnType<typeof twoApps>>;
  beforeAll(async () => {
    fake = await new FakeTwilioProvisioning(TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN).start();
    apps = await twoApps(({ prefix }) => testConfig({ twilio: fake.baseUrls(), redis: { ...noticeRedis(), keyPrefix: prefix } }));
    // each instance hears notices before the test starts (its LISTEN connection, or Redis)
    await eventually(async () => {
      expect(apps.a.app.get(CacheNotices).live).toBe(true);
      expect(apps.b.app.get(CacheNotices).live).toBe(true);
    }, 10_000);
  });
  afterAll(async () => {
    await apps.close();
    await fake.stop();
  });

  const configure = async (t: TestApp, number: string, companyId: string): Promise<void> => {
    const admin = await testUser({ admin: true });
    const res = await request(t.server)
      .post(`/api/phone-numbers/${encodeURIComponent(number)}/configure`)
      .set(bearer(admin))
      .send({ company_id: companyId });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };

  it('a number moved through instance B resolves to its new company on instance A within 1 s', async () => {
    const number = randomMexicanNumber();
    fake.addIncomingNumber(number, { voice_url: null, sms_url: null });
    const [first, second] = [await createCompany(apps.db), await createCompany(apps.db)];
    await configure(apps.b, number, first.id);
    const resolverA = apps.a.app.get(PhoneNumberResolver);
    // A has the number cached for its first company (SMS and WhatsApp answer from this cache)
    expect((await resolverA.resolveNormalized(number))?.company_id).toBe(first.id);

    await configure(apps.b, number, second.id);
    const moved = Date.now();
    await eventually(async () => expect((await resolverA.resolveNormalized(number))?.company_id).toBe(second.id), 1_000);
    expect(Date.now() - moved).toBeLessThan(1_000);
  });

  it("a company's new name reaches the other instance's cached lookups within 1 s (a change made in SQL, by no instance)", async () => {
    const number = randomMexicanNumber();
    fake.addIncomingNumber(number, { voice_url: null, sms_url: null });
    const company = await createCompany(apps.db, { name: 'Before Rename' });
    await configure(apps.b, number, company.id);
    const resolverA = apps.a.app.get(PhoneNumberResolver);
    expect((await resolverA.resolveNormalized(number))?.company_name).toBe('Before Rename');
    await apps.db.pool.query("update public.companies set name = 'After Rename' where id = $1", [company.id]);
    if (rpc) {
      // Without LISTEN (supabase-js), a write that no instance made is seen when the short cache lifetime ends.
      await eventually(async () => expect((await resolverA.resolveNormalized(number))?.company_name).toBe('After Rename'), 5_000);
      return;
    }
    await eventually(async () => expect((await resolverA.resolveNormalized(number))?.company_name).toBe('After Rename'), 1_000);
  });

  it.skipIf(rpc)('reconnects its LISTEN connection after losing it, dropping what it cached meanwhile', async () => {
    const notices = apps.a.app.get(CacheNotices);
    const number = randomMexicanNumber();
    fake.addIncomingNumber(number, { voice_url: null, sms_url: null });
    const company = await createCompany(apps.db);
    await configure(apps.b, number, company.id);
    const resolverA = apps.a.app.get(PhoneNumberResolver);
    await resolverA.resolveNormalized(number);
    const lookups = vi.spyOn(apps.a.appDb, 'call');
    await resolverA.resolveNormalized(number);
    expect(lookups).not.toHaveBeenCalled(); // served from the cache

    // The database ends A's listening backend, as a restart or a failover does.
    const { rows: ended } = await apps.db.pool.query<{ pid: number; terminated: boolean }>(
      'select pid, pg_terminate_backend(pid) as terminated from pg_stat_activity where application_name = $1',
      [notices.connectionName],
    );
    expect(ended).toEqual([{ pid: expect.any(Number), terminated: true }]);
    // A new backend, not the ended one still on its way out (pg_terminate_backend only signals it).
    await eventually(async () => {
      const { rows } = await apps.db.pool.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [notices.connectionName]);
      expect(rows).toHaveLength(1);
      expect(rows[0].pid).not.toBe(ended[0].pid);
      expect(notices.live).toBe(true);
    }, 10_000);
    // notices sent while it was away were missed: the cache was dropped, so the next lookup reads the database
    await resolverA.resolveNormalized(number);
    expect(lookups).toHaveBeenCalledWith('resolve_phone_number', { p_phone_number: number });
    lookups.mockRestore();

    // and notices arrive again
    const other = await createCompany(apps.db);
    await configure(apps.b, number, other.id);
    await eventually(async () => expect((await resolverA.resolveNormalized(number))?.company_id).toBe(other.id), 1_000);
  });
});

describe('cache notices after a database restart', () => {
  // A server of the test's own (the shared one is never restarted); the pg transport, the only one that LISTENs.
  let pg: DisposablePostgres;
  let db: PgDatabase;
  let t: TestApp;
  beforeAll(async () => {
    pg = await DisposablePostgres.start();
    db = openPostgresDatabase(pg.url);
    await prepare(db, { demoSeed: false });
    t = await createTestApp({ db, transport: 'pg' });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await db?.close();
    await pg?.stop();
  }, 60_000);

  it('listens again once the server is back, with what it cached before dropped, and hears changes within 1 s', async () => {
    const notices = t.app.get(CacheNotices);
    await eventually(async () => expect(notices.live).toBe(true), 10_000);
    const [first, second] = [await createCompany(db), await createCompany(db)];
    const number = await addPhoneNumber(db, first.id);
    const resolver = t.app.get(PhoneNumberResolver);
    expect((await resolver.resolveNormalized(number))?.company_id).toBe(first.id);

    pg.crash();
    await eventually(async () => expect(notices.live).toBe(false), 10_000);
    await pg.restart();
    await eventually(async () => expect(notices.live).toBe(true), 20_000);

    const lookups = vi.spyOn(t.appDb, 'call');
    expect((await resolver.resolveNormalized(number))?.company_id).toBe(first.id);
    expect(lookups).toHaveBeenCalledWith('resolve_phone_number', { p_phone_number: number }); // the cache was dropped
    lookups.mockRestore();
    await db.pool.query('update public.phone_numbers set company_id = $1 where phone_number = $2', [second.id, number]);
    await eventually(async () => expect((await resolver.resolveNormalized(number))?.company_id).toBe(second.id), 1_000);
  }, 60_000);
});

describe('rate limits shared through Redis', () => {
  const limited = (redis: Partial<AppConfig['redis']>) => () => testConfig({ http: { rateLimit: { windowSeconds: 60, api: 5 } }, redis });

  it('two instances with one Redis meet one limit per user', async () => {
    const apps = await twoApps(limited({ url: REDIS_URL, keyPrefix: redisPrefix() }));
    try {
      // until its connection is up, an instance counts on its own (as during an outage)
      await eventually(async () => {
        expect(apps.a.app.get(RedisConnections).ready).toBe(true);
        expect(apps.b.app.get(RedisConnections).ready).toBe(true);
      });
      const user = await testUser();
      const statuses: number[] = [];
      for (const t of [apps.a, apps.b, apps.a, apps.b, apps.a, apps.b, apps.a]) {
        statuses.push((await request(t.server).get('/api/debug/auth-test').set(bearer(user))).status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    } finally {
      await apps.close();
    }
  });

  it('with Redis unreachable, requests are still served under the per-instance limit', async () => {
    // nothing listens on port 1: every Redis command fails at once
    const apps = await twoApps(limited({ url: 'redis://127.0.0.1:1', keyPrefix: redisPrefix() }));
    try {
      const user = await testUser();
      for (let i = 0; i < 5; i++) await request(apps.a.server).get('/api/debug/auth-test').set(bearer(user)).expect(200);
      await request(apps.a.server).get('/api/debug/auth-test').set(bearer(user)).expect(429);
      // the other instance counts on its own
      await request(apps.b.server).get('/api/debug/auth-test').set(bearer(user)).expect(200);
    } finally {
      await apps.close();
    }
  });
});

describe('one live stream per call across instances', () => {
  let openai: FakeOpenAiRealtime;
  let twilioRest: FakeTwilioCalls;
  let apps: Awaited<ReturnType<typeof twoApps>>;
  beforeAll(async () => {
    openai = await new FakeOpenAiRealtime().listen();
    twilioRest = await new FakeTwilioCalls().listen();
    apps = await twoApps(
      ({ prefix }) =>
        testConfig({
          openai: { apiKey: 'test', baseUrl: openai.baseUrl, realtimeModel: 'gpt-realtime' },
          twilio: { apiBaseUrl: twilioRest.baseUrl },
          redis: { ...noticeRedis(), keyPrefix: prefix },
        }),
      true,
    );
    await eventually(async () => {
      expect(apps.a.app.get(CacheNotices).live).toBe(true);
      expect(apps.b.app.get(CacheNotices).live).toBe(true);
    }, 10_000);
  });
  afterAll(async () => {
    await apps.close();
    await openai.close();
    await twilioRest.close();
  });

  const wsUrl = (t: TestApp, path: string): string => `ws://127.0.0.1:${portOf(t.app)}${path}`;
  const liveOn = (t: TestApp, callSid: string): number =>
    t.app
      .get(LiveCallRegistry)
      .list()
      .filter((call) => call.callSid === callSid).length;

  async function expectOneSession(callSid: string): Promise<void> {
    const { rows } = await apps.db.pool.query<{ n: number }>('select count(*)::int as n from public.call_sessions where call_sid = $1', [callSid]);
    expect(rows[0].n).toBe(1);
  }

  it('/conversation-relay: a second stream of the call on instance B closes the first on instance A; the newest keeps talking', async () => {
    const company = await createVoiceCompany(apps.db);
    const callSid = await openCallSession(apps.db, company.id);
    const tokens = apps.a.app.get(StreamTokenService);

    const first = await TwilioWsClient.connect(wsUrl(apps.a, '/conversation-relay'));
    first.setup(callSid, tokens.issue(callSid, company.id, 'conversation_relay'));
    await eventually(async () => expect(liveOn(apps.a, callSid)).toBe(1));

    const second = await TwilioWsClient.connect(wsUrl(apps.b, '/conversation-relay'));
    second.setup(callSid, tokens.issue(callSid, company.id, 'conversation_relay'));
    await eventually(async () => expect(liveOn(apps.b, callSid)).toBe(1));

    const closed = await first.closed;
    expect(closed.reason).toContain('newer stream');
    await eventually(async () => expect(liveOn(apps.a, callSid)).toBe(0));
    second.prompt('¿Cuánto cuesta una limpieza dental?');
    expect(await second.answer()).toContain('800 pesos');
    expect(liveOn(apps.b, callSid)).toBe(1);
    await expectOneSession(callSid);
    second.close();
  });

  it('/media-stream: the same across instances, and only the newest stream keeps its provider', async () => {
    const company = await createVoiceCompany(apps.db, { voicePath: 'media_stream' });
    const callSid = await openCallSession(apps.db, company.id);
    const tokens = apps.b.app.get(StreamTokenService);

    const first = await TwilioWsClient.connect(wsUrl(apps.b, '/media-stream'));
    const firstProvider = openai.nextConnection();
    first.start(callSid, newStreamSid(), tokens.issue(callSid, company.id, 'media_stream'));
    const providerOfFirst = await firstProvider;
    await eventually(async () => expect(liveOn(apps.b, callSid)).toBe(1));

    const second = await TwilioWsClient.connect(wsUrl(apps.a, '/media-stream'));
    const secondProvider = openai.nextConnection();
    second.start(callSid, newStreamSid(), tokens.issue(callSid, company.id, 'media_stream'));
    await secondProvider;
    await eventually(async () => expect(liveOn(apps.a, callSid)).toBe(1));

    expect((await first.closed).reason).toContain('newer stream');
    await providerOfFirst.closed;
    await eventually(async () => expect(liveOn(apps.b, callSid)).toBe(0));
    expect(second.socket.readyState).toBe(second.socket.OPEN);
    await expectOneSession(callSid);
    second.close();
  });
});
