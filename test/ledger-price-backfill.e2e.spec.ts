import { SchedulerRegistry } from '@nestjs/schedule';
import { PRICE_BACKFILL_JOB } from '../src/telephony/price-backfill.job.js';
import { PriceBackfillService } from '../src/telephony/price-backfill.service.js';
import { addPhoneNumber, createCompany } from './support/factories.js';
import { FakeTwilioRest } from './support/fake-twilio-rest.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_TWILIO_ACCOUNT_SID, TEST_TWILIO_AUTH_TOKEN, testConfig } from './support/test-config.js';
import { signedPost, statusCallback, voiceWebhook } from './support/voice-webhooks.js';

let fake: FakeTwilioRest;
let t: TestApp;
let backfill: PriceBackfillService;

const CALL_PATH = '/2010-04-01/Accounts/:AccountSid/Calls/:Sid.json';

beforeAll(async () => {
  fake = await FakeTwilioRest.start({ accountSid: TEST_TWILIO_ACCOUNT_SID, authToken: TEST_TWILIO_AUTH_TOKEN });
  // Calls are due at once here; other test files queue theirs an hour ahead, so they never reach this worker.
  t = await createTestApp({ config: testConfig({ twilio: { apiBaseUrl: fake.url }, telephony: { priceBackfill: { firstDelaySeconds: 0 } } }) });
  backfill = t.app.get(PriceBackfillService);
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

/** A completed call of `seconds`, estimated at the MX rate (0.01 USD a minute). */
async function completedCall(seconds: number): Promise<string> {
  const company = await createCompany(t.db);
  const number = await addPhoneNumber(t.db, company.id);
  const params = voiceWebhook({ To: number });
  await signedPost(t.server, `/voice/incoming/${company.id}`, params);
  const res = await signedPost(
    t.server,
    '/voice/status',
    statusCallback(params.CallSid, 'completed', { To: number, CallDuration: String(seconds), SequenceNumber: '3' }),
  );
  expect(res.status).toBe(204);
  return params.CallSid;
}

async function ledger(
  callSid: string,
): Promise<{ cost_usd: number; price_source: string; state: string; attempts: number; last_error: string | null; due_in_s: number }> {
  const { rows } = await t.db.pool.query(
    `select u.cost_usd::float8 as cost_usd, u.price_source, b.state, b.attempts, b.last_error,
            round(extract(epoch from b.next_attempt_at - now()))::int as due_in_s
       from public.usage_events u join public.call_price_backfills b on b.usage_event_id = u.id
      where u.call_sid = $1`,
    [callSid],
  );
  return rows[0];
}

/** Backoff is real (a minute and more); tests make the retry due instead of waiting. */
async function makeDue(callSid: string): Promise<void> {
  await t.db.pool.query("update public.call_price_backfills set next_attempt_at = now() - interval '1 second' where call_sid = $1", [callSid]);
}

/** Only the rows of this test are due: earlier tests' leftovers are pushed into the future. */
async function onlyDue(...callSids: string[]): Promise<void> {
  await t.db.pool.query("update public.call_price_backfills set next_attempt_at = now() + interval '1 day' where not (call_sid = any($1))", [callSids]);
}

describe('call price backfill against a fake Twilio REST API', () => {
  it('retries while Twilio has no price yet, then replaces the estimate with the actual price', async () => {
    const callSid = await completedCall(61);
    await onlyDue(callSid);
    fake.putCall({ sid: callSid, duration: '61', price: null });
    expect(await ledger(callSid)).toMatchObject({ cost_usd: 0.02, price_source: 'estimate', state: 'pending', attempts: 0 });

    expect(await backfill.runOnce()).toEqual({ claimed: 1, priced: 0, retried: 1, stopped: 0 });
    const requests = fake.requestsTo('GET', CALL_PATH);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      path: `/2010-04-01/Accounts/${TEST_TWILIO_ACCOUNT_SID}/Calls/${callSid}.json`,
      host: new URL(fake.url).host,
      auth: { username: TEST_TWILIO_ACCOUNT_SID, password: TEST_TWILIO_AUTH_TOKEN },
      rawBody: '',
    });
    const pending = await ledger(callSid);
    expect(pending).toMatchObject({ cost_usd: 0.02, price_source: 'estimate', state: 'pending', attempts: 1 });
    expect(pending.due_in_s).toBeGreaterThanOrEqual(55); // first backoff: a minute

    // not due yet: nothing is fetched
    expect(await backfill.runOnce()).toEqual({ claimed: 0, priced: 0, retried: 0, stopped: 0 });
    expect(fake.requestsTo('GET', CALL_PATH)).toHaveLength(1);

    fake.calls.get(callSid)!.price = '-0.01700';
    await makeDue(callSid);
    expect(await backfill.runOnce()).toEqual({ claimed: 1, priced: 1, retried: 0, stopped: 0 });
    expect(await ledger(callSid)).toMatchObject({ cost_usd: 0.017, price_source: 'provider', state: 'priced', attempts: 2 });
    const { rows } = await t.db.pool.query('select details from public.usage_events where call_sid = $1', [callSid]);
    expect(rows[0].details).toMatchObject({ estimated_cost_usd: 0.02, provider_price_usd: 0.017 });

    // done: never fetched again
    await makeDue(callSid);
    expect(await backfill.runOnce()).toMatchObject({ claimed: 0 });
    expect(fake.requestsTo('GET', CALL_PATH)).toHaveLength(2);
  });

  it('stops on 404 and keeps the estimate', async () => {
    const callSid = await completedCall(30);
    await onlyDue(callSid);
    expect(await backfill.runOnce()).toEqual({ claimed: 1, priced: 0, retried: 0, stopped: 1 });
    expect(await ledger(callSid)).toMatchObject({ cost_usd: 0.01, price_source: 'estimate', state: 'not_found', attempts: 1 });
    await makeDue(callSid);
    expect(await backfill.runOnce()).toMatchObject({ claimed: 0 });
  });

  it('retries after a 500 and prices on the next attempt', async () => {
    const callSid = await completedCall(125);
    await onlyDue(callSid);
    fake.putCall({ sid: callSid, duration: '125', price: '-0.03400' });
    fake.failNext('GET', CALL_PATH, 1);
    expect(await backfill.runOnce()).toEqual({ claimed: 1, priced: 0, retried: 1, stopped: 0 });
    const failed = await ledger(callSid);
    expect(failed).toMatchObject({ cost_usd: 0.03, price_source: 'estimate', state: 'pending', attempts: 1 });
    expect(failed.last_error).toMatch(/Internal Server Error/);

    await makeDue(callSid);
    expect(await backfill.runOnce()).toEqual({ claimed: 1, priced: 1, retried: 0, stopped: 0 });
    expect(await ledger(callSid)).toMatchObject({ cost_usd: 0.034, price_source: 'provider', state: 'priced', last_error: null });
  });

  it('gives up after the configured attempts and keeps the estimate', async () => {
    const callSid = await completedCall(10);
    await onlyDue(callSid);
    fake.putCall({ sid: callSid, price: null });
    for (let attempt = 1; attempt <= 3; attempt++) {
      await makeDue(callSid);
      await backfill.runOnce();
    }
    expect(await ledger(callSid)).toMatchObject({ cost_usd: 0.01, price_source: 'estimate', state: 'gave_up', attempts: 3 });
  });

  it("keeps a claim from a second worker while the first worker's claim is not yet committed", async () => {
    // Two workers in open transactions at once: the claim must lock what it takes (FOR UPDATE SKIP LOCKED), or the
    // second worker would see the rows still unclaimed and take them too.
    const sids = [await completedCall(60), await completedCall(60)];
    await onlyDue(...sids);
    const [a, b] = [await t.db.pool.connect(), await t.db.pool.connect()];
    const claim = async (client: typeof a, owner: string): Promise<string[]> => {
      const { rows } = await client.query<{ claimed: Array<{ call_sid: string }> }>(
        'select public.claim_call_price_backfills(p_owner => $1, p_limit => 10, p_lease_seconds => 300) as claimed',
        [owner],
      );
      return rows[0].claimed.map((r) => r.call_sid);
    };
    try {
      await a.query('begin');
      await b.query('begin');
      expect((await claim(a, 'worker-a')).sort()).toEqual([...sids].sort());
      expect(await claim(b, 'worker-b')).toEqual([]);
      await a.query('commit');
      await b.query('commit');
    } finally {
      a.release();
      b.release();
    }
  });

  it('keeps the estimate for an account billed in another currency', async () => {
    const callSid = await completedCall(60);
    await onlyDue(callSid);
    fake.putCall({ sid: callSid, price: '-0.20', price_unit: 'MXN' });
    await backfill.runOnce();
    expect(await ledger(callSid)).toMatchObject({ cost_usd: 0.01, price_source: 'estimate', state: 'unsupported_currency' });
  });

  it('lets each due call be claimed by one worker at a time (lease)', async () => {
    const sids = [await completedCall(60), await completedCall(60), await completedCall(60), await completedCall(60)];
    await onlyDue(...sids);
    type Claimed = Array<{ call_sid: string }>;
    const claim = (owner: string): Promise<Claimed> =>
      t.db.call<'claim_call_price_backfills', Claimed>('claim_call_price_backfills', { p_owner: owner, p_limit: 3, p_lease_seconds: 300 });
    const [a, b] = await Promise.all([claim('worker-a'), claim('worker-b')]);
    const all = [...a, ...b].map((r) => r.call_sid);
    expect(new Set(all).size).toBe(all.length);
    expect(all.sort()).toEqual([...sids].sort());
    expect(await claim('worker-c')).toEqual([]);

    // only the lease holder may finish; another worker's result is ignored
    const target = a[0].call_sid;
    expect(await t.db.call('finish_call_price_backfill', { p_call_sid: target, p_owner: 'worker-b', p_result: 'priced', p_price_usd: 9 })).toMatchObject({
      applied: false,
    });
    expect(await ledger(target)).toMatchObject({ price_source: 'estimate', state: 'pending' });

    // an expired lease (a crashed worker) comes back
    await t.db.pool.query("update public.call_price_backfills set lease_until = now() - interval '1 second' where call_sid = $1", [target]);
    expect((await claim('worker-c')).map((r) => r.call_sid)).toEqual([target]);
  });
});

describe('the price backfill job', () => {
  it('registers its interval only when enabled', async () => {
    const enabled = await createTestApp({ config: testConfig({ telephony: { priceBackfill: { enabled: true, intervalSeconds: 3600 } } }) });
    try {
      expect(enabled.app.get(SchedulerRegistry).getIntervals()).toContain(PRICE_BACKFILL_JOB);
    } finally {
      await enabled.close();
    }
    expect(t.app.get(SchedulerRegistry).getIntervals()).not.toContain(PRICE_BACKFILL_JOB);
  });
});
