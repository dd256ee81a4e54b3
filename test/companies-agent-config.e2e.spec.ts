import request from 'supertest';
import { ACTORS, Actor, companyWithRoles, CompanyWithRoles, expectedStatus } from './support/company-roles.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { bearer } from './support/tokens.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const auth = (c: CompanyWithRoles, actor: Actor): Record<string, string> => (actor === 'anonymous' ? {} : bearer(c[actor]));
const hours = { time_zone: 'America/Mexico_City', weekly: { mon: [['09:00', '18:00']], sat: [['10:00', '14:00']] } };
const full = {
  name: 'Sofía',
  language: 'es-mx',
  greeting: 'Hola, gracias por llamar.',
  instructions: 'Eres la recepcionista.',
  voice: 'es-MX-Neural2-A',
  tts_provider: 'Google',
  realtime_voice: 'cedar',
  voice_path: 'media_stream',
  brain: 'openai',
  model: 'gpt-4o-mini',
  transfer_number: '+525511112222',
  fallback_number: '+525533334444',
  business_hours: hours,
  max_concurrent_calls: 3,
};
const storedRow = async (companyId: string): Promise<Record<string, unknown> | undefined> =>
  (await t.db.pool.query('select * from public.agent_configs where company_id = $1', [companyId])).rows[0];

