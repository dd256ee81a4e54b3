import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DatabaseError } from '../src/database/database-error.js';
import { SupabaseRpcDatabase } from '../src/database/supabase-rpc-database.js';
import { signTwilioRequest } from '../src/twilio/twilio-request-validator.js';
import { companyWithRoles, CompanyWithRoles } from './support/company-roles.js';
import { addPhoneNumber, linkUserToNumber } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_PUBLIC_BASE_URL, TEST_TWILIO_AUTH_TOKEN } from './support/test-config.js';
import { bearer } from './support/tokens.js';

/**
 * The API on the supabase-js rpc transport (every data operation a POST /rest/v1/rpc/<fn> to the PostgREST
 * stand-in), in every database pass, with the stored rows checked through SQL: JSON arrays and objects must
 * arrive as such, not as JSON strings.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ transport: 'rpc' });
});
afterAll(() => t.close());

const rpcCalls = (fn: string): number => t.postgrest!.calls.filter((c) => c.fn === fn && c.status === 200).length;

describe('the API on the rpc transport', () => {
  let c: CompanyWithRoles;
  beforeAll(async () => {
    c = await companyWithRoles(t);
  });

  it('saves the agent configuration with its business hours stored as a JSON object', async () => {
    const hours = { time_zone: 'America/Mexico_City', weekly: { mon: [['09:00', '18:00']] } };
    const put = await request(t.server)
      .patch(`/api/companies/${c.companyId}/agent`)
      .set(bearer(c.owner))
      .send({ name: 'Ana', language: 'en-US', business_hours: hours });
    expect(put.status).toBe(200);
    const patch = await request(t.server).patch(`/api/companies/${c.companyId}/agent`).set(bearer(c.owner)).send({ greeting: 'Hello there' });
    expect(patch.status).toBe(200);
    const { rows } = await t.db.pool.query(
      `select name, greeting, jsonb_typeof(business_hours) as kind, business_hours from public.agent_configs where company_id = $1`,
      [c.companyId],
    );
    expect(rows).toEqual([{ name: 'Ana', greeting: 'Hello there', kind: 'object', business_hours: hours }]);
    expect(rpcCalls('save_agent_config')).toBeGreaterThanOrEqual(2);
  });

  it('creates, imports and patches knowledge, with tags stored as arrays and patches applied', async () => {
    const base = `/api/companies/${c.companyId}/knowledge`;
    const created = await request(t.server)
      .post(base)
      .set(bearer(c.owner))
      .send({ title: 'Opening hours', content: 'Nine to five.', tags: ['hours', 'open'] });
    expect(created.status).toBe(201);
    const imported = await request(t.server).post(`${base}/import`).set(bearer(c.owner)).send({ format: 'text', text: 'Parking is free.\n\nWe take cards.' });
    expect(imported.status).toBe(201);
    const patched = await request(t.server)
      .patch(`${base}/${created.body.id}`)
      .set(bearer(c.owner))
      .send({ title: 'Hours', tags: ['schedule'] });
    expect(patched.status).toBe(200);
    const { rows } = await t.db.pool.query('select title, tags from public.knowledge_entries where company_id = $1 order by created_at, title', [c.companyId]);
    expect(rows.find((r) => r.title === 'Hours')).toEqual({ title: 'Hours', tags: ['schedule'] });
    expect(rows.map((r) => r.title)).toContain('Hours');
    expect(rows).toHaveLength(2);
    const search = await request(t.server).get(`${base}/search`).query({ q: 'parking' }).set(bearer(c.member));
    expect(search.status).toBe(200);
  });

  it('answers an SMS and stores the conversation turns and usage', async () => {
    const number = await addPhoneNumber(t.db, c.companyId);
    const owner = randomUUID();
    await linkUserToNumber(t.db, number, owner, c.companyId);
    const url = `${TEST_PUBLIC_BASE_URL}/whatsapp/webhook`;
    const params = {
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      AccountSid: 'AC11111111111111111111111111111111',
      From: '+14155550199',
      To: number,
      Body: 'Is parking free?',
      NumMedia: '0',
    };
    const res = await request(t.server)
      .post('/whatsapp/webhook')
      .type('form')
      .set('X-Twilio-Signature', signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, url, params))
      .send(params);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Message>');
    const turns = await t.db.pool.query('select role from public.conversation_turns where company_id = $1 order by seq', [c.companyId]);
    expect(turns.rows.map((r) => r.role)).toEqual(['user', 'agent']);
    const usage = await t.db.pool.query('select kind, user_id from public.usage_events where company_id = $1 order by kind', [c.companyId]);
    expect(usage.rows.length).toBeGreaterThan(0);
    expect(usage.rows.every((r) => r.user_id === owner)).toBe(true);
  });

  it('lists calls and usage', async () => {
    const calls = await request(t.server).get(`/api/companies/${c.companyId}/calls`).set(bearer(c.member));
    expect(calls.status).toBe(200);
    const usage = await request(t.server)
      .get(`/api/companies/${c.companyId}/usage?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&group_by=day`)
      .set(bearer(c.member));
    expect(usage.status).toBe(200);
    expect(rpcCalls('list_company_calls')).toBeGreaterThan(0);
    expect(rpcCalls('company_usage_summary')).toBeGreaterThan(0);
  });
});

describe('the PostgREST stand-in answers as PostgREST does', () => {
  it('refuses the anon key for every function (401, 42501) and an unknown function with 404 PGRST202', async () => {
    const post = (fn: string, key: string, body: unknown = {}) =>
      fetch(`${t.postgrest!.url}/rest/v1/rpc/${fn}`, {
        method: 'POST',
        headers: { apikey: key, authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const anon = await post('resolve_phone_number', t.postgrest!.anonKey, { p_phone_number: '+525512345678' });
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ code: '42501', details: null, hint: null });
    const missing = await post('no_such_function', t.postgrest!.serviceRoleKey);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'PGRST202' });
    const forged = await post('health_check', 'not-a-jwt');
    expect(forged.status).toBe(401);
  });

  it('stores a JSON string sent to a jsonb argument as a string, which is why transports must not pre-encode', async () => {
    const db = new SupabaseRpcDatabase(t.postgrest!.url, t.postgrest!.serviceRoleKey);
    try {
      const error = await db
        .call('create_knowledge_entries', {
          p_company_id: (await companyWithRoles(t)).companyId,
          p_entries: JSON.stringify([{ title: 'a', content: 'b' }]) as unknown as object,
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).kind).toBe('invalid');
    } finally {
      await db.close();
    }
  });
});
