// Provider-stall rounds: Media Streams calls on one API instance (a fresh PostgreSQL database) whose realtime provider
// fails in a randomly chosen way: it never answers the WebSocket upgrade, connects and says nothing, or answers the
// greeting and then stays silent after the caller stopped speaking. Twilio's call update randomly fails first, or
// refuses throughout (then the <Connect action> request must apologise and dial). A round passes when the caller is
// handed to the transfer or fallback number within 5 s of starting to wait (DESIGN §9).
import type { ChaosOptions, ChaosResult } from '../chaos.js';
import { StreamTokenService } from '../../src/twilio/stream-token.service.js';
import { signTwilioRequest } from '../../src/twilio/twilio-request-validator.js';
import { createVoiceCompany, newStreamSid, openCallSession } from '../../test/support/agent-session-fixtures.js';
import { FakeOpenAiRealtime, FakeRealtimeConnection, ProviderBehaviour } from '../../test/support/fake-openai-realtime.js';
import { FakeTwilioCalls } from '../../test/support/fake-twilio-calls.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN, testConfig } from '../../test/support/test-config.js';
import { TwilioWsClient } from '../../test/support/twilio-ws-client.js';
import { ChaosApp, chaosSeed, freshDatabase, rng, spread, startInstance } from './support.js';

const DEFAULT_ROUNDS = 30;
/** Calls live at the same time (one provider behaviour per batch: the fake applies it to every new connection). */
const BATCH = 5;
const RESCUE_WITHIN_MS = 5_000;

type Stall = 'no-upgrade' | 'silent' | 'stall-after-greeting';
type TwilioMood = 'answers' | 'fails-first' | 'refuses';
const STALLS: Stall[] = ['no-upgrade', 'silent', 'stall-after-greeting'];

interface RoundOutcome {
  ok: boolean;
  rescueMs: number;
  detail: string;
}

export default async function run(options: { rounds?: number }): Promise<ChaosResult> {
  return stallRounds(options);
}

async function stallRounds({ rounds = DEFAULT_ROUNDS }: ChaosOptions): Promise<ChaosResult> {
  const seed = chaosSeed();
  const random = rng(seed);
  const openai = await new FakeOpenAiRealtime().listen();
  const twilio = await new FakeTwilioCalls().listen();
  const database = await freshDatabase('chaos_stall');
  let instance: ChaosApp | undefined;
  const outcomes: { stall: Stall; mood: TwilioMood; outcome: RoundOutcome }[] = [];
  try {
    const config = testConfig({ openai: { apiKey: 'test', baseUrl: openai.baseUrl, realtimeModel: 'gpt-realtime' }, twilio: { apiBaseUrl: twilio.baseUrl } });
    instance = await startInstance(config, database.url);
    const app = instance;
    for (let done = 0; done < rounds; done += BATCH) {
      const stall = STALLS[Math.floor(random() * STALLS.length)];
      const moodRoll = random();
      const mood: TwilioMood = moodRoll < 0.2 ? 'refuses' : moodRoll < 0.5 ? 'fails-first' : 'answers';
      openai.behaviour = stall === 'stall-after-greeting' ? 'answer' : (stall as ProviderBehaviour);
      twilio.failWith = mood === 'refuses' ? 500 : null;
      twilio.failuresLeft = mood === 'fails-first' ? 1 + Math.floor(random() * 2) : 0;
      const calls: Promise<RoundOutcome>[] = [];
      for (let i = 0; i < Math.min(BATCH, rounds - done); i++) {
        const numbers = random() < 0.5 ? { transfer: '+525533334444', fallback: null } : { transfer: null, fallback: '+525511112222' };
        calls.push((await startRound(app, openai, twilio, stall, mood, numbers)).outcome);
      }
      for (const outcome of await Promise.all(calls)) outcomes.push({ stall, mood, outcome });
    }
  } finally {
    await instance?.close().catch(() => undefined);
    await openai.close();
    await twilio.close();
    await database.drop();
  }
  const passed = outcomes.filter((o) => o.outcome.ok).length;
  const details = [`one API instance on a fresh PostgreSQL database; ${BATCH} calls at a time; seed ${seed} (CHAOS_SEED to replay)`];
  for (const stall of STALLS) {
    const of = outcomes.filter((o) => o.stall === stall);
    if (of.length === 0) continue;
    details.push(
      `${stall}: ${of.filter((o) => o.outcome.ok).length}/${of.length} rescued within 5 s; waited-to-rescue ${spread(of.map((o) => o.outcome.rescueMs))}; ` +
        `Twilio answered ${of.filter((o) => o.mood === 'answers').length}, failed first ${of.filter((o) => o.mood === 'fails-first').length}, refused ${of.filter((o) => o.mood === 'refuses').length}`,
    );
  }
  for (const o of outcomes.filter((x) => !x.outcome.ok)) details.push(`failed (${o.stall}, Twilio ${o.mood}): ${o.outcome.detail}`);
  return { name: 'provider-stall', rounds: outcomes.length, passed, failed: outcomes.length - passed, details };
}