describe('/api/companies/{company_id}/agent', () => {
  let c: CompanyWithRoles;
  beforeAll(async () => {
    c = await companyWithRoles(t);
  });

  it('GET gives the defaults before anything is saved', async () => {
    const res = await request(t.server).get(`/api/companies/${c.companyId}/agent`).set(bearer(c.member));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      company_id: c.companyId,
      name: 'Assistant',
      language: 'es-MX',
      greeting: null,
      instructions: null,
      voice: null,
      tts_provider: null,
      realtime_voice: null,
      voice_path: 'conversation_relay',
      brain: 'knowledge',
      model: null,
      transfer_number: null,
      fallback_number: null,
      business_hours: null,
      max_concurrent_calls: null,
      updated_at: null,
    });
  });

  it.each(ACTORS)('GET as %s', async (actor) => {
    const res = await request(t.server).get(`/api/companies/${c.companyId}/agent`).set(auth(c, actor));
    expect(res.status).toBe(expectedStatus(actor, 'read', 200));
  });

  it.each(ACTORS)('PUT as %s', async (actor) => {
    const x = await companyWithRoles(t);
    const res = await request(t.server).put(`/api/companies/${x.companyId}/agent`).set(auth(x, actor)).send(full);
    expect(res.status).toBe(expectedStatus(actor, 'write', 200));
    expect(Boolean(await storedRow(x.companyId))).toBe(res.status === 200);
  });

  it.each(ACTORS)('PATCH as %s', async (actor) => {
    const x = await companyWithRoles(t);
    const res = await request(t.server).patch(`/api/companies/${x.companyId}/agent`).set(auth(x, actor)).send({ name: 'Ana' });
    expect(res.status).toBe(expectedStatus(actor, 'write', 200));
    expect(Boolean(await storedRow(x.companyId))).toBe(res.status === 200);
  });

  it('PUT stores the whole object (language canonicalised) and PUT again clears what is omitted', async () => {
    const x = await companyWithRoles(t);
    const put = await request(t.server).put(`/api/companies/${x.companyId}/agent`).set(bearer(x.owner)).send(full);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ ...full, language: 'es-MX', company_id: x.companyId });
    expect(put.body.updated_at).toEqual(expect.any(String));
    const again = await request(t.server)
      .put(`/api/companies/${x.companyId}/agent`)
      .set(bearer(x.owner))
      .send({ name: 'Bob', language: 'en-US', voice_path: 'conversation_relay', brain: 'knowledge' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      name: 'Bob',
      language: 'en-US',
      greeting: null,
      transfer_number: null,
      business_hours: null,
      max_concurrent_calls: null,
    });
  });

  it('PATCH changes only what is sent; null clears an optional field', async () => {
    const x = await companyWithRoles(t);
    await request(t.server).put(`/api/companies/${x.companyId}/agent`).set(bearer(x.admin)).send(full);
    const res = await request(t.server).patch(`/api/companies/${x.companyId}/agent`).set(bearer(x.admin)).send({ greeting: 'Buenas', transfer_number: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...full, language: 'es-MX', greeting: 'Buenas', transfer_number: null });
  });

  it('changing the language re-indexes the knowledge in the new text-search configuration', async () => {
    const x = await companyWithRoles(t);
    await request(t.server)
      .post(`/api/companies/${x.companyId}/knowledge`)
      .set(bearer(x.owner))
      .send({ title: 'Running shoes', content: 'We sell running shoes.' });
    const before = await t.db.pool.query('select ts_config::text from public.knowledge_entries where company_id = $1', [x.companyId]);
    expect(before.rows[0].ts_config).toBe('spanish');
    await request(t.server).patch(`/api/companies/${x.companyId}/agent`).set(bearer(x.owner)).send({ language: 'en-GB' });
    const after = await t.db.pool.query('select ts_config::text, search_vector::text from public.knowledge_entries where company_id = $1', [x.companyId]);
    expect(after.rows[0].ts_config).toBe('english');
    expect(after.rows[0].search_vector).toContain("'run'");
  });

  it.each([
    [{ ...full, language: 'spanish please' }, 'language', 'language must be a BCP 47 language tag such as es-MX or en-US'],
    [{ ...full, transfer_number: '5511112222' }, 'transfer_number', 'transfer_number must be a phone number in E.164 form such as +525512345678'],
    [{ ...full, fallback_number: '+52' }, 'fallback_number', 'fallback_number must be a phone number in E.164 form such as +525512345678'],
    [{ ...full, name: '' }, 'name', 'name must not be empty'],
    [{ ...full, greeting: '  ' }, 'greeting', 'greeting must not be empty; send null to clear it'],
    [{ ...full, voice_path: 'sip' }, 'voice_path', 'voice_path must be conversation_relay or media_stream'],
    [{ ...full, brain: 'gpt' }, 'brain', 'brain must be knowledge or openai'],
    [{ ...full, max_concurrent_calls: 0 }, 'max_concurrent_calls', 'max_concurrent_calls must be at least 1'],
    [{ ...full, instructions: 'x'.repeat(8001) }, 'instructions', 'instructions must be at most 8000 characters'],
    [
      { ...full, business_hours: { time_zone: 'Nowhere/City', weekly: { mon: [['18:00', '09:00']] } } },
      'business_hours',
      'business_hours.time_zone must be an IANA time zone such as America/Mexico_City; business_hours.weekly.mon[0] must end after it starts (18:00 to 09:00); split overnight hours at midnight',
    ],
  ])('PUT refuses bad input %#, naming the field, and writes nothing', async (body, field, message) => {
    const x = await companyWithRoles(t);
    const res = await request(t.server).put(`/api/companies/${x.companyId}/agent`).set(bearer(x.owner)).send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ field, message });
    expect(await storedRow(x.companyId)).toBeUndefined();
  });

  it('PUT names every missing required field', async () => {
    const res = await request(t.server).put(`/api/companies/${c.companyId}/agent`).set(bearer(c.owner)).send({});
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(expect.arrayContaining(['brain', 'language', 'name', 'voice_path']));
  });

  it('PATCH refuses null for a required field', async () => {
    const x = await companyWithRoles(t);
    const res = await request(t.server).patch(`/api/companies/${x.companyId}/agent`).set(bearer(x.owner)).send({ name: null, brain: null });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'name', message: 'name cannot be null; leave it out to keep it' },
      { field: 'brain', message: 'brain cannot be null; leave it out to keep it' },
    ]);
    expect(await storedRow(x.companyId)).toBeUndefined();
  });

  it('PATCH refuses unknown fields and bad values, writing nothing', async () => {
    const x = await companyWithRoles(t);
    const res = await request(t.server).patch(`/api/companies/${x.companyId}/agent`).set(bearer(x.owner)).send({ colour: 'blue', transfer_number: 'abc' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([{ field: 'colour', message: 'property colour should not exist' }, expect.objectContaining({ field: 'transfer_number' })]),
    );
    expect(await storedRow(x.companyId)).toBeUndefined();
  });
});
