import { randomUUID } from 'node:crypto';
import { readMigrations, runMigrations } from '../src/database/migration-runner.js';
import { PgDatabase } from '../src/database/pg-database.js';
import { addPhoneNumber, createCompany, randomMexicanNumber } from './support/factories.js';
import { openEmptyTestDatabase, openTestDatabase } from './support/test-database.js';

/** The SQL as a second layer (issue 10, point 6): each function checks the tenant it is given. */
let db: PgDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

const callSid = () => `CA${randomUUID().replace(/-/g, '')}`;
async function callOf(companyId: string): Promise<string> {
  const sid = callSid();
  await db.pool.query('insert into public.call_sessions (call_sid, company_id) values ($1, $2)', [sid, companyId]);
  return sid;
}
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: { code?: string }) => e.code,
  );

describe('record_call_turn', () => {
  it("refuses a turn naming another company than the call's, and writes nothing", async () => {
    const [a, b] = [await createCompany(db), await createCompany(db)];
    const sid = await callOf(a.id);
    expect(await codeOf(db.pool.query(`select public.record_call_turn($1, $2, 'caller', 'hola')`, [sid, b.id]))).toBe('42501');
    expect((await db.pool.query('select 1 from public.call_transcripts where call_sid = $1', [sid])).rowCount).toBe(0);
    await db.pool.query(`select public.record_call_turn($1, $2, 'caller', 'hola')`, [sid, a.id]);
    expect((await db.pool.query('select company_id from public.call_transcripts where call_sid = $1', [sid])).rows).toEqual([{ company_id: a.id }]);
  });

  it('refuses a turn for a call that was never opened', async () => {
    const a = await createCompany(db);
    expect(await codeOf(db.pool.query(`select public.record_call_turn($1, $2, 'caller', 'hola')`, [callSid(), a.id]))).toBe('P0002');
  });
});

describe('record_agent_usage and the call reads', () => {
  it("refuses usage naming another company's call", async () => {
    const [a, b] = [await createCompany(db), await createCompany(db)];
    const sid = await callOf(a.id);
    const events = JSON.stringify([{ kind: 'llm_tokens', quantity: 10, unit: 'tokens', idempotency_key: randomUUID(), cost_usd: 1 }]);
    expect(await codeOf(db.pool.query('select public.record_agent_usage($1, null, $2, $3)', [b.id, sid, events]))).toBe('42501');
    expect((await db.pool.query('select 1 from public.usage_events where call_sid = $1', [sid])).rowCount).toBe(0);
  });

  it("joins a call's usage and transcript on its company, not on the call SID alone", async () => {
    const [a, b] = [await createCompany(db), await createCompany(db)];
    const sid = await callOf(a.id);
    // Rows of another company carrying the same SID (written before these checks existed, or by hand).
    await db.pool.query(
      `insert into public.usage_events (company_id, call_sid, kind, quantity, unit, cost_usd, idempotency_key) values ($1, $2, 'llm_tokens', 1, 'tokens', 5, $3)`,
      [b.id, sid, randomUUID()],
    );
    await db.pool.query(`insert into public.call_transcripts (call_sid, company_id, seq, role, text) values ($1, $2, 1, 'caller', 'not yours')`, [sid, b.id]);
    const call = (await db.pool.query('select public.get_company_call($1, $2) as c', [a.id, sid])).rows[0].c;
    expect(call.usage).toEqual([]);
    expect(call.transcript).toEqual([]);
    const list = (await db.pool.query('select public.list_company_calls($1) as l', [a.id])).rows[0].l;
    expect(list.find((c: { call_sid: string }) => c.call_sid === sid).cost_usd).toBe(0);
  });
});

