// Hung-database rounds: one API instance whose PostgreSQL (a server this scenario owns) is frozen with SIGSTOP, as a
// network partition or a stuck host would leave it: open connections stay open and nothing answers. Each round is
// one incoming call (a signed webhook) sent while frozen, all of them at once; a round passes when the caller gets
// the apology TwiML (never <Connect>, never an error) within 3 s (DESIGN §9). /api, asked at the same moment, must
// answer 503 within 5 s; it is reported with the rounds and fails the run when it does not.
import type { ChaosOptions, ChaosResult } from '../chaos.js';
import { runMigrations } from '../../src/database/migration-runner.js';
import { openPostgresDatabase } from '../../src/database/embedded-postgres.js';
import { signTwilioRequest } from '../../src/twilio/twilio-request-validator.js';
import { DisposablePostgres } from '../../test/support/disposable-postgres.js';
import { addMember, addPhoneNumber, createCompany } from '../../test/support/factories.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_AUTH_TOKEN, testConfig } from '../../test/support/test-config.js';
import { bearer, testUser } from '../../test/support/tokens.js';
import { voiceWebhook } from '../../test/support/voice-webhooks.js';
import { ChaosApp, spread, startInstance } from './support.js';

const DEFAULT_ROUNDS = 20;
const APOLOGY_WITHIN_MS = 3_000;
const API_503_WITHIN_MS = 5_000;

interface Timed {
  ms: number;
  status: number;
  body: string;
}

export default async function run({ rounds = DEFAULT_ROUNDS }: ChaosOptions): Promise<ChaosResult> {
  const pg = await DisposablePostgres.start();
  const db = openPostgresDatabase(pg.url, 2);
  let instance: ChaosApp | undefined;
  let calls: Timed[] = [];
  let api: Timed | undefined;
  try {
    await runMigrations(db.pool);
    const company = await createCompany(db);
    const number = await addPhoneNumber(db, company.id);
    const owner = await testUser();
    await addMember(db, company.id, owner.id, 'owner');
    instance = await startInstance(testConfig(), pg.url, undefined, 10);
    const app = instance;
    const path = `/voice/incoming/${company.id}`;
    // Warm the pool first, so some calls below run on a connection that is already open (the case a new
    // connection's connect timeout does not cover).
    await Promise.all(Array.from({ length: 10 }, () => timed(() => incomingCall(app, path, voiceWebhook({ To: number })))));

    pg.freeze();
    [calls, api] = await Promise.all([
      Promise.all(Array.from({ length: rounds }, () => timed(() => incomingCall(app, path, voiceWebhook({ To: number }))))),
      timed(() => fetch(`${app.url}/api/companies/${company.id}/agent`, { headers: bearer(owner), signal: AbortSignal.timeout(30_000) })),
    ]);
  } finally {
    pg.thaw();
    await instance?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    await pg.stop();
  }
  const apologised = (c: Timed): boolean => c.status === 200 && /<Say/.test(c.body) && !/<Connect/.test(c.body) && c.ms < APOLOGY_WITHIN_MS;
  const passed = calls.filter(apologised).length;
  const apiOk = api !== undefined && api.status === 503 && api.ms < API_503_WITHIN_MS;
  const details = [
    `one API instance on a PostgreSQL the scenario owns, frozen with SIGSTOP; ${rounds} calls at once`,
    `apology within 3 s: ${passed}/${calls.length}; latencies ${spread(calls.map((c) => c.ms))}`,
    `latencies (ms): ${calls.map((c) => Math.round(c.ms)).join(', ')}`,
    `/api: ${api?.status ?? 'no answer'} after ${api ? Math.round(api.ms) : '-'} ms (${apiOk ? 'ok' : 'FAILED: must be 503 within 5 s'})`,
  ];
  for (const c of calls.filter((x) => !apologised(x))) details.push(`failed: HTTP ${c.status} after ${Math.round(c.ms)} ms: ${c.body.slice(0, 160)}`);
  // /api's answer counts as one more round, so a wrong answer fails the run.
  return { name: 'hung-db', rounds: calls.length + 1, passed: passed + (apiOk ? 1 : 0), failed: calls.length - passed + (apiOk ? 0 : 1), details };
}

async function timed(work: () => Promise<Response>): Promise<Timed> {
  const started = performance.now();
  try {
    const res = await work();
    const body = await res.text();
    return { ms: performance.now() - started, status: res.status, body };
  } catch (error) {
    return { ms: performance.now() - started, status: 0, body: String(error) };
  }
}

function incomingCall(instance: ChaosApp, path: string, params: Record<string, string>): Promise<Response> {
  const signature = signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, `${TEST_PUBLIC_BASE_URL}${path}`, params);
  return fetch(`${instance.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(30_000),
  });
}
