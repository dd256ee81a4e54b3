// The findings of the attack run (issue 10): each case failed on the code before its fix.
import { Controller, Get } from '@nestjs/common';
import { SignJWT } from 'jose';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { Public } from '../src/auth/auth.decorators.js';
import { DatabaseError } from '../src/database/database-error.js';
import { PgDatabase } from '../src/database/pg-database.js';
import { signTwilioRequest } from '../src/twilio/twilio-request-validator.js';
import { companyWithRoles, CompanyWithRoles } from './support/company-roles.js';
import { addPhoneNumber, createCompany, linkUserToNumber } from './support/factories.js';
import { bundleBody } from './support/provisioning-fixtures.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_JWT_SECRET, TEST_PUBLIC_BASE_URL, TEST_SUPABASE_URL, TEST_TWILIO_AUTH_TOKEN, testConfig } from './support/test-config.js';
import { bearer, testUser } from './support/tokens.js';

const NUL = '\u0000';
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Runs a query PostgreSQL refuses in its own words, the way a repository would, through the real filter. */
@Controller('probe-db')
@Public()
class DatabaseWordsProbe {
  static db: PgDatabase;

  @Get('invalid-json')
  async invalidJson(): Promise<never> {
    try {
      await DatabaseWordsProbe.db.pool.query("select '{not json'::jsonb");
    } catch (error) {
      throw DatabaseError.fromPostgres(error);
    }
    throw new Error('the query was expected to fail');
  }
}

