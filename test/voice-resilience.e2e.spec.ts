import { randomUUID } from 'node:crypto';
import { openPostgresDatabase } from '../src/database/embedded-postgres.js';
import { TelephonyMetrics } from '../src/telephony/telephony-metrics.js';
import { addPhoneNumber, createCompany } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { parseTwiml, signedPost, TwimlNode, verbs, voiceWebhook } from './support/voice-webhooks.js';

async function companyWithConfig(
  t: TestApp,
  config: { language?: string; transfer_number?: string | null; fallback_number?: string | null },
): Promise<{ id: string; number: string }> {
  const company = await createCompany(t.db);
  const number = await addPhoneNumber(t.db, company.id);
  await t.db.pool.query(
    `insert into public.agent_configs (company_id, language, transfer_number, fallback_number) values ($1, coalesce($2, 'es-MX'), $3, $4)`,
    [company.id, config.language ?? null, config.transfer_number ?? null, config.fallback_number ?? null],
  );
  return { id: company.id, number };
}

describe('POST /voice/incoming when the database is down', () => {
  it('answers 200 with an apology in Spanish and English on a database that refuses connections', async () => {
    // Nothing listens on port 1: every query fails with ECONNREFUSED.
    const t = await createTestApp({ db: openPostgresDatabase('postgres://postgres@127.0.0.1:1/none', 1) });
    try {
      const res = await signedPost(t.server, `/voice/incoming/${randomUUID()}`, voiceWebhook());
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/xml/);
      expect(verbs(res.text)).toEqual(['Say', 'Say', 'Hangup']);
      const says = parseTwiml(res.text).Response.Say as TwimlNode[];
      expect(says.map((s) => s['@_language'])).toEqual(['es-MX', 'en-US']);
      expect(String(says[0]['#text'])).toMatch(/Lo sentimos/);
      expect(String(says[1]['#text'])).toMatch(/sorry/);
      expect(t.app.get(TelephonyMetrics).get('calls_apologised')).toBe(1);
    } finally {
      await t.close();
    }
  });

  it("apologises in the company's language and dials its fallback number after the database closes", async () => {
    const t = await createTestApp();
    try {
      const company = await companyWithConfig(t, { language: 'es-MX', fallback_number: '+525511112222' });
      const before = await signedPost(t.server, `/voice/incoming/${company.id}`, voiceWebhook({ To: company.number }));
      expect(verbs(before.text)).toEqual(['Connect']);

      await t.db.close();

      const res = await signedPost(t.server, `/voice/incoming/${company.id}`, voiceWebhook({ To: company.number }));
      expect(res.status).toBe(200);
      expect(verbs(res.text)).toEqual(['Say', 'Dial']);
      const twiml = parseTwiml(res.text).Response;
      expect((twiml.Say as TwimlNode[]).map((s) => s['@_language'])).toEqual(['es-MX']);
      expect(twiml.Dial).toEqual(['+525511112222']);

      // a company it has not seen: the generic apology
      const unknown = await signedPost(t.server, `/voice/incoming/${randomUUID()}`, voiceWebhook());
      expect(unknown.status).toBe(200);
      expect(verbs(unknown.text)).toEqual(['Say', 'Say', 'Hangup']);

      // the hand-off callback does not fail audibly either
      const handoff = await signedPost(t.server, '/voice/connect-action', {
        CallSid: 'CA' + '1'.repeat(32),
        HandoffData: '{"reasonCode":"live-agent-handoff"}',
      });
      expect(handoff.status).toBe(200);
      expect(verbs(handoff.text)).toEqual(['Say', 'Say', 'Hangup']);
    } finally {
      // the database is already closed; closing it again on shutdown may complain
      await t.close().catch(() => undefined);
    }
  });
});

describe('POST /voice/connect-action', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  async function openCall(config: Parameters<typeof companyWithConfig>[1]): Promise<string> {
    const company = await companyWithConfig(t, config);
    const params = voiceWebhook({ To: company.number });
    await signedPost(t.server, `/voice/incoming/${company.id}`, params);
    return params.CallSid;
  }

  const action = (callSid: string, extra: Record<string, string>): Record<string, string> => ({
    AccountSid: 'AC11111111111111111111111111111111',
    CallSid: callSid,
    CallStatus: 'in-progress',
    Direction: 'inbound',
    SessionId: 'VX' + '0'.repeat(32),
    SessionStatus: 'ended',
    SessionDuration: '25',
    ...extra,
  });

  it('dials the transfer number when the agent hands off to a person', async () => {
    const callSid = await openCall({ language: 'es-MX', transfer_number: '+525533334444', fallback_number: '+525511112222' });
    const res = await signedPost(
      t.server,
      '/voice/connect-action',
      action(callSid, {
        HandoffData: JSON.stringify({ reasonCode: 'live-agent-handoff', reason: 'The caller asked for a person' }),
      }),
    );
    expect(res.status).toBe(200);
    expect(verbs(res.text)).toEqual(['Say', 'Dial']);
    const twiml = parseTwiml(res.text).Response;
    expect(twiml.Dial).toEqual(['+525533334444']);
    expect((twiml.Say as TwimlNode[])[0]['@_language']).toBe('es-MX');
  });

  it('dials the fallback number when no transfer number is set', async () => {
    const callSid = await openCall({ language: 'en-US', fallback_number: '+12025550133' });
    const res = await signedPost(t.server, '/voice/connect-action', action(callSid, { HandoffData: '{"reasonCode":"live-agent-handoff"}' }));
    expect(parseTwiml(res.text).Response.Dial).toEqual(['+12025550133']);
  });

  it('tells the caller when nobody can take the call', async () => {
    const callSid = await openCall({ language: 'es-MX' });
    const res = await signedPost(t.server, '/voice/connect-action', action(callSid, { HandoffData: '{"reasonCode":"live-agent-handoff"}' }));
    expect(verbs(res.text)).toEqual(['Say', 'Hangup']);
  });

  it.each([
    ['the caller hung up', { CallStatus: 'completed', SessionStatus: 'completed' }],
    ['the agent ended the call', { HandoffData: '{"reasonCode":"end-of-conversation"}' }],
    ['malformed hand-off data', { HandoffData: '{not json' }],
    ['no hand-off data', {}],
  ])('hangs up when %s', async (_name, extra) => {
    const callSid = await openCall({ transfer_number: '+525533334444' });
    const res = await signedPost(t.server, '/voice/connect-action', action(callSid, extra as Record<string, string>));
    expect(res.status).toBe(200);
    expect(verbs(res.text)).toEqual(['Hangup']);
  });

  it('apologises and dials the fallback number when the agent session failed', async () => {
    const callSid = await openCall({ language: 'es-MX', fallback_number: '+525511112222' });
    const res = await signedPost(
      t.server,
      '/voice/connect-action',
      action(callSid, {
        SessionStatus: 'failed',
        ErrorCode: '39001',
        ErrorMessage: 'Network connection to WebSocket server failed.',
      }),
    );
    expect(verbs(res.text)).toEqual(['Say', 'Dial']);
    expect(parseTwiml(res.text).Response.Dial).toEqual(['+525511112222']);
  });
});
