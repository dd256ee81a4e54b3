import { randomUUID } from 'node:crypto';
import { FIXTURE_COMPANIES, FIXTURE_QUESTIONS } from './fixtures/knowledge/index.js';
import { createCompany } from './support/factories.js';
import { createTestApp, TestApp } from './support/test-app.js';
import type { KnowledgeSearch } from '../src/companies/knowledge.types.js';

/**
 * Retrieval quality on 200 hand-written entries (English and Spanish, four companies) and 41 questions phrased
 * differently from the entries. The floor is the rate reached when this was written (31/41 = 75.6%, the same on both databases): a change to
 * the search that lowers it fails here. The misses are vocabulary gaps that lexical search cannot bridge
 * ("perro" for an entry about "mascotas", "ride home" for "shuttle").
 */
const TOP1_FLOOR = 0.75;

let t: TestApp;
const companyIds = new Map<string, string>();

beforeAll(async () => {
  t = await createTestApp();
  for (const company of FIXTURE_COMPANIES) {
    const { id } = await createCompany(t.db, { name: `${company.name} ${randomUUID().slice(0, 6)}` });
    await t.db.call('save_agent_config', { p_company_id: id, p_config: { language: company.language }, p_replace: false });
    const entries = company.entries.map(([title, content]) => ({ title, content, tags: [company.key] }));
    await t.db.call('create_knowledge_entries', { p_company_id: id, p_entries: entries });
    companyIds.set(company.key, id);
  }
});
afterAll(() => t.close());

describe('knowledge retrieval quality', () => {
  it('has at least 200 entries and 30 questions', () => {
    expect(FIXTURE_COMPANIES.reduce((n, c) => n + c.entries.length, 0)).toBeGreaterThanOrEqual(200);
    expect(FIXTURE_QUESTIONS.length).toBeGreaterThanOrEqual(30);
  });

  it(`finds the right entry first for at least ${TOP1_FLOOR * 100}% of the questions`, async () => {
    const misses: string[] = [];
    for (const q of FIXTURE_QUESTIONS) {
      const result = await t.db.call<'search_knowledge', KnowledgeSearch>('search_knowledge', {
        p_company_id: companyIds.get(q.company)!,
        p_query: q.question,
        p_limit: 3,
      });
      const top = result.results[0]?.title;
      if (top !== q.expected) misses.push(`${q.question} → ${top ?? '(nothing)'} (wanted ${q.expected})`);
    }
    const rate = 1 - misses.length / FIXTURE_QUESTIONS.length;
    console.log(`retrieval top-1 hit rate: ${(rate * 100).toFixed(1)}% (${FIXTURE_QUESTIONS.length - misses.length}/${FIXTURE_QUESTIONS.length})`, misses);
    expect(rate).toBeGreaterThanOrEqual(TOP1_FLOOR);
  });

  it("keeps tenants apart: a question never returns another company's entries", async () => {
    const result = await t.db.call<'search_knowledge', KnowledgeSearch>('search_knowledge', {
      p_company_id: companyIds.get('vet')!,
      p_query: 'oil change brakes tires mole mezcal limpieza dental',
      p_limit: 20,
    });
    for (const hit of result.results) expect(hit.tags).toEqual(['vet']);
  });

  it('uses the Spanish configuration for es-* companies, English for en-*', async () => {
    const es = await t.db.call<'search_knowledge', KnowledgeSearch>('search_knowledge', {
      p_company_id: companyIds.get('dental')!,
      p_query: 'limpiezas',
      p_limit: 1,
    });
    expect(es.ts_config).toBe('spanish');
    expect(es.results[0].title).toMatch(/limpieza/);
    const en = await t.db.call<'search_knowledge', KnowledgeSearch>('search_knowledge', {
      p_company_id: companyIds.get('autoshop')!,
      p_query: 'aligning',
      p_limit: 1,
    });
    expect(en.ts_config).toBe('english');
    expect(en.results[0].title).toBe('Do you do wheel alignments?');
  });
});
