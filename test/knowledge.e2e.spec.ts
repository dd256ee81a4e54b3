import { randomUUID } from 'node:crypto';
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
const entryCount = async (companyId: string): Promise<number> =>
  Number((await t.db.pool.query('select count(*) n from public.knowledge_entries where company_id = $1', [companyId])).rows[0].n);
const base = (c: CompanyWithRoles): string => `/api/companies/${c.companyId}/knowledge`;
async function seed(c: CompanyWithRoles, title = 'Opening hours', content = 'We open Monday to Friday from 9 to 5.'): Promise<string> {
  const res = await request(t.server)
    .post(base(c))
    .set(bearer(c.owner))
    .send({ title, content, tags: ['hours'] });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('knowledge routes: who may do what', () => {
  let c: CompanyWithRoles;
  let entryId: string;
  beforeAll(async () => {
    c = await companyWithRoles(t);
    await t.db.call('save_agent_config', { p_company_id: c.companyId, p_config: { language: 'en-US' }, p_replace: false });
    entryId = await seed(c);
  });

  it.each(ACTORS)('POST an entry as %s', async (actor) => {
    const before = await entryCount(c.companyId);
    const res = await request(t.server).post(base(c)).set(auth(c, actor)).send({ title: 'T', content: 'C' });
    expect(res.status).toBe(expectedStatus(actor, 'write', 201));
    expect(await entryCount(c.companyId)).toBe(before + (res.status === 201 ? 1 : 0));
  });

  it.each(ACTORS)('POST an import as %s', async (actor) => {
    const before = await entryCount(c.companyId);
    const res = await request(t.server)
      .post(`${base(c)}/import`)
      .set(auth(c, actor))
      .send({ format: 'text', text: 'One.\n\nTwo.' });
    expect(res.status).toBe(expectedStatus(actor, 'write', 201));
    expect(await entryCount(c.companyId)).toBe(before + (res.status === 201 ? 1 : 0));
  });

  it.each(ACTORS)('GET the list as %s', async (actor) => {
    expect((await request(t.server).get(base(c)).set(auth(c, actor))).status).toBe(expectedStatus(actor, 'read', 200));
  });

  it.each(ACTORS)('GET search as %s', async (actor) => {
    expect(
      (
        await request(t.server)
          .get(`${base(c)}/search`)
          .query({ q: 'open' })
          .set(auth(c, actor))
      ).status,
    ).toBe(expectedStatus(actor, 'read', 200));
  });

  it.each(ACTORS)('GET an entry as %s', async (actor) => {
    expect(
      (
        await request(t.server)
          .get(`${base(c)}/${entryId}`)
          .set(auth(c, actor))
      ).status,
    ).toBe(expectedStatus(actor, 'read', 200));
  });

  it.each(ACTORS)('PATCH an entry as %s', async (actor) => {
    const id = await seed(c, 'Before', 'Before');
    const res = await request(t.server)
      .patch(`${base(c)}/${id}`)
      .set(auth(c, actor))
      .send({ title: 'After' });
    expect(res.status).toBe(expectedStatus(actor, 'write', 200));
    const title = (await t.db.pool.query('select title from public.knowledge_entries where id = $1', [id])).rows[0].title;
    expect(title).toBe(res.status === 200 ? 'After' : 'Before');
  });

  it.each(ACTORS)('DELETE an entry as %s', async (actor) => {
    const id = await seed(c, 'Doomed', 'Doomed');
    const res = await request(t.server)
      .delete(`${base(c)}/${id}`)
      .set(auth(c, actor));
    expect(res.status).toBe(expectedStatus(actor, 'write', 204));
    const left = Number((await t.db.pool.query('select count(*) n from public.knowledge_entries where id = $1', [id])).rows[0].n);
    expect(left).toBe(res.status === 204 ? 0 : 1);
  });
});

describe('knowledge routes: behaviour', () => {
  let c: CompanyWithRoles;
  beforeAll(async () => {
    c = await companyWithRoles(t);
  });

  it('creates, reads, updates (only what is sent) and deletes', async () => {
    const created = await request(t.server)
      .post(base(c))
      .set(bearer(c.admin))
      .send({ question: '¿Dónde están?', content: '  Insurgentes Sur 1234.  ', tags: ['ubicacion'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ company_id: c.companyId, title: '¿Dónde están?', content: 'Insurgentes Sur 1234.', tags: ['ubicacion'] });
    const id = created.body.id;
    const patched = await request(t.server)
      .patch(`${base(c)}/${id}`)
      .set(bearer(c.admin))
      .send({ content: 'Insurgentes Sur 1300.' });
    expect(patched.body).toMatchObject({ title: '¿Dónde están?', content: 'Insurgentes Sur 1300.', tags: ['ubicacion'] });
    expect(
      (
        await request(t.server)
          .get(`${base(c)}/${id}`)
          .set(bearer(c.member))
      ).body.content,
    ).toBe('Insurgentes Sur 1300.');
    expect(
      (
        await request(t.server)
          .delete(`${base(c)}/${id}`)
          .set(bearer(c.admin))
      ).status,
    ).toBe(204);
    const gone = await request(t.server)
      .get(`${base(c)}/${id}`)
      .set(bearer(c.member));
    expect(gone.status).toBe(404);
    expect(gone.body.message).toMatch(/does not exist in this company/);
  });

  it('keeps the per-company entry count that ranking uses in step with the entries', async () => {
    const x = await companyWithRoles(t);
    const counts = async (): Promise<{ kept: number; actual: number }> => {
      const { rows } = await t.db.pool.query(
        `select coalesce((select entries from public.knowledge_entry_counts where company_id = $1), 0) as kept,
                (select count(*)::int from public.knowledge_entries where company_id = $1) as actual`,
        [x.companyId],
      );
      return rows[0];
    };
    const ids: string[] = [];
    for (const content of ['Uno', 'Dos', 'Tres']) {
      ids.push((await request(t.server).post(base(x)).set(bearer(x.admin)).send({ title: content, content })).body.id);
    }
    const imported = await request(t.server)
      .post(`${base(x)}/import`)
      .set(bearer(x.admin))
      .send({
        format: 'json',
        entries: [
          { title: 'A', content: 'a' },
          { title: 'B', content: 'b' },
        ],
      });
    expect(imported.status).toBe(201);
    expect(await counts()).toEqual({ kept: 5, actual: 5 });
    await request(t.server)
      .patch(`${base(x)}/${ids[0]}`)
      .set(bearer(x.admin))
      .send({ content: 'Uno otra vez' });
    await request(t.server)
      .delete(`${base(x)}/${ids[1]}`)
      .set(bearer(x.admin));
    expect(await counts()).toEqual({ kept: 4, actual: 4 });
  });

  it("never reaches another company's entry through this company's path", async () => {
    const other = await companyWithRoles(t);
    const foreign = await seed(other, 'Secret', 'Other tenant data');
    expect(
      (
        await request(t.server)
          .get(`${base(c)}/${foreign}`)
          .set(bearer(c.owner))
      ).status,
    ).toBe(404);
    expect(
      (
        await request(t.server)
          .patch(`${base(c)}/${foreign}`)
          .set(bearer(c.owner))
          .send({ title: 'x' })
      ).status,
    ).toBe(404);
    expect(
      (
        await request(t.server)
          .delete(`${base(c)}/${foreign}`)
          .set(bearer(c.owner))
      ).status,
    ).toBe(404);
    expect(await entryCount(other.companyId)).toBe(1);
  });

  it('lists a page at a time, oldest first, with a tag filter', async () => {
    const x = await companyWithRoles(t);
    for (let i = 1; i <= 5; i++) await seed(x, `Entry ${i}`, `Content ${i}`);
    await request(t.server)
      .post(base(x))
      .set(bearer(x.owner))
      .send({ title: 'Tagged', content: 'x', tags: ['special'] });
    const page2 = await request(t.server).get(base(x)).query({ page: 2, page_size: 2 }).set(bearer(x.member));
    expect(page2.status).toBe(200);
    expect(page2.body).toMatchObject({ total: 6, page: 2, page_size: 2 });
    expect(page2.body.items.map((e: { title: string }) => e.title)).toEqual(['Entry 3', 'Entry 4']);
    const tagged = await request(t.server).get(base(x)).query({ tag: 'special' }).set(bearer(x.member));
    expect(tagged.body.total).toBe(1);
    const bad = await request(t.server).get(base(x)).query({ page: 0, page_size: 500 }).set(bearer(x.member));
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'page', message: 'page must be at least 1' },
        { field: 'page_size', message: 'page_size must be at most 100' },
      ]),
    );
  });

  it('searches with ranked passages and scores, in the company language', async () => {
    const x = await companyWithRoles(t);
    await t.db.call('save_agent_config', { p_company_id: x.companyId, p_config: { language: 'es-MX' }, p_replace: false });
    await seed(x, '¿Cuál es el horario?', 'Abrimos de lunes a viernes de 9:00 a 19:00.');
    await seed(x, '¿Tienen estacionamiento?', 'Hay estacionamiento gratuito en el sótano.');
    const res = await request(t.server)
      .get(`${base(x)}/search`)
      .query({ q: '¿dónde puedo estacionarme?' })
      .set(bearer(x.member));
    expect(res.status).toBe(200);
    expect(res.body.ts_config).toBe('spanish');
    expect(res.body.results[0]).toMatchObject({ title: '¿Tienen estacionamiento?', matched_terms: 1 });
    expect(res.body.results[0].score).toBeGreaterThan(0);
    const empty = await request(t.server)
      .get(`${base(x)}/search`)
      .query({ q: '  ' })
      .set(bearer(x.member));
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toContainEqual({ field: 'q', message: 'q must not be empty' });
  });

  it('imports Markdown at its headings and a JSON list', async () => {
    const x = await companyWithRoles(t);
    const md = await request(t.server)
      .post(`${base(x)}/import`)
      .set(bearer(x.owner))
      .send({ format: 'markdown', text: '# Hours\nNine to five.\n\n# Parking\nBehind the building.', tags: ['faq'] });
    expect(md.status).toBe(201);
    expect(md.body.imported).toBe(2);
    expect(md.body.entries.map((e: { title: string; tags: string[] }) => [e.title, e.tags])).toEqual([
      ['Hours', ['faq']],
      ['Parking', ['faq']],
    ]);
    const json = await request(t.server)
      .post(`${base(x)}/import`)
      .set(bearer(x.owner))
      .send({
        format: 'json',
        entries: [
          { title: 'A', content: 'a' },
          { question: 'B?', content: 'b', tags: ['t'] },
        ],
      });
    expect(json.status).toBe(201);
    expect(json.body.entries.map((e: { title: string }) => e.title)).toEqual(['A', 'B?']);
    expect(await entryCount(x.companyId)).toBe(4);
  });
});

