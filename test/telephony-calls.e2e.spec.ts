import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AgentSessionRepository } from '../src/agent-session/agent-session.repository.js';
import { addMember, addPhoneNumber, createCompany, linkUserToNumber } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { bearer, testUser, TestUser } from './support/tokens.js';
import { signedPost, statusCallback, voiceWebhook } from './support/voice-webhooks.js';

let t: TestApp;
let transcripts: AgentSessionRepository;
let member: TestUser;
let outsider: TestUser;
let companyId: string;
let number: string;
let numberUser: string;

beforeAll(async () => {
  t = await createTestApp();
  transcripts = t.app.get(AgentSessionRepository);
  member = await testUser();
  outsider = await testUser();
  companyId = (await createCompany(t.db)).id;
  await addMember(t.db, companyId, member.id, 'member');
  number = await addPhoneNumber(t.db, companyId);
  numberUser = randomUUID();
  await linkUserToNumber(t.db, number, numberUser, companyId);
});
afterAll(() => t.close());

async function call(final: { status: string; seconds: number } | null): Promise<string> {
  const params = voiceWebhook({ To: number });
  await signedPost(t.server, `/voice/incoming/${companyId}`, params);
  await signedPost(t.server, '/voice/status', statusCallback(params.CallSid, 'in-progress', { SequenceNumber: '1', To: number }));
  if (final) {
    await signedPost(
      t.server,
      '/voice/status',
      statusCallback(params.CallSid, final.status, { SequenceNumber: '2', To: number, CallDuration: String(final.seconds) }),
    );
  }
  return params.CallSid;
}

describe('GET /api/companies/{company_id}/calls', () => {
  it('pages calls newest first, filtered by status, with each call cost', async () => {
    const c = (await createCompany(t.db)).id;
    await addMember(t.db, c, member.id, 'owner');
    const n = await addPhoneNumber(t.db, c);
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const params = voiceWebhook({ To: n });
      await signedPost(t.server, `/voice/incoming/${c}`, params);
      sids.push(params.CallSid);
    }
    await signedPost(t.server, '/voice/status', statusCallback(sids[1], 'completed', { SequenceNumber: '2', To: n, CallDuration: '100' }));

    const page1 = await request(t.server).get(`/api/companies/${c}/calls?limit=2`).set(bearer(member));
    expect(page1.status).toBe(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.next_cursor).toEqual(expect.any(String));
    const page2 = await request(t.server).get(`/api/companies/${c}/calls?limit=2&cursor=${page1.body.next_cursor}`).set(bearer(member));
    const page3 = await request(t.server).get(`/api/companies/${c}/calls?limit=2&cursor=${page2.body.next_cursor}`).set(bearer(member));
    expect(page3.body.next_cursor).toBeNull();
    const all = [...page1.body.items, ...page2.body.items, ...page3.body.items];
    expect(all.map((x: { call_sid: string }) => x.call_sid).sort()).toEqual([...sids].sort());
    const starts = all.map((x: { started_at: string }) => x.started_at);
    expect([...starts].sort().reverse()).toEqual(starts);

    const completed = await request(t.server).get(`/api/companies/${c}/calls?status=completed`).set(bearer(member));
    expect(completed.body.items).toEqual([
      expect.objectContaining({ call_sid: sids[1], status: 'completed', duration_seconds: 100, cost_usd: 0.02, outcome: 'connected', to_number: n }),
    ]);
    const future = await request(t.server)
      .get(`/api/companies/${c}/calls?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`)
      .set(bearer(member));
    expect(future.body.items).toEqual([]);
  });

  it('rejects bad input, strangers and missing tokens', async () => {
    expect((await request(t.server).get(`/api/companies/${companyId}/calls`)).status).toBe(401);
    expect((await request(t.server).get(`/api/companies/${companyId}/calls`).set(bearer(outsider))).status).toBe(403);
    const bad = await request(t.server).get(`/api/companies/${companyId}/calls?limit=0&status=exploded`).set(bearer(member));
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit', 'status']);
    expect((await request(t.server).get(`/api/companies/${companyId}/calls?cursor=garbage`).set(bearer(member))).status).toBe(400);
  });
});

