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

  it('keeps working after a failed statement (the embedded pool used to lose its only connection)', async () => {
    for (let i = 0; i < 3; i++) {
      const error = await db.call('no_such_function').catch((e: unknown) => e);
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
    const suffix = Math.random().toString(36).slice(2, 8);
    const table = `tx_probe_${suffix}`;
    const fn = `tx_probe_insert_${suffix}`;
    await db.pool.query(`create table public.${table} (id int primary key)`);
    await db.pool.query(`alter table public.${table} enable row level security; revoke all on public.${table} from public, anon, authenticated`);
    await db.pool.query(`create function public.${fn}(p_id int) returns jsonb language sql as $$ insert into public.${table} values (p_id) returning jsonb_build_object('id', id) $$`);
    await db.pool.query(`revoke execute on function public.${fn}(int) from public, anon, authenticated`);
    try {
      await expect(
        db.transaction(async (s) => {
          await s.call(fn, { p_id: 1 });
          await s.call(fn, { p_id: 2 });
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect((await db.pool.query(`select count(*)::int as n from public.${table}`)).rows[0].n).toBe(0);
      await db.transaction(async (s) => {
        await s.call(fn, { p_id: 1 });
        await s.call(fn, { p_id: 2 });
      });
      expect((await db.pool.query(`select count(*)::int as n from public.${table}`)).rows[0].n).toBe(2);
      // a failing call inside rolls back the calls before it
      await expect(db.transaction(async (s) => {
        await s.call(fn, { p_id: 3 });
        await s.call(fn, { p_id: 1 });
      })).rejects.toMatchObject({ kind: 'conflict' });
      expect((await db.pool.query(`select count(*)::int as n from public.${table}`)).rows[0].n).toBe(2);
    } finally {
      await db.pool.query(`drop function public.${fn}(int); drop table public.${table}`);
    }
  });

  it('refuses identifiers that could inject SQL', async () => {
    await expect(db.call('health_check; drop table companies')).rejects.toThrow(/Invalid SQL identifier/);
    await expect(db.call('health_check', { 'p_x) --': 1 })).rejects.toThrow(/Invalid SQL identifier/);
  });
});
