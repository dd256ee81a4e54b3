import { randomUUID } from 'node:crypto';
import { BusinessHours, isWithinBusinessHours } from '../src/companies/business-hours.js';
import { StreamTokenService } from '../src/twilio/stream-token.service.js';
import { TelephonyMetrics } from '../src/telephony/telephony-metrics.js';
import { addPhoneNumber, createCompany, linkUserToNumber, randomMexicanNumber } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { testConfig } from './support/test-config.js';
import { parseTwiml, signedPost, statusCallback, TwimlNode, verbs, voiceWebhook } from './support/voice-webhooks.js';

let t: TestApp;
let tokens: StreamTokenService;
let metrics: TelephonyMetrics;

beforeAll(async () => {
  // A realtime provider is configured, so Media Streams companies are served on their own path.
  t = await createTestApp({ config: testConfig({ openai: { apiKey: 'test-key' } }) });
  tokens = t.app.get(StreamTokenService);
  metrics = t.app.get(TelephonyMetrics);
});
afterAll(() => t.close());

interface AgentConfigFixture {
  language?: string;
  greeting?: string | null;
  voice?: string | null;
  tts_provider?: string | null;
  voice_path?: 'conversation_relay' | 'media_stream';
  transfer_number?: string | null;
  fallback_number?: string | null;
  business_hours?: unknown;
  max_concurrent_calls?: number | null;
}

async function setAgentConfig(companyId: string, c: AgentConfigFixture): Promise<void> {
  await t.db.pool.query(
    `insert into public.agent_configs (company_id, language, greeting, voice, voice_path, transfer_number, fallback_number, business_hours, max_concurrent_calls, tts_provider)
     values ($1, coalesce($2, 'es-MX'), $3, $4, coalesce($5, 'conversation_relay'), $6, $7, $8, $9, $10)
     on conflict (company_id) do update set language = excluded.language, greeting = excluded.greeting, voice = excluded.voice, tts_provider = excluded.tts_provider,
       voice_path = excluded.voice_path, transfer_number = excluded.transfer_number, fallback_number = excluded.fallback_number,
       business_hours = excluded.business_hours, max_concurrent_calls = excluded.max_concurrent_calls`,
    [
      companyId,
      c.language ?? null,
      c.greeting ?? null,
      c.voice ?? null,
      c.voice_path ?? null,
      c.transfer_number ?? null,
      c.fallback_number ?? null,
      c.business_hours === undefined ? null : JSON.stringify(c.business_hours),
      c.max_concurrent_calls ?? null,
      c.tts_provider ?? null,
    ],
  );
}

async function companyWithNumber(config: AgentConfigFixture = {}): Promise<{ companyId: string; number: string; userId: string }> {
  const company = await createCompany(t.db);
  const number = await addPhoneNumber(t.db, company.id);
  const userId = randomUUID();
  await linkUserToNumber(t.db, number, userId, company.id);
  await setAgentConfig(company.id, config);
  return { companyId: company.id, number, userId };
}

async function sessions(callSid: string): Promise<Array<Record<string, unknown>>> {
  const { rows } = await t.db.pool.query('select * from public.call_sessions where call_sid = $1', [callSid]);
  return rows;
}

const connectOf = (xml: string): TwimlNode => parseTwiml(xml).Response.Connect as TwimlNode;

