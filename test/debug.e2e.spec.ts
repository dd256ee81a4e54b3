import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { addMember, addPhoneNumber, createCompany, linkUserToNumber, randomMexicanNumber } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { bearer, testUser, TestUser } from './support/tokens.js';

let t: TestApp;
let admin: TestUser;
let user: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await testUser({ admin: true });
  user = await testUser();
});
afterAll(() => t.close());

describe('GET /api/debug/phone-lookup/{phone_number}', () => {
  let company: { id: string; name: string };
  let owner: string;
  let number: string;

  beforeAll(async () => {
    company = await createCompany(t.db, { name: 'Lookup Co' });
    owner = randomUUID();
    number = await addPhoneNumber(t.db, company.id, {
      voice_url: `${t.config.publicBaseUrl}/voice/incoming/${company.id}`,
      webhook_state: 'configured',
    });
    await linkUserToNumber(t.db, number, owner, company.id);
  });

  const local = (n: string): string => n.slice(3); // +52 55XXXXXXXX → 55XXXXXXXX
  const forms = (n: string): string[] => [
    `+52 ${local(n).slice(0, 2)} ${local(n).slice(2, 6)} ${local(n).slice(6)}`,
    n,
    n.slice(1),
    `tel:${n}`,
    encodeURIComponent(n),
    `whatsapp:+521${local(n)}`,
  ];

  it.each([0, 1, 2, 3, 4, 5])('resolves input form %i to the company and user', async (i) => {
    const input = forms(number)[i];
    const res = await request(t.server)
      .get(`/api/debug/phone-lookup/${encodeURIComponent(input)}`)
      .set(bearer(admin));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      normalized: number,
      company: { id: company.id, name: 'Lookup Co' },
      user_id: owner,
      matched_table: 'phone_numbers',
      webhooks: { state: 'configured' },
      voice_path: { configured: 'conversation_relay', effective: 'conversation_relay', reason: null },
      hints: [],
    });
  });

  it('says when a media-stream company is served through ConversationRelay for want of a realtime provider', async () => {
    const media = await createCompany(t.db);
    await t.db.pool.query(`insert into public.agent_configs (company_id, voice_path) values ($1, 'media_stream')`, [media.id]);
    const n = await addPhoneNumber(t.db, media.id, { webhook_state: 'configured', voice_url: `${t.config.publicBaseUrl}/voice/incoming/${media.id}` });
    await linkUserToNumber(t.db, n, randomUUID(), media.id);
    const res = await request(t.server)
      .get(`/api/debug/phone-lookup/${encodeURIComponent(n)}`)
      .set(bearer(admin));
    expect(res.status).toBe(200);
    expect(res.body.voice_path).toEqual({ configured: 'media_stream', effective: 'conversation_relay', reason: expect.stringMatching(/OPENAI_API_KEY/) });
    expect(res.body.hints).toEqual([expect.stringMatching(/served through ConversationRelay/)]);
  });

  it('prefers phone_numbers over phone_number_users', async () => {
    const other = await createCompany(t.db);
    const n = await addPhoneNumber(t.db, company.id);
    const u = randomUUID();
    await linkUserToNumber(t.db, n, u, other.id);
    const res = await request(t.server)
      .get(`/api/debug/phone-lookup/${encodeURIComponent(n)}`)
      .set(bearer(admin));
    expect(res.status).toBe(200);
    expect(res.body.company.id).toBe(company.id);
    expect(res.body.user_id).toBe(u);
    expect(res.body.matched_table).toBe('phone_numbers');
  });

  it('falls back to phone_number_users and says so', async () => {
    const other = await createCompany(t.db, { name: 'Fallback Co' });
    const n = randomMexicanNumber();
    const u = randomUUID();
    await linkUserToNumber(t.db, n, u, other.id);
    const res = await request(t.server)
      .get(`/api/debug/phone-lookup/${encodeURIComponent(n)}`)
      .set(bearer(admin));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ company: { id: other.id, name: 'Fallback Co' }, user_id: u, matched_table: 'phone_number_users' });
    expect(res.body.hints.join(' ')).toMatch(/only in phone_number_users/);
  });

  it('hints at unconfigured webhooks and a voice URL naming another company', async () => {
    const n = await addPhoneNumber(t.db, company.id, { voice_url: `${t.config.publicBaseUrl}/voice/incoming/${randomUUID()}` });
    const res = await request(t.server)
      .get(`/api/debug/phone-lookup/${encodeURIComponent(n)}`)
      .set(bearer(admin));
    expect(res.status).toBe(200);
    const hints = res.body.hints.join(' ');
    expect(hints).toMatch(/webhooks are not configured/);
    expect(hints).toMatch(/voice URL names company/);
  });

  it('answers 404 with a clear message for an unknown number', async () => {
    const n = randomMexicanNumber();
    const res = await request(t.server)
      .get(`/api/debug/phone-lookup/${encodeURIComponent(n)}`)
      .set(bearer(admin));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.stringContaining(`No company has ${n}`) });
  });

  it.each(['hello', '+12', '++525512345678', 'whatsapp:abc', '%ZZ'])('answers 400 for garbage: %s', async (input) => {
    const res = await request(t.server)
      .get(`/api/debug/phone-lookup/${encodeURIComponent(input)}`)
      .set(bearer(admin));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/is not a phone number/);
  });

  it('is for admins only', async () => {
    const res = await request(t.server)
      .get(`/api/debug/phone-lookup/${encodeURIComponent(number)}`)
      .set(bearer(user));
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/platform admins/);
  });

  it('needs a token', async () => {
    const res = await request(t.server).get(`/api/debug/phone-lookup/${encodeURIComponent(number)}`);
    expect(res.status).toBe(401);
  });
});

