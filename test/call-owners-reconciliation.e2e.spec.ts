import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { PoolConfig } from 'pg';
import { InstanceIdentity } from '../src/call-owners/instance-identity.js';
import { PgDatabase } from '../src/database/pg-database.js';
import { CallReconciliationService } from '../src/telephony/call-reconciliation.service.js';
import { createVoiceCompany, eventually, portOf } from './support/agent-session-fixtures.js';
import { addPhoneNumber } from './support/factories.js';
import { FakeTwilioRest, rfc2822 } from './support/fake-twilio-rest.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { testConfig, TEST_JWT_SECRET, TEST_PUBLIC_BASE_URL, TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN } from './support/test-config.js';
import { openIsolatedTestDatabase } from './support/test-database.js';
import { TwilioWsClient } from './support/twilio-ws-client.js';
import { signedPost, statusCallback, verbs, voiceWebhook } from './support/voice-webhooks.js';
import { MAIN, freePort } from './support/api-process.js';

const SESSION_TOKEN_SECRET = 'owners-test-session-token-secret-0123456789';

/** The stream token from the <Connect> TwiML. */
function tokenOf(twiml: string): string {
  const match = /<Parameter name="token" value="([^"]+)"/.exec(twiml);
  if (!match) throw new Error(`no token in ${twiml}`);
  return match[1];
}

/**
 * DESIGN §10: an instance holding live calls dies without a drain (SIGKILL of a real `node dist/src/main.js`
 * process); another instance reconciles its calls with Twilio's call status within a minute.
 */