describe('number configuration as a compare-and-set', () => {
  const record = (number: string, companyId: string, expected: string | null, admin = true) =>
    db.pool.query(`select public.record_phone_number_configuration_if_unchanged($1, $2, $3, $4, 'https://v', 'https://s', 'https://c', $5)`, [
      number,
      companyId,
      expected,
      `PN${randomUUID().replace(/-/g, '')}`,
      admin,
    ]);

  it('lets only the first of two configurations that saw the same owner write; the second changes nothing', async () => {
    const [a, b] = [await createCompany(db), await createCompany(db)];
    const number = randomMexicanNumber();
    // both checked while nobody had the number
    for (const c of [a, b]) {
      expect(
        (await db.pool.query('select public.check_phone_number_configuration($1, $2, true) as r', [number, c.id])).rows[0].r.expected_company_id,
      ).toBeNull();
    }
    await record(number, a.id, null);
    expect(await codeOf(record(number, b.id, null))).toBe('40001');
    expect((await db.pool.query('select company_id from public.phone_numbers where phone_number = $1', [number])).rows).toEqual([{ company_id: a.id }]);
  });

  it('refuses an update when the owner changed since the check', async () => {
    const [a, b, c] = [await createCompany(db), await createCompany(db), await createCompany(db)];
    const number = await addPhoneNumber(db, a.id);
    await record(number, b.id, a.id); // an admin moves it to b
    expect(await codeOf(record(number, c.id, a.id))).toBe('40001'); // c still believes a has it
    expect((await db.pool.query('select company_id from public.phone_numbers where phone_number = $1', [number])).rows).toEqual([{ company_id: b.id }]);
  });

  it("refuses a non-admin a number that is not its company's, whoever has it", async () => {
    const [a, b] = [await createCompany(db), await createCompany(db)];
    const theirs = await addPhoneNumber(db, b.id);
    expect(await codeOf(db.pool.query('select public.check_phone_number_configuration($1, $2, false)', [theirs, a.id]))).toBe('42501');
    expect(await codeOf(db.pool.query('select public.check_phone_number_configuration($1, $2, false)', [randomMexicanNumber(), a.id]))).toBe('42501');
    expect(await codeOf(record(theirs, a.id, b.id, false))).toBe('42501');
  });
});

describe('sql/0051 moves existing voices to their path', () => {
  it('keeps a provider voice with its provider, moves an OpenAI voice to realtime_voice, clears the rest', async () => {
    // A database migrated up to just before 0051, with configurations written the old way.
    const fresh = await openEmptyTestDatabase();
    try {
      const all = readMigrations();
      await runMigrations(
        fresh.pool,
        all.filter((m) => m.version < '0051'),
      );
      const ids = { google: randomUUID(), amazon: randomUUID(), eleven: randomUUID(), openai: randomUUID(), junk: randomUUID(), none: randomUUID() };
      const voices: Record<keyof typeof ids, string | null> = {
        google: 'es-MX-Neural2-A',
        amazon: 'Mia-Neural',
        eleven: 'UgBBYS2sOqTuMpoF3BR0',
        openai: 'Marin',
        junk: 'my voice',
        none: null,
      };
      for (const key of Object.keys(ids) as (keyof typeof ids)[]) {
        await fresh.pool.query('insert into public.companies (id, name) values ($1, $2)', [ids[key], key]);
        await fresh.pool.query('insert into public.agent_configs (company_id, voice) values ($1, $2)', [ids[key], voices[key]]);
      }
      await runMigrations(fresh.pool, all);
      const { rows } = await fresh.pool.query<{ name: string; voice: string | null; tts_provider: string | null; realtime_voice: string | null }>(
        'select c.name, a.voice, a.tts_provider, a.realtime_voice from public.agent_configs a join public.companies c on c.id = a.company_id order by c.name',
      );
      expect(rows).toEqual([
        { name: 'amazon', voice: 'Mia-Neural', tts_provider: 'Amazon', realtime_voice: null },
        { name: 'eleven', voice: 'UgBBYS2sOqTuMpoF3BR0', tts_provider: 'ElevenLabs', realtime_voice: null },
        { name: 'google', voice: 'es-MX-Neural2-A', tts_provider: 'Google', realtime_voice: null },
        { name: 'junk', voice: null, tts_provider: null, realtime_voice: null },
        { name: 'none', voice: null, tts_provider: null, realtime_voice: null },
        { name: 'openai', voice: null, tts_provider: null, realtime_voice: 'marin' },
      ]);
      // and the table now refuses a voice without its provider
      expect(await codeOf(fresh.pool.query(`update public.agent_configs set tts_provider = null where company_id = $1`, [ids.google]))).toBe('23514');
    } finally {
      await fresh.close();
    }
  }, 120_000);
});