async function token(claims: Record<string, unknown>, sub: string, iat: number): Promise<string> {
  return new SignJWT({ role: 'authenticated', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setAudience('authenticated')
    .setIssuer(`${TEST_SUPABASE_URL}/auth/v1`)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

describe('attack findings: limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ config: testConfig({ http: { rateLimit: { windowSeconds: 60, api: 3, twilio: 100, unauthenticated: 3 } } }) });
  });
  afterAll(() => t.close());

  it('counts /API (any case) against the same per-user budget as /api', async () => {
    const user = await testUser();
    await request(t.server).get('/API/debug/auth-test').set(bearer(user)).expect(200);
    await request(t.server).get('/Api/debug/auth-test').set(bearer(user)).expect(200);
    await request(t.server).get('/api/debug/auth-test').set(bearer(user)).expect(200);
    const limited = await request(t.server).get('/API/debug/auth-test').set(bearer(user));
    expect(limited.status).toBe(429);
  });

  it('limits /api requests without a valid token per address, and still lets signed-in users through', async () => {
    await request(t.server).get('/api/debug/auth-test').expect(401);
    await request(t.server).get('/api/debug/auth-test').set(bearer('not-a-token')).expect(401);
    await request(t.server).get('/API/debug/user-companies').set(bearer('eyJhbGciOiJIUzI1NiJ9.e30.forged')).expect(401);
    const limited = await request(t.server).get('/api/debug/auth-test');
    expect(limited.status).toBe(429);
    expect(limited.body.message).toMatch(/without a valid access token: the limit is 3 requests per 60 s for each source address on \/api/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await request(t.server)
      .get('/api/debug/auth-test')
      .set(bearer(await testUser()))
      .expect(200);
  });
});

describe('attack findings: input', () => {
  let t: TestApp;
  let c: CompanyWithRoles;
  beforeAll(async () => {
    t = await createTestApp({ controllers: [DatabaseWordsProbe], config: testConfig({ twilio: { numbersBaseUrl: 'http://127.0.0.1:9' } }) });
    DatabaseWordsProbe.db = t.db;
    c = await companyWithRoles(t);
  });
  afterAll(() => t.close());

  const errorsOf = (res: request.Response): { field: string; message: string }[] => res.body.errors;

  it.each([
    ['a company name', 'post', '/api/companies', { name: `Acme${NUL}` }, 'name'],
    ['a greeting', 'patch', 'agent', { greeting: `Hola${NUL}` }, 'greeting'],
    ['knowledge', 'post', 'knowledge', { content: `Abrimos${NUL}`, tags: ['a', `b${NUL}`] }, 'tags.1'],
  ])('refuses a NUL byte in %s with 400 naming the field', async (_what, method, path, body, field) => {
    const url = path.startsWith('/') ? path : `/api/companies/${c.companyId}/${path}`;
    const res = await request(t.server)[method as 'post' | 'patch'](url).set(bearer(c.owner)).send(body);
    expect(res.status).toBe(400);
    expect(errorsOf(res)).toContainEqual({ field, message: `${field} must not contain NUL characters (\\u0000)` });
  });

  it('refuses half a surrogate pair (which PostgreSQL refuses as "invalid input syntax for type json") with 400 naming the field', async () => {
    const res = await request(t.server).post('/api/companies').set(bearer(c.owner)).set('Content-Type', 'application/json').send('{"name":"Acme \\ud800"}');
    expect(res.status).toBe(400);
    expect(errorsOf(res)).toContainEqual({ field: 'name', message: 'name must be valid Unicode text (it holds half of a surrogate pair)' });
  });

  it('refuses a NUL byte in a query string with 400 naming the parameter', async () => {
    const res = await request(t.server).get(`/api/companies/${c.companyId}/knowledge/search?q=%00`).set(bearer(c.member));
    expect(res.status).toBe(400);
    expect(errorsOf(res)).toContainEqual({ field: 'q', message: 'q must not contain NUL characters (\\u0000)' });
  });

  it('answers a WhatsApp message that holds a NUL byte', async () => {
    const { id } = await createCompany(t.db);
    const number = await addPhoneNumber(t.db, id);
    await linkUserToNumber(t.db, number, randomUUID(), id);
    await t.db.call('create_knowledge_entries', {
      p_company_id: id,
      p_entries: [{ title: '¿Cuál es el horario?', content: 'Abrimos de lunes a viernes de 9:00 a 19:00.', tags: [] }],
    });
    const params = {
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      AccountSid: 'AC11111111111111111111111111111111',
      From: 'whatsapp:+5215512345678',
      To: `whatsapp:${number}`,
      Body: `¿Cuál es el horario?${NUL}`,
    };
    const res = await request(t.server)
      .post('/whatsapp/webhook')
      .type('form')
      .set('X-Twilio-Signature', signTwilioRequest(TEST_TWILIO_AUTH_TOKEN, `${TEST_PUBLIC_BASE_URL}/whatsapp/webhook`, params))
      .send(params);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Message>Abrimos de lunes a viernes de 9:00 a 19:00.</Message>');
  });

  it('refuses a bundle without its address object with 400 naming it', async () => {
    const body = bundleBody(c.companyId);
    delete body.address;
    const res = await request(t.server).post('/api/bundles').set(bearer(c.owner)).send(body);
    expect(res.status).toBe(400);
    expect(errorsOf(res).map((e) => e.field)).toContain('address');
  });

  it('caps the markdown import like the JSON import, and imports nothing then', async () => {
    const text = Array.from({ length: 2_001 }, (_, i) => `# Q${i}\nA${i}`).join('\n');
    const res = await request(t.server).post(`/api/companies/${c.companyId}/knowledge/import`).set(bearer(c.owner)).send({ format: 'markdown', text });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/at most 2000/);
    const count = await t.db.pool.query('select count(*)::int n from public.knowledge_entries where company_id = $1', [c.companyId]);
    expect(count.rows[0].n).toBe(0);
  });

  it.each([
    ['a token issued ten years ahead', async () => token({}, randomUUID(), Math.floor(Date.now() / 1000) + 10 * 365 * 86400), /"iat"/],
    ['a token whose sub is not a UUID', async () => token({}, "x' or '1'='1", Math.floor(Date.now() / 1000)), /"sub"/],
    ['a token whose sub is the nil UUID', async () => token({}, NIL_UUID, Math.floor(Date.now() / 1000)), /"sub"/],
  ])('refuses %s with 401', async (_what, mint, message) => {
    const res = await request(t.server)
      .get('/api/debug/auth-test')
      .set(bearer(await mint()));
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(message);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses a %s key like any unknown field', async (key) => {
    const res = await request(t.server)
      .post('/api/companies')
      .set(bearer(c.owner))
      .set('Content-Type', 'application/json')
      .send(`{"name":"Acme","${key}":{"isAdmin":true}}`);
    expect(res.status).toBe(400);
    expect(errorsOf(res)).toContainEqual({ field: key, message: `property ${key} should not exist` });
  });

  it.each([
    ['form-encoded', 'application/x-www-form-urlencoded', 'name=Acme'],
    ['text/plain', 'text/plain', '{"name":"Acme"}'],
  ])('refuses a %s body on a JSON route with 415', async (_what, type, body) => {
    const res = await request(t.server).post('/api/companies').set(bearer(c.owner)).set('Content-Type', type).send(body);
    expect(res.status).toBe(415);
    expect(res.body.message).toMatch(/application\/json/);
  });

  it('refuses an empty PATCH with 400 and changes nothing', async () => {
    await request(t.server).patch(`/api/companies/${c.companyId}/agent`).set(bearer(c.owner)).send({ name: 'Sofía' }).expect(200);
    const before = (await request(t.server).get(`/api/companies/${c.companyId}/agent`).set(bearer(c.owner))).body.updated_at;
    const res = await request(t.server).patch(`/api/companies/${c.companyId}/agent`).set(bearer(c.owner)).send({});
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/at least one field/);
    const form = await request(t.server).patch(`/api/companies/${c.companyId}/agent`).set(bearer(c.owner)).type('form').send('name=Eve');
    expect(form.status).toBe(415);
    expect((await request(t.server).get(`/api/companies/${c.companyId}/agent`).set(bearer(c.owner))).body.updated_at).toBe(before);
  });

  it('refuses the nil UUID as a member', async () => {
    const res = await request(t.server).post(`/api/companies/${c.companyId}/members`).set(bearer(c.owner)).send({ user_id: NIL_UUID, role: 'member' });
    expect(res.status).toBe(400);
    expect(errorsOf(res)).toContainEqual({ field: 'user_id', message: 'user_id must not be the nil UUID' });
  });

  it('takes title or question for a knowledge entry, not both', async () => {
    const res = await request(t.server)
      .post(`/api/companies/${c.companyId}/knowledge`)
      .set(bearer(c.owner))
      .send({ title: 'Horario', question: '¿Horario?', content: 'De 9 a 19.' });
    expect(res.status).toBe(400);
    expect(errorsOf(res)).toContainEqual({ field: 'question', message: 'send title or question, not both: they are the same field' });
  });

  it("never answers with the database's own words: a message to act on, with the correlation id", async () => {
    const res = await request(t.server).get('/probe-db/invalid-json').set('x-request-id', 'req-db-words');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toMatch(/json|syntax|token/i);
    expect(res.body).toMatchObject({ correlation_id: 'req-db-words', message: expect.stringContaining('check the fields') });
    expect(res.body.message).toContain('req-db-words');
  });

  it('never answers with connection error text when Twilio cannot be reached', async () => {
    const res = await request(t.server).post('/api/bundles').set(bearer(c.owner)).set('x-request-id', 'req-twilio-down').send(bundleBody(c.companyId));
    expect(res.status).toBe(502);
    expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|:9\b/);
    expect(res.body).toMatchObject({ correlation_id: 'req-twilio-down', message: expect.stringMatching(/could not be reached.*try again/) });
  });
});

describe('attack findings: security headers on every route', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it.each([
    ['get', '/health'],
    ['get', '/metrics'],
    ['post', '/voice/status'],
    ['post', '/voice/incoming/00000000-0000-4000-8000-000000000001'],
    ['post', '/whatsapp/webhook'],
    ['get', '/no-such-route'],
    ['get', '/api/debug/auth-test'],
  ])('%s %s', async (method, path) => {
    const res = await request(t.server)[method as 'get' | 'post'](path);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-frame-options']).toBeDefined();
  });
});
