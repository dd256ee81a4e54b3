import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { addMember, addPhoneNumber, createCompany } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { bearer, testUser, TestUser } from './support/tokens.js';

/**
 * The tenancy contract, generated from the committed OpenAPI document: every /api operation refuses a request
 * without a token (401); every operation that documents a 403 refuses a signed-in user who is not a member of the
 * company (403); every operation with a company refuses a second, different company_id (400). None of them
 * writes anything (the rows of both companies are compared before and after).
 */
interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  responses: Record<string, unknown>;
  parameters: { in: string; name: string; required?: boolean }[];
  bodyType?: string;
  bodyHasCompanyId: boolean;
}

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      { responses: Record<string, unknown>; parameters?: Operation['parameters']; requestBody?: { content: Record<string, { schema?: { $ref?: string } }> } }
    >
  >;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

const spec = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'docs', 'openapi.json'), 'utf8')) as OpenApi;
const operations: Operation[] = Object.entries(spec.paths)
  .filter(([path]) => path.startsWith('/api'))
  .flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const [bodyType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
      const ref = media?.schema?.$ref?.split('/').pop();
      return {
        method: method as Operation['method'],
        path,
        responses: op.responses,
        parameters: op.parameters ?? [],
        bodyType,
        bodyHasCompanyId: Boolean(ref && spec.components.schemas[ref]?.properties?.company_id),
      };
    }),
  );
const label = (op: Operation) => `${op.method.toUpperCase()} ${op.path}`;
const hasCompany = (op: Operation) =>
  op.path.includes('{company_id}') || op.path.startsWith('/api/bundles') || op.path.startsWith('/api/phone-numbers') || op.bodyHasCompanyId;
// The debug routes act on no company: a bundle id there is for platform admins, not a tenant.
const tenantRoutes = operations.filter((op) => hasCompany(op) && !op.path.startsWith('/api/debug'));
const declaresCompanyInBodyOrQuery = (op: Operation) => op.bodyHasCompanyId || op.parameters.some((p) => p.in === 'query' && p.name === 'company_id');

let t: TestApp;
let owner: TestUser;
let stranger: TestUser;
let companyA: string;
let companyB: string;
let ids: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  [owner, stranger] = await Promise.all([testUser(), testUser()]);
  companyA = (await createCompany(t.db, { name: 'Contract A' })).id;
  companyB = (await createCompany(t.db, { name: 'Contract B' })).id;
  await addMember(t.db, companyA, owner.id, 'owner');
  const member = await testUser();
  await addMember(t.db, companyA, member.id, 'member');
  const bundle = await t.db.pool.query<{ id: string }>(
    `insert into public.regulatory_bundles (company_id, iso_country, number_type, end_user_type, email, friendly_name, regulation_sid)
     values ($1, 'MX', 'local', 'business', 'c@example.com', 'Contract', 'RN' || repeat('0', 32)) returning id`,
    [companyA],
  );
  const entry = await t.db.pool.query<{ id: string }>(
    `insert into public.knowledge_entries (company_id, title, content) values ($1, 'Hours', 'Nine to five') returning id`,
    [companyA],
  );
  const callSid = `CA${randomUUID().replace(/-/g, '')}`;
  await t.db.pool.query(`insert into public.call_sessions (call_sid, company_id) values ($1, $2)`, [callSid, companyA]);
  ids = {
    company_id: companyA,
    bundle_id: bundle.rows[0].id,
    entry_id: entry.rows[0].id,
    user_id: member.id,
    call_sid: callSid,
    phone_number: await addPhoneNumber(t.db, companyA),
  };
});
afterAll(() => t?.close());

/** Every row of both companies in every table that has a company_id, plus the companies themselves. */
async function tenantRows(): Promise<string> {
  const { rows: tables } = await t.db.pool.query<{ table_name: string }>(
    `select table_name from information_schema.columns where table_schema = 'public' and column_name = 'company_id' order by table_name`,
  );
  const parts: string[] = [];
  for (const { table_name } of [...tables, { table_name: 'companies' }]) {
    const column = table_name === 'companies' ? 'id' : 'company_id';
    const { rows } = await t.db.pool.query<{ digest: string }>(
      `select count(*) || ':' || md5(coalesce(string_agg(x::text, ',' order by x::text), '')) as digest from public.${table_name} x where x.${column} in ($1, $2)`,
      [companyA, companyB],
    );
    parts.push(`${table_name}=${rows[0].digest}`);
  }
  return parts.join(' ');
}

function send(op: Operation, options: { user?: TestUser; query?: Record<string, string>; body?: Record<string, unknown> }) {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(ids[name] ?? randomUUID()));
  const query: Record<string, string> = {};
  for (const p of op.parameters) if (p.in === 'query' && p.required) query[p.name] = p.name === 'company_id' ? companyA : 'x';
  let req = request(t.server)
    [op.method](path)
    .query({ ...query, ...options.query });
  if (options.user) req = req.set(bearer(options.user));
  if (op.bodyType === 'multipart/form-data') {
    return req.field('type', 'business_registration').attach('file', Buffer.from('%PDF-1.4 contract'), { filename: 'doc.pdf', contentType: 'application/pdf' });
  }
  return options.body || op.bodyType ? req.send(options.body ?? {}) : req;
}

it('covers every /api operation of the document', () => {
  expect(operations.length).toBeGreaterThanOrEqual(30);
  expect(tenantRoutes.filter(declaresCompanyInBodyOrQuery).map(label).sort()).toEqual([
    'GET /api/bundles',
    'GET /api/phone-numbers',
    'POST /api/bundles',
    'POST /api/phone-numbers/{phone_number}/configure',
  ]);
});

describe.each(operations.map((op) => [label(op), op] as const))('%s', (_, op) => {
  it('refuses a request without a token (401) and writes nothing', async () => {
    const before = await tenantRows();
    const res = await send(op, { body: op.bodyHasCompanyId ? { company_id: companyA } : undefined });
    expect(res.status).toBe(401);
    expect(await tenantRows()).toBe(before);
  });

  if ('403' in op.responses) {
    it('refuses a signed-in user who is not a member (403) and writes nothing', async () => {
      const before = await tenantRows();
      const res = await send(op, { user: stranger, body: op.bodyHasCompanyId ? { company_id: companyA } : undefined });
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(await tenantRows()).toBe(before);
    });
  }

  if (tenantRoutes.includes(op)) {
    it("refuses an owner's request carrying another company_id as well (400) and writes nothing", async () => {
      const before = await tenantRows();
      const inQuery = op.parameters.some((p) => p.in === 'query' && p.name === 'company_id');
      // The declared place names the owner's company; a second place names another one.
      const res = op.bodyHasCompanyId
        ? await send(op, { user: owner, query: { company_id: companyB }, body: { company_id: companyA } })
        : inQuery || op.bodyType === 'application/json'
          ? await send(op, { user: owner, body: { company_id: companyB } })
          : await send(op, { user: owner, query: { company_id: companyB } });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.message).toMatch(/names another company/);
      expect(await tenantRows()).toBe(before);
    });
  }
});