describe('calls of an instance killed with SIGKILL', () => {
  let db: PgDatabase;
  let twilio: FakeTwilioRest;
  let child: ChildProcess | undefined;
  let childOutput = '';
  let survivor: TestApp | undefined;
  const sockets: TwilioWsClient[] = [];

  beforeAll(async () => {
    // A database of its own: the sweep claims every orphaned call it finds.
    db = await openIsolatedTestDatabase();
    twilio = await FakeTwilioRest.start({ accountSid: TEST_TWILIO_ACCOUNT_SID, authToken: TEST_TWILIO_AUTH_TOKEN });
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await survivor?.close();
    await twilio?.close();
    await db?.close();
  }, 60_000);

  it('frees their concurrent-call places, records Twilio’s final status once, and usage once when the real callback comes late', async () => {
    expect(existsSync(MAIN), 'build first: npm test runs nest build').toBe(true);
    const company = await createVoiceCompany(db);
    const number = await addPhoneNumber(db, company.id);
    await db.pool.query('update public.agent_configs set max_concurrent_calls = 4 where company_id = $1', [company.id]);

    // The instance that will die: the real server process on the same database, heartbeating every second.
    const port = await freePort();
    child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        PORT: String(port),
        DATABASE_URL: (db.pool.options as PoolConfig).connectionString!,
        DEMO_SEED: 'false',
        LOG_LEVEL: 'warn',
        PUBLIC_BASE_URL: TEST_PUBLIC_BASE_URL,
        TWILIO_ACCOUNT_SID: TEST_TWILIO_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN: TEST_TWILIO_AUTH_TOKEN,
        TWILIO_API_BASE_URL: twilio.url,
        SUPABASE_JWT_SECRET: TEST_JWT_SECRET,
        SESSION_TOKEN_SECRET,
        INSTANCE_HEARTBEAT_SECONDS: '1',
        INSTANCE_DEAD_AFTER_SECONDS: '3',
        // Only the survivor sweeps, so the test sees the survivor do it.
        CALL_RECONCILE_ENABLED: 'false',
        PRICE_BACKFILL_ENABLED: 'false',
        BUNDLE_MONITOR_ENABLED: 'false',
        WEBHOOK_DELIVERY_ENABLED: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (childOutput += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (childOutput += d.toString()));
    const base = `http://127.0.0.1:${port}`;
    await eventually(async () => {
      const res = await fetch(`${base}/health`);
      if (res.status !== 200) throw new Error(`health ${res.status}`);
    }, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${childOutput}`);
    });

    // Four calls answered with <Connect>: three connect their stream to the doomed instance, one never does.
    const webhooks = Array.from({ length: 4 }, () => voiceWebhook({ To: number }));
    const answers = [];
    for (const webhook of webhooks) answers.push(await signedPost(base, `/voice/incoming/${company.id}`, webhook));
    expect(answers.map((a) => verbs(a.text))).toEqual(Array.from({ length: 4 }, () => ['Connect']));
    for (let i = 0; i < 3; i++) {
      const socket = await TwilioWsClient.connect(`ws://127.0.0.1:${port}/conversation-relay`);
      sockets.push(socket);
      socket.setup(webhooks[i].CallSid, tokenOf(answers[i].text));
      socket.prompt('¿Cuál es el horario?');
      expect(await socket.answer(15_000).catch((error: Error) => `${error.message}\n${childOutput}`)).toContain('lunes a viernes');
    }
    const streamed = webhooks.slice(0, 3).map((w) => w.CallSid);
    const neverStreamed = webhooks[3].CallSid;
    // Every streamed call names its owner, one instance for all three.
    const owners = await eventually(async () => {
      const { rows } = await db.pool.query<{ owner: string | null }>('select owner_instance_id as owner from public.call_sessions where call_sid = any($1)', [
        streamed,
      ]);
      if (rows.length !== 3 || rows.some((r) => r.owner === null)) throw new Error('owners not recorded yet');
      return new Set(rows.map((r) => r.owner));
    }, 15_000);
    expect(owners.size).toBe(1);
    // The company's four places are taken.
    expect(verbs((await signedPost(base, `/voice/incoming/${company.id}`, voiceWebhook({ To: number }))).text)).toEqual(['Say', 'Hangup']);

    // What Twilio knows by then: two streamed calls ended, one is still going (passed to a person by the connect
    // action), the never-streamed one was hung up; Twilio fails the first question about that one.
    const ended = rfc2822(new Date());
    twilio.putCall({ sid: streamed[0], to: number, status: 'completed', duration: '42', end_time: ended });
    twilio.putCall({ sid: streamed[1], to: number, status: 'completed', duration: '75', end_time: ended });
    twilio.putCall({ sid: streamed[2], to: number, status: 'in-progress', duration: null, end_time: null });
    twilio.putCall({ sid: neverStreamed, to: number, status: 'completed', duration: '3', end_time: ended });
    twilio.failNext('GET', `/2010-04-01/Accounts/:AccountSid/Calls/${neverStreamed}.json`, 1, {
      status: 503,
      body: { code: 20503, message: 'Service Unavailable', status: 503 },
    });

    // SIGKILL: no drain, no goodbye, no shutdown hook; the sockets die with the process.
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));

    survivor = await createTestApp({
      db,
      config: testConfig({
        twilio: { apiBaseUrl: twilio.url },
        callOwners: { heartbeatSeconds: 1, deadAfterSeconds: 3, reconcileEnabled: true, reconcileIntervalSeconds: 1 },
      }),
    });
    const killedAt = Date.now();

    const session = async (callSid: string) =>
      (
        await db.pool.query<{ status: string; ended_at: Date | null; duration_seconds: number | null; slot_released_at: Date | null }>(
          'select status, ended_at, duration_seconds, slot_released_at from public.call_sessions where call_sid = $1',
          [callSid],
        )
      ).rows[0];
    // Within a minute: the ended calls carry Twilio's final status, every place is free (Twilio failing once
    // about the never-streamed call does not keep its place).
    await eventually(async () => {
      for (const sid of streamed.slice(0, 2)) expect(await session(sid)).toMatchObject({ status: 'completed' });
      for (const sid of [...streamed, neverStreamed]) expect((await session(sid)).slot_released_at).not.toBeNull();
    }, 60_000);
    expect(Date.now() - killedAt).toBeLessThan(60_000);
    expect(await session(streamed[0])).toMatchObject({ status: 'completed', duration_seconds: 42 });
    expect(await session(streamed[1])).toMatchObject({ status: 'completed', duration_seconds: 75 });
    // Still in progress at Twilio: left to Twilio (not hung up), open, but no longer taking a place.
    expect(await session(streamed[2])).toMatchObject({ ended_at: null });
    expect(twilio.requestsTo('POST', '/2010-04-01/Accounts/:AccountSid/Calls/:Sid.json')).toHaveLength(0);

    // The company was at its limit; the next caller is admitted now.
    expect(verbs((await signedPost(survivor.server, `/voice/incoming/${company.id}`, voiceWebhook({ To: number }))).text)).toEqual(['Connect']);

    // The never-streamed call is recorded on the retry after Twilio's failure.
    await eventually(async () => expect(await session(neverStreamed)).toMatchObject({ status: 'completed', duration_seconds: 3 }), 60_000);

    // Twilio's real callbacks arrive late: nothing is recorded twice; the still-running call ends normally.
    for (const [sid, duration] of [
      [streamed[0], '42'],
      [neverStreamed, '3'],
      [streamed[2], '130'],
    ] as const) {
      const res = await signedPost(
        survivor.server,
        '/voice/status',
        statusCallback(sid, 'completed', { CallDuration: duration, To: number, SequenceNumber: '3' }),
      );
      expect(res.status).toBe(204);
    }
    const { rows: usage } = await db.pool.query<{ call_sid: string; quantity: string }>(
      "select call_sid, quantity::text from public.usage_events where kind = 'telephony' and call_sid = any($1) order by call_sid",
      [[...streamed, neverStreamed]],
    );
    const byCall = Object.fromEntries(usage.map((u) => [u.call_sid, Number(u.quantity)]));
    expect(usage).toHaveLength(4);
    expect(byCall).toEqual({ [streamed[0]]: 1, [streamed[1]]: 2, [streamed[2]]: 3, [neverStreamed]: 1 });
  }, 180_000);
});

