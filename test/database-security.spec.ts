import { PgDatabase } from '../src/database/pg-database.js';
import { openTestDatabase } from './support/test-database.js';

let db: PgDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

/** Runs `sql` as the role inside a transaction that is always rolled back; returns the error code, if any. */
async function asRole(role: string, sql: string): Promise<string | undefined> {
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    await client.query(`set local role ${role}`);
    await client.query(sql);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  } finally {
    await client.query('rollback');
    client.release();
  }
}

describe('what the Supabase API roles can reach', () => {
  it('has row level security on every table in public', async () => {
    const { rows } = await db.pool.query<{ relname: string; relrowsecurity: boolean }>(
      `select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(9);
    expect(rows.filter((r) => !r.relrowsecurity).map((r) => r.relname)).toEqual([]);
  });

  // Signed-in members read their companies' rows of these tables through row-level security policies
  // (test/row-level-security.spec.ts); every other table is closed to them, and all of them to anon.
  const memberReadable = [
    'call_sessions',
    'call_transcripts',
    'companies',
    'company_members',
    'conversation_turns',
    'conversations',
    'knowledge_entries',
    'usage_events',
  ];

  it.each(['anon', 'authenticated'])('%s can select from no table but the member-readable ones', async (role) => {
    const { rows } = await db.pool.query<{ relname: string }>(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r'`,
    );
    for (const { relname } of rows) {
      const expected = role === 'authenticated' && memberReadable.includes(relname) ? undefined : '42501';
      expect({ table: relname, code: await asRole(role, `select 1 from public.${relname} limit 1`) }).toEqual({ table: relname, code: expected });
    }
  });

  it.each(['anon', 'authenticated'])('%s can execute no function', async (role) => {
    const { rows } = await db.pool.query<{ signature: string; allowed: boolean }>(
      `select p.oid::regprocedure::text as signature, has_function_privilege($1, p.oid, 'execute') as allowed
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public'`,
      [role],
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.filter((r) => r.allowed).map((r) => r.signature)).toEqual([]);
  });

  it('refuses anon at run time too, not only in the catalogue', async () => {
    expect(await asRole('anon', `select public.resolve_phone_number(p_phone_number => '+525512345678')`)).toBe('42501');
  });

  it('lets the service role run the functions', async () => {
    expect(await asRole('service_role', `select public.resolve_phone_number(p_phone_number => '+525512345678')`)).toBeUndefined();
  });
});

/** The audit the test above runs: functions in public that the role may execute. */
async function executableBy(client: { query: PgDatabase['pool']['query'] }, role: string): Promise<string[]> {
  const { rows } = await client.query<{ signature: string }>(
    `select p.oid::regprocedure::text as signature from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and has_function_privilege($1, p.oid, 'execute')`,
    [role],
  );
  return rows.map((r) => r.signature);
}

describe('a function created without its revoke (sql/0053)', () => {
  /** Creates a function the way a careless migration would (no revoke), as the migrating role, then rolls back. */
  async function withCarelessFunction<T>(before: string, check: (client: { query: PgDatabase['pool']['query'] }) => Promise<T>): Promise<T> {
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      if (before) await client.query(before);
      await client.query(`create function public.careless_probe() returns int language sql as 'select 1'`);
      return await check(client as unknown as { query: PgDatabase['pool']['query'] });
    } finally {
      await client.query('rollback');
      client.release();
    }
  }

  it('is not executable by anon or authenticated: the default privileges now do what sql/0000 says', async () => {
    await withCarelessFunction('', async (client) => {
      for (const role of ['anon', 'authenticated']) expect(await executableBy(client, role)).not.toContain('careless_probe()');
    });
  });

  it("is caught by the audit when the defaults do not protect it (PostgreSQL's built-in default, as before sql/0053)", async () => {
    await withCarelessFunction('alter default privileges grant execute on functions to public', async (client) => {
      expect(await executableBy(client, 'anon')).toEqual(['careless_probe()']);
    });
  });
});