describe('POST /voice/incoming/{company_id}', () => {
  it('connects a signed call to ConversationRelay on the public host with a token that verifies', async () => {
    const { companyId, number, userId } = await companyWithNumber({
      language: 'es-MX',
      greeting: 'Hola, ¿en qué le ayudo?',
      voice: 'es-MX-Neural2-A',
      tts_provider: 'Google',
    });
    const params = voiceWebhook({ To: number, From: '+52 55 9876 5432' });
    const res = await signedPost(t.server, `/voice/incoming/${companyId}`, params);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(verbs(res.text)).toEqual(['Connect']);
    const connect = connectOf(res.text);
    expect(connect['@_action']).toBe('https://api.test.example/voice/connect-action');
    const relay = connect.ConversationRelay as TwimlNode;
    expect(relay['@_url']).toBe('wss://api.test.example/conversation-relay');
    expect(relay['@_welcomeGreeting']).toBe('Hola, ¿en qué le ayudo?');
    expect(relay['@_language']).toBe('es-MX');
    // the voice always travels with its provider: alone, Twilio reads it as an ElevenLabs voice and drops the call
    expect(relay['@_voice']).toBe('es-MX-Neural2-A');
    expect(relay['@_ttsProvider']).toBe('Google');
    const [parameter] = relay.Parameter as TwimlNode[];
    expect(parameter['@_name']).toBe('token');
    const claims = tokens.verify(parameter['@_value']);
    expect(claims).toMatchObject({ call_sid: params.CallSid, company_id: companyId, kind: 'conversation_relay' });

    const [session] = await sessions(params.CallSid);
    expect(session).toMatchObject({
      company_id: companyId,
      user_id: userId,
      to_number: number,
      from_number: '+525598765432',
      direction: 'inbound',
      status: 'ringing',
      outcome: 'connected',
      voice_path: 'conversation_relay',
      matched_table: 'phone_numbers',
      company_mismatch: false,
      account_sid: params.AccountSid,
    });
  });

  it('connects a Media Streams company with <Connect><Stream> and a token parameter', async () => {
    const { companyId, number } = await companyWithNumber({ voice_path: 'media_stream', greeting: 'Hola' });
    const params = voiceWebhook({ To: number });
    const res = await signedPost(t.server, `/voice/incoming/${companyId}`, params);
    expect(res.status).toBe(200);
    const stream = connectOf(res.text).Stream as TwimlNode;
    expect(stream['@_url']).toBe('wss://api.test.example/media-stream');
    const [parameter] = stream.Parameter as TwimlNode[];
    expect(parameter['@_name']).toBe('token');
    expect(tokens.verify(parameter['@_value'])).toMatchObject({ call_sid: params.CallSid, company_id: companyId, kind: 'media_stream' });
    expect(connectOf(res.text).ConversationRelay).toBeUndefined();
  });

  it('serves a Media Streams company through ConversationRelay when no realtime provider is configured', async () => {
    const { companyId, number } = await companyWithNumber({ voice_path: 'media_stream', greeting: 'Hola' });
    const keyless = await createTestApp({ db: t.db, config: testConfig({ openai: { apiKey: undefined } }) });
    try {
      const params = voiceWebhook({ To: number });
      const res = await signedPost(keyless.server, `/voice/incoming/${companyId}`, params);
      expect(res.status).toBe(200);
      const relay = connectOf(res.text).ConversationRelay as TwimlNode;
      expect(relay['@_url']).toBe('wss://api.test.example/conversation-relay');
      const [parameter] = relay.Parameter as TwimlNode[];
      expect(keyless.app.get(StreamTokenService).verify(parameter['@_value'])).toMatchObject({ kind: 'conversation_relay' });
      expect(connectOf(res.text).Stream).toBeUndefined();
    } finally {
      await keyless.app.close().catch(() => undefined);
    }
  });

  it('answers a retried webhook the same way and opens one session', async () => {
    const { companyId, number } = await companyWithNumber();
    const params = voiceWebhook({ To: number });
    const first = await signedPost(t.server, `/voice/incoming/${companyId}`, params);
    const second = await signedPost(t.server, `/voice/incoming/${companyId}`, params);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(verbs(second.text)).toEqual(['Connect']);
    const url = (r: string): unknown => (connectOf(r).ConversationRelay as TwimlNode)['@_url'];
    expect(url(second.text)).toBe(url(first.text));
    expect(await sessions(params.CallSid)).toHaveLength(1);
  });

  it('escapes company text: a greeting holding </Say><Dial> stays an attribute value', async () => {
    const greeting = 'Hola"/></ConversationRelay></Connect><Dial>+15550001111</Dial><Say>& <x>';
    const { companyId, number } = await companyWithNumber({ greeting, voice: '"><Hangup/>', tts_provider: 'Google' });
    const res = await signedPost(t.server, `/voice/incoming/${companyId}`, voiceWebhook({ To: number }));
    expect(res.status).toBe(200);
    expect(verbs(res.text)).toEqual(['Connect']);
    expect(res.text).not.toContain('<Dial>');
    expect(res.text).not.toContain('<Hangup');
    const relay = connectOf(res.text).ConversationRelay as TwimlNode;
    // the parser decodes entities: the value comes back exactly as the company wrote it
    expect(relay['@_welcomeGreeting']).toBe(greeting);
    expect(relay['@_voice']).toBe('"><Hangup/>');
    expect(Object.keys(relay).filter((k) => !k.startsWith('@_'))).toEqual(['Parameter']);
  });

  it('lets the dialed number decide over the path, and counts the mismatch', async () => {
    const { companyId, number } = await companyWithNumber();
    const other = await createCompany(t.db);
    const before = metrics.get('company_mismatch');
    const params = voiceWebhook({ To: number });
    const res = await signedPost(t.server, `/voice/incoming/${other.id}`, params);
    expect(res.status).toBe(200);
    const [token] = (connectOf(res.text).ConversationRelay as TwimlNode).Parameter as TwimlNode[];
    expect(tokens.verify(token['@_value']).company_id).toBe(companyId);
    const [session] = await sessions(params.CallSid);
    expect(session).toMatchObject({ company_id: companyId, path_company_id: other.id, company_mismatch: true, matched_table: 'phone_numbers' });
    expect(metrics.get('company_mismatch')).toBe(before + 1);
  });

  it('finds the company through phone_number_users when phone_numbers lacks the number', async () => {
    const company = await createCompany(t.db);
    const number = randomMexicanNumber();
    const userId = randomUUID();
    await linkUserToNumber(t.db, number, userId, company.id);
    const params = voiceWebhook({ To: number });
    const res = await signedPost(t.server, `/voice/incoming/${company.id}`, params);
    expect(verbs(res.text)).toEqual(['Connect']);
    expect((await sessions(params.CallSid))[0]).toMatchObject({ company_id: company.id, user_id: userId, matched_table: 'phone_number_users' });
  });

  it('falls back to the path company for a number configured before this system', async () => {
    const company = await createCompany(t.db);
    const params = voiceWebhook({ To: randomMexicanNumber() });
    const res = await signedPost(t.server, `/voice/incoming/${company.id}`, params);
    expect(verbs(res.text)).toEqual(['Connect']);
    expect((await sessions(params.CallSid))[0]).toMatchObject({ company_id: company.id, user_id: null, matched_table: 'path', company_mismatch: false });
  });

  it('apologises in Spanish and English, with 200, when neither number nor path names a company', async () => {
    const params = voiceWebhook({ To: randomMexicanNumber() });
    const res = await signedPost(t.server, `/voice/incoming/${randomUUID()}`, params);
    expect(res.status).toBe(200);
    expect(verbs(res.text)).toEqual(['Say', 'Say', 'Hangup']);
    const says = parseTwiml(res.text).Response.Say as TwimlNode[];
    expect(says.map((s) => s['@_language'])).toEqual(['es-MX', 'en-US']);
    expect(await sessions(params.CallSid)).toHaveLength(0);
  });

  it('apologises for a path that is not a UUID and a number nobody has', async () => {
    const res = await signedPost(t.server, '/voice/incoming/not-a-company', voiceWebhook({ To: randomMexicanNumber() }));
    expect(res.status).toBe(200);
    expect(verbs(res.text)).toEqual(['Say', 'Say', 'Hangup']);
  });

  it('apologises when the webhook has no CallSid, dialing the fallback number it knows', async () => {
    const { companyId, number } = await companyWithNumber({ language: 'en-US', fallback_number: '+12025550122' });
    await signedPost(t.server, `/voice/incoming/${companyId}`, voiceWebhook({ To: number })); // learns the fallback
    const params = voiceWebhook({ To: number });
    delete params.CallSid;
    const res = await signedPost(t.server, `/voice/incoming/${companyId}`, params);
    expect(res.status).toBe(200);
    expect(verbs(res.text)).toEqual(['Say', 'Dial']);
    const twiml = parseTwiml(res.text).Response;
    expect((twiml.Say as TwimlNode[])[0]['@_language']).toBe('en-US');
    expect(twiml.Dial).toEqual(['+12025550122']);
  });

  describe('concurrent-call limit', () => {
    it('refuses politely at the limit and admits again once a call ends', async () => {
      const { companyId, number } = await companyWithNumber({ max_concurrent_calls: 2, language: 'es-MX' });
      const calls = [voiceWebhook({ To: number }), voiceWebhook({ To: number })];
      for (const call of calls) expect(verbs((await signedPost(t.server, `/voice/incoming/${companyId}`, call)).text)).toEqual(['Connect']);

      const third = voiceWebhook({ To: number });
      const refused = await signedPost(t.server, `/voice/incoming/${companyId}`, third);
      expect(refused.status).toBe(200);
      expect(verbs(refused.text)).toEqual(['Say', 'Hangup']);
      const [say] = parseTwiml(refused.text).Response.Say as TwimlNode[];
      expect(say['@_language']).toBe('es-MX');
      expect(say['#text']).toMatch(/líneas están ocupadas/);
      expect((await sessions(third.CallSid))[0]).toMatchObject({ outcome: 'refused_limit' });
      // a retry of the refused call is refused again, not admitted
      expect(verbs((await signedPost(t.server, `/voice/incoming/${companyId}`, third)).text)).toEqual(['Say', 'Hangup']);

      const ended = await signedPost(t.server, '/voice/status', statusCallback(calls[0].CallSid, 'completed', { CallDuration: '30', To: number }));
      expect(ended.status).toBe(204);
      expect(verbs((await signedPost(t.server, `/voice/incoming/${companyId}`, voiceWebhook({ To: number }))).text)).toEqual(['Connect']);
    });

    it('admits exactly the limit when many distinct calls arrive at once', async () => {
      // Parallel webhooks on separate connections: only the per-company lock in open_call_session keeps them from
      // all counting the same live calls and all being admitted.
      const { companyId, number } = await companyWithNumber({ max_concurrent_calls: 3 });
      const calls = Array.from({ length: 12 }, () => voiceWebhook({ To: number }));
      const answers = await Promise.all(calls.map((call) => signedPost(t.server, `/voice/incoming/${companyId}`, call)));
      const admitted = answers.filter((res) => verbs(res.text)[0] === 'Connect');
      expect(admitted).toHaveLength(3);
      expect(answers.filter((res) => verbs(res.text).join() === 'Say,Hangup')).toHaveLength(9);
      const { rows } = await t.db.pool.query("select count(*)::int as n from public.call_sessions where company_id = $1 and outcome = 'connected'", [
        companyId,
      ]);
      expect(rows[0].n).toBe(3);
    });

    it('counts the live calls of a company one transaction at a time (the limit holds while sessions are uncommitted)', async () => {
      // Each webhook's transaction stays open until every other has answered (or half a second passed): without the
      // per-company lock they would all count zero live calls and all be admitted; with it they take turns.
      const { companyId, number } = await companyWithNumber({ max_concurrent_calls: 1 });
      const clients = await Promise.all(Array.from({ length: 4 }, () => t.db.pool.connect()));
      let answered = 0;
      let releaseAll!: () => void;
      const allAnswered = new Promise<void>((resolve) => (releaseAll = resolve));
      const waitForOthers = Promise.race([allAnswered, new Promise((resolve) => setTimeout(resolve, 500))]);
      try {
        const outcomes = await Promise.all(
          clients.map(async (client) => {
            await client.query('begin');
            const { rows } = await client.query<{ session: { outcome: string } }>(
              'select public.open_call_session(p_call_sid => $1, p_to => $2, p_from => $3, p_path_company_id => $4) as session',
              [voiceWebhook().CallSid, number, '+525598765432', companyId],
            );
            if (++answered === clients.length) releaseAll();
            await waitForOthers;
            await client.query('commit');
            return rows[0].session.outcome;
          }),
        );
        expect(outcomes.sort()).toEqual(['connected', 'refused_limit', 'refused_limit', 'refused_limit']);
      } finally {
        for (const client of clients) client.release();
      }
    });

    it('does not count refused calls as live', async () => {
      const { companyId, number } = await companyWithNumber({ max_concurrent_calls: 1 });
      expect(verbs((await signedPost(t.server, `/voice/incoming/${companyId}`, voiceWebhook({ To: number }))).text)).toEqual(['Connect']);
      for (let i = 0; i < 3; i++) {
        expect(verbs((await signedPost(t.server, `/voice/incoming/${companyId}`, voiceWebhook({ To: number }))).text)).toEqual(['Say', 'Hangup']);
      }
      const { rows } = await t.db.pool.query(
        'select outcome, count(*)::int as n from public.call_sessions where company_id = $1 group by outcome order by outcome',
        [companyId],
      );
      expect(rows).toEqual([
        { outcome: 'connected', n: 1 },
        { outcome: 'refused_limit', n: 3 },
      ]);
    });
  });

  describe('business hours', () => {
    const allWeek = Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [['00:00', '24:00']]]));

    it('refuses politely outside business hours, in the company language', async () => {
      const { companyId, number } = await companyWithNumber({ language: 'en-US', business_hours: { time_zone: 'America/Mexico_City', weekly: {} } });
      const params = voiceWebhook({ To: number });
      const res = await signedPost(t.server, `/voice/incoming/${companyId}`, params);
      expect(res.status).toBe(200);
      expect(verbs(res.text)).toEqual(['Say', 'Hangup']);
      const [say] = parseTwiml(res.text).Response.Say as TwimlNode[];
      expect(say['@_language']).toBe('en-US');
      expect(say['#text']).toMatch(/closed/);
      expect((await sessions(params.CallSid))[0]).toMatchObject({ outcome: 'refused_after_hours' });
    });

    it('stores an after-hours call refused from the moment its session opens, so it never takes a line', async () => {
      // The session opening is the webhook's one write: were the call stored 'connected' and refused afterwards,
      // a concurrent caller could be told "all lines busy" by a call that is itself being refused.
      const { companyId, number } = await companyWithNumber({ max_concurrent_calls: 1, business_hours: { time_zone: 'America/Mexico_City', weekly: {} } });
      const callSid = voiceWebhook().CallSid;
      const { rows } = await t.db.pool.query<{ session: { outcome: string } }>(
        'select public.open_call_session(p_call_sid => $1, p_to => $2, p_from => $3, p_path_company_id => $4) as session',
        [callSid, number, '+525598765432', companyId],
      );
      expect(rows[0].session.outcome).toBe('refused_after_hours');
      expect((await sessions(callSid))[0]).toMatchObject({ outcome: 'refused_after_hours' });
    });

    it('decides the hours in SQL exactly as the API reads them', async () => {
      const hours = { time_zone: 'America/Mexico_City', weekly: { thu: [['09:00', '18:00']], fri: [['22:00', '24:00']], sat: [['00:00', '02:00']] } };
      // America/Mexico_City is UTC-6 all year (no daylight saving since 2022).
      const cases: Array<[string, boolean]> = [
        ['2026-12-03T14:59:00Z', false], // thu 08:59
        ['2026-12-03T15:00:00Z', true], // thu 09:00
        ['2026-12-04T00:00:00Z', false], // thu 18:00: the end is excluded
        ['2026-12-05T05:59:00Z', true], // fri 23:59
        ['2026-12-05T06:00:00Z', true], // sat 00:00
        ['2026-12-05T08:00:00Z', false], // sat 02:00
        ['2026-12-06T18:00:00Z', false], // sun: no intervals
      ];
      for (const [at, open] of cases) {
        expect(isWithinBusinessHours(hours as BusinessHours, new Date(at)), at).toBe(open);
        const { rows } = await t.db.pool.query<{ open: boolean }>('select public.within_business_hours($1::jsonb, $2::timestamptz) as open', [
          JSON.stringify(hours),
          at,
        ]);
        expect(rows[0].open, at).toBe(open);
      }
      const { rows } = await t.db.pool.query<{ open: boolean }>(
        'select public.within_business_hours(null, now()) as a, public.within_business_hours(\'{"time_zone":"Mars/Olympus","weekly":{}}\', now()) as open',
      );
      expect(rows[0]).toEqual({ a: true, open: true });
    });

    it('connects within business hours', async () => {
      const { companyId, number } = await companyWithNumber({ business_hours: { time_zone: 'America/Mexico_City', weekly: allWeek } });
      const res = await signedPost(t.server, `/voice/incoming/${companyId}`, voiceWebhook({ To: number }));
      expect(verbs(res.text)).toEqual(['Connect']);
    });

    it('keeps the line open when the hours cannot be read', async () => {
      const { companyId, number } = await companyWithNumber({ business_hours: { time_zone: 'Mars/Olympus', weekly: {} } });
      const res = await signedPost(t.server, `/voice/incoming/${companyId}`, voiceWebhook({ To: number }));
      expect(verbs(res.text)).toEqual(['Connect']);
    });
  });

  it('keeps one session under a burst of retries of the same call', async () => {
    const { companyId, number } = await companyWithNumber();
    const params = voiceWebhook({ To: number });
    const results = await Promise.all(Array.from({ length: 8 }, () => signedPost(t.server, `/voice/incoming/${companyId}`, params)));
    for (const r of results) expect(verbs(r.text)).toEqual(['Connect']);
    expect(await sessions(params.CallSid)).toHaveLength(1);
  });
});
