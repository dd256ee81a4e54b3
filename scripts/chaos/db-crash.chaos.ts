// Database-crash rounds: 200 concurrent incoming calls (signed webhooks) to one API instance while its PostgreSQL (a
// server this scenario owns) is killed with SIGKILL at a random moment and started again. Sessions are committed
// without waiting for the WAL flush (open_call_session), so a crash may lose the last ones after their caller heard
// <Connect>; the signed stream token carries what is needed to rebuild them. After the restart every stream connects
// with its token, as Twilio would, and a round passes when every call answered with <Connect> has its complete
// session: its company, its user and both numbers.
import { randomUUID } from 'node:crypto';
import type { ChaosOptions, ChaosResult } from '../chaos.js';
import { runMigrations } from '../../src/database/migration-runner.js';
import { openPostgresDatabase } from '../../src/database/embedded-postgres.js';
import { signTwilioRequest } from '../../src/twilio/twilio-request-validator.js';
import { createVoiceCompany } from '../../test/support/agent-session-fixtures.js';
import { DisposablePostgres } from '../../test/support/disposable-postgres.js';
import { addPhoneNumber, linkUserToNumber } from '../../test/support/factories.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_AUTH_TOKEN, testConfig } from '../../test/support/test-config.js';
import { TwilioWsClient } from '../../test/support/twilio-ws-client.js';
import { newCallSid, voiceWebhook } from '../../test/support/voice-webhooks.js';
import { ChaosApp, chaosSeed, rng, sleep, startInstance } from './support.js';

const DEFAULT_ROUNDS = 5;
const CALLS = 200;
/** Streams connecting at once after the restart. */
const STREAM_BATCH = 20;

interface Answered {
  callSid: string;
  from: string;
  token: string;
}

interface RoundFigures {
  connected: number;
  apologised: number;
  otherAnswers: number;
  lostInCrash: number;
  complete: number;
  incomplete: string[];
  crashAtMs: number;
}

export default async function run({ rounds = DEFAULT_ROUNDS }: ChaosOptions): Promise<ChaosResult> {
  const seed = chaosSeed();
  const random = rng(seed);
  const pg = await DisposablePostgres.start();
  // The scenario's own connection, to arrange and count rows (it survives the crash: pg reconnects per query).
  const db = openPostgresDatabase(pg.url, 2);
  let instance: ChaosApp | undefined;
  const figures: RoundFigures[] = [];
  try {
    await runMigrations(db.pool);
    instance = await startInstance(testConfig(), pg.url, undefined, 10);
    for (let round = 1; round <= rounds; round++) figures.push(await crashRound(instance, db, pg, random));
  } finally {
    await instance?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    await pg.stop();
  }
  const passed = figures.filter((f) => f.incomplete.length === 0 && f.connected > 0).length;
  const details = [`one API instance on a PostgreSQL the scenario owns; ${CALLS} concurrent calls a round; seed ${seed} (CHAOS_SEED to replay)`];
  figures.forEach((f, i) =>
    details.push(
      `round ${i + 1}: crash at ${f.crashAtMs} ms; ${f.connected} answered <Connect>, ${f.apologised} the apology, ${f.otherAnswers} anything else; ` +
        `${f.lostInCrash} sessions lost in the crash and rebuilt by their stream; ${f.complete}/${f.connected} complete (company, user, numbers)`,
    ),
  );
  const totals = figures.reduce((sum, f) => ({ connected: sum.connected + f.connected, lost: sum.lost + f.lostInCrash, complete: sum.complete + f.complete }), {
    connected: 0,
    lost: 0,
    complete: 0,
  });
  details.push(`total: ${totals.complete}/${totals.connected} <Connect> calls with a complete session; ${totals.lost} of them rebuilt after the crash`);
  for (const f of figures) for (const line of f.incomplete.slice(0, 5)) details.push(`incomplete: ${line}`);
  return { name: 'db-crash', rounds: figures.length, passed, failed: figures.length - passed, details };
}

