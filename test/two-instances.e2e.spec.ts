import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, request as httpRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnection } from 'node:net';
import WebSocket from 'ws';
import type { PgDatabase } from '../src/database/pg-database.js';
import { signTwilioRequest } from '../src/twilio/twilio-request-validator.js';
import { createVoiceCompany, eventually } from './support/agent-session-fixtures.js';
import { ApiProcess, freePort, MAIN } from './support/api-process.js';
import { addMember, createCompany, randomMexicanNumber } from './support/factories.js';
import { FakeTwilioProvisioning } from './support/fake-twilio-provisioning.js';
import { FakeTwilioRest } from './support/fake-twilio-rest.js';
import { haproxyInstalled, HaproxyProcess, HEALTH_CHECK } from './support/haproxy.js';
import { rpcTransportByDefault } from './support/test-app.js';
import { TEST_JWT_SECRET, TEST_PUBLIC_BASE_URL, TEST_SUPABASE_URL, TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN } from './support/test-config.js';
import { onServer, openIsolatedTestDatabase } from './support/test-database.js';
import { bearer, testUser } from './support/tokens.js';
import { TwilioWsClient } from './support/twilio-ws-client.js';
import { parseTwiml, verbs, voiceWebhook } from './support/voice-webhooks.js';

/**
 * Two API processes (`node dist/src/main.js`) on one PostgreSQL server database, with Redis, behind HAProxy from the
 * system's packages: the proof of DESIGN §10. Runs on the server pass only: the embedded database is one process's
 * (it takes a lock file), and on the rpc pass the PostgREST stand-in lives inside the test process, which the
 * instances would share as their single point of failure. CI installs HAProxy and sets LB_TESTS=required.
 */
const REDIS = { host: '127.0.0.1', port: 6379 };
const RATE_LIMIT_API = 10;
/** Long enough for HEALTH_CHECK to take a draining instance out (interMs × fall, plus a check in flight), with margin. */
const DEREGISTER_SECONDS = 4;
const required = process.env.LB_TESTS === 'required';
const serverPass = onServer() && !rpcTransportByDefault();

function redisAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(REDIS, () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
    socket.setTimeout(1_000, () => (socket.destroy(), resolve(false)));
  });
}

const toolsPresent = haproxyInstalled() && (await redisAnswers());
if (required && serverPass) {
  it('has HAProxy and Redis (LB_TESTS=required)', () => {
    expect(haproxyInstalled(), 'apt-get install haproxy').toBe(true);
    expect(toolsPresent, `Redis at ${REDIS.host}:${REDIS.port}`).toBe(true);
  });
}

