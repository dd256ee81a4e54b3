import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { PgDatabase } from '../src/database/pg-database.js';
import { newCallSid, openCallSession, createVoiceCompany } from './support/agent-session-fixtures.js';
import { addMember } from './support/factories.js';
import { openTestDatabase } from './support/test-database.js';

let db: PgDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

/** Runs `work` as Supabase runs a signed-in user's request: role `authenticated`, the JWT's claims set; rolled back. */
async function asUser<T>(userId: string | null, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    await client.query('set local role authenticated');
    const claims = userId ? { sub: userId, role: 'authenticated', aud: 'authenticated' } : { role: 'authenticated' };
    await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
    return await work(client);
  } finally {
    await client.query('rollback');
    client.release();
  }
}

const codeOf = (promise: Promise<unknown>): Promise<string | undefined> =>
  promise.then(
    () => undefined,
    (error: unknown) => (error as { code?: string }).code,
  );

/** A company with a member and one row in every member-readable table. */
async function companyWithRows(): Promise<{ companyId: string; memberId: string; callSid: string }> {
  const company = await createVoiceCompany(db);
  const memberId = randomUUID();
  await addMember(db, company.id, memberId, 'member');
  const callSid = await openCallSession(db, company.id, newCallSid());
  await db.call('record_call_turn', { p_call_sid: callSid, p_company_id: company.id, p_role: 'caller', p_text: 'Hola' });
  await db.call('record_agent_usage', {
    p_company_id: company.id,
    p_user_id: null,
    p_call_sid: callSid,
    p_events: [{ kind: 'llm_tokens', quantity: 10, unit: 'tokens', idempotency_key: `${callSid}:rls` }],
  });
  await db.call('record_conversation_turns', {
    p_company_id: company.id,
    p_channel: 'sms',
    p_contact: '+525500000009',
    p_user_id: null,
    p_call_sid: null,
    p_turn_key: `SM${randomUUID()}`,
    p_turns: [
      { role: 'user', text: 'Hola' },
      { role: 'agent', text: 'Buenas' },
    ],
    p_usage: [],
  });
  return { companyId: company.id, memberId, callSid };
}

const tables = ['companies', 'call_sessions', 'call_transcripts', 'usage_events', 'conversations', 'conversation_turns', 'knowledge_entries'];
const companyColumn = (table: string): string => (table === 'companies' ? 'id' : 'company_id');

describe('row-level security for signed-in members (the second layer behind the API)', () => {
  let a: Awaited<ReturnType<typeof companyWithRows>>;
  let b: Awaited<ReturnType<typeof companyWithRows>>;
  beforeAll(async () => {
    a = await companyWithRows();
    b = await companyWithRows();
  });

  it.each(tables)("a member reads their company's %s rows and no other company's", async (table) => {
    const seen = await asUser(a.memberId, async (c) => {
      const { rows } = await c.query<{ company: string }>(`select distinct ${companyColumn(table)}::text as company from public.${table}`);
      return rows.map((r) => r.company);
    });
    expect(seen).toEqual([a.companyId]);
    const seenByB = await asUser(
      b.memberId,
      async (c) => (await c.query(`select ${companyColumn(table)} from public.${table} where ${companyColumn(table)} = $1`, [a.companyId])).rows,
    );
    expect(seenByB).toEqual([]);
  });

  it('reads the transcript and the stored JSON as such', async () => {
    const turns = await asUser(
      a.memberId,
      async (c) => (await c.query('select role, text from public.call_transcripts where call_sid = $1', [a.callSid])).rows,
    );
    expect(turns).toEqual([{ role: 'caller', text: 'Hola' }]);
  });

  it('shows nothing to a signed-in user who is no member, nor to a request without a user', async () => {
    for (const user of [randomUUID(), null]) {
      const counts = await asUser(user, async (c) => {
        const out: number[] = [];
        for (const table of tables) out.push((await c.query<{ n: number }>(`select count(*)::int as n from public.${table}`)).rows[0].n);
        return out;
      });
      expect(counts).toEqual(tables.map(() => 0));
    }
  });

  it('lets nobody write, not even a member into their own company', async () => {
    await asUser(a.memberId, async (c) => {
      expect(
        await codeOf(c.query(`insert into public.knowledge_entries (company_id, title, content, ts_config) values ($1, 't', 'c', 'simple')`, [a.companyId])),
      ).toBe('42501');
    });
    await asUser(a.memberId, async (c) => {
      expect(await codeOf(c.query(`update public.call_sessions set status = 'completed' where company_id = $1`, [a.companyId]))).toBe('42501');
    });
    await asUser(a.memberId, async (c) => {
      expect(await codeOf(c.query('delete from public.call_transcripts where company_id = $1', [a.companyId]))).toBe('42501');
    });
    await asUser(a.memberId, async (c) => {
      expect(await codeOf(c.query('update public.company_members set role = $2 where user_id = $1', [a.memberId, 'owner']))).toBe('42501');
    });
    const { rows } = await db.pool.query('select role from public.company_members where user_id = $1', [a.memberId]);
    expect(rows).toEqual([{ role: 'member' }]);
  });

  it('auth.uid() reads the sub of request.jwt.claims, as on Supabase', async () => {
    const id = randomUUID();
    expect(await asUser(id, async (c) => (await c.query<{ uid: string }>('select auth.uid()::text as uid')).rows[0].uid)).toBe(id);
  });
});
