import { randomUUID } from 'node:crypto';
import { addPhoneNumber, createCompany, linkUserToNumber, randomMexicanNumber } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { newCallSid, signedPost, statusCallback, voiceWebhook } from './support/voice-webhooks.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function openCall(to?: string): Promise<{ callSid: string; companyId: string; userId: string; number: string }> {
  const company = await createCompany(t.db);
  const number = to ?? (await addPhoneNumber(t.db, company.id));
  const userId = randomUUID();
  if (!to) await linkUserToNumber(t.db, number, userId, company.id);
  const params = voiceWebhook({ To: number });
  const res = await signedPost(t.server, `/voice/incoming/${company.id}`, params);
  expect(res.status).toBe(200);
  return { callSid: params.CallSid, companyId: company.id, userId, number };
}

const at = (seconds: number): string => new Date(Date.UTC(2026, 10, 26, 12, 0, seconds)).toUTCString().replace('GMT', '+0000');

function status(callSid: string, s: string, seq: number | null, second: number, extra: Record<string, string> = {}): Record<string, string> {
  const params = statusCallback(callSid, s, { Timestamp: at(second), ...extra });
  if (seq !== null) params.SequenceNumber = String(seq);
  return params;
}

async function send(params: Record<string, string>): Promise<void> {
  const res = await signedPost(t.server, '/voice/status', params);
  expect(res.status).toBe(204);
}

async function session(callSid: string): Promise<Record<string, unknown>> {
  const { rows } = await t.db.pool.query('select * from public.call_sessions where call_sid = $1', [callSid]);
  return rows[0];
}

async function usage(callSid: string): Promise<Array<Record<string, unknown>>> {
  const { rows } = await t.db.pool.query(
    'select kind, unit, quantity::float8 as quantity, cost_usd::float8 as cost_usd, price_source, user_id, company_id, details from public.usage_events where call_sid = $1',
    [callSid],
  );
  return rows;
}