/** Starts one call; `outcome` settles when the rescue came, or did not (wrapped: an awaited promise of a promise flattens). */
async function startRound(
  app: ChaosApp,
  openai: FakeOpenAiRealtime,
  twilio: FakeTwilioCalls,
  stall: Stall,
  mood: TwilioMood,
  numbers: { transfer: string | null; fallback: string | null },
): Promise<{ outcome: Promise<RoundOutcome> }> {
  const company = await createVoiceCompany(app.db, { voicePath: 'media_stream', transfer: false });
  await app.db.pool.query('update public.agent_configs set transfer_number = $2, fallback_number = $3 where company_id = $1', [
    company.id,
    numbers.transfer,
    numbers.fallback,
  ]);
  const callSid = await openCallSession(app.db, company.id);
  const expected = numbers.transfer ?? numbers.fallback!;
  const client = await TwilioWsClient.connect(`${app.url.replace('http', 'ws')}/media-stream`);
  const opened = stall === 'no-upgrade' ? null : openai.nextConnection(10_000);
  client.start(callSid, newStreamSid(), app.app.get(StreamTokenService).issue(callSid, company.id, 'media_stream'));
  let waitingSince = Date.now();
  if (opened) {
    const provider = await opened;
    if (stall === 'stall-after-greeting') waitingSince = await greetThenStall(provider, client);
  }
  const outcome = (async (): Promise<RoundOutcome> => {
    try {
      if (mood === 'refuses') {
        // No call update gets through: the stream ends, and Twilio asks the <Connect action> what to do.
        await Promise.race([client.closed, new Promise((_r, reject) => setTimeout(() => reject(new Error('the stream never ended')), 15_000))]);
        const rescueMs = Date.now() - waitingSince;
        const twiml = await connectAction(app, callSid);
        const ok = rescueMs < RESCUE_WITHIN_MS && twiml.includes(`<Dial>${expected}</Dial>`);
        return { ok, rescueMs, detail: `${callSid}: stream ended after ${rescueMs} ms; connect action answered ${twiml}` };
      }
      const update = await twilio.updateFor(callSid, 15_000);
      const rescueMs = update.receivedAt - waitingSince;
      const ok = rescueMs < RESCUE_WITHIN_MS && (update.params.Twiml ?? '').includes(`<Dial>${expected}</Dial>`);
      return { ok, rescueMs, detail: `${callSid}: call update after ${rescueMs} ms: ${update.params.Twiml}` };
    } catch (error) {
      return { ok: false, rescueMs: Number.POSITIVE_INFINITY, detail: `${callSid}: ${(error as Error).message}` };
    } finally {
      client.close();
    }
  })();
  return { outcome };
}

/** The provider speaks the greeting, hears the caller speak and stop, then says nothing more; returns when the caller began waiting. */
async function greetThenStall(provider: FakeRealtimeConnection, client: TwilioWsClient): Promise<number> {
  await provider.waitFor((e) => e.type === 'response.create');
  provider.speak('resp_greeting', 'item_greeting', [Buffer.alloc(160, 1).toString('base64')], 'Hola.');
  await client.waitFor((f) => f.event === 'media');
  provider.emit({ type: 'input_audio_buffer.speech_started', event_id: 'e1', audio_start_ms: 500, item_id: 'item_caller' });
  provider.emit({ type: 'input_audio_buffer.speech_stopped', event_id: 'e2', audio_end_ms: 2000, item_id: 'item_caller' });
  const stoppedAt = Date.now();
  provider.stall();
  return stoppedAt;
}

/** Twilio's <Connect action> request after a Media Streams <Connect> ended (standard call parameters, no SessionStatus). */
async function connectAction(app: ChaosApp, callSid: string): Promise<string> {
  const params = { AccountSid: TEST_TWILIO_ACCOUNT_SID, CallSid: callSid, CallStatus: 'in-progress', Direction: 'inbound' };
  const signature = signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, `${TEST_PUBLIC_BASE_URL}/voice/connect-action`, params);
  const res = await fetch(`${app.url}/voice/connect-action`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
  return res.text();
}