async function crashRound(
  instance: ChaosApp,
  db: ReturnType<typeof openPostgresDatabase>,
  pg: DisposablePostgres,
  random: () => number,
): Promise<RoundFigures> {
  const company = await createVoiceCompany(db);
  const number = await addPhoneNumber(db, company.id);
  const userId = randomUUID();
  await linkUserToNumber(db, number, userId, company.id);

  // The crash lands somewhere in the burst of webhooks (which takes a second or two on this machine).
  const crashAtMs = Math.floor(random() * 1500);
  const webhooks = Array.from({ length: CALLS }, (_, i) => voiceWebhook({ To: number, From: `+5255${String(10_000_000 + i)}`, CallSid: newCallSid() }));
  const crash = (async () => {
    await sleep(crashAtMs);
    pg.crash();
    await sleep(200 + Math.floor(random() * 800));
    await pg.restart();
  })();
  const answers = await Promise.all(webhooks.map((webhook) => incomingCall(instance, company.id, webhook)));
  await crash;
  await waitForDatabase(db);

  const answered: Answered[] = [];
  let apologised = 0;
  let otherAnswers = 0;
  answers.forEach((answer, i) => {
    const token = /<Connect[\s\S]*<Parameter name="token" value="([^"]+)"/.exec(answer.body)?.[1];
    if (answer.status === 200 && token) answered.push({ callSid: webhooks[i].CallSid, from: webhooks[i].From, token });
    else if (answer.status === 200 && /<Say/.test(answer.body) && !/<Connect/.test(answer.body)) apologised += 1;
    else otherAnswers += 1;
  });

  // Sessions the crash took: answered with <Connect>, gone after the restart.
  const sids = answered.map((a) => a.callSid);
  const survived = await db.pool.query<{ call_sid: string }>('select call_sid from public.call_sessions where call_sid = any($1)', [sids]);
  const lostInCrash = sids.length - survived.rowCount!;

  // Twilio connects every stream with its token once the call is answered; here after the restart.
  for (let i = 0; i < answered.length; i += STREAM_BATCH) {
    await Promise.all(answered.slice(i, i + STREAM_BATCH).map((call) => connectStream(instance, call)));
  }

  const { rows } = await db.pool.query<{ call_sid: string; company_id: string; user_id: string | null; from_number: string | null; to_number: string | null }>(
    'select call_sid, company_id, user_id, from_number, to_number from public.call_sessions where call_sid = any($1)',
    [sids],
  );
  const bySid = new Map(rows.map((r) => [r.call_sid, r]));
  const incomplete: string[] = [];
  for (const call of answered) {
    const row = bySid.get(call.callSid);
    if (!row) incomplete.push(`${call.callSid}: no session`);
    else if (row.company_id !== company.id || row.user_id !== userId || row.from_number !== call.from || row.to_number !== number) {
      incomplete.push(`${call.callSid}: company ${row.company_id === company.id}, user ${row.user_id ?? 'none'}, from ${row.from_number}, to ${row.to_number}`);
    }
  }
  return { connected: answered.length, apologised, otherAnswers, lostInCrash, complete: answered.length - incomplete.length, incomplete, crashAtMs };
}

/** The incoming-call webhook, signed as Twilio signs it. */
async function incomingCall(instance: ChaosApp, companyId: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
  const path = `/voice/incoming/${companyId}`;
  const signature = signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, `${TEST_PUBLIC_BASE_URL}${path}`, params);
  try {
    const res = await fetch(`${instance.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: res.status, body: await res.text() };
  } catch (error) {
    return { status: 0, body: String(error) };
  }
}

/** The ConversationRelay stream of one call: setup with its token, one question answered, then hang up. */
async function connectStream(instance: ChaosApp, call: Answered): Promise<void> {
  const client = await TwilioWsClient.connect(`${instance.url.replace('http', 'ws')}/conversation-relay`);
  try {
    client.setup(call.callSid, call.token, call.from);
    client.prompt('¿Cuál es el horario?');
    await client.answer(15_000).catch(() => undefined);
  } finally {
    client.close();
  }
}

async function waitForDatabase(db: ReturnType<typeof openPostgresDatabase>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      await db.pool.query('select 1');
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error('the database did not come back within 30 s');
}
