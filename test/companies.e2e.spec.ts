import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ACTORS, Actor, companyWithRoles, CompanyWithRoles, expectedStatus } from './support/company-roles.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { bearer, testUser } from './support/tokens.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const auth = (c: CompanyWithRoles, actor: Actor): Record<string, string> => (actor === 'anonymous' ? {} : bearer(c[actor]));
const count = async (sql: string, params: unknown[]): Promise<number> => Number((await t.db.pool.query(sql, params)).rows[0].n);

describe('POST /api/companies', () => {
  it('creates a company with the caller as owner', async () => {
    const user = await testUser();
    const res = await request(t.server).post('/api/companies').set(bearer(user)).send({ name: '  Clínica Roma  ' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Clínica Roma', role: 'owner' });
    const members = await request(t.server).get(`/api/companies/${res.body.id}/members`).set(bearer(user));
    expect(members.body).toEqual([expect.objectContaining({ user_id: user.id, role: 'owner' })]);
  });

  it('needs a token', async () => {
    expect((await request(t.server).post('/api/companies').send({ name: 'X' })).status).toBe(401);
  });

  it.each([
    [{ name: '   ' }, 'name must not be empty'],
    [{ name: 'x'.repeat(201) }, 'name must be at most 200 characters'],
    [{}, 'name must not be empty'],
    [{ name: 'A', extra: 1 }, 'property extra should not exist'],
  ])('refuses %j with a message per field and writes nothing', async (body, message) => {
    const user = await testUser();
    const res = await request(t.server).post('/api/companies').set(bearer(user)).send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { message: string }) => e.message)).toContain(message);
    expect(await count('select count(*) n from public.company_members where user_id = $1', [user.id])).toBe(0);
  });
});

describe('GET /api/companies/{company_id} and members', () => {
  let c: CompanyWithRoles;
  beforeAll(async () => {
    c = await companyWithRoles(t, 'Roles Co');
  });

  it.each(ACTORS)('GET company as %s', async (actor) => {
    const res = await request(t.server).get(`/api/companies/${c.companyId}`).set(auth(c, actor));
    expect(res.status).toBe(expectedStatus(actor, 'read', 200));
    if (res.status === 200) expect(res.body).toMatchObject({ id: c.companyId, name: 'Roles Co', member_count: 3 });
  });

  it.each(ACTORS)('GET members as %s', async (actor) => {
    const res = await request(t.server).get(`/api/companies/${c.companyId}/members`).set(auth(c, actor));
    expect(res.status).toBe(expectedStatus(actor, 'read', 200));
    if (res.status === 200) expect(res.body.map((m: { role: string }) => m.role).sort()).toEqual(['admin', 'member', 'owner']);
  });

  it.each(ACTORS)('POST a member as %s', async (actor) => {
    const newcomer = randomUUID();
    const res = await request(t.server).post(`/api/companies/${c.companyId}/members`).set(auth(c, actor)).send({ user_id: newcomer, role: 'member' });
    expect(res.status).toBe(expectedStatus(actor, 'write', 201));
    const stored = await count('select count(*) n from public.company_members where company_id = $1 and user_id = $2', [c.companyId, newcomer]);
    expect(stored).toBe(res.status === 201 ? 1 : 0);
  });

  it.each(ACTORS)('DELETE a member as %s', async (actor) => {
    const leaving = randomUUID();
    await t.db.pool.query(`insert into public.company_members (company_id, user_id, role) values ($1, $2, 'member')`, [c.companyId, leaving]);
    const res = await request(t.server).delete(`/api/companies/${c.companyId}/members/${leaving}`).set(auth(c, actor));
    expect(res.status).toBe(expectedStatus(actor, 'write', 200));
    const stored = await count('select count(*) n from public.company_members where company_id = $1 and user_id = $2', [c.companyId, leaving]);
    expect(stored).toBe(res.status === 200 ? 0 : 1);
  });

  it.each(ACTORS)('DELETE a member named in the body as %s', async (actor) => {
    const leaving = randomUUID();
    await t.db.pool.query(`insert into public.company_members (company_id, user_id, role) values ($1, $2, 'member')`, [c.companyId, leaving]);
    const res = await request(t.server).delete(`/api/companies/${c.companyId}/members`).set(auth(c, actor)).send({ user_id: leaving });
    expect(res.status).toBe(expectedStatus(actor, 'write', 200));
    const stored = await count('select count(*) n from public.company_members where company_id = $1 and user_id = $2', [c.companyId, leaving]);
    expect(stored).toBe(res.status === 200 ? 0 : 1);
  });

  it('refuses a body DELETE without a valid user_id', async () => {
    const res = await request(t.server).delete(`/api/companies/${c.companyId}/members`).set(bearer(c.owner)).send({ user_id: 'nope' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'user_id', message: 'user_id must be a UUID' }]);
  });

  it('lets only owners add or remove owners, and keeps the last owner', async () => {
    const x = await companyWithRoles(t);
    const byAdmin = await request(t.server).post(`/api/companies/${x.companyId}/members`).set(bearer(x.admin)).send({ user_id: randomUUID(), role: 'owner' });
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.body.message).toMatch(/Only owners can add another owner/);
    const adminRemovesOwner = await request(t.server).delete(`/api/companies/${x.companyId}/members/${x.owner.id}`).set(bearer(x.admin));
    expect(adminRemovesOwner.status).toBe(403);
    const lastOwner = await request(t.server).delete(`/api/companies/${x.companyId}/members/${x.owner.id}`).set(bearer(x.owner));
    expect(lastOwner.status).toBe(409);
    expect(lastOwner.body.message).toMatch(/at least one owner/);
    const second = randomUUID();
    expect((await request(t.server).post(`/api/companies/${x.companyId}/members`).set(bearer(x.owner)).send({ user_id: second, role: 'owner' })).status).toBe(
      201,
    );
    expect((await request(t.server).delete(`/api/companies/${x.companyId}/members/${x.owner.id}`).set(bearer(x.owner))).status).toBe(200);
  });

  it('answers 409 for an existing member and 404 for a non-member', async () => {
    const dup = await request(t.server).post(`/api/companies/${c.companyId}/members`).set(bearer(c.owner)).send({ user_id: c.member.id, role: 'admin' });
    expect(dup.status).toBe(409);
    const missing = await request(t.server).delete(`/api/companies/${c.companyId}/members/${randomUUID()}`).set(bearer(c.owner));
    expect(missing.status).toBe(404);
  });

  it('refuses bad member input with a message per field', async () => {
    const res = await request(t.server).post(`/api/companies/${c.companyId}/members`).set(bearer(c.owner)).send({ user_id: 'nope', role: 'boss' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'user_id', message: 'user_id must be a UUID' },
        { field: 'role', message: 'role must be owner, admin or member' },
      ]),
    );
  });

  it('answers 404 to a platform admin for a company that does not exist, 403 to others', async () => {
    const id = randomUUID();
    expect((await request(t.server).get(`/api/companies/${id}`).set(bearer(c.platformAdmin))).status).toBe(404);
    expect((await request(t.server).get(`/api/companies/${id}`).set(bearer(c.owner))).status).toBe(403);
  });
});