/**
 * A database and a Twilio of their own; `start()` brings up an owner (it holds the streams, heartbeating every second,
 * dead after 3 s of silence) and a sweeper that reconciles when the test says so.
 */
function ownerAndSweeper() {
  let db: PgDatabase | undefined;
  let twilio: FakeTwilioRest | undefined;
  let owner: TestApp | undefined;
  let sweeper: TestApp | undefined;

  beforeAll(async () => {
    db = await openIsolatedTestDatabase();
    twilio = await FakeTwilioRest.start({ accountSid: TEST_TWILIO_ACCOUNT_SID, authToken: TEST_TWILIO_AUTH_TOKEN });
  }, 60_000);

  afterAll(async () => {
    await owner?.close();
    await sweeper?.close();
    await twilio?.close();
    await db?.close();
  }, 60_000);

  return {
    async start() {
      if (!db || !twilio) throw new Error('beforeAll has not run');
      const callOwners = { heartbeatSeconds: 1, deadAfterSeconds: 3, reconcileEnabled: false, reconcileIntervalSeconds: 1 };
      owner = await createTestApp({ db, listen: true, config: testConfig({ callOwners }) });
      sweeper = await createTestApp({ db, config: testConfig({ callOwners, twilio: { apiBaseUrl: twilio.url } }) });
      return { db, twilio, owner, sweep: sweeper.app.get(CallReconciliationService) };
    },
    async stopOwner() {
      await owner?.close();
      owner = undefined;
    },
  };
}