describe('GET /api/companies/{company_id}/calls/{call_sid}', () => {
  it('returns the session with its timeline, transcript and usage', async () => {
    const callSid = await call({ status: 'completed', seconds: 75 });
    await transcripts.appendTranscript(callSid, companyId, { role: 'caller', text: 'Hola' });
    await transcripts.appendTranscript(callSid, companyId, {
      role: 'agent',
      text: '¿En qué le ayudo?',
      latency: { end_of_speech_to_first_output_ms: 380, provider_ms: 300, ours_ms: 80 },
    });
    const res = await request(t.server).get(`/api/companies/${companyId}/calls/${callSid}`).set(bearer(member));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      call_sid: callSid,
      company_id: companyId,
      user_id: numberUser,
      status: 'completed',
      duration_seconds: 75,
      cost_usd: 0.02,
      timeline: [
        expect.objectContaining({ status: 'in-progress', sequence_number: 1, applied: true }),
        expect.objectContaining({ status: 'completed', sequence_number: 2, duration_seconds: 75, applied: true }),
      ],
      transcript: [
        expect.objectContaining({ seq: 1, role: 'caller', text: 'Hola' }),
        expect.objectContaining({ seq: 2, role: 'agent', latency: { end_of_speech_to_first_output_ms: 380, provider_ms: 300, ours_ms: 80 } }),
      ],
      usage: [expect.objectContaining({ kind: 'telephony', quantity: 2, unit: 'minute', cost_usd: 0.02, price_source: 'estimate' })],
    });
  });

  it("answers 404 for another company's call, and 403 to strangers", async () => {
    const callSid = await call(null);
    const other = (await createCompany(t.db)).id;
    await addMember(t.db, other, member.id, 'member');
    const res = await request(t.server).get(`/api/companies/${other}/calls/${callSid}`).set(bearer(member));
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/has no call/);
    expect((await request(t.server).get(`/api/companies/${companyId}/calls/${callSid}`).set(bearer(outsider))).status).toBe(403);
    expect((await request(t.server).get(`/api/companies/${companyId}/calls/bad%20sid`).set(bearer(member))).status).toBe(400);
  });
});

describe('GET /api/companies/{company_id}/usage', () => {
  it('totals costs in USD grouped by kind, user and day', async () => {
    const c = (await createCompany(t.db)).id;
    await addMember(t.db, c, member.id, 'admin');
    const userA = randomUUID();
    const day = (d: number): Date => new Date(Date.UTC(2026, 9, d, 15));
    const usage = (kind: string, quantity: number, unit: string, cost: number, userId: string | null, at: Date) =>
      t.db.pool.query(
        `insert into public.usage_events (company_id, user_id, kind, quantity, unit, cost_usd, idempotency_key, occurred_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [c, userId, kind, quantity, unit, cost, randomUUID(), at],
      );
    await usage('telephony', 2, 'minute', 0.02, userA, day(1));
    await usage('telephony', 3, 'minute', 0.03, null, day(2));
    await usage('llm_tokens', 1000, 'token', 0.5, userA, day(2));
    await usage('telephony', 9, 'minute', 9, null, day(20));
    const q = (groupBy: string): Promise<request.Response> =>
      request(t.server).get(`/api/companies/${c}/usage?from=2026-10-01T00:00:00Z&to=2026-10-10T00:00:00Z&group_by=${groupBy}`).set(bearer(member));

    const byKind = await q('kind');
    expect(byKind.status).toBe(200);
    expect(byKind.body).toMatchObject({ company_id: c, currency: 'USD', group_by: 'kind', total_cost_usd: 0.55, event_count: 3 });
    expect(byKind.body.groups).toEqual([
      { key: 'llm_tokens', cost_usd: 0.5, event_count: 1, quantities: { token: 1000 } },
      { key: 'telephony', cost_usd: 0.05, event_count: 2, quantities: { minute: 5 } },
    ]);
    const byUser = await q('user');
    expect(byUser.body.groups).toEqual(
      [
        { key: userA, cost_usd: 0.52, event_count: 2, quantities: { minute: 2, token: 1000 } },
        { key: 'unattributed', cost_usd: 0.03, event_count: 1, quantities: { minute: 3 } },
      ].sort((a, b) => a.key.localeCompare(b.key)),
    );
    const byDay = await q('day');
    expect(byDay.body.groups.map((g: { key: string; cost_usd: number }) => [g.key, g.cost_usd])).toEqual([
      ['2026-10-01', 0.02],
      ['2026-10-02', 0.53],
    ]);
  });

  it('rejects a bad grouping, a reversed period and strangers', async () => {
    expect((await request(t.server).get(`/api/companies/${companyId}/usage?group_by=month`).set(bearer(member))).status).toBe(400);
    const reversed = await request(t.server).get(`/api/companies/${companyId}/usage?from=2026-10-10T00:00:00Z&to=2026-10-01T00:00:00Z`).set(bearer(member));
    expect(reversed.status).toBe(400);
    expect(reversed.body.message).toMatch(/from must be before to/);
    expect((await request(t.server).get(`/api/companies/${companyId}/usage`).set(bearer(outsider))).status).toBe(403);
    expect((await request(t.server).get(`/api/companies/${companyId}/usage`)).status).toBe(401);
  });
});
