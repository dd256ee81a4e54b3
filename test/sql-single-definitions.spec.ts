import { randomUUID } from 'node:crypto';
import { PgDatabase } from '../src/database/pg-database.js';
import { addPhoneNumber, createCompany, linkUserToNumber, randomMexicanNumber } from './support/factories.js';
import { openIsolatedTestDatabase } from './support/test-database.js';

/**
 * Issue 13, part 5: the lookup order (sql/0110 match_phone_number) and the agent-configuration defaults
 * (agent_config_defaults) are each written in one function, and every reader follows a change to it. The tests
 * redefine those functions, so they run on a database of their own in every mode.
 */
let db: PgDatabase;
beforeAll(async () => {
  db = await openIsolatedTestDatabase(2);
});
afterAll(() => db.close());

const callSid = () => `CA${randomUUID().replace(/-/g, '')}`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The source of every function in public, after all migrations. */
async function functionSources(): Promise<Array<{ name: string; source: string }>> {
  const { rows } = await db.pool.query<{ name: string; source: string }>(
    `select p.proname as name, p.prosrc as source
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.prokind = 'f'
      order by p.proname`,
  );
  return rows;
}

const namesMatching = async (pattern: RegExp): Promise<string[]> => (await functionSources()).filter((f) => pattern.test(f.source)).map((f) => f.name);

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  return (await db.pool.query<{ v: T }>(`select ${sql} as v`, params)).rows[0].v;
}

/** Runs `work` with `name`'s body replaced by `replacement`, and puts the migrated body back afterwards. */
async function withFunctionReplaced(name: string, replacement: string, work: () => Promise<void>): Promise<void> {
  const original = await one<string>(`pg_get_functiondef($1::regprocedure)`, [`public.${name}`]);
  await db.pool.query(replacement);
  try {
    await work();
  } finally {
    await db.pool.query(original);
  }
}

describe('the agent-configuration defaults', () => {
  it('are written in agent_config_defaults only: no other function defaults a field, no column holds a literal', async () => {
    const defaults = await one<Record<string, unknown>>('public.agent_config_defaults()');
    const given = Object.entries(defaults).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
    expect(given.map(([field]) => field).sort()).toEqual(['brain', 'language', 'name', 'voice_path']);
    for (const [field, value] of given) {
      // A default is written either as a fallback, coalesce(x, 'value') (one level of parentheses inside), or as a
      // key of a defaults object, 'field', 'value'.
      const literal = `'${escape(value)}'`;
      const asDefault = new RegExp(`coalesce\\((?:[^()]|\\([^()]*\\))*,\\s*${literal}\\s*\\)|'${field}'\\s*,\\s*${literal}`, 'i');
      expect({ field, writtenIn: await namesMatching(asDefault) }).toEqual({ field, writtenIn: ['agent_config_defaults'] });
    }
    // The values that are not also an allowed value elsewhere appear nowhere else at all.
    for (const value of [defaults.name, defaults.language] as string[]) {
      expect({ value, in: await namesMatching(new RegExp(`'${escape(value)}'`)) }).toEqual({ value, in: ['agent_config_defaults'] });
    }

    const { rows: columns } = await db.pool.query<{ column: string; expression: string }>(
      `select a.attname as column, pg_get_expr(d.adbin, d.adrelid) as expression
         from pg_attrdef d join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
        where d.adrelid = 'public.agent_configs'::regclass`,
    );
    const configurable = columns.filter((c) => Object.hasOwn(defaults, c.column));
    expect(configurable.map((c) => c.column).sort()).toEqual(Object.keys(defaults).sort());
    for (const { column, expression } of configurable) {
      expect({ column, literal: expression.includes("'"), reads: expression.includes('agent_config_defaults()') }).toEqual({
        column,
        literal: false,
        reads: true,
      });
    }
  });

  it('when changed in that one function, reach every reader: the API reads, the call webhook, the stream, the hand-off, search, PUT and a bare insert', async () => {
    const changed = {
      name: 'Recepción',
      language: 'en-US',
      greeting: 'Welcome to the line.',
      instructions: 'Be brief.',
      voice: null,
      tts_provider: null,
      realtime_voice: 'cedar',
      voice_path: 'media_stream',
      brain: 'openai',
      model: 'gpt-4o-mini',
      transfer_number: '+525511112222',
      fallback_number: '+525533334444',
      business_hours: null,
      max_concurrent_calls: 5,
    };
    const company = await createCompany(db);
    const phone = await addPhoneNumber(db, company.id);
    const replacement = `create or replace function public.agent_config_defaults() returns jsonb language sql stable
                         as $$ select $json$${JSON.stringify(changed)}$json$::jsonb $$`;

    await withFunctionReplaced('agent_config_defaults()', replacement, async () => {
      expect(await one('public.agent_config_json($1)', [company.id])).toEqual({ company_id: company.id, ...changed, updated_at: null });
      expect(await one('public.get_agent_config($1)', [company.id])).toEqual({ company_id: company.id, ...changed, updated_at: null });
      expect(await one('public.company_ts_config($1)::text', [company.id])).toBe('english');

      const sid = callSid();
      const opened = await one<{ voice_path: string; config: Record<string, unknown> }>('public.open_call_session($1, $2, $3, null)', [
        sid,
        phone,
        randomMexicanNumber(),
      ]);
      const { instructions: _instructions, brain: _brain, model: _model, ...callFields } = changed;
      expect(opened.config).toEqual(callFields);
      expect(opened.voice_path).toBe('media_stream');

      const session = await one<{ profile: Record<string, unknown> }>(`public.open_agent_session($1, $2, $3, 'media_stream', now() + interval '1 minute')`, [
        randomUUID(),
        sid,
        company.id,
      ]);
      const { brain: _b, model: _m, business_hours: _h, max_concurrent_calls: _c, ...profileFields } = changed;
      expect(session.profile).toEqual(profileFields);

      expect(await one('public.get_call_handoff_target($1)', [sid])).toMatchObject({
        language: 'en-US',
        transfer_number: changed.transfer_number,
        fallback_number: changed.fallback_number,
      });

      const replaced = await createCompany(db);
      expect(await one(`public.save_agent_config($1, '{}'::jsonb, true)`, [replaced.id])).toMatchObject(changed);

      const inserted = await createCompany(db);
      await db.pool.query('insert into public.agent_configs (company_id) values ($1)', [inserted.id]);
      const { rows } = await db.pool.query('select * from public.agent_configs where company_id = $1', [inserted.id]);
      expect(rows[0]).toMatchObject(changed);
    });

    // Back to the migrated defaults, for every reader again.
    expect(await one('public.agent_config_json($1)', [company.id])).toMatchObject({ name: 'Assistant', language: 'es-MX', voice_path: 'conversation_relay' });
  });
});