describe('GET /api/debug/auth-test', () => {
  it('says who the token is for and never echoes the token', async () => {
    const res = await request(t.server).get('/api/debug/auth-test').set(bearer(user));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ authenticated: true, user_id: user.id, role: 'authenticated', is_admin: false });
    expect(res.body.expires_in_seconds).toBeGreaterThan(3000);
    expect(JSON.stringify(res.body)).not.toContain(user.token);
    expect(JSON.stringify(res.body)).not.toContain(user.token.split('.')[2]);
  });

  it('marks admins', async () => {
    const res = await request(t.server).get('/api/debug/auth-test').set(bearer(admin));
    expect(res.body.is_admin).toBe(true);
  });
});

describe('GET /api/debug/user-companies', () => {
  it("lists the user's own companies with the role", async () => {
    const u = await testUser();
    const a = await createCompany(t.db, { name: 'Alpha' });
    const b = await createCompany(t.db, { name: 'Beta' });
    await addMember(t.db, a.id, u.id, 'owner');
    await addMember(t.db, b.id, u.id, 'member');
    const res = await request(t.server).get('/api/debug/user-companies').set(bearer(u));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user_id: u.id,
      companies: [
        { company_id: a.id, name: 'Alpha', role: 'owner' },
        { company_id: b.id, name: 'Beta', role: 'member' },
      ],
    });
  });

  it("lets admins look at another user's companies, and nobody else", async () => {
    const u = await testUser();
    const c = await createCompany(t.db);
    await addMember(t.db, c.id, u.id, 'admin');
    const asAdmin = await request(t.server).get(`/api/debug/user-companies?user_id=${u.id}`).set(bearer(admin));
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.companies).toEqual([{ company_id: c.id, name: c.name, role: 'admin' }]);
    const asOther = await request(t.server).get(`/api/debug/user-companies?user_id=${u.id}`).set(bearer(user));
    expect(asOther.status).toBe(403);
  });

  it('rejects a user_id that is not a UUID', async () => {
    const res = await request(t.server).get('/api/debug/user-companies?user_id=nope').set(bearer(admin));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'user_id', message: 'user_id must be a UUID' }]);
  });
});