/** One Twilio API host for the instances: the call resources of FakeTwilioRest, the numbers of FakeTwilioProvisioning. */
async function twilioApiFront(numbers: FakeTwilioProvisioning, calls: FakeTwilioRest): Promise<{ server: Server; url: string }> {
  const numbersApi = new URL(numbers.baseUrls().apiBaseUrl);
  const server = createServer((req, res) => {
    const toCalls = /\/Calls\//.test(req.url ?? '');
    const target = toCalls ? new URL(req.url ?? '/', calls.url) : new URL(`${numbersApi.pathname}${req.url ?? '/'}`, numbersApi);
    const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** POSTs a form as Twilio does (signed over PUBLIC_BASE_URL + path) to `base` (an instance, or the load balancer). */
async function twilioPost(base: string, path: string, params: Record<string, string>): Promise<{ status: number; text: string; servedBy: string | null }> {
  const signature = signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, `${TEST_PUBLIC_BASE_URL}${path}`, params);
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, text: await res.text(), servedBy: res.headers.get('x-served-by') };
}

const smsTo = (base: string, to: string, body: string) =>
  twilioPost(base, '/whatsapp/webhook', {
    AccountSid: TEST_TWILIO_ACCOUNT_SID,
    MessageSid: `SM${randomBytes(16).toString('hex')}`,
    From: '+525587654321',
    To: to,
    Body: body,
    NumMedia: '0',
  });

/** The stream token of a `<Connect>` answer, or null for any other TwiML. */
function relayToken(twiml: string): string | null {
  const connect = parseTwiml(twiml).Response.Connect as Record<string, unknown> | undefined;
  const relay = connect?.ConversationRelay as { Parameter?: { '@_name': string; '@_value': string }[] } | undefined;
  return relay?.Parameter?.find((p) => p['@_name'] === 'token')?.['@_value'] ?? null;
}

/** Which server took a request, and when its answer came. */
interface Served {
  servedBy: string | null;
  at: number;
}

/** One caller through the load balancer: the incoming-call webhook, then the relay stream it names, one question answered. */
async function placeCall(lb: string, to: string, companyId: string): Promise<{ callSid: string; client: TwilioWsClient; webhook: Served; stream: Served }> {
  const form = voiceWebhook({ To: to });
  const hook = await twilioPost(lb, `/voice/incoming/${companyId}`, form);
  const webhook = { servedBy: hook.servedBy, at: Date.now() };
  if (hook.status !== 200) throw new Error(`webhook answered ${hook.status}`);
  const token = relayToken(hook.text);
  if (!token) throw new Error(`webhook answered without <Connect>: ${hook.text}`);
  const client = await TwilioWsClient.connect(`${lb.replace(/^http/, 'ws')}/conversation-relay`);
  const stream = { servedBy: String(client.upgradeHeaders['x-served-by'] ?? ''), at: Date.now() };
  client.setup(form.CallSid, token);
  client.prompt('¿Cuál es el horario?');
  const answering = client.answer(10_000);
  const refused = client.closed.then(({ code, reason }) => Promise.reject(new Error(`stream closed before answering: ${code} ${reason}`)));
  // only the race reads these: the socket closes later anyway, and the loser's rejection is not an error of its own
  answering.catch(() => undefined);
  refused.catch(() => undefined);
  const answer = await Promise.race([answering, refused]);
  if (!answer.includes('9:00')) throw new Error(`unexpected answer: ${answer}`);
  return { callSid: form.CallSid, client, webhook, stream };
}

describe.skipIf(!serverPass || (!toolsPresent && !required))('two instances behind HAProxy on one PostgreSQL, with Redis', () => {
  let db: PgDatabase;
  let numbers: FakeTwilioProvisioning;
  let calls: FakeTwilioRest;
  let twilioFront: { server: Server; url: string };
  let proxy: HaproxyProcess;
  let instanceEnv: Record<string, string>;
  const ports = { a: 0, b: 0 };
  const instances: Record<'a' | 'b', ApiProcess | undefined> = { a: undefined, b: undefined };

  const lb = () => proxy.url;
  const startInstance = async (name: 'a' | 'b') => (instances[name] = await ApiProcess.start(name, ports[name], instanceEnv));

  beforeAll(async () => {
    expect(existsSync(MAIN), 'build first: npm test runs nest build').toBe(true);
    db = await openIsolatedTestDatabase(4);
    numbers = await new FakeTwilioProvisioning(TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN).start();
    calls = await FakeTwilioRest.start({ accountSid: TEST_TWILIO_ACCOUNT_SID, authToken: TEST_TWILIO_AUTH_TOKEN });
    twilioFront = await twilioApiFront(numbers, calls);
    const urls = numbers.baseUrls();
    instanceEnv = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      PUBLIC_BASE_URL: TEST_PUBLIC_BASE_URL,
      DATABASE_URL: String(db.pool.options.connectionString),
      SUPABASE_URL: TEST_SUPABASE_URL,
      SUPABASE_JWT_SECRET: TEST_JWT_SECRET,
      SESSION_TOKEN_SECRET: 'two-instances-session-token-secret-0123456789',
      TWILIO_ACCOUNT_SID: TEST_TWILIO_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_TWILIO_AUTH_TOKEN,
      TWILIO_API_BASE_URL: twilioFront.url,
      TWILIO_NUMBERS_BASE_URL: urls.numbersBaseUrl,
      TWILIO_NUMBERS_UPLOAD_BASE_URL: urls.numbersUploadBaseUrl,
      // no key: the embedded knowledge agent answers; nothing may reach a real provider
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      REDIS_URL: `redis://${REDIS.host}:${REDIS.port}`,
      RATE_LIMIT_API: String(RATE_LIMIT_API),
      RATE_LIMIT_WINDOW_SECONDS: '120',
      RATE_LIMIT_TWILIO: '100000',
      SHUTDOWN_DEREGISTER_SECONDS: String(DEREGISTER_SECONDS),
      SHUTDOWN_DRAIN_SECONDS: '10',
      DEMO_SEED: 'false',
      BUNDLE_MONITOR_ENABLED: 'false',
      PRICE_BACKFILL_ENABLED: 'false',
      // the call owners' heartbeat and orphaned-call sweep keep their production timings: "within a minute" is theirs
    };
    ports.a = await freePort();
    ports.b = await freePort();
    // one at a time: both run the migrations at start-up (under an advisory lock), and the machine has 2 cores
    await startInstance('a');
    await startInstance('b');
    proxy = await HaproxyProcess.start(await freePort(), [
      { name: 'a', port: ports.a },
      { name: 'b', port: ports.b },
    ]);
  }, 150_000);

  afterAll(async () => {
    await Promise.all([instances.a?.stop(), instances.b?.stop()]);
    await proxy?.stop();
    await new Promise<void>((resolve) => (twilioFront ? twilioFront.server.close(() => resolve()) : resolve()));
    await calls?.close();
    await numbers?.stop();
    await db?.close();
  }, 60_000);

  it('a number moved to another company through B routes there through A within 1 s, for voice and for SMS', async () => {
    const before = await createVoiceCompany(db);
    const after = await createCompany(db, { name: 'Consultorio Nuevo' });
    await db.pool.query(
      `insert into public.agent_configs (company_id, name, language, instructions, voice_path) values ($1, 'Ana', 'es-MX', 'Recepcionista.', 'conversation_relay')`,
      [after.id],
    );
    await db.pool.query(
      `insert into public.knowledge_entries (company_id, title, content, ts_config) values ($1, '¿Cuánto cuesta una limpieza dental?', 'Una limpieza dental cuesta 1500 pesos.', 'spanish')`,
      [after.id],
    );
    const admin = await testUser({ admin: true });
    const number = randomMexicanNumber();
    numbers.addIncomingNumber(number);
    const configure = (companyId: string) =>
      fetch(`${instances.b!.url}/api/phone-numbers/${encodeURIComponent(number)}/configure`, {
        method: 'POST',
        headers: { ...bearer(admin), 'content-type': 'application/json' },
        body: JSON.stringify({ company_id: companyId }),
      });
    const companyOfCall = async (base: string): Promise<string> => {
      const form = voiceWebhook({ To: number });
      const res = await twilioPost(base, `/voice/incoming/${before.id}`, form);
      expect(relayToken(res.text), res.text).not.toBeNull();
      const { rows } = await db.pool.query<{ company_id: string }>('select company_id from public.call_sessions where call_sid = $1', [form.CallSid]);
      return rows[0].company_id;
    };
    const question = '¿Cuánto cuesta una limpieza dental?';

    expect((await configure(before.id)).status).toBe(200);
    // A answers as the first company, and keeps what it looked up
    expect((await smsTo(instances.a!.url, number, question)).text).toContain('800 pesos');
    expect(await companyOfCall(instances.a!.url)).toBe(before.id);

    const moved = await configure(after.id);
    expect(moved.status).toBe(200);
    const movedAt = Date.now();
    // How long after the move a request was sent that A already answered as the new company (its own latency aside,
    // which a loaded machine may stretch); voice and SMS are asked side by side.
    const firstRightAnswer = (check: () => Promise<void>) =>
      eventually(async () => {
        const sentAfter = Date.now() - movedAt;
        await check();
        return sentAfter;
      }, 10_000);
    const [sms, voice] = await Promise.all([
      firstRightAnswer(async () => expect((await smsTo(instances.a!.url, number, question)).text).toContain('1500 pesos')),
      firstRightAnswer(async () => expect(await companyOfCall(instances.a!.url)).toBe(after.id)),
    ]);
    expect(sms).toBeLessThanOrEqual(1_000);
    expect(voice).toBeLessThanOrEqual(1_000);
  }, 30_000);

  it("meets one rate limit with one user's requests spread over both instances", async () => {
    const company = await createCompany(db);
    const user = await testUser();
    await addMember(db, company.id, user.id, 'owner');
    const answers: { status: number; servedBy: string | null }[] = [];
    for (let i = 0; i < RATE_LIMIT_API * 2; i++) {
      const res = await fetch(`${lb()}/api/companies/${company.id}`, { headers: bearer(user) });
      await res.arrayBuffer();
      answers.push({ status: res.status, servedBy: res.headers.get('x-served-by') });
    }
    expect(new Set(answers.map((a) => a.servedBy))).toEqual(new Set(['a', 'b']));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(RATE_LIMIT_API);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(RATE_LIMIT_API);
  }, 60_000);

  it('loses no webhook and no stream while one instance drains after SIGTERM', async () => {
    const company = await createVoiceCompany(db);
    const to = randomMexicanNumber();
    const failures: string[] = [];
    const served: Served[] = [];
    let placed = 0;
    let sigtermAt = 0;
    const totalCalls = 40;
    const callers = 4;
    // a call lasts: the draining instance has live calls, so it stays up (and reachable) while it drains them
    const holdMs = 1_500;
    const caller = async () => {
      while (placed < totalCalls) {
        placed += 1;
        if (placed === 10) {
          sigtermAt = Date.now();
          instances.a!.signal('SIGTERM');
        }
        try {
          const call = await placeCall(lb(), to, company.id);
          served.push(call.webhook, call.stream);
          await new Promise((r) => setTimeout(r, holdMs));
          call.client.close();
          await call.client.closed;
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    await Promise.all(Array.from({ length: callers }, caller));
    expect(failures).toEqual([]);
    // a clean exit: Nest runs the shutdown hooks, then re-raises the signal
    expect([
      { code: 0, signal: null },
      { code: null, signal: 'SIGTERM' },
    ]).toContainEqual(await instances.a!.exited);
    expect(instances.a!.events('drain_deregistering')).toHaveLength(1);
    // the instance went on serving after SIGTERM until HAProxy took it out (else this test would not test the window)
    expect(served.some((s) => s.at > sigtermAt && s.servedBy === 'a')).toBe(true);
    expect(served.some((s) => s.at > sigtermAt + DEREGISTER_SECONDS * 1000 && s.servedBy === 'b')).toBe(true);
  }, 120_000);

  it("reconciles a SIGKILLed instance's calls within a minute; their connect-action apologises and dials the fallback", async () => {
    // A is back (a redeploy); HAProxy sends it traffic again once it passes `rise` checks
    await startInstance('a');
    await eventually(
      async () => {
        const res = await fetch(`${lb()}/health`);
        expect(res.headers.get('x-served-by')).toBe('a');
      },
      HEALTH_CHECK.interMs * (HEALTH_CHECK.rise + 2) * 10,
    );
    const liveCalls = 4;
    const fallback = '+525511112222';
    const company = await createVoiceCompany(db);
    await db.pool.query('update public.agent_configs set max_concurrent_calls = $2, fallback_number = $3 where company_id = $1', [
      company.id,
      liveCalls,
      fallback,
    ]);
    const to = randomMexicanNumber();
    // webhooks first, streams after, so that round robin spreads the streams over both instances
    const hooks = [];
    for (let i = 0; i < liveCalls; i++) {
      const form = voiceWebhook({ To: to });
      const hook = await twilioPost(lb(), `/voice/incoming/${company.id}`, form);
      hooks.push({ callSid: form.CallSid, token: relayToken(hook.text)! });
      calls.putCall({ sid: form.CallSid, status: 'in-progress', to, end_time: null });
    }
    const streams = [];
    for (const hook of hooks) {
      const client = await TwilioWsClient.connect(`${lb().replace(/^http/, 'ws')}/conversation-relay`);
      client.setup(hook.callSid, hook.token);
      client.prompt('¿Cuál es el horario?');
      expect(await client.answer(10_000)).toContain('9:00');
      streams.push({ ...hook, client });
    }
    // the limit holds while every call is live
    const refused = await twilioPost(lb(), `/voice/incoming/${company.id}`, voiceWebhook({ To: to }));
    expect(relayToken(refused.text)).toBeNull();

    const dropped = streams.filter((s) => s.client.upgradeHeaders['x-served-by'] === 'a');
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.length).toBeLessThan(liveCalls);
    instances.a!.signal('SIGKILL');
    await instances.a!.exited;
    // the killed instance's sockets drop; the survivor's stay open
    await Promise.all(dropped.map((d) => d.client.closed));
    expect(streams.filter((s) => s.client.socket.readyState === WebSocket.OPEN)).toHaveLength(liveCalls - dropped.length);

    // Twilio posts the connect action when the stream drops; the caller is already on the line, hears the apology
    // and goes to the fallback number (the caller then hangs up: that is what Twilio will say about the call).
    for (const call of dropped) {
      const action = await twilioPost(lb(), '/voice/connect-action', {
        AccountSid: TEST_TWILIO_ACCOUNT_SID,
        CallSid: call.callSid,
        CallStatus: 'in-progress',
        SessionStatus: 'failed',
        SessionId: `VX${randomBytes(16).toString('hex')}`,
        ErrorCode: '39001',
        ErrorMessage: 'Network connection to WebSocket server failed.',
      });
      expect(action.status).toBe(200);
      expect(action.servedBy).toBe('b');
      expect(verbs(action.text)).toEqual(['Say', 'Dial']);
      expect(parseTwiml(action.text).Response.Dial).toEqual([fallback]);
      calls.putCall({ ...calls.calls.get(call.callSid)!, status: 'completed', end_time: new Date().toUTCString() });
    }

    // no status callback comes (it was lost with the instance): the survivor reconciles, asking Twilio
    const live = ['queued', 'initiated', 'ringing', 'in-progress'];
    await eventually(async () => {
      const { rows } = await db.pool.query<{ status: string }>('select status from public.call_sessions where call_sid = any($1)', [
        dropped.map((d) => d.callSid),
      ]);
      expect(rows.filter((r) => live.includes(r.status))).toEqual([]);
    }, 60_000);
    // and the dead calls' slots are free: a new call is connected
    const next = await twilioPost(lb(), `/voice/incoming/${company.id}`, voiceWebhook({ To: to }));
    expect(relayToken(next.text), next.text).not.toBeNull();
    expect(calls.requestsTo('GET', '/2010-04-01/Accounts/:AccountSid/Calls/:Sid.json').map((r) => r.path.match(/(CA\w+)\.json$/)?.[1])).toEqual(
      expect.arrayContaining(dropped.map((d) => d.callSid)),
    );
    for (const stream of streams) stream.client.close();
  }, 150_000);
});