describe('calls of a live owner, and of an owner that drained', () => {
  const apps = ownerAndSweeper();

  it('leaves a heartbeating owner’s call alone, and reconciles it at once after that owner drained and said it stopped', async () => {
    const { db, twilio, owner, sweep } = await apps.start();

    const company = await createVoiceCompany(db);
    const number = await addPhoneNumber(db, company.id);
    const webhook = voiceWebhook({ To: number });
    const answer = await signedPost(owner.server, `/voice/incoming/${company.id}`, webhook);
    const socket = await TwilioWsClient.connect(`ws://127.0.0.1:${portOf(owner.app)}/conversation-relay`);
    try {
      socket.setup(webhook.CallSid, tokenOf(answer.text));
      socket.prompt('¿Cuál es el horario?');
      expect(await socket.answer(15_000)).toContain('lunes a viernes');
      const ownerId = owner.app.get(InstanceIdentity).id;
      await eventually(async () => {
        const { rows } = await db.pool.query('select owner_instance_id from public.call_sessions where call_sid = $1', [webhook.CallSid]);
        expect(rows[0].owner_instance_id).toBe(ownerId);
      }, 10_000);
      twilio.putCall({ sid: webhook.CallSid, to: number, status: 'completed', duration: '20' });

      // Past the dead-after time the owner still beats: its call is not touched.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect((await sweep.runOnce()).claimed).toBe(0);
      const { rows } = await db.pool.query('select slot_released_at, ended_at from public.call_sessions where call_sid = $1', [webhook.CallSid]);
      expect(rows[0]).toEqual({ slot_released_at: null, ended_at: null });
      expect(twilio.requestsTo('GET', '/2010-04-01/Accounts/:AccountSid/Calls/:Sid.json')).toHaveLength(0);
    } finally {
      socket.close();
    }

    // A graceful stop: the drain ends, the owner records that it stopped, and its leftovers need no dead-after wait.
    await apps.stopOwner();
    const summary = await sweep.runOnce();
    expect(summary).toMatchObject({ claimed: 1, recorded: 1 });
    const { rows } = await db.pool.query('select status, duration_seconds from public.call_sessions where call_sid = $1', [webhook.CallSid]);
    expect(rows[0]).toEqual({ status: 'completed', duration_seconds: 20 });
  }, 90_000);
});

describe('a call whose stream ended on a live instance', () => {
  const apps = ownerAndSweeper();

  it('is asked about when its final status never came, and not when it did, while the owner keeps beating', async () => {
    const { db, twilio, owner, sweep } = await apps.start();
    const company = await createVoiceCompany(db);
    const number = await addPhoneNumber(db, company.id);

    // Two calls talk to the agent and hang up; Twilio's final callback reaches us for one of them only.
    const [lost, delivered] = [voiceWebhook({ To: number }), voiceWebhook({ To: number })];
    for (const webhook of [lost, delivered]) {
      const answer = await signedPost(owner.server, `/voice/incoming/${company.id}`, webhook);
      const socket = await TwilioWsClient.connect(`ws://127.0.0.1:${portOf(owner.app)}/conversation-relay`);
      socket.setup(webhook.CallSid, tokenOf(answer.text));
      socket.prompt('¿Cuál es el horario?');
      expect(await socket.answer(15_000)).toContain('lunes a viernes');
      socket.close();
      await socket.closed;
    }
    const res = await signedPost(
      owner.server,
      '/voice/status',
      statusCallback(delivered.CallSid, 'completed', { CallDuration: '15', To: number, SequenceNumber: '3' }),
    );
    expect(res.status).toBe(204);
    twilio.putCall({ sid: lost.CallSid, to: number, status: 'completed', duration: '42' });

    // Past the dead-after time the sweep takes the call with no final status, though its owner still beats.
    await eventually(async () => {
      await sweep.runOnce();
      const { rows } = await db.pool.query('select status, duration_seconds from public.call_sessions where call_sid = $1', [lost.CallSid]);
      expect(rows[0]).toEqual({ status: 'completed', duration_seconds: 42 });
    }, 30_000);
    const asked = twilio.requestsTo('GET', '/2010-04-01/Accounts/:AccountSid/Calls/:Sid.json').map((r) => r.path);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((path) => path.includes(lost.CallSid))).toBe(true);
    const { rows: instances } = await db.pool.query(
      "select stopped_at, heartbeat_at > now() - interval '10 seconds' as beating from public.api_instances where instance_id = $1",
      [owner.app.get(InstanceIdentity).id],
    );
    expect(instances[0]).toEqual({ stopped_at: null, beating: true });
    const { rows: usage } = await db.pool.query<{ call_sid: string }>(
      "select call_sid from public.usage_events where kind = 'telephony' and call_sid = any($1) order by call_sid",
      [[lost.CallSid, delivered.CallSid]],
    );
    expect(usage.map((u) => u.call_sid).sort()).toEqual([lost.CallSid, delivered.CallSid].sort());
  }, 90_000);
});