describe('the phone-number lookup order', () => {
  it('is written in match_phone_number only', async () => {
    // Picking one of a number's user links (the earliest) is the order's second step; naming the table that matched,
    // its outcome. (Listing all of a number's users, as phone_number_json does, picks nothing.)
    expect(await namesMatching(/order\s+by\s+\w+\.created_at\s*,\s*\w+\.user_id\s+limit\s+1/i)).toEqual(['match_phone_number']);
    expect(await namesMatching(/'phone_number_users'/)).toEqual(['match_phone_number']);
  });

  it('gives the status callback of a call we never answered the same answer as the lookup, the matched table and the earliest user included', async () => {
    const company = await createCompany(db);
    const phone = randomMexicanNumber();
    const [earliest, later] = [randomUUID(), randomUUID()];
    await linkUserToNumber(db, phone, earliest, company.id);
    await linkUserToNumber(db, phone, later, company.id);
    await db.pool.query(`update public.phone_number_users set created_at = now() + interval '1 minute' where user_id = $1`, [later]);

    const expected = { company_id: company.id, user_id: earliest, matched_table: 'phone_number_users' };
    expect(await one('public.resolve_phone_number($1)', [phone])).toMatchObject(expected);
    // 0021 recorded such a call as matched in phone_numbers, with whichever user link came first.
    expect(await one(`public.record_call_status($1, 'completed', p_duration_seconds => 30, p_to => $2)`, [callSid(), phone])).toMatchObject(expected);
  });

  it('when changed in that one function, reaches the lookup, the call webhook and the status callback', async () => {
    const [owner, linked] = [await createCompany(db), await createCompany(db)];
    const phone = await addPhoneNumber(db, owner.id);
    const userId = randomUUID();
    await linkUserToNumber(db, phone, userId, linked.id);

    expect(await one('public.resolve_phone_number($1)', [phone])).toMatchObject({ company_id: owner.id, user_id: userId, matched_table: 'phone_numbers' });

    // The opposite order: a user link first, phone_numbers as the fallback.
    const usersFirst = `create or replace function public.match_phone_number(p_phone_number text)
      returns table (company_id uuid, user_id uuid, matched_table text) language sql stable as $$
        select r.company_id, r.user_id, r.matched_table from (
          select u.company_id, u.user_id, 'phone_number_users' as matched_table, 1 as rank
            from public.phone_number_users u where u.phone_number = p_phone_number
          union all
          select pn.company_id, null, 'phone_numbers', 2 from public.phone_numbers pn where pn.phone_number = p_phone_number) r
        order by r.rank limit 1 $$`;
    await withFunctionReplaced('match_phone_number(text)', usersFirst, async () => {
      const expected = { company_id: linked.id, user_id: userId, matched_table: 'phone_number_users' };
      expect(await one('public.resolve_phone_number($1)', [phone])).toMatchObject(expected);
      expect(await one('public.open_call_session($1, $2, $3, null)', [callSid(), phone, randomMexicanNumber()])).toMatchObject(expected);
      expect(await one(`public.record_call_status($1, 'completed', p_duration_seconds => 30, p_to => $2)`, [callSid(), phone])).toMatchObject(expected);
    });

    expect(await one('public.resolve_phone_number($1)', [phone])).toMatchObject({ company_id: owner.id, matched_table: 'phone_numbers' });
  });
});
