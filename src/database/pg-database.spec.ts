import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openTestDatabase } from '../../test/support/test-database.js';
import { DatabaseError } from './database-error.js';
import { PgDatabase } from './pg-database.js';

describe('PgDatabase', () => {
  let db: PgDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.close());

  it('calls a function by named arguments and returns its jsonb', async () => {
    expect(await db.call('health_check')).toEqual({ ok: true });
    expect(await db.call('resolve_phone_number', { p_phone_number: '+19995550000' })).toBeNull();
  });

  it.each([
    ['embedded', 1],
    ['postgres', 0],
  ] as const)('on the %s kind, three calls of one function leave %i named statement(s) on the connection', async (kind, expected) => {
    // one connection, so the statements it prepared can be listed on it
    const pool = new pg.Pool({ ...(db.pool as unknown as { options: pg.PoolConfig }).options, max: 1 });
    const own = new PgDatabase(pool, kind);
    try {
      for (let i = 0; i < 3; i++) expect(await own.call('health_check')).toEqual({ ok: true });
      const { rows } = await pool.query<{ name: string }>('select name from pg_prepared_statements order by name');
      expect(rows.map((r) => r.name).filter((name) => /^call_\d+$/.test(name)).length).toBe(expected);
    } finally {
      await pool.end();
    }
  });

  it('keeps working after a failed statement (the embedded pool used to lose its only connection)', async () => {
    for (let i = 0; i < 3; i++) {
      const error = await db.call('get_company', { p_company_id: randomUUID() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseError);
      await expect(db.pool.query('select 1/0')).rejects.toMatchObject({ code: '22012' });
      expect(await db.call('health_check')).toEqual({ ok: true });
    }
  });

  it('maps raised errors to kinds', async () => {
    const raise = (code: string): Promise<DatabaseError> =>
      db.pool.query(`do $$ begin raise exception using errcode = '${code}', message = 'because'; end $$`).then(
        () => {
          throw new Error('expected the statement to fail');
        },
        (e: unknown) => DatabaseError.fromPostgres(e),
      );
    expect((await raise('22023')).kind).toBe('invalid');
    expect((await raise('P0002')).kind).toBe('not_found');
    expect((await raise('23505')).kind).toBe('conflict');
    expect((await raise('XX000')).kind).toBe('internal');
  });

  it('commits a transaction whole or not at all', async () => {
    const owner = randomUUID();
    const count = async (): Promise<number> =>
      (await db.pool.query<{ n: number }>('select count(*)::int as n from public.company_members where user_id = $1', [owner])).rows[0].n;
    await expect(
      db.transaction(async (s) => {
        await s.call('create_company', { p_name: 'Tx probe', p_owner_id: owner });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await count()).toBe(0);
    await db.transaction(async (s) => {
      await s.call('create_company', { p_name: 'Tx probe 1', p_owner_id: owner });
      await s.call('create_company', { p_name: 'Tx probe 2', p_owner_id: owner });
    });
    expect(await count()).toBe(2);
    // a failing call inside rolls back the calls before it
    await expect(
      db.transaction(async (s) => {
        await s.call('create_company', { p_name: 'Tx probe 3', p_owner_id: owner });
        await s.call('get_company', { p_company_id: randomUUID() });
      }),
    ).rejects.toBeInstanceOf(DatabaseError);
    expect(await count()).toBe(2);
  });

  it('sends jsonb arguments as JSON, so arrays stay JSON arrays', async () => {
    const owner = randomUUID();
    const company = await db.call<'create_company', { id: string }>('create_company', { p_name: 'Json probe', p_owner_id: owner });
    await db.call('create_knowledge_entries', { p_company_id: company.id, p_entries: [{ title: 'Hours', content: 'Nine to five', tags: ['hours', 'open'] }] });
    const { rows } = await db.pool.query('select tags from public.knowledge_entries where company_id = $1', [company.id]);
    expect(rows).toEqual([{ tags: ['hours', 'open'] }]);
  });

  it('refuses functions and arguments that the descriptors do not describe', async () => {
    const untyped = db as unknown as { call(fn: string, args?: Record<string, unknown>): Promise<unknown> };
    await expect(untyped.call('health_check; drop table companies')).rejects.toThrow(/Invalid SQL identifier/);
    await expect(untyped.call('health_check', { 'p_x) --': 1 })).rejects.toThrow(/has no argument/);
    await expect(untyped.call('no_such_function')).rejects.toThrow(/not a described SQL function/);
  });
});