describe('knowledge routes: bad input is refused with a message per field and nothing is written', () => {
  let c: CompanyWithRoles;
  beforeAll(async () => {
    c = await companyWithRoles(t);
  });

  it.each([
    [
      { title: 'x', content: 'y'.repeat(20_001) },
      'content',
      'content must be at most 20000 characters; split longer text into several entries or use the import',
    ],
    [{ title: 'x', content: '   ' }, 'content', 'content must not be empty'],
    [{ title: 'x' }, 'content', 'content must not be empty'],
    [{ title: 'x'.repeat(501), content: 'y' }, 'title', 'title must be at most 500 characters'],
    [{ content: 'y', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags', 'tags must have at most 20 entries'],
    [{ content: 'y', tags: [''] }, 'tags', 'tags must not contain empty strings'],
    [{ content: 'y', colour: 'red' }, 'colour', 'property colour should not exist'],
  ])('create %#', async (body, field, messageText) => {
    const res = await request(t.server).post(base(c)).set(bearer(c.owner)).send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ field, message: messageText });
    expect(await entryCount(c.companyId)).toBe(0);
  });

  it('import is all or nothing: one bad entry names its index and nothing is imported', async () => {
    const res = await request(t.server)
      .post(`${base(c)}/import`)
      .set(bearer(c.owner))
      .send({
        format: 'json',
        entries: [
          { title: 'ok', content: 'fine' },
          { title: 'bad', content: '' },
        ],
      });
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ field: 'entries.1.content', message: 'content must not be empty' });
    expect(await entryCount(c.companyId)).toBe(0);
  });

  it.each([
    [{ format: 'json' }, 'entries', 'entries must be a list of entries (needed for format json)'],
    [{ format: 'markdown' }, 'text', 'text must be a string (needed for formats markdown and text)'],
    [{ format: 'pdf', text: 'x' }, 'format', 'format must be json, markdown or text'],
  ])('import %#', async (body, field, messageText) => {
    const res = await request(t.server)
      .post(`${base(c)}/import`)
      .set(bearer(c.owner))
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ field, message: messageText });
    expect(await entryCount(c.companyId)).toBe(0);
  });

  it('import of a document with no passages says so', async () => {
    const res = await request(t.server)
      .post(`${base(c)}/import`)
      .set(bearer(c.owner))
      .send({ format: 'markdown', text: '# Only\n# Headings' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/no passages/);
  });

  it('an entry id that is not a UUID', async () => {
    const res = await request(t.server)
      .get(`${base(c)}/not-a-uuid`)
      .set(bearer(c.owner));
    expect(res.status).toBe(400);
    expect(res.body.errors).toContainEqual({ field: 'entry_id', message: 'entry_id must be a UUID' });
    expect(
      (
        await request(t.server)
          .get(`${base(c)}/${randomUUID()}`)
          .set(bearer(c.owner))
      ).status,
    ).toBe(404);
  });
});
