import { DatabaseError } from './database-error.js';
import { SupabaseRpcDatabase } from './supabase-rpc-database.js';

interface Recorded {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that answers like PostgREST and records what supabase-js sent. */
function fakeFetch(status: number, body: unknown): { fetch: typeof fetch; requests: Recorded[] } {
  const requests: Recorded[] = [];
  const impl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    requests.push({ url: String(input), method: init?.method ?? 'GET', headers, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch: impl as typeof fetch, requests };
}

const URL_ = 'https://project.supabase.co';
const KEY = 'service-role-key-for-tests';

describe('SupabaseRpcDatabase', () => {
  it('posts named arguments to /rest/v1/rpc/<fn> with the service-role key', async () => {
    const { fetch, requests } = fakeFetch(200, { company_id: 'c1' });
    const db = new SupabaseRpcDatabase(URL_, KEY, fetch);
    const result = await db.call('resolve_phone_number', { p_phone_number: '+525512345678' });
    expect(result).toEqual({ company_id: 'c1' });
    expect(requests).toHaveLength(1);
    const [req] = requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`${URL_}/rest/v1/rpc/resolve_phone_number`);
    expect(req.headers.apikey).toBe(KEY);
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers['content-type']).toContain('application/json');
    expect(req.body).toEqual({ p_phone_number: '+525512345678' });
  });

  it('sends jsonb arguments as JSON values, timestamps as ISO text, and leaves out undefined defaulted arguments', async () => {
    const { fetch, requests } = fakeFetch(200, {});
    const db = new SupabaseRpcDatabase(URL_, KEY, fetch);
    const entries = [{ title: 'Hours', content: 'Nine to five', tags: ['hours'] }];
    await db.call('create_knowledge_entries', { p_company_id: 'c1', p_entries: entries });
    await db.call('company_usage_summary', { p_company_id: 'c1', p_from: new Date('2026-01-01T00:00:00Z'), p_to: null, p_group_by: 'day' });
    await db.call('list_company_calls', { p_company_id: 'c1', p_status: undefined, p_limit: 5 });
    await db.call('record_agent_usage', { p_company_id: 'c1', p_user_id: undefined as unknown as null, p_call_sid: null, p_events: [] });
    expect(requests.map((r) => r.body)).toEqual([
      { p_company_id: 'c1', p_entries: entries },
      { p_company_id: 'c1', p_from: '2026-01-01T00:00:00.000Z', p_to: null, p_group_by: 'day' },
      { p_company_id: 'c1', p_limit: 5 },
      { p_company_id: 'c1', p_user_id: null, p_call_sid: null, p_events: [] },
    ]);
  });

  it('returns null for a function that returned null', async () => {
    const { fetch } = fakeFetch(200, null);
    expect(await new SupabaseRpcDatabase(URL_, KEY, fetch).call('resolve_phone_number', { p_phone_number: '+1' })).toBeNull();
  });

  it.each([
    [400, { code: '22023', message: 'language must be BCP 47' }, 'invalid'],
    [400, { code: 'P0001', message: 'raised' }, 'invalid'],
    [404, { code: 'P0002', message: 'no such bundle' }, 'not_found'],
    [409, { code: '23505', message: 'duplicate key' }, 'conflict'],
    [403, { code: '42501', message: 'permission denied for function' }, 'forbidden'],
    [404, { code: 'PGRST202', message: 'Could not find the function public.x in the schema cache' }, 'internal'],
    [503, { code: 'PGRST000', message: 'Could not connect' }, 'unavailable'],
  ])('maps HTTP %i %j to a %s DatabaseError', async (status, body, kind) => {
    const { fetch } = fakeFetch(status, body);
    const error = await new SupabaseRpcDatabase(URL_, KEY, fetch).call('resolve_phone_number', { p_phone_number: '+1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).kind).toBe(kind);
    expect((error as DatabaseError).code).toBe(body.code);
  });

  it('maps a network failure to unavailable', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const error = await new SupabaseRpcDatabase(URL_, KEY, failing).call('health_check').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).kind).toBe('unavailable');
  });

  it('gives up on a Supabase that never answers, as unavailable, after its deadline', async () => {
    // Like a hung PostgREST: the request is accepted and nothing comes back until the signal aborts it.
    const hanging = ((_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as typeof fetch;
    const started = performance.now();
    const error = await new SupabaseRpcDatabase(URL_, KEY, hanging, 200).call('health_check').catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).kind).toBe('unavailable');
  });

  it('refuses functions and arguments that the descriptors do not describe, before sending anything', async () => {
    const { fetch, requests } = fakeFetch(200, null);
    const db = new SupabaseRpcDatabase(URL_, KEY, fetch);
    const untyped = db as unknown as { call(fn: string, args?: Record<string, unknown>): Promise<unknown> };
    await expect(untyped.call('x; drop table companies')).rejects.toThrow(/Invalid SQL identifier/);
    await expect(untyped.call('no_such_function')).rejects.toThrow(/not a described SQL function/);
    await expect(untyped.call('health_check', { 'p_a"': 1 })).rejects.toThrow(/has no argument/);
    expect(requests).toHaveLength(0);
  });

  it('refuses transactions with a clear message', async () => {
    const { fetch } = fakeFetch(200, null);
    await expect(new SupabaseRpcDatabase(URL_, KEY, fetch).transaction(async () => 1)).rejects.toThrow(/DATABASE_URL/);
  });
});