describe('POST /voice/status', () => {
  it('follows a call to completion and writes one telephony usage event, minutes rounded up', async () => {
    const { callSid, companyId, userId, number } = await openCall();
    await send(status(callSid, 'initiated', 0, 0, { To: number }));
    await send(status(callSid, 'ringing', 1, 1, { To: number }));
    await send(status(callSid, 'in-progress', 2, 3, { To: number }));
    expect(await session(callSid)).toMatchObject({ status: 'in-progress', ended_at: null, last_sequence_number: 2 });
    await send(status(callSid, 'completed', 3, 64, { To: number, CallDuration: '61' }));

    const s = await session(callSid);
    expect(s).toMatchObject({ status: 'completed', duration_seconds: 61, last_sequence_number: 3 });
    expect((s.ended_at as Date).toISOString()).toBe('2026-11-26T12:01:04.000Z');
    expect((s.answered_at as Date).toISOString()).toBe('2026-11-26T12:00:03.000Z');
    expect(await usage(callSid)).toEqual([
      {
        kind: 'telephony',
        unit: 'minute',
        quantity: 2,
        cost_usd: 0.02,
        price_source: 'estimate',
        user_id: userId,
        company_id: companyId,
        details: { country: 'MX', duration_seconds: 61, rate_per_minute_usd: 0.01 },
      },
    ]);
    const { rows } = await t.db.pool.query('select state from public.call_price_backfills where call_sid = $1', [callSid]);
    expect(rows).toEqual([{ state: 'pending' }]);
  });

  it('keeps one final state and one usage event under duplicates and reordering', async () => {
    const { callSid } = await openCall();
    // Twilio retried the final callback and delivered the early ones late.
    await send(status(callSid, 'completed', 3, 130, { CallDuration: '121' }));
    await send(status(callSid, 'completed', 3, 130, { CallDuration: '121' }));
    await send(status(callSid, 'in-progress', 2, 10));
    await send(status(callSid, 'ringing', 1, 5));
    await send(status(callSid, 'completed', 3, 130, { CallDuration: '121' }));
    await send(status(callSid, 'ringing', 1, 5));

    expect(await session(callSid)).toMatchObject({ status: 'completed', duration_seconds: 121, last_sequence_number: 3 });
    const events = await usage(callSid);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ quantity: 3, cost_usd: 0.03 });
    const { rows } = await t.db.pool.query(
      'select status, sequence_number, applied from public.call_status_events where call_sid = $1 order by sequence_number',
      [callSid],
    );
    expect(rows).toEqual([
      { status: 'ringing', sequence_number: 1, applied: false },
      { status: 'in-progress', sequence_number: 2, applied: false },
      { status: 'completed', sequence_number: 3, applied: true },
    ]);
  });

  it('writes one usage event when the same final callback arrives at once several times', async () => {
    const { callSid } = await openCall();
    const final = status(callSid, 'completed', 4, 60, { CallDuration: '45' });
    const results = await Promise.all(Array.from({ length: 6 }, () => signedPost(t.server, '/voice/status', final)));
    for (const r of results) expect(r.status).toBe(204);
    expect(await usage(callSid)).toHaveLength(1);
    const { rows } = await t.db.pool.query('select count(*)::int as n from public.call_status_events where call_sid = $1', [callSid]);
    expect(rows[0].n).toBe(1);
  });

  it('orders callbacks without SequenceNumber by Timestamp', async () => {
    const { callSid } = await openCall();
    await send(status(callSid, 'in-progress', null, 20));
    await send(status(callSid, 'ringing', null, 10));
    expect(await session(callSid)).toMatchObject({ status: 'in-progress' });
  });

  it.each(['busy', 'failed', 'no-answer', 'canceled'])('closes a %s call without a cost', async (final) => {
    const { callSid } = await openCall();
    await send(status(callSid, final, 2, 30, { CallDuration: '0' }));
    const s = await session(callSid);
    expect(s).toMatchObject({ status: final, duration_seconds: 0 });
    expect(s.ended_at).not.toBeNull();
    expect(await usage(callSid)).toEqual([]);
    // a later "completed" for the same call does not change a final state
    await send(status(callSid, 'completed', 3, 31, { CallDuration: '5' }));
    expect(await session(callSid)).toMatchObject({ status: final });
    expect(await usage(callSid)).toEqual([]);
  });

  it('prices by the country of the dialed number from the rate card', async () => {
    const us = await openCall();
    await send(status(us.callSid, 'completed', 1, 60, { CallDuration: '60', To: '+14155550100', ToCountry: 'US' }));
    expect((await usage(us.callSid))[0]).toMatchObject({ quantity: 1, cost_usd: 0.0085 });

    const gb = await openCall();
    const params = status(gb.callSid, 'completed', 1, 60, { CallDuration: '181', To: '+442071838750' });
    delete params.ToCountry;
    await send(params);
    expect((await usage(gb.callSid))[0]).toMatchObject({
      quantity: 4,
      cost_usd: 0.052,
      details: { country: 'GB', duration_seconds: 181, rate_per_minute_usd: 0.013 },
    });
  });

  it('records a zero-second completed call as zero minutes', async () => {
    const { callSid } = await openCall();
    await send(status(callSid, 'completed', 1, 1, { CallDuration: '0' }));
    expect(await usage(callSid)).toEqual([expect.objectContaining({ quantity: 0, cost_usd: 0 })]);
  });

  it('keeps the cost of a call whose webhook we never answered when the number is ours', async () => {
    const company = await createCompany(t.db);
    const number = await addPhoneNumber(t.db, company.id);
    const callSid = newCallSid();
    await send(status(callSid, 'completed', 2, 90, { CallDuration: '90', To: number }));
    expect(await session(callSid)).toMatchObject({ company_id: company.id, outcome: 'not_handled', status: 'completed', duration_seconds: 90 });
    expect(await usage(callSid)).toHaveLength(1);
  });

  it('answers 204 and writes nothing for a call on a number nobody has', async () => {
    const callSid = newCallSid();
    await send(status(callSid, 'completed', 2, 90, { CallDuration: '90', To: randomMexicanNumber() }));
    expect(await session(callSid)).toBeUndefined();
    expect(await usage(callSid)).toEqual([]);
  });

  it('rejects a callback without CallSid or with an unknown CallStatus', async () => {
    const { callSid } = await openCall();
    const noSid = status(callSid, 'completed', 1, 1);
    delete noSid.CallSid;
    const a = await signedPost(t.server, '/voice/status', noSid);
    expect(a.status).toBe(400);
    expect(a.body.message).toMatch(/CallSid is required/);
    const b = await signedPost(t.server, '/voice/status', status(callSid, 'exploded', 1, 1));
    expect(b.status).toBe(400);
    expect(b.body.message).toMatch(/CallStatus must be one of/);
    expect(await usage(callSid)).toEqual([]);
  });
});
